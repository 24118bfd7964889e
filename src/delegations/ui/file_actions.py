"""The File menu: databases, recent files, packages, backup, and the demo offer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMenu

from delegations.services import listings
from delegations.services import operations as ops
from delegations.services.history import Operation, Outcome
from delegations.services.storage import Database, StoreError, output_refusal
from delegations.ui.backups import open_or_recover
from delegations.ui.merge_dialog import plural
from delegations.ui.workers import Progress, Task, Tasks

if TYPE_CHECKING:
    from delegations.services.exchange import ImportPlan, Side
    from delegations.services.spreadsheets.people_import import ImportResult
    from delegations.ui.import_wizard import ImportWizard
    from delegations.ui.main_window import MainWindow
    from delegations.ui.merge_dialog import MergeDialog

T = TypeVar("T")


class FileActions:
    """What File ▸ … does, for one main window.

    Args:
        window: the main window (its database, runner, settings and dialogs).
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.tasks = Tasks(lambda title, text: window.inform(title, text))
        self.wizard: ImportWizard | None = None
        self.merge_dialog: MergeDialog | None = None

    # databases --------------------------------------------------------------------
    def open_database(self, path: Path) -> bool:
        """Switch to the database at ``path`` (created if new); False if it cannot open."""
        w = self.window
        path = Path(path)
        if path.resolve() == w.db.path and path.exists():
            return True
        if not w.may_discard("switch databases"):
            return False
        # A damaged file: the message offers to restore its latest good backup.
        db = open_or_recover(path, w.offer_restore, w.warn)
        if db is None:
            return False
        w.close_dialogs()
        if self.wizard is not None:
            self.wizard.done(0)
        self.wait()
        old = w.db
        w.install(db)
        old.close()
        w.settings.remember_database(db.path)
        w.database_changed.emit(db.path)
        w.statusBar().showMessage(f"Opened {db.path}", 5000)
        QTimer.singleShot(0, self.offer_demo)
        return True

    def open_database_dialog(self) -> None:
        w = self.window
        path = w.choose_file(
            "Open database",
            str(w.db.path.parent),
            "Delegations databases (*.db);;All files (*)",
            False,
        )
        if path:
            self.open_database(Path(path))

    def new_database_dialog(self) -> None:
        w = self.window
        path = w.choose_file(
            "New database",
            str(w.db.path.parent / "delegations.db"),
            "Delegations databases (*.db)",
            True,
        )
        if not path:
            return
        target = Path(path)
        if target.suffix == "":
            target = target.with_suffix(".db")
        if target.exists():
            w.inform("Database exists", f"{target} exists already; use File ▸ Open database.")
            return
        self.open_database(target)

    def fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        recent = [p for p in self.window.settings.recent_databases() if p.exists()]
        if not recent:
            menu.addAction("No recent databases").setEnabled(False)
            return
        for path in recent:
            action = menu.addAction(str(path))
            action.triggered.connect(lambda _c=False, path=path: self.open_database(path))

    def offer_demo(self) -> bool:
        """On an empty database, offer to load the demo delegation (undoable); True if loaded."""
        w = self.window
        with w.db.session() as session:
            empty = listings.is_empty(session)
        if not empty or not w.confirm(
            "Welcome to Delegations",
            "This database is empty. Load the demo study visit (a creative-industries "
            "delegation from Lille to Barcelona, with attendees, travel and a two-day "
            "agenda) to try the application?\n\nYou can delete it later, or undo (Ctrl+Z).",
        ):
            return False
        outcome = w.runner.run(ops.load_demo())
        if outcome is None:
            return False
        w.open_delegation(outcome.result)
        return True

    # packages ---------------------------------------------------------------------
    def import_package_dialog(self) -> None:
        path = self.window.choose_file(
            "Import delegation package", str(Path.home()), "Delegation packages (*.json)", False
        )
        if path:
            self.import_package(Path(path))

    def import_package(self, path: Path) -> Task | None:
        """Import a package (undoable); opens the delegation when done.

        The file is read and its import planned on a worker thread (nothing written).
        A new delegation is then imported at once; a package holding nothing new says
        so; otherwise the merge dialog shows what importing will do and asks for the
        conflicts to be decided before anything is written.
        """
        w = self.window
        path, db = Path(path), w.db

        def plan(session: Any) -> ImportPlan:
            from delegations.services import exchange, package

            return exchange.plan_import(session, package.read_package(path))

        # Through the runner: its busy state and failure message, as any import; the
        # planning only reads, so it adds no step to the undo history.
        return self.window.runner.run_in_background(
            Operation(f"import {path.name}", plan),
            f"Reading {path.name}…",
            lambda outcome: self._planned(path, outcome.result, db),
        )

    def _planned(self, path: Path, plan: ImportPlan, db: Database) -> None:
        w = self.window
        if db is not w.db:  # another database was opened meanwhile
            return
        preview = plan.preview
        # A new delegation: its only notice says records of erased people were left
        # out; it is shown once imported.
        if plan.merge is None and (plan.notice is None or plan.delegation_id is None):
            self._apply_import(path, plan, {})
        elif preview is not None and preview.clean:
            if plan.delegation_id is not None:
                w.open_delegation(plan.delegation_id)
            text = f"Nothing to import: {path.name} holds nothing that is not already here."
            if plan.left_out_notice:
                text += f" {plan.left_out_notice}"
            w.statusBar().showMessage(text, 8000)
            w.inform("Nothing to import", text)
        else:
            self._show_merge(path, plan)

    def _show_merge(self, path: Path, plan: ImportPlan) -> MergeDialog:
        from delegations.ui.merge_dialog import MergeDialog

        w = self.window
        if self.merge_dialog is not None:
            self.merge_dialog.done(0)
        dialog = MergeDialog(plan, path, w)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        db = w.db
        dialog.accepted.connect(
            lambda: self._apply_import(path, plan, dialog.choices()) if db is w.db else None
        )
        dialog.finished.connect(lambda _result: self._merge_closed(dialog))
        self.merge_dialog = dialog
        dialog.open()
        return dialog

    def _merge_closed(self, dialog: MergeDialog) -> None:
        if self.merge_dialog is dialog:
            self.merge_dialog = None
        dialog.deleteLater()

    def _apply_import(self, path: Path, plan: ImportPlan, choices: dict[str, Side]) -> Task | None:
        """Write what ``plan`` previewed (one undoable step). If the delegation changed
        here since the preview, nothing is written: say so and plan again."""
        from delegations.services import exchange

        w = self.window
        applying = exchange.apply_import(plan, choices=choices, name=path.name)

        def run(session: Any) -> tuple[int, str] | None:
            try:
                return applying.run(session)
            except exchange.ChangedSincePreview:
                return None  # raised before anything is written

        def done(outcome: Outcome[tuple[int, str] | None]) -> None:
            if outcome.result is None:
                w.inform(
                    "Changed since the preview",
                    f"“{plan.title}” was changed here while you looked at the preview, so "
                    f"nothing was imported. Here is what importing {path.name} does now.",
                )
                self.import_package(path)
                return
            delegation_id, title = outcome.result
            said = f"Imported “{title}” from {path.name}"
            if plan.preview is not None:
                counts = plan.preview.counts()
                said += (
                    f": {counts['added']} added, {counts['changed']} changed, "
                    f"{counts['removed']} removed, "
                    f"{plural(counts['conflicts'], 'conflict')} decided"
                )
            w.statusBar().showMessage(said, 8000)
            w.open_delegation(delegation_id)
            if plan.left_out_notice and plan.delegation_id is None:
                w.inform("Records left out", plan.left_out_notice)

        return self.window.runner.run_in_background(
            Operation(applying.label, run, action=applying.action), f"Importing {path.name}…", done
        )

    def export_package_dialog(self) -> None:
        w = self.window
        delegation_id = w.chosen_delegation()
        if delegation_id is None:
            w.inform("Export a package", "Open or select a delegation to export first.")
            return
        suggestion = w.settings.export_folder() / "delegation-package.json"
        path = w.choose_file(
            "Export delegation package", str(suggestion), "Delegation packages (*.json)", True
        )
        if path:
            self.export_package(delegation_id, Path(path))

    def export_package(self, delegation_id: int, path: Path) -> Task:
        db = self.window.db

        notes: list[str] = []  # why the export is not in the audit log

        def work(progress: Progress) -> Path:
            from delegations.services import audit, exchange

            # Refuses (OutputRefused, shown by ``_task``) to write over the database;
            # remembers the package as the base of the next exchange.
            written = exchange.write_package(db, delegation_id, path)
            notes.append(audit.exported(db, "package", delegation_id) or "")
            return written

        def said(written: Path) -> str:
            return f"Wrote {written}" + "".join(f"; note: {n}" for n in notes if n)

        return self._task(work, said, "Cannot export the package", path)

    # people -----------------------------------------------------------------------
    def import_people_dialog(
        self, delegation_id: int | None = None, path: Path | None = None
    ) -> ImportWizard:
        """The import wizard, on ``path`` if given; it adds the people to ``delegation_id``,
        or to the delegation whose attendees are shown."""
        from delegations.ui.import_wizard import ImportWizard

        w = self.window
        if delegation_id is None:
            delegation_id = w.shown_attendees()
        if self.wizard is not None:
            self.wizard.done(0)
        wizard = ImportWizard(
            w.runner, w.choose_file, w.confirm, w.settings.import_folder(), path, delegation_id, w
        )
        wizard.setWindowModality(Qt.WindowModality.WindowModal)
        wizard.folder_used.connect(w.settings.set_import_folder)
        wizard.imported.connect(lambda result: self._show_imported(wizard, result))
        wizard.finished.connect(lambda _result: self._wizard_closed(wizard))
        self.wizard = wizard
        wizard.open()
        return wizard

    def _show_imported(self, wizard: ImportWizard, result: ImportResult) -> None:
        """Show the people imported: the delegation's attendees, or the People page."""
        w = self.window
        delegation_id = wizard.delegation_id()
        if delegation_id is not None:
            w.open_delegation(delegation_id)
            w.show_page("attendees")
            return
        w.show_page("people")
        w.pages["person"].select_ids(list(result.person_ids))

    def _wizard_closed(self, wizard: ImportWizard) -> None:
        if self.wizard is wizard:
            self.wizard = None
        wizard.deleteLater()

    def export_people_dialog(self, delegation_id: int | None = None) -> Task | None:
        """Everybody, or a delegation's attendees, to a .xlsx or .csv file."""
        w = self.window
        name = "attendees.xlsx" if delegation_id is not None else "people.xlsx"
        path = w.choose_file(
            "Export attendees" if delegation_id is not None else "Export people",
            str(w.settings.export_folder() / name),
            "Excel workbooks (*.xlsx);;CSV files (*.csv)",
            True,
        )
        if not path:
            return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".xlsx")
        refused = output_refusal(target, w.db.path)
        if refused is not None:
            w.inform("Cannot export people", f"{target.name} is {refused}; choose another file.")
            return None
        return self.export_people(target, delegation_id)

    def export_people(self, path: Path, delegation_id: int | None = None) -> Task:
        db = self.window.db

        notes: list[str] = []  # why the export is not in the audit log

        def work(progress: Progress) -> Path:
            from delegations.services import audit
            from delegations.services.spreadsheets.people_export import export_people

            with db.session() as session:
                written = export_people(session, path, delegation_id)
            notes.append(audit.exported(db, "people", delegation_id) or "")
            return written

        def said(written: Path) -> str:
            self.window.settings.set_export_folder(written.parent)
            return f"Wrote {written}" + "".join(f"; note: {n}" for n in notes if n)

        return self._task(work, said, "Cannot export people", path)

    # tasks ------------------------------------------------------------------------
    def _task(
        self,
        work: Callable[[Progress], Path],
        said: Callable[[Path], str],
        failure: str,
        path: Path,
    ) -> Task:
        w = self.window
        task = Task(work, expected=(OSError, *_service_errors()), parent=w)
        w.statusBar().showMessage(f"Writing {path.name}…")
        return self.tasks.start(
            task, lambda written: w.statusBar().showMessage(said(written), 8000), failure
        )

    def wait(self) -> None:
        if self.wizard is not None:
            self.wizard.done(0)  # stops and waits for its reading or preview
        if self.merge_dialog is not None:
            self.merge_dialog.done(0)  # nothing written
        self.tasks.wait()
        self.window.runner.wait()


def _service_errors() -> tuple[type[BaseException], ...]:
    from delegations.services import ServiceError

    return (ServiceError, StoreError)
