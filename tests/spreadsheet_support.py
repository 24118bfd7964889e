"""Spreadsheet files for tests: .xlsx written with openpyxl, .ods with odfpy.

``rows_by_sheet`` maps each sheet name (in order) to its rows; a row is a list of
cells, ``None`` leaving a cell empty, so leading ``None`` rows and cells place the
data further down and to the right.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

Rows = Sequence[Sequence[Any]]


def make_xlsx(path: Path, rows_by_sheet: dict[str, Rows]) -> Path:
    """An .xlsx file with a sheet per entry, cells typed as Python gives them."""
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for name, rows in rows_by_sheet.items():
        sheet = book.create_sheet(title=name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def make_ods(path: Path, rows_by_sheet: dict[str, Rows]) -> Path:
    """An OpenDocument spreadsheet with a sheet per entry.

    Text becomes string cells, bool boolean cells, int and float float cells,
    ``date`` and ``datetime`` date cells, ``time`` time cells, ``None`` empty cells.
    """
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in rows_by_sheet.items():
        table = Table(name=name)
        for row in rows:
            line = TableRow()
            for value in row:
                line.addElement(_ods_cell(value, TableCell, P))
            table.addElement(line)
        document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def _ods_cell(value: Any, cell_type: Any, paragraph: Any) -> Any:
    if value is None:
        return cell_type()
    if isinstance(value, bool):
        cell = cell_type(valuetype="boolean", booleanvalue="true" if value else "false")
        shown = "TRUE" if value else "FALSE"
    elif isinstance(value, int | float):
        cell = cell_type(valuetype="float", value=str(value))
        shown = str(value)
    elif isinstance(value, datetime):
        cell = cell_type(valuetype="date", datevalue=value.isoformat(timespec="seconds"))
        shown = value.strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, date):
        cell = cell_type(valuetype="date", datevalue=value.isoformat())
        shown = value.strftime("%d/%m/%Y")
    elif isinstance(value, time):
        cell = cell_type(valuetype="time", timevalue=value.strftime("PT%HH%MM%SS"))
        shown = value.strftime("%H:%M")
    else:
        cell = cell_type(valuetype="string")
        shown = str(value)
    cell.addElement(paragraph(text=shown))
    return cell
