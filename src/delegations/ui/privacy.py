"""The Privacy menu: export a person's data, erase a person, remove old sensitive data.

``PrivacyActions`` holds the menu's slots (``actions.MENUS["P&rivacy"]``). It also
finishes, when a database opens, a clearing of free pages an erasure or purge
left unfinished, and proposes the retention purge set in Preferences (once a day).

Messages name people by number ("person #12"): an erasure's confirmation and
result never show the data being erased.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from delegations.services import ServiceError, erasure, mentions, preferences, retention
from delegations.services.history import Operation
from delegations.services.storage import output_refusal
from delegations.ui.preferences import count_months
from delegations.ui.workers import Progress, Task, Tasks

if TYPE_CHECKING:
    from delegations.ui.main_window import MainWindow

DEFAULT_MONTHS = 12


def _steps(count: int) -> str:
    return f"{count} step{'s' if count != 1 else ''}"


class PrivacyActions:
    """What Privacy ▸ … does, for one main window.

    Attributes:
        result_dialog: the last erasure's result (its backups and "Delete these backups").
        purge_dialog: Privacy ▸ Remove old sensitive data, while open.
        proposal: the start-up retention proposal, while shown.
        tasks: the background work running (exports, clearing free pages).
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.result_dialog: ErasureResultDialog | None = None
        self.purge_dialog: PurgeDialog | None = None
        self.proposal: QMessageBox | None = None
        self.tasks = Tasks(lambda title, text: window.inform(title, text))
        window.first_shown.connect(self.database_opened)
        # Closing the window waits for the work still running (a thread must end first).
        self._closing = _OnClose(self.wait, window)
        window.installEventFilter(self._closing)
        window.database_changed.connect(lambda _path: self.database_opened())

    # selection ------------------------------------------------------------------
    def selected_person(self, what: str) -> int | None:
        """The person selected in People; else shows People and says to select one."""
        w = self.window
        page = w.pages["person"]
        ids = page.selected_ids()
        current = page.table.current_id()
        chosen = current if current in ids else ids[0] if ids else None
        if chosen is None:
            w.show_page("people")
            w.inform(
                "Select a person",
                f"Select the person in People first, then choose Privacy ▸ {what} again.",
            )
        return chosen

    # export ---------------------------------------------------------------------
    def export_personal_data(self) -> Task | None:
        """Everything held about the selected person, as a JSON file (subject access)."""
        w = self.window
        person_id = self.selected_person("Export personal data")
        if person_id is None:
            return None
        start = Path(w.settings.export_folder()) / f"person-{person_id}.json"
        path = w.choose_file("Export personal data", str(start), "JSON files (*.json)", True)
        if not path:
            return None
        target = Path(path)
        if target.suffix == "":
            target = target.with_suffix(".json")
        refused = output_refusal(target, w.db.path)
        if refused is not None:
            w.inform("Cannot export personal data", f"{target} is {refused}; choose another file.")
            return None
        db = w.db

        def work(progress: Progress) -> Path:
            from delegations.services.subject_access import export_person

            return Path(export_person(db, person_id, target))

        def done(written: Path) -> None:
            w.settings.set_export_folder(written.parent)
            w.statusBar().showMessage(f"Wrote person #{person_id}'s data to {written}", 8000)

        return self._task(work, done, "Cannot export personal data")

    # erase ----------------------------------------------------------------------
    def erase_person(self) -> bool:
        """Erase the selected person after a confirmation; True if erased."""
        w = self.window
        person_id = self.selected_person("Erase person")
        if person_id is None:
            return False
        try:
            with w.db.session() as session:
                plan = erasure.erasure_plan(session, person_id)
                traces = erasure.person_traces(session, person_id)
                named = erasure.who(session, person_id)
                words = mentions.found_words(session, person_id)
        except ServiceError as exc:
            w.inform("Cannot erase the person", str(exc))
            return False
        history = w.runner.history
        steps = history.forgettable(erasure.forget_steps(w.db, traces))
        backups = erasure.older_backups(w.db.path, datetime.now(UTC))
        # The officer's own screen: the name, so that nobody is erased by mistake.
        text = "\n".join([f"{named} is {plan.label}.", *plan.describe()])
        if words:
            # What "[erased]" will replace, so that a place named like the person
            # ("Montserrat monastery") is seen before it is too late.
            shown = [f"  {_found(w)}" for w in words[:8]]
            if len(words) > 8:
                shown.append(f"  … and {len(words) - 8} more")
            text += "\n\nReplaced by “[erased]”:\n" + "\n".join(shown)
        if backups:
            text += (
                f"\n\n{erasure.copies(len(backups)).capitalize()} made before now will still "
                "hold their data; you can delete them afterwards."
            )
        if steps:
            text += (
                f"\n\nThe undo history will drop {_steps(steps)} that held this person's "
                "data (and the steps before them)."
            )
        text += "\n\nThis cannot be undone. Erase?"
        if not w.confirm(f"Erase {plan.label}", text):
            return False
        outcome = w.runner.run(erasure.erase(person_id), source=self)
        if outcome is None:
            return False  # the runner said why; nothing was changed
        result = outcome.result
        dropped = history.forget(erasure.forget_steps(w.db, result.traces))
        w.runner.history_changed.emit()
        w.statusBar().showMessage(f"Erased {result.plan.label}. This cannot be undone.", 8000)
        db = w.db

        def clear(progress: Progress) -> bool:
            return erasure.finish_pending_scrub(db)

        def show(cleared: bool) -> None:
            self._show_result(result, dropped, cleared)

        self._task(clear, show, "Cannot clear the free space")
        return True

    def _show_result(self, result: erasure.ErasureResult, dropped: int, cleared: bool) -> None:
        w = self.window
        done = "anonymised" if result.plan.mode == erasure.ANONYMISE else "deleted"
        lines = [f"{result.plan.label.capitalize()} was {done}."]
        lines.append(
            "The free space in the database file was cleared."
            if cleared
            else "The free space in the database file could not be cleared yet (another "
            "program is reading it); it will be cleared when the database is opened again."
        )
        if dropped:
            lines.append(
                f"Undo history: {_steps(dropped)} that held this person's data were removed."
            )
        lines.append(
            "Files written earlier outside the database (exports, packs and their send logs) "
            "are not changed."
        )
        backups = erasure.older_backups(w.db.path, result.erased_at)
        dialog = ErasureResultDialog("\n\n".join(lines), [b.path for b in backups], w)
        dialog.delete_requested.connect(lambda: self.delete_backups(dialog))
        self.result_dialog = dialog
        dialog.open()

    def delete_backups(self, dialog: ErasureResultDialog) -> None:
        """Delete the older backups the result lists, after a confirmation."""
        w = self.window
        count = len(dialog.paths)
        if not count or not w.confirm(
            "Delete older backups",
            f"Delete the {count} automatic backup{'s' if count != 1 else ''} made before the "
            "erasure? They hold the erased person's data. This cannot be undone.",
        ):
            return
        deleted, failed = erasure.delete_backups(dialog.paths)
        dialog.deleted(deleted, [f"{path}: {why}" for path, why in failed])

    # retention ------------------------------------------------------------------
    def remove_old_data(self) -> PurgeDialog:
        """Privacy ▸ Remove old sensitive data: the plan for a retention period, then purge."""
        if self.purge_dialog is not None and self.purge_dialog.isVisible():
            self.purge_dialog.raise_()
            return self.purge_dialog
        w = self.window
        with w.db.session() as session:
            months = preferences.retention_months(session) or DEFAULT_MONTHS
        dialog = PurgeDialog(self._plan, months, w)
        dialog.purge_requested.connect(lambda: self._purge(dialog))
        dialog.finished.connect(lambda _r: self._purge_closed(dialog))
        self.purge_dialog = dialog
        dialog.open()
        return dialog

    def _purge_closed(self, dialog: PurgeDialog) -> None:
        if self.purge_dialog is dialog:
            self.purge_dialog = None

    def _plan(self, months: int) -> retention.PurgePlan:
        with self.window.db.session() as session:
            return retention.purge_plan(session, months)

    def _purge(self, dialog: PurgeDialog) -> bool:
        w = self.window
        plan = self._plan(dialog.months())
        if plan.empty:
            dialog.refresh()
            return False
        text = (
            "\n".join(plan.describe())
            + "\n\nThis removes the data for good: it cannot be undone (the undo history "
            "drops the steps that held it). Remove it?"
        )
        if not w.confirm("Remove old sensitive data", text):
            return False
        outcome = w.runner.run(retention.purge(plan.months), source=self)
        if outcome is None:
            return False
        done = outcome.result.plan
        dropped = w.runner.history.forget(retention.forget_steps(w.db, done))
        w.runner.history_changed.emit()
        dialog.accept()
        db = w.db

        def clear(progress: Progress) -> bool:
            return erasure.finish_pending_scrub(db)

        def show(cleared: bool) -> None:
            removed = "\n".join(
                f"  • {retention.counted(name, count)}"
                for name, count in done.fields.items()
                if count
            )
            extra = f"\n\nUndo history: {_steps(dropped)} removed." if dropped else ""
            space = "" if cleared else "\n\nThe free space will be cleared at the next opening."
            w.inform("Old sensitive data removed", f"Removed:\n{removed}{extra}{space}")

        self._task(clear, show, "Cannot clear the free space")
        w.statusBar().showMessage("Old sensitive data removed. This cannot be undone.", 8000)
        return True

    # when a database opens -----------------------------------------------------------
    def database_opened(self) -> None:
        """Finish an interrupted erasure (people left under an erased id, free pages not
        cleared); propose the retention purge."""
        w = self.window
        # A lock or a read-only file: the marker stays, and the next opening tries again.
        with suppress(Exception):
            erasure.finish_pending(w.db)
        QTimer.singleShot(0, self.propose_retention)

    def propose_retention(self, today: date | None = None) -> bool:
        """Once a day, when Preferences set a retention period and old data is due,
        propose to review it (non-blocking); True if proposed."""
        w = self.window
        today = today or date.today()
        if self.proposal is not None:
            return False
        with w.db.session() as session:
            months = preferences.retention_months(session)
            if months is None or preferences.retention_asked(session) == today:
                return False
            plan = retention.purge_plan(session, months)

        def asked(session: Any) -> None:
            preferences.set_retention_asked(session, today)

        w.runner.run(Operation("note the retention proposal", asked))
        if plan.empty:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Old sensitive data",
            f"Preferences keep sensitive data for {months} months.\n\n"
            + "\n".join(plan.describe())
            + "\n\nReview what would be removed?",
            QMessageBox.StandardButton.NoButton,
            w,
        )
        box.setObjectName("retention_proposal")
        review = box.addButton("Review…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setWindowModality(Qt.WindowModality.NonModal)

        def clicked(button: Any) -> None:
            self.proposal = None
            if button is review:
                self.remove_old_data()

        box.buttonClicked.connect(clicked)
        box.finished.connect(lambda _r: setattr(self, "proposal", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.proposal = box
        box.show()
        return True

    # tasks ----------------------------------------------------------------------
    def _task(
        self, work: Callable[[Progress], Any], done: Callable[[Any], None], failure: str
    ) -> Task:
        task = Task(work, expected=(OSError, ServiceError, *_store_errors()), parent=self.window)
        return self.tasks.start(task, done, failure)

    def wait(self) -> None:
        self.tasks.wait()


def _found(found: mentions.FoundWords) -> str:
    """``agenda_item #5 description: "Montserrat", their phone``: the words, but their
    e-mail and phone only named (a dialog never shows contact details)."""

    def word(text: str) -> str:
        if "@" in text:
            return "their e-mail"
        if sum(c.isdigit() for c in text) >= 6:
            return "their phone"
        return f"“{text}”"

    words = ", ".join(dict.fromkeys(word(w) for w in found.words))
    return f"{found.record.replace('_', ' ')} #{found.record_id}, {found.field.replace('_', ' ')}: {words}"


class _OnClose(QObject):
    """Calls ``then`` when the watched window is about to close."""

    def __init__(self, then: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.then()
        return False


def _store_errors() -> tuple[type[BaseException], ...]:
    from delegations.services.storage import StoreError

    return (StoreError,)


class ErasureResultDialog(QDialog):
    """What an erasure did, and the automatic backups made before it.

    Signals:
        delete_requested(): "Delete these backups" was pressed.
    """

    delete_requested = Signal()

    def __init__(self, text: str, paths: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Person erased")
        self.setObjectName("erasure_result")
        self.paths = list(paths)
        self.box = layout = QVBoxLayout(self)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.text)
        self.backups_label = QLabel()
        self.backups_label.setWordWrap(True)
        layout.addWidget(self.backups_label)
        self.backups = QListWidget()
        self.backups.setAccessibleName("Older automatic backups")
        layout.addWidget(self.backups, 1)
        layout.addStretch(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.delete_button = QPushButton("Delete these backups…")
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.delete_button.clicked.connect(self.delete_requested.emit)
        layout.addWidget(buttons)
        self._fill()
        self.resize(560, 380)

    def _fill(self, failures: list[str] | None = None) -> None:
        self.backups.clear()
        self.backups.addItems([str(p) for p in self.paths])
        if self.paths:
            count = len(self.paths)
            self.backups_label.setText(
                f"{erasure.copies(count).capitalize()} made before the erasure still "
                f"{'holds' if count == 1 else 'hold'} the person's data:"
            )
        else:
            self.backups_label.setText("No automatic backup made before the erasure is left.")
        if failures:
            self.backups_label.setText(
                self.backups_label.text() + "\nCould not delete:\n" + "\n".join(failures)
            )
        self.backups.setVisible(bool(self.paths))
        self.delete_button.setEnabled(bool(self.paths))
        self.box.setStretch(3, 0 if self.paths else 1)

    def deleted(self, paths: list[Path], failures: list[str]) -> None:
        gone = set(paths)
        self.paths = [p for p in self.paths if p not in gone]
        self._fill(failures)


class PurgeDialog(QDialog):
    """Privacy ▸ Remove old sensitive data: a retention period and what it removes.

    Args:
        plan_for: the purge plan for a number of months.
        months: the period shown first (the preference, else 12).

    Signals:
        purge_requested(): "Remove…" was pressed (the caller confirms and purges).
    """

    purge_requested = Signal()

    def __init__(
        self,
        plan_for: Callable[[int], retention.PurgePlan],
        months: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Remove old sensitive data")
        self.setObjectName("purge_dialog")
        self.plan_for = plan_for
        layout = QVBoxLayout(self)
        intro = QLabel(
            "For the attendees of delegations that ended more than this many months ago, "
            "remove their journeys, hotel phone, booking reference and room notes, and the "
            "phone, dietary and accessibility needs of people no later delegation needs."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.spin = QSpinBox()
        self.spin.setRange(*preferences.RETENTION_RANGE)
        self.spin.setAccessibleName("Ended more than")
        self.spin.setValue(months)
        count_months(self.spin)
        caption = QLabel("Delegations that &ended more than:")
        caption.setBuddy(self.spin)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.spin)
        row.addStretch(1)
        layout.addLayout(row)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.summary, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.remove_button = QPushButton("&Remove…")  # Alt+E is the period
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.remove_button.clicked.connect(self.purge_requested.emit)
        layout.addWidget(buttons)
        QWidget.setTabOrder(self.spin, self.remove_button)
        QWidget.setTabOrder(
            self.remove_button, buttons.button(QDialogButtonBox.StandardButton.Cancel)
        )
        self.spin.valueChanged.connect(lambda _v: self.refresh())
        self.plan: retention.PurgePlan | None = None
        self.refresh()
        self.resize(520, 320)

    def months(self) -> int:
        return int(self.spin.value())

    def refresh(self) -> None:
        self.plan = self.plan_for(self.months())
        self.summary.setText("\n".join(self.plan.describe()))
        self.remove_button.setEnabled(not self.plan.empty)
