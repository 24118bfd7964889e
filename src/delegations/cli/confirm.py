"""Asking before a command destroys or overwrites data (erase, purge, restore)."""

from __future__ import annotations

import sys
from typing import TextIO


class NotConfirmed(Exception):
    """The user said no, or nobody could be asked: nothing was changed (exit 1)."""


def confirm(
    question: str, *, yes: bool, stdin: TextIO | None = None, out: TextIO | None = None
) -> None:
    """Ask ``question`` on a terminal; ``--yes`` (``yes``) answers for scripts.

    Without a terminal and without ``--yes`` it refuses: a script must say so.

    Raises:
        NotConfirmed: the answer was not yes, or there is no terminal to ask.
    """
    if yes:
        return
    stdin = stdin or sys.stdin
    out = out or sys.stderr
    if not (stdin.isatty() if hasattr(stdin, "isatty") else False):
        raise NotConfirmed(
            "this command changes data and needs confirmation: run it on a terminal, "
            "or add --yes; nothing was changed"
        )
    out.write(f"{question} [y/N] ")
    out.flush()
    answer = stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise NotConfirmed("not confirmed; nothing was changed")
