"""Reading spreadsheet files (CSV in any common encoding and delimiter, .xlsx, .ods)
as tables, and writing tables back as CSV and .xlsx."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import os
import tempfile
import time as clock
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delegations.files import OutputError
from delegations.services.spreadsheets import reading, writing
from delegations.services.spreadsheets.reading import (
    DELIMITERS,
    ENCODINGS,
    ReadCancelled,
    inspect,
    read_table,
)
from delegations.services.spreadsheets.table import SheetError, Table
from delegations.services.spreadsheets.writing import neutralise, restore, write_table
from spreadsheet_support import make_ods, make_xlsx

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PEOPLE = [
    ["First name", "Last name", "City"],
    ["Sébastien", "Müller", "Zürich"],
    ["José", "Núñez", "Málaga"],
    ["Françoise", "Ødegård", "Besançon"],
]

CENTRAL = [
    ["Imię", "Nazwisko", "Miasto"],
    ["Łukasz", "Wójcik", "Kraków"],
    ["Zdeněk", "Dvořák", "Brno"],
    ["Sébastien", "Müller", "Łódź"],
]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\r\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue()


def cells(table: Table) -> list[list[object]]:
    return [list(row.cells) for row in table.rows]


# --- encodings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected", "extra"),
    [
        ("utf-8", "utf-8", [["Łukasz", "Wójcik", "Kraków"]]),
        ("utf-8-sig", "utf-8-sig", [["Łukasz", "Wójcik", "Kraków"]]),
        ("cp1252", "cp1252", [["Zoë", "Dupré", "12 €"]]),
        ("latin-1", "cp1252", [["Zoë", "Dupré", "½ ¾"]]),  # the same bytes, read alike
        ("iso-8859-15", "iso-8859-15", [["Zoë", "Dupré", "12 €"]]),
        ("mac_roman", "mac_roman", [["Zoë", "Dupré", "12 €"]]),
        ("cp1250", "cp1250", None),
        ("utf-16", "utf-16", [["Łukasz", "Wójcik", "Kraków"]]),
        ("utf-16-le", "utf-16-le", [["Łukasz", "Wójcik", "Kraków"]]),
        ("utf-16-be", "utf-16-be", [["Łukasz", "Wójcik", "Kraków"]]),
    ],
)
def test_encodings_are_detected(
    tmp_path: Path, encoding: str, detected: str, extra: list | None
) -> None:
    rows = PEOPLE + extra if extra else CENTRAL
    path = write(tmp_path / "people.csv", csv_text(rows), encoding)

    table = read_table(path)

    assert table.source.detected_encoding == detected
    assert table.source.encoding == detected
    assert table.source.delimiter == ","
    assert table.header == tuple(rows[0])
    assert cells(table) == rows[1:]


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path: Path) -> None:
    rows = [*PEOPLE, ["Łukasz", "Wójcik, Jr.", "Kraków"], ["王", "秀英", "北京"]]
    path = write(tmp_path / "people.txt", csv_text(rows, "\t"), "utf-16")
    assert path.read_bytes()[:2] == b"\xff\xfe"

    table = read_table(path)

    assert (table.source.encoding, table.source.delimiter) == ("utf-16", "\t")
    assert cells(table) == rows[1:]


def test_cyrillic_single_byte_is_detected(tmp_path: Path) -> None:
    rows = [
        ["Имя", "Фамилия", "Город"],
        ["Иван", "Петров", "Москва"],
        ["Анна", "Смирнова", "Санкт-Петербург"],
        ["Ольга", "Иванова", "Новосибирск"],
    ]
    path = write(tmp_path / "people.csv", csv_text(rows), "cp1251")
    table = read_table(path)
    assert table.source.encoding == "cp1251"
    assert cells(table) == rows[1:]


def test_utf8_bom_read_as_plain_utf8_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", csv_text(PEOPLE), "utf-8-sig")
    table = read_table(path, encoding="utf-8")
    assert table.header[0] == "First name"
    assert (table.source.encoding, table.source.detected_encoding) == ("utf-8", "utf-8-sig")


def test_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", csv_text(PEOPLE), "cp1252")

    table = read_table(path, encoding="mac_roman")

    assert (table.source.encoding, table.source.detected_encoding) == ("mac_roman", "cp1252")
    assert table.rows[0].cells[0] != "Sébastien"  # what the caller asked for
    assert inspect(path, encoding="latin_1").encoding == "latin-1"  # names as ENCODINGS has them


def test_wrong_explicit_encoding_is_a_sheet_error(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", csv_text(PEOPLE), "cp1252")

    with pytest.raises(SheetError) as caught:
        read_table(path, encoding="utf-8")

    message = str(caught.value)
    assert "people.csv cannot be read as UTF-8" in message
    assert "line 2" in message
    assert "Windows-1252" in message  # the suggestion
    assert "bastien" not in message


@pytest.mark.parametrize("encoding", ["klingon", "rot13", "hex", "utf-32"])
def test_unknown_or_unusable_explicit_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "people.csv", csv_text(PEOPLE) + "x", "utf-8")
    with pytest.raises(SheetError):
        read_table(path, encoding=encoding)


def test_every_offered_encoding_reads_ascii(tmp_path: Path) -> None:
    for code, _label in ENCODINGS:
        path = write(tmp_path / f"{code}.csv", "Name,City\r\nAnna,Oslo\r\n", code)
        table = read_table(path, encoding=code)
        assert cells(table) == [["Anna", "Oslo"]], code


# --- delimiters and quoting ---------------------------------------------------------


@pytest.mark.parametrize("delimiter", [d for d, _name in DELIMITERS])
def test_delimiters_are_detected(tmp_path: Path, delimiter: str) -> None:
    rows = [["Name", "Email", "Note"], ["Anna", "a@x.org", "a, b; c|d"], ["Ben", "", "x"]]
    path = write(tmp_path / "people.csv", csv_text(rows, delimiter))

    table = read_table(path)

    assert table.source.delimiter == delimiter
    assert cells(table) == [["Anna", "a@x.org", "a, b; c|d"], ["Ben", None, "x"]]


def test_semicolons_win_over_decimal_commas(tmp_path: Path) -> None:
    text = "Name;Weight;Height\r\nAnna;61,5;1,70\r\nBen;80;1,85\r\nCleo;55,2;1,6\r\n"
    table = read_table(write(tmp_path / "p.csv", text))
    assert table.source.delimiter == ";"
    assert cells(table)[0] == ["Anna", "61,5", "1,70"]


def test_tabs_win_over_commas_inside_names(tmp_path: Path) -> None:
    text = "Name\tCity\r\nMüller, Hans\tBern\r\nNúñez, José\tMálaga\r\n"
    table = read_table(write(tmp_path / "p.tsv", text))
    assert table.source.delimiter == "\t"
    assert cells(table)[1] == ["Núñez, José", "Málaga"]


def test_one_column_file(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "names.csv", "Name\nAnna\nBen\n"))
    assert table.source.delimiter == ","
    assert table.header == ("Name",)
    assert cells(table) == [["Anna"], ["Ben"]]


def test_explicit_delimiter_and_bad_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "a;b,c\r\n1;2,3\r\n")
    assert read_table(path, delimiter=",").header == ("a;b", "c")
    assert read_table(path, delimiter=";").header == ("a", "b,c")
    for bad in ("", ";;", '"', "\n"):
        with pytest.raises(SheetError, match="delimiter"):
            read_table(path, delimiter=bad)


def test_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "sep=|\r\nName|City\r\nAnna, Jr.|Oslo\r\n")
    table = read_table(path)
    assert table.source.delimiter == "|"
    assert table.header == ("Name", "City")
    assert [row.number for row in table.rows] == [2]


def test_quoted_fields_and_row_numbers_after_a_multiline_record(tmp_path: Path) -> None:
    text = (
        "Name,Address,Note\r\n"
        '"Müller, Hans","Bahnhofstrasse 1\r\n8001 Zürich\r\nSwitzerland","He said ""hi"""\r\n'
        "Ben,Oslo,\r\n"
        '"Cleo","a\nb",x\r\n'
        "Dan,Rome,y\r\n"
    )
    table = read_table(write(tmp_path / "p.csv", text))

    assert cells(table) == [
        ["Müller, Hans", "Bahnhofstrasse 1\r\n8001 Zürich\r\nSwitzerland", 'He said "hi"'],
        ["Ben", "Oslo"],
        ["Cleo", "a\nb", "x"],
        ["Dan", "Rome", "y"],
    ]
    # As a spreadsheet program shows them: one row per record, the header being row 1.
    assert [row.number for row in table.rows] == [2, 3, 4, 5]


