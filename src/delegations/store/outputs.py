"""Where an output may be written: never over the database in use.

A document, package or backup written over the database file (or its ``-wal``,
``-shm`` or ``-journal`` file) would destroy it, whatever path leads there: the
same name, ``./././t.db``, a symbolic link or a hard link. ``check_output`` refuses
those, folders, and the database's automatic backups folder (a file there would be
taken for a backup, or overwrite one), before anything is created.
"""

from __future__ import annotations

import os
from pathlib import Path

from delegations.store.errors import OutputRefused

COMPANIONS = (
    ("", "the database in use"),
    ("-wal", "the write-ahead log of the database in use"),
    ("-shm", "the shared-memory file of the database in use"),
    ("-journal", "the journal of the database in use"),
)
"""The files SQLite keeps for a database, by suffix, and what to call them."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def refusal(
    path: str | os.PathLike[str],
    database_path: str | os.PathLike[str],
    *,
    backups_folder: bool = False,
) -> str | None:
    """What ``path`` is, if writing it would overwrite the database's files or go into
    its automatic backups folder (``<database>.backups``: a file there is taken for a
    backup, rotated, offered for restoring; only the backups themselves are written
    there, with ``backups_folder``); else None."""
    given = Path(path).expanduser()
    database = Path(database_path).expanduser().resolve()
    target = given.resolve()
    folder = database.with_name(database.name + ".backups")
    if not backups_folder and (
        folder in (target, target.parent)
        or _same_file(target.parent, folder)
        or _same_file(given, folder)
    ):
        return "in the automatic backups folder of the database in use"
    for suffix, what in COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if target == companion or _same_file(given, companion):
            return what
        # On a case-insensitive disk T.DB is t.db: refuse the look-alike in that folder.
        if target.name.casefold() == companion.name.casefold() and (
            target.parent == companion.parent or _same_file(target.parent, companion.parent)
        ):
            return what
    return None


def check_output(
    path: str | os.PathLike[str],
    database_path: str | os.PathLike[str],
    *,
    name: str | None = None,
    backups_folder: bool = False,
) -> Path:
    """The file to write, once sure that writing it leaves the database alone.

    Args:
        path: the file an export, package or backup is about to write.
        database_path: the database in use.
        name: how to call ``path`` in a message (e.g. ``"--out t.db"``); the path itself
            by default.
        backups_folder: ``path`` is an automatic backup, written into the database's
            backups folder (``store.backups``); refused there otherwise.

    Returns:
        ``path`` (with ``~`` expanded), to write.

    Raises:
        OutputRefused: ``path`` is, or leads to, the database or one of its ``-wal``,
            ``-shm`` or ``-journal`` files, or is a folder. Nothing was created.
    """
    given = Path(path).expanduser()
    shown = name or str(path)
    what = refusal(given, database_path, backups_folder=backups_folder)
    if what is not None:
        raise OutputRefused(f"{shown} is {what}; choose another file")
    if given.is_dir():
        raise OutputRefused(f"{shown} is a folder; give the name of a file to write")
    return given
