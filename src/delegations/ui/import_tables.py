"""The tables of the import wizard: the first rows of a file, its columns and the preview.

Three light models over what the spreadsheet services return (``Table``,
``ColumnMap``, ``Preview``); none of them decides anything. The preview model
holds the preview's row plans and a list of the rows the filter shows, and
computes each cell when it is painted, so that 10,000 rows show at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from delegations.services.spreadsheets.columns import BY_KEY, FIELDS, Group
from delegations.services.spreadsheets.mapping import ColumnMap
from delegations.services.spreadsheets.preview import Action, Preview, RowPlan
from delegations.services.spreadsheets.table import Cell, Table

Index = QModelIndex | QPersistentModelIndex
IGNORE = "(ignore)"
SAMPLE_VALUES = 3
"""How many values of a column the mapping shows."""
SAMPLE_SCAN = 1_000
"""How many rows are looked at to find them (a column empty near the top shows less)."""
ERROR_BACKGROUND = QColor("#fdecea")
ERROR_TEXT = QColor("#b3261e")
WARNING_BACKGROUND = QColor("#fff6d6")


def cell_text(cell: Cell) -> str:
    """A cell as the file holds it, in one line (dates as ISO, whole numbers without .0)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return f"{cell:%Y-%m-%d %H:%M}"
    if isinstance(cell, date | time):
        return cell.isoformat()
    return " ".join(str(cell).split())


def column_samples(table: Table, column: int) -> list[str]:
    """The first ``SAMPLE_VALUES`` non-empty values of ``column``, as the file shows them."""
    found: list[str] = []
    for row in table.rows[:SAMPLE_SCAN]:
        text = cell_text(row.cell(column))
        if text:
            found.append(text)
            if len(found) == SAMPLE_VALUES:
                break
    return found


class SampleModel(QAbstractTableModel):
    """The header and the first rows of a table, as read (so that mojibake shows)."""

    ROWS = 8

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.header: tuple[str, ...] = ()
        self.rows: list[tuple[str, ...]] = []
        self.numbers: list[int] = []

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        if table is None:
            self.header, self.rows, self.numbers = (), [], []
        else:
            self.header = table.header
            shown = table.rows[: self.ROWS]
            self.rows = [
                tuple(cell_text(row.cell(c)) for c in range(len(table.header))) for row in shown
            ]
            self.numbers = [row.number for row in shown]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.header)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        return self.rows[index.row()][index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.header[section] if 0 <= section < len(self.header) else None
        return str(self.numbers[section]) if 0 <= section < len(self.numbers) else None


class MappingModel(QAbstractTableModel):
    """One row per column of the file: its header, a few of its values, the field it fills.

    Choosing a field (``setData`` on the last column) goes through
    ``ColumnMap.with_column``: a field filled by another column moves here.

    Signals:
        mapping_changed(object): the ``ColumnMap`` now shown.
        moved(str, str, str): a field moved: (field label, from header, to header).
    """

    COLUMNS = ("Column", "Values in the file", "Imported as")
    FIELD = 2

    mapping_changed = Signal(object)
    moved = Signal(str, str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.header: tuple[str, ...] = ()
        self.samples: list[str] = []
        self.mapping = ColumnMap()

    def set_table(self, table: Table, mapping: ColumnMap) -> None:
        self.beginResetModel()
        self.header = table.header
        self.samples = [" · ".join(column_samples(table, c)) for c in range(len(table.header))]
        self.mapping = mapping
        self.endResetModel()

    def set_mapping(self, mapping: ColumnMap) -> None:
        self.mapping = mapping
        if self.header:
            last = len(self.header) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last, self.FIELD))
        self.mapping_changed.emit(mapping)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.header)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def key_at(self, row: int) -> str | None:
        return self.mapping.field_for(self.header[row])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        header = self.header[row]
        key = self.key_at(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return header
            if column == 1:
                return self.samples[row] or (
                    "(empty)" if role == Qt.ItemDataRole.ToolTipRole else ""
                )
            return BY_KEY[key].header if key else IGNORE
        if role == Qt.ItemDataRole.EditRole and column == self.FIELD:
            return key
        if role == Qt.ItemDataRole.ForegroundRole and (column == 1 or key is None):
            return QColor("#6b7280")
        if role == Qt.ItemDataRole.FontRole and column == 0 and key is not None:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.FIELD or role != Qt.ItemDataRole.EditRole:
            return False
        header = self.header[index.row()]
        key = value or None
        if self.mapping.field_for(header) == key:
            return False
        before = self.mapping.column_for(key) if key else None
        self.set_mapping(self.mapping.with_column(header, key))
        if key and before is not None and before != header:
            self.moved.emit(BY_KEY[key].header, before, header)
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.FIELD:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section] if 0 <= section < len(self.COLUMNS) else None
        return str(section + 1)


