"""Field checks that produce messages a project officer understands.

Every way data enters (the window's forms, the delegation package, later a
spreadsheet) goes through the services' ``validate`` functions, which use the
checks and limits here, so they all refuse the same things. Messages never
repeat a long value: they say what is wrong and where, not what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from delegations.model.types import REVISION_MAX as REVISION_MAX
from delegations.services.errors import ValidationError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")

FIRST_YEAR, LAST_YEAR = 1900, 2200
"""Dates and instants outside these years are typing mistakes (and break calendars)."""
ZONE_MAX = 64
"""The longest time zone name stored (IANA names are at most 32 characters)."""

# Text limits, by what documents can print and the database columns hold.
NAME = 120
"""A person's given or family name, a badge name, a city, a place of departure."""
TITLE = 200
"""A title, an organisation's or venue's name, a job title, a hotel, a programme."""
SHORT = 300
"""An address, a web address, dietary or accessibility needs, a short note."""
LONG = 5_000
"""Notes, descriptions, objectives, emergency contacts (several lines)."""
EMAIL_MAX = 254
PHONE = 60
COUNTRY = 80
ACRONYM = 40
POSTCODE = 20
CARRIER = 80
SERVICE_NUMBER = 40

_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def control_problem(text: str, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored as it is (a control character), or None.

    One-line fields refuse every control character (Unicode category Cc: line
    breaks, tabs, NUL, ...); multi-line fields allow line breaks (``\\n``) only.
    Halves of UTF-16 surrogate pairs are refused everywhere.
    """
    found = (_CONTROL_MULTI_LINE if multiline else _CONTROL_ONE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char) == "Cs":
        return f"contains an invalid character ({code}, half of a surrogate pair)"
    if char in "\n\r":
        return f"contains a line break ({code}); this field holds one line of text"
    if char == "\t":
        return f"contains a tab ({code}); use spaces instead"
    return f"contains a control character ({code}), which cannot be printed"


def length_problem(text: str, limit: int) -> str | None:
    """``"is 1,048,576 characters long; at most 120 fit"``, or None when it fits."""
    if len(text) > limit:
        return f"is {len(text):,} characters long; at most {limit:,} fit"
    return None


def kind_of(value: Any) -> str:
    """What a value is, in words (never the value itself)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def year_problem(year: int) -> str | None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"is in the year {year}; give one between {FIRST_YEAR} and {LAST_YEAR}"
    return None


QUOTE_LIMIT = 40


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as a message may show it: quoted, on one line, cut after ``limit`` characters."""
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


class Checker:
    """Collects field errors; ``raise_if_any`` raises one ValidationError for all.

    The first error found for a field is the one kept.
    """

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(f"{self.prefix}{field}", message)

    def required(self, field: str, value: Any, label: str | None = None) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(field, f"{label or field.replace('_', ' ')} is required")

    def max_length(self, field: str, value: str | None, limit: int) -> None:
        if isinstance(value, str):
            problem = length_problem(value, limit)
            if problem:
                self.add(field, problem)

    def text(self, field: str, value: Any, limit: int, multiline: bool = False) -> bool:
        """Whether ``value`` is None or text that fits ``limit`` without control characters."""
        if value is None:
            return True
        if not isinstance(value, str):
            self.add(field, f"expected text, got {kind_of(value)}")
            return False
        problem = length_problem(value, limit) or control_problem(value, multiline)
        if problem:
            self.add(field, problem)
            return False
        return True

    def texts(
        self,
        values: Mapping[str, Any],
        limits: Mapping[str, int],
        multiline: Iterable[str] = (),
    ) -> None:
        """``text`` for every field of ``limits`` (those in ``multiline`` may hold line breaks)."""
        lines = set(multiline)
        for field, limit in limits.items():
            self.text(field, values.get(field), limit, field in lines)

    def email(self, field: str, value: str | None) -> None:
        if value and not EMAIL.match(value.strip()):
            self.add(field, f"{quoted(value)} is not an e-mail address")

    def timezone(self, field: str, value: str | None) -> None:
        if not value:
            self.add(field, "time zone is required (e.g. Europe/Madrid)")
        elif not self.text(field, value, ZONE_MAX):
            return
        elif not is_timezone(value):
            self.add(field, f"unknown time zone {quoted(value)} (use a name such as Europe/Madrid)")

    def enum(self, field: str, value: Any, enum_cls: type[Enum]) -> None:
        if value is None:
            return
        try:
            enum_cls(value)
        except ValueError:
            choices = ", ".join(str(m.value) for m in enum_cls)
            self.add(field, f"is not one of: {choices}")

    def instance(self, field: str, value: Any, kind: type, label: str) -> bool:
        if value is not None and not isinstance(value, kind):
            self.add(field, f"expected {label}, got {kind_of(value)}")
            return False
        return True

    def day(self, field: str, value: Any, label: str = "a date") -> bool:
        """Whether ``value`` is None or a date between 1900 and 2200."""
        if not self.instance(field, value, date, label):
            return False
        problem = year_problem(value.year) if value is not None else None
        if problem:
            self.add(field, problem)
            return False
        return True

    def aware(self, field: str, value: Any) -> datetime | None:
        """``value`` if it is a time-zone-aware datetime between 1900 and 2200, else None
        (with an error)."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            self.add(field, f"expected a date and time, got {kind_of(value)}")
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.add(field, "a time needs its time zone")
            return None
        problem = year_problem(value.year)
        if problem:
            self.add(field, problem)
            return None
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def is_timezone(name: Any) -> bool:
    """Whether ``name`` is an IANA time zone name (``Europe/Madrid``, ``UTC``).

    Only names from the time zone database count: not ``localtime``, ``Factory``,
    ``posix/...`` or ``right/...`` files, nor folders such as ``Europe``.
    """
    return isinstance(name, str) and name in _zones()


_ZONES: set[str] | None = None
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules", "leapseconds", "+VERSION"})


def _zones() -> set[str]:
    """The IANA time zone names this computer knows (``available_timezones`` lists only
    files that hold time zone data)."""
    global _ZONES
    if _ZONES is None:
        _ZONES = {
            name
            for name in available_timezones()
            if name not in _NOT_ZONES and not name.startswith(("posix/", "right/"))
        }
    return _ZONES


def hhmm(moment: datetime, zone: str) -> str:
    """A time as an officer reads it, in the delegation's zone: ``10:00``."""
    return f"{moment.astimezone(ZoneInfo(zone)):%H:%M}"


def describe_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def unknown_fields(fields: Iterable[str], allowed: Iterable[str]) -> list[str]:
    allowed_set = set(allowed)
    return sorted(f for f in fields if f not in allowed_set)
