"""Importing a delegation package that merges into one here: what it will do, and the
conflicts a person decides.

``services.exchange.plan_import`` works out what importing a package does to this
database (``ImportPlan``: the three-way merge's ``Preview``). ``MergeDialog`` shows
it before anything is written: the counts, what is added, changed and removed, and
a table of the conflicts (the same thing changed here and in the package), each
decided "Keep here" or "Take the package's" (Space toggles the selected rows; a
click on a value's box chooses it). Import stays disabled until every conflict is
decided; the caller (``file_actions``) then applies the plan with ``choices()``
through the runner. No rule lives here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from delegations.services.exchange import ImportPlan
from delegations.services.merge import Conflict, FieldChange, Preview, RecordRef, shown_value

Side = Literal["ours", "theirs"]
Index = QModelIndex | QPersistentModelIndex

QUIET_STYLE = "color: #4b5563;"
NOTICE_STYLE = "background: #fff7e0; border: 1px solid #e0c36a; border-radius: 3px; padding: 6px;"
SHOWN = 60
"""The longest value a cell shows, in characters (the tooltip shows it whole)."""
RECORD, FIELD, HERE, THEIRS = range(4)
COLUMNS = ("Record", "Field", "Here", "In the package")
SIDE_OF_COLUMN: dict[int, Side] = {HERE: "ours", THEIRS: "theirs"}
CHOICE_TEXT: dict[Side, str] = {"ours": "Keep here", "theirs": "Take the package's"}
_QUIET_FIELDS = frozenset({"uuid", "revision", "travel"})


# --------------------------------------------------------------------------- texts


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 change", "3 changes"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def counts_text(preview: Preview) -> str:
    """ "3 changes, 1 addition, 0 removals, 2 conflicts"."""
    counts = preview.counts()
    return ", ".join(
        (
            plural(counts["changed"], "change"),
            plural(counts["added"], "addition"),
            plural(counts["removed"], "removal"),
            plural(counts["conflicts"], "conflict"),
        )
    )


def field_text(name: str | None) -> str:
    """A field's key as a person reads it: starts_at → starts at."""
    return "(the whole record)" if name is None else name.replace("_", " ")


def written_text(exported_at: str) -> str:
    """When the package was written, in local time: "7 Dec 2026 10:05" ("" if unknown)."""
    try:
        moment = datetime.fromisoformat(exported_at)
    except (TypeError, ValueError):
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment.day} {moment:%b %Y %H:%M}"


