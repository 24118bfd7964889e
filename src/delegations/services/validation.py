"""Field checks that produce messages a project officer understands."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from delegations.services.errors import ValidationError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


class Checker:
    """Collects field errors; ``raise_if_any`` raises one ValidationError for all."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(f"{self.prefix}{field}", message)

    def required(self, field: str, value: Any, label: str | None = None) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(field, f"{label or field.replace('_', ' ')} is required")

    def max_length(self, field: str, value: str | None, limit: int) -> None:
        if value and len(value) > limit:
            self.add(field, f"is {len(value)} characters long; at most {limit} fit")

    def email(self, field: str, value: str | None) -> None:
        if value and not EMAIL.match(value.strip()):
            self.add(field, f"'{value}' is not an e-mail address")

    def timezone(self, field: str, value: str | None) -> None:
        if not value:
            self.add(field, "time zone is required (e.g. Europe/Madrid)")
        elif not is_timezone(value):
            self.add(field, f"unknown time zone '{value}' (use a name such as Europe/Madrid)")

    def enum(self, field: str, value: Any, enum_cls: type[Enum]) -> None:
        if value is None:
            return
        try:
            enum_cls(value)
        except ValueError:
            choices = ", ".join(str(m.value) for m in enum_cls)
            self.add(field, f"'{value}' is not one of: {choices}")

    def instance(self, field: str, value: Any, kind: type, label: str) -> bool:
        if value is not None and not isinstance(value, kind):
            self.add(field, f"expected {label}, got '{value}'")
            return False
        return True

    def aware(self, field: str, value: Any) -> datetime | None:
        """``value`` if it is a time-zone-aware datetime, else None (with an error)."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            self.add(field, f"expected a date and time, got '{value}'")
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.add(field, "a time needs its time zone")
            return None
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def is_timezone(name: str) -> bool:
    if name in _zones():
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


_ZONES: set[str] | None = None


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = set(available_timezones())
    return _ZONES


def hhmm(moment: datetime, zone: str) -> str:
    """A time as an officer reads it, in the delegation's zone: ``10:00``."""
    return f"{moment.astimezone(ZoneInfo(zone)):%H:%M}"


def describe_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def unknown_fields(fields: Iterable[str], allowed: Iterable[str]) -> list[str]:
    allowed_set = set(allowed)
    return sorted(f for f in fields if f not in allowed_set)
