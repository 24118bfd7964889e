"""The command line: commands, name lookup, and errors as one line with exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from delegations.cli import main
from delegations.store import Database


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture
def dbfile(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.db")
    assert run("--db", path, "demo")[0] == 0
    return path


def test_demo_list_and_show(dbfile: str) -> None:
    code, listing = run("--db", dbfile, "list")
    assert code == 0 and "Creative clusters study visit to Barcelona" in listing
    code, shown = run("--db", dbfile, "show", "BARCELONA")
    assert code == 0
    assert "Thursday 1 July 2027" in shown and "Friday 2 July 2027" in shown
    assert "times in Europe/Madrid" in shown
    assert "16:30–18:00  B2B meetings: fashion and design  [4 attendees]" in shown
    assert "Μαρία Οικονομίδη" in shown


def test_demo_twice_does_not_duplicate(dbfile: str) -> None:
    run("--db", dbfile, "demo")
    assert run("--db", dbfile, "list")[1].count("Barcelona") == 1


def test_database_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELEGATIONS_DB", str(tmp_path / "env.db"))
    assert run("demo")[0] == 0
    assert (tmp_path / "env.db").exists()
    assert run("where")[1].strip() == str(tmp_path / "env.db")


def test_package_export_and_import_round_trip(dbfile: str, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    assert run("--db", dbfile, "export", "package", "1", "--out", str(out))[0] == 0
    other = str(tmp_path / "other.db")
    code, said = run("--db", other, "import", "package", str(out))
    assert code == 0 and "10 attendees" not in said and "11 attendees, 14 agenda items" in said
    again = tmp_path / "again.json"
    run("--db", other, "export", "package", "barcelona", "--out", str(again))
    first, second = json.loads(out.read_text()), json.loads(again.read_text())
    first.pop("exported_at"), second.pop("exported_at")
    sent, passed_on = first.pop("exchange"), second.pop("exchange")
    assert first == second
    # each database writes its own origin; the second names the package it received
    assert sent["origin"] != passed_on["origin"] and sent["package"] in passed_on["known"]


def test_backup(dbfile: str, tmp_path: Path) -> None:
    code, _ = run("--db", dbfile, "backup", "--out", str(tmp_path / "b" / "copy.db"))
    assert code == 0 and (tmp_path / "b" / "copy.db").stat().st_size > 0


def test_errors_are_one_line_with_exit_codes(
    dbfile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--db", dbfile, "show", "Lisbon")[0] == 1
    assert capsys.readouterr().err == "delegations: error: no delegation matches 'Lisbon'\n"

    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    assert run("--db", dbfile, "import", "package", str(bad))[0] == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not valid JSON" in err and "Traceback" not in err

    out = str(tmp_path / "it.pdf")
    assert (
        run("--db", dbfile, "export", "itinerary", "1", "--attendee", "Plaine", "--out", out)[0]
        == 1
    )
    assert "matches" in capsys.readouterr().err

    notdb = tmp_path / "notes.txt"
    notdb.write_text("hello" * 10)
    assert run("--db", str(notdb), "list")[0] == 1
    assert "not a Delegations database" in capsys.readouterr().err


def test_wrong_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", "posters", "1"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    assert "import" in capsys.readouterr().out


def test_export_needs_out(dbfile: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--db", dbfile, "export", "package", "1")[0] == 2
    assert "--out FILE" in capsys.readouterr().err


def test_help_imports_neither_sqlalchemy_nor_reportlab() -> None:
    """``delegations --help`` answers before the database layer is imported (fast start)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from delegations.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'reportlab', 'icalendar', 'PySide6') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout
    assert "pack" in done.stdout  # the help lists the commands


def test_a_number_too_big_for_an_id_finds_nothing_in_one_line(
    demo_db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """SQLite ids stop at 2**63 - 1: a bigger number names no record (no overflow)."""
    huge = "9" * 20
    for command in (
        ["person", "erase", huge, "--yes"],
        ["person", "export", huge, "--out", str(tmp_path / "x.json")],
        ["check", huge],
        ["show", huge],
        ["export", "itinerary", huge, "--out", str(tmp_path / "x.pdf")],
    ):
        assert main(["--db", str(demo_db.path), *command], out=io.StringIO()) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Unexpected" not in err and "no " in err
