"""Spreadsheet files to tables: CSV (any common encoding and delimiter), .xlsx and .ods.

``inspect`` opens a file cheaply (its format, sheets and, for CSV, the encoding and
delimiter found); ``read_table`` reads one sheet as a ``Table``: the header (the first
row with anything in it) and the non-empty rows below it, each with the number the
spreadsheet program shows for it.

Whatever the bytes, both raise ``SheetError`` (with a sentence naming the file and,
where it helps, the row and column; never a cell's content) and nothing else.

CSV encodings are detected in this order: a byte-order mark; strict UTF-8; UTF-16
without a mark (many NUL bytes at odd or even offsets); then the single-byte
encodings Excel and others write (Windows-1252 first, Latin-1, Latin-9, Windows-1250,
Mac Roman) and whatever ``charset_normalizer`` suggests for other scripts, the one
whose decoded text looks least like mojibake winning. ``charset_normalizer`` alone
is not trusted for Western text: on short files it names Baltic or Central European
code pages for Windows-1252 text (``Núñez`` read as ``Núńez``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from delegations.services.spreadsheets.table import Cell, Row, SheetError, Source, Table

ENCODINGS: tuple[tuple[str, str], ...] = (
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with BOM"),
    ("cp1252", "Windows-1252 (Western)"),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
    ("iso-8859-15", "Latin-9 (ISO-8859-15)"),
    ("utf-16", "UTF-16 (Excel 'Unicode text')"),
    ("mac_roman", "Mac Roman"),
)
"""Encodings offered to override detection: (Python codec, label)."""

DELIMITERS: tuple[tuple[str, str], ...] = (
    (",", "comma"),
    (";", "semicolon"),
    ("\t", "tab"),
    ("|", "vertical bar"),
)
"""Delimiters offered to override detection: (character, name)."""

MAX_BYTES = 100 * 1024 * 1024
"""The largest file read, in bytes."""
MAX_ROWS = 200_000
"""The most data rows (below the header) a sheet may have."""
MAX_COLUMNS = 500
"""The most columns a row may have."""
MAX_CELL = 100_000
"""The longest cell, in characters."""

PROGRESS_EVERY = 1_000
"""``progress`` is called after every this many rows."""

Progress = Callable[[int, int], bool]
"""``progress(done, total)``; returning False cancels the reading."""

_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".xltx", ".xltm"}
_ODS_SUFFIXES = {".ods", ".ots"}
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted workbook
_DETECT_CHARS = 65_536
_DETECT_RECORDS = 50
_SAMPLE_BYTES = 65_536
_SEP_LINE = re.compile(r"sep=(.)(\r\n|\n|\r|$)")
_WORDS = re.compile(r"[^\W\d_]{3,}")
_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_BYTE = re.compile(rb"[\x80-\xff]")
_SUSPICIOUS_SYMBOLS = frozenset("¤¦")

# Single-byte encodings tried, in order of preference when they read equally well.
_SINGLE_BYTE = ("cp1252", "latin-1", "iso-8859-15", "cp1250", "mac_roman")
# Encodings charset_normalizer may suggest that are worth a try (other scripts).
_OTHER_SCRIPTS = (
    "cp1251", "koi8_r", "koi8_u", "cp866", "mac_cyrillic", "iso8859_5",
    "cp1253", "iso8859_7", "cp1254", "iso8859_9", "cp1255", "iso8859_8", "cp1256",
    "cp1257", "iso8859_13", "iso8859_2", "cp852", "cp850", "cp437", "cp874",
    "shift_jis", "cp932", "euc_jp", "gb2312", "gbk", "gb18030", "big5", "big5hkscs",
    "euc_kr", "cp949",
)  # fmt: skip


class ReadCancelled(SheetError):
    """The ``progress`` callback asked to stop."""

    def __init__(self) -> None:
        super().__init__("Reading was cancelled.")


# --- public API ---------------------------------------------------------------------


def inspect(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> Source:
    """Open ``path`` cheaply: its format, sheet names and, for CSV, encoding and delimiter.

    Args:
        path: the file.
        encoding: a Python codec to decode a CSV file with, instead of the one detected.
        delimiter: the CSV delimiter to use, instead of the one detected.

    Raises:
        SheetError: the file cannot be read (missing, too big, damaged, wrong encoding…).
    """
    source, _text, _workbook = _open(Path(path), encoding, delimiter)
    return source


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Progress | None = None,
) -> Table:
    """Read one sheet of ``path`` as a ``Table``.

    Args:
        path: the file.
        sheet: the sheet to read (None or "": the first); ignored for CSV.
        encoding: a Python codec for a CSV file, instead of the one detected.
        delimiter: the CSV delimiter, instead of the one detected.
        progress: called as ``progress(done, total)`` at the start, every
            ``PROGRESS_EVERY`` rows and at the end (lines of text for CSV, rows for
            workbooks); if it returns False (not merely a falsy value), reading stops.

    Raises:
        ReadCancelled: ``progress`` returned False.
        SheetError: the file cannot be read, has no header or no rows below it,
            or is over a limit (``MAX_BYTES``, ``MAX_ROWS``, ``MAX_COLUMNS``, ``MAX_CELL``).
    """
    path = Path(path)
    source, text, workbook = _open(path, encoding, delimiter)
    if text is not None:
        return _read_csv(source, text, progress)
    return _read_sheet(source, workbook, sheet, progress)


# --- opening ------------------------------------------------------------------------


def _open(
    path: Path, encoding: str | None, delimiter: str | None
) -> tuple[Source, str | None, Any]:
    """The file's ``Source`` and either its decoded text (CSV) or its workbook."""
    name = path.name or str(path)
    data = _read_bytes(path, name)
    kind = _kind(data, path.suffix.lower(), name)
    if kind == "csv":
        chosen = _check_delimiter(delimiter)
        detected, text = _detect_encoding(data)
        if encoding is None:
            used = detected
        else:
            used = _canonical(encoding)
            text = _decode_as(data, encoding, name, detected)
        if text.startswith("\ufeff"):
            text = text[1:]
        found = _SEP_LINE.match(text)  # Excel's "sep=;" first line names the delimiter
        if found:
            text = text[found.end() :]
            if chosen is None and found.group(1) not in '"\r\n':
                chosen = found.group(1)
        source = Source(path, "csv", ("",), used, detected, chosen or _detect_delimiter(text))
        return source, text, None
    workbook = _open_workbook(data, kind, name)
    return Source(path, kind, _sheet_names(workbook, kind, name)), None, workbook


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        if path.is_dir():
            raise SheetError(f"Cannot read {name}: it is a folder, not a file.")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SheetError(
                f"{name} is {_size_text(size)}; at most {_size_text(MAX_BYTES)} can be imported."
            )
        with path.open("rb") as handle:
            # read(n) allocates n bytes up front: ask for what stat() saw (and one more,
            # to notice a file that grew), not for the limit.
            data = handle.read(min(size, MAX_BYTES) + 1)
            if len(data) > size:
                data += handle.read(MAX_BYTES + 1 - len(data))
    except SheetError:
        raise
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise SheetError(f"Cannot read {name}: no such file.") from exc
    except IsADirectoryError as exc:
        raise SheetError(f"Cannot read {name}: it is a folder, not a file.") from exc
    except PermissionError as exc:
        raise SheetError(f"Cannot read {name}: permission denied.") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SheetError(f"Cannot read {name}: {reason}.") from exc
    except ValueError as exc:  # a NUL in the name, say
        raise SheetError(f"Cannot read {name}: the name is not valid.") from exc
    if len(data) > MAX_BYTES:  # it grew since stat()
        raise SheetError(f"{name} is over {_size_text(MAX_BYTES)}; at most that can be imported.")
    if not data:
        raise SheetError(f"{name} is empty; it has no rows to import.")
    return data


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{-(-size // (1024 * 1024)):,} MB"
    if size >= 1024:
        return f"{-(-size // 1024):,} KB"
    return f"{size:,} bytes"


def _kind(data: bytes, suffix: str, name: str) -> str:
    """ "csv", "xlsx" or "ods", by content first, then by suffix."""
    if data[:4] in _ZIP_MAGIC:
        return _zip_kind(data, suffix, name)
    if data.startswith(_OLE_MAGIC):
        return "ods" if suffix in _ODS_SUFFIXES else "xlsx"  # calamine decides, by content
    if suffix in _XLSX_SUFFIXES:
        raise SheetError(f"{name} is not an Excel workbook (it may be damaged).")
    if suffix in _ODS_SUFFIXES:
        raise SheetError(f"{name} is not an OpenDocument spreadsheet (it may be damaged).")
    return "csv"


def _zip_kind(data: bytes, suffix: str, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mimetype = b""
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 1000:
                mimetype = archive.read("mimetype").strip()
    except Exception as exc:  # BadZipFile, EOFError, NotImplementedError, ...
        raise SheetError(_damaged(name, "ods" if suffix in _ODS_SUFFIXES else "xlsx")) from exc
    if mimetype.startswith(_ODS_MIMETYPE):
        return "ods"
    if any(member.startswith("xl/") for member in names):
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise SheetError(f"{name} is an OpenDocument file but not a spreadsheet.")
    if suffix in _XLSX_SUFFIXES:
        raise SheetError(f"{name} is not an Excel workbook (it may be damaged).")
    if suffix in _ODS_SUFFIXES:
        raise SheetError(f"{name} is not an OpenDocument spreadsheet (it may be damaged).")
    raise SheetError(f"{name} is a ZIP archive, not a spreadsheet.")


def _damaged(name: str, kind: str) -> str:
    what = "an OpenDocument spreadsheet" if kind == "ods" else "an Excel workbook"
    return f"{name} cannot be read as {what} (it may be damaged or password-protected)."


def _calamine_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure of the reader (to report), not an interruption."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _open_workbook(data: bytes, kind: str, name: str) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        if not _calamine_failed(exc):
            raise
        raise SheetError(_damaged(name, kind)) from exc


def _sheet_names(workbook: Any, kind: str, name: str) -> tuple[str, ...]:
    try:
        names = [str(sheet) for sheet in workbook.sheet_names]
        try:
            kinds = {m.name: str(m.typ) for m in workbook.sheets_metadata}
        except Exception:
            kinds = {}
        worksheets = [s for s in names if kinds.get(s, "WorkSheet").endswith("WorkSheet")]
    except BaseException as exc:
        if not _calamine_failed(exc):
            raise
        raise SheetError(_damaged(name, kind)) from exc
    if not (worksheets or names):
        raise SheetError(f"{name} has no sheets; it has no rows to import.")
    return tuple(worksheets or names)


# --- encodings ----------------------------------------------------------------------


def _canonical(encoding: str) -> str:
    """The name ``ENCODINGS`` uses for ``encoding`` if it lists it, else Python's name."""
    try:
        found = codecs.lookup(encoding).name
    except (LookupError, TypeError, ValueError):
        return encoding
    for code, _label in ENCODINGS:
        if codecs.lookup(code).name == found:
            return code
    return found


def _label(encoding: str) -> str:
    canonical = _canonical(encoding)
    return dict(ENCODINGS).get(canonical, canonical)


def _decode_as(data: bytes, encoding: str, name: str, detected: str) -> str:
    """``data`` decoded with the caller's ``encoding``; SheetError if it does not fit."""
    try:
        info = codecs.lookup(encoding)
        if not getattr(info, "_is_text_encoding", True):
            raise LookupError(encoding)
    except (LookupError, TypeError, ValueError) as exc:
        raise SheetError(f"{encoding!r} is not a text encoding; choose one from the list.") from exc
    label = _label(encoding)
    other = ""
    if _canonical(detected) != _canonical(encoding):
        other = f", such as {_label(detected)}, which it looks like"
    try:
        return data.decode(info.name)
    except UnicodeDecodeError as exc:
        where = ""
        try:
            line = data[: exc.start].decode(info.name, "replace").count("\n") + 1
            where = f" line {line:,} holds bytes that are not {label} text"
        except Exception:
            where = " it holds bytes that are not text in this encoding"
        raise SheetError(
            f"{name} cannot be read as {label}:{where}. Choose another encoding{other}."
        ) from exc
    except Exception as exc:  # a codec's own complaint
        raise SheetError(
            f"{name} cannot be read as {label}. Choose another encoding{other}."
        ) from exc


def _detect_encoding(data: bytes) -> tuple[str, str]:
    """The encoding ``data`` seems to be in (a name as ``ENCODINGS`` gives it) and the text."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return codec, data.decode(codec)
            except UnicodeDecodeError:
                if codec != "utf-32":  # a UTF-16 mark then NULs: try further
                    return codec, data.decode(codec, "replace")
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    wide = _utf16_without_bom(data)
    if wide:
        try:
            return wide, data.decode(wide)
        except UnicodeDecodeError:
            pass
    return _single_byte(data)


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : 2 * pairs : 2].count(0)
    odd = sample[1 : 2 * pairs : 2].count(0)
    if odd > 0.3 * pairs and even < 0.05 * pairs:
        return "utf-16-le"
    if even > 0.3 * pairs and odd < 0.05 * pairs:
        return "utf-16-be"
    return None


def _single_byte(data: bytes) -> tuple[str, str]:
    """The encoding among likely ones whose text reads best, and the text."""
    sample = _non_ascii_lines(data)
    candidates = list(_SINGLE_BYTE)
    suggested = _suggestion(sample)
    if suggested and suggested not in candidates:
        candidates.append(suggested)
    ranked = sorted(
        (_oddity(sample.decode(codec, "replace")), index, codec)
        for index, codec in enumerate(candidates)
    )
    for _score, _index, codec in ranked:
        try:
            return codec, data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return "latin-1", data.decode("latin-1")


def _non_ascii_lines(data: bytes) -> bytes:
    """The lines holding non-ASCII bytes, up to about ``_SAMPLE_BYTES``."""
    lines: list[bytes] = []
    size = 0
    position = 0
    while size < _SAMPLE_BYTES:
        found = _NON_ASCII_BYTE.search(data, position)
        if not found:
            break
        start = data.rfind(b"\n", 0, found.start()) + 1
        end = data.find(b"\n", found.end())
        end = len(data) if end < 0 else end
        line = data[start : min(end, start + _SAMPLE_BYTES)]
        lines.append(line)
        size += len(line) + 1
        position = end + 1
    return b"\n".join(lines)


def _suggestion(sample: bytes) -> str | None:
    """What charset_normalizer makes of ``sample``, if it is one worth trying."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is None:
            return None
        name = codecs.lookup(best.encoding).name
    except Exception:
        return None
    return name if name in _OTHER_NAMES else None


def _codec_names(codes: Sequence[str]) -> frozenset[str]:
    names = set()
    for code in codes:
        try:
            names.add(codecs.lookup(code).name)
        except LookupError:
            continue
    return frozenset(names)


_OTHER_NAMES = _codec_names(_OTHER_SCRIPTS)


def _oddity(text: str) -> int:
    """How much ``text`` looks like mojibake: control characters, symbols inside
    words, capitals inside lower-case words, words made of accented Latin letters only.
    """
    score = 0
    for found in _NON_ASCII_CHAR.finditer(text):
        char = found.group()
        index = found.start()
        if char == "\ufffd":
            score += 10
            continue
        category = unicodedata.category(char)
        before = text[index - 1] if index else " "
        after = text[index + 1 : index + 2] or " "
        if category[0] == "C" or category == "Sk" or char in _SUSPICIOUS_SYMBOLS:
            score += 3
        elif category == "Lu":
            if before.isalpha() and (before.islower() or after.islower()):
                score += 1
        elif category[0] not in "LNZ" and (before.isalpha() or after.isalpha()):
            score += 1
    for word in _WORDS.findall(text):
        if word.isascii():
            continue
        accented = [c for c in word if not c.isascii()]
        if 2 * len(accented) > len(word) and all(
            unicodedata.name(c, "").startswith("LATIN") for c in accented
        ):
            score += 1
    return score


# --- CSV ----------------------------------------------------------------------------


def _check_delimiter(delimiter: str | None) -> str | None:
    if delimiter is None:
        return None
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise SheetError(f"{delimiter!r} cannot be used as a delimiter; choose one character.")
    return delimiter


def _detect_delimiter(text: str) -> str:
    """The delimiter giving the most consistent column count over the first records."""
    sample = text[:_DETECT_CHARS]
    cut = len(text) > len(sample)
    best: tuple[float, int, int] | None = None
    chosen = ","
    for priority, delimiter in enumerate((";", ",", "\t", "|")):
        if delimiter not in sample:
            continue
        counts: list[int] = []
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    counts.append(len(row))
                if len(counts) > _DETECT_RECORDS:
                    break
        except csv.Error:
            pass
        if cut and len(counts) > 1:
            counts.pop()  # the last record may have been cut in two
        if not counts:
            continue
        mode, times = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        key = (round(times / len(counts), 1), mode, -priority)
        if best is None or key > best:
            best, chosen = key, delimiter
    return chosen


def _read_csv(source: Source, text: str, progress: Progress | None) -> Table:
    name = source.path.name
    total = max(text.count("\n"), text.count("\r")) + 1  # lines, whatever their ends
    _report(progress, 0, total)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter or ",")
    table = _Collector(name)
    number = 0
    limit = MAX_CELL
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = f" (line {reader.line_num:,} of the file)" if reader.line_num else ""
            if "field limit" in str(exc):
                raise SheetError(
                    f"{name}, row {number + 1:,}{line}: a cell is longer than {limit:,} characters."
                ) from exc
            raise SheetError(f"{name}, row {number + 1:,}{line} cannot be read as CSV.") from exc
        number += 1
        if number % PROGRESS_EVERY == 0:
            _report(progress, reader.line_num, total)
        if not row or not "".join(row).strip():
            continue
        if max(map(len, row)) > limit:
            column = next(i for i, cell in enumerate(row) if len(cell) > limit)
            raise SheetError(
                f"{name}, row {number:,}, column {column_letter(column)}: "
                f"a cell is longer than {limit:,} characters."
            )
        cells: list[Cell] = [cell or None for cell in row]
        while cells[-1] is None:
            cells.pop()
        table.add(number, cells)
    _report(progress, total, total)
    return table.finish(source, "")


# --- workbooks ----------------------------------------------------------------------


def _read_sheet(
    source: Source, workbook: Any, sheet: str | None, progress: Progress | None
) -> Table:
    name = source.path.name
    if not sheet:
        sheet = source.sheets[0]
    elif sheet not in source.sheets:
        listing = ", ".join(f"'{s}'" for s in source.sheets)
        raise SheetError(f"{name} has no sheet named '{sheet}'; its sheets are {listing}.")
    where = f"{name}, sheet '{sheet}'"
    try:
        data = workbook.get_sheet_by_name(sheet)
        start = data.start
        height = int(data.height) if start is not None else 0
        width = int(data.width) if start is not None else 0
    except BaseException as exc:
        if not _calamine_failed(exc):
            raise
        raise SheetError(_damaged(name, source.format)) from exc
    if start is None:
        raise SheetError(f"{where} is empty; it has no rows to import.")
    if width > MAX_COLUMNS:
        raise SheetError(f"{where} has {width:,} columns; at most {MAX_COLUMNS:,} can be imported.")
    if height > 2 * MAX_ROWS + 1:
        raise SheetError(
            f"{where} has more than {MAX_ROWS:,} rows; at most {MAX_ROWS:,} can be imported."
        )
    try:
        rows = data.to_python(skip_empty_area=False)
    except BaseException as exc:
        if not _calamine_failed(exc):
            raise
        raise SheetError(_damaged(name, source.format)) from exc
    total = len(rows)
    _report(progress, 0, total)
    table = _Collector(where)
    limit = MAX_CELL
    for index, raw in enumerate(rows):
        number = index + 1
        if number % PROGRESS_EVERY == 0:
            _report(progress, number, total)
        cells: list[Cell] = [None if value == "" else value for value in raw]
        while cells and cells[-1] is None:
            cells.pop()
        if not any(
            cell is not None and (not isinstance(cell, str) or cell.strip()) for cell in cells
        ):
            continue
        for column, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > limit:
                raise SheetError(
                    f"{where}, row {number:,}, column {column_letter(column)}: "
                    f"a cell is longer than {limit:,} characters."
                )
        table.add(number, cells)
    _report(progress, total, total)
    return table.finish(source, sheet)


# --- tables -------------------------------------------------------------------------


class _Collector:
    """The header and the rows as they are read, checked against the limits."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.header: list[Cell] | None = None
        self.header_number = 0
        self.rows: list[Row] = []
        self.width = 0

    def add(self, number: int, cells: list[Cell]) -> None:
        """Add a non-empty row whose trailing empty cells are left out."""
        if len(cells) > MAX_COLUMNS:
            raise SheetError(
                f"{self.where}, row {number:,}: {len(cells):,} columns; "
                f"at most {MAX_COLUMNS:,} can be imported."
            )
        if len(cells) > self.width:
            self.width = len(cells)
        if self.header is None:
            self.header = cells
            self.header_number = number
            return
        if len(self.rows) >= MAX_ROWS:
            raise SheetError(
                f"{self.where} has more than {MAX_ROWS:,} rows; "
                f"at most {MAX_ROWS:,} can be imported."
            )
        self.rows.append(Row(number, tuple(cells)))

    def finish(self, source: Source, sheet: str) -> Table:
        if self.header is None:
            raise SheetError(f"{self.where} has no rows to import.")
        if not self.rows:
            raise SheetError(
                f"{self.where} has only a header row (row {self.header_number:,}); "
                "it has no rows to import below it."
            )
        first = self._first_column()
        rows: list[Row] = self.rows
        if first:
            rows = [Row(row.number, row.cells[first:]) for row in rows]
        header = _header_names(self.header, first, self.width)
        return Table(source, sheet, header, rows)

    def _first_column(self) -> int:
        """How many columns on the left are empty in the header and every row."""
        assert self.header is not None
        first = _leading_blanks(self.header)
        for row in self.rows:
            if not first:
                break
            first = min(first, _leading_blanks(row.cells))
        return first


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _leading_blanks(cells: Sequence[Cell]) -> int:
    for index, cell in enumerate(cells):
        if not _blank(cell):
            return index
    return len(cells)


def _header_names(cells: Sequence[Cell], first: int, width: int) -> tuple[str, ...]:
    """One unique name per column from ``first`` to ``width``."""
    names: list[str] = []
    seen: set[str] = set()
    for index in range(first, width):
        text = _header_text(cells[index] if index < len(cells) else None)
        if not text:
            text = f"Column {column_letter(index)}"
        unique, count = text, 2
        while unique in seen:
            unique = f"{text} ({count})"
            count += 1
        seen.add(unique)
        names.append(unique)
    return tuple(names)


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    elif hasattr(cell, "isoformat"):
        text = cell.isoformat()
    else:
        text = str(cell)
    return " ".join(text.split())


def column_letter(index: int) -> str:
    """The spreadsheet letter of the column at 0-based ``index``: A, B, … Z, AA, AB…"""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ReadCancelled()
