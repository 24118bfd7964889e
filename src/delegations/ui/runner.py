"""One runner for every change the window makes.

Every screen hands its change to ``Runner`` as a ``services.history.Operation``.
The runner runs it through the undo ``History`` (on a worker thread when it is
long), shows a failure one way (a message box titled "Cannot …", naming what
went wrong and saying that nothing was changed), and broadcasts what changed as
a ``ChangeEvent``; each page decides from it what to redraw. Undo and redo are
run the same way and broadcast the same kind of value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication

from delegations.services import ServiceError, ValidationError
from delegations.services.changes import Changes
from delegations.services.history import History, Operation, Outcome, StorageError
from delegations.services.storage import Database
from delegations.ui import actions
from delegations.ui.workers import Progress, Task

T = TypeVar("T")
Inform = Callable[[str, str], None]


class NotSaved(ServiceError):
    """The change could not be written; the runner has already said why."""


@dataclass(frozen=True)
class ChangeEvent:
    """A change to data, as pages receive it.

    Attributes:
        changes: what was created, updated and deleted.
        source: the page or widget that asked for the change (it may skip itself).
        label: what was done, undone or redone ("add Julien Caron").
        step: "do" for an edit, "undo" or "redo"; "final" for a change that cannot be
            undone (an erasure, a purge).
    """

    changes: Changes
    source: object | None = None
    label: str = ""
    step: str = "do"

    def describe(self) -> str:
        """A status-bar line saying what happened and how to take it back."""
        if self.step == "undo":
            return f"Undone: {self.label}. {actions.hint('redo')} does it again."
        if self.step == "redo":
            return f"Redone: {self.label}. {actions.hint('undo')} takes it back."
        if self.step == "final":
            return f"Done: {self.label}. This cannot be undone."
        return f"Saved: {self.label}. {actions.hint('undo')} takes it back."


def _step_of(operation: Operation[Any]) -> str:
    return "do" if operation.undoable else "final"


class Runner(QObject):
    """Runs operations, undo and redo; tells every page what changed.

    Args:
        db: the open database.
        inform: shows a message (title, text).
        parent: the Qt parent.

    Signals:
        changed(object): a ``ChangeEvent`` after any edit, undo or redo that changed data.
        history_changed(): what Undo and Redo would do has changed.
        busy_changed(bool): a long operation started or ended.
        status(str): a short line for the status bar.
    """

    changed = Signal(object)
    history_changed = Signal()
    busy_changed = Signal(bool)
    status = Signal(str)

    def __init__(self, db: Database, inform: Inform, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.history = History(db)
        self.inform = inform
        self.task: Task | None = None

    # state ----------------------------------------------------------------------
    def busy(self) -> bool:
        return self.task is not None

    def _refuse_while_busy(self) -> bool:
        if self.task is None:
            return False
        self.status.emit("Wait until the current import has finished.")
        return True

    # running --------------------------------------------------------------------
    def run(
        self,
        operation: Operation[T],
        source: object | None = None,
        *,
        in_form: bool = False,
    ) -> Outcome[T] | None:
        """Run ``operation`` now; its outcome, or None after saying why it failed.

        With ``in_form`` the refusals a form can show under its fields
        (``ValidationError`` and other ``ServiceError``) are raised to the form
        instead; database failures are always shown here, then ``NotSaved`` is
        raised so that the dialog stays open with what was typed.
        """
        if self._refuse_while_busy():
            if in_form:
                raise NotSaved("Wait until the current import has finished, then press OK again.")
            return None
        try:
            with _waiting():
                outcome = self.history.run(operation)
        except StorageError as exc:
            self._fail(operation, str(exc))
            if in_form:
                raise NotSaved(
                    "Not saved yet: what you typed is kept; press OK to try again."
                ) from None
            return None
        except ValidationError as exc:
            if in_form:
                raise
            self._fail(operation, "\n".join(exc.errors.values()))
            return None
        except ServiceError as exc:
            if in_form:
                raise
            self._fail(operation, str(exc))
            return None
        self._announce(outcome.changes, source, outcome.label, _step_of(operation))
        return outcome

    def run_in_background(
        self,
        operation: Operation[T],
        busy_text: str,
        done: Callable[[Outcome[T]], None] | None = None,
        source: object | None = None,
        cancelled: Callable[[], None] | None = None,
    ) -> Task | None:
        """Run a long operation on a worker thread; ``done`` gets its outcome.

        The operation stops when its own progress callback raises ``workers.Cancelled``
        (nothing is written); ``cancelled`` is then called.
        """
        if self._refuse_while_busy():
            return None
        history = self.history

        def work(progress: Progress) -> Outcome[T]:
            return history.run(operation)

        task = Task(work, expected=(ServiceError, OSError), parent=self)

        def succeeded(outcome: Outcome[T]) -> None:
            self._finish(task)
            self._announce(outcome.changes, source, outcome.label, _step_of(operation))
            if done is not None:
                done(outcome)

        def failed(message: str) -> None:
            self._finish(task)
            self._fail(operation, message)

        def stopped() -> None:
            self._finish(task)
            self.status.emit("Cancelled; nothing was changed.")
            if cancelled is not None:
                cancelled()

        task.succeeded.connect(succeeded)
        task.failed.connect(failed)
        task.was_cancelled.connect(stopped)
        self.task = task
        self.busy_changed.emit(True)
        self.status.emit(busy_text)
        task.start()
        return task

    def wait(self, msecs: int = 60000) -> None:
        """Wait for a long operation to end (switching databases, quitting)."""
        if self.task is not None:
            self.task.wait(msecs)
            QCoreApplication.sendPostedEvents()

    def _finish(self, task: Task) -> None:
        if self.task is task:
            self.task = None
            self.busy_changed.emit(False)
        # The task reported from inside run(), which may still be returning: deleting a
        # QThread before it has ended aborts the program. It ends within moments.
        task.wait()
        task.deleteLater()

    # history --------------------------------------------------------------------
    def undo(self) -> Changes | None:
        return self._step(self.history.undo, self.history.undo_label(), "undo")

    def redo(self) -> Changes | None:
        return self._step(self.history.redo, self.history.redo_label(), "redo")

    def _step(self, step: Callable[[], Changes], label: str, verb: str) -> Changes | None:
        if not label or self._refuse_while_busy():
            return None
        try:
            with _waiting():
                changes = step()
        except ServiceError as exc:
            self.history_changed.emit()
            self.inform(f"Cannot {verb}", str(exc))
            return None
        self._announce(changes, None, label, verb)
        return changes

    # telling --------------------------------------------------------------------
    def _announce(
        self, changes: Changes, source: object | None, label: str, step: str = "do"
    ) -> None:
        self.history_changed.emit()
        if changes:
            self.changed.emit(ChangeEvent(changes, source, label, step))

    def _fail(self, operation: Operation[Any], message: str) -> None:
        title = f"Cannot {self._label(operation)}".rstrip()
        self.inform(title if title != "Cannot" else "Cannot save the change", message)

    def _label(self, operation: Operation[Any]) -> str:
        """The operation's label; read in a session of its own when it names records
        (reading works while another program holds the write lock)."""
        if isinstance(operation.label, str):
            return operation.label
        try:
            with self.db.session() as session:
                return operation.label(session)
        except Exception:
            return ""


@contextmanager
def _waiting() -> Iterator[None]:
    """A wait cursor while the database is busy (a lock can take seconds)."""
    app = QGuiApplication.instance()
    if app is None:
        yield
        return
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()
