"""Editors for days, times and time zones that read what people type.

- ``TimeEdit``: "930", "0930", "9:30", "09h30", "9.30", "9h", "14" (14:00), "9:30 pm";
  ↑/↓ (and the wheel) change it by 15 minutes, Page Up/Down by an hour.
- ``DateEdit``: "1/7/2027", "2027-07-01", "1 July 2027", "1 juillet 2027" (month
  names in the user's language, English, French, Spanish, Catalan, German or
  Italian), "1 jul" (the coming 1 July), "15" (the 15th of the month shown); ↑/↓
  change the day, Page Up/Down the month; Alt+↓ or F4 opens the calendar. An
  optional one may be empty ("Not set").
- ``DateTimeEdit``: a ``DateEdit`` and a ``TimeEdit`` side by side.
- ``ZoneCombo``: IANA time zone names; follows a place until people choose a zone.

What cannot be read stays as typed: ``read()`` says why (the form shows it under the
field). What can be read is written out in full when people leave the field or press
Enter, and when the form reads it: the field always shows what is saved.

Nothing here knows about forms; the field kinds in ``forms.py`` use these editors.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from PySide6.QtCore import QDate, QDateTime, QLocale, QPoint, QSize, Qt, QTime, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QIcon,
    QKeyEvent,
    QTextCharFormat,
    QValidator,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from delegations.services.places import zone_for

DATE_FORMAT = "ddd d MMM yyyy"
"""How a day is shown (in the user's language): "Thu 1 Jul 2027"."""
TIME_STEP = 15
"""Minutes that ↑/↓ and the wheel add to or take from a time."""
LAST_STEP = 23 * 60 + 60 - TIME_STEP
"""The latest time ↑ reaches (23:45)."""
DATE_HINT = "e.g. 1/7/2027, 2027-07-01 or 1 July"
TIME_HINT = "e.g. 930, 9:30, 9h30 or 14"


def _plain(text: str) -> str:
    """``text`` without accents, in lower case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def next_weekday(weekday: int, after: date | None = None) -> date:
    """The first day after ``after`` (default today) that is ``weekday`` (0 is Monday)."""
    start = after or date.today()
    return start + timedelta(days=(weekday - start.weekday() - 1) % 7 + 1)


# reading times ------------------------------------------------------------------------
_TIME = re.compile(r"(?P<h>\d{1,2})(?:(?P<sep>[:h.,])(?P<m>\d{2})?)?|(?P<digits>\d{3,4})")
_HALF = re.compile(r"(?P<body>.*?)(?P<half>[ap])\.?(?:m\.?)?")
_TIME_CHARS = re.compile(r"[\d\s:hH.,aApPmM]*")


def parse_time(text: str) -> time | None:
    """The time ``text`` means, or None.

    "930" and "0930" are 09:30, "9:30", "09h30", "9.30" and "9,30" too; "9h" and "9" are
    09:00, "14" is 14:00; "9:30 pm" and "930pm" are 21:30.
    """
    compact = re.sub(r"\s+", "", text).casefold()
    half = None
    match = _HALF.fullmatch(compact)
    if match:
        compact, half = match["body"], match["half"]
    match = _TIME.fullmatch(compact)
    if match is None:
        return None
    if match["digits"]:
        hour, minute = int(match["digits"][:-2]), int(match["digits"][-2:])
    else:
        hour, minute = int(match["h"]), int(match["m"] or 0)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


# reading days -------------------------------------------------------------------------
LANGUAGES = (
    QLocale.Language.English,
    QLocale.Language.French,
    QLocale.Language.Spanish,
    QLocale.Language.Catalan,
    QLocale.Language.German,
    QLocale.Language.Italian,
)
"""Languages whose month and weekday names are read besides the user's own."""
_FILLERS = frozenset({"de", "del", "of", "the", "le", "el"})
_ORDINALS = frozenset({"st", "nd", "rd", "th", "er", "re", "e", "eme", "o", "a"})


@lru_cache(maxsize=8)
def _names(locale_name: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """(month by name, month by long name, weekday by name) in a language and ``LANGUAGES``."""
    months: dict[str, int] = {}
    long_months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    formats = (QLocale.FormatType.LongFormat, QLocale.FormatType.ShortFormat)
    for locale in (QLocale(locale_name), *(QLocale(language) for language in LANGUAGES)):
        for month in range(1, 13):
            for kind in formats:
                for name in (
                    locale.monthName(month, kind),
                    locale.standaloneMonthName(month, kind),
                ):
                    months[_plain(name).strip(".")] = month
            long_months[_plain(locale.monthName(month))] = month
            long_months[_plain(locale.standaloneMonthName(month))] = month
        for day in range(1, 8):
            for kind in formats:
                weekdays[_plain(locale.dayName(day, kind)).strip(".")] = day
                weekdays[_plain(locale.standaloneDayName(day, kind)).strip(".")] = day
    return months, long_months, weekdays


def _month_of(word: str, months: dict[str, int], long_months: dict[str, int]) -> int | None:
    """The month ``word`` names, in full, abbreviated or by its first three letters or more."""
    if word in months:
        return months[word]
    if len(word) < 3:
        return None
    found = {month for name, month in long_months.items() if name.startswith(word)}
    return found.pop() if len(found) == 1 else None


def _weekday_of(word: str, weekdays: dict[str, int]) -> bool:
    return word in weekdays or (
        len(word) >= 3 and any(name.startswith(word) for name in weekdays if len(name) > 3)
    )


def _year(value: int, digits: int) -> int | None:
    if digits == 4:
        return value
    if digits == 2:
        return 2000 + value
    return None


def _day(year: int | None, month: int, day: int) -> date | None:
    if year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(month: int, day: int, reference: date) -> date | None:
    """Day ``day`` of ``month`` in the year that puts it at most three months before
    ``reference``, or as soon as possible after it (plans are mostly ahead)."""
    earliest = reference - timedelta(days=92)
    for year in range(reference.year - 1, reference.year + 5):
        found = _day(year, month, day)
        if found is not None and found >= earliest:
            return found
    return None


def _day_month(first: int, second: int) -> tuple[int, int]:
    """(day, month) of two numbers: day first, unless only the other way makes sense."""
    if second > 12 >= first:
        return second, first
    return first, second


def _digits_only(value: str, reference: date) -> date | None:
    """ "15" (in the reference month), "0107" (the coming one), "010727", "01072027", "20270701"."""
    if len(value) <= 2:
        return _day(reference.year, reference.month, int(value))
    if len(value) == 4:
        day, month = _day_month(int(value[:2]), int(value[2:]))
        return _upcoming(month, day, reference) if 1 <= month <= 12 else None
    if len(value) == 6:
        return _day(2000 + int(value[4:]), int(value[2:4]), int(value[:2]))
    if len(value) == 8:
        if value[:2] in ("19", "20"):
            iso = _day(int(value[:4]), int(value[4:6]), int(value[6:]))
            if iso is not None:
                return iso
        return _day(int(value[4:]), int(value[2:4]), int(value[:2]))
    return None


def parse_date(text: str, reference: date, locale: QLocale | None = None) -> date | None:
    """The day ``text`` means, or None.

    Numbers are read day first ("1/7/2027" is 1 July 2027) unless the year comes first
    ("2027-07-01") or only month first makes sense ("7/13/2027"); a month may be written
    in the user's language or one of ``LANGUAGES``, in full or shortened ("1 juillet
    2027", "1 Jul"); weekday names are skipped. Without a year, the first such day
    from three months before ``reference`` is meant; a lone day number is a day of
    the reference month.
    """
    locale = locale or QLocale()
    months, long_months, weekdays = _names(locale.name())
    tokens = re.findall(r"\d+|[^\W\d_]+", _plain(text))
    numbers: list[tuple[int, int]] = []
    month_words: list[tuple[int, bool]] = []
    previous_number = False
    for token in tokens:
        if token.isdigit():
            numbers.append((int(token), len(token)))
            previous_number = True
            continue
        if (previous_number and token in _ORDINALS) or token in _FILLERS:
            previous_number = False
            continue
        previous_number = False
        month = _month_of(token, months, long_months)
        weekday = _weekday_of(token, weekdays)
        if month is None and not weekday:
            return _locale_day(text, locale)
        if month is not None:
            month_words.append((month, weekday))
    if len(month_words) > 1:
        month_words = [m for m in month_words if not m[1]]
    if len(month_words) > 1:
        return None
    if month_words:
        return _with_month(month_words[0][0], numbers, reference)
    return _numeric(numbers, reference) or _locale_day(text, locale)


def _with_month(month: int, numbers: list[tuple[int, int]], reference: date) -> date | None:
    if len(numbers) == 1:
        value, digits = numbers[0]
        return _upcoming(month, value, reference) if digits <= 2 else None
    if len(numbers) == 2:
        (a, a_digits), (b, b_digits) = numbers
        if a_digits == 4 and b_digits <= 2:
            return _day(a, month, b)
        if a_digits <= 2:
            return _day(_year(b, b_digits), month, a)
    return None


def _numeric(numbers: list[tuple[int, int]], reference: date) -> date | None:
    if len(numbers) == 3:
        (a, a_digits), (b, b_digits), (c, c_digits) = numbers
        if a_digits == 4:
            return _day(a, b, c) if b_digits <= 2 and c_digits <= 2 else None
        if a_digits > 2 or b_digits > 2:
            return None
        day, month = _day_month(a, b)
        return _day(_year(c, c_digits), month, day) if month <= 12 else None
    if len(numbers) == 2:
        (a, a_digits), (b, b_digits) = numbers
        if a_digits > 2 or b_digits > 2:
            return None
        day, month = _day_month(a, b)
        return _upcoming(month, day, reference) if 1 <= month <= 12 else None
    if len(numbers) == 1:
        value, digits = numbers[0]
        return _digits_only(str(value).zfill(digits), reference)
    return None


def _locale_day(text: str, locale: QLocale) -> date | None:
    """The day in the form the editor shows it (for languages the rules above miss)."""
    for form in (DATE_FORMAT, locale.dateFormat(QLocale.FormatType.ShortFormat)):
        found = locale.toDate(text.strip(), form)
        if found.isValid():
            day = found.toPython()
            assert isinstance(day, date)
            return day
    return None


# editors ------------------------------------------------------------------------------
class _TextSpinBox(QAbstractSpinBox):
    """A spin box whose text is free: subclasses read it (``read``) and step it.

    ``textChanged`` fires on every change of the text; the value is written out in
    full (``commit``) when editing ends (focus leaves, Enter).
    """

    textChanged = Signal(str)
    ALLOWED = re.compile(r".*")
    MAX_LENGTH = 40
    SAMPLE = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        line = self.lineEdit()
        line.textChanged.connect(self.textChanged)
        self.editingFinished.connect(self.commit)

    def line(self) -> QLineEdit:
        """The line edit holding the text."""
        return self.lineEdit()

    def validate(self, text: str, pos: int) -> QValidator.State:  # type: ignore[override]
        if len(text) > self.MAX_LENGTH or not self.ALLOWED.fullmatch(text):
            return QValidator.State.Invalid
        return QValidator.State.Intermediate

    def commit(self) -> bool:
        """Write the text out in full if it can be read; False when it cannot."""
        raise NotImplementedError

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        extra = 34 if self.buttonSymbols() != QAbstractSpinBox.ButtonSymbols.NoButtons else 12
        width = self.fontMetrics().horizontalAdvance(self.SAMPLE) + extra + 24
        return QSize(max(hint.width(), width), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _select_all_if_focused(self) -> None:
        if self.hasFocus():
            self.selectAll()


class TimeEdit(_TextSpinBox):
    """A time of day, to the minute, typed freely (see ``parse_time``).

    Signals:
        textChanged(str): the text changed (typing or a new value).
        timeChanged(QTime): the value changed (written out, stepped or set).
    """

    timeChanged = Signal(QTime)
    ALLOWED = _TIME_CHARS
    MAX_LENGTH = 12
    SAMPLE = "00:00"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value: time | None = None
        self.line().setPlaceholderText("hh:mm")
        self.setToolTip(
            f"Type the time ({TIME_HINT}); ↑ and ↓ change it by {TIME_STEP} minutes, "
            "Page Up and Page Down by an hour"
        )

    @property
    def value(self) -> time | None:
        """The last time written out (None before any)."""
        return self._value

    def set_value(self, clock: time | None) -> None:
        """Show ``clock`` (to the minute); None empties the field."""
        clock = clock.replace(second=0, microsecond=0, tzinfo=None) if clock else None
        old, self._value = self._value, clock
        text = f"{clock:%H:%M}" if clock else ""
        if self.text() != text:
            self.line().setText(text)
        if old != clock:
            self.timeChanged.emit(QTime(clock.hour, clock.minute) if clock else QTime())

    def read(self) -> tuple[time | None, str | None]:
        """(the time typed, None) or (None, why it cannot be read)."""
        text = self.text().strip()
        if not text:
            return None, "enter a time"
        clock = parse_time(text)
        if clock is None:
            return None, f"'{text}' is not a time ({TIME_HINT})"
        return clock, None

    def raw(self) -> object:
        """The time typed, or the text when it is not one (for dirty checks)."""
        clock, problem = self.read()
        return self.text() if problem else clock

    def commit(self) -> bool:
        clock, problem = self.read()
        if problem:
            return False
        self.set_value(clock)
        return True

    # Qt's names, for code written against QTimeEdit.
    def time(self) -> QTime:
        clock, _problem = self.read()
        return QTime(clock.hour, clock.minute) if clock else QTime()

    def setTime(self, clock: QTime) -> None:
        value = clock.toPython() if clock.isValid() else None
        assert value is None or isinstance(value, time)
        self.set_value(value)

    # stepping -----------------------------------------------------------------------
    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag
        if self.isReadOnly():
            return flags.StepNone
        clock, _problem = self.read()
        if clock is None:
            return (
                flags.StepUpEnabled | flags.StepDownEnabled
                if not self.text().strip()
                else flags.StepNone
            )
        minutes = clock.hour * 60 + clock.minute
        enabled = flags.StepNone
        if minutes < LAST_STEP:
            enabled |= flags.StepUpEnabled
        if minutes > 0:
            enabled |= flags.StepDownEnabled
        return enabled

    def stepBy(self, steps: int) -> None:
        """Move to the next (or previous) quarter of an hour; an empty field starts at 09:00."""
        clock, _problem = self.read()
        if clock is None:
            if self.text().strip():
                return
            self.set_value(time(9))
        else:
            minutes = clock.hour * 60 + clock.minute
            grid = minutes // TIME_STEP if steps > 0 else -(-minutes // TIME_STEP)
            self._set_minutes(max(0, min((grid + steps) * TIME_STEP, LAST_STEP)))
        self._select_all_if_focused()

    def _set_minutes(self, minutes: int) -> None:
        minutes = max(0, min(minutes, 23 * 60 + 59))
        self.set_value(time(minutes // 60, minutes % 60))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown) and not self.isReadOnly():
            event.accept()
            clock, _problem = self.read()
            if clock is not None:
                hour = 60 if event.key() == Qt.Key.Key_PageUp else -60
                self._set_minutes(clock.hour * 60 + clock.minute + hour)
                self._select_all_if_focused()
            return
        super().keyPressEvent(event)


class CalendarPopup(QFrame):
    """The calendar a ``DateEdit`` opens: a click (or Enter) picks the day, Escape closes."""

    def __init__(self, editor: DateEdit) -> None:
        super().__init__(editor, Qt.WindowType.Popup)
        self.editor = editor
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget()
        self.calendar.setFirstDayOfWeek(editor.locale().firstDayOfWeek())
        self.calendar.setGridVisible(False)
        self.calendar.setAccessibleName(f"Calendar of {editor.accessibleName() or 'the day'}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.calendar)
        self.calendar.clicked.connect(self.pick)
        self.calendar.activated.connect(self.pick)
        self._marked: QDate | None = None

    def open_on(self, shown: date, marked: date | None) -> None:
        """Show the month of ``shown`` with it selected; ``marked`` (the day this one
        follows) stands out."""
        if self._marked is not None:
            self.calendar.setDateTextFormat(self._marked, QTextCharFormat())
            self._marked = None
        if marked is not None:
            look = QTextCharFormat()
            look.setBackground(QBrush(QColor("#dbeafe")))
            look.setFontWeight(700)
            self._marked = _qdate(marked)
            self.calendar.setDateTextFormat(self._marked, look)
        self.calendar.setSelectedDate(_qdate(shown))
        self.calendar.setCurrentPage(shown.year, shown.month)
        self.adjustSize()
        below = self.editor.mapToGlobal(QPoint(0, self.editor.height()))
        screen = self.editor.screen().availableGeometry()
        x = max(screen.left(), min(below.x(), screen.right() - self.width()))
        y = below.y()
        if y + self.height() > screen.bottom():
            y = self.editor.mapToGlobal(QPoint(0, 0)).y() - self.height()
        self.move(x, max(screen.top(), y))
        self.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def pick(self, day: QDate) -> None:
        picked = day.toPython()
        assert isinstance(picked, date)
        self.hide()
        self.editor.set_value(picked)
        self.editor.setFocus(Qt.FocusReason.PopupFocusReason)
        self.editor.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            self.editor.setFocus(Qt.FocusReason.PopupFocusReason)
            return
        super().keyPressEvent(event)


class DateEdit(_TextSpinBox):
    """A day, typed freely (see ``parse_date``) or picked in the calendar.

    Args:
        optional: empty ("Not set") is a value too (None); else a day is required.
        near: the day this field is about when it has none: a required field starts
            on it; an optional one's calendar opens there and ↑/↓ set it.
        parent: the Qt parent.

    A date that ``follow``s another keeps its distance to it when that one moves.

    Signals:
        textChanged(str): the text changed (typing or a new value).
        dateChanged(QDate): the value changed (a null QDate when emptied).
        moved(object, object): the value changed, from the first day to the second
            (``date`` or None).
    """

    dateChanged = Signal(QDate)
    moved = Signal(object, object)
    ALLOWED = re.compile(r"[\w\s/.,\-'’º°]*")
    SAMPLE = "Wed 29 Sep 2027"

    def __init__(
        self,
        optional: bool = False,
        near: Callable[[], date | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.optional = optional
        self.near = near
        self.leader: DateEdit | None = None
        self._value: date | None = None
        self._popup: CalendarPopup | None = None
        self.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        line = self.line()
        line.setPlaceholderText("Not set" if optional else "")
        icon = QIcon.fromTheme("x-office-calendar")
        if icon.isNull():
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown)
        self.calendar_action = line.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self.calendar_action.setToolTip("Open the calendar (Alt+↓ or F4)")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.setToolTip(
            f"Type the day ({DATE_HINT}){', or leave empty' if optional else ''}; "
            "↑ and ↓ change the day, Page Up and Page Down the month; "
            "Alt+↓ or F4 opens the calendar"
        )
        if not optional:
            self.set_value(self.sensible_day())

    @property
    def value(self) -> date | None:
        """The last day written out (None when empty)."""
        return self._value

    def set_value(self, day: date | None) -> None:
        """Show ``day`` in full; None empties the field."""
        if isinstance(day, datetime):
            day = day.date()
        old, self._value = self._value, day
        text = self.locale().toString(_qdate(day), DATE_FORMAT) if day else ""
        if self.text() != text:
            self.line().setText(text)
        if old != day:
            self.dateChanged.emit(_qdate(day) if day else QDate())
            self.moved.emit(old, day)

    def sensible_day(self) -> date:
        """The day to start from when there is none: the followed day, ``near``, today."""
        if self.leader is not None and self.leader.value is not None:
            return self.leader.value
        near = self.near() if self.near is not None else None
        return near or date.today()

    def reference(self) -> date:
        """The day a typed day without a year is read near."""
        return self._value or self.sensible_day()

    def read(self) -> tuple[date | None, str | None]:
        """(the day typed or None when empty and optional, None) or (None, why not)."""
        text = self.text().strip()
        if not text:
            return None, (None if self.optional else "enter a day")
        day = parse_date(text, self.reference(), self.locale())
        if day is None:
            return None, f"'{text}' is not a day ({DATE_HINT})"
        return day, None

    def raw(self) -> object:
        """The day typed, or the text when it is not one (for dirty checks)."""
        day, problem = self.read()
        return self.text() if problem else day

    def commit(self) -> bool:
        day, problem = self.read()
        if problem:
            return False
        self.set_value(day)
        return True

    # following ----------------------------------------------------------------------
    def follow(self, leader: DateEdit) -> None:
        """Keep the distance to ``leader`` when it moves (never ending up before it)."""
        self.leader = leader
        leader.moved.connect(self._leader_moved)

    def _leader_moved(self, old: date | None, new: date | None) -> None:
        if new is None or self._value is None:
            return
        target = new if old is None else new + (self._value - old)
        self.set_value(max(target, new))

    # stepping and the calendar ------------------------------------------------------
    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag
        _day, problem = self.read()
        if self.isReadOnly() or (problem and self.text().strip()):
            return flags.StepNone
        return flags.StepUpEnabled | flags.StepDownEnabled

    def stepBy(self, steps: int) -> None:
        """Move by days; an empty field first gets its sensible day."""
        self._shift(lambda day: day + timedelta(days=steps))

    def _shift(self, move: Callable[[date], date]) -> None:
        day, problem = self.read()
        if problem and self.text().strip():
            return
        self.set_value(move(day) if day else self.sensible_day())
        self._select_all_if_focused()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, alt = event.key(), event.modifiers() & Qt.KeyboardModifier.AltModifier
        if key == Qt.Key.Key_F4 or (alt and key in (Qt.Key.Key_Down, Qt.Key.Key_Up)):
            event.accept()
            self.show_calendar()
            return
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown) and not self.isReadOnly():
            event.accept()
            months = 1 if key == Qt.Key.Key_PageUp else -1
            self._shift(lambda day: _add_months(day, months))
            return
        super().keyPressEvent(event)

    def show_calendar(self) -> CalendarPopup:
        """Open the calendar on the day shown (or the sensible day when there is none)."""
        self.commit()
        if self._popup is None:
            self._popup = CalendarPopup(self)
        leader = self.leader.value if self.leader is not None else None
        self._popup.open_on(self._value or self.sensible_day(), leader)
        return self._popup

    @property
    def popup(self) -> CalendarPopup | None:
        """The calendar, once opened."""
        return self._popup

    # Qt's names, for code written against QDateEdit (a null or 1 Jan 1900 QDate empties
    # an optional field).
    def date(self) -> QDate:
        day, _problem = self.read()
        return _qdate(day) if day else QDate()

    def setDate(self, day: QDate) -> None:
        value = day.toPython() if day.isValid() else None
        if self.optional and value == date(1900, 1, 1):
            value = None
        assert value is None or isinstance(value, date)
        self.set_value(value)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        found = _day(year, month + 1, min(day.day, last))
        if found is not None:
            return found
    raise AssertionError("every month has 28 days")


class DateTimeEdit(QWidget):
    """A day and a time side by side (a wall-clock time; the zone is the form's).

    The wheel changes the part under the pointer only when that part has focus.

    Signals:
        textChanged(str): either part's text changed.
        dateTimeChanged(QDateTime): either part's value changed.
    """

    textChanged = Signal(str)
    dateTimeChanged = Signal(QDateTime)

    def __init__(
        self, near: Callable[[], date | None] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.date_edit = DateEdit(near=near)
        self.time_edit = TimeEdit()
        self.time_edit.set_value(time(9))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.date_edit)
        row.addWidget(self.time_edit)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.date_edit)
        for part in (self.date_edit, self.time_edit):
            part.textChanged.connect(self.textChanged)
        self.date_edit.dateChanged.connect(lambda _d: self._changed())
        self.time_edit.timeChanged.connect(lambda _t: self._changed())

    def _changed(self) -> None:
        self.dateTimeChanged.emit(self.dateTime())

    def parts(self) -> tuple[DateEdit, TimeEdit]:
        return self.date_edit, self.time_edit

    def set_value(self, day: date | None, clock: time | None) -> None:
        self.date_edit.set_value(day)
        self.time_edit.set_value(clock)

    def read(self) -> tuple[datetime | None, str | None]:
        """(the naive wall-clock datetime typed, None) or (None, why it cannot be read)."""
        day, day_problem = self.date_edit.read()
        clock, time_problem = self.time_edit.read()
        if day_problem or time_problem or day is None or clock is None:
            return None, day_problem or time_problem or "enter a day"
        return datetime.combine(day, clock), None

    def commit(self) -> bool:
        return all([self.date_edit.commit(), self.time_edit.commit()])

    def raw(self) -> object:
        return self.date_edit.raw(), self.time_edit.raw()

    # Qt's names, for code written against QDateTimeEdit.
    def dateTime(self) -> QDateTime:
        return QDateTime(self.date_edit.date(), self.time_edit.time())

    def setDateTime(self, moment: QDateTime) -> None:
        self.date_edit.setDate(moment.date())
        self.time_edit.setTime(moment.time())

    def wheelEvent(self, event: QWheelEvent) -> None:
        under = self.childAt(event.position().toPoint())
        for part in self.parts():
            over = under is not None and (under is part or part.isAncestorOf(under))
            if over and part.hasFocus():
                QApplication.sendEvent(part, event)
                return
        event.ignore()


class ZoneCombo(QComboBox):
    """An IANA time zone name, picked from the list (typing narrows it, matching anywhere).

    It follows a place (``follow_place``) until people choose a zone themselves; when the
    place has no known zone, the zone it was given comes back. Leaving the field tidies
    what was typed: "europe/paris" → "Europe/Paris", "Paris" or "France" → "Europe/Paris".
    """

    def __init__(self, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names = list(names)
        self._known = set(self.names)
        self._folded = {name.casefold(): name for name in self.names}
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(self.names)
        completer = self.completer()
        assert completer is not None
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.following = True
        """Whether the zone may still follow the place (nobody chose one)."""
        self._given = ""
        self._putting = False
        self.setCurrentText("")
        self.currentTextChanged.connect(self._typed)

    def _typed(self, _text: str) -> None:
        if not self._putting:
            self.following = False

    def _put(self, zone: str) -> None:
        self._putting = True
        try:
            self.setCurrentText(zone)
        finally:
            self._putting = False

    def set_zone(self, zone: str, following: bool) -> None:
        """Show ``zone``; with ``following`` it may change when the place does."""
        self._put(zone)
        self._given = zone
        self.following = following

    def follow_place(self, zone: str | None) -> None:
        """The place's zone changed to ``zone`` (None: not known): show it if following."""
        if self.following:
            self._put(zone or self._given)

    def tidy(self, text: str) -> str:
        """The zone ``text`` means: a zone name in any case, a city or a country."""
        text = text.strip()
        if not text or text in self._known:
            return text
        if text.casefold() in self._folded:
            return self._folded[text.casefold()]
        found = zone_for(text) or zone_for("", text)
        return found if found in self._known else text

    def zone(self) -> str:
        """The zone typed, tidied (the field shows the tidied name)."""
        tidy = self.tidy(self.currentText())
        if tidy != self.currentText():
            self.setCurrentText(tidy)
        return tidy

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.zone()


def text_of(editor: QWidget | None) -> str:
    """The text a line edit or combo box shows ("" for other widgets)."""
    if isinstance(editor, QLineEdit):
        return editor.text()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    return ""
