"""`delegations check` and `delegations export --strict`, on chosen findings.

The rules behind ``check_delegation`` are tested on their own; here the check is
replaced (in the module the command line calls) by one returning the findings each
test chooses, so that these tests depend only on the ``Report`` API.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from delegations import cli, crashlog
from delegations.cli import main
from delegations.services.checks import Finding, Report, Severity

OVERLAP = Finding(
    code="attendee.overlap",
    severity=Severity.ERROR,
    message="Μαρία Οικονομίδη is at 'Welcome' and at 'B2B' from 10:00 to 10:30",
    day=date(2027, 7, 1),
    uuids=("11111111-1111-4111-8111-111111111111",),
)
CLOSED = Finding(
    code="host.closed",
    severity=Severity.ERROR,
    message="ICEC is closed on Friday 2 July 2027",
    day=date(2027, 7, 2),
)
TIGHT = Finding(
    code="travel.tight",
    severity=Severity.WARNING,
    message="15 minutes from ICEC to Poblenou; 25 needed",
    day=date(2027, 7, 1),
)
NO_LEAD = Finding(code="delegation.no_lead", severity=Severity.WARNING, message="No lead officer")


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-check") / "demo.db"
    assert main(["--db", str(path), "demo"], out=io.StringIO()) == 0
    return path


@pytest.fixture
def dbfile(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "cli.db"
    path.write_bytes(template.read_bytes())
    return str(path)


@pytest.fixture
def found(monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    """The findings the check returns: append to the list."""
    findings: list[Finding] = []

    def check(session: object, delegation_id: int, settings: object = None) -> Report:
        return Report(delegation_id, list(findings))

    monkeypatch.setattr(cli.checks, "check_delegation", check)
    return findings


@pytest.fixture
def crash_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "errors.log"
    monkeypatch.setattr(crashlog, "log_path", lambda: log)
    return log


def failing(exc: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    def check(*_args: object, **_kw: object) -> Report:
        raise exc

    monkeypatch.setattr(cli.checks, "check_delegation", check)


# --- delegations check --------------------------------------------------------------------


def test_findings_by_local_day_with_counts_and_exit_1_on_errors(
    dbfile: str, found: list[Finding], capsys: pytest.CaptureFixture[str]
) -> None:
    found += [CLOSED, TIGHT, NO_LEAD, OVERLAP]
    code, out = run("--db", dbfile, "check", "barcelona")
    assert code == 1
    assert out.splitlines() == [
        "Whole visit",
        "  warning  delegation.no_lead  No lead officer",
        "Thu 1 July 2027",
        f"  error  attendee.overlap  {OVERLAP.message}",
        f"  warning  travel.tight  {TIGHT.message}",
        "Fri 2 July 2027",
        f"  error  host.closed  {CLOSED.message}",
        "2 errors, 2 warnings",
    ]
    assert capsys.readouterr().err == ""


def test_warnings_only_exit_0(dbfile: str, found: list[Finding]) -> None:
    found.append(TIGHT)
    code, out = run("--db", dbfile, "check", "1")
    assert code == 0
    assert out.splitlines()[-1] == "0 errors, 1 warning"


def test_a_clean_plan_says_so(dbfile: str, found: list[Finding]) -> None:
    assert run("--db", dbfile, "check", "1") == (0, "No problems found.\n0 errors, 0 warnings\n")


def test_one_error_is_counted_in_the_singular(dbfile: str, found: list[Finding]) -> None:
    found.append(OVERLAP)
    code, out = run("--db", dbfile, "check", "1")
    assert (code, out.splitlines()[-1]) == (1, "1 error, 0 warnings")


def test_a_message_on_several_lines_stays_on_one(dbfile: str, found: list[Finding]) -> None:
    found.append(Finding("x.y", Severity.WARNING, "first\nsecond", day=None))
    out = run("--db", dbfile, "check", "1")[1]
    assert "  warning  x.y  first␤second\n" in out


def test_json_has_the_delegation_uuid_counts_and_findings(
    dbfile: str, found: list[Finding], tmp_path: Path
) -> None:
    found += [TIGHT, OVERLAP, NO_LEAD]
    package = tmp_path / "plan.json"
    assert run("--db", dbfile, "export", "package", "1", "--out", str(package))[0] == 0
    uuid = json.loads(package.read_text())["delegation"]["uuid"]
    code, out = run("--db", dbfile, "check", "Barcelona", "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document == {
        "delegation": uuid,
        "errors": 1,
        "warnings": 2,
        "findings": [NO_LEAD.as_dict(), OVERLAP.as_dict(), TIGHT.as_dict()],
    }
    assert document["findings"][1] == {
        "code": "attendee.overlap",
        "severity": "error",
        "message": OVERLAP.message,
        "day": "2027-07-01",
        "records": ["11111111-1111-4111-8111-111111111111"],
    }
    assert "Μαρία" in out  # not escaped


def test_json_of_a_clean_plan_exits_0(dbfile: str, found: list[Finding]) -> None:
    code, out = run("--db", dbfile, "check", "1", "--format", "json")
    assert code == 0
    assert json.loads(out)["findings"] == [] and json.loads(out)["errors"] == 0


def test_an_unknown_delegation_is_one_line_on_stderr(
    dbfile: str, found: list[Finding], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--db", dbfile, "check", "Lisbon") == (1, "")
    assert capsys.readouterr().err == "delegations: error: no delegation matches 'Lisbon'\n"


def test_a_locked_database_is_one_line_on_stderr(
    dbfile: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    failing(OperationalError("SELECT", {}, Exception("database is locked")), monkeypatch)
    assert run("--db", dbfile, "check", "1") == (1, "")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("delegations: error: ")
    assert "in use by another program" in err and "SELECT" not in err


def test_check_needs_a_delegation(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check"])
    assert caught.value.code == 2


# --- delegations export --strict ----------------------------------------------------------

EXPORTS: list[tuple[str, ...]] = [("itinerary",), ("programme",), ("ical",), ("package",)]


@pytest.mark.parametrize("kind", EXPORTS)
def test_strict_refuses_a_plan_with_errors_and_writes_nothing(
    kind: tuple[str, ...],
    dbfile: str,
    found: list[Finding],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    found += [OVERLAP, CLOSED, TIGHT]
    out = tmp_path / "out" / "file"
    code, said = run("--db", dbfile, "export", *kind, "1", "--out", str(out), "--strict")
    assert (code, said) == (1, "")
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("delegations: error: 2 plan errors; nothing written (--strict).")
    assert f"delegations --db {dbfile} check 1" in err
    assert not out.exists() and not out.parent.exists()


def test_strict_exports_a_plan_with_warnings_only(
    dbfile: str, found: list[Finding], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found.append(TIGHT)
    out = tmp_path / "itinerary.pdf"
    code, said = run("--db", dbfile, "export", "itinerary", "1", "--out", str(out), "--strict")
    assert (code, said) == (0, f"Wrote {out}\n")
    assert out.exists() and capsys.readouterr().err == ""


@pytest.mark.parametrize("kind", EXPORTS)
def test_without_strict_errors_are_one_warning_and_the_file_is_written(
    kind: tuple[str, ...],
    dbfile: str,
    found: list[Finding],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    found += [OVERLAP, CLOSED, TIGHT]
    out = tmp_path / "file"
    code, said = run("--db", dbfile, "export", *kind, "barcelona", "--out", str(out))
    assert (code, said) == (0, f"Wrote {out}\n")
    assert out.stat().st_size > 0
    assert capsys.readouterr().err == (
        f"delegations: warning: 2 plan errors; see delegations --db {dbfile} check 1\n"
    )


def test_the_hint_names_the_database_only_when_given(
    template: Path,
    tmp_path: Path,
    found: list[Finding],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "my plans.db"
    path.write_bytes(template.read_bytes())
    found.append(OVERLAP)
    run("--db", str(path), "export", "programme", "1", "--out", str(tmp_path / "p.pdf"))
    assert f"see delegations --db '{path}' check 1\n" in capsys.readouterr().err
    monkeypatch.setenv("DELEGATIONS_DB", str(path))
    run("export", "programme", "1", "--out", str(tmp_path / "p.pdf"))
    assert (
        capsys.readouterr().err == "delegations: warning: 1 plan error; see delegations check 1\n"
    )


def test_a_clean_plan_exports_silently(
    dbfile: str, found: list[Finding], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "programme.pdf"
    assert run("--db", dbfile, "export", "programme", "1", "--out", str(out)) == (
        0,
        f"Wrote {out}\n",
    )
    assert capsys.readouterr().err == ""


def test_a_failed_export_does_not_add_the_warning(
    dbfile: str, found: list[Finding], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found.append(OVERLAP)
    out = str(tmp_path / "it.pdf")
    assert run("--db", dbfile, "export", "itinerary", "1", "--attendee", "Nobody", "--out", out)[0]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "warning" not in err


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (RuntimeError("rule bug"), "Unexpected RuntimeError"),
        (OperationalError("SELECT", {}, Exception("database is locked")), "in use by another"),
    ],
)
def test_a_check_that_fails_does_not_stop_an_export_without_strict(
    exc: Exception,
    expected: str,
    dbfile: str,
    tmp_path: Path,
    crash_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    failing(exc, monkeypatch)
    out = tmp_path / "programme.pdf"
    assert run("--db", dbfile, "export", "programme", "1", "--out", str(out))[0] == 0
    assert out.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("delegations: warning: the plan could not be checked: ")
    assert expected in err


def test_a_check_that_fails_stops_a_strict_export(
    dbfile: str,
    tmp_path: Path,
    crash_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    failing(RuntimeError("rule bug"), monkeypatch)
    out = tmp_path / "programme.pdf"
    code = run("--db", dbfile, "export", "programme", "1", "--out", str(out), "--strict")[0]
    assert code == 1 and not out.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Unexpected RuntimeError" in err
    assert crash_log.exists()


def test_listing_badge_layouts_checks_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    called: list[tuple[object, ...]] = []
    monkeypatch.setattr(cli.checks, "check_delegation", lambda *a, **k: called.append(a))
    code, out = run("--db", str(tmp_path / "x.db"), "export", "badges", "--list-layouts")
    assert code == 0 and "avery-l7418" in out and not called
