"""Forms: every field kind round-trips its value, tracks dirtiness, and the wheel is safe."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QDateTime, QPoint, QPointF, Qt, QTime
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)
from pytestqt.qtbot import QtBot

import delegations.ui
from delegations.services.listings import Choice
from delegations.ui.editors import DateEdit, DateTimeEdit, TimeEdit
from delegations.ui.forms import (
    FIELD_KINDS,
    NOT_SET,
    CheckList,
    ChoiceCombo,
    EnumCombo,
    Field,
    Form,
    RecordDialog,
)

ATHENS = ZoneInfo("Europe/Athens")
CHOICES = [Choice(1, "Ana Puig"), Choice(2, "Joan Vidal"), Choice(3, "Marta Soler")]


class Colour(Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"

    @property
    def label(self) -> str:
        return self.value.title()


def _line(editor: QWidget) -> QLineEdit:
    assert isinstance(editor, QLineEdit)
    return editor


def _edit_text(editor: QWidget) -> str:
    _line(editor).setText("Girona")
    return "Girona"


def _edit_int(editor: QWidget) -> int:
    assert isinstance(editor, QLineEdit)
    editor.setText("1 200")
    return 1200


def _edit_float(editor: QWidget) -> float:
    _line(editor).setText(" 2,5 ")
    return 2.5


def _edit_multiline(editor: QWidget) -> str:
    assert isinstance(editor, QPlainTextEdit)
    editor.setPlainText("other\ntext")
    return "other\ntext"


def _edit_enum(editor: QWidget) -> Colour:
    assert isinstance(editor, EnumCombo)
    editor.setCurrentIndex(0)
    return Colour.RED


def _edit_choice(editor: QWidget) -> int:
    assert isinstance(editor, ChoiceCombo)
    editor.setCurrentIndex(3)  # after "(none)"
    return 3


def _edit_checklist(editor: QWidget) -> list[int]:
    assert isinstance(editor, CheckList)
    editor.item(1).setCheckState(Qt.CheckState.Checked)
    return [1, 2, 3]


def _edit_bool(editor: QWidget) -> bool:
    assert isinstance(editor, QCheckBox)
    editor.toggle()
    return False


def _edit_date(editor: QWidget) -> date:
    assert isinstance(editor, DateEdit)
    editor.setDate(QDate(2025, 3, 15))
    return date(2025, 3, 15)


def _edit_optional_date(editor: QWidget) -> None:
    assert isinstance(editor, DateEdit)
    editor.setDate(NOT_SET)


def _edit_time(editor: QWidget) -> time:
    assert isinstance(editor, TimeEdit)
    editor.setTime(QTime(10, 15))
    return time(10, 15)


def _edit_datetime(editor: QWidget) -> datetime:
    assert isinstance(editor, DateTimeEdit)
    editor.setDateTime(QDateTime(QDate(2025, 3, 16), QTime(18, 45)))
    return datetime(2025, 3, 16, 18, 45, tzinfo=ATHENS)


def _edit_timezone(editor: QWidget) -> str:
    assert isinstance(editor, QComboBox)
    editor.setCurrentText("Asia/Tokyo")
    return "Asia/Tokyo"


@dataclass(frozen=True)
class Case:
    field: Field
    value: Any
    edit: Callable[[QWidget], Any]


CASES = {
    "text": Case(Field("x", "X"), "Barcelona", _edit_text),
    "float": Case(Field("x", "X", "float"), 41.3851, _edit_float),
    "int": Case(Field("x", "X", "int"), 120, _edit_int),
    "multiline": Case(Field("x", "X", "multiline"), "line one\nline two", _edit_multiline),
    "enum": Case(Field("x", "X", "enum", enum=Colour), Colour.BLUE, _edit_enum),
    "choice": Case(Field("x", "X", "choice", choices=lambda: CHOICES), 2, _edit_choice),
    "checklist": Case(
        Field("x", "X", "checklist", choices=lambda: CHOICES), [1, 3], _edit_checklist
    ),
    "bool": Case(Field("x", "X", "bool"), True, _edit_bool),
    "date": Case(Field("x", "X", "date"), date(2025, 3, 14), _edit_date),
    "optional_date": Case(Field("x", "X", "optional_date"), date(2025, 3, 14), _edit_optional_date),
    "time": Case(Field("x", "X", "time"), time(9, 30), _edit_time),
    "datetime": Case(
        Field("x", "X", "datetime", zone="Europe/Athens"),
        datetime(2025, 3, 14, 9, 30, tzinfo=ATHENS),
        _edit_datetime,
    ),
    "timezone": Case(Field("x", "X", "timezone"), "Europe/Athens", _edit_timezone),
}


def _form(qtbot: QtBot, fields: list[Field]) -> Form:
    form = Form(fields)
    qtbot.addWidget(form)
    return form


def test_every_value_kind_has_a_round_trip_case() -> None:
    value_kinds = {name for name, kind in FIELD_KINDS.items() if kind.has_value}
    assert set(CASES) == value_kinds


@pytest.mark.parametrize("kind", sorted(CASES))
def test_kind_round_trips_and_tracks_dirtiness(qtbot: QtBot, kind: str) -> None:
    case = CASES[kind]
    form = _form(qtbot, [case.field])
    assert not form.is_dirty()

    form.set_values({"x": case.value})
    assert form.read() == ({"x": case.value}, {})
    assert not form.is_dirty()

    with qtbot.waitSignal(form.edited, timeout=1000):
        expected = case.edit(form.editors["x"])
    assert form.is_dirty()
    assert form.read() == ({"x": expected}, {})

    form.mark_clean()
    assert not form.is_dirty()
    form.set_values({"x": case.value})
    assert form.read() == ({"x": case.value}, {})
    assert not form.is_dirty()


@pytest.mark.parametrize(
    ("kind", "empty"),
    [
        ("text", ""),
        ("float", None),
        ("multiline", ""),
        ("choice", None),
        ("checklist", []),
        ("bool", False),
        ("optional_date", None),
        ("timezone", ""),
    ],
)
def test_kinds_read_none_as_empty(qtbot: QtBot, kind: str, empty: Any) -> None:
    form = _form(qtbot, [CASES[kind].field])
    form.set_values({"x": None})
    assert form.read() == ({"x": empty}, {})
    assert not form.is_dirty()


def test_float_text_that_is_not_a_number_is_a_problem(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("lat", "Latitude", "float")])
    _line(form.editors["lat"]).setText("north")
    assert form.read() == ({}, {"lat": "'north' is not a number"})


def test_datetime_follows_its_time_zone_field(qtbot: QtBot) -> None:
    form = _form(
        qtbot,
        [Field("tz", "Time zone", "timezone"), Field("at", "At", "datetime", zone="tz")],
    )
    instant = datetime(2025, 3, 14, 8, 0, tzinfo=ZoneInfo("UTC"))
    form.set_values({"tz": "Asia/Tokyo", "at": instant})
    editor = form.editors["at"]
    assert isinstance(editor, DateTimeEdit)
    assert editor.dateTime().time() == QTime(17, 0)  # shown as Tokyo wall-clock time
    values, problems = form.read()
    assert problems == {}
    assert values["at"] == instant
    assert values["at"].tzinfo == ZoneInfo("Asia/Tokyo")

    tz = form.editors["tz"]
    assert isinstance(tz, QComboBox)
    tz.setCurrentText("Nowhere/Atlantis")
    assert form.read()[1] == {"tz": "choose a time zone from the list"}


def test_section_is_a_heading_not_a_value(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("hotel_section", "Hotel", "section"), Field("hotel", "Hotel")])
    assert list(form.editors) == ["hotel"]
    assert [f.name for f in form.fields] == ["hotel"]
    heading = form.findChild(QLabel, "hotel_section")
    assert heading is not None and heading.text() == "Hotel" and heading.font().bold()
    assert form.read() == ({"hotel": ""}, {})


def _kinds_used_in_app() -> set[str]:
    """The ``kind`` of every ``Field(...)`` written in the ui package ("text" by default)."""
    kinds: set[str] = set()
    for path in Path(delegations.ui.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Field"):
                continue
            kind: ast.expr | None = node.args[2] if len(node.args) > 2 else None
            for keyword in node.keywords:
                if keyword.arg == "kind":
                    kind = keyword.value
            if kind is None:
                kinds.add("text")
            elif isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                kinds.add(kind.value)
    return kinds


def test_registry_has_every_kind_the_app_uses() -> None:
    used = _kinds_used_in_app()
    assert {"text", "enum", "choice", "datetime", "timezone", "section"} <= used
    assert used <= set(FIELD_KINDS), used - set(FIELD_KINDS)


# the mouse wheel ------------------------------------------------------------------
def _long_dialog(qtbot: QtBot) -> RecordDialog:
    fields = [
        *(Field(f"before{i}", f"Notes {i}", "multiline") for i in range(10)),
        Field("tz", "Time zone", "timezone"),
        Field("kind", "Colour", "enum", enum=Colour),
        Field("who", "Who", "choice", choices=lambda: CHOICES),
        Field("day", "Day", "date"),
        Field("starts", "Starts", "time"),
        Field("at", "At", "datetime", zone="tz"),
        *(Field(f"after{i}", f"More notes {i}", "multiline") for i in range(10)),
    ]
    values = {
        "tz": "Europe/Athens",
        "kind": Colour.GREEN,
        "who": 2,
        "day": date(2025, 3, 14),
        "starts": time(9, 30),
        "at": datetime(2025, 3, 14, 9, 30, tzinfo=ATHENS),
    }
    dialog = RecordDialog("Wheel", fields, lambda v: v, values)
    qtbot.addWidget(dialog)
    dialog.resize(500, 400)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    return dialog


def _wheel(widget: QWidget, steps: int = -1) -> None:
    """Send a synthetic wheel event (one notch per step; negative scrolls down)."""
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(
        pos,
        QPointF(widget.mapToGlobal(pos.toPoint())),
        QPoint(),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


@pytest.mark.parametrize("name", ["tz", "kind", "who", "day", "starts", "at"])
def test_wheel_changes_an_editor_only_when_it_has_focus(qtbot: QtBot, name: str) -> None:
    dialog = _long_dialog(qtbot)
    form = dialog.form
    editor = form.editors[name]
    assert editor.focusPolicy() == Qt.FocusPolicy.StrongFocus
    form.editors["before0"].setFocus()
    qtbot.waitUntil(lambda: form.editors["before0"].hasFocus(), timeout=2000)

    _wheel(editor)
    _wheel(editor, 1)
    _wheel(editor, 1)
    assert not form.is_dirty()
    assert form.read()[0]["tz"] == "Europe/Athens"

    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=2000)
    _wheel(editor)
    assert form.is_dirty()  # focused, the wheel still edits


def test_unfocused_time_zone_combo_ignores_the_wheel(qtbot: QtBot) -> None:
    dialog = _long_dialog(qtbot)
    tz = dialog.form.editors["tz"]
    assert isinstance(tz, QComboBox)
    assert not tz.hasFocus()
    _wheel(tz)
    assert tz.currentText() == "Europe/Athens"  # was Africa/Accra before the fix
    editable = tz.lineEdit()
    assert editable is not None
    _wheel(editable)
    assert tz.currentText() == "Europe/Athens"
    assert not dialog.form.is_dirty()


def test_wheel_over_an_unfocused_combo_scrolls_the_form(qtbot: QtBot) -> None:
    dialog = _long_dialog(qtbot)
    tz = dialog.form.editors["tz"]
    assert isinstance(tz, QComboBox)
    scroll = dialog.findChild(QScrollArea)
    assert scroll is not None
    scroll.ensureWidgetVisible(tz)
    bar = scroll.verticalScrollBar()
    before = bar.value()
    assert before > 0
    window = dialog.windowHandle()
    assert window is not None
    # QTest delivers it like a real mouse wheel (synthetic events never propagate).
    QTest.wheelEvent(window, QPointF(tz.mapTo(dialog, tz.rect().center())), QPoint(0, 120))
    qtbot.waitUntil(lambda: bar.value() < before, timeout=2000)
    assert tz.currentText() == "Europe/Athens"
