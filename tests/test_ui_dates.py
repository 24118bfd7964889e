"""Days, times and time zones are fast to type, and what is saved is what is shown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QDateTime, QLocale, QPoint, QPointF, Qt, QTime
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from delegations.services.storage import Database
from delegations.ui.editors import (
    DateEdit,
    DateTimeEdit,
    TimeEdit,
    ZoneCombo,
    next_weekday,
    parse_date,
    parse_time,
)
from delegations.ui.forms import NOT_SET, Field, Form
from delegations.ui.records import delegation_fields

TOKYO = ZoneInfo("Asia/Tokyo")


def _form(qtbot: QtBot, fields: list[Field], show: bool = False) -> Form:
    form = Form(fields)
    qtbot.addWidget(form)
    if show:
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()
    return form


def _time(form: Form, name: str) -> TimeEdit:
    editor = form.editors[name]
    assert isinstance(editor, TimeEdit)
    return editor


def _date(form: Form, name: str) -> DateEdit:
    editor = form.editors[name]
    assert isinstance(editor, DateEdit)
    return editor


def _zone(form: Form, name: str) -> ZoneCombo:
    editor = form.editors[name]
    assert isinstance(editor, ZoneCombo)
    return editor


def _type(editor: QWidget, text: str, enter: bool = True) -> None:
    """Replace the editor's text by typing ``text`` (then Enter)."""
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(editor, Qt.Key.Key_Delete)
    QTest.keyClicks(editor, text)
    if enter:
        QTest.keyClick(editor, Qt.Key.Key_Return)


def _shown(day: date) -> str:
    return QLocale().toString(QDate(day.year, day.month, day.day), "ddd d MMM yyyy")


def _focus(qtbot: QtBot, editor: QWidget) -> None:
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=2000)


def _wheel(widget: QWidget, steps: int) -> None:
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


