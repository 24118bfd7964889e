"""Table models over light row tuples: filter and sort in Python, then reset.

A ``QSortFilterProxyModel`` calls back into Python for every comparison (1.4 s to
sort 10,000 rows); sorting and filtering the Python list and resetting the model
takes about 20 ms.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from delegations.model import fold

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    """A column: its title, how to show a value and how to sort it.

    Attributes:
        title: the header.
        align_right: right-align (numbers).
        searchable: whether the filter box looks at it.
        stretch: takes the width left over.
    """

    title: str
    align_right: bool = False
    searchable: bool = True
    stretch: bool = False


@dataclass(slots=True)
class Row:
    """One line: the record id, the cells as shown, the values and folded search text.

    Sort keys are computed from ``values`` when a column is first sorted, not when
    the rows are read, so that 10,000 rows load at once.
    """

    id: int
    cells: tuple[str, ...]
    values: tuple[Any, ...]
    search: str


def quick_fold(text: str) -> str:
    """``fold(text)``, with a fast path for plain ASCII text (same result)."""
    if text.isascii():
        return " ".join(text.casefold().split())
    return _fold_cached(text)


@lru_cache(maxsize=16384)
def _fold_cached(text: str) -> str:
    return fold(text)


@dataclass(frozen=True, slots=True)
class Cell:
    """A value shown as ``text`` but sorted by ``key`` (e.g. a time shown as "Thu 10:05")."""

    text: str
    key: Any


class _Reversed:
    """Orders like its key, backwards (for inserting into a descending list)."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.key < self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]


def _text(value: Any) -> str:
    if isinstance(value, Cell):
        return value.text
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%a %d %b %Y}"
    label = getattr(value, "label", None)
    if isinstance(label, str):
        return label
    return str(value)


def _key(value: Any) -> Any:
    if isinstance(value, Cell):
        return (0, value.key) if value.key is not None else (1, "")
    if value is None:
        return (1, "")
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, date):
        return (0, value.toordinal())
    return (0, quick_fold(_text(value)))


def folded(value: Any) -> Any:
    """A sort key in which text ignores case and accents: strings are folded, tuples
    folded item by item, a ``Cell`` gives its key and None sorts as empty text.

    The natural order of a page (``RowTableModel.natural``) is read through it, so
    that "Ørestad" sorts with the O's and "zeta" with "Zeta".
    """
    if isinstance(value, str):
        return quick_fold(value)
    if isinstance(value, tuple):
        return tuple(folded(v) for v in value)
    if isinstance(value, Cell):
        return folded(value.key)
    if value is None:
        return ""
    return value


def make_rows(columns: Sequence[Column], records: Sequence[tuple[Any, ...]]) -> list[Row]:
    """Rows from tuples ``(id, value per column...[, folded search text])``.

    Without a trailing search text the searchable cells are folded here.
    """
    searchable = [i for i, c in enumerate(columns) if c.searchable]
    width = len(columns)
    rows = []
    for record in records:
        values = record[1 : width + 1]
        cells = tuple(v if type(v) is str else _text(v) for v in values)
        given = record[width + 1] if len(record) > width + 1 else None
        if given is None:
            search = " ".join([quick_fold(cells[i]) for i in searchable])
        else:
            search = str(given)
        rows.append(Row(id=record[0], cells=cells, values=values, search=search))
    return rows


