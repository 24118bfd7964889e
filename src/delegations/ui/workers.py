"""Long work (exports, imports) on a worker thread, so the window stays responsive."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

Progress = Callable[[int, int], None]


class Cancelled(Exception):
    """Raised inside the work when the user pressed Cancel."""


class Task(QThread):
    """Runs ``work(progress)`` on its own thread.

    ``progress(done, total)`` reports how far the work is and raises the
    ``cancel_error`` once ``cancel()`` was called, so the work stops at its next
    step. The work must open its own database session (sessions are not shared
    between threads).

    Args:
        work: the function to run; what it returns is passed to ``succeeded``.
        cancel_error: the exception type that ``progress`` raises after cancel().
        expected: exception types whose message is shown as is.
        parent: the Qt parent.

    Signals:
        progressed(int, int): done, total.
        succeeded(object): the work's result.
        failed(str): the work failed; the message is for the user.
        was_cancelled(): the work stopped because the user cancelled it (a Cancel
            that comes after the work's last step is too late: it succeeded).
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    was_cancelled = Signal()

    def __init__(
        self,
        work: Callable[[Progress], Any],
        cancel_error: type[BaseException] = Cancelled,
        expected: tuple[type[BaseException], ...] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.work = work
        self.cancel_error = cancel_error
        self.expected = expected
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise self.cancel_error("cancelled")
        self.progressed.emit(done, total)

    def run(self) -> None:
        try:
            result = self.work(self._progress)
        except self.cancel_error:
            self.was_cancelled.emit()
        except self.expected as exc:
            self.failed.emit(_message(exc))
        except Exception as exc:
            self.failed.emit(f"Unexpected error: {type(exc).__name__}: {exc}")
        else:
            # The work returned: it is done, even if Cancel came after its last step
            # (a file written, a change committed must not be reported as not made).
            self.succeeded.emit(result)


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or exc}: {exc.filename}"
    return str(exc) or type(exc).__name__


class Tasks:
    """The background tasks one part of the window started, until each has ended.

    ``start`` shows failures through ``inform(title, message)``; a task is deleted
    once it ended; ``wait`` lets every running task end (before the window closes
    or the database changes). Empty when nothing runs (tests wait on that).
    """

    def __init__(self, inform: Callable[[str, str], None]) -> None:
        self.inform = inform
        self.running: list[Task] = []

    def __bool__(self) -> bool:
        return bool(self.running)

    def __len__(self) -> int:
        return len(self.running)

    def start(self, task: Task, done: Callable[[Any], None] | None, failure: str) -> Task:
        """Start ``task``; ``done`` gets its result; a failure is shown titled ``failure``."""
        if done is not None:
            task.succeeded.connect(done)
        task.failed.connect(lambda message: self.inform(failure, message))
        task.finished.connect(lambda: self._ended(task))
        self.running.append(task)
        task.start()
        return task

    def _ended(self, task: Task) -> None:
        if task in self.running:
            self.running.remove(task)
        task.deleteLater()

    def wait(self, msecs: int = 60000) -> None:
        for task in list(self.running):
            task.wait(msecs)
