"""The five pages of the import wizard: their widgets, and how each shows what it is given.

Each page only lays out and fills its widgets; the wizard (``import_wizard``)
decides when to read, preview and import, and connects the widgets' signals.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from delegations.services.spreadsheets.preview import OnMatch, Preview
from delegations.services.spreadsheets.reading import DELIMITERS, ENCODINGS
from delegations.services.spreadsheets.table import Source, Table
from delegations.services.spreadsheets.values import DateOrder
from delegations.ui import actions
from delegations.ui.import_tables import (
    FILTERS,
    FieldDelegate,
    MappingModel,
    PreviewModel,
    SampleModel,
)

ERROR_STYLE = "color: #b3261e;"
QUIET_STYLE = "color: #4b5563;"
NEW_ORGANISATIONS_SHOWN = 8
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def label(text: str, style: str = "", buddy: QWidget | None = None, wrap: bool = True) -> QLabel:
    shown = QLabel(text)
    shown.setWordWrap(wrap)
    if style:
        shown.setStyleSheet(style)
    if buddy is not None:
        shown.setBuddy(buddy)
    return shown


def rows_text(count: int) -> str:
    """ "1 row", "10,000 rows"."""
    return f"{count:,} row{'' if count == 1 else 's'}"


def say(target: QLabel, text: str) -> None:
    """Show ``text`` in ``target``, or hide it when there is nothing to say."""
    target.setText(text)
    target.setVisible(bool(text))


class Page(QWidget):
    """A page with a line for what went wrong on it (hidden when nothing did)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = label("", ERROR_STYLE)
        self.error.setAccessibleName("Problem")
        self.error.hide()


