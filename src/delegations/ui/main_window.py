"""The main window: side bar, pages, menus; every change through one runner.

The window knows its pages through ``ui.page.Page`` only. Every edit a page
makes goes through ``Runner``; the runner's ``changed`` signal reaches every
page's ``apply``, and each page redraws what the change touches.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu

from delegations.services.storage import Database
from delegations.ui import actions, prompts
from delegations.ui.audit_view import AuditActions
from delegations.ui.backups import BackupActions, offer_restore
from delegations.ui.delegation_workspace import DelegationWorkspace
from delegations.ui.file_actions import FileActions
from delegations.ui.forms import RecordDialog
from delegations.ui.navigator import Navigator
from delegations.ui.preferences import PreferencesDialog
from delegations.ui.privacy import PrivacyActions
from delegations.ui.runner import ChangeEvent, Runner
from delegations.ui.settings import Settings, fit_to_screen


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
        confirm: Callable[[str, str], bool] | None = None,
        inform: Callable[[str, str], None] | None = None,
        choose_file: Callable[[str, str, str, bool], str] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._ask = partial(prompts.ask, self)
        self.confirm = confirm or self._ask
        self.inform = inform or partial(prompts.tell, self)
        self.warn = inform or partial(prompts.warn, self)
        """A message saying what went wrong or was refused (with the warning icon)."""
        self.offer_restore = confirm or partial(offer_restore, self)
        """Asks whether to restore the latest good backup of a damaged file."""
        self.choose_file = choose_file or partial(prompts.choose_file, self)
        self.dialogs: list[RecordDialog] = []
        self.preferences_dialog: PreferencesDialog | None = None
        self.files = FileActions(self)
        self.action_holders: list[object] = [self.files]
        """Objects holding the slots of menu actions (``actions.MENUS`` keys), in order."""
        self.action_holders.append(BackupActions(self))
        self.action_holders.append(AuditActions(self))
        self.action_holders.append(PrivacyActions(self))
        self.open_database = self.files.open_database
        self.offer_demo = self.files.offer_demo
        self.import_package = self.files.import_package
        self._shown = False
        self.setObjectName("main_window")
        self.setMinimumSize(900, 600)
        self.resize(1280, 820)
        self.setAcceptDrops(True)  # a spreadsheet dropped on the window opens the import
        self.db_label = QLabel()
        self.db_label.setAccessibleName("Database file")
        self.statusBar().addPermanentWidget(self.db_label)
        made = actions.build_menus(self.menuBar(), self, self._slot)
        undo, redo, recent = made["undo"], made["redo"], made["recent"]
        assert isinstance(undo, QAction) and isinstance(redo, QAction)
        assert isinstance(recent, QMenu)
        self.undo_action, self.redo_action = undo, redo
        recent.aboutToShow.connect(lambda: self.files.fill_recent(recent))
        self.install(db)
        settings.restore_window(self)
        settings.remember_database(db.path)

    def _slot(self, key: str) -> Callable[[], object] | None:
        if key == "recent":
            return None
        if key.startswith("go:"):
            return lambda: self.show_page(key[3:])
        holder = next((h for h in self.action_holders if hasattr(h, key)), self)
        target = getattr(holder, key)
        assert callable(target)
        return target

    # building -------------------------------------------------------------------
    def install(self, db: Database) -> None:
        """Build the pages over ``db`` (on start and when switching databases)."""
        self.db = db
        self.runner = Runner(db, self.inform, self)
        self.runner.history_changed.connect(self._history_changed)
        self.runner.changed.connect(self._saved)
        self.runner.status.connect(self._say)
        old = getattr(self, "navigator", None)
        self.navigator = Navigator(
            self.runner, self.open_dialog, self.confirm, self.inform, self.settings.export_folder()
        )
        self.navigator.message.connect(self._say)
        self.navigator.export_folder_used.connect(self.settings.set_export_folder)
        self.navigator.import_requested.connect(self.files.import_people_dialog)
        self.navigator.export_requested.connect(self.files.export_people_dialog)
        if old is not None:
            self.navigator.restoreState(old.saveState())
        self.setCentralWidget(self.navigator)  # deletes the previous database's pages
        self.splitter = self.navigator
        self.pages = self.navigator.pages
        self.stack = self.navigator.stack
        self.sidebar = self.navigator.sidebar
        self.show_page = self.navigator.show_page
        self.open_delegation = self.navigator.open_delegation
        self.current_list_page = self.navigator.current_list_page
        self.open_workspace = self.navigator.open_workspace
        self.chosen_delegation = self.navigator.chosen_delegation
        # Qt adds the application's name ("demo.db — Delegations").
        self.setWindowTitle(db.path.name)
        self.setWindowFilePath(str(db.path))
        self.db_label.setText(str(db.path))
        self._history_changed()

    @property
    def workspace(self) -> DelegationWorkspace:
        return self.navigator.workspace

    def _say(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _saved(self, event: ChangeEvent) -> None:
        if event.label:
            self._say(event.describe())

    def _history_changed(self) -> None:
        history = self.runner.history
        for key, action, can, label in (
            ("undo", self.undo_action, history.can_undo(), history.undo_label()),
            ("redo", self.redo_action, history.can_redo(), history.redo_label()),
        ):
            action.setEnabled(can)
            verb = actions.spec(key).label
            action.setText(f"{verb} {actions.action_text(label)}".rstrip())

    def reload_lists(self) -> None:
        """Re-read every table shown so far (after a change made outside the window)."""
        for page in self.pages.values():
            if page.loaded or page is self.current_list_page():
                page.reload()

    def open_dialog(self, dialog: RecordDialog) -> RecordDialog:
        """Show a dialog without blocking (tests fill and accept it)."""
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _result: self.dialogs.remove(dialog))
        dialog.open()
        return dialog

    # the Edit and Go menus --------------------------------------------------------
    def undo(self) -> None:
        self.runner.undo()

    def redo(self) -> None:
        self.runner.redo()

    def _on_page(self, verb: str) -> None:
        page = self.navigator.current_page()
        if page is not None:
            getattr(page, verb)()

    def new_record(self) -> None:
        self._on_page("new")

    def edit_record(self) -> None:
        self._on_page("edit")

    def delete_records(self) -> None:
        self._on_page("delete")

    def focus_filter(self) -> None:
        self._on_page("focus_filter")

    def show_exports(self) -> None:
        """Ctrl+E: the exports page of the selected (or open) delegation."""
        chosen = self.chosen_delegation()
        if chosen is None:
            self.statusBar().showMessage("Open a delegation to export its documents.", 5000)
            return
        if self.open_workspace() is None or self.workspace.delegation_id != chosen:
            self.open_delegation(chosen)
        self.show_page("exports")

    def shown_attendees(self) -> int | None:
        """The delegation whose Attendees tab is shown, if it is."""
        workspace = self.open_workspace()
        if workspace is None or self.navigator.current_page() is not workspace:
            return None
        return workspace.delegation_id if workspace.current_page() == "attendees" else None

    def show_shortcuts(self) -> None:
        self.inform("Keyboard shortcuts and how to", actions.help_text())

    def show_about(self) -> None:
        self.inform("About Delegations", prompts.about_text(self.db.path))

    def show_preferences(self) -> None:
        """Edit ▸ Preferences: the SMTP server for sending (``preferences_dialog``)."""
        if self.preferences_dialog is not None and self.preferences_dialog.isVisible():
            self.preferences_dialog.raise_()
            self.preferences_dialog.activateWindow()
            return
        dialog = PreferencesDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._preferences_closed)
        self.preferences_dialog = dialog
        dialog.open()

    def _preferences_closed(self) -> None:
        self.preferences_dialog = None

    # unsaved work -----------------------------------------------------------------
    def all_dialogs(self) -> list[RecordDialog]:
        return [*self.dialogs, *self.navigator.open_dialogs()]

    def unsaved(self) -> list[str]:
        """What would be lost: dialogs and editors with changes not yet saved."""
        found = [d.windowTitle() for d in self.all_dialogs() if d.is_dirty()]
        workspace = self.open_workspace()
        if workspace is not None and workspace.delegation and workspace.is_dirty():
            found.append(f"Overview of “{workspace.delegation.title}”")
        return found

    def may_discard(self, action: str) -> bool:
        """Ask Save / Discard / Cancel when edits are not saved yet; True to go on."""
        unsaved = self.unsaved()
        if not unsaved:
            return True
        listing = "\n".join(f"  • {u}" for u in unsaved)
        answer = self.ask_save(
            "Unsaved changes",
            f"These edits are not saved yet:\n\n{listing}\n\nSave them before you {action}? "
            "Discard throws them away; Cancel goes back to them.",
        )
        if answer == "discard":
            return True
        return answer == "save" and self.save_all()

    def save_all(self) -> bool:
        """Save every dialog and the overview being edited; False if one refuses (it says why)."""
        for dialog in [d for d in self.all_dialogs() if d.is_dirty()]:
            dialog.accept()
            if dialog.isVisible():
                return False
        workspace = self.open_workspace()
        return not (workspace is not None and workspace.is_dirty()) or workspace.overview.save()

    def ask_save(self, title: str, text: str) -> str:
        """ "save", "discard" or "cancel" (tests inject ``confirm``: yes discards)."""
        if self.confirm != self._ask:
            return "discard" if self.confirm(title, text) else "cancel"
        return prompts.ask_save(self, title, text)

    def close_dialogs(self) -> None:
        for dialog in self.all_dialogs():
            dialog.form.mark_clean()
            dialog.reject()

    # Qt overrides -----------------------------------------------------------------
    def _dropped_file(self, event: QDragEnterEvent | QDropEvent) -> Path | None:
        """The one spreadsheet or delegation package (.json) dropped, else None."""
        from delegations.ui.import_wizard import is_spreadsheet

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        if len(paths) != 1:
            return None
        path = paths[0]
        return path if is_spreadsheet(path) or path.suffix.lower() == ".json" else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """A spreadsheet dropped on the window opens the import wizard on it; a
        delegation package is imported (merged, with its preview)."""
        path = self._dropped_file(event)
        if path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        if path.suffix.lower() == ".json":
            self.files.import_package(path)
        else:
            self.files.import_people_dialog(path=path)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            fit_to_screen(self)  # again, now that the frame's size is known
            self.first_shown.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.may_discard("quit"):
            event.ignore()
            return
        self.settings.save_window(self)
        self.close_dialogs()
        self.files.wait()
        self.navigator.export_tasks_wait()
        event.accept()
