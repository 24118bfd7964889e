"""Every failure is one line (or one message), names the file, and carries no personal data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from delegations import crashlog, display
from delegations.cli import main
from delegations.resources import resource
from delegations.services.demo import DEMO_PACKAGE
from delegations.services.history import failure_message, storage_message
from delegations.store import Database

PERSONAL = ("+34", "+33", "nut allergy", "Vegan", "@")


def _one_clean_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for value in PERSONAL:
        assert value not in err, value
    return err


def test_a_write_while_another_program_holds_the_lock(
    demo_db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DELEGATIONS_BUSY_MS", "200")
    path = demo_db.path
    demo_db.close()
    other = sqlite3.connect(path, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        code = main(["--db", str(path), "import", "package", str(resource(*DEMO_PACKAGE))])
        err = _one_clean_line(capsys.readouterr().err)
        assert code == 1
        assert "in use by another program" in err and "Nothing was changed" in err
        assert main(["--db", str(path), "demo"]) == 1
        _one_clean_line(capsys.readouterr().err)
    finally:
        other.rollback()
        other.close()


def test_damage_met_during_work_is_named_with_its_backup(tmp_path: Path) -> None:
    path = tmp_path / "work.db"
    (tmp_path / "work.db.before-0002-20260101T000000Z.bak").write_bytes(b"x")
    error = OperationalError(
        "SELECT", {}, sqlite3.DatabaseError("database disk image is malformed")
    )
    message = storage_message(error, path)
    assert "is damaged" in message and "work.db.before-0002" in message
    assert "writable" not in message


def test_unexpected_errors_are_logged_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "errors.log"
    monkeypatch.setattr(crashlog, "log_path", lambda: log)
    try:
        raise ValueError("bad value 'Vegan; severe nut allergy (EpiPen)' for +33 6 12 34 56 78")
    except ValueError as exc:
        message = failure_message(exc)
    assert str(log) in message and "Unexpected ValueError" in message
    text = log.read_text()
    assert "nut allergy" not in text and "56 78" not in text
    assert "test_failures.py" in text
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_an_unexpected_error_on_the_command_line_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crashlog, "log_path", lambda: tmp_path / "errors.log")
    from delegations import cli

    def broken(*_args: object) -> int:
        raise RuntimeError("Julien Caron <julien@example.org>")

    monkeypatch.setitem(cli.COMMANDS, "list", broken)
    assert main(["--db", str(tmp_path / "x.db"), "list"]) == 1
    err = _one_clean_line(capsys.readouterr().err)
    assert "errors.log" in err and "Julien" not in err


def test_sql_parameters_never_reach_a_message(demo_db: Database) -> None:
    with pytest.raises(Exception) as caught, demo_db.transaction() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO person (given_name) VALUES (?)", ("Vegan; severe nut allergy",)
        )
    assert "nut allergy" not in str(caught.value)


def test_no_display_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(display.sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--db", str(tmp_path / "x.db")]) == 1
    err = _one_clean_line(capsys.readouterr().err)
    assert "graphical session" in err and "delegations --help" in err
    monkeypatch.setenv("DISPLAY", ":93")
    assert "cannot be reached" in (display.display_problem() or "")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display.display_problem() is None


@pytest.mark.slow
def test_concurrent_writers_end_in_success_or_one_clean_line(tmp_path: Path) -> None:
    """Several processes importing at once: each waits its turn or says so in one line."""
    import os
    import subprocess
    import sys

    path = tmp_path / "shared.db"
    Database.open(path).close()
    env = dict(os.environ, DELEGATIONS_BUSY_MS="1500")
    command = [sys.executable, "-m", "delegations", "--db", str(path), "import", "package"]
    processes = [
        subprocess.Popen(
            [*command, str(resource(*DEMO_PACKAGE))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(6)
    ]
    codes = []
    for process in processes:
        _out, err = process.communicate(timeout=120)
        codes.append(process.returncode)
        if process.returncode:
            assert process.returncode == 1
            _one_clean_line(err)
        else:
            assert err == ""
    assert 0 in codes