def test_blank_rows_are_skipped_and_numbers_kept(tmp_path: Path) -> None:
    text = "\r\n , \r\nName,City\r\nAnna,Oslo\r\n\r\n,\r\n  ,\t\r\nBen,\r\n,Rome\r\n"
    table = read_table(write(tmp_path / "p.csv", text))

    assert table.header == ("Name", "City")
    assert [(row.number, row.cells) for row in table.rows] == [
        (4, ("Anna", "Oslo")),
        (8, ("Ben",)),
        (9, (None, "Rome")),
    ]
    assert table.rows[1].cell(1) is None


def test_blank_and_duplicate_headers(tmp_path: Path) -> None:
    text = "Name, ,Name,  Email \r\nAnna,x,Anna B,a@x.org,extra,,more\r\nBen\r\n"
    table = read_table(write(tmp_path / "p.csv", text))

    assert table.header == (
        "Name",
        "Column B",
        "Name (2)",
        "Email",
        "Column E",
        "Column F",
        "Column G",
    )
    assert table.rows[0].cells == ("Anna", "x", "Anna B", "a@x.org", "extra", None, "more")
    assert table.rows[1].cells == ("Ben",)


def test_header_whitespace_is_collapsed_and_names_stay_unique(tmp_path: Path) -> None:
    text = '"First\nname",Name,Name (2),Name\r\n1,2,3,4\r\n'
    table = read_table(write(tmp_path / "p.csv", text))
    assert table.header == ("First name", "Name", "Name (2)", "Name (3)")


