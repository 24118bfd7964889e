"""Outputs: never over the database in use, atomic and clean on failure, with safe permissions."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from delegations import files
from delegations.cli import main
from delegations.files import OutputError, atomic_path, atomic_write, current_umask
from delegations.services import package
from delegations.store import Database
from delegations.store import backup as backup_module
from delegations.store.errors import OutputRefused, StoreError
from delegations.store.outputs import check_output
from delegations.store.paths import make_private_dir

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture(autouse=True)
def _no_writes_in_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unexpected error is logged in the user's data folder: keep it out of $HOME.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))


@pytest.fixture
def work(tmp_path: Path, demo_db_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding t.db (the demo delegation), and the current directory."""
    shutil.copyfile(demo_db_template, tmp_path / "t.db")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def database_intact(path: Path) -> bool:
    with sqlite3.connect(path) as conn:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return ok and conn.execute("SELECT count(*) FROM agenda_item").fetchone()[0] == 14


def no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if ".part" in p.name]


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ----------------------------------------------------------- never over the database


EXPORT_CSV = ("export", "rooming", "Barcelona", "--format", "csv")
EXPORT_PACKAGE = ("export", "package", "Barcelona")
BACKUP = ("backup",)


@pytest.mark.parametrize("command", [EXPORT_CSV, EXPORT_PACKAGE, BACKUP], ids=str)
@pytest.mark.parametrize(
    ("out", "what"),
    [
        ("t.db", "the database in use"),
        ("./././t.db", "the database in use"),
        ("t.db-wal", "the write-ahead log of the database in use"),
        ("t.db-shm", "the shared-memory file of the database in use"),
        ("t.db-journal", "the journal of the database in use"),
    ],
)
def test_an_output_never_overwrites_the_database(
    work: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...], out: str, what: str
) -> None:
    before = listing(work)
    code, said = run("--db", "t.db", *command, "--out", out)
    assert code == 1 and said == ""
    assert capsys.readouterr().err == (
        f"delegations: error: --out {out} is {what}; choose another file\n"
    )
    assert listing(work) == before and database_intact(work / "t.db")


@pytest.mark.parametrize("command", [EXPORT_CSV, EXPORT_PACKAGE, BACKUP], ids=str)
@pytest.mark.parametrize("link", [os.symlink, os.link], ids=["symlink", "hard link"])
def test_links_to_the_database_are_refused(
    work: Path,
    capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
    link: Callable[[Path, Path], None],
) -> None:
    link(work / "t.db", work / "other-name.db")
    before = listing(work)
    code, _ = run("--db", str(work / "t.db"), *command, "--out", "other-name.db")
    assert code == 1
    err = capsys.readouterr().err
    assert err == "delegations: error: --out other-name.db is the database in use; " + (
        "choose another file\n"
    )
    assert listing(work) == before and database_intact(work / "t.db")


def test_a_database_opened_through_a_link_is_recognised(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "via.db").symlink_to(work / "t.db")
    assert run("--db", "via.db", "backup", "--out", "t.db")[0] == 1
    assert "is the database in use" in capsys.readouterr().err
    assert database_intact(work / "t.db")


