"""Opening a database: engine, pragmas, migrations, sessions.

The session's scope is one user action: ``with db.transaction() as session``
commits on success and rolls back on any error, so a failed action leaves the
data as it was.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from delegations.store import backups, changelog, migrations
from delegations.store.backup import backup_copy
from delegations.store.errors import DatabaseDamaged, DatabaseLocked, DatabaseTooNew, StoreError
from delegations.store.inspection import FileState, damaged_message, inspect_file
from delegations.store.paths import make_private_dir

BUSY_TIMEOUT_MS = 5000
ENV_BUSY = "DELEGATIONS_BUSY_MS"
"""Overrides how long to wait for another program's lock (tests, slow network drives)."""


def busy_timeout_ms() -> int:
    value = os.environ.get(ENV_BUSY, "")
    return int(value) if value.isdigit() else BUSY_TIMEOUT_MS


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
    # hide_parameters: an error message never carries the values of a statement
    # (a person's phone or dietary needs) into a message or a log.
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"timeout": busy_ms / 1000}, hide_parameters=True
    )
    event.listen(engine, "connect", partial(_configure_sqlite, busy_ms=busy_ms))
    event.listen(engine, "begin", _begin)
    return engine


def recorder(session: Session) -> changelog.Recorder:
    """The change recorder of the connection ``session`` writes through."""
    found = session.connection().connection.info[RECORDER]
    assert isinstance(found, changelog.Recorder)
    return found


def _create_private(path: Path, state: FileState) -> None:
    """The folder and a new file readable by their owner only (0700, 0600), whatever the umask.

    An existing file of this user's that others can read is narrowed to 0600, with
    its ``-wal`` and ``-shm`` (SQLite gives those the database file's permissions).
    """
    make_private_dir(path.parent)
    if not state.exists:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass  # an empty file: SQLite makes it a database
        else:
            if os.name == "posix":
                os.fchmod(fd, 0o600)
            os.close(fd)
    if os.name != "posix":
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = file.stat()
        except FileNotFoundError:
            continue
        if info.st_uid == os.getuid() and info.st_mode & 0o077:
            # Others lose their access; the owner keeps exactly theirs (a file made
            # read-only on purpose stays read-only).
            os.chmod(file, stat.S_IMODE(info.st_mode) & 0o700)


def _refuse(path: Path, state: FileState) -> None:
    """Refuse a file this version cannot use; it was only read, never written."""
    head = migrations.head_revision()
    current = state.revision
    if current is not None and current != head and current not in migrations.known_revisions():
        raise DatabaseTooNew(
            f"{path} was saved by a newer version of Delegations "
            f"(schema {current}); this version knows schema {head}. "
            "Update the application to open it; the file was not changed."
        )
    if current is None and state.has_tables:
        raise StoreError(
            f"{path} is an SQLite file but not a Delegations database; the file was not changed"
        )


class Database:
    """One open SQLite file, migrated to the application's schema."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.pre_migration_backup: Path | None = None
        """The copy made before upgrading the schema (in the backups folder), if any."""
        self.daily_backup: Path | None = None
        """The automatic daily backup made on opening, if one was due."""
        self.backup_warning: str | None = None
        """One line: why the daily backup could not be made (the open went on)."""

    @classmethod
    def open(
        cls, path: str | Path, *, migrate: bool = True, busy_ms: int | None = None
    ) -> Database:
        """Open (creating if needed) and migrate the database at ``path``.

        A database that held data is first backed up into its backups folder before
        a schema upgrade (``pre_migration_backup``), and once a day (``daily_backup``;
        when that fails the opening goes on and ``backup_warning`` says why).

        Raises:
            DatabaseTooNew: the file's schema is newer than this application.
            DatabaseCorrupt: the file is not an SQLite database.
            DatabaseLocked: another program holds a lock for too long.
        """
        path = Path(path).expanduser().resolve()
        state = inspect_file(path)
        if migrate:
            _refuse(path, state)
        _create_private(path, state)
        engine = make_engine(path, busy_timeout_ms() if busy_ms is None else busy_ms)
        db = cls(path, engine)
        try:
            if migrate:
                db._migrate(state)
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
        except DatabaseError:
            engine.dispose()
            raise DatabaseDamaged(damaged_message(path)) from None
        if migrate and state.exists and state.revision is not None:
            db._daily_backup()
        return db

    def _daily_backup(self) -> None:
        """The day's first opening of a database that held data: a ``daily`` backup.

        It never fails the opening: ``backup_warning`` says why it could not be made.
        """
        try:
            if backups.daily_due(self.path):
                self.daily_backup = backups.make_backup(self.path, "daily")
                # The copy read the file through a read-only connection, which cannot
                # remove the -wal and -shm it made: a connection of ours will, on close.
                with self.engine.connect():
                    pass
        except (OSError, StoreError, sqlite3.Error) as exc:
            text = " ".join(str(exc).split()) or type(exc).__name__
            self.backup_warning = f"no automatic backup was made today: {text}"

    def _migrate(self, state: FileState) -> None:
        current = state.revision
        head = migrations.head_revision()
        if current == head:
            return
        if current is not None:
            # Refuses to go on (OutputError) when the copy cannot be made.
            self.pre_migration_backup = backups.make_backup(self.path, "migration")
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