def test_empty_leading_columns_are_left_out(tmp_path: Path) -> None:
    text = ",,Name,,City\r\n,,Anna,,Oslo\r\n, ,Ben\r\n"
    table = read_table(write(tmp_path / "p.csv", text))
    assert table.header == ("Name", "Column D", "City")
    assert cells(table) == [["Anna", None, "Oslo"], ["Ben"]]


def test_inspect_csv(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", csv_text(PEOPLE, ";"), "cp1252")
    source = inspect(path)
    assert (source.format, source.sheets) == ("csv", ("",))
    assert (source.encoding, source.detected_encoding, source.delimiter) == (
        "cp1252",
        "cp1252",
        ";",
    )


# --- workbooks ----------------------------------------------------------------------


def test_xlsx_sheets_types_and_choice(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "people.xlsx",
        {
            "Notes": [["Note"], ["Bring passports"]],
            "Attendees": [
                [],
                [None, "Name", "Born", "Arrives", "Nights", "VIP", "At"],
                [
                    None,
                    "Anna",
                    date(1980, 2, 29),
                    datetime(2027, 7, 1, 9, 30),
                    3,
                    True,
                    time(8, 15),
                ],
                [],
                [None, "Ben", None, None, 2.5, None, "=1+1"],  # no cached value
            ],
        },
    )
    source = inspect(path)
    assert (source.format, source.sheets) == ("xlsx", ("Notes", "Attendees"))
    assert source.encoding is None and source.delimiter is None

    assert read_table(path).header == ("Note",)  # default: the first sheet
    table = read_table(path, sheet="Attendees")

    assert table.sheet == "Attendees"
    assert table.header == ("Name", "Born", "Arrives", "Nights", "VIP", "At")
    first, second = table.rows
    assert first.number == 3 and second.number == 5
    assert first.cells == (
        "Anna",
        date(1980, 2, 29),
        datetime(2027, 7, 1, 9, 30),
        3.0,
        True,
        time(8, 15),
    )
    # openpyxl saves formulas without a value; calamine reads what was saved: nothing.
    assert second.cells == ("Ben", None, None, 2.5)


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "p.xlsx", {"One": [["a"], ["b"]], "Two": [["a"], ["b"]]})
    with pytest.raises(SheetError, match=r"no sheet named 'Three'; its sheets are 'One', 'Two'"):
        read_table(path, sheet="Three")


def test_empty_sheet_and_header_only_sheet(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "p.xlsx", {"Empty": [], "Head": [["Name", "City"]]})
    with pytest.raises(SheetError, match="sheet 'Empty' is empty"):
        read_table(path)
    with pytest.raises(SheetError, match="only a header row"):
        read_table(path, sheet="Head")


