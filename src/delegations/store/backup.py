"""Consistent copies of a live database (SQLite's online backup API).

A copy holds all the personal data of the database: it is written ``0600`` (its
owner only) on POSIX, whatever the umask, into a folder made ``0700`` if the copy
creates it. It is written under a unique temporary name beside the destination and
renamed into place, so a failed or interrupted backup leaves nothing behind and
keeps an earlier copy.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from delegations.files import (
    PRIVATE_MODE,
    OutputError,
    fsync_path,
    output_error,
    remove_quietly,
    set_mode,
    temporary_beside,
)
from delegations.store.outputs import check_output
from delegations.store.paths import make_private_dir

SQLITE_FULL = 13
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_CANTOPEN = 14


def _sqlite_error(exc: sqlite3.Error, destination: Path) -> OutputError:
    """One line for SQLite's failure to copy: what happened, what to do."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code == SQLITE_FULL:
        return output_error(OSError(errno.ENOSPC, "disk full"), destination)
    if code == SQLITE_READONLY:
        return output_error(OSError(errno.EROFS, "read-only"), destination)
    if code == SQLITE_CANTOPEN:
        return output_error(OSError(errno.EACCES, "cannot open"), destination)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return OutputError(
            f"cannot back up to {destination}: the database is busy; try again in a moment"
        )
    return OutputError(f"cannot back up to {destination}: {type(exc).__name__}; try again")


def backup_copy(path: Path, destination: Path, *, automatic: bool = False) -> Path:
    """Copy a live database (WAL included) consistently with SQLite's backup API.

    Args:
        path: the database to copy.
        destination: the copy to write; its missing folder is created ``0700``.
        automatic: an automatic backup, written into the database's backups folder
            (anything else is refused there).

    Returns:
        ``destination``, written ``0600``.

    Raises:
        OutputRefused: ``destination`` is the database itself (or its ``-wal``,
            ``-shm``, ``-journal`` file, by any path or link), or a folder.
        OutputError: the copy cannot be written (full disk, permissions…); nothing
            is left behind and an earlier ``destination`` is as it was.
    """
    destination = check_output(destination, path, backups_folder=automatic)
    try:
        make_private_dir(destination.parent)
    except OSError as exc:
        raise output_error(exc, destination) from exc
    fd, tmp = temporary_beside(destination, PRIVATE_MODE)
    os.close(fd)
    leftovers = [tmp, *(tmp.with_name(tmp.name + s) for s in ("-journal", "-wal", "-shm"))]
    try:
        try:
            source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                target = sqlite3.connect(tmp)
                try:
                    source.backup(target)
                finally:
                    target.close()
            finally:
                source.close()
            set_mode(tmp, PRIVATE_MODE)
            fsync_path(tmp)
            os.replace(tmp, destination)
        except sqlite3.Error as exc:
            raise _sqlite_error(exc, destination) from exc
        except OSError as exc:
            raise output_error(exc, destination) from exc
    except BaseException:
        remove_quietly(*leftovers)
        raise
    return destination