def test_check_output_catches_every_path_to_the_database(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    db.write_bytes(b"SQLite format 3\x00")
    (tmp_path / "sub").mkdir()
    (tmp_path / "dangling").symlink_to(tmp_path / "t.db-wal")
    for path in (db, tmp_path / "sub" / ".." / "t.db", tmp_path / "dangling", tmp_path / "T.DB"):
        with pytest.raises(OutputRefused, match="database in use"):
            check_output(path, db)
    with pytest.raises(OutputRefused, match=r"^here is a folder; give the name of a file"):
        check_output(tmp_path / "sub", db, name="here")
    assert check_output(tmp_path / "t.db.csv", db) == tmp_path / "t.db.csv"
    assert issubclass(OutputRefused, StoreError)


def test_the_backups_folder_is_refused_except_for_the_backups(tmp_path: Path) -> None:
    """A file written there would be taken for a backup (listed, offered for restoring,
    rotated) or overwrite one."""
    db = tmp_path / "t.db"
    db.write_bytes(b"SQLite format 3\x00")
    folder = tmp_path / "t.db.backups"
    folder.mkdir()
    (tmp_path / "link").symlink_to(folder)
    for path in (folder / "x.json", folder / "20270101T000000Z-daily.sqlite", folder,
                 tmp_path / "link" / "x.csv"):  # fmt: skip
        with pytest.raises(OutputRefused, match="automatic backups folder"):
            check_output(path, db)
    made = folder / "20270101T000000Z-daily.sqlite"
    assert check_output(made, db, backups_folder=True) == made
    assert check_output(tmp_path / "t.db.backups.json", db) == tmp_path / "t.db.backups.json"


@pytest.mark.parametrize("command", [("person", "export", "1"), ("audit", "--csv")], ids=str)
def test_the_cli_refuses_writing_into_the_backups_folder(
    demo_db: Database, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    folder = demo_db.path.with_name(demo_db.path.name + ".backups")
    target = folder / "20270101T000000Z-daily.sqlite"
    args = [*command, str(target)] if command[0] == "audit" else [*command, "--out", str(target)]
    before = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert main(["--db", str(demo_db.path), *args], out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "automatic backups folder" in err and err.count("\n") == 1
    assert (sorted(p.name for p in folder.iterdir()) if folder.exists() else []) == before


def test_backup_and_package_writers_refuse_the_database(demo_db: Database) -> None:
    with pytest.raises(OutputRefused, match="is the database in use"):
        demo_db.backup(demo_db.path)
    with pytest.raises(OutputRefused, match="write-ahead log"):
        backup_module.backup_copy(demo_db.path, Path(f"{demo_db.path}-wal"))
    with demo_db.session() as session:
        document = package.export_package(session, 1)
    with pytest.raises(OutputRefused, match="is the database in use"):
        package.write_package(document, demo_db.path, database_path=demo_db.path)
    assert database_intact(demo_db.path)


# ------------------------------------------------------------ atomic, nothing left


@pytest.mark.parametrize("command", [EXPORT_CSV, EXPORT_PACKAGE, BACKUP], ids=str)
def test_a_folder_is_refused_and_nothing_is_left(
    work: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    (work / "adir").mkdir()
    code, _ = run("--db", "t.db", *command, "--out", "adir")
    assert code == 1
    assert capsys.readouterr().err == (
        "delegations: error: --out adir is a folder; give the name of a file to write\n"
    )
    assert list((work / "adir").iterdir()) == [] and no_temporaries(work)
    assert not (work / "adir.part").exists()


def full_disk(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (EXPORT_CSV, "rooming.csv"),
        (("export", "programme", "Barcelona"), "programme.pdf"),
        (("export", "ical", "Barcelona"), "visit.ics"),
        (EXPORT_PACKAGE, "plan.json"),
        (BACKUP, "copy.db"),
    ],
)
def test_a_full_disk_fails_in_one_line_and_keeps_the_earlier_file(
    work: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
    name: str,
) -> None:
    out = work / "out" / name
    out.parent.mkdir()
    out.write_bytes(b"the earlier file")
    assert run("--db", "t.db", "backup")[0] == 0  # the day's backup: only the output fails
    monkeypatch.setattr(os, "fsync", full_disk)
    code, said = run("--db", "t.db", *command, "--out", str(out))
    assert code == 1 and said == ""
    assert capsys.readouterr().err == (
        f"delegations: error: cannot write {out}: the disk is full; "
        "free some space or choose another disk\n"
    )
    assert out.read_bytes() == b"the earlier file"
    assert sorted(p.name for p in out.parent.iterdir()) == [name] and no_temporaries(work)
    assert database_intact(work / "t.db")


def test_a_folder_without_write_permission_fails_in_one_line(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(work / "locked"))

    (work / "locked").mkdir()
    assert run("--db", "t.db", "backup")[0] == 0  # the day's backup: only the output fails
    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    for command in (EXPORT_CSV, EXPORT_PACKAGE, BACKUP):
        assert run("--db", "t.db", *command, "--out", "locked/x.out")[0] == 1
        assert capsys.readouterr().err == (
            "delegations: error: cannot write locked/x.out: permission denied in locked; "
            "choose a folder you may write to\n"
        )
    assert list((work / "locked").iterdir()) == []


@posix_only
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_really_fails(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = work / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        for command in (EXPORT_CSV, BACKUP):
            assert run("--db", "t.db", *command, "--out", "locked/x.out")[0] == 1
            assert "permission denied in locked" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_a_file_in_the_way_of_a_folder_fails_in_one_line(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "afile").write_text("x")
    for command in (EXPORT_CSV, BACKUP):
        assert run("--db", "t.db", *command, "--out", "afile/x.out")[0] == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "part of its path is a file, not a folder" in err
    assert (work / "afile").read_text() == "x"


def test_missing_folders_are_created(work: Path) -> None:
    assert run("--db", "t.db", *EXPORT_CSV, "--out", "new/deeper/rooming.csv")[0] == 0
    assert run("--db", "t.db", "backup", "--out", "backups/copy.db")[0] == 0
    assert (work / "new" / "deeper" / "rooming.csv").stat().st_size > 0
    assert database_intact(work / "backups" / "copy.db")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_folders_made_for_personal_data_are_private(
    work: Path, umask: Callable[[int], None]
) -> None:
    """A person's data export, a package, the audit CSV: the folders they create are
    their owner's only, whatever the umask; exports meant to be shared follow it."""
    umask(0o022)
    assert run("--db", "t.db", "person", "export", "1", "--out", "mine/a/person.json")[0] == 0
    assert run("--db", "t.db", "audit", "--csv", "log/audit.csv")[0] == 0
    for folder in (work / "mine", work / "mine" / "a", work / "log"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert run("--db", "t.db", *EXPORT_CSV, "--out", "shared/rooming.csv")[0] == 0
    assert stat.S_IMODE((work / "shared").stat().st_mode) == 0o755


def test_an_interrupted_backup_leaves_nothing(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "copy.db"
    target.write_bytes(b"earlier copy")

    def interrupt(path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(backup_module, "fsync_path", interrupt)
    with pytest.raises(KeyboardInterrupt):
        demo_db.backup(target)
    assert target.read_bytes() == b"earlier copy" and no_temporaries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == ["copy.db"]


def test_backup_temporary_names_are_unique(demo_db: Database, tmp_path: Path) -> None:
    # A file named like the old fixed temporary name is nobody's business to overwrite.
    squatter = tmp_path / "copy.db.part"
    squatter.write_bytes(b"someone else's")
    demo_db.backup(tmp_path / "copy.db")
    assert squatter.read_bytes() == b"someone else's"
    assert database_intact(tmp_path / "copy.db")


def test_atomic_writers_clean_up_on_any_error(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    target.write_text("earlier")
    with pytest.raises(KeyboardInterrupt), atomic_write(target, "w") as handle:
        handle.write("half")
        raise KeyboardInterrupt
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise ValueError("boom")
    assert target.read_text() == "earlier" and no_temporaries(tmp_path)


def test_an_error_about_another_file_passes_unchanged(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught, atomic_path(tmp_path / "x.pdf"):
        (tmp_path / "missing-logo.png").read_bytes()
    assert not isinstance(caught.value, OutputError) and no_temporaries(tmp_path)


def test_output_errors_are_oserrors_with_one_line(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    error = files.output_error(OSError(errno.EROFS, "Read-only file system"), target)
    assert isinstance(error, OSError) and error.errno == errno.EROFS and not error.filename
    assert str(error) == f"cannot write {target}: the disk is read-only; choose another folder"


# --------------------------------------------------------------------- permissions


@posix_only
@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_exports_follow_the_umask(
    work: Path, umask: Callable[[int], None], mask: int, expected: int
) -> None:
    umask(mask)
    assert current_umask() == mask
    assert run("--db", "t.db", *EXPORT_CSV, "--out", "rooming.csv")[0] == 0
    assert run("--db", "t.db", "export", "programme", "Barcelona", "--out", "p.pdf")[0] == 0
    assert run("--db", "t.db", "export", "ical", "Barcelona", "--out", "v.ics")[0] == 0
    for name in ("rooming.csv", "p.pdf", "v.ics"):
        assert mode_of(work / name) == expected, name


@posix_only
@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_packages_and_backups_are_private(
    work: Path, umask: Callable[[int], None], mask: int
) -> None:
    umask(mask)
    assert run("--db", "t.db", *EXPORT_PACKAGE, "--out", "plan.json")[0] == 0
    assert run("--db", "t.db", "backup", "--out", "copy.db")[0] == 0
    assert run("--db", "t.db", "backup", "--out", "new-folder/copy.db")[0] == 0
    assert mode_of(work / "plan.json") == 0o600
    assert json.loads((work / "plan.json").read_text())["delegation"]
    assert mode_of(work / "copy.db") == 0o600
    assert mode_of(work / "new-folder") == 0o700
    assert mode_of(work / "new-folder" / "copy.db") == 0o600


@posix_only
def test_private_writes_ignore_the_umask(tmp_path: Path, umask: Callable[[int], None]) -> None:
    umask(0o000)
    with atomic_write(tmp_path / "a.bin", private=True) as handle:
        handle.write(b"a")
    with atomic_path(tmp_path / "b.bin", private=True) as tmp:
        tmp.unlink()
        tmp.write_bytes(b"b")  # a library that recreates the file
    with atomic_path(tmp_path / "c.bin") as tmp:
        tmp.write_bytes(b"c")
    assert mode_of(tmp_path / "a.bin") == mode_of(tmp_path / "b.bin") == 0o600
    assert mode_of(tmp_path / "c.bin") == 0o666


@posix_only
def test_the_umask_is_read_without_proc(
    monkeypatch: pytest.MonkeyPatch, umask: Callable[[int], None]
) -> None:
    def no_proc(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError(errno.ENOENT, "no /proc")

    umask(0o027)
    monkeypatch.setattr(files, "open", no_proc, raising=False)
    assert current_umask() == 0o027
    assert os.umask(0o027) == 0o027  # left as it was


@posix_only
@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077])
def test_make_private_dir(tmp_path: Path, umask: Callable[[int], None], mask: int) -> None:
    umask(mask)
    data = tmp_path / "share" / "delegations"
    make_private_dir(data)
    assert mode_of(data) == 0o700
    make_private_dir(data)  # again: nothing to do
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    make_private_dir(shared)
    assert mode_of(shared) == 0o755, "an existing folder is left as its owner set it"
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OSError):
        make_private_dir(tmp_path / "afile")


def test_one_sync_flushes_once_for_many_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside ``one_sync`` atomic writes skip their own fsync; leaving it syncs once,
    even when the work inside fails, and each file is whole and in place."""
    import os

    from delegations.files import atomic_path, atomic_write, one_sync

    calls = {"fsync": 0, "sync": 0}
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.__setitem__("fsync", calls["fsync"] + 1))
    monkeypatch.setattr(os, "sync", lambda: calls.__setitem__("sync", calls["sync"] + 1))
    with one_sync(), one_sync():  # nested: only the outer one syncs
        for n in range(20):
            with atomic_write(tmp_path / f"{n}.txt", "w") as handle:
                handle.write(f"file {n}")
        with atomic_path(tmp_path / "lib.bin") as tmp:
            tmp.write_bytes(b"library")
    assert calls == {"fsync": 0, "sync": 1}
    assert [(tmp_path / f"{n}.txt").read_text() for n in range(20)] == [
        f"file {n}" for n in range(20)
    ]
    assert (tmp_path / "lib.bin").read_bytes() == b"library"
    assert not list(tmp_path.glob(".*.part"))

    with pytest.raises(RuntimeError), one_sync():
        with atomic_write(tmp_path / "late.txt", "w") as handle:
            handle.write("written")
        raise RuntimeError("the work failed after one file")
    assert calls["sync"] == 2 and (tmp_path / "late.txt").read_text() == "written"

    monkeypatch.setattr(os, "fsync", real_fsync)
    with atomic_write(tmp_path / "alone.txt", "w") as handle:  # outside: its own fsync
        handle.write("x")
    assert calls["sync"] == 2
