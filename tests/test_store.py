"""Opening, migrating, refusing and backing up databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from delegations.model import Base
from delegations.services.demo import load_demo
from delegations.store import (
    Database,
    DatabaseCorrupt,
    DatabaseTooNew,
    StoreError,
    migrations,
    resolve_db_path,
)
from history_support import dump


def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_pragmas_are_set(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_fresh_database_is_at_head(db: Database) -> None:
    with db.engine.connect() as conn:
        assert migrations.current_revision(conn) == migrations.head_revision()


def test_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Database.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer version of Delegations"):
        Database.open(path)
    assert path.read_bytes() == before


def test_older_database_is_copied_aside_before_upgrading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    db = Database.open(path)
    with db.transaction() as session:
        load_demo(session)
    db.close()
    current = migrations.head_revision()
    upgraded: list[str] = []

    # The application now knows a newer schema than the file's.
    monkeypatch.setattr(migrations, "head_revision", lambda: "0099")
    monkeypatch.setattr(migrations, "known_revisions", lambda: {current, "0099"})
    monkeypatch.setattr(migrations, "upgrade", lambda conn, target="head": upgraded.append(target))
    reopened = Database.open(path)
    assert upgraded == ["head"]
    copy = reopened.pre_migration_backup
    # In the private backups folder beside the database, named for its reason.
    assert copy is not None and copy.exists() and copy.name.endswith("-migration.sqlite")
    assert copy.parent == path.resolve().with_name("old.db.backups")
    assert not list(tmp_path.glob("*.bak"))
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM agenda_item").fetchone()[0] == 14
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == current
    reopened.close()


def test_not_a_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 10)
    with pytest.raises(DatabaseCorrupt, match="not a Delegations database"):
        Database.open(path)
    assert path.read_text().startswith("these are my notes")


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(StoreError, match="not a Delegations database"):
        Database.open(path)


def test_backup_is_a_complete_consistent_copy(demo_db: Database, tmp_path: Path) -> None:
    copy = demo_db.backup(tmp_path / "backups" / "copy.db")
    reopened = Database.open(copy)
    with reopened.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM agenda_item")).scalar() == 14
    reopened.close()


def test_database_location_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DELEGATIONS_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(str(tmp_path / "flag.db")) == tmp_path / "flag.db"
    assert resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("DELEGATIONS_DB")
    assert resolve_db_path(None).name == "delegations.db"


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    assert migrations.head_revision() == migrations.script_head()


def test_opening_a_current_database_does_not_import_alembic(demo_db: Database) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from delegations.store import Database;"
        f"Database.open({str(demo_db.path)!r}).close();"
        "print(any(m == 'alembic' or m.startswith('alembic.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_upgrade_to_autoincrement_keys_keeps_every_row(tmp_path: Path) -> None:
    """Down to 0001 and up again: 0002 rebuilds every record table; rows, references
    and indexes survive (and the downgrades work too)."""
    from alembic import command
    from sqlalchemy import create_engine

    path = tmp_path / "old.db"
    current = Database.open(path)
    with current.transaction() as session:
        load_demo(session)
        # What a downgrade below 0005 cannot keep (the food flag it recomputes).
        for sql in (
            "UPDATE organisation SET short_name = ''",
            "UPDATE delegation SET dress_code = ''",
            "UPDATE participation SET hotel_phone = '', booking_reference = '', "
            "room_type = '', room_sharing = ''",
            "UPDATE agenda_item SET dropoff_venue_id = NULL, transport_company = '', "
            "vehicle = '', driver_phone = '', dress_code = '', wifi = ''",
        ):
            session.execute(text(sql))
    current.close()
    full = dump(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        command.downgrade(migrations.alembic_config(conn), "0001")
        conn.commit()
    engine.dispose()
    assert (
        "AUTOINCREMENT"
        not in sqlite3.connect(path)
        .execute("SELECT sql FROM sqlite_master WHERE name = 'person'")
        .fetchone()[0]
    )

    upgraded = Database.open(path)
    upgraded.close()
    assert upgraded.pre_migration_backup is not None
    # Every row comes back; the database's own id is made anew by a new upgrade.
    after = dump(path)
    assert after.pop("database_identity") and full.pop("database_identity")
    assert after == full
    connection = sqlite3.connect(path)
    try:
        schema = connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'person'"
        ).fetchone()[0]
        assert "AUTOINCREMENT" in schema
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        indexes = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
        assert "ix_person_search_text" in indexes
        assert connection.execute("PRAGMA foreign_keys").fetchone() == (0,)  # plain connection
    finally:
        connection.close()
