"""Background tasks: a Cancel that comes after the work's last step is too late."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from delegations.ui.workers import Cancelled, Progress, Task


def run(qtbot: QtBot, task: Task) -> dict[str, object]:
    seen: dict[str, object] = {}
    task.succeeded.connect(lambda result: seen.__setitem__("succeeded", result))
    task.was_cancelled.connect(lambda: seen.__setitem__("cancelled", True))
    task.failed.connect(lambda message: seen.__setitem__("failed", message))
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    return seen


def test_cancel_after_the_last_step_reports_success(qtbot: QtBot) -> None:
    """The file was written (the change committed): saying it was not would be false."""
    holder: list[Task] = []

    def work(progress: Progress) -> str:
        progress(1, 1)
        holder[0].cancel()  # the user presses Cancel as the work ends
        return "written"

    task = Task(work)
    holder.append(task)
    assert run(qtbot, task) == {"succeeded": "written"}


def test_cancel_before_a_step_stops_the_work(qtbot: QtBot) -> None:
    holder: list[Task] = []
    steps: list[int] = []

    def work(progress: Progress) -> str:
        for n in range(5):
            if n == 2:
                holder[0].cancel()
            progress(n, 5)
            steps.append(n)
        return "finished"

    task = Task(work, cancel_error=Cancelled)
    holder.append(task)
    assert run(qtbot, task) == {"cancelled": True}
    assert steps == [0, 1]
