"""Unexpected errors: written to a log in the data folder, without personal data.

Expected failures (bad input, a locked or damaged database) are said in one
line. Anything else is a bug: the person sees one line saying where the details
are, and the log holds the traceback's places (file, line, function, code) with
the exception's message redacted: quoted values, e-mail addresses, numbers long
enough to be phone numbers and SQL parameters are replaced, so the log can be
attached to a bug report.
"""

from __future__ import annotations

import os
import re
import traceback
from datetime import UTC, datetime
from pathlib import Path

from delegations.store.paths import default_db_path

LOG_NAME = "delegations-errors.log"
REDACTIONS = (
    (re.compile(r"\[parameters: .*?\](?=\s|$)", re.S), "[parameters hidden]"),
    (re.compile(r"'(?:[^'\\\n]|\\.){0,4000}'"), "'…'"),
    (re.compile(r'"(?:[^"\\\n]|\\.){0,4000}"'), '"…"'),
    (re.compile(r"[^\s@]+@[^\s@]+"), "<e-mail>"),
    (re.compile(r"\+?\d[\d ()./-]{5,}\d"), "<number>"),
)
MAX_MESSAGE = 300


def redact(text: str) -> str:
    """``text`` with anything that may be a person's data replaced, and cut short."""
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def log_path() -> Path:
    return default_db_path().parent / LOG_NAME


def describe(exc: BaseException) -> str:
    """The traceback as places in the code, and the redacted message."""
    lines = [f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z {type(exc).__name__}: {redact(str(exc))}"]
    for frame in traceback.extract_tb(exc.__traceback__):
        lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        lines.append(f"  caused by {type(cause).__name__}: {redact(str(cause))}")
    return "\n".join(lines) + "\n"


def record(exc: BaseException, path: Path | None = None) -> Path:
    """Append ``exc`` to the log (readable by its owner only); the log's path."""
    path = path or log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(describe(exc))
    return path