def test_ods_sheets_dates_and_numbers(tmp_path: Path) -> None:
    path = make_ods(
        tmp_path / "people.ods",
        {
            "Cover": [["Delegation list"]],
            "People": [
                [None],
                ["Name", "Arrives", "Fee", "Count", "Lands"],
                ["Núñez", date(2027, 7, 1), 12.5, 3, datetime(2027, 7, 1, 10, 30)],
                ["Łukasz", None, None, None, None],
            ],
        },
    )
    source = inspect(path)
    assert (source.format, source.sheets) == ("ods", ("Cover", "People"))

    table = read_table(path, sheet="People")

    assert table.header == ("Name", "Arrives", "Fee", "Count", "Lands")
    assert [row.number for row in table.rows] == [3, 4]
    assert table.rows[0].cells == (
        "Núñez",
        date(2027, 7, 1),
        12.5,
        3.0,
        datetime(2027, 7, 1, 10, 30),
    )
    assert table.rows[1].cells == ("Łukasz",)


def test_workbook_content_wins_over_the_suffix(tmp_path: Path) -> None:
    made = make_xlsx(tmp_path / "p.xlsx", {"S": [["Name"], ["Anna"]]})
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(made.read_bytes())
    assert read_table(renamed).source.format == "xlsx"
    ods = make_ods(tmp_path / "p.ods", {"S": [["Name"], ["Anna"]]})
    unknown = tmp_path / "export.dat"
    unknown.write_bytes(ods.read_bytes())
    assert read_table(unknown).source.format == "ods"
    text = write(tmp_path / "export.dat", "Name;City\r\nAnna;Oslo\r\n")
    assert read_table(text).source.format == "csv"


def test_legacy_or_encrypted_workbook_that_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(SheetError, match="may be damaged or password-protected"):
        read_table(path)


# --- files that cannot be read ------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("p.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "cannot be read as an Excel workbook"),
        ("p.ods", b"PK\x03\x04" + b"\x00garbage" * 50, "cannot be read as an OpenDocument"),
        ("p.xlsx", PNG, "is not an Excel workbook (it may be damaged)"),
        ("p.xlsx", b"Name,City\r\nAnna,Oslo\r\n", "is not an Excel workbook"),
        ("p.ods", b"Name,City\r\nAnna,Oslo\r\n", "is not an OpenDocument spreadsheet"),
        ("p.csv", b"", "p.csv is empty; it has no rows to import"),
        ("p.csv", b"\r\n , \r\n\r\n", "p.csv has no rows to import"),
        ("p.csv", b"Name,City\r\n\r\n", "only a header row"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SheetError) as caught:
        read_table(path)
    assert message in str(caught.value)


def test_zip_files_that_are_not_spreadsheets(tmp_path: Path) -> None:
    def zipped(name: str, members: dict[str, bytes]) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        return path

    odt = zipped("letter.ods", {"mimetype": b"application/vnd.oasis.opendocument.text"})
    with pytest.raises(SheetError, match="OpenDocument file but not a spreadsheet"):
        read_table(odt)
    with pytest.raises(SheetError, match="ZIP archive, not a spreadsheet"):
        read_table(zipped("photos.csv", {"a.jpg": b"x"}))
    with pytest.raises(SheetError, match="is not an Excel workbook"):
        read_table(zipped("photos.xlsx", {"a.jpg": b"x"}))
    broken = zipped("broken.xlsx", {"xl/workbook.xml": b"<not xml", "[Content_Types].xml": b""})
    with pytest.raises(SheetError, match="may be damaged or password-protected"):
        read_table(broken)


