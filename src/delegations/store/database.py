"""Opening a database: engine, pragmas, migrations, sessions.

The session's scope is one user action: ``with db.transaction() as session``
commits on success and rolls back on any error, so a failed action leaves the
data as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from delegations.store import changelog, migrations
from delegations.store.backup import backup_copy
from delegations.store.errors import DatabaseCorrupt, DatabaseLocked, DatabaseTooNew, StoreError

BUSY_TIMEOUT_MS = 5000
RECORDER = "delegations.recorder"
BEGIN_OPTION = "delegations_begin"


def _configure_sqlite(dbapi_connection: Any, connection_record: Any, busy_ms: int) -> None:
    # The driver's own transaction handling is off: ``_begin`` issues BEGIN, so
    # that DDL is transactional and writers take the write lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
    connection_record.info[RECORDER] = changelog.install(dbapi_connection)


def _begin(conn: Connection) -> None:
    """BEGIN, or BEGIN IMMEDIATE for a writer (waits for the lock, up to the busy timeout)."""
    mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path, busy_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine whose connections wait up to ``busy_ms`` for another program's lock."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": busy_ms / 1000})
    event.listen(engine, "connect", partial(_configure_sqlite, busy_ms=busy_ms))
    event.listen(engine, "begin", _begin)
    return engine


def recorder(session: Session) -> changelog.Recorder:
    """The change recorder of the connection ``session`` writes through."""
    found = session.connection().connection.info[RECORDER]
    assert isinstance(found, changelog.Recorder)
    return found


def _check_readable(path: Path) -> None:
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file")
    with path.open("rb") as handle:
        header = handle.read(16)
    if header and header != b"SQLite format 3\x00":
        raise DatabaseCorrupt(f"{path} is not a Delegations database (not an SQLite file)")


class Database:
    """One open SQLite file, migrated to the application's schema."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.pre_migration_backup: Path | None = None

    @classmethod
    def open(
        cls, path: str | Path, *, migrate: bool = True, busy_ms: int = BUSY_TIMEOUT_MS
    ) -> Database:
        """Open (creating if needed) and migrate the database at ``path``.

        Raises:
            DatabaseTooNew: the file's schema is newer than this application.
            DatabaseCorrupt: the file is not an SQLite database.
            DatabaseLocked: another program holds a lock for too long.
        """
        path = Path(path).expanduser().resolve()
        _check_readable(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path, busy_ms)
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
        with self.engine.connect() as conn:
            # Tables are rebuilt during upgrades: with foreign keys enforced,
            # dropping an old table would cascade into the rows that refer to it.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    migrations.upgrade(conn)
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
        # New connections get the change-log triggers for the tables now there.
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session for one user action: commit on success, roll back on error.

        It takes the write lock when it starts (``BEGIN IMMEDIATE``), waiting up
        to the busy timeout for another writer, so it never fails half-way
        because somebody else wrote in between.
        """
        with self.sessions() as session, session.begin():
            session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE"})
            yield session

    def session(self) -> Session:
        """A plain session (the caller manages its transaction)."""
        return self.sessions()

    def backup(self, destination: str | Path) -> Path:
        """Write a consistent copy of the whole database to ``destination``."""
        return backup_copy(self.path, Path(destination))

    def close(self) -> None:
        self.engine.dispose()
