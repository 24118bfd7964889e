"""Privacy ▸ Audit log: what was done to the data, when, to which records and fields.

A non-modal dialog (opened again, it comes to the front rather than opening twice)
over ``services.audit``: a table of the entries, newest first, read a page at a
time as it scrolls (``canFetchMore``/``fetchMore``: a log of a million entries
opens as fast as one of ten); filters by action, kind of record, record id and
days; "Export CSV…" writes what the filters select (``audit.write_csv``, never
onto the database). While open it reads the log again after every change the
window makes (``Runner.changed``). Escape or Close closes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from delegations.services import ServiceError, audit
from delegations.services.audit import AuditRow
from delegations.services.storage import Database, StoreError, output_refusal

if TYPE_CHECKING:
    from delegations.ui.main_window import MainWindow

PAGE = 200
"""Entries read at a time."""

COLUMNS = ("When", "Action", "Record", "Id", "Change", "Fields", "Delegation")

Index = QModelIndex | QPersistentModelIndex
Loader = Callable[[int | None, int], list[AuditRow]]
"""(entries older than this id, or None: the newest; how many) → entries, newest first."""


class AuditModel(QAbstractTableModel):
    """The entries a loader gives, fetched a page at a time as the view scrolls."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AuditRow] = []
        self._loader: Loader | None = None
        self._more = False

    def reload(self, loader: Loader | None) -> None:
        """Start again from the newest entry with ``loader`` (None: empty)."""
        self.beginResetModel()
        self._loader = loader
        self.rows = loader(None, PAGE) if loader is not None else []
        self._more = loader is not None and len(self.rows) == PAGE
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more or self._loader is None:
            return
        found = self._loader(self.rows[-1].id if self.rows else None, PAGE)
        self._more = len(found) == PAGE
        if found:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(found) - 1)
            self.rows.extend(found)
            self.endInsertRows()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.at.isoformat()} (UTC); operation {row.operation}" if column == 0 else None
        values = (
            f"{row.local:%Y-%m-%d %H:%M:%S}",
            row.action,
            row.record,
            "" if row.record_id is None else str(row.record_id),
            row.change,
            ", ".join(row.fields),
            "" if row.delegation_id is None else str(row.delegation_id),
        )
        return values[column]


def _date_filter(label: str) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox(label)
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setEnabled(False)
    edit.setAccessibleName(f"{label.replace('&', '')} day")
    check.toggled.connect(edit.setEnabled)
    return check, edit