@pytest.fixture
def french() -> Iterator[None]:
    """The user's language is French for the test."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    yield
    QLocale.setDefault(before)


# reading times ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("930", time(9, 30)),
        ("0930", time(9, 30)),
        ("9:30", time(9, 30)),
        ("09h30", time(9, 30)),
        ("9.30", time(9, 30)),
        ("9,30", time(9, 30)),
        ("9h", time(9)),
        ("9", time(9)),
        ("14", time(14)),
        ("1425", time(14, 25)),
        (" 9 : 30 ", time(9, 30)),
        ("9:30 pm", time(21, 30)),
        ("930pm", time(21, 30)),
        ("12 am", time(0)),
        ("00:00", time(0)),
        ("23:59", time(23, 59)),
    ],
)
def test_times_are_read_as_the_obvious_time(text: str, clock: time) -> None:
    assert parse_time(text) == clock


@pytest.mark.parametrize("text", ["", "24", "2400", "25:00", "9:3", "9:60", "1460", "13pm", "h"])
def test_what_is_not_a_time_is_not_read(text: str) -> None:
    assert parse_time(text) is None


def test_typed_time_is_shown_in_full_when_entered(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("starts", "Starts", "time")])
    form.set_values({"starts": time(8)})
    starts = _time(form, "starts")
    with qtbot.waitSignal(form.edited, timeout=1000):
        _type(starts, "930")
    assert starts.text() == "09:30"
    assert form.read() == ({"starts": time(9, 30)}, {})
    assert form.is_dirty()
    for typed, shown in [("9h", "09:00"), ("14", "14:00"), ("09h30", "09:30"), ("9.45", "09:45")]:
        _type(starts, typed)
        assert starts.text() == shown


def test_reading_the_form_shows_the_time_it_saves(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("starts", "Starts", "time")])
    starts = _time(form, "starts")
    _type(starts, "1415", enter=False)
    assert starts.text() == "1415"
    assert form.read() == ({"starts": time(14, 15)}, {})
    assert starts.text() == "14:15"  # no hidden tidying on save: the field shows it


def test_a_time_that_cannot_be_read_stays_and_is_a_problem(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("starts", "Starts", "time")])
    form.set_values({"starts": time(9)})
    starts = _time(form, "starts")
    _type(starts, "25:00")
    assert starts.text() == "25:00"  # not silently changed back
    values, problems = form.read()
    assert values == {}
    assert problems["starts"].startswith("'25:00' is not a time")
    assert form.is_dirty()
    form.show_errors(problems)
    assert "is not a time" in form.error_text("starts")
    _type(starts, "")
    assert form.read()[1] == {"starts": "enter a time"}


def test_letters_that_cannot_be_part_of_a_time_are_refused(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("starts", "Starts", "time")])
    starts = _time(form, "starts")
    _type(starts, "9x3z0", enter=False)
    assert starts.text() == "930"


def test_digits_go_where_the_click_put_the_cursor(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("title", "Title"), Field("starts", "Starts", "time")], show=True)
    form.set_values({"starts": time(9, 30)})
    starts = _time(form, "starts")
    line = starts.line()
    line.setCursorPosition(4)  # between "3" and "0"
    x = line.cursorRect().center().x()
    line.setCursorPosition(0)
    _focus(qtbot, form.editors["title"])
    QTest.mouseClick(line, Qt.MouseButton.LeftButton, pos=QPoint(x, line.height() // 2))
    assert starts.hasFocus()
    assert line.cursorPosition() == 4
    QTest.keyClick(starts, Qt.Key.Key_Backspace)
    QTest.keyClicks(starts, "4")
    assert starts.text() == "09:40"
    QTest.keyClick(starts, Qt.Key.Key_Return)
    assert form.read()[0]["starts"] == time(9, 40)


def test_arrows_step_a_time_by_a_quarter_of_an_hour(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("starts", "Starts", "time")], show=True)
    starts = _time(form, "starts")
    _focus(qtbot, starts)
    form.set_values({"starts": time(9, 30)})
    QTest.keyClick(starts, Qt.Key.Key_Up)
    assert starts.text() == "09:45"
    QTest.keyClick(starts, Qt.Key.Key_Down)
    QTest.keyClick(starts, Qt.Key.Key_Down)
    assert starts.text() == "09:15"
    starts.set_value(time(9, 7))
    QTest.keyClick(starts, Qt.Key.Key_Up)
    assert starts.text() == "09:15"  # to the next quarter
    starts.set_value(time(9, 7))
    QTest.keyClick(starts, Qt.Key.Key_Down)
    assert starts.text() == "09:00"
    QTest.keyClick(starts, Qt.Key.Key_PageUp)
    assert starts.text() == "10:00"
    starts.set_value(time(23, 45))
    QTest.keyClick(starts, Qt.Key.Key_Up)
    assert starts.text() == "23:45"  # never past midnight
    starts.set_value(time(0, 0))
    QTest.keyClick(starts, Qt.Key.Key_Down)
    assert starts.text() == "00:00"
    _type(starts, "930", enter=False)
    QTest.keyClick(starts, Qt.Key.Key_Up)
    assert starts.text() == "09:45"  # steps from what is typed
    _type(starts, "99:99", enter=False)
    QTest.keyClick(starts, Qt.Key.Key_Up)
    assert starts.text() == "99:99"  # what cannot be read is not stepped


def test_the_wheel_steps_a_time_only_when_it_has_focus(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("title", "Title"), Field("starts", "Starts", "time")], show=True)
    form.set_values({"starts": time(9, 30)})
    starts = _time(form, "starts")
    _focus(qtbot, form.editors["title"])
    _wheel(starts, 1)
    assert starts.text() == "09:30"
    assert not form.is_dirty()
    _focus(qtbot, starts)
    _wheel(starts, 1)
    assert starts.text() == "09:45"
    _wheel(starts, -1)
    _wheel(starts, -1)
    assert starts.text() == "09:15"


# reading days -------------------------------------------------------------------------
NEAR = date(2027, 6, 20)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1/7/2027", date(2027, 7, 1)),
        ("01/07/2027", date(2027, 7, 1)),
        ("1.7.27", date(2027, 7, 1)),
        ("1-7-2027", date(2027, 7, 1)),
        ("2027-07-01", date(2027, 7, 1)),
        ("1 July 2027", date(2027, 7, 1)),
        ("July 1, 2027", date(2027, 7, 1)),
        ("1st July 2027", date(2027, 7, 1)),
        ("Thu 1 Jul 2027", date(2027, 7, 1)),  # as the field shows it
        ("1 juillet 2027", date(2027, 7, 1)),
        ("1er juillet", date(2027, 7, 1)),
        ("1 de julio de 2027", date(2027, 7, 1)),
        ("1 jul", date(2027, 7, 1)),
        ("1 JUL", date(2027, 7, 1)),
        ("1/7", date(2027, 7, 1)),
        ("0107", date(2027, 7, 1)),
        ("01072027", date(2027, 7, 1)),
        ("20270701", date(2027, 7, 1)),
        ("7/13/2027", date(2027, 7, 13)),  # only month first makes sense
        ("15", date(2027, 6, 15)),  # a day of the month shown
        ("1 jun", date(2027, 6, 1)),  # just before: this year
        ("25 Dec", date(2027, 12, 25)),
        ("1 mar", date(2028, 3, 1)),  # long past: the coming one
        ("29 feb", date(2028, 2, 29)),
    ],
)
def test_days_are_read_as_the_obvious_day(text: str, day: date) -> None:
    assert parse_date(text, NEAR) == day


@pytest.mark.parametrize(
    "text", ["", "31/2/2027", "32/1/2027", "13/13/2027", "1 ju", "1 Smarch 2027", "July", "x"]
)
def test_what_is_not_a_day_is_not_read(text: str) -> None:
    assert parse_date(text, NEAR) is None


@pytest.mark.usefixtures("french")
def test_months_are_read_in_the_users_language(qtbot: QtBot) -> None:
    assert parse_date("1 août 2027", NEAR) == date(2027, 8, 1)
    assert parse_date("1 aout", NEAR) == date(2027, 8, 1)
    assert parse_date("3 févr. 2028", NEAR) == date(2028, 2, 3)
    assert parse_date("1 July 2027", NEAR) == date(2027, 7, 1)  # English still works
    form = _form(qtbot, [Field("day", "Jour", "date")])
    day = _date(form, "day")
    _type(day, "6 juillet 2027")
    assert day.text() == "mar. 6 juil. 2027"
    _type(day, day.text())  # what it shows reads back
    assert form.read() == ({"day": date(2027, 7, 6)}, {})


def test_typed_day_is_shown_in_full_when_entered(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("day", "Day", "date")])
    form.set_values({"day": date(2027, 6, 20)})
    day = _date(form, "day")
    for typed in ("1/7/2027", "2027-07-01", "1 July 2027", "1 jul"):
        with qtbot.waitSignal(form.edited, timeout=1000):
            _type(day, typed)
        assert day.text() == _shown(date(2027, 7, 1)) == "Thu 1 Jul 2027"
        assert form.read() == ({"day": date(2027, 7, 1)}, {})


def test_a_day_that_cannot_be_read_stays_and_is_a_problem(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("day", "Day", "date"), Field("out", "Out", "optional_date")])
    form.set_values({"day": date(2027, 6, 20), "out": None})
    day = _date(form, "day")
    _type(day, "31/2/2027")
    assert day.text() == "31/2/2027"
    values, problems = form.read()
    assert "day" not in values
    assert problems["day"].startswith("'31/2/2027' is not a day")
    _type(day, "")
    assert form.read()[1] == {"day": "enter a day"}
    assert form.read()[0]["out"] is None  # empty is a value for an optional day


def test_a_new_day_starts_on_near(qtbot: QtBot) -> None:
    form = _form(
        qtbot,
        [
            Field("plain", "Plain", "date"),
            Field("start", "Start", "date", near=lambda: date(2027, 7, 5)),
        ],
    )
    assert form.read()[0] == {"plain": date.today(), "start": date(2027, 7, 5)}
    assert not form.is_dirty()


def test_arrows_on_an_unset_day_first_set_the_sensible_day(qtbot: QtBot) -> None:
    near = date(2027, 7, 5)
    form = _form(
        qtbot,
        [
            Field("check_in", "Check-in", "optional_date", near=lambda: near),
            Field("other", "Other", "optional_date"),
        ],
        show=True,
    )
    form.set_values({"check_in": None, "other": None})
    check_in = _date(form, "check_in")
    assert check_in.text() == ""
    assert check_in.line().placeholderText() == "Not set"
    _focus(qtbot, check_in)
    QTest.keyClick(check_in, Qt.Key.Key_Up)
    assert check_in.value == near  # not 2 January 1900
    QTest.keyClick(check_in, Qt.Key.Key_Up)
    assert check_in.value == near + timedelta(days=1)
    QTest.keyClick(check_in, Qt.Key.Key_PageUp)
    assert check_in.value == date(2027, 8, 6)
    _type(check_in, "")
    QTest.keyClick(check_in, Qt.Key.Key_Down)
    assert check_in.value == near
    other = _date(form, "other")
    _focus(qtbot, other)
    _wheel(other, -1)
    assert other.value == date.today()


def test_alt_down_and_f4_open_the_calendar_on_a_sensible_month(qtbot: QtBot) -> None:
    form = _form(
        qtbot,
        [Field("check_in", "Check-in", "optional_date", near=lambda: date(2027, 7, 5))],
        show=True,
    )
    check_in = _date(form, "check_in")
    _focus(qtbot, check_in)
    QTest.keyClick(check_in, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = check_in.popup
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    assert (popup.calendar.yearShown(), popup.calendar.monthShown()) == (2027, 7)
    assert check_in.value is None  # opening picks nothing
    QTest.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert check_in.value is None
    QTest.keyClick(check_in, Qt.Key.Key_F4)
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    popup.calendar.clicked.emit(QDate(2027, 7, 8))
    assert not popup.isVisible()
    assert check_in.text() == _shown(date(2027, 7, 8))
    assert form.read() == ({"check_in": date(2027, 7, 8)}, {})


def test_the_end_follows_the_start(qtbot: QtBot) -> None:
    form = _form(
        qtbot,
        [Field("start", "Start", "date"), Field("end", "End", "date", follows="start")],
    )
    form.set_values({"start": date(2027, 7, 5), "end": date(2027, 7, 8)})
    assert not form.is_dirty()
    start, end = _date(form, "start"), _date(form, "end")
    _type(start, "12/7/2027")
    assert end.text() == _shown(date(2027, 7, 15))  # the same three nights, shown at once
    assert form.read()[0] == {"start": date(2027, 7, 12), "end": date(2027, 7, 15)}
    QTest.keyClick(start, Qt.Key.Key_Down)
    assert end.value == date(2027, 7, 14)
    _type(end, "10/7/2027")  # before the start: the service will say so
    _type(start, "20/7/2027")
    assert end.value == date(2027, 7, 20)  # never before the start
    form.set_values({"start": date(2027, 9, 1), "end": date(2027, 9, 3)})
    assert (start.value, end.value) == (date(2027, 9, 1), date(2027, 9, 3))
    assert not form.is_dirty()


def test_an_unset_follower_stays_unset_and_opens_on_the_leaders_month(qtbot: QtBot) -> None:
    form = _form(
        qtbot,
        [
            Field("check_in", "Check-in", "optional_date"),
            Field("check_out", "Check-out", "optional_date", follows="check_in"),
        ],
        show=True,
    )
    form.set_values({"check_in": date(2027, 10, 4), "check_out": None})
    check_in, check_out = _date(form, "check_in"), _date(form, "check_out")
    _type(check_in, "5/10/2027")
    assert check_out.value is None
    popup = check_out.show_calendar()
    assert (popup.calendar.yearShown(), popup.calendar.monthShown()) == (2027, 10)
    QTest.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    QTest.keyClick(check_out, Qt.Key.Key_Up)
    assert check_out.value == date(2027, 10, 5)


def test_a_follower_must_follow_an_earlier_date_field(qtbot: QtBot) -> None:
    with pytest.raises(ValueError, match="follows 'start'"):
        Form([Field("end", "End", "date", follows="start"), Field("start", "Start", "date")])


def test_next_weekday() -> None:
    assert next_weekday(0, date(2027, 7, 7)) == date(2027, 7, 12)  # Wednesday → Monday
    assert next_weekday(0, date(2027, 7, 12)) == date(2027, 7, 19)  # Monday → the next one
    assert next_weekday(6, date(2027, 7, 10)) == date(2027, 7, 11)


# date and time ------------------------------------------------------------------------
def test_a_datetime_takes_a_typed_day_and_time(qtbot: QtBot) -> None:
    form = _form(
        qtbot,
        [Field("tz", "Time zone", "timezone"), Field("at", "Departs", "datetime", zone="tz")],
    )
    form.set_values({"tz": "Asia/Tokyo", "at": datetime(2027, 7, 1, 8, 0, tzinfo=TOKYO)})
    at = form.editors["at"]
    assert isinstance(at, DateTimeEdit)
    day, clock = at.parts()
    assert day.accessibleName() == "Departs (day)"
    _type(clock, "1425")
    _type(day, "2 jul")
    assert (day.text(), clock.text()) == (_shown(date(2027, 7, 2)), "14:25")
    assert form.read() == (
        {"tz": "Asia/Tokyo", "at": datetime(2027, 7, 2, 14, 25, tzinfo=TOKYO)},
        {},
    )
    _type(clock, "2561")
    assert form.read()[1] == {"at": "'2561' is not a time (e.g. 930, 9:30, 9h30 or 14)"}


# time zones ---------------------------------------------------------------------------
PLACE = [
    Field("city", "Destination city"),
    Field("country", "Destination country"),
    Field("tz", "Time zone", "timezone", follows=("country", "city")),
]


def _set_text(form: Form, name: str, text: str) -> None:
    editor = form.editors[name]
    editor.setFocus()
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, text)


def test_the_zone_follows_the_destination_until_one_is_chosen(qtbot: QtBot) -> None:
    form = _form(qtbot, PLACE)
    form.set_values({"tz": "Europe/Brussels"})  # a new delegation's default
    tz = _zone(form, "tz")
    _set_text(form, "country", "Japon")
    assert tz.currentText() == "Asia/Tokyo"  # shown while typing
    _set_text(form, "country", "United States")
    assert tz.currentText() == "America/New_York"
    _set_text(form, "city", "Los Angeles")
    assert tz.currentText() == "America/Los_Angeles"
    _set_text(form, "country", "Atlantis")
    assert tz.currentText() == "Europe/Brussels"  # no known zone: the one it had
    tz.setCurrentText("Europe/Lisbon")  # chosen by hand
    _set_text(form, "country", "Japan")
    assert tz.currentText() == "Europe/Lisbon"
    assert form.read()[0]["tz"] == "Europe/Lisbon"


def test_a_shown_zone_follows_only_if_it_is_the_places(qtbot: QtBot) -> None:
    form = _form(qtbot, PLACE)
    tz = _zone(form, "tz")
    form.set_values({"city": "Girona", "country": "Spain", "tz": "Europe/Madrid"})
    assert not form.is_dirty()
    _set_text(form, "country", "France")
    assert tz.currentText() == "Europe/Paris"
    form.set_values({"city": "Girona", "country": "Spain", "tz": "Atlantic/Canary"})
    _set_text(form, "country", "France")
    assert tz.currentText() == "Atlantic/Canary"  # chosen on purpose earlier: kept


def test_a_typed_zone_is_tidied_where_it_shows(qtbot: QtBot) -> None:
    form = _form(qtbot, [Field("tz", "Time zone", "timezone")])
    tz = _zone(form, "tz")
    for typed, zone in [("europe/paris", "Europe/Paris"), ("Tokyo", "Asia/Tokyo")]:
        tz.setCurrentText(typed)
        assert form.read() == ({"tz": zone}, {})
        assert tz.currentText() == zone
    tz.setCurrentText("Nowhere/Atlantis")
    assert form.read() == ({"tz": "Nowhere/Atlantis"}, {})  # the service says why


# the delegation form ------------------------------------------------------------------
def test_a_new_delegation_starts_next_monday_in_the_destinations_zone(
    qtbot: QtBot, db: Database
) -> None:
    form = _form(qtbot, delegation_fields(db))
    form.set_values({"timezone": "Europe/Brussels"})  # what RecordPage.new_dialog gives
    monday = next_weekday(0)
    values = form.read()[0]
    assert (values["start_date"], values["end_date"]) == (monday, monday + timedelta(days=1))
    assert monday.weekday() == 0 and monday > date.today()
    assert not form.is_dirty()
    _set_text(form, "destination_country", "Greece")
    assert _zone(form, "timezone").currentText() == "Europe/Athens"
    _type(_date(form, "start_date"), "14/9/2027")
    assert _date(form, "end_date").text() == _shown(date(2027, 9, 15))


# Qt's names still work (code and tests written for QDateEdit, QTimeEdit, QDateTimeEdit)
def test_editors_answer_to_qt_names(qtbot: QtBot) -> None:
    zone = ZoneInfo("Europe/Athens")
    form = _form(
        qtbot,
        [
            Field("day", "Day", "date"),
            Field("out", "Out", "optional_date"),
            Field("starts", "Starts", "time"),
            Field("at", "At", "datetime", zone="Europe/Athens"),
        ],
    )
    form.set_values(
        {
            "day": date(2025, 3, 14),
            "out": date(2025, 3, 14),
            "starts": time(9, 30),
            "at": datetime(2025, 3, 14, 9, 30, tzinfo=zone),
        }
    )
    day, out, starts, at = (form.editors[n] for n in ("day", "out", "starts", "at"))
    assert isinstance(day, DateEdit) and isinstance(out, DateEdit)
    assert isinstance(starts, TimeEdit) and isinstance(at, DateTimeEdit)
    assert day.date() == QDate(2025, 3, 14)
    assert starts.time() == QTime(9, 30)
    assert at.dateTime() == QDateTime(QDate(2025, 3, 14), QTime(9, 30))
    with qtbot.waitSignal(form.edited, timeout=1000):
        day.setDate(QDate(2025, 3, 15))
    out.setDate(NOT_SET)
    starts.setTime(QTime(10, 15))
    with qtbot.waitSignal(at.dateTimeChanged, timeout=1000):
        at.setDateTime(QDateTime(QDate(2025, 3, 16), QTime(18, 45)))
    assert form.is_dirty()
    assert form.read() == (
        {
            "day": date(2025, 3, 15),
            "out": None,
            "starts": time(10, 15),
            "at": datetime(2025, 3, 16, 18, 45, tzinfo=zone),
        },
        {},
    )