def test_missing_path_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SheetError, match=r"^Cannot read people\.csv: no such file\.$"):
        read_table(tmp_path / "people.csv")
    with pytest.raises(SheetError, match="no such file"):
        inspect(tmp_path / "nowhere" / "people.xlsx")
    with pytest.raises(SheetError, match="it is a folder"):
        read_table(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_permissions(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", "Name\r\nAnna\r\n")
    path.chmod(0)
    with pytest.raises(SheetError, match="permission denied"):
        read_table(path)


# --- limits -------------------------------------------------------------------------


def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "p.csv", "Name\r\n" + "Anna\r\n" * 2000)
    monkeypatch.setattr(reading, "MAX_BYTES", 5 * 1024)
    with pytest.raises(SheetError, match=r"^p\.csv is 12 KB; at most 5 KB can be imported\.$"):
        read_table(path)
    assert reading._size_text(312 * 1024 * 1024) == "312 MB"


def test_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    ok = write(tmp_path / "ok.csv", "Name\r\nA\r\n\r\nB\r\nC\r\n")
    assert len(read_table(ok).rows) == 3
    too_many = write(tmp_path / "many.csv", "Name\r\nA\r\nB\r\nC\r\nD\r\n")
    with pytest.raises(SheetError, match="more than 3 rows; at most 3 can be imported"):
        read_table(too_many)
    book = make_xlsx(tmp_path / "many.xlsx", {"S": [["Name"], ["A"], ["B"], ["C"], ["D"]]})
    with pytest.raises(SheetError, match="sheet 'S' has more than 3 rows"):
        read_table(book)


def test_column_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_COLUMNS", 3)
    assert read_table(write(tmp_path / "ok.csv", "a,b,c,,,\r\n1,2,3,,\r\n")).header == (
        "a",
        "b",
        "c",
    )
    with pytest.raises(SheetError, match="row 2: 4 columns; at most 3 can be imported"):
        read_table(write(tmp_path / "wide.csv", "a,b\r\n1,2,3,4\r\n"))
    book = make_xlsx(tmp_path / "wide.xlsx", {"S": [["a", "b", "c", "d"], [1]]})
    with pytest.raises(SheetError, match="has 4 columns; at most 3"):
        read_table(book)


def test_cell_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_CELL", 10)
    secret = "confidential-notes"
    path = write(tmp_path / "p.csv", f"a,b,c,d\r\n1,2,3,x\r\n1,2,3,{secret}\r\n")
    with pytest.raises(SheetError) as caught:
        read_table(path)
    assert str(caught.value) == "p.csv, row 3, column D: a cell is longer than 10 characters."
    book = make_xlsx(tmp_path / "p.xlsx", {"S": [["a", "b"], [None, secret]]})
    with pytest.raises(SheetError, match=r"sheet 'S', row 2, column B: a cell is longer"):
        read_table(book)


def test_csv_field_limit_is_reported_as_a_long_cell(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", 'a,b\r\n1,"' + "x" * 140_000 + '"\r\n')
    with pytest.raises(SheetError, match=r"row 2.*a cell is longer than 100,000 characters"):
        read_table(path)


# --- progress -----------------------------------------------------------------------


def test_progress_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "Name\r\n" + "Anna\r\n" * 2500)
    calls: list[tuple[int, int]] = []
    table = read_table(path, progress=lambda done, total: calls.append((done, total)) is None)
    assert len(table.rows) == 2500
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1]
    assert len(calls) >= 4
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(calls))


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_progress_can_cancel(tmp_path: Path, suffix: str) -> None:
    rows = [["Name"]] + [["Anna"]] * 2500
    if suffix == "csv":
        path = write(tmp_path / "p.csv", csv_text(rows))
    else:
        path = make_xlsx(tmp_path / "p.xlsx", {"S": rows})
    calls: list[int] = []

    def stop_after_two(done: int, total: int) -> bool:
        calls.append(done)
        return len(calls) < 2

    with pytest.raises(ReadCancelled, match=r"^Reading was cancelled\.$"):
        read_table(path, progress=stop_after_two)
    assert len(calls) == 2
    assert issubclass(ReadCancelled, SheetError)


def test_none_from_progress_does_not_cancel(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "Name\r\n" + "Anna\r\n" * 1500)
    assert len(read_table(path, progress=lambda done, total: None).rows) == 1500  # type: ignore[arg-type, return-value]


# --- speed --------------------------------------------------------------------------


def test_ten_thousand_rows_read_quickly(tmp_path: Path) -> None:
    header = [f"Column {i}" for i in range(25)]
    body = [[f"Person {r} Müller {c}" for c in range(25)] for r in range(10_000)]
    path = write(tmp_path / "big.csv", csv_text([header, *body]))

    started = clock.perf_counter()
    table = read_table(path)
    elapsed = clock.perf_counter() - started

    assert len(table.rows) == 10_000 and table.rows[-1].number == 10_001
    assert elapsed < 0.5


# --- writing ------------------------------------------------------------------------


