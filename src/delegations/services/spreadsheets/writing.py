"""Tables to files: CSV (UTF-8 with BOM, formulas neutralised) and .xlsx.

The file is written atomically and readable by its owner only (it holds personal
data): it appears whole or not at all (``delegations.files``).

CSV cells that a spreadsheet program would run as a formula (text beginning with
``= + - @``, a tab or a carriage return; OWASP "CSV injection") are written with a
leading apostrophe; ``restore`` takes it off again when such a file is read back.
In .xlsx every text cell is stored as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from contextlib import suppress
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from pathlib import Path
from typing import Any

from delegations.files import atomic_path, atomic_write
from delegations.services.spreadsheets.table import Cell, SheetError

FORMULA_STARTS = "=+-@\t\r"
"""The first characters that make a spreadsheet program read a CSV cell as a formula."""

_NEUTRALISE = re.compile(r"'*[=+\-@\t\r]")
_RESTORE = re.compile(r"'+[=+\-@\t\r]")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")
_XML_SPACE = " \t\n\r"
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
_WIDTH_SAMPLE = 200
_MIN_WIDTH, _MAX_WIDTH = 8, 50


def neutralise(text: str) -> str:
    """``text`` made safe for a CSV cell: an apostrophe before a formula's first character.

    Text already beginning with apostrophes then such a character gets one more, so
    that ``restore(neutralise(text)) == text`` for any text. Blank text (tabs,
    carriage returns and spaces only) is no formula and stays blank.
    """
    if text and text[0] in "=+-@\t\r'" and _NEUTRALISE.match(text) and text.strip():
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of ``neutralise``: one leading apostrophe off, when it guards a formula."""
    if text[:1] == "'" and _RESTORE.match(text) and text[1:].strip():
        return text[1:]
    return text


def write_table(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_name: str = "People",
) -> Path:
    """Write ``header`` then ``rows`` to ``path``, as CSV or .xlsx by its suffix.

    CSV: UTF-8 with a byte-order mark (so Excel reads accents right), commas,
    minimal quoting, CRLF line ends; text cells neutralised (see ``neutralise``);
    dates as ``yyyy-mm-dd``, date-times as ``yyyy-mm-dd hh:mm``.
    .xlsx: one sheet named ``sheet_name``, header bold and frozen, text always text,
    dates and date-times as date cells (time zones dropped: the wall time is kept).

    Returns:
        ``path``.

    Raises:
        SheetError: the suffix is neither ``.csv`` nor ``.xlsx``.
        OutputError: (an ``OSError``, from ``delegations.files``) the file cannot be
            written: a folder, no permission, a full disk, a file where a folder
            should be… A missing folder is created. An earlier file is left as it was.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _write_csv(path, header, rows)
    elif suffix == ".xlsx":
        _write_xlsx(path, header, rows, sheet_name)
    else:
        raise SheetError(
            f"Cannot write {path.name}: this program can write .csv or .xlsx; "
            "give a name ending in one of those."
        )
    return path


# --- CSV ----------------------------------------------------------------------------


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    with atomic_write(path, "wb", private=True) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
        writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([_csv_text(cell) for cell in header])
        for row in rows:
            writer.writerow([_csv_text(cell) for cell in row])
        text.flush()
        text.detach()


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec=_timespec(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec=_timespec(value))
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        sign = "-" if minutes < 0 else ""
        hours, minutes = divmod(abs(minutes), 60)
        return f"{sign}{hours}:{minutes:02d}"
    return neutralise(str(value))


def _timespec(value: datetime | time) -> str:
    return "minutes" if not value.second and not value.microsecond else "seconds"


# --- .xlsx --------------------------------------------------------------------------


def _write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], sheet_name: str
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(sheet_name))
    sheet.freeze_panes = "A2"
    remaining = iter(rows)
    first = [list(row) for row in islice(remaining, _WIDTH_SAMPLE)]
    for index, width in enumerate(_widths(header, first), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    def text_cell(value: str, bold: bool = False) -> Any:
        cell = WriteOnlyCell(sheet, value=_xml_text(value))
        cell.data_type = "s"  # never a formula nor an error code
        if bold:
            cell.font = Font(bold=True)
        return cell

    def date_cell(value: datetime) -> Any:
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            if _XML_UNSAFE.search(value):
                value = _xml_text(value)
            if not value.strip(_XML_SPACE):
                return None  # openpyxl does not mark it as kept, so readers drop it
            if value[:1] in ("=", "#"):
                return text_cell(value)
            return value
        if isinstance(value, bool | int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else text_cell(repr(value))
        if isinstance(value, datetime):
            return date_cell(value)
        if isinstance(value, date | timedelta):
            return value  # openpyxl gives a date "yyyy-mm-dd", a duration "[hh]:mm:ss"
        if isinstance(value, time):
            return value.replace(tzinfo=None)
        return text_cell(str(value))

    try:
        with atomic_path(path, private=True) as tmp:
            sheet.append([text_cell(str(name), bold=True) for name in header])
            for row in chain(first, remaining):
                sheet.append([convert(value) for value in row])
            book.save(tmp)
    except BaseException:
        _discard_rows(sheet)
        raise


def _discard_rows(sheet: Any) -> None:
    """Remove the temporary file openpyxl streams a write-only sheet's rows to
    (it holds personal data; openpyxl itself removes it only when Python exits)."""
    writer = getattr(sheet, "_writer", None)
    if writer is None:
        return
    with suppress(Exception):
        sheet._rows.close()  # the generator writing the rows: ends its XML element
    with suppress(Exception):
        writer.close()
    with suppress(Exception):
        writer.cleanup()


def _xml_text(text: str) -> str:
    """``text`` as a cell can hold it: line ends as Excel's ``\\n``, other control
    characters (which XML cannot carry) left out."""
    return _ILLEGAL_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _sheet_title(name: str) -> str:
    """``name`` as Excel allows a sheet name: no ``[]:*?/\\``, at most 31 characters."""
    title = _SHEET_TITLE_BAD.sub("_", name).strip("'")[:31].strip()
    return title or "Sheet1"


def _widths(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Column widths (in characters) fitting the header and the first rows, capped."""
    widths = [len(str(name)) for name in header]
    for row in rows:
        for index, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                size = 16
            elif isinstance(value, date):
                size = 10
            else:
                size = max(map(len, str(value).splitlines() or [""]))
            if index >= len(widths):
                widths.append(size)
            elif size > widths[index]:
                widths[index] = size
    return [float(min(max(size + 2, _MIN_WIDTH), _MAX_WIDTH)) for size in widths]
