"""Automatic backups (daily, before an upgrade, by hand), their rotation, and restore:
over a healthy, damaged, foreign, empty or missing file; bad backups refused with
nothing changed; the command line's one-line errors and confirmation."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, select

from delegations.cli import main
from delegations.files import OutputError
from delegations.model import AuditEntry
from delegations.services import preferences
from delegations.store import Database, backups, migrations
from delegations.store.backups import BackupInvalid
from delegations.store.errors import DatabaseCorrupt, DatabaseDamaged, DatabaseLocked

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """Stands in for ``backups.utc_now``; ``advance`` moves it on."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(backups, "utc_now", fake)
    return fake


@pytest.fixture
def demo_file(tmp_path: Path, demo_db_template: Path) -> Path:
    """A closed copy of the demo database, with no backups yet."""
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    return path


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (audit log and settings aside), to compare contents."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if name not in ("sqlite_sequence", "audit_entry")
        ]
        return {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
    finally:
        connection.close()


def add_marker(path: Path) -> None:
    """Change the delegation's title, so two databases differ."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("UPDATE delegation SET title = title || ' (marked)'")
        connection.commit()
    finally:
        connection.close()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def damage(path: Path) -> None:
    """Overwrite 4 KB in the middle of the file."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek((size // 2) // 4096 * 4096)
        handle.write(os.urandom(4096))


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


# --------------------------------------------------------------------------- rotation


def _fake_backups(folder: Path, count: int, reason: str = "daily") -> list[Path]:
    folder.mkdir(exist_ok=True)
    made = []
    for n in range(count):
        stamp = (T0 - timedelta(days=count - n)).strftime(backups.STAMP)
        path = folder / f"{stamp}-{reason}.sqlite"
        path.write_bytes(b"x" * n)
        made.append(path)
    return made  # oldest first


def test_rotation_keeps_the_newest_and_deletes_nothing_else(tmp_path: Path) -> None:
    db_path = tmp_path / "work.db"
    folder = backups.backups_dir(db_path)
    made = _fake_backups(folder, 12)
    strangers = ["notes.txt", "20270101T000000Z-daily.sqlite.txt", "my-copy.sqlite"]
    strangers += ["20270101T000000Z-before-restore.damaged", ".work.db.abc.part"]
    for name in strangers:
        (folder / name).write_bytes(b"mine")
    deleted = backups.rotate(db_path, 5)
    assert sorted(deleted) == sorted(made[:7])
    assert names(folder) == sorted([p.name for p in made[7:]] + strangers)
    assert [b.path for b in backups.list_backups(db_path)] == made[7:][::-1]


def test_rotation_spares_the_newest_copy_a_restore_replaced(tmp_path: Path) -> None:
    """With keep=1 the next daily backup would otherwise delete the only way back from a
    mistaken restore; a deleted backup's -wal and -shm go with it."""
    db_path = tmp_path / "work.db"
    folder = backups.backups_dir(db_path)
    older_replaced, replaced = _fake_backups(folder, 2, "before-restore")
    newest = folder / f"{T0.strftime(backups.STAMP)}-daily.sqlite"  # after both
    newest.write_bytes(b"x")
    for extra in ("-wal", "-shm"):
        (folder / (older_replaced.name + extra)).write_bytes(b"left by sqlite3")
    deleted = backups.rotate(db_path, 1)
    assert deleted == [older_replaced]
    assert names(folder) == sorted([replaced.name, newest.name])


def test_rotation_takes_its_number_from_the_preference(demo_file: Path, clock: Clock) -> None:
    db = Database.open(demo_file)
    with db.transaction() as session:
        preferences.set_backups_keep(session, 3)
    for _ in range(6):  # the database stays open while they are made
        clock.advance(minutes=1)
        backups.make_backup(db.path, "manual")
    db.close()
    found = backups.list_backups(demo_file)
    assert len(found) == 3 and all(b.reason == "manual" for b in found)
    assert found[0].made_at == clock.now


def test_the_backup_just_made_is_never_rotated_away(demo_file: Path, clock: Clock) -> None:
    folder = backups.backups_dir(demo_file)
    folder.mkdir()
    later = [T0 + timedelta(days=1), T0 + timedelta(days=2)]
    future = [folder / f"{t.strftime(backups.STAMP)}-daily.sqlite" for t in later]
    for path in future:
        path.write_bytes(b"from a clock set ahead")
    made = backups.make_backup(demo_file, "manual", keep=1)
    assert made.exists() and sorted(names(folder)) == sorted([made.name, future[1].name])


def test_two_backups_in_the_same_second_get_two_names(demo_file: Path, clock: Clock) -> None:
    first = backups.make_backup(demo_file, "manual")
    second = backups.make_backup(demo_file, "manual")
    assert first != second and first.exists() and second.exists()
    assert backups.list_backups(demo_file)[0].path == second


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_backups_and_their_folder_are_private(demo_file: Path, clock: Clock) -> None:
    old = os.umask(0o022)
    try:
        made = backups.make_backup(demo_file, "manual")
    finally:
        os.umask(old)
    assert made.stat().st_mode & 0o777 == 0o600
    assert made.parent.stat().st_mode & 0o777 == 0o700
    assert made.parent == demo_file.resolve().with_name("work.db.backups")


# --------------------------------------------------------------------------- daily


def test_a_daily_backup_at_most_once_a_day(demo_file: Path, clock: Clock) -> None:
    folder = backups.backups_dir(demo_file)
    db = Database.open(demo_file)
    assert db.daily_backup is not None and db.daily_backup.name.endswith("-daily.sqlite")
    assert db.backup_warning is None
    db.close()
    for hours in (1, 22.9):
        clock.advance(hours=hours)
        db = Database.open(demo_file)
        assert db.daily_backup is None
        db.close()
    assert len(names(folder)) == 1
    clock.advance(hours=1)  # 24.9 h after the first
    db = Database.open(demo_file)
    assert db.daily_backup is not None
    db.close()
    assert [b.reason for b in backups.list_backups(demo_file)] == ["daily", "daily"]
    assert backups.verify_backup(backups.list_backups(demo_file)[0].path) == (
        migrations.head_revision()
    )
    # Nothing but the database and its folder is left beside it (no -wal, no -shm).
    assert names(demo_file.parent) == ["work.db", "work.db.backups"]


def test_a_new_database_gets_no_daily_backup(tmp_path: Path, clock: Clock) -> None:
    db = Database.open(tmp_path / "new.db")
    assert db.daily_backup is None
    db.close()
    assert not backups.backups_dir(tmp_path / "new.db").exists()


def test_a_failed_daily_backup_does_not_fail_the_opening(
    demo_file: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def full(*args: object, **options: object) -> Path:
        raise OutputError("cannot write the backup: the disk is full; free some space")

    monkeypatch.setattr(backups, "backup_copy", full)
    db = Database.open(demo_file)
    assert db.daily_backup is None
    assert db.backup_warning is not None and "disk is full" in db.backup_warning
    db.close()
    code, said = run("--db", str(demo_file), "list")
    assert code == 0 and "Barcelona" in said
    err = capsys.readouterr().err
    assert err.startswith("delegations: warning: no automatic backup") and err.count("\n") == 1


def test_the_copy_before_an_upgrade_is_in_the_folder(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "old.db"
    Database.open(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), "0007")
        conn.commit()
    engine.dispose()
    db = Database.open(path)
    db.close()
    copy = db.pre_migration_backup
    assert copy is not None and copy.parent == backups.backups_dir(path)
    assert backups.verify_backup(copy) == "0007"
    # The daily backup is not due: the copy before the upgrade was just made.
    assert db.daily_backup is None
    assert [b.reason for b in backups.list_backups(path)] == ["migration"]


# --------------------------------------------------------------------------- verifying


def test_verify_names_each_problem(tmp_path: Path, demo_file: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("Julien Caron, +33 6 12 34 56 78\n")
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    damaged = tmp_path / "damaged.sqlite"
    shutil.copyfile(demo_file, damaged)
    damage(damaged)
    newer = tmp_path / "newer.sqlite"
    shutil.copyfile(demo_file, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    cases = {
        tmp_path / "missing.sqlite": "does not exist",
        tmp_path: "is a folder",
        text: "not an SQLite file",
        foreign: "not a Delegations database",
        damaged: "is damaged",
        newer: "newer version",
    }
    for path, said in cases.items():
        with pytest.raises(BackupInvalid, match=said) as caught:
            backups.verify_backup(path)
        assert "\n" not in str(caught.value) and "Julien" not in str(caught.value)
    assert backups.verify_backup(demo_file) == migrations.head_revision()


def test_latest_good_backup_skips_bad_ones(demo_file: Path, clock: Clock) -> None:
    good = backups.make_backup(demo_file, "daily")
    clock.advance(hours=1)
    bad = backups.make_backup(demo_file, "manual")
    damage(bad)
    found = backups.latest_good_backup(demo_file)
    assert found is not None and found.path == good


# --------------------------------------------------------------------------- restoring


@pytest.fixture
def two(demo_file: Path, clock: Clock) -> tuple[Path, Path, dict[str, Any], dict[str, Any]]:
    """The database (old content, with a marker) and a backup of the demo (new content)."""
    backup = backups.make_backup(demo_file, "manual")
    clock.advance(hours=1)
    add_marker(demo_file)
    return demo_file, backup, dump(demo_file), dump(backup)


def test_restore_over_a_healthy_database_keeps_it(two: Any) -> None:
    path, backup, old, new = two
    assert old != new
    result = backups.restore(backup, path)
    assert dump(path) == new and result.revision == migrations.head_revision()
    assert result.kept is not None and result.kept.name.endswith("-before-restore.sqlite")
    assert dump(result.kept) == old
    assert backups.verify_backup(result.kept) == migrations.head_revision()
    assert names(path.parent) == ["work.db", "work.db.backups"]
    db = Database.open(path)
    db.close()


def test_an_old_wal_is_never_applied_to_the_restored_file(two: Any, tmp_path: Path) -> None:
    """The current database has changes still in its -wal (a crash): they are kept in
    the copy of the replaced file, never written into the restored one."""
    path, backup, _old, new = two
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE delegation SET title = 'Pending'")
    writer.commit()
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{path}{suffix}", crashed / f"work.db{suffix}")
    writer.close()
    target = crashed / "work.db"
    assert (crashed / "work.db-wal").stat().st_size > 0
    result = backups.restore(backup, target)
    assert dump(target) == new
    assert result.kept is not None
    kept = sqlite3.connect(result.kept)
    pending = kept.execute("SELECT count(*) FROM delegation WHERE title = 'Pending'").fetchone()
    kept.close()
    assert pending == (1,)
    assert not (crashed / "work.db-wal").exists()


@pytest.mark.parametrize("kind", ["damaged", "random bytes", "text", "foreign sqlite"])
def test_restore_over_a_file_that_is_not_a_good_database(two: Any, kind: str) -> None:
    path, backup, _old, new = two
    if kind == "damaged":
        damage(path)
    elif kind == "random bytes":
        path.write_bytes(os.urandom(50_000))
    elif kind == "text":
        path.write_text("Julien Caron, +33 6 12 34 56 78\n")
    else:
        path.unlink()
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE notes (x)")
        conn.close()
    wal = path.with_name(path.name + "-wal")
    wal.write_bytes(b"an old log that must never meet the restored file")
    before = path.read_bytes()
    result = backups.restore(backup, path)
    assert dump(path) == new
    assert result.kept is not None and result.kept.name.endswith("-before-restore.damaged")
    assert result.kept.read_bytes() == before
    assert result.kept.with_name(result.kept.name + "-wal").read_bytes().startswith(b"an old")
    assert not wal.exists()
    # A damaged copy is never offered as a backup to restore.
    assert result.kept not in [b.path for b in backups.list_backups(path)]
    assert result.kept in backups.kept_files(path)
    Database.open(path).close()


@pytest.mark.parametrize("kind", ["empty", "missing", "missing folder"])
def test_restore_where_there_is_no_database(two: Any, tmp_path: Path, kind: str) -> None:
    path, backup, _old, new = two
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "missing":
        path.unlink()
    else:
        path = tmp_path / "elsewhere" / "new.db"
    result = backups.restore(backup, path)
    assert result.kept is None and dump(path) == new
    Database.open(path).close()


def test_a_bad_backup_changes_nothing(two: Any, tmp_path: Path) -> None:
    path, backup, _old, _new = two
    damage(backup)
    before = {p.name: p.read_bytes() for p in path.parent.rglob("*") if p.is_file()}
    with pytest.raises(BackupInvalid, match="is damaged"):
        backups.restore(backup, path)
    with pytest.raises(BackupInvalid, match="is the database itself"):
        backups.restore(path, path)
    with pytest.raises(BackupInvalid, match="is the database itself"):
        backups.restore(path.parent / "." / path.name, path)
    after = {p.name: p.read_bytes() for p in path.parent.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.skipif(os.name != "posix", reason="the -shm lock probe is POSIX")
def test_a_database_open_in_another_program_is_not_replaced(two: Any) -> None:
    """A window left open elsewhere would go on writing into the replaced file: lost."""
    path, backup, old, _new = two
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "c.execute('PRAGMA journal_mode = WAL')\n"
            "c.execute('SELECT count(*) FROM person').fetchall()\n"
            "print('open', flush=True)\n"
            "time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"open"
        with pytest.raises(DatabaseLocked, match="open in another program"):
            backups.restore(backup, path)
    finally:
        holder.kill()
        holder.wait()
    assert dump(path) == old
    backups.restore(backup, path)  # once it is closed


def test_a_newer_backup_is_refused(two: Any) -> None:
    path, backup, old, _new = two
    with sqlite3.connect(backup) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    conn.close()
    with pytest.raises(BackupInvalid, match="newer version of Delegations"):
        backups.restore(backup, path)
    assert dump(path) == old


def test_an_older_backup_is_restored_then_upgraded_on_opening(two: Any, clock: Clock) -> None:
    path, backup, _old, _new = two
    engine = create_engine(f"sqlite:///{backup}")
    with engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), "0007")
        conn.commit()
    engine.dispose()
    result = backups.restore(backup, path)
    assert result.revision == "0007"
    clock.advance(minutes=1)
    db = Database.open(path)
    db.close()
    assert db.pre_migration_backup is not None
    assert backups.verify_backup(path) == migrations.head_revision()


def test_a_failed_copy_leaves_the_database_as_it_was(
    two: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, backup, old, _new = two

    def interrupted() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        backups.restore(backup, path, before_replace=interrupted)
    assert dump(path) == old
    assert not [p for p in path.parent.iterdir() if ".part" in p.name]


# --------------------------------------------------------------------------- messages


def test_the_damaged_message_names_the_latest_good_backup(two: Any, clock: Clock) -> None:
    path, backup, _old, _new = two
    clock.advance(hours=1)
    newest = backups.make_backup(path, "manual")
    damage(newest)  # the newest backup is damaged too: the good one is named
    damage(path)
    with pytest.raises(DatabaseDamaged) as caught:
        Database.open(path)
    message = str(caught.value)
    assert str(backup) in message and str(newest) not in message
    assert "restore --latest" in message and "\n" not in message


def test_not_a_database_names_the_latest_good_backup(two: Any) -> None:
    path, backup, _old, _new = two
    path.write_text("not a database")
    with pytest.raises(DatabaseCorrupt, match="not an SQLite file") as caught:
        Database.open(path)
    assert str(backup) in str(caught.value)


# --------------------------------------------------------------------------- command line


def test_backup_without_out_goes_into_the_folder(demo_file: Path, clock: Clock) -> None:
    code, said = run("--db", str(demo_file), "backup")
    assert code == 0
    found = backups.list_backups(demo_file)
    manual = [b for b in found if b.reason == "manual"]
    assert len(manual) == 1 and str(manual[0].path) in said


def test_backups_lists_them(demo_file: Path, clock: Clock, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    code, said = run("--db", str(empty), "backups")
    assert code == 0 and said.startswith("No backups yet")
    assert run("--db", str(demo_file), "backups")[1].startswith("No backups yet")  # not opened
    assert run("--db", str(demo_file), "list")[0] == 0  # the opening makes the daily backup
    code, said = run("--db", str(demo_file), "backups")
    assert code == 0 and said.count("\n") == 1 and "daily" in said
    clock.advance(minutes=1)
    assert run("--db", str(demo_file), "backup")[0] == 0
    code, said = run("--db", str(demo_file), "backups")
    lines = said.splitlines()
    assert code == 0 and len(lines) == 2  # the daily backup of the opening, and the manual one
    assert "made by hand" in lines[0] and "-manual.sqlite" in lines[0]
    assert "daily" in lines[1] and "KB" in lines[1]


def test_backups_lists_them_when_the_database_is_damaged(demo_file: Path, clock: Clock) -> None:
    """When the list is most wanted: the database cannot be opened."""
    made = backups.make_backup(demo_file, "manual")
    demo_file.write_bytes(b"garbage")
    code, said = run("--db", str(demo_file), "backups")
    assert code == 0 and str(made) in said
    assert demo_file.read_bytes() == b"garbage"


def test_restore_on_the_command_line(two: Any, capsys: Any) -> None:
    path, backup, _old, new = two
    code, said = run("--db", str(path), "restore", str(backup), "--yes")
    assert code == 0
    assert said.startswith(f"Restored {path.resolve()} from {backup}")
    assert "before-restore.sqlite" in said
    assert dump(path) == new
    db = Database.open(path)
    with db.session() as session:
        entries = session.scalars(select(AuditEntry)).all()
    db.close()
    assert [(e.action, e.record) for e in entries][-1:] == [("restore", "database")]


def test_restore_latest(two: Any, clock: Clock) -> None:
    path, backup, _old, new = two
    damage(path)
    code, said = run("--db", str(path), "restore", "--latest", "--yes")
    assert code == 0 and dump(path) == new and str(backup) in said


def test_restore_needs_a_confirmation_without_a_terminal(
    two: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, backup, old, _new = two
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # not a terminal
    code, said = run("--db", str(path), "restore", str(backup))
    err = capsys.readouterr().err
    assert code == 1 and said == "" and err.count("\n") == 1
    assert err.startswith("delegations: error: ") and "--yes" in err
    assert dump(path) == old


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (("restore",), 2, "give the backup FILE"),
        (("restore", "x.sqlite", "--latest"), 2, "not both"),
        (("restore", "missing.sqlite", "--yes"), 1, "does not exist"),
        (("restore", "notes.txt", "--yes"), 1, "not an SQLite file"),
    ],
)
def test_restore_errors_are_one_line(
    two: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch, args: Any, code: int, said: str
) -> None:
    path, _backup, old, _new = two
    monkeypatch.chdir(path.parent)
    Path("notes.txt").write_text("Julien Caron, +33 6 12 34 56 78\n")
    assert run("--db", str(path), *args)[0] == code
    err = capsys.readouterr().err
    last = err.splitlines()[-1]
    assert last.startswith("delegations: error: ") and said in last and "Traceback" not in err
    assert "Julien" not in err
    assert dump(path) == old


def test_restore_latest_without_backups(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "t.db"
    path.write_text("garbage")
    assert run("--db", str(path), "restore", "--latest", "--yes")[0] == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no whole backup" in err
    assert path.read_text() == "garbage"