def test_write_csv(tmp_path: Path) -> None:
    path = tmp_path / "out" / "people.csv"
    rows = [
        ['=HYPERLINK("http://x")', "+32 2 123 45 67", "-5", "@SUM(A1)", "\tTab", "\rCR"],
        ["'=already", "Plain, with comma", 'Say "hi"', None, "Line\nbreak", "Núñez €"],
        [3, 2.5, 4.0, True, date(2027, 7, 1), datetime(2027, 7, 1, 9, 30)],
        [time(8, 15), timedelta(hours=26, minutes=5), -7, datetime(2027, 7, 1, 9, 30, 15), "", "x"],
    ]

    assert write_table(path, ["A", "B", "C", "D", "E", "F"], rows) == path

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfA,B,C,D,E,F\r\n")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert lines[1] == [
        '\'=HYPERLINK("http://x")',
        "'+32 2 123 45 67",
        "'-5",
        "'@SUM(A1)",
        "'\tTab",
        "'\rCR",
    ]
    assert lines[2] == ["''=already", "Plain, with comma", 'Say "hi"', "", "Line\nbreak", "Núñez €"]
    assert lines[3] == ["3", "2.5", "4", "TRUE", "2027-07-01", "2027-07-01 09:30"]
    assert lines[4] == ["08:15", "26:05", "-7", "2027-07-01 09:30:15", "", "x"]
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600

    table = read_table(path)
    assert table.source.encoding == "utf-8-sig"
    assert [restore(c) if isinstance(c, str) else c for c in table.rows[0].cells] == rows[0]
    assert restore(table.rows[1].cells[0]) == "'=already"  # type: ignore[arg-type]


def test_neutralise_and_restore() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("Anna") == "Anna"
    assert neutralise("") == ""
    assert neutralise("'quoted") == "'quoted"
    assert neutralise("''-x") == "'''-x"
    assert restore("'=1+1") == "=1+1"
    assert restore("'quoted") == "'quoted"
    assert restore("'") == "'"
    assert restore("''-x") == "'-x"
    assert neutralise("\t") == "\t" and neutralise("\r\n ") == "\r\n "  # blank stays blank
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("'\t") == "''\t" and restore("'\t") == "'\t"


@given(st.text())
@FUZZ
def test_restore_inverts_neutralise(text: str) -> None:
    safe = neutralise(text)
    assert restore(safe) == text
    assert safe[:1] not in tuple(writing.FORMULA_STARTS) or not safe.strip()


def test_write_xlsx_text_stays_text_and_dates_stay_dates(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    path = tmp_path / "people.xlsx"
    rows = [
        ["=1+1", "#N/A", "Núñez", 3, 2.5, True],
        [date(2027, 7, 1), datetime(2027, 7, 1, 9, 30), None, "bell\x07", "@x", "-3"],
    ]
    write_table(path, ["=Name", "B", "C", "D", "E", "F"], rows, sheet_name="Attendees: July/August")

    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.title == "Attendees_ July_August"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("=Name", "s")
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("#N/A", "s")
    assert sheet["A3"].number_format == "yyyy-mm-dd"
    assert sheet["B3"].number_format == "yyyy-mm-dd hh:mm"
    assert 8 <= (sheet.column_dimensions["C"].width or 0) <= 50
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Attendees_ July_August")
    assert calamine.to_python()[1][:2] == ["=1+1", "#N/A"]

    table = read_table(path)
    assert table.header == ("=Name", "B", "C", "D", "E", "F")
    assert table.rows[0].cells == ("=1+1", "#N/A", "Núñez", 3.0, 2.5, True)
    assert table.rows[1].cells == (
        date(2027, 7, 1),
        datetime(2027, 7, 1, 9, 30),
        None,
        "bell",
        "@x",
        "-3",
    )
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_write_refuses_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(SheetError, match=r"can write \.csv or \.xlsx"):
        write_table(tmp_path / "people.ods", ["A"], [["x"]])


def test_write_failures_are_output_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="part of its path is a file") as caught:
        write_table(blocker / "people.csv", ["A"], [["x"]])
    assert isinstance(caught.value, OSError)
    folder = tmp_path / "looks-like.csv"
    folder.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        write_table(folder, ["A"], [["x"]])
    created = write_table(tmp_path / "new" / "deeper" / "people.xlsx", ["A"], [["x"]])
    assert created.is_file()  # missing folders are created


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_failed_write_leaves_the_earlier_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"people.{suffix}"
    write_table(path, ["Name"], [["Anna"]])
    before = path.read_bytes()

    def rows():
        yield from [["Ben"]] * 300  # past the rows sampled for column widths
        raise RuntimeError("database went away")

    streamed = set(Path(tempfile.gettempdir()).glob("openpyxl.*"))
    with pytest.raises(RuntimeError):
        write_table(path, ["Name"], rows())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    # openpyxl's own temporary file for the streamed rows is gone too.
    assert set(Path(tempfile.gettempdir()).glob("openpyxl.*")) <= streamed


