"""What a spreadsheet file reads as: its format, sheets and encoding, and one table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from delegations.services.errors import ServiceError

Cell = str | int | float | bool | datetime | date | time | timedelta | None
"""One cell as the file holds it: text from CSV; typed values from .xlsx and .ods."""

FORMATS = ("csv", "xlsx", "ods")
"""The formats read; ``.txt`` and ``.tsv`` read as CSV, ``.xlsm`` as .xlsx, ``.xls`` too."""


class SheetError(ServiceError):
    """The file cannot be read as a table (unknown format, damaged, too big...).

    The message names the file problem and, where it helps, the row or column;
    it never repeats cell contents.
    """


@dataclass(frozen=True)
class Source:
    """A file as opened: its format, sheets and (for CSV) encoding and delimiter.

    Attributes:
        path: the file.
        format: "csv", "xlsx" or "ods".
        sheets: the sheet names in workbook order (one empty name for CSV).
        encoding: the encoding used to decode a CSV file (Python codec name), None otherwise.
        detected_encoding: what detection found (may differ from ``encoding`` when the
            caller chose another); None for workbooks.
        delimiter: the delimiter used for CSV (",", ";", "\\t", "|"), None otherwise.
    """

    path: Path
    format: str
    sheets: tuple[str, ...]
    encoding: str | None = None
    detected_encoding: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True)
class Row:
    """One data row: its number as the spreadsheet shows it (header is row 1), its cells."""

    number: int
    cells: tuple[Cell, ...]

    def cell(self, index: int) -> Cell:
        return self.cells[index] if index < len(self.cells) else None


@dataclass(frozen=True)
class Table:
    """One sheet: the header (first non-empty row) and the non-empty rows below it.

    Attributes:
        source: the file and how it was read.
        sheet: the sheet read ("" for CSV).
        header: the header texts, stripped; a column with no header reads "Column C"
            (its letter), so every column has a name.
        rows: the data rows, each as long as the header or shorter (missing cells are
            None); entirely empty rows are left out.
    """

    source: Source
    sheet: str
    header: tuple[str, ...]
    rows: Sequence[Row]