class FilePage(Page):
    """Step 1: the file, and the delegation the people join (if any)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Spreadsheet file")
        self.path_edit.setPlaceholderText("the file to import")
        self.path_edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton("B&rowse…")
        self.browse_button.setAccessibleName("Choose the spreadsheet file")
        self.delegation_combo = QComboBox()
        self.delegation_combo.setAccessibleName("Also add them as attendees of")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(label("&File:", buddy=self.path_edit, wrap=False), path_row)
        form.addRow(
            label("Also add them as &attendees of:", buddy=self.delegation_combo, wrap=False),
            self.delegation_combo,
        )
        note = label(
            "With a delegation, the role, status, hotel and travel columns fill each "
            "person's attendance; without one they are ignored.\n"
            "Tip: a spreadsheet dropped on the main window opens here.",
            QUIET_STYLE,
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def set_delegations(self, choices: list[tuple[int, str]], chosen: int | None) -> None:
        combo = self.delegation_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("(none: only the people)", None)
        for delegation_id, text in choices:
            combo.addItem(text, delegation_id)
        combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)
        combo.blockSignals(False)

    def delegation_id(self) -> int | None:
        value = self.delegation_combo.currentData()
        return int(value) if value is not None else None


class SheetPage(Page):
    """Step 2: the sheet of a workbook, or the encoding and delimiter of a CSV file,
    and the first rows as they read with those."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setAccessibleName("Sheet")
        self.encoding_combo = QComboBox()
        self.encoding_combo.setAccessibleName("Encoding")
        self.delimiter_combo = QComboBox()
        self.delimiter_combo.setAccessibleName("Delimiter")
        self.combos = (self.sheet_combo, self.encoding_combo, self.delimiter_combo)
        self.sheet_label = label("&Sheet:", buddy=self.sheet_combo, wrap=False)
        self.encoding_label = label("&Encoding:", buddy=self.encoding_combo, wrap=False)
        self.delimiter_label = label("&Delimiter:", buddy=self.delimiter_combo, wrap=False)
        choices = QHBoxLayout()
        for text, combo in zip(
            (self.sheet_label, self.encoding_label, self.delimiter_label),
            self.combos,
            strict=True,
        ):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            if text is self.delimiter_label:
                choices.addSpacing(16)
            choices.addWidget(text)
            choices.addWidget(combo)
        choices.addStretch(1)
        self.summary = label("", QUIET_STYLE)
        self.sample_model = SampleModel(self)
        self.sample_view = QTableView()
        self.sample_view.setModel(self.sample_model)
        self.sample_view.setAccessibleName("First rows of the file")
        self.sample_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sample_view.setWordWrap(False)
        self.sample_view.setTabKeyNavigation(False)
        self.sample_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.sample_view.horizontalHeader().setDefaultAlignment(LEFT)
        self.workbook = False
        layout = QVBoxLayout(self)
        layout.addLayout(choices)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.sample_view, 1)

    def set_choices(self, source: Source) -> None:
        """The sheets, or the encodings and delimiters offered, the detected ones marked
        "(detected)" and chosen (their data is None: detection decides)."""
        self.workbook = source.format != "csv"
        for combo in self.combos:
            combo.blockSignals(True)
            combo.clear()
        self.sheet_combo.addItems(list(source.sheets))
        detected = source.detected_encoding
        if detected and detected not in dict(ENCODINGS):
            self.encoding_combo.addItem(f"{detected} (detected)", None)
        for codec, name in ENCODINGS:
            found = codec == detected
            self.encoding_combo.addItem(
                f"{name} (detected)" if found else name, None if found else codec
            )
        if source.delimiter and source.delimiter not in dict(DELIMITERS):
            self.delimiter_combo.addItem(f"“{source.delimiter}” (detected)", None)
        for char, name in DELIMITERS:
            shown = f"{name} “{char}”" if char.strip() else name
            found = char == source.delimiter
            self.delimiter_combo.addItem(
                f"{shown} (detected)" if found else shown, None if found else char
            )
        for combo in self.combos[1:]:
            combo.setCurrentIndex(max(combo.findData(None), 0))
        for combo in self.combos:
            combo.blockSignals(False)
        for widget in (self.sheet_label, self.sheet_combo):
            widget.setVisible(self.workbook)
        for widget in (*self.combos[1:], self.encoding_label, self.delimiter_label):
            widget.setVisible(not self.workbook)

    def chosen(self) -> tuple[str | None, str | None, str | None]:
        """(sheet, encoding, delimiter) as ``reading.read_table`` takes them."""
        if self.workbook:
            return self.sheet_combo.currentText(), None, None
        return None, self.encoding_combo.currentData(), self.delimiter_combo.currentData()

    def first_field(self) -> QWidget:
        return self.sheet_combo if self.workbook else self.encoding_combo

    def show_table(self, table: Table | None) -> None:
        self.sample_model.set_table(table)
        if table is None:
            self.summary.setText("")
            return
        where = f"sheet “{table.sheet}”, " if table.sheet else ""
        columns = len(table.header)
        self.summary.setText(
            f"{table.source.path.name}: {where}{columns:,} column{'' if columns == 1 else 's'}, "
            f"{rows_text(len(table.rows))} below the header. The first rows:"
        )
        self.sample_view.resizeColumnsToContents()
        for column in range(self.sample_model.columnCount()):
            if self.sample_view.columnWidth(column) > 240:
                self.sample_view.setColumnWidth(column, 240)