def test_ten_thousand_rows_written_and_read(tmp_path: Path) -> None:
    header = [f"Column {i}" for i in range(25)]
    body = [[f"P{r}" if c % 5 else date(2027, 7, 1) for c in range(25)] for r in range(10_000)]
    path = tmp_path / "big.csv"
    started = clock.perf_counter()
    write_table(path, header, body)
    assert clock.perf_counter() - started < 1.0
    assert len(read_table(path).rows) == 10_000


# --- properties ---------------------------------------------------------------------


@given(st.binary(max_size=2000))
@FUZZ
def test_any_bytes_read_as_a_table_or_a_sheet_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except SheetError:
        return
    assert table.rows and all(isinstance(name, str) and name for name in table.header)
    assert len(set(table.header)) == len(table.header)


@given(
    st.text(max_size=400),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]),
    st.sampled_from([".csv", ".txt", ".xlsx", ".dat"]),
)
@FUZZ
def test_any_text_reads_as_a_table_or_a_sheet_error(
    tmp_path: Path, text: str, encoding: str, suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(text.encode(encoding, "replace"))
    for options in ({}, {"encoding": "utf-8"}, {"delimiter": ";"}):
        with contextlib.suppress(SheetError):
            read_table(path, **options)  # type: ignore[arg-type]


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff"), max_size=12
)


@given(
    header=st.lists(_TEXT.map(str.strip).filter(bool), min_size=1, max_size=5, unique=True),
    body=st.lists(st.lists(_TEXT, max_size=6), min_size=1, max_size=8),
)
@FUZZ
def test_csv_round_trip(tmp_path: Path, header: list[str], body: list[list[str]]) -> None:
    header = [" ".join(name.split()) for name in header]
    if len(set(header)) < len(header) or not all(header):
        return
    path = tmp_path / "round.csv"
    write_table(path, header, body)

    expected = []
    for row in body:
        if "".join(row).strip():
            trimmed = [cell or None for cell in row]
            while trimmed[-1] is None:
                trimmed.pop()
            expected.append(trimmed)
    if not expected:
        with pytest.raises(SheetError):
            read_table(path, delimiter=",")
        return
    # Detection may take a lone column of "a;b" cells for two columns: say "," then.
    ambiguous = any(mark in "".join(row) for row in [header, *body] for mark in ";|\t")
    table = read_table(path, delimiter="," if ambiguous else None)

    assert table.source.delimiter == ","
    width = max([len(header)] + [len(row) for row in expected])
    letters = [reading.column_letter(i) for i in range(width)]
    assert [restore(name) for name in table.header] == header + [
        f"Column {letter}" for letter in letters[len(header) :]
    ]
    got = [[restore(c) if isinstance(c, str) else c for c in row.cells] for row in table.rows]
    assert got == expected


@given(body=st.lists(st.lists(_TEXT, min_size=1, max_size=4), min_size=1, max_size=6))
@FUZZ
def test_xlsx_round_trip(tmp_path: Path, body: list[list[str]]) -> None:
    path = tmp_path / "round.xlsx"
    write_table(path, ["A", "B", "C", "D"], body)

    def cleaned(text: str) -> str | None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        kept = "".join(c for c in text if c in "\t\n" or (ord(c) >= 32 and c not in "\ufffe\uffff"))
        return kept if kept.strip(" \t\n") else None  # XML blanks are written empty

    expected = []
    for row in body:
        cells_ = [cleaned(cell) for cell in row]
        if any(c is not None and c.strip() for c in cells_):
            while cells_[-1] is None:
                cells_.pop()
            expected.append(cells_)
    if not expected:
        with pytest.raises(SheetError, match="only a header row"):
            read_table(path)
        return
    table = read_table(path)
    # Line ends in cells are written as Excel's "\n"; other control characters dropped.
    assert [list(row.cells) for row in table.rows] == expected
