"""When a host can receive a visit: opening hours, closed dates and public holidays.

Officers write opening hours the way they read them on a website or a door::

    Mon-Fri 09:00-18:00; Sat 10:00-13:00
    Mo-Fr 9-18
    lun-ven 9h-12h30, 14h-18h; sam fermé
    dl-dv 9:00-14:00

Rules are separated by ``;``: days (names or ranges, separated by commas or
spaces; none means every day), then times (ranges separated by commas, or
``closed``). Day names are English, French, Spanish, Catalan or German, full or
abbreviated, in any case, accents optional. Times read ``9``, ``09:00``,
``9h30``, ``9.30``, ``9am``; ``24:00`` closes at midnight. Rules add up, and
``closed`` (``off``, ``fermé``, ``cerrado``, ``tancat``) clears the days it
names. ``24/7`` is always open. Empty text: no constraint.

Closed dates are ISO dates and ranges: ``2027-08-01..2027-08-31, 2027-12-24``
(``/`` also separates a range). Empty text: never closed.

Public holidays come from the ``holidays`` package, by country code and region
(subdivision code such as ``CT`` for Catalonia).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from delegations.services.places import country_code
from delegations.services.validation import FIRST_YEAR, LAST_YEAR, quoted

__all__ = [
    "WEEKDAYS",
    "AvailabilityError",
    "ClosedDates",
    "OpeningHours",
    "closed_dates_problem",
    "holiday",
    "opening_hours_problem",
    "parse_closed_dates",
    "parse_opening_hours",
    "region_name",
    "region_problem",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_MINUTES = 24 * 60

_DAY_NAMES: dict[str, tuple[str, ...]] = {
    # English (also the two-letter forms of OpenStreetMap), French, Spanish, Catalan, German.
    "Mon": ("mon", "monday", "mo", "lun", "lundi", "lunes", "dl", "dilluns", "montag"),
    "Tue": ("tue", "tues", "tuesday", "tu", "mar", "mardi", "martes", "dt", "dimarts",
            "di", "dienstag"),
    "Wed": ("wed", "wednesday", "we", "mer", "mercredi", "mie", "miercoles", "mi", "dc",
            "dimecres", "mittwoch"),
    "Thu": ("thu", "thur", "thurs", "thursday", "th", "jeu", "jeudi", "jue", "jueves", "dj",
            "dijous", "do", "donnerstag"),
    "Fri": ("fri", "friday", "fr", "ven", "vendredi", "vie", "viernes", "dv", "divendres",
            "freitag"),
    "Sat": ("sat", "saturday", "sa", "sam", "samedi", "sab", "sabado", "ds", "dissabte",
            "samstag"),
    "Sun": ("sun", "sunday", "su", "dim", "dimanche", "dom", "domingo", "dg", "diumenge", "so",
            "sonntag"),
}  # fmt: skip
DAYS: dict[str, int] = {name: i for i, day in enumerate(WEEKDAYS) for name in _DAY_NAMES[day]}
"""Every day name read (folded: no accents, lower case, no final dot) → weekday (Monday 0)."""

CLOSED_WORDS = frozenset({"closed", "off", "ferme", "cerrado", "tancat", "geschlossen"})
ALWAYS = frozenset({"24/7", "24h/24", "24h/24 7j/7"})

_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-"})
_TIME = r"(\d{1,2})(?:(?::|h|\.)(\d{2})|h)?\s*(am|pm)?"
_RANGE = re.compile(rf"{_TIME}\s*-\s*{_TIME}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


class AvailabilityError(ValueError):
    """Opening hours or closed dates that cannot be read; the message says why."""


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def clock(minutes: int) -> str:
    """``540`` → ``"09:00"`` (``1440`` → ``"24:00"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ------------------------------------------------------------------ opening hours


@dataclass(frozen=True)
class OpeningHours:
    """When a host is open: for each weekday (Monday first), its opening spans in minutes."""

    days: tuple[tuple[tuple[int, int], ...], ...]

    def covers(self, weekday: int, start: int, end: int) -> bool:
        """Whether one span of ``weekday`` holds ``start``–``end`` (minutes from midnight)."""
        return any(a <= start and end <= b for a, b in self.days[weekday])

    def describe(self, weekday: int) -> str:
        """``"Thu 09:00–14:00, 15:00–18:00"`` or ``"closed on Thursdays"``."""
        spans = self.days[weekday]
        if not spans:
            return f"closed on {_PLURAL[weekday]}"
        return f"{WEEKDAYS[weekday]} " + ", ".join(f"{clock(a)}–{clock(b)}" for a, b in spans)


_PLURAL = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def _day(token: str) -> int:
    found = DAYS.get(token.rstrip("."))
    if found is None:
        raise AvailabilityError(
            f"{quoted(token)} is not a day (write Mon, Tue, … or lun, mar, … or dl, dt, …)"
        )
    return found


def _days(text: str) -> list[int]:
    """The weekdays a rule names: ``"mon-fri, sun"`` → [0, 1, 2, 3, 4, 6] (none: every day)."""
    text = re.sub(r"\s*-\s*", "-", text.strip().rstrip(":").strip())
    if not text:
        return list(range(7))
    found: list[int] = []
    for token in re.split(r"[,\s]+", text):
        if not token:
            continue
        if "-" in token:
            first, _, last = token.partition("-")
            if not first or not last or "-" in last:
                raise AvailabilityError(f"{quoted(token)} is not a range of days (write Mon-Fri)")
            a, b = _day(first), _day(last)
            found.extend((a + k) % 7 for k in range((b - a) % 7 + 1))
        else:
            found.append(_day(token))
    return found


def _minutes(hour: str, minute: str | None, half: str | None, shown: str) -> int:
    h, m = int(hour), int(minute or 0)
    if half:
        if not 1 <= h <= 12:
            raise AvailabilityError(f"{quoted(shown)} is not a time")
        h = h % 12 + (12 if half == "pm" else 0)
    if m >= 60 or h > 24 or (h == 24 and m):
        raise AvailabilityError(f"{quoted(shown)} is not a time")
    return h * 60 + m


def _spans(text: str, rule: str) -> list[tuple[int, int]]:
    spans = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.fullmatch(part)
        if match is None and re.search(r"[a-z]", part):
            raise AvailabilityError(
                f"{quoted(part)} mixes days and hours; end each day's hours with ';' "
                "(e.g. Mon-Fri 9-18; Sat 10-13)"
            )
        if match is None:
            raise AvailabilityError(
                f"{quoted(part)} is not a time range (write e.g. 09:00-18:00 or 9-18)"
            )
        h1, m1, x1, h2, m2, x2 = match.groups()
        start = _minutes(h1, m1, x1, part)
        end = _minutes(h2, m2, x2, part)
        if end <= start:
            raise AvailabilityError(
                f"{quoted(part)} closes before it opens; a span ends by 24:00"
                if end < start
                else f"{quoted(part)} closes when it opens"
            )
        spans.append((start, end))
    if not spans:
        raise AvailabilityError(f"{quoted(rule)} has no hours (write e.g. Mon-Fri 09:00-18:00)")
    return spans


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


@lru_cache(maxsize=512)
def parse_opening_hours(text: str) -> OpeningHours | None:
    """The opening hours ``text`` states; None when it is empty (no constraint).

    Raises:
        AvailabilityError: the text cannot be read (the message quotes the part).
    """
    folded = _fold(text).translate(_DASHES).strip()
    if not folded:
        return None
    if folded in ALWAYS:
        return OpeningHours(tuple(((0, DAY_MINUTES),) for _ in range(7)))
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    rules = [r.strip() for r in folded.split(";")]
    if not any(rules):
        return None
    for rule in rules:
        if not rule:
            continue
        words = rule.split()
        if words and words[-1].rstrip(".") in CLOSED_WORDS:
            for day in _days(" ".join(words[:-1])):
                week[day] = []
            continue
        first_digit = re.search(r"\d", rule)
        if first_digit is None:
            raise AvailabilityError(f"{quoted(rule)} has no hours (write e.g. Mon-Fri 09:00-18:00)")
        days = _days(rule[: first_digit.start()])
        spans = _spans(rule[first_digit.start() :], rule)
        for day in days:
            week[day].extend(spans)
    return OpeningHours(tuple(_merged(spans) for spans in week))


def opening_hours_problem(text: str) -> str | None:
    """Why ``text`` cannot be read as opening hours, or None."""
    try:
        parse_opening_hours(text)
    except AvailabilityError as exc:
        return str(exc)
    return None


# ------------------------------------------------------------------ closed dates


@dataclass(frozen=True)
class ClosedDates:
    """Days a host is closed: inclusive ranges of dates, in order."""

    ranges: tuple[tuple[date, date], ...]

    def closed(self, day: date) -> tuple[date, date] | None:
        """The range that holds ``day``, or None when the host is not closed that day."""
        for first, last in self.ranges:
            if first <= day <= last:
                return first, last
            if first > day:
                return None
        return None


def _iso(text: str) -> date:
    value = None
    if _ISO.fullmatch(text):
        try:
            value = date.fromisoformat(text)
        except ValueError:
            value = None
    if value is None:
        raise AvailabilityError(f"{quoted(text)} is not a date (write YYYY-MM-DD, e.g. 2027-12-24)")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise AvailabilityError(
            f"{quoted(text)} is in the year {value.year}; give one between "
            f"{FIRST_YEAR} and {LAST_YEAR}"
        )
    return value


@lru_cache(maxsize=512)
def parse_closed_dates(text: str) -> ClosedDates | None:
    """The closed days ``text`` states; None when it is empty.

    Raises:
        AvailabilityError: the text cannot be read (the message quotes the part).
    """
    ranges = []
    for part in re.split(r"[,;]", text.translate(_DASHES)):
        part = part.strip()
        if not part:
            continue
        if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", part):
            raise AvailabilityError(
                f"{quoted(part)} is not a date (write YYYY-MM-DD, e.g. 2027-12-24)"
            )
        pieces = [p.strip() for p in re.split(r"\.\.|/", part)]
        if len(pieces) > 2:
            raise AvailabilityError(
                f"{quoted(part)} is not a date or a range (write 2027-08-01..2027-08-31)"
            )
        first = _iso(pieces[0])
        last = _iso(pieces[-1])
        if last < first:
            raise AvailabilityError(f"{quoted(part)} ends before it starts")
        ranges.append((first, last))
    return ClosedDates(tuple(sorted(ranges))) if ranges else None


def closed_dates_problem(text: str) -> str | None:
    """Why ``text`` cannot be read as closed dates, or None."""
    try:
        parse_closed_dates(text)
    except AvailabilityError as exc:
        return str(exc)
    return None


# ------------------------------------------------------------------ public holidays


@lru_cache(maxsize=1)
def _supported() -> Mapping[str, list[str]]:
    import holidays

    return holidays.list_supported_countries()


@lru_cache(maxsize=64)
def _aliases(code: str) -> dict[str, str]:
    """Region code → its name (``CT`` → ``Cataluña``), where ``holidays`` knows one."""
    import holidays

    try:
        entity = holidays.country_holidays(code)
    except NotImplementedError:
        return {}
    names: dict[str, str] = {}
    for name, region in getattr(entity, "subdivisions_aliases", {}).items():
        names.setdefault(region.upper(), name)
    return names


def _region_code(code: str, region: str) -> str | None:
    """``region`` as ``holidays`` spells it for country ``code`` (any case), or None."""
    wanted = region.strip().casefold()
    for known in _supported().get(code, ()):
        if known.casefold() == wanted:
            return known
    return None


def region_name(code: str, region: str) -> str:
    """How a region reads in a message: ``"Cataluña (CT)"``, else the code."""
    name = _aliases(code).get(region.upper())
    return f"{name} ({region.upper()})" if name else region.upper()


def region_problem(region: str | None, country: str | None) -> str | None:
    """Why ``region`` is not a region (subdivision) code of ``country``, or None.

    The code is checked against the country's subdivisions when the country and
    its holidays are known; otherwise only its form is.
    """
    region = (region or "").strip()
    if not region:
        return None
    prefixed = re.fullmatch(r"([A-Za-z]{2})-([A-Za-z0-9]{1,3})", region)
    if prefixed:
        return f"write the code without the country: {prefixed.group(2).upper()}"
    if not re.fullmatch(r"[A-Za-z0-9]{1,10}", region):
        return f"{quoted(region)} is not a region code (write e.g. CT for Catalonia)"
    code = country_code(country or "")
    if code is None or code not in _supported():
        return None
    known = _supported()[code]
    if not known:
        return f"{country} has no regions for public holidays; leave it empty"
    if _region_code(code, region) is None:
        shown = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
        return f"{quoted(region)} is not a region of {country} (its codes: {shown})"
    return None


@lru_cache(maxsize=256)
def _holidays(code: str, region: str, year: int) -> dict[date, str]:
    import holidays

    subdiv = _region_code(code, region) if region else None
    try:
        found = holidays.country_holidays(code, subdiv=subdiv, years=year, language="en_US")
    except NotImplementedError:
        try:
            found = holidays.country_holidays(code, subdiv=subdiv, years=year)
        except NotImplementedError:
            return {}
    return dict(found.items())


def holiday(code: str, region: str, day: date) -> str | None:
    """The name of the public holiday on ``day`` in country ``code`` (and ``region``), or None."""
    if code not in _supported():
        return None
    return _holidays(code, region.strip(), day.year).get(day)