class RowTableModel(QAbstractTableModel):
    """A sortable, filterable table of rows that each carry a record id.

    ``set_filter`` keeps the rows holding every word of the text, ignoring case
    and accents; ``sort`` orders all rows by a column. Both reset the model.

    Args:
        columns: the columns, in order.
        parent: the Qt parent.
    """

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._all: list[Row] = []
        self._rows: list[Row] = []
        self._words: list[str] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._positions: dict[int, int] | None = None
        self._keys: dict[int, dict[int, Any]] = {}
        self.tooltip: Callable[[Row, int], str | None] | None = None
        self.natural: Callable[[Row], Any] | None = None
        """The page's own order, used until a column is sorted: rows are put in it
        when they are set and new rows are placed by it. Its text is compared
        folded (``folded``): case and accents are ignored."""

    # data ---------------------------------------------------------------
    def set_records(self, records: Sequence[tuple[Any, ...]]) -> None:
        """Replace every row with ``(id, value per column...)`` tuples."""
        self.set_rows(make_rows(self.columns, records))

    def set_rows(self, rows: list[Row]) -> None:
        self._all = rows
        self._keys = {}
        if self._sort is not None:
            self._sort_all(*self._sort)
        elif self.natural is not None:
            self._all.sort(key=self._order_key())
        self._refilter()

    def upsert(self, records: Sequence[tuple[Any, ...]], removed: Collection[int] = ()) -> None:
        """Replace or add the rows of ``records`` and drop ``removed``, in place.

        A row that keeps its place and its filter match is updated with
        ``dataChanged`` (selection and scroll position untouched); otherwise
        the rows are re-placed (a binary search per row, not a re-sort) and the
        view is reset once.
        """
        changed = make_rows(self.columns, records)
        gone = set(removed)
        where = {r.id: i for i, r in enumerate(self._all)}
        moved = bool(gone & where.keys())
        in_place: list[Row] = []
        for row in changed:
            i = where.get(row.id)
            if i is not None and self._same_place(self._all[i], row):
                self._all[i] = row
                in_place.append(row)
            else:
                moved = True
                gone.add(row.id)
        for column in self._keys.values():
            for row in changed:
                column.pop(row.id, None)
        if not moved:
            self._update_visible(in_place)
            return
        placed = {r.id for r in changed} - {r.id for r in in_place}
        self._all = [r for r in self._all if r.id not in gone]
        order = self._order_key()
        reverse = self._sort is not None and self._sort[1] == Qt.SortOrder.DescendingOrder

        def sortable(row: Row) -> Any:
            return _Reversed(order(row)) if reverse else order(row)

        keys = [sortable(r) for r in self._all]
        for row in changed:
            if row.id in placed:
                key = sortable(row)
                at = bisect.bisect_right(keys, key)
                self._all.insert(at, row)
                keys.insert(at, key)
        self._refilter()

    def _order_key(self) -> Callable[[Row], Any]:
        if self._sort is not None:
            column = self._sort[0]
            return lambda r: (_key(r.values[column]), r.id)
        natural = self.natural
        if natural is None:
            return lambda r: 0  # no known order: new rows go first
        return lambda r: folded(natural(r))

    def _same_place(self, old: Row, new: Row) -> bool:
        order = self._order_key()
        if order(old) != order(new):
            return False
        words = self._words
        return all(w in old.search for w in words) == all(w in new.search for w in words)

    def _update_visible(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        by_id = {r.id: r for r in rows}
        last = len(self.columns) - 1
        for i, shown in enumerate(self._rows):
            fresh = by_id.get(shown.id)
            if fresh is not None:
                self._rows[i] = fresh
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))

    def set_filter(self, text: str) -> None:
        """Show only the rows containing every word of ``text`` (case and accents ignored)."""
        words = fold(text).split()
        if words == self._words:
            return
        self._words = words
        self._refilter()

    def filter_text_words(self) -> list[str]:
        return list(self._words)

    def total_count(self) -> int:
        return len(self._all)

    def id_at(self, row: int) -> int:
        return self._rows[row].id

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def sample(self, count: int) -> list[Row]:
        """The first ``count`` rows in order, whether the filter shows them or not."""
        return self._all[:count]

    def ids(self) -> list[int]:
        return [r.id for r in self._rows]

    def row_of(self, record_id: int) -> int | None:
        """The visible row showing ``record_id``, or None."""
        if self._positions is None:
            self._positions = {r.id: i for i, r in enumerate(self._rows)}
        return self._positions.get(record_id)

    def _refilter(self) -> None:
        self.beginResetModel()
        words = self._words
        if words:
            self._rows = [r for r in self._all if all(w in r.search for w in words)]
        else:
            self._rows = list(self._all)
        self._positions = None
        self.endResetModel()

    def _sort_all(self, column: int, order: Qt.SortOrder) -> None:
        reverse = order == Qt.SortOrder.DescendingOrder
        keys = self._keys.get(column)
        if keys is None:
            keys = self._keys[column] = {r.id: _key(r.values[column]) for r in self._all}
        self._all.sort(key=lambda r: (keys[r.id], r.id), reverse=reverse)

    # Qt overrides ---------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order)
        self._sort_all(column, order)
        self._refilter()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            column = self.columns[index.column()]
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.align_right else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.tooltip(row, index.column()) if self.tooltip is not None else None
            return tip or row.cells[index.column()] or None
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.columns):
                return self.columns[section].title
            return None
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
