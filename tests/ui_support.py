"""Stand-ins for message boxes and file dialogs, shared by the GUI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from delegations.ui.settings import ENV_SETTINGS_DIR


class Answers:
    """Stands in for message boxes and file dialogs: records questions, answers them."""

    def __init__(self) -> None:
        self.yes = True
        self.questions: list[tuple[str, str]] = []
        self.messages: list[tuple[str, str]] = []
        self.files: list[str] = []

    def confirm(self, title: str, text: str) -> bool:
        self.questions.append((title, text))
        return self.yes

    def inform(self, title: str, text: str) -> None:
        self.messages.append((title, text))

    def choose(self, caption: str, start: str, filters: str, save: bool) -> str:
        return self.files.pop(0) if self.files else ""


def make_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Answers:
    monkeypatch.setenv(ENV_SETTINGS_DIR, str(tmp_path / "settings"))
    return Answers()


def open_window(qtbot: Any, db: Any, answers: Answers) -> Any:
    """The main window on ``db``, shown, with recorded answers and file choices."""
    from delegations.ui.main_window import MainWindow
    from delegations.ui.settings import Settings

    window = MainWindow(
        db, Settings(), confirm=answers.confirm, inform=answers.inform, choose_file=answers.choose
    )
    qtbot.addWidget(window)
    window.show()
    return window


def drag_and_drop(window: Any, path: Path, *, drop: bool = True) -> bool:
    """Drag ``path`` over ``window`` (and drop it, when accepted and ``drop``), as a
    file manager does; returns whether the window accepted the drag."""
    from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    action, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    modifiers = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(200, 200), action, data, button, modifiers)
    enter.ignore()
    QApplication.sendEvent(window, enter)
    if enter.isAccepted() and drop:
        dropped = QDropEvent(QPointF(200, 200), action, data, button, modifiers, QEvent.Type.Drop)
        QApplication.sendEvent(window, dropped)
    return enter.isAccepted()
