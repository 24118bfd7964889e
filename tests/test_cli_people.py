"""``delegations import people`` and ``delegations export people``: preview, exit codes,
one line on stderr without personal data, the round trip."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from delegations.cli import main
from spreadsheet_support import make_ods, make_xlsx

FRENCH = [
    "Prénom;Nom;Courriel;Structure;Régime alimentaire;Statut",
    "María;García;maria.garcia@example.org;Kids Cluster;végétarien;Confirmé",
    "Sophie;Delacroix;sophie.delacroix@lillemetropole.example;MEL;halal;",
    "Ana;López;maria@;;;",
    "Jean;Dupont;jean.dupont@example.fr;Nouvelle Structure;;Invité",
]


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture
def dbfile(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.db")
    assert run("--db", path, "demo")[0] == 0
    return path


def people(dbfile: str) -> int:
    with sqlite3.connect(dbfile) as con:
        return int(con.execute("select count(*) from person").fetchone()[0])


def write(path: Path, lines: list[str], encoding: str = "cp1252") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_a_file_with_an_error_previews_and_exits_1_without_writing(
    dbfile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "inscrits.csv", FRENCH)
    before = people(dbfile)
    code, shown = run("--db", dbfile, "import", "people", str(source), "--delegation", "Barcelona")
    assert code == 1
    assert "Windows-1252 (Western) (detected), semicolon-separated, 4 rows" in shown
    assert "Courriel → E-mail" in shown and "Statut → Status" in shown
    assert "2 new, 1 to update, 0 unchanged, 0 skipped, 1 with errors." in shown
    assert "row 3: Sophie Delacroix (same e-mail) — Dietary needs: Vegetarian → halal" in shown
    assert "row 4, Courriel: 'maria@' is not an e-mail address" in shown
    assert "New organisations (1): Nouvelle Structure" in shown
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("delegations: error: 1 row with errors")
    assert "maria" not in err.lower() and "Traceback" not in err
    assert people(dbfile) == before


def test_skip_errors_imports_the_rest_and_dry_run_writes_nothing(
    dbfile: str, tmp_path: Path
) -> None:
    source = write(tmp_path / "inscrits.csv", FRENCH)
    before = people(dbfile)
    code, shown = run("--db", dbfile, "import", "people", str(source), "--skip-errors", "--dry-run")
    assert code == 0 and "Dry run: nothing was written." in shown
    assert people(dbfile) == before
    code, shown = run(
        "--db", dbfile, "import", "people", str(source), "--delegation", "1", "--skip-errors"
    )
    assert code == 0, shown
    assert "Imported: 2 people added; 1 updated; attendees: 2 added, 0 updated" in shown
    assert people(dbfile) == before + 2


def test_on_match_skip_and_create(dbfile: str, tmp_path: Path) -> None:
    source = write(tmp_path / "one.csv", [FRENCH[0], FRENCH[2]])
    before = people(dbfile)
    code, shown = run("--db", dbfile, "import", "people", str(source), "--on-match", "skip")
    assert code == 0 and "0 new, 0 to update, 0 unchanged, 1 skipped" in shown
    assert "Nothing to import" in shown and people(dbfile) == before
    code, _ = run("--db", dbfile, "import", "people", str(source), "--on-match", "create")
    assert code == 0 and people(dbfile) == before + 1


def test_workbooks_encodings_and_a_saved_mapping(dbfile: str, tmp_path: Path) -> None:
    book = tmp_path / "partners.xlsx"
    make_xlsx(
        book,
        {
            "Notes": [["nothing here"]],
            "Participantes": [
                ["Nombre y apellidos", "Correo", "Empresa"],
                ["Pilar Ortega Ruiz", "pilar@example.es", "Nueva Empresa"],
            ],
        },
    )
    code, shown = run("--db", dbfile, "import", "people", str(book), "--sheet", "Participantes")
    assert code == 0, shown
    assert "XLSX, sheet 'Participantes'" in shown and "1 new" in shown
    ods = tmp_path / "list.ods"
    make_ods(ods, {"Feuille1": [["Qui", "Mél"], ["Paul Martin", "paul@example.fr"]]})
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"columns": {"Qui": "full_name", "Mél": "email"}}), encoding="utf-8"
    )
    code, shown = run(
        "--db", dbfile, "import", "people", str(ods), "--mapping", str(mapping),
        "--save-mapping", "Lille list",
    )  # fmt: skip
    assert code == 0, shown
    assert "Qui → Full name" in shown and "Saved the mapping as 'Lille list'." in shown
    # The saved mapping is found by name next time (the person is now unchanged).
    code, shown = run("--db", dbfile, "import", "people", str(ods), "--mapping", "Lille list")
    assert code == 0 and "0 new, 0 to update, 1 unchanged" in shown
    utf16 = write(
        tmp_path / "unicode.txt",
        ["Full name\tE-mail", "Łukasz Nowak\tlukasz@example.pl"],
        encoding="utf-16",
    )
    code, shown = run("--db", dbfile, "import", "people", str(utf16), "--dry-run")
    assert code == 0 and "tab-separated" in shown and "1 new" in shown


def test_bad_inputs_are_one_line_and_exit_1(
    dbfile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ["import", "people", str(tmp_path / "missing.csv")],
        ["import", "people", str(write(tmp_path / "x.csv", ["Colour", "red"]))],
        ["import", "people", str(write(tmp_path / "y.csv", ["E-mail"]))],
        ["import", "people", str(write(tmp_path / "z.csv", FRENCH)), "--mapping", "Nope"],
        ["import", "people", str(write(tmp_path / "r.csv", ["Name;E-mail", "A B;@"]))],
    ):
        code, _ = run("--db", dbfile, *args)
        err = capsys.readouterr().err
        assert code == 1, args
        assert err.count("\n") == 1 and err.startswith("delegations: error: "), err
        assert "Traceback" not in err


def test_export_people_and_attendees_round_trip(dbfile: str, tmp_path: Path) -> None:
    everybody = tmp_path / "people.csv"
    code, _ = run("--db", dbfile, "export", "people", "--out", str(everybody))
    assert code == 0
    data = everybody.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].startswith("Person ID,Given name,Family name")
    attendees = tmp_path / "attendees.xlsx"
    code, _ = run(
        "--db", dbfile, "export", "people", "--delegation", "Barcelona", "--out", str(attendees)
    )
    assert code == 0
    before = people(dbfile)
    code, shown = run(
        "--db", dbfile, "import", "people", str(attendees), "--delegation", "Barcelona"
    )
    assert code == 0 and "0 new, 0 to update, 11 unchanged" in shown, shown
    code, shown = run("--db", dbfile, "import", "people", str(everybody))
    assert code == 0 and "0 new, 0 to update, 18 unchanged" in shown, shown
    assert people(dbfile) == before


def test_export_people_refuses_the_database_itself_and_other_formats(
    dbfile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("--db", dbfile, "export", "people", "--out", dbfile)
    assert code in (1, 2)
    assert "error" in capsys.readouterr().err
    code, _ = run("--db", dbfile, "export", "people", "--out", "people.pdf")
    assert code == 2 and ".csv or .xlsx" in capsys.readouterr().err
