"""A page of records: an instant filter box, a sortable table and its actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from delegations.ui import actions
from delegations.ui.table_models import Column, Row, RowTableModel

SAMPLE_ROWS = 200
MAX_COLUMN_PX = 260
MIN_SHRUNK_PX = 110


class RecordTable(QTableView):
    """A table view tuned for large models: fixed row height, columns sized from a sample."""

    def __init__(self, model: RowTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSortingEnabled(False)
        header = self.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSectionsClickable(True)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.sectionClicked.connect(self._sort_clicked)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setTabKeyNavigation(False)
        self._sorted: tuple[int, Qt.SortOrder] | None = None
        self._natural: list[tuple[int, int, bool]] = []
        self._sampled = 0
        self.placeholder = ""
        model.modelReset.connect(self._rows_arrived)

    def table_model(self) -> RowTableModel:
        model = self.model()
        assert isinstance(model, RowTableModel)
        return model

    def _sort_clicked(self, column: int) -> None:
        order = Qt.SortOrder.AscendingOrder
        if self._sorted and self._sorted[0] == column:
            order = (
                Qt.SortOrder.DescendingOrder
                if self._sorted[1] == Qt.SortOrder.AscendingOrder
                else Qt.SortOrder.AscendingOrder
            )
        self.sort_by(column, order)

    def sort_by(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort all rows by ``column``, keeping the selection."""
        keep = self.selected_ids()
        self._sorted = (column, order)
        self.table_model().sort(column, order)
        self.horizontalHeader().setSortIndicator(column, order)
        self.select_ids(keep)

    def size_columns(self) -> None:
        """Size columns to a sample of rows and the headers, not to every row.

        The sample is the first rows in order, whether the filter shows them or
        not. When more rows arrive later (a list that was nearly empty), the
        columns are sized again (``_rows_arrived``).
        """
        model = self.table_model()
        metrics = self.fontMetrics()
        sample = model.sample(SAMPLE_ROWS)
        self._sampled = len(sample)
        self._natural = []
        for column, spec in enumerate(model.columns):
            texts = [row.cells[column] for row in sample]
            widest = max([metrics.horizontalAdvance(t) for t in texts] or [0])
            header = metrics.horizontalAdvance(spec.title) + 28
            width = min(max(widest + 20, header, 60), MAX_COLUMN_PX)
            self._natural.append((width, header, spec.stretch))
        self._fit()

    def _rows_arrived(self) -> None:
        """Size the columns again when rows came after they were sized on a few."""
        if not self._natural or self._sampled >= SAMPLE_ROWS:
            return
        if self.table_model().total_count() > self._sampled:
            self.size_columns()

    def _fit(self) -> None:
        """Fit the columns to the view: shrink wide ones when too wide, widen all when not.

        Columns keep their sampled width when it just fits. When there is room
        left, every column takes a share of it in proportion to its width (a
        ``stretch`` column counts twice), so that the table fills the view. When
        there is not, columns wider than ``MIN_SHRUNK_PX`` give up width in
        proportion (their text is elided; the tooltip shows it whole) before a
        scroll bar appears.
        """
        if not self._natural:
            return
        widths = [w for w, _h, _s in self._natural]
        available = self.viewport().width()
        excess = sum(widths) - available
        if excess > 0:
            floors = [max(MIN_SHRUNK_PX, h) for _w, h, _s in self._natural]
            slack = [max(w - f, 0) for w, f in zip(widths, floors, strict=True)]
            total_slack = sum(slack)
            if total_slack:
                take = min(excess, total_slack)
                widths = [
                    w - int(take * sl / total_slack) for w, sl in zip(widths, slack, strict=True)
                ]
                left = sum(widths) - available
                if left > 0:
                    widest = max(range(len(slack)), key=lambda c: slack[c])
                    widths[widest] -= min(left, slack[widest])
        elif excess < 0:
            room = -excess
            weights = [w * (2 if st else 1) for w, _h, st in self._natural]
            total = sum(weights)
            widths = [w + room * wt // total for w, wt in zip(widths, weights, strict=True)]
            # What rounding left over goes to the last stretch column (else the last).
            rest = available - sum(widths)
            last = max(
                (i for i, (_w, _h, st) in enumerate(self._natural) if st),
                default=len(widths) - 1,
            )
            widths[last] += rest
        for column, width in enumerate(widths):
            self.setColumnWidth(column, width)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Arriving by Tab with nothing selected selects the current (or first) row,
        so that Delete, F2 and Enter act on what the highlight shows."""
        super().focusInEvent(event)
        model = self.table_model()
        if not model.rowCount() or self.selected_ids():
            return
        current = self.currentIndex()
        row = current.row() if current.isValid() and current.row() < model.rowCount() else 0
        self.selectRow(row)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.table_model()
        if model.rowCount() or not self.placeholder:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().placeholderText().color())
        text = self.placeholder
        if model.total_count():
            text = "Nothing matches the filter. Clear it to see everything (Esc clears the box)."
        painter.drawText(
            self.viewport().rect().adjusted(20, 40, -20, -20),
            int(
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            ),
            text,
        )
        painter.end()

    def selected_ids(self) -> list[int]:
        model = self.table_model()
        selection = self.selectionModel()
        if selection is None:
            return []
        rows = sorted({index.row() for index in selection.selectedRows()})
        return [model.id_at(r) for r in rows if r < model.rowCount()]

    def current_id(self) -> int | None:
        index = self.currentIndex()
        if index.isValid() and index.row() < self.table_model().rowCount():
            return self.table_model().id_at(index.row())
        ids = self.selected_ids()
        return ids[0] if ids else None

    def select_ids(self, ids: Sequence[int]) -> None:
        """Select the rows showing ``ids`` (those filtered out are left alone)."""
        model = self.table_model()
        selection_model = self.selectionModel()
        if selection_model is None:
            return
        selection = QItemSelection()
        first: QModelIndex | None = None
        for record_id in ids:
            row = model.row_of(record_id)
            if row is None:
                continue
            left = model.index(row, 0)
            selection.select(left, model.index(row, model.columnCount() - 1))
            first = first or left
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection_model.select(selection, flags)
        if first is not None:
            selection_model.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.scrollTo(first)


class RecordListPage(QWidget):
    """The filter box, the table and New / Edit / Delete buttons for one kind of record.

    Args:
        title: the page's heading, e.g. "People".
        columns: the table's columns.
        noun: one record, e.g. "person" (for button and accessible names).
        parent: the Qt parent.

    Signals:
        new_requested(): the user asked for a new record.
        edit_requested(int): the user asked to edit (or open) this record.
        delete_requested(list): the user asked to delete these record ids.
    """

    new_requested = Signal()
    edit_requested = Signal(int)
    delete_requested = Signal(list)

    def __init__(
        self,
        title: str,
        columns: Sequence[Column],
        noun: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.noun = noun
        self.model = RowTableModel(columns, self)
        self.heading = QLabel(title)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.heading.setFont(font)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(f"Filter {title.lower()} ({actions.keys('focus_filter')})")
        self.filter.setAccessibleName(f"Filter {title.lower()}")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.filter.installEventFilter(self)
        self.count = QLabel()
        self.count.setAccessibleName(f"Number of {title.lower()}")
        self.new_button = QPushButton(f"New {noun}…")
        self.new_button.setAccessibleName(f"New {noun}")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setAccessibleName(f"Edit the selected {noun}")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName(f"Delete the selected {title.lower()}")
        self.new_button.clicked.connect(self.new_requested)
        self.edit_button.clicked.connect(self.request_edit)
        self.delete_button.clicked.connect(self.request_delete)
        self.table = RecordTable(self.model)
        self.table.setAccessibleName(f"{title} table")
        self.table.placeholder = f"No {title.lower()} yet. Press “New {noun}…” ({actions.keys('new_record')}) to add one."
        # ``activated`` comes with a double-click (and Enter): connecting
        # ``doubleClicked`` as well opened two dialogs for one double-click.
        self.table.activated.connect(lambda _index: self.request_edit())
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._update_buttons)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.count)
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.delete_button)
        self.bar = bar
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.setTabOrder(self.filter, self.table)
        self.setTabOrder(self.table, self.new_button)
        self.setTabOrder(self.new_button, self.edit_button)
        self.setTabOrder(self.edit_button, self.delete_button)
        self._sized = False
        self.describe: Callable[[Row], str] = lambda row: row.cells[0]
        self._update_buttons()

    def add_button(self, text: str, accessible_name: str) -> QPushButton:
        """A button of this page's own after New, Edit and Delete (last in the Tab order)."""
        button = QPushButton(text)
        button.setAccessibleName(accessible_name)
        button.setToolTip(accessible_name)
        self.bar.addWidget(button)
        return button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in the filter box clears it; Down moves into the table."""
        if (
            watched is self.filter
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            key = event.key()
            if key == Qt.Key.Key_Escape and self.filter.text():
                self.filter.clear()
                return True
            if key == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus(Qt.FocusReason.TabFocusReason)
                if not self.table.selected_ids():
                    self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    def set_records(self, records: Sequence[tuple[object, ...]]) -> None:
        """Show ``records`` (``(id, value per column...)``), keeping filter and selection."""
        keep = self.table.selected_ids()
        self.model.set_records(records)
        if not self._sized and self.model.rowCount():
            self.table.size_columns()
            self._sized = True
        self.table.select_ids(keep)
        self._update_count()

    def apply_filter(self, text: str) -> None:
        keep = self.table.selected_ids()
        self.model.set_filter(text)
        self.table.select_ids(keep)
        self._update_count()

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def selected_ids(self) -> list[int]:
        return self.table.selected_ids()

    def select_ids(self, ids: Sequence[int]) -> None:
        self.table.select_ids(ids)

    def request_edit(self) -> None:
        record_id = self.table.current_id()
        if record_id is not None:
            self.edit_requested.emit(record_id)

    def request_delete(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.delete_requested.emit(ids)

    def labels(self, ids: Sequence[int]) -> list[str]:
        """How the rows of ``ids`` read, for confirmations."""
        out = []
        for record_id in ids:
            row = self.model.row_of(record_id)
            if row is not None:
                out.append(self.describe(self.model.row_at(row)))
        return out

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count()
        noun = self.noun if total == 1 else self.title.lower()
        self.count.setText(f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}")

    def _update_buttons(self, *_args: object) -> None:
        has = bool(self.table.selectionModel().hasSelection())
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)
