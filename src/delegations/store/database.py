"""Opening a database: engine, pragmas, migrations, sessions.

The session's scope is one user action: ``with db.transaction() as session``
commits on success and rolls back on any error, so a failed action leaves the
data as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from delegations.store import migrations
from delegations.store.errors import DatabaseCorrupt, DatabaseLocked, DatabaseTooNew, StoreError

BUSY_TIMEOUT_MS = 5000


def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _check_readable(path: Path) -> None:
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file")
    with path.open("rb") as handle:
        header = handle.read(16)
    if header and header != b"SQLite format 3\x00":
        raise DatabaseCorrupt(f"{path} is not a Delegations database (not an SQLite file)")


def backup_copy(path: Path, destination: Path) -> Path:
    """Copy a live database (WAL included) consistently with SQLite's backup API."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".part")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    tmp.replace(destination)
    return destination


class Database:
    """One open SQLite file, migrated to the application's schema."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.pre_migration_backup: Path | None = None

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        """Open (creating if needed) and migrate the database at ``path``.

        Raises:
            DatabaseTooNew: the file's schema is newer than this application.
            DatabaseCorrupt: the file is not an SQLite database.
            DatabaseLocked: another program holds a lock for too long.
        """
        path = Path(path).expanduser().resolve()
        _check_readable(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path)
        db = cls(path, engine)
        try:
            if migrate:
                db._migrate()
        except StoreError:
            engine.dispose()
            raise
        except OperationalError as exc:
            engine.dispose()
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise DatabaseLocked(
                    f"{path} is in use by another program; close it and try again"
                ) from exc
            raise StoreError(f"cannot open {path}: {exc.orig}") from exc
        except DatabaseError as exc:
            engine.dispose()
            raise DatabaseCorrupt(f"{path} is damaged or not a database: {exc.orig}") from exc
        return db

    def _migrate(self) -> None:
        head = migrations.head_revision()
        with self.engine.connect() as conn:
            current = migrations.current_revision(conn)
            has_tables = bool(inspect(conn).get_table_names())
        if current == head:
            return
        if current is not None and current not in migrations.known_revisions():
            raise DatabaseTooNew(
                f"{self.path} was saved by a newer version of Delegations "
                f"(schema {current}); this version knows schema {head}. "
                "Update the application to open it; the file was not changed."
            )
        if current is None and has_tables:
            raise StoreError(f"{self.path} is an SQLite file but not a Delegations database")
        if current is not None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path.with_name(f"{self.path.name}.before-{head}-{stamp}.bak")
            self.pre_migration_backup = backup_copy(self.path, aside)
        with self.engine.begin() as conn:
            migrations.upgrade(conn)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session for one user action: commit on success, roll back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def session(self) -> Session:
        """A plain session (the caller manages its transaction)."""
        return self.sessions()

    def backup(self, destination: str | Path) -> Path:
        """Write a consistent copy of the whole database to ``destination``."""
        return backup_copy(self.path, Path(destination))

    def close(self) -> None:
        self.engine.dispose()