def short(text: str, limit: int = SHOWN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def full_value(name: str, value: Any, names: Mapping[tuple[str, str], str]) -> str:
    """A field's value in full (for a tooltip): references by name, nothing shortened."""
    if isinstance(value, str) and value and value != "everyone":
        named = [v for (_section, uuid), v in names.items() if uuid == value]
        return named[0] if named else value
    if isinstance(value, list) and value:
        named_list = [full_value(name, v, names) for v in value]
        return ", ".join(sorted(named_list))
    return shown_value(name, value, names)


def change_text(change: FieldChange, names: Mapping[tuple[str, str], str]) -> tuple[str, str]:
    """A changed field as "field: old → new" (shown) and in full (tooltip)."""
    before, after, name = change.before, change.after, change.field
    if isinstance(before, list) and isinstance(after, list):
        gained = [v for v in after if v not in before]
        lost = [v for v in before if v not in after]
        parts = [f"+ {shown_value(name, gained, names)}"] if gained else []
        parts += [f"− {shown_value(name, lost, names)}"] if lost else []
        full = [f"+ {full_value(name, gained, names)}"] if gained else []
        full += [f"− {full_value(name, lost, names)}"] if lost else []
        what, whole = "; ".join(parts), "\n".join(full)
    else:
        what = f"{shown_value(name, before, names)} → {shown_value(name, after, names)}"
        whole = f"{full_value(name, before, names)}\n→ {full_value(name, after, names)}"
    head = field_text(name)
    return f"{head}: {what}", f"{change.record.label} — {head}:\n{whole}"


def _edits(record: Any, base: Any) -> list[str]:
    """The fields of a whole record that differ from the base."""
    if not isinstance(record, Mapping):
        return []
    before = base if isinstance(base, Mapping) else {}
    return [
        k
        for k, v in record.items()
        if k not in _QUIET_FIELDS and k in before and before.get(k) != v
    ]


def conflict_values(
    conflict: Conflict, names: Mapping[tuple[str, str], str]
) -> dict[Side, tuple[str, str]]:
    """Each side's value of a conflict: (shown, in full)."""
    out: dict[Side, tuple[str, str]] = {}
    for side in ("ours", "theirs"):
        value = conflict.ours if side == "ours" else conflict.theirs
        if conflict.field is not None:
            shown = shown_value(conflict.field, value, names)
            out[side] = (short(shown), full_value(conflict.field, value, names))
        elif value is None:
            where = "here" if side == "ours" else "in the package"
            out[side] = ("deleted", f"Deleted {where}.")
        else:
            fields = _edits(value, conflict.base)
            if len(fields) == 1:
                (only,) = fields
                shown = shown_value(only, value.get(only), names)
                whole = f"{field_text(only)}: {full_value(only, value.get(only), names)}"
                out[side] = (short(f"edited {field_text(only)}: {shown}"), f"Edited:\n{whole}")
            elif fields:
                listed = ", ".join(field_text(f) for f in fields)
                whole = "\n".join(
                    f"{field_text(f)}: {full_value(f, value.get(f), names)}" for f in fields
                )
                out[side] = (short(f"edited: {listed}"), f"Edited:\n{whole}")
            else:
                out[side] = ("edited", "Edited (its journeys or its details).")
    return out


# --------------------------------------------------------------------------- the table


class ConflictModel(QAbstractTableModel):
    """The conflicts, one a row: record, field, our value, theirs; the two values are
    check boxes that act as a pair of radio buttons (the side chosen is checked).

    Signals:
        decided(): a choice changed.
    """

    decided = Signal()

    def __init__(
        self, conflicts: Iterable[Conflict], names: Mapping[tuple[str, str], str], written: str
    ) -> None:
        super().__init__()
        self.conflicts = list(conflicts)
        self.values = [conflict_values(c, names) for c in self.conflicts]
        self.written = written
        self.choices: dict[str, Side] = {}

    # reading ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.conflicts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == THEIRS and self.written:
                return f"From the package written {self.written}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in SIDE_OF_COLUMN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.conflicts):
            return None
        conflict, column = self.conflicts[index.row()], index.column()
        side = SIDE_OF_COLUMN.get(column)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == RECORD:
                return conflict.record.label
            if column == FIELD:
                return field_text(conflict.field)
            return self.values[index.row()][side][0] if side else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == RECORD:
                return conflict.record.label
            if column == FIELD:
                return field_text(conflict.field)
            if side is None:
                return None
            whole = self.values[index.row()][side][1]
            if side == "theirs" and self.written:
                whole += f"\n\nFrom the package written {self.written}."
            return f"{whole}\n\n{CHOICE_TEXT[side]}: Space or a click on the box."
        if role == Qt.ItemDataRole.CheckStateRole and side is not None:
            chosen = self.choices.get(conflict.key) == side
            return Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and side is not None:
            picked = self.choices.get(conflict.key)
            return "chosen" if picked == side else "not chosen"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        side = SIDE_OF_COLUMN.get(index.column())
        if role != Qt.ItemDataRole.CheckStateRole or side is None or not index.isValid():
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self.choose([index.row()], side if checked else _other(side))
        return True

    # deciding ---------------------------------------------------------------------
    def choice(self, row: int) -> Side | None:
        return self.choices.get(self.conflicts[row].key)

    def undecided(self) -> int:
        return sum(1 for c in self.conflicts if c.key not in self.choices)

    def choose(self, rows: Iterable[int], side: Side) -> None:
        rows = [r for r in rows if 0 <= r < len(self.conflicts)]
        changed = [r for r in rows if self.choices.get(self.conflicts[r].key) != side]
        for row in changed:
            self.choices[self.conflicts[row].key] = side
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), HERE),
                self.index(max(changed), THEIRS),
                [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.AccessibleDescriptionRole],
            )
            self.decided.emit()

    def choose_all(self, side: Side) -> None:
        self.choose(range(len(self.conflicts)), side)

    def toggle(self, rows: Iterable[int], column: int) -> None:
        """Space: the side of the value column at the cursor if the current row is
        undecided, else the other side than the current row's, for every row given."""
        rows = list(rows)
        if not rows:
            return
        current = self.choice(rows[0])
        side = SIDE_OF_COLUMN.get(column, "ours") if current is None else _other(current)
        self.choose(rows, side)


def _other(side: Side) -> Side:
    return "theirs" if side == "ours" else "ours"


