"""The main window: side bar, record pages, a delegation's workspace, menus."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from delegations.services import ServiceError, listings
from delegations.store import Database, StoreError
from delegations.ui.forms import RecordDialog
from delegations.ui.pages import LIST_PAGES as PAGE_NAMES
from delegations.ui.pages import WORKSPACE_PAGES
from delegations.ui.records import KINDS, RecordActions
from delegations.ui.settings import Settings
from delegations.ui.tables import RecordListPage
from delegations.ui.undo import Edits
from delegations.ui.workers import Progress, Task

if TYPE_CHECKING:
    from delegations.ui.delegation_workspace import DelegationWorkspace

LIST_PAGES = tuple(PAGE_NAMES.values())
WORKSPACE_ROW = len(LIST_PAGES)
SIDEBAR_STYLE = """
QListWidget#sidebar { background: #f3f4f6; border: none; padding-top: 8px; }
QListWidget#sidebar::item { padding: 7px 12px; border-radius: 4px; margin: 1px 6px; color: #1f2937; }
QListWidget#sidebar::item:selected { background: #dbe4f3; color: #111827; font-weight: bold; }
QListWidget#sidebar::item:hover:!selected { background: #e5e7eb; }
"""

Confirm = Callable[[str, str], bool]
Inform = Callable[[str, str], None]
ChooseFile = Callable[[str, str, str, bool], str]


class MainWindow(QMainWindow):
    """The application window over one open database.

    Args:
        db: the open database (the window closes it when switching or closing).
        settings: the remembered settings.
        confirm: asks a yes/no question (title, text) → yes?; tests inject one.
        inform: shows a message (title, text); tests inject one.
        choose_file: (caption, start, filters, save?) → path or ""; tests inject one.

    Signals:
        first_shown(): the window was shown for the first time.
        database_changed(object): another database (its Path) is now open.
    """

    first_shown = Signal()
    database_changed = Signal(object)

    def __init__(
        self,
        db: Database,
        settings: Settings,
        confirm: Confirm | None = None,
        inform: Inform | None = None,
        choose_file: ChooseFile | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.confirm: Confirm = confirm or self._ask
        self.inform: Inform = inform or self._tell
        self.choose_file: ChooseFile = choose_file or self._choose
        self.dialogs: list[RecordDialog] = []
        self.tasks: list[Task] = []
        self._shown = False
        self.setObjectName("main_window")
        self.setMinimumSize(900, 600)
        self._default_size()
        self.db_label = QLabel()
        self.statusBar().addPermanentWidget(self.db_label)
        self._install(db)
        self._build_menus()
        self._restore()
        settings.remember_database(db.path)

    # building -------------------------------------------------------------------
    def _install(self, db: Database) -> None:
        """Build the pages over ``db`` (on start and when switching databases)."""
        self.db = db
        self.edits = Edits(db, self)
        self.edits.failed.connect(lambda message: self.inform("Cannot undo or redo", message))
        self.edits.changed.connect(self._changed)
        self.actions_for: dict[str, RecordActions] = {}
        self.pages: dict[str, RecordListPage] = {}
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Sections")
        self.sidebar.setMaximumWidth(320)
        self.sidebar.setMinimumWidth(150)
        self.sidebar.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setStyleSheet(SIDEBAR_STYLE)
        self.stack = QStackedWidget()
        for key in LIST_PAGES:
            kind = KINDS[key]
            page = RecordListPage(kind.title, kind.columns, kind.noun)
            page.describe = lambda row, kind=kind: kind.describe(row.cells)  # type: ignore[misc]
            actions = RecordActions(kind, self.edits, self, self.confirm, self.inform)
            page.new_requested.connect(
                lambda actions=actions: self.open_dialog(actions.new_dialog())
            )
            if key == "delegation":
                page.edit_requested.connect(self.open_delegation)
            else:
                page.edit_requested.connect(
                    lambda record_id, actions=actions: self.open_dialog(
                        actions.edit_dialog(record_id)
                    )
                )
            page.delete_requested.connect(
                lambda ids, page=page, actions=actions: actions.delete(ids, page.labels(ids))
            )
            self.pages[key] = page
            self.actions_for[key] = actions
            self.stack.addWidget(page)
            item = QListWidgetItem(kind.title)
            item.setToolTip(f"{kind.title} (Ctrl+{len(self.pages)})")
            self.sidebar.addItem(item)
        self._workspace: DelegationWorkspace | None = None
        self._placeholder = QWidget()
        self.stack.addWidget(self._placeholder)
        self.workspace_item = QListWidgetItem("Study visit")
        self.sidebar.addItem(self.workspace_item)
        self.workspace_item.setHidden(True)
        self.sidebar.currentRowChanged.connect(self._page_shown)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([170, 1110])
        self.setCentralWidget(self.splitter)  # deletes the previous database's pages
        self.setTabOrder(self.sidebar, self.stack)
        self.loaded: set[str] = set()
        self.sidebar.setCurrentRow(0)
        self.setWindowTitle(f"Delegations – {db.path.name}")
        self.db_label.setText(str(db.path))
        self.db_label.setAccessibleName("Database file")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&New database…", self.new_database_dialog)
        self._action(
            file_menu, "&Open database…", self.open_database_dialog, QKeySequence.StandardKey.Open
        )
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()
        file_menu.addSeparator()
        self._action(file_menu, "&Import delegation package…", self.import_package_dialog)
        self._action(file_menu, "E&xport delegation package…", self.export_package_dialog)
        self._action(file_menu, "&Back up database…", self.backup_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(lambda: self.edits.stack.undo())
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.triggered.connect(lambda: self.edits.stack.redo())
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self._action(edit_menu, "&New…", self.new_record, QKeySequence.StandardKey.New)
        self._action(edit_menu, "&Edit…", self.edit_record, QKeySequence(Qt.Key.Key_F2))
        self._action(edit_menu, "&Delete…", self.delete_records, QKeySequence(Qt.Key.Key_Delete))
        edit_menu.addSeparator()
        self._action(edit_menu, "&Find", self.focus_filter, QKeySequence.StandardKey.Find)
        self._connect_undo()

        go_menu = bar.addMenu("&Go")
        for number, key in enumerate(LIST_PAGES, start=1):
            self._action(
                go_menu,
                KINDS[key].title,
                functools.partial(self.show_page, key),
                QKeySequence(f"Ctrl+{number}"),
            )
        go_menu.addSeparator()
        for name in WORKSPACE_PAGES:
            self._action(go_menu, f"Delegation {name}", functools.partial(self.show_page, name))
        go_menu.addSeparator()
        self._action(go_menu, "&Export…", self.show_exports, QKeySequence("Ctrl+E"))

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts)
        self._action(help_menu, "&About Delegations", self.show_about)

    def _action(
        self,
        menu: Any,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _connect_undo(self) -> None:
        stack = self.edits.stack

        def refresh(*_args: object) -> None:
            if not shiboken6.isValid(stack) or stack is not self.edits.stack:
                return
            self.undo_action.setEnabled(stack.canUndo())
            self.redo_action.setEnabled(stack.canRedo())
            self.undo_action.setText(f"&Undo {stack.undoText()}" if stack.canUndo() else "&Undo")
            self.redo_action.setText(f"&Redo {stack.redoText()}" if stack.canRedo() else "&Redo")

        stack.indexChanged.connect(refresh)
        stack.cleanChanged.connect(refresh)
        refresh()

    # settings -------------------------------------------------------------------
    def _default_size(self) -> None:
        """1280 × 820, or the screen's available size when smaller."""
        width, height = 1280, 820
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width, height = min(width, available.width()), min(height, available.height())
        self.resize(max(width, 900), max(height, 600))

    def _restore(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        size = self.settings.window_size()
        if size is not None:
            self.resize(size)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.splitter("main")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_settings(self) -> None:
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_size(self.size())
        self.settings.set_window_state(self.saveState())
        self.settings.set_splitter("main", self.splitter.saveState())
        self.settings.remember_database(self.db.path)
        self.settings.sync()

    # pages ----------------------------------------------------------------------
    def reload_lists(self, kinds: frozenset[str] | None = None) -> None:
        """Re-read the record tables (all, or those of ``kinds``).

        A table is read when it is first shown; after that it is re-read when
        records of its kind change.
        """
        wanted = set(LIST_PAGES) if kinds is None else set(kinds)
        if kinds is not None and wanted & {"participation", "item"}:
            wanted.add("delegation")
        if kinds is not None and "organisation" in wanted:
            wanted |= {"person", "venue"}
        current = self.current_list_page()
        keys = [
            key
            for key in LIST_PAGES
            if key in wanted and (key in self.loaded or self.pages[key] is current)
        ]
        if not keys:
            return
        with self.db.session() as session:
            for key in keys:
                self.pages[key].set_records(KINDS[key].rows(session))
                self.loaded.add(key)

    def _page_shown(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        if 0 <= row < len(LIST_PAGES) and LIST_PAGES[row] not in self.loaded:
            self.reload_lists(frozenset({LIST_PAGES[row]}))

    def _changed(self, kinds: frozenset[str]) -> None:
        self.reload_lists(kinds)
        if self.edits.stack.canUndo():
            self.statusBar().showMessage(
                f"Saved: {self.edits.stack.undoText()}. Edit ▸ Undo (Ctrl+Z) takes it back.", 6000
            )

    def show_page(self, name: str) -> None:
        """Show a page: delegations, people, organisations, venues, or a workspace page.

        ``exports:badges`` shows the exports page with that document chosen.
        """
        name, _sep, detail = name.partition(":")
        key = PAGE_NAMES.get(name, name)
        if key in LIST_PAGES:
            self.sidebar.setCurrentRow(LIST_PAGES.index(key))
            return
        if name in WORKSPACE_PAGES:
            if self.open_workspace() is None:
                ids = self.pages["delegation"].model.ids()
                if not ids:
                    self.statusBar().showMessage("Open or create a delegation first.", 5000)
                    return
                self.open_delegation(ids[0])
            self.sidebar.setCurrentRow(WORKSPACE_ROW)
            self.workspace.show_page(name)
            if name == "exports" and detail:
                self.workspace.exports.select_kind(detail)
            return
        raise ValueError(f"no page '{name}'")

    @property
    def workspace(self) -> DelegationWorkspace:
        """The delegation workspace, built when first needed (keeps start-up fast)."""
        if self._workspace is None:
            from delegations.ui.delegation_workspace import DelegationWorkspace

            workspace = DelegationWorkspace(
                self.edits, self.settings.export_folder(), self.confirm, self.inform
            )
            workspace.title_changed.connect(self._workspace_title)
            workspace.closed.connect(self._workspace_closed)
            workspace.exports.folder_used.connect(self.settings.set_export_folder)
            current = self.stack.currentIndex()
            self.stack.removeWidget(self._placeholder)
            self.stack.insertWidget(WORKSPACE_ROW, workspace)
            self.stack.setCurrentIndex(current)
            self._workspace = workspace
        return self._workspace

    def open_workspace(self) -> DelegationWorkspace | None:
        """The workspace if a delegation is open in it."""
        if self._workspace is not None and self._workspace.delegation is not None:
            return self._workspace
        return None

    def current_list_page(self) -> RecordListPage | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, RecordListPage) else None

    def open_delegation(self, delegation_id: int) -> None:
        """Open a delegation's workspace on its overview."""
        try:
            self.workspace.open(delegation_id)
        except ServiceError as exc:
            self.inform("Cannot open the delegation", str(exc))
            return
        self.workspace_item.setHidden(False)
        self.sidebar.setCurrentRow(WORKSPACE_ROW)

    def _workspace_title(self, title: str) -> None:
        self.workspace_item.setText(f"▸ {title}")
        self.workspace_item.setToolTip(title)

    def _workspace_closed(self) -> None:
        self.workspace_item.setHidden(True)
        if self.sidebar.currentRow() == WORKSPACE_ROW:
            self.sidebar.setCurrentRow(0)

    def open_dialog(self, dialog: RecordDialog) -> RecordDialog:
        """Show a dialog without blocking (tests fill and accept it)."""
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _result: self.dialogs.remove(dialog))
        dialog.saved.connect(lambda record_id: self._select_new(dialog, record_id))
        dialog.open()
        return dialog

    def _select_new(self, dialog: RecordDialog, record_id: Any) -> None:
        page = self.current_list_page()
        if page is not None and isinstance(record_id, int):
            page.select_ids([record_id])
            if page is self.pages["delegation"] and dialog.windowTitle().startswith("New"):
                self.open_delegation(record_id)

    # edit menu --------------------------------------------------------------------
    def new_record(self) -> None:
        page = self.current_list_page()
        if page is not None:
            page.new_requested.emit()
            return
        tab = self.workspace.current_page()
        if tab == "attendees":
            self.workspace.attendees.open_add_existing()
        elif tab == "agenda":
            self.workspace.agenda.open_new()
        else:
            self.open_dialog(self.actions_for["delegation"].new_dialog())

    def edit_record(self) -> None:
        page = self.current_list_page()
        if page is not None:
            page.request_edit()
            return
        tab = self.workspace.current_page()
        if tab == "attendees":
            self.workspace.attendees.open_edit()
        elif tab == "agenda":
            self.workspace.agenda.open_edit_selected()

    def delete_records(self) -> None:
        page = self.current_list_page()
        if page is not None:
            page.request_delete()
            return
        tab = self.workspace.current_page()
        if tab == "attendees":
            self.workspace.attendees.remove_selected()
        elif tab == "agenda":
            self.workspace.agenda.delete_selected()

    def focus_filter(self) -> None:
        page = self.current_list_page()
        if page is not None:
            page.focus_filter()
        elif self.workspace.current_page() == "attendees":
            self.workspace.attendees.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_exports(self) -> None:
        """Ctrl+E: the exports page of the open (or selected) delegation."""
        page = self.current_list_page()
        if page is self.pages["delegation"]:
            selected = page.selected_ids()
            if selected:
                self.open_delegation(selected[0])
        if self.open_workspace() is None:
            self.statusBar().showMessage("Open a delegation to export its documents.", 5000)
            return
        self.sidebar.setCurrentRow(WORKSPACE_ROW)
        self.workspace.show_page("exports")

    # databases ------------------------------------------------------------------
    def unsaved(self) -> list[str]:
        """What would be lost: dialogs and editors with changes not yet saved."""
        found = [d.windowTitle() for d in self.all_dialogs() if d.is_dirty()]
        workspace = self.open_workspace()
        if workspace is not None and workspace.delegation and workspace.is_dirty():
            found.append(f"Overview of “{workspace.delegation.title}”")
        return found

    def all_dialogs(self) -> list[RecordDialog]:
        opened = self._workspace.open_dialogs() if self._workspace is not None else []
        extra = [d for d in opened if isinstance(d, RecordDialog)]
        return [*self.dialogs, *extra]

    def may_discard(self, action: str) -> bool:
        unsaved = self.unsaved()
        if not unsaved:
            return True
        listing = "\n".join(f"  • {u}" for u in unsaved)
        return self.confirm(
            "Unsaved changes",
            f"These edits are not saved yet:\n\n{listing}\n\nDiscard them and {action}?",
        )

    def open_database(self, path: Path) -> bool:
        """Switch to the database at ``path`` (created if new); False if it cannot open."""
        path = Path(path)
        if path.resolve() == self.db.path and path.exists():
            return True
        if not self.may_discard("switch databases"):
            return False
        try:
            db = Database.open(path)
        except StoreError as exc:
            self.inform("Cannot open the database", str(exc))
            return False
        self._close_dialogs()
        self._wait_for_tasks()
        old, old_edits = self.db, self.edits
        splitter = self.splitter.saveState()
        self._install(db)
        self.splitter.restoreState(splitter)
        self._connect_undo()
        old_edits.stack.clear()
        old_edits.deleteLater()
        old.close()
        self.settings.remember_database(db.path)
        self.database_changed.emit(db.path)
        self.statusBar().showMessage(f"Opened {db.path}", 5000)
        QTimer.singleShot(0, self.offer_demo)
        return True

    def open_database_dialog(self) -> None:
        path = self.choose_file(
            "Open database",
            str(self.db.path.parent),
            "Delegations databases (*.db);;All files (*)",
            False,
        )
        if path:
            self.open_database(Path(path))

    def new_database_dialog(self) -> None:
        path = self.choose_file(
            "New database",
            str(self.db.path.parent / "delegations.db"),
            "Delegations databases (*.db)",
            True,
        )
        if path:
            target = Path(path)
            if target.suffix == "":
                target = target.with_suffix(".db")
            if target.exists():
                self.inform(
                    "Database exists", f"{target} exists already; use File ▸ Open database."
                )
                return
            self.open_database(target)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in self.settings.recent_databases() if p.exists()]
        if not recent:
            none = self.recent_menu.addAction("No recent databases")
            none.setEnabled(False)
            return
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _c=False, path=path: self.open_database(path))

    def offer_demo(self) -> bool:
        """On an empty database, offer to load the demo delegation; True if loaded."""
        with self.db.session() as session:
            empty = listings.is_empty(session)
        if not empty:
            return False
        if not self.confirm(
            "Welcome to Delegations",
            "This database is empty. Load the demo study visit (a creative-industries "
            "delegation from Lille to Barcelona, with attendees, travel and a two-day "
            "agenda) to try the application?\n\nYou can delete it later.",
        ):
            return False
        from delegations.services.demo import load_demo

        try:
            with self.db.transaction() as session:
                delegation = load_demo(session)
                delegation_id = delegation.id
        except ServiceError as exc:
            self.inform("Cannot load the demo", str(exc))
            return False
        self.reload_lists()
        self.open_delegation(delegation_id)
        return True

    # packages ---------------------------------------------------------------------
    def import_package_dialog(self) -> None:
        path = self.choose_file(
            "Import delegation package", str(Path.home()), "Delegation packages (*.json)", False
        )
        if path:
            self.import_package(Path(path))

    def import_package(self, path: Path) -> Task:
        """Import a package on a worker thread; opens the delegation when done."""
        db = self.db

        def work(progress: Progress) -> tuple[int, str]:
            from delegations.services import package

            with db.transaction() as session:
                delegation = package.import_package(session, path)
                return delegation.id, delegation.title

        def done(result: tuple[int, str]) -> None:
            self.reload_lists()
            self.statusBar().showMessage(f"Imported “{result[1]}” from {path.name}", 8000)
            self.open_delegation(result[0])

        return self._run(work, done, "Cannot import the package", f"Importing {path.name}…")

    def export_package_dialog(self) -> None:
        delegation_id = self._chosen_delegation()
        if delegation_id is None:
            self.inform("Export a package", "Open or select a delegation to export first.")
            return
        suggestion = self.settings.export_folder() / "delegation-package.json"
        path = self.choose_file(
            "Export delegation package", str(suggestion), "Delegation packages (*.json)", True
        )
        if path:
            self.export_package(delegation_id, Path(path))

    def export_package(self, delegation_id: int, path: Path) -> Task:
        db = self.db

        def work(progress: Progress) -> Path:
            from delegations.services import package

            with db.session() as session:
                document = package.export_package(session, delegation_id)
            return package.write_package(document, path)

        def done(written: Path) -> None:
            self.statusBar().showMessage(f"Wrote {written}", 8000)

        return self._run(work, done, "Cannot export the package", f"Writing {path.name}…")

    def backup_dialog(self) -> None:
        path = self.choose_file(
            "Back up database",
            str(self.db.path.with_suffix(".backup.db")),
            "Databases (*.db)",
            True,
        )
        if path:
            try:
                written = self.db.backup(Path(path))
            except OSError as exc:
                self.inform("Cannot back up the database", str(exc))
                return
            self.statusBar().showMessage(f"Backed up to {written}", 8000)

    def _chosen_delegation(self) -> int | None:
        page = self.current_list_page()
        if page is self.pages["delegation"] and page.selected_ids():
            return page.selected_ids()[0]
        workspace = self.open_workspace()
        return workspace.delegation_id if workspace is not None else None

    def _run(
        self, work: Callable[[Progress], Any], done: Callable[[Any], None], failure: str, busy: str
    ) -> Task:
        task = Task(work, expected=(ServiceError, StoreError, OSError), parent=self)
        task.succeeded.connect(done)
        task.failed.connect(lambda message: self.inform(failure, message))
        task.finished.connect(lambda: self._task_done(task))
        self.tasks.append(task)
        self.statusBar().showMessage(busy)
        task.start()
        return task

    def _task_done(self, task: Task) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        task.deleteLater()

    def _wait_for_tasks(self) -> None:
        for task in list(self.tasks):
            task.wait(60000)
        if self._workspace is not None:
            self._workspace.exports.wait()

    def _close_dialogs(self) -> None:
        for dialog in self.all_dialogs():
            dialog.form.mark_clean()
            dialog.reject()

    # help -------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        self.inform(
            "Keyboard shortcuts",
            "Ctrl+1 … Ctrl+4  Delegations, People, Organisations, Venues\n"
            "Ctrl+N  new    F2  edit    Delete  delete    Ctrl+F  filter\n"
            "Ctrl+E  export    Ctrl+Z  undo    Ctrl+Shift+Z  redo\n\n"
            "In the agenda: ↑/↓ select, Alt+↑/↓ move 15 min, Alt+Shift+↑/↓ change the end, "
            "Alt+←/→ move a day, Enter edit, Ctrl+D duplicate.",
        )

    def show_about(self) -> None:
        from delegations import __version__

        self.inform(
            "About Delegations",
            f"Delegations {__version__}\nPlan study visits: delegations, hosts, venues, "
            f"people and agendas.\n\nDatabase: {self.db.path}",
        )

    # Qt overrides ---------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.first_shown.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_discard("quit"):
            event.ignore()
            return
        self.save_settings()
        self._close_dialogs()
        self._wait_for_tasks()
        event.accept()

    # default dialogs --------------------------------------------------------------
    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _tell(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def _choose(self, caption: str, start: str, filters: str, save: bool) -> str:
        if save:
            path, _ = QFileDialog.getSaveFileName(self, caption, start, filters)
        else:
            path, _ = QFileDialog.getOpenFileName(self, caption, start, filters)
        return path
