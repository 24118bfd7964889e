"""Import people from a spreadsheet: file, how it reads, its columns, a preview, the import.

The wizard shows what ``services.spreadsheets`` answers and passes the user's
choices back: ``reading`` decodes the file (and says which encoding and delimiter
it found), ``mapping`` guesses which column fills which field and says what stops
an import, ``preview`` says what each row would do (new, update, no change,
skipped, error) and ``people_import`` writes exactly that, through the runner, as
one step of the undo history. No rule lives here; the pages are in
``import_pages``, their tables in ``import_tables``.

Long work (reading a big file, previewing or importing 1,000 rows or more) runs
on a worker thread with a progress bar; Stop (or Escape) ends it and nothing is
written. Otherwise Cancel and Escape close the wizard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from delegations.services import ServiceError, ValidationError, queries
from delegations.services import operations as ops
from delegations.services.history import Outcome
from delegations.services.spreadsheets import mapping as mappings
from delegations.services.spreadsheets import preview as previews
from delegations.services.spreadsheets.mapping import ColumnMap
from delegations.services.spreadsheets.people_import import ImportResult, import_people, refusal
from delegations.services.spreadsheets.preview import OnMatch, Options, Preview
from delegations.services.spreadsheets.reading import read_table
from delegations.services.spreadsheets.table import Table
from delegations.ui.import_pages import (
    QUIET_STYLE,
    DonePage,
    FilePage,
    MappingPage,
    Page,
    PreviewPage,
    SheetPage,
    label,
    rows_text,
    say,
)
from delegations.ui.import_tables import FILTERS, MappingModel
from delegations.ui.runner import Runner
from delegations.ui.workers import Cancelled, Task

ProgressFn = Callable[[int, int], bool]
Work = Callable[[ProgressFn | None], Any]

FILE_FILTER = "Spreadsheets (*.csv *.txt *.tsv *.xlsx *.xlsm *.ods);;All files (*)"
SPREADSHEET_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".ods"})
"""The files a drop on the window opens in the wizard."""
BACKGROUND_ROWS = 1_000
"""Previews and imports of this many rows or more run on a worker thread, with Stop."""
BACKGROUND_BYTES = 512 * 1024
"""Files this big or bigger are read on a worker thread, with Stop."""


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str


STEPS = (
    Step(
        "file",
        "Choose the file",
        "A list with one row per person under a header row: CSV (.csv, .txt, .tsv), "
        "Excel (.xlsx) or OpenDocument (.ods). Nothing is written before the last step.",
    ),
    Step(
        "sheet",
        "Check how the file reads",
        "The first rows as they were read. If accents look wrong (Ã© instead of é), "
        "choose another encoding; if everything sits in one column, another delimiter.",
    ),
    Step(
        "mapping",
        "Choose what each column fills",
        "Each column was matched to a field by its header. Change any that is wrong; "
        "a column set to (ignore) is not imported.",
    ),
    Step(
        "preview",
        "Check what the import will do",
        "Each row becomes a new person, updates the person it matches, or is left out. "
        "For a row that matches someone, you choose what happens.",
    ),
    Step("done", "Imported", ""),
)
STEP_KEYS = tuple(s.key for s in STEPS)


class _Relay(QObject):
    """Progress from a worker thread to the wizard, and the user's Stop back to the work.

    Called as ``relay(done, total)`` by the services; raises ``workers.Cancelled``
    once ``cancel()`` was called, so the work stops at its next step (before it
    commits anything).

    Signals:
        progressed(int, int): done, total.
    """

    progressed = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = threading.Event()

    def cancel(self) -> None:
        self._stop.set()

    def __call__(self, done: int, total: int) -> bool:
        if self._stop.is_set():
            raise Cancelled("cancelled")
        self.progressed.emit(done, total)
        return True


@contextmanager
def _waiting() -> Iterator[None]:
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def is_spreadsheet(path: Path) -> bool:
    """Whether a dropped file is one the wizard reads (by its name)."""
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


class ImportWizard(QDialog):
    """Import people (and attendees of a delegation) from a spreadsheet, in five steps.

    Args:
        runner: runs the import (one undoable step) and reads through its database.
        choose_file: (caption, start, filters, save?) → path or "" (the window's).
        confirm: asks a yes/no question (title, text) → yes?
        folder: where Browse… starts.
        path: a file to start with (a file dropped on the window).
        delegation_id: the delegation to add the people to, chosen at first.
        parent: the window.

    Signals:
        imported(object): the ``ImportResult`` of a finished import.
        folder_used(object): a file was chosen in this folder (to start there next time).
    """

    imported = Signal(object)
    folder_used = Signal(object)

    def __init__(
        self,
        runner: Runner,
        choose_file: Callable[[str, str, str, bool], str],
        confirm: Callable[[str, str], bool],
        folder: Path,
        path: Path | None = None,
        delegation_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.choose_file = choose_file
        self.confirm = confirm
        self.folder = folder
        self.table: Table | None = None
        """The table as last read (None while the file cannot be read as chosen)."""
        self.preview: Preview | None = None
        self.preview_options: Options | None = None
        self.import_result: ImportResult | None = None
        self.on_match = OnMatch.UPDATE
        self.decisions: dict[int, OnMatch] = {}
        self.task: Task | None = None
        self.relay: _Relay | None = None
        self._own_task = False
        self._focused = False
        self.setWindowTitle("Import people")
        self.setAccessibleName("Import people")
        self.setSizeGripEnabled(True)

        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        self.hint = label("", QUIET_STYLE)
        self.file_page = FilePage()
        self.sheet_page = SheetPage()
        self.mapping_page = MappingPage()
        self.preview_page = PreviewPage()
        self.done_page = DonePage()
        self.pages: dict[str, Page] = dict(
            zip(
                STEP_KEYS,
                (
                    self.file_page,
                    self.sheet_page,
                    self.mapping_page,
                    self.preview_page,
                    self.done_page,
                ),
                strict=True,
            )
        )
        self.stack = QStackedWidget()
        for page in self.pages.values():
            self.stack.addWidget(page)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress")
        self.progress.hide()
        self.busy_label = QLabel()
        self.busy_label.hide()
        self.back_button = QPushButton("< &Back")
        self.next_button = QPushButton("&Next >")
        self.import_button = QPushButton("&Import")
        self.cancel_button = QPushButton("Cancel")
        self.close_button = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.busy_label)
        buttons.addWidget(self.progress, 3)
        buttons.addStretch(1)  # the buttons keep their size, on the right
        for button in (
            self.back_button,
            self.next_button,
            self.import_button,
            self.cancel_button,
            self.close_button,
        ):
            buttons.addWidget(button)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.stack, 1)
        layout.addWidget(rule)
        layout.addLayout(buttons)
        self._connect()
        self._fit()
        if path is not None:
            self.file_page.path_edit.setText(str(path))
        with runner.db.session() as session:
            rows = queries.list_delegations(session)
        self.file_page.set_delegations(
            [(r.id, f"{r.title} ({r.start_date:%d %b %Y})") for r in rows], delegation_id
        )
        self.go("file")

    def _connect(self) -> None:
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.reject)
        self.close_button.clicked.connect(self.accept)
        f = self.file_page
        f.path_edit.textChanged.connect(lambda _text: self._update_buttons())
        f.browse_button.clicked.connect(self.browse)
        f.delegation_combo.currentIndexChanged.connect(lambda _i: self._delegation_changed())
        for combo in self.sheet_page.combos:
            combo.currentIndexChanged.connect(lambda _i: self.reread())
        m = self.mapping_page
        m.model.mapping_changed.connect(self._mapping_changed)
        m.model.moved.connect(
            lambda field, before, now: m.add_notice(
                f"{field} now comes from “{now}”; “{before}” is ignored."
            )
        )
        m.date_order_combo.currentIndexChanged.connect(lambda _i: self._date_order_chosen())
        m.saved_combo.currentIndexChanged.connect(self._saved_chosen)
        m.save_button.clicked.connect(self.save_mapping)
        p = self.preview_page
        p.filter_combo.currentIndexChanged.connect(self._filter_chosen)
        p.on_match_combo.currentIndexChanged.connect(lambda _i: self._on_match_chosen())
        for choice, button in p.decision_buttons.items():
            button.clicked.connect(lambda _c=False, choice=choice: self.decide_selected(choice))
        p.view.customContextMenuRequested.connect(self._context_menu)
        p.view.selectionModel().selectionChanged.connect(
            lambda *_args: self._update_decision_buttons()
        )
        p.skip_errors.toggled.connect(lambda _on: self._update_refusal())

    # size and focus -----------------------------------------------------------------
    def _fit(self) -> None:
        """1000 × 680, or more of a large screen; never larger than the screen allows."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        width, height = 1000, 680
        if screen is not None:
            area = screen.availableGeometry()
            width = min(max(width, area.width() * 2 // 3), area.width() - 48)
            height = min(max(height, area.height() * 3 // 4), area.height() - 48)
        self.setMinimumSize(min(640, width), min(440, height))
        self.resize(width, height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._focused:
            self._focused = True
            self._focus_step()

    def _focus_step(self) -> None:
        """The first useful field of the step (Next when the file is given already)."""
        step = self.step()
        target: QWidget = {
            "file": self.file_page.path_edit,
            "sheet": self.sheet_page.first_field(),
            "mapping": self.mapping_page.first_field(),
            "preview": self.preview_page.view,
            "done": self.close_button,
        }[step]
        if step == "file" and self.file_page.path_edit.text():
            target = self.next_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # steps ----------------------------------------------------------------------------
    def step(self) -> str:
        return STEP_KEYS[self.stack.currentIndex()]

    def go(self, key: str) -> None:
        index = STEP_KEYS.index(key)
        spec = STEPS[index]
        self.stack.setCurrentIndex(index)
        counted = f"Step {index + 1} of {len(STEPS) - 1}: " if key != "done" else ""
        self.heading.setText(f"{counted}{spec.title}")
        say(self.hint, spec.hint)
        self._update_buttons()
        if self.isVisible():
            self._focus_step()

    def next(self) -> None:
        """Next: read the file, then show its columns, then preview the import."""
        if self.busy() or not self.next_button.isEnabled():
            return
        step = self.step()
        if step == "file":
            self._read_file()
        elif step == "sheet":
            self._show_mapping()
        elif step == "mapping":
            self._build_preview(then=lambda: self.go("preview"))

    def back(self) -> None:
        index = STEP_KEYS.index(self.step())
        if not self.busy() and 0 < index < STEP_KEYS.index("done"):
            self.go(STEP_KEYS[index - 1])

    def _update_buttons(self) -> None:
        step, busy = self.step(), self.busy()
        done = step == "done"
        self.back_button.setVisible(not done)
        self.next_button.setVisible(step in ("file", "sheet", "mapping"))
        self.import_button.setVisible(step == "preview")
        self.cancel_button.setVisible(not done)
        self.close_button.setVisible(done)
        self.back_button.setEnabled(not busy and step != "file")
        ready = {
            "file": bool(self.file_page.path_edit.text().strip()),
            "sheet": self.table is not None,
            "mapping": self.table is not None and not self._mapping_problems(),
        }
        self.next_button.setEnabled(not busy and ready.get(step, False))
        self.import_button.setEnabled(not busy and self._refusal() is None)
        self.cancel_button.setText("Stop" if busy else "Cancel")
        self.cancel_button.setToolTip(
            "Stop this; nothing is written (Esc)" if busy else "Close without importing (Esc)"
        )
        self.stack.setEnabled(not busy)
        default = {"preview": self.import_button, "done": self.close_button}.get(
            step, self.next_button
        )
        for button in (self.next_button, self.import_button, self.close_button):
            button.setDefault(button is default)

    def _show_error(self, step: str, message: str) -> None:
        say(self.pages[step].error, message)

    # step 1: the file -----------------------------------------------------------------
    def delegation_id(self) -> int | None:
        return self.file_page.delegation_id()

    def _delegation_changed(self) -> None:
        self.preview = None
        if self.mapping_page.model.header:
            self._mapping_changed(self.mapping())

    def chosen_path(self) -> Path:
        return Path(self.file_page.path_edit.text().strip()).expanduser()

    def browse(self) -> None:
        current = self.file_page.path_edit.text().strip()
        start = str(Path(current).expanduser().parent) if current else str(self.folder)
        chosen = self.choose_file("Import people from a spreadsheet", start, FILE_FILTER, False)
        if chosen:
            self.file_page.path_edit.setText(chosen)
            self.folder = Path(chosen).parent
            self.folder_used.emit(self.folder)
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _read_file(self) -> None:
        """Read the file chosen (detecting its encoding and delimiter), then show it."""
        path = self.chosen_path()
        self._show_error("file", "")
        if self.table is not None and self.table.source.path == path:
            self.go("sheet")  # read already, with the choices made on the next step
            return

        def read(table: Table) -> None:
            self.sheet_page.set_choices(table.source)
            self._show_table(table)
            self.go("sheet")

        self._read(path, read, "file")

    # step 2: sheet and encoding -------------------------------------------------------
    def _read(
        self,
        path: Path,
        then: Callable[[Table], None],
        step: str,
        sheet: str | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> None:
        def work(progress: ProgressFn | None) -> Table:
            return read_table(
                path, sheet=sheet, encoding=encoding, delimiter=delimiter, progress=progress
            )

        def failed(message: str) -> None:
            self._show_error(step, message)
            if step == "sheet":
                self._show_table(None)

        self._start(
            work,
            then,
            failed,
            f"Reading {path.name}…",
            background=_file_size(path) >= BACKGROUND_BYTES,
        )

    def reread(self) -> None:
        """Read the file again with the sheet, encoding and delimiter chosen."""
        if self.busy():
            return
        self._show_error("sheet", "")
        sheet, encoding, delimiter = self.sheet_page.chosen()
        self._read(self.chosen_path(), self._show_table, "sheet", sheet, encoding, delimiter)

    def _show_table(self, table: Table | None) -> None:
        self.table = table
        self.preview = None
        self.decisions = {}  # they name rows of the file read before
        self.sheet_page.show_table(table)
        if table is not None:
            self._show_error("sheet", "")
        self._update_buttons()

    # step 3: the mapping --------------------------------------------------------------
    def mapping(self) -> ColumnMap:
        return self.mapping_page.model.mapping

    def _show_mapping(self) -> None:
        """The columns of the table read, with the mapping its header suggests (or the
        one chosen before, when the header is the same)."""
        table = self.table
        if table is None:
            return
        page = self.mapping_page
        mapping = self.mapping()
        if page.model.header != table.header:
            mapping = mappings.guess(table.header, page.date_order())
        page.model.set_table(table, mapping)
        page.show_columns()
        self._load_saved_names()
        self._mapping_changed(mapping)
        self._show_error("mapping", "")
        self.go("mapping")

    def set_field(self, header: str, key: str | None) -> None:
        """Make column ``header`` fill field ``key`` (None: ignore it), as its combo does."""
        model = self.mapping_page.model
        model.setData(model.index(model.header.index(header), MappingModel.FIELD), key)

    def _mapping_problems(self) -> list[str]:
        header = self.mapping_page.model.header
        return mappings.problems(self.mapping(), list(header)) if header else []

    def _mapping_changed(self, mapping: ColumnMap) -> None:
        self.preview = None
        self.mapping_page.show_messages(
            self._mapping_problems(), mappings.notices(mapping, self.delegation_id() is not None)
        )
        self.mapping_page.show_date_order(mapping.date_order)
        self._update_buttons()

    def _date_order_chosen(self) -> None:
        order = self.mapping_page.date_order()
        self.mapping_page.model.set_mapping(replace(self.mapping(), date_order=order))

    def _load_saved_names(self) -> None:
        with self.runner.db.session() as session:
            self.mapping_page.set_saved_names(mappings.saved_names(session))

    def _saved_chosen(self, index: int) -> None:
        name = self.mapping_page.saved_combo.itemData(index)
        self.mapping_page.reset_saved_choice()
        if name:
            self.apply_saved(str(name))

    def apply_saved(self, name: str) -> bool:
        """Apply the saved mapping ``name`` to this file's columns (those it has)."""
        try:
            with self.runner.db.session() as session:
                saved = mappings.load(session, name)
        except ValidationError as exc:
            self._show_error("mapping", "\n".join(exc.errors.values()))
            return False
        except ServiceError as exc:
            self._show_error("mapping", str(exc))
            return False
        header = self.mapping_page.model.header
        kept = {h: k for h, k in saved.columns.items() if h in header}
        missing = [f"“{h}”" for h in saved.columns if h not in header]
        self.mapping_page.model.set_mapping(ColumnMap(kept, saved.date_order))
        self._show_error("mapping", "")
        note = f"Applied the saved mapping “{name}”."
        if missing:
            more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
            note += (
                f" This file has no column {', '.join(missing[:5])}{more}; the fields they "
                "filled stay empty."
            )
        self.mapping_page.add_notice(note)
        return True

    def ask_text(self, title: str, text: str, start: str) -> str | None:
        """A line of text from the user, or None when cancelled (tests replace it)."""
        value, ok = QInputDialog.getText(self, title, text, QLineEdit.EchoMode.Normal, start)
        return value if ok else None

    def save_mapping(self) -> bool:
        """Ask for a name, then save the mapping under it (one undoable change)."""
        start = self.table.source.path.stem if self.table is not None else ""
        name = (self.ask_text("Save mapping", "Save this mapping as:", start) or "").strip()
        if not name:
            return False
        if name in self.mapping_page.saved_names() and not self.confirm(
            "Replace the saved mapping?",
            f"A mapping called “{name}” is saved already. Replace it with this one?",
        ):
            return False
        mapping = self.mapping()

        def run(session: Any) -> str:
            return mappings.save(session, name, mapping)

        outcome = self.runner.run(ops.custom(f"save the import mapping “{name}”", run), self)
        if outcome is None:  # the runner said why
            return False
        self._load_saved_names()
        self.mapping_page.add_notice(f"Saved as “{outcome.result}”.")
        return True

    # step 4: the preview --------------------------------------------------------------
    def options(self) -> Options:
        return Options(self.delegation_id(), self.on_match, dict(self.decisions))

    def _build_preview(
        self, then: Callable[[], None] | None = None, undo: Callable[[], None] | None = None
    ) -> None:
        """Preview the import with the current choices; ``then`` runs once it is shown,
        ``undo`` when it failed or was stopped."""
        table, mapping, options = self.table, self.mapping(), self.options()
        if table is None:
            return
        db, step = self.runner.db, self.step()

        def work(progress: ProgressFn | None) -> Preview:
            with db.session() as session:
                return previews.build(session, table, mapping, options, progress)

        def built(preview: Preview) -> None:
            self.preview, self.preview_options = preview, options
            self.preview_page.show_preview(preview)
            self._show_error(step, "")
            self._update_refusal()
            self._update_decision_buttons()
            if then is not None:
                then()

        def failed(message: str) -> None:
            self._show_error(step, message)
            if undo is not None:
                undo()

        self._start(
            work,
            built,
            failed,
            f"Checking {rows_text(len(table.rows))}…",
            background=len(table.rows) >= BACKGROUND_ROWS,
            stopped=undo,
        )

    def show_rows(self, name: str) -> None:
        """Show the rows of the filter called ``name`` ("All rows", "Errors"…)."""
        index = next(i for i, (label_, _keep) in enumerate(FILTERS) if label_ == name)
        self.preview_page.filter_combo.setCurrentIndex(index)

    def _filter_chosen(self, index: int) -> None:
        if 0 <= index < len(FILTERS):
            page = self.preview_page
            keep = page.selected_numbers()
            page.model.set_filter(FILTERS[index][1])
            page.select_numbers(keep)

    def _refusal(self) -> str | None:
        if self.preview is None:
            return "Build the preview first."
        return refusal(self.preview, self.preview_page.skip_errors.isChecked())

    def _update_refusal(self) -> None:
        writes = self.preview.writes if self.preview is not None else 0
        self.preview_page.show_refusal(self._refusal(), writes)
        self._update_buttons()

    # decisions ------------------------------------------------------------------------
    def _update_decision_buttons(self) -> None:
        matched = bool(self.preview_page.matched_numbers())
        for button in self.preview_page.decision_buttons.values():
            button.setEnabled(matched)

    def decide_selected(self, choice: OnMatch) -> None:
        """What to do with the selected rows that match someone; the preview follows."""
        numbers = self.preview_page.matched_numbers()
        if not numbers or self.busy():
            return
        before = dict(self.decisions)
        self.decisions.update(dict.fromkeys(numbers, choice))
        self._rebuild(before, self.on_match)

    def set_on_match(self, choice: OnMatch) -> None:
        """ "For all matches": what to do with every row that matches someone."""
        combo = self.preview_page.on_match_combo
        combo.setCurrentIndex(combo.findData(choice.value))

    def _on_match_chosen(self) -> None:
        value = self.preview_page.on_match_combo.currentData()
        if value is None or self.busy():
            return
        choice = OnMatch(value)
        if choice == self.on_match and not self.decisions:
            return
        before, before_all = dict(self.decisions), self.on_match
        self.on_match, self.decisions = choice, {}  # for all of them: row choices go
        self._rebuild(before, before_all)

    def _rebuild(self, decisions: dict[int, OnMatch], on_match: OnMatch) -> None:
        """Preview again; if that fails or is stopped, the choices go back as they were."""

        def undo() -> None:
            self.decisions, self.on_match = decisions, on_match
            self.preview_page.show_on_match(on_match)

        self._build_preview(undo=undo)

    def _context_menu(self, point: QPoint) -> None:
        menu = QMenu(self)
        enabled = bool(self.preview_page.matched_numbers())
        for choice, text in (
            (OnMatch.UPDATE, "Update the people they match"),
            (OnMatch.SKIP, "Skip these rows"),
            (OnMatch.CREATE, "Create new people anyway"),
        ):
            action = menu.addAction(text)
            action.setEnabled(enabled)
            action.triggered.connect(lambda _c=False, choice=choice: self.decide_selected(choice))
        menu.popup(self.preview_page.view.viewport().mapToGlobal(point))

    # step 5: the import ---------------------------------------------------------------
    def start_import(self) -> None:
        """Import what the preview shows, through the runner (one undoable step)."""
        preview, table = self.preview, self.table
        if self.busy() or preview is None or table is None or self._refusal() is not None:
            return
        options = self.preview_options or self.options()
        skip = self.preview_page.skip_errors.isChecked()
        self._show_error("preview", "")
        if len(table.rows) < BACKGROUND_ROWS:
            operation = import_people(
                table, self.mapping(), options, skip_errors=skip, expect=preview.counts
            )
            outcome = self.runner.run(operation, self)
            if outcome is None:  # the runner said why; show the data as it is now
                self._build_preview()
            else:
                self._imported(outcome)
            return
        relay = _Relay(self)
        operation = import_people(
            table, self.mapping(), options, skip_errors=skip, expect=preview.counts, progress=relay
        )
        task = self.runner.run_in_background(
            operation,
            f"Importing {rows_text(len(table.rows))} from {table.source.path.name}…",
            self._imported,
            self,
            cancelled=self._import_stopped,
        )
        if task is None:  # another import is running; the runner said so
            return
        task.failed.connect(lambda _message: self._import_failed())
        self._busy(task, relay, "Importing…", own=False)

    def _imported(self, outcome: Outcome[ImportResult]) -> None:
        self._idle()
        self.import_result = outcome.result
        where = (
            "They are listed in the delegation's Attendees tab."
            if self.delegation_id() is not None
            else "The people imported are selected on the People page."
        )
        self.done_page.result.setText(f"Done: {outcome.result}.\n{where}")
        self.go("done")
        self.imported.emit(outcome.result)

    def _import_failed(self) -> None:
        """The runner said why; the preview is built again to show the data as it is now."""
        self._idle()
        self._build_preview()

    def _import_stopped(self) -> None:
        self._idle()
        self._show_error("preview", "Import stopped; nothing was written.")

    # long work ------------------------------------------------------------------------
    def busy(self) -> bool:
        return self.task is not None

    def _start(
        self,
        work: Work,
        done: Callable[[Any], None],
        failed: Callable[[str], None],
        busy_text: str,
        background: bool,
        stopped: Callable[[], None] | None = None,
    ) -> None:
        """Run ``work``: at once when small, else on a worker thread with progress and Stop."""
        if not background:
            try:
                with _waiting():
                    result = work(None)
            except (ServiceError, OSError) as exc:
                failed(str(exc) or type(exc).__name__)
                return
            done(result)
            return
        relay = _Relay(self)
        task = Task(lambda _progress: work(relay), expected=(ServiceError, OSError), parent=self)

        def succeeded(result: Any) -> None:
            self._idle()
            done(result)

        def went_wrong(message: str) -> None:
            self._idle()
            failed(message)

        def was_stopped() -> None:
            self._idle()
            self._show_error(self.step(), "Stopped; nothing was changed.")
            if stopped is not None:
                stopped()

        task.succeeded.connect(succeeded)
        task.failed.connect(went_wrong)
        task.was_cancelled.connect(was_stopped)
        self._busy(task, relay, busy_text, own=True)
        task.start()

    def _busy(self, task: Task, relay: _Relay, text: str, own: bool) -> None:
        self.task, self.relay, self._own_task = task, relay, own
        relay.progressed.connect(
            lambda done, total: self._progressed(done, total) if self.relay is relay else None
        )
        self.busy_label.setText(text)
        self.busy_label.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        self._update_buttons()
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _progressed(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if done >= total:  # the work is past its last chance to stop: saving, say
            self.progress.setRange(0, 0)
            self.busy_label.setText("Finishing…")
            self.cancel_button.setEnabled(False)
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _idle(self) -> None:
        task, own = self.task, self._own_task
        self.task, self.relay = None, None
        if task is not None and own:
            task.wait()
            task.deleteLater()
        self.progress.hide()
        self.busy_label.hide()
        self.cancel_button.setEnabled(True)
        self._update_buttons()
        if self.isVisible():
            self._focus_step()

    def stop(self) -> None:
        """Stop the long work under way; nothing is written."""
        if self.relay is not None:
            self.relay.cancel()
            self.busy_label.setText("Stopping…")
            self.cancel_button.setEnabled(False)

    # closing --------------------------------------------------------------------------
    def reject(self) -> None:
        """Cancel or Escape: stops the work under way, else closes the wizard."""
        if self.busy():
            self.stop()
            return
        super().reject()

    def done(self, result: int) -> None:
        """Close; a reading or preview under way is stopped first (an import under way
        is the runner's: it ends on its own and the window waits for it)."""
        if self.task is not None and self._own_task:
            if self.relay is not None:
                self.relay.cancel()
            self.task.wait()
        super().done(result)