class ConflictView(QTableView):
    """The conflicts table; Space toggles the choice of the selected rows."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select) and isinstance(
            model, ConflictModel
        ):
            current = self.currentIndex()
            rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
            if current.isValid():
                rows = [current.row(), *(r for r in rows if r != current.row())]
                model.toggle(rows, current.column())
            event.accept()
            return
        super().keyPressEvent(event)


# --------------------------------------------------------------------------- the dialog


def _label(text: str, style: str = "", buddy: QWidget | None = None) -> QLabel:
    shown = QLabel(text)
    shown.setWordWrap(True)
    if style:
        shown.setStyleSheet(style)
    if buddy is not None:
        shown.setBuddy(buddy)
    return shown


class MergeDialog(QDialog):
    """What importing a package will do, and the conflicts to decide, before anything
    is written. Accepted (Import) only once every conflict is decided; ``choices()``
    is then what to pass to ``exchange.apply_import``.

    Args:
        plan: the import's plan (a merge, or an older package that replaces ours).
        path: the package file.
        parent: the window.
    """

    def __init__(self, plan: ImportPlan, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.path = Path(path)
        preview = plan.preview
        written = written_text(plan.exported_at)
        self._focused = False
        self._lines = 1
        title = f"Import {self.path.name}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setSizeGripEnabled(True)

        self.heading = QLabel(counts_text(preview) if preview is not None else "Replace?")
        if preview is None:
            self.heading.setText(f"Replace “{plan.title}” with the package's version?")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAccessibleName("What importing does")
        self.heading.setWordWrap(True)
        from_when = f" (written {written})" if written else ""
        if preview is not None:
            what = f"What importing {self.path.name}{from_when} does to “{plan.title}” here."
            verb = "Import"
        else:
            people = plural(len(plan.document.get("participations") or []), "attendee")
            items = plural(len(plan.document.get("agenda") or []), "agenda item")
            what = f"{self.path.name}{from_when} holds “{plan.title}” with {people} and {items}."
            verb = "Replace"
        self.hint = _label(f"{what} Nothing is written until you press {verb}.", QUIET_STYLE)
        self.notice = _label(plan.notice or "", NOTICE_STYLE)
        self.notice.setAccessibleName("Notice")
        self.notice.setVisible(bool(plan.notice))

        # what will change
        self.changes = QTreeWidget()
        self.changes.setHeaderHidden(True)
        self.changes.setAccessibleName("What will change")
        self.changes.setUniformRowHeights(True)
        self.changes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes_label = _label("What will &change:", buddy=self.changes)
        self._fill_changes()

        # conflicts
        self.model = ConflictModel(preview.conflicts if preview else (), self._names(), written)
        self.conflicts_view = ConflictView()
        view = self.conflicts_view
        view.setModel(self.model)
        view.setAccessibleName("Conflicts")
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setTabKeyNavigation(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSectionResizeMode(RECORD, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(FIELD, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HERE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(THEIRS, QHeaderView.ResizeMode.Stretch)
        self.conflicts_label = _label("C&onflicts to decide:", buddy=view)
        font = self.conflicts_label.font()
        font.setBold(True)
        self.conflicts_label.setFont(font)
        who = f"in the package written {written}" if written else "in the package"
        self.conflicts_hint = _label(
            f"The same thing was changed here and {who}. For each, tick the value to "
            "keep: Space toggles the selected rows.",
            QUIET_STYLE,
        )
        self.keep_all_button = QPushButton("Keep all &here")
        self.keep_all_button.setToolTip("Every conflict keeps this database's value.")
        self.take_all_button = QPushButton("&Take all from the package")
        self.take_all_button.setToolTip("Every conflict takes the package's value.")
        for button in (self.keep_all_button, self.take_all_button):
            button.setAutoDefault(False)
        all_row = QHBoxLayout()
        all_row.addWidget(self.keep_all_button)
        all_row.addWidget(self.take_all_button)
        all_row.addStretch(1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.changes_label)
        top_layout.addWidget(self.changes, 1)
        self.conflicts_box = QWidget()
        box = QVBoxLayout(self.conflicts_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.conflicts_label)
        box.addWidget(self.conflicts_hint)
        box.addWidget(view, 1)
        box.addLayout(all_row)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.conflicts_box)
        has_conflicts = self.model.rowCount() > 0
        self.conflicts_box.setVisible(has_conflicts)
        nothing_else = preview is not None and not (
            preview.added or preview.changed or preview.removed
        )
        top.setVisible(preview is not None and not nothing_else)
        self.nothing_else = _label("Nothing else changes here: only the conflicts below.")
        self.nothing_else.setVisible(nothing_else)

        # buttons
        self.remaining = _label("", QUIET_STYLE)
        self.remaining.setAccessibleName("Conflicts left to decide")
        self.import_button = QPushButton("&Import" if preview is not None else "&Replace")
        self.import_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setToolTip("Close without importing: nothing is written (Escape).")
        buttons = QHBoxLayout()
        buttons.addWidget(self.remaining, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.notice)
        layout.addWidget(self.nothing_else)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(rule)
        layout.addLayout(buttons)

        self.keep_all_button.clicked.connect(lambda: self.model.choose_all("ours"))
        self.take_all_button.clicked.connect(lambda: self.model.choose_all("theirs"))
        self.import_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.model.decided.connect(self._update)
        self._update()
        self._fit(has_conflicts)

    # filling ------------------------------------------------------------------------
    def _names(self) -> Mapping[tuple[str, str], str]:
        preview = self.plan.preview
        return preview.names if preview is not None else {}

    def _fill_changes(self) -> None:
        preview = self.plan.preview
        tree = self.changes
        if preview is None:
            return
        names = self._names()
        by_record: dict[tuple[str, str], tuple[RecordRef, list[tuple[str, str]]]] = {}
        for change in preview.changed:
            ref = change.record
            by_record.setdefault((ref.section, ref.uuid), (ref, []))[1].append(
                change_text(change, names)
            )
        groups: list[tuple[str, list[tuple[str, str, list[tuple[str, str]]]]]] = [
            (
                f"Added ({len(preview.added)})",
                [(r.label, r.label, []) for r in preview.added],
            ),
            (
                f"Changed ({plural(len(by_record), 'record')})",
                [(ref.label, ref.label, lines) for ref, lines in by_record.values()],
            ),
            (
                f"Removed ({len(preview.removed)})",
                [(r.label, r.label, []) for r in preview.removed],
            ),
        ]
        shown = [(head, entries) for head, entries in groups if entries]
        if not shown:
            self._lines = 0
            return
        for head, entries in shown:
            group = QTreeWidgetItem([head])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            tree.addTopLevelItem(group)
            for text, whole, lines in entries:
                child = QTreeWidgetItem([text])
                child.setToolTip(0, whole)
                group.addChild(child)
                for line, full in lines:
                    leaf = QTreeWidgetItem([short(line, 200)])
                    leaf.setToolTip(0, full)
                    child.addChild(leaf)
            tree.expandAll()
        self._lines = sum(1 + len(e) + sum(len(x[2]) for x in e) for _h, e in shown)

    def _fit(self, has_conflicts: bool) -> None:
        """As tall as the changes and conflicts need (up to 660), 960 wide; never
        larger than the screen allows."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        line = max(self.changes.fontMetrics().height() + 6, 20)
        row = self.conflicts_view.verticalHeader().defaultSectionSize()
        tree = line * (min(self._lines, 14) + 1) if self._lines else 0
        table = row * (min(self.model.rowCount(), 10) + 2) if has_conflicts else 0
        width, height = 960, 260 + tree + table + (90 if has_conflicts else 0)
        if self.plan.preview is None:
            width, height = 620, 240
        if screen is not None:
            area = screen.availableGeometry()
            width = min(width, area.width() - 48)
            height = min(height, area.height() - 48)
        height = min(max(height, 380 if self.plan.preview is not None else 0), 660)
        self.setMinimumSize(min(560, width), min(240, height))
        self.resize(width, height)
        if has_conflicts:
            self.splitter.setSizes([tree + 30, table + 90])
        header = self.conflicts_view.horizontalHeader()
        header.resizeSection(RECORD, width * 3 // 8)

    # state ----------------------------------------------------------------------------
    def undecided(self) -> int:
        return self.model.undecided()

    def choices(self) -> dict[str, Side]:
        """Each conflict's key → "ours" or "theirs" (what ``apply_import`` takes)."""
        return dict(self.model.choices)

    def _update(self) -> None:
        left = self.undecided()
        self.import_button.setEnabled(left == 0)
        if left:
            self.remaining.setText(
                f"{plural(left, 'conflict')} left to decide before you can import."
            )
        elif self.model.rowCount():
            self.remaining.setText("Every conflict is decided.")
        else:
            self.remaining.setText("")
        self.import_button.setToolTip(
            "" if left == 0 else f"{plural(left, 'conflict')} still to decide"
        )

    def accept(self) -> None:
        if self.undecided():
            return
        super().accept()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._focused:
            self._focused = True
            view = self.conflicts_view
            if self.model.rowCount():
                view.setCurrentIndex(self.model.index(0, HERE))
                view.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                self.import_button.setFocus(Qt.FocusReason.OtherFocusReason)


def _ref_text(ref: RecordRef) -> tuple[str, str]:
    return ref.label, ref.label