class AuditDialog(QDialog):
    """The audit log of the window's database.

    Attributes:
        model: the entries shown.
        action / record: the action and kind-of-record filters ("" data: any).
        record_id: the record id filter (empty: any).
        since_check, since / until_check, until: the days filter.
        status: what was found, or written.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Audit log")
        self.setObjectName("audit_log")
        self.setModal(False)
        self.resize(980, 560)
        self._runner: Any = None

        self.action = QComboBox()
        self.action.setAccessibleName("Action")
        self.action.addItem("Any action", "")
        for name in audit.ACTIONS:
            self.action.addItem(name, name)
        self.record = QComboBox()
        self.record.setAccessibleName("Record")
        self.record_id = QLineEdit()
        self.record_id.setPlaceholderText("any id")
        self.record_id.setValidator(QIntValidator(0, 2**31 - 1, self))
        self.record_id.setAccessibleName("Record id")
        self.record_id.setMaximumWidth(90)
        self.since_check, self.since = _date_filter("&From")
        self.until_check, self.until = _date_filter("&To")

        filters = QHBoxLayout()
        for label, widget in (("&Action", self.action), ("&Record", self.record)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        caption = QLabel("&Id")
        caption.setBuddy(self.record_id)
        filters.addWidget(caption)
        filters.addWidget(self.record_id)
        for check, edit in ((self.since_check, self.since), (self.until_check, self.until)):
            filters.addWidget(check)
            filters.addWidget(edit)
        filters.addStretch(1)

        self.model = AuditModel(self)
        self.model.rowsInserted.connect(lambda *_args: self._show_count())
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in enumerate((150, 70, 130, 60, 60, 360, 80)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(
            "Each entry says what was done, when, to which record and which fields: "
            "never the values themselves."
        )
        note.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        # Alt+F is the From filter, Alt+R the Record filter, Alt+E Export.
        self.refresh_button = QPushButton("Refres&h")
        self.export_button = QPushButton("&Export CSV…")
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export_csv)

        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self.action.currentIndexChanged.connect(self.refresh)
        self.record.currentIndexChanged.connect(self.refresh)
        self.record_id.textChanged.connect(self.refresh)
        for check, edit in ((self.since_check, self.since), (self.until_check, self.until)):
            check.toggled.connect(self.refresh)
            edit.dateChanged.connect(self.refresh)
        self.bind()

    # data -----------------------------------------------------------------------
    @property
    def db(self) -> Database:
        return self.window_.db

    def bind(self) -> None:
        """Follow the window's database and runner (again after another database opened)."""
        runner = self.window_.runner
        if runner is not self._runner:
            if self._runner is not None:
                with contextlib.suppress(RuntimeError, TypeError):  # gone with its database
                    self._runner.changed.disconnect(self._changed)
            runner.changed.connect(self._changed)
            self._runner = runner
        self.refresh()

    def _changed(self, _event: object) -> None:
        if self.isVisible():
            self.refresh()

    def filters(self) -> dict[str, Any]:
        """What the filters select, as ``audit.entries`` takes it."""
        text = self.record_id.text().strip()
        return {
            "action": self.action.currentData() or None,
            "record": self.record.currentData() or None,
            "record_id": int(text) if text.isdigit() else None,
            "since": self._day(self.since_check, self.since),
            "until": self._day(self.until_check, self.until),
        }

    @staticmethod
    def _day(check: QCheckBox, edit: QDateEdit) -> date | None:
        if not check.isChecked():
            return None
        day = edit.date()
        return date(day.year(), day.month(), day.day())

    def _fill_records(self, names: list[str]) -> None:
        current = self.record.currentData() or ""
        self.record.blockSignals(True)
        self.record.clear()
        self.record.addItem("Any record", "")
        for name in names:
            self.record.addItem(name, name)
        found = self.record.findData(current)
        self.record.setCurrentIndex(max(found, 0))
        self.record.blockSignals(False)

    def refresh(self, *_args: object) -> None:
        """Read the log again from its newest entry, as the filters select."""
        db, chosen = self.db, self.filters()

        def load(before: int | None, limit: int) -> list[AuditRow]:
            with db.session() as session:
                return audit.entries(session, **chosen, before=before, limit=limit)

        try:
            with db.session() as session:
                self._fill_records(audit.records(session))
            self.model.reload(load)
        except (ServiceError, StoreError, OSError) as exc:
            self.model.reload(None)
            self.status.setText(f"The audit log could not be read: {exc}")
            return
        except Exception as exc:  # a database failure: say so, never a traceback
            from delegations.services.history import failure_message

            self.model.reload(None)
            self.status.setText(f"The audit log could not be read: {failure_message(exc)}")
            return
        self._show_count()

    def _show_count(self) -> None:
        """How many entries are shown; "more as you scroll" while some are still unread."""
        shown = len(self.model.rows)
        more = " (more as you scroll)" if self.model.canFetchMore() else ""
        self.status.setText(
            "No entries." if not shown else f"{shown} entr{'y' if shown == 1 else 'ies'}{more}."
        )

    def _warn(self, title: str, text: str) -> None:
        """Say what went wrong, then take the focus back (Escape closes the log again)."""
        self.window_.warn(title, text)
        self.come_back()

    def come_back(self) -> None:
        """Be the active window again, after a message or a file chooser it opened."""
        if self.isVisible():
            self.raise_()
            self.activateWindow()
            self.table.setFocus()

    # export ---------------------------------------------------------------------
    def export_csv(self) -> Path | None:
        """Write what the filters select to a CSV file the user chooses; say where."""
        w = self.window_
        start = str(w.settings.export_folder() / f"audit-log-{date.today():%Y-%m-%d}.csv")
        chosen = w.choose_file("Export the audit log", start, "CSV files (*.csv)", True)
        self.come_back()
        if not chosen:
            return None
        path = Path(chosen).expanduser()
        refused = output_refusal(path, self.db.path)
        if refused is not None:
            self._warn(
                "Cannot export the audit log", f"{path.name} is {refused}; choose another file."
            )
            return None
        try:
            with self.db.session() as session:
                written = audit.write_csv(session, path, **self.filters())
        except (OSError, ServiceError, StoreError) as exc:
            self._warn("Cannot export the audit log", str(exc))
            return None
        self.status.setText(f"Wrote {written}")
        w.settings.set_export_folder(written.parent)
        return written


class AuditActions:
    """The window's audit-log action (``actions.MENUS`` key ``show_audit_log``)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: AuditDialog | None = None
        window.database_changed.connect(self._database_changed)

    def show_audit_log(self) -> AuditDialog:
        """Open the audit log (or bring it to the front, read again)."""
        if self.dialog is None:
            self.dialog = AuditDialog(self.window)
        else:
            self.dialog.bind()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.table.setFocus()
        return self.dialog

    def _database_changed(self, _path: object) -> None:
        if self.dialog is not None:
            self.dialog.bind()