class MappingPage(Page):
    """Step 3: what each column of the file fills, how dates read, saved mappings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date_order_combo = QComboBox()
        self.date_order_combo.setAccessibleName("Dates read")
        for order in DateOrder:
            self.date_order_combo.addItem(order.label, order.value)
        self.saved_combo = QComboBox()
        self.saved_combo.setAccessibleName("Apply a saved mapping")
        self.saved_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.save_button = QPushButton("Save mapping &as…")
        self.save_button.setAccessibleName("Save this mapping under a name")
        top = QHBoxLayout()
        top.addWidget(label("&Dates read:", buddy=self.date_order_combo, wrap=False))
        top.addWidget(self.date_order_combo)
        top.addStretch(1)
        top.addWidget(self.saved_combo)
        top.addWidget(self.save_button)
        self.model = MappingModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Columns of the file")
        self.view.setItemDelegateForColumn(MappingModel.FIELD, FieldDelegate(self))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(QComboBox().sizeHint().height() + 6)
        self.view.horizontalHeader().setDefaultAlignment(LEFT)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.problems = label("", ERROR_STYLE)
        self.problems.setAccessibleName("What stops the import")
        self.notices = label("", QUIET_STYLE)
        self.notices.setAccessibleName("Notes on the mapping")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.notices)
        layout.addWidget(self.error)

    def date_order(self) -> DateOrder:
        return DateOrder(self.date_order_combo.currentData() or DateOrder.DAY_FIRST.value)

    def show_date_order(self, order: DateOrder) -> None:
        combo = self.date_order_combo
        combo.blockSignals(True)
        combo.setCurrentIndex(max(combo.findData(order.value), 0))
        combo.blockSignals(False)

    def show_columns(self) -> None:
        """A combo of the fields in each row (the model was just filled)."""
        for row in range(self.model.rowCount()):
            self.view.openPersistentEditor(self.model.index(row, MappingModel.FIELD))
        metrics = self.view.fontMetrics()
        widest = max((metrics.horizontalAdvance(h) for h in self.model.header), default=0)
        self.view.setColumnWidth(0, min(max(widest + 32, 140), 280))
        editor = self.editor(0) if self.model.rowCount() else None
        self.view.setColumnWidth(
            MappingModel.FIELD, max(editor.sizeHint().width() + 16 if editor else 0, 240)
        )

    def editor(self, row: int) -> QComboBox | None:
        """The combo of the field that column ``row`` of the file fills."""
        editor = self.view.indexWidget(self.model.index(row, MappingModel.FIELD))
        return editor if isinstance(editor, QComboBox) else None

    def first_field(self) -> QWidget:
        return (self.editor(0) if self.model.rowCount() else None) or self.view

    def set_saved_names(self, names: list[str]) -> None:
        combo = self.saved_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Apply saved mapping…" if names else "No saved mappings yet", None)
        for name in names:
            combo.addItem(name, name)
        combo.blockSignals(False)
        combo.setEnabled(bool(names))

    def saved_names(self) -> list[str]:
        combo = self.saved_combo
        return [str(combo.itemData(i)) for i in range(1, combo.count())]

    def reset_saved_choice(self) -> None:
        self.saved_combo.blockSignals(True)
        self.saved_combo.setCurrentIndex(0)
        self.saved_combo.blockSignals(False)

    def show_messages(self, problems: list[str], notices: list[str]) -> None:
        say(self.problems, "\n".join(problems))
        say(self.notices, "\n".join(notices))

    def add_notice(self, text: str) -> None:
        """A line on top of the notes (a field moved, a mapping applied or saved)."""
        say(self.notices, f"{text}\n{self.notices.text()}".strip())


class PreviewPage(Page):
    """Step 4: what each row would do, the choices for the rows that match someone,
    and why Import is not available when it is not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setAccessibleName("What the import will do")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setWordWrap(True)
        self.details = label("", QUIET_STYLE)
        self.details.setAccessibleName("New organisations and notes")
        self.filter_combo = QComboBox()
        self.filter_combo.setAccessibleName("Show rows")
        self.filter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.on_match_combo = QComboBox()
        self.on_match_combo.setAccessibleName("For all matches")
        for choice in OnMatch:
            self.on_match_combo.addItem(choice.label, choice.value)
        self.decision_buttons: dict[OnMatch, QPushButton] = {}
        for choice, text, name in (
            (OnMatch.UPDATE, "&Update", "Update the people the selected rows match"),
            (OnMatch.SKIP, "S&kip", "Skip the selected rows that match someone"),
            (OnMatch.CREATE, "&Create new", "Create new people for the selected rows anyway"),
        ):
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.setToolTip(name)
            self.decision_buttons[choice] = button
        bar = QHBoxLayout()
        bar.addWidget(label("S&how:", buddy=self.filter_combo, wrap=False))
        bar.addWidget(self.filter_combo)
        bar.addSpacing(16)
        bar.addWidget(label("For all &matches:", buddy=self.on_match_combo, wrap=False))
        bar.addWidget(self.on_match_combo)
        bar.addStretch(1)
        bar.addWidget(QLabel("Selected rows:"))
        for button in self.decision_buttons.values():
            bar.addWidget(button)
        self.model = PreviewModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Rows of the file and what happens to them")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.setShowGrid(False)
        vertical = self.view.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.horizontalHeader().setDefaultAlignment(LEFT)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.skip_errors = QCheckBox("Leave rows with errors &out and import the others")
        self.refusal = label("")
        self.refusal.setAccessibleName("Why Import is not available")
        self.refusal.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.skip_errors)
        layout.addWidget(self.refusal)
        layout.addWidget(self.error)

    def show_preview(self, preview: Preview) -> None:
        """The counts, new organisations and notes, and the rows (the selection kept)."""
        keep = self.selected_numbers()
        self.model.set_preview(preview)
        counts = str(preview.counts)
        into = (
            f" They become attendees of “{preview.delegation_title}”."
            if preview.delegation_id is not None
            else ""
        )
        self.summary.setText(f"{counts[:1].upper()}{counts[1:]}.{into}")
        lines = []
        names = preview.new_organisations
        if names:
            shown = ", ".join(names[:NEW_ORGANISATIONS_SHOWN])
            more = len(names) - NEW_ORGANISATIONS_SHOWN
            lines.append(
                f"New organisations ({len(names)}): {shown}"
                + (f" and {more} more." if more > 0 else ".")
            )
        say(self.details, "\n".join([*lines, *preview.notices]))
        combo = self.filter_combo
        current = max(combo.currentIndex(), 0)
        combo.blockSignals(True)
        combo.clear()
        for name, keep_row in FILTERS:
            combo.addItem(f"{name} ({self.model.count(keep_row):,})")
        combo.setCurrentIndex(current)
        combo.blockSignals(False)
        self.skip_errors.setEnabled(preview.counts.error > 0)
        self._size_columns()
        self.select_numbers(keep)

    def show_refusal(self, reason: str | None, writes: int) -> None:
        """Why Import is not available, or how much it will write."""
        if reason is None:
            self.refusal.setText(
                f"Ready: {rows_text(writes)} will be written as one change "
                f"({actions.hint('undo')} takes it back)."
            )
            self.refusal.setStyleSheet(QUIET_STYLE)
        else:
            self.refusal.setText(reason)
            self.refusal.setStyleSheet(ERROR_STYLE)

    def show_on_match(self, choice: OnMatch) -> None:
        combo = self.on_match_combo
        combo.blockSignals(True)
        combo.setCurrentIndex(max(combo.findData(choice.value), 0))
        combo.blockSignals(False)

    def _size_columns(self) -> None:
        """Each column as wide as a sample of its rows needs, within bounds; the last
        (changes and problems) takes what is left."""
        metrics = self.view.fontMetrics()
        model = self.model
        sample = [model.plan_at(r) for r in range(min(model.rowCount(), 200))]

        def widest(texts: list[str], floor: int, cap: int) -> int:
            width = max((metrics.horizontalAdvance(t) for t in texts), default=0) + 20
            return min(max(width, floor), cap)

        view = self.view
        view.setColumnWidth(0, widest([*(str(p.number) for p in sample), "Row"], 44, 90))
        view.setColumnWidth(1, widest(["New person", "No change"], 80, 140))
        view.setColumnWidth(2, widest([p.name for p in sample], 120, 220))
        view.setColumnWidth(3, widest([p.organisation for p in sample], 110, 220))
        view.setColumnWidth(4, widest([str(p.match) for p in sample if p.match], 90, 260))

    def selected_rows(self) -> list[int]:
        selection = self.view.selectionModel()
        return sorted({i.row() for i in selection.selectedRows()}) if selection else []

    def selected_numbers(self) -> list[int]:
        """The spreadsheet row numbers of the selected rows."""
        return [self.model.plan_at(r).number for r in self.selected_rows()]

    def matched_numbers(self) -> list[int]:
        """The spreadsheet row numbers of the selected rows that match someone."""
        plans = (self.model.plan_at(r) for r in self.selected_rows())
        return [p.number for p in plans if p.match is not None]

    def select_numbers(self, numbers: Collection[int]) -> None:
        """Select the rows of spreadsheet rows ``numbers`` (those the filter shows)."""
        model = self.model
        rows = model.rows_of(numbers)
        selection = QItemSelection()
        last, start = model.columnCount() - 1, 0
        for i, row in enumerate(rows):  # one range per run of consecutive rows
            if i + 1 == len(rows) or rows[i + 1] != row + 1:
                selection.select(model.index(rows[start], 0), model.index(row, last))
                start = i + 1
        flags = QItemSelectionModel.SelectionFlag
        chosen = self.view.selectionModel()
        chosen.select(selection, flags.ClearAndSelect | flags.Rows)
        if rows:
            first = model.index(rows[0], 0)
            chosen.setCurrentIndex(first, flags.NoUpdate)
            self.view.scrollTo(first)


class DonePage(Page):
    """Step 5: what was imported, and how to take it back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result = label("")
        self.result.setAccessibleName("What was imported")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.result.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.result.setFont(font)
        self.undo_note = label(
            f"{actions.hint('undo')} takes the whole import back in one step.", QUIET_STYLE
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.result)
        layout.addWidget(self.undo_note)
        layout.addStretch(1)
