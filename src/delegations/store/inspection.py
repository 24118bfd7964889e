"""Looking at a database file read-only before opening it for real.

A file the application refuses (a newer schema, another program's SQLite file,
a damaged file) must be left byte for byte as it was: the first look opens it
read-only (``immutable`` when no other program has it open, so not even a
``-wal`` or ``-shm`` file is created), runs SQLite's ``quick_check`` and reads
the schema revision. Only a file that passes is opened for writing.
"""

from __future__ import annotations

import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from delegations.store.errors import DatabaseCorrupt, DatabaseDamaged, DatabaseLocked, StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
BACKUP_PATTERNS = ("{name}.before-*.bak", "{stem}.backup*.db", "{stem}-backup*.db")


@dataclass(frozen=True)
class FileState:
    """What a database file holds, as far as opening it needs to know.

    Attributes:
        exists: there is a non-empty file.
        revision: its schema revision (None: no Delegations schema).
        has_tables: it holds tables (an SQLite file of another program when no revision).
    """

    exists: bool
    revision: str | None = None
    has_tables: bool = False


def latest_backup(path: Path) -> Path | None:
    """The newest backup beside ``path`` (pre-upgrade copies, File ▸ Back up copies)."""
    found: list[Path] = []
    for pattern in BACKUP_PATTERNS:
        found += path.parent.glob(pattern.format(name=path.name, stem=path.stem))
    backups = path.parent / "backups"
    if backups.is_dir():
        found += backups.glob("*.db")
    found = [p for p in found if p.is_file() and p != path]
    return max(found, key=lambda p: p.stat().st_mtime, default=None)


def restore_advice(path: Path) -> str | None:
    """How to restore the latest good automatic backup of ``path``; None without one."""
    from delegations.store.backups import latest_good_backup

    good = latest_good_backup(path)
    if good is None:
        return None
    made = good.made_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"the latest good backup is {good.path} (made {made}); restore it with "
        f"File ▸ Restore from backup… or: delegations --db {shlex.quote(str(path))} "
        "restore --latest (the damaged file is kept)"
    )


def damaged_message(path: Path) -> str:
    """What to say about a damaged file, naming the backup to restore."""
    advice = restore_advice(path)
    if advice is None:
        backup = latest_backup(path)
        advice = (
            f"the latest backup is {backup}; copy it over the damaged file (keep the damaged "
            "file aside) to go on"
            if backup is not None
            else "restore it from a backup; no backup was found beside it"
        )
    return f"{path} is damaged (SQLite's integrity check failed): {advice}."


def inspect_file(path: Path) -> FileState:
    """Look at ``path`` without changing it.

    Raises:
        StoreError: a folder, not a file.
        DatabaseCorrupt: not an SQLite file.
        DatabaseDamaged: SQLite's quick check fails.
        DatabaseLocked: another program holds it so that it cannot be read.
    """
    if not path.exists():
        return FileState(False)
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file")
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not header:
        return FileState(False)
    if header != SQLITE_HEADER:
        advice = restore_advice(path)
        raise DatabaseCorrupt(
            f"{path} is not a Delegations database (not an SQLite file)"
            + (f": {advice}." if advice else "")
        )
    busy = path.with_name(path.name + "-wal").exists()
    uri = path.as_uri() + ("?mode=ro" if busy else "?mode=ro&immutable=1")
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read {path}: {exc}") from None
    try:
        check = connection.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise DatabaseDamaged(damaged_message(path))
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return FileState(True, revision, bool(tables - {"alembic_version"}))
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseLocked(
                f"{path} is in use by another program; close it and try again"
            ) from None
        raise DatabaseDamaged(damaged_message(path)) from None
    except sqlite3.DatabaseError:
        raise DatabaseDamaged(damaged_message(path)) from None
    finally:
        connection.close()
