"""Opening a database: refused files stay byte for byte as they were; damage is named."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from delegations.cli import main
from delegations.store import Database, DatabaseCorrupt, DatabaseTooNew, StoreError
from delegations.store.errors import DatabaseDamaged


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _newer(path: Path) -> None:
    Database.open(path).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    _newer(path)
    before = _files(tmp_path)
    assert before[path.name][18:20] == b"\x02\x02"  # WAL mode in the header already
    with pytest.raises(DatabaseTooNew, match="the file was not changed"):
        Database.open(path)
    assert _files(tmp_path) == before


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text)")
    connection.commit()
    connection.close()
    before = _files(tmp_path)
    assert before[path.name][18:20] == b"\x01\x01"  # rollback journal, not WAL
    with pytest.raises(StoreError, match="not a Delegations database"):
        Database.open(path)
    assert _files(tmp_path) == before


def test_a_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("Julien Caron, +33 6 12 34 56 78\n")
    with pytest.raises(DatabaseCorrupt, match="not an SQLite file"):
        Database.open(path)
    assert path.read_text() == "Julien Caron, +33 6 12 34 56 78\n"
    assert _files(tmp_path) == {"notes.db": path.read_bytes()}


def _damage(path: Path) -> None:
    """Overwrite 4 KB in the middle of the file, as the hostile tester did."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek((size // 2) // 4096 * 4096)
        handle.write(os.urandom(4096))


def test_a_damaged_database_is_refused_naming_the_latest_backup(
    tmp_path: Path, demo_db: Database
) -> None:
    path = tmp_path / "damaged.db"
    demo_db.backup(tmp_path / "damaged.backup.db")
    demo_db.backup(path)
    _damage(path)
    before = path.read_bytes()
    with pytest.raises(DatabaseDamaged) as caught:
        Database.open(path)
    message = str(caught.value)
    assert "is damaged" in message and str(tmp_path / "damaged.backup.db") in message
    assert path.read_bytes() == before


def test_a_damaged_database_on_the_command_line_is_one_line(
    tmp_path: Path, demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "damaged.db"
    demo_db.backup(path)
    _damage(path)
    assert main(["--db", str(path), "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is damaged" in err and "no backup was found" in err


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_database_and_its_folder_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "data" / "new.db"
        db = Database.open(path)
        db.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_existing_database_readable_by_others_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    Database.open(path).close()
    os.chmod(path, 0o644)
    Database.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_read_only_database_is_narrowed_but_stays_read_only(tmp_path: Path) -> None:
    """Others lose their access; the owner's own bits are kept: never made writable."""
    path = tmp_path / "kept.db"
    Database.open(path).close()
    os.chmod(path, 0o444)
    with contextlib.suppress(StoreError):  # a read-only file may refuse to open
        Database.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