def fill_field_combo(combo: QComboBox) -> None:
    """ "(ignore)" then every field, under its group's label (which cannot be chosen)."""
    combo.clear()
    combo.addItem(IGNORE, None)
    items = combo.model()
    assert isinstance(items, QStandardItemModel)
    for group in Group:
        combo.insertSeparator(combo.count())
        combo.addItem(group.label, None)
        heading = items.item(combo.count() - 1)
        heading.setEnabled(False)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        for f in FIELDS:
            if f.group is group:
                combo.addItem(f.header, f.key)
                items.item(combo.count() - 1).setToolTip(f.header)


class FieldDelegate(QStyledItemDelegate):
    """The "Imported as" cell edited with a combo of the fields, grouped; a choice
    is applied at once (the view keeps the combos open as persistent editors)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        combo.setAccessibleName("Imported as")
        fill_field_combo(combo)
        combo.setMaxVisibleItems(24)
        combo.currentIndexChanged.connect(lambda _i, combo=combo: self.commitData.emit(combo))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        key = index.data(Qt.ItemDataRole.EditRole)
        position = editor.findData(key) if key else 0
        editor.blockSignals(True)
        editor.setCurrentIndex(max(position, 0))
        editor.blockSignals(False)
        model = index.model()
        header = model.index(index.row(), 0).data() if model is not None else ""
        editor.setAccessibleName(f"Imported as, for column {header}")

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


Filter = Callable[[RowPlan], bool]
FILTERS: tuple[tuple[str, Filter | None], ...] = (
    ("All rows", None),
    ("New", lambda p: p.action is Action.NEW),
    ("Updates", lambda p: p.action is Action.UPDATE),
    ("Matches", lambda p: p.match is not None),
    ("Errors", lambda p: p.action is Action.ERROR),
    ("Warnings", lambda p: bool(p.warnings)),
)
"""What the preview's "Show" box offers: a label and which rows it keeps."""


def plan_details(plan: RowPlan) -> list[str]:
    """What the "Changes / problems" column lists for a row: problems first."""
    lines = [f"{p.column}: {p.message}" for p in plan.problems]
    if plan.action in (Action.UPDATE, Action.UNCHANGED):
        lines += [str(c) for c in plan.changes]
    if plan.attendee == "add" and plan.action is Action.UPDATE:
        lines.append("added to the delegation")
    lines += [f"⚠ {p.column}: {p.message}" for p in plan.warnings]
    return lines


class PreviewModel(QAbstractTableModel):
    """The preview's rows, those the filter keeps, one line each."""

    COLUMNS = ("Row", "Action", "Name", "Organisation", "Match", "Changes / problems")
    NUMBER_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plans: list[RowPlan] = []
        self.shown: list[int] = []
        self.keep: Filter | None = None

    def set_preview(self, preview: Preview | None) -> None:
        self.beginResetModel()
        self.plans = list(preview.rows) if preview is not None else []
        self._refilter()
        self.endResetModel()

    def set_filter(self, keep: Filter | None) -> None:
        self.beginResetModel()
        self.keep = keep
        self._refilter()
        self.endResetModel()

    def _refilter(self) -> None:
        keep = self.keep
        self.shown = [i for i, p in enumerate(self.plans) if keep is None or keep(p)]

    def count(self, keep: Filter | None) -> int:
        return len(self.plans) if keep is None else sum(1 for p in self.plans if keep(p))

    def plan_at(self, row: int) -> RowPlan:
        return self.plans[self.shown[row]]

    def rows_of(self, numbers: Collection[int]) -> list[int]:
        """The table rows showing spreadsheet rows ``numbers`` (those filtered out left out)."""
        wanted = set(numbers)
        return [row for row, i in enumerate(self.shown) if self.plans[i].number in wanted]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        plan = self.plan_at(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(plan, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(plan, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            if plan.action is Action.ERROR:
                return ERROR_BACKGROUND
            return WARNING_BACKGROUND if plan.warnings else None
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and plan.action is Action.ERROR
            and column
            in (
                1,
                5,
            )
        ):
            return ERROR_TEXT
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.NUMBER_ROLE:
            return plan.number
        return None

    @staticmethod
    def _text(plan: RowPlan, column: int) -> str:
        if column == 0:
            return str(plan.number)
        if column == 1:
            return plan.action.label
        if column == 2:
            return plan.name
        if column == 3:
            return plan.organisation
        if column == 4:
            return str(plan.match) if plan.match is not None else ""
        return "; ".join(plan_details(plan))

    @staticmethod
    def _tooltip(plan: RowPlan, column: int) -> str | None:
        if column == 4 and plan.match is not None:
            decision = plan.decision.label if plan.decision is not None else ""
            return f"{plan.match}\nWhat to do: {decision}" if decision else str(plan.match)
        if column == 5:
            return "\n".join(plan_details(plan)) or None
        text = PreviewModel._text(plan, column)
        return text or None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section] if 0 <= section < len(self.COLUMNS) else None
        return str(section + 1)
