"""Cells to typed values: text, yes/no, roles, dates and times as people type them.

Each reader returns the value, or raises ``CellProblem`` with a message that
follows the column name in a preview ("row 14, E-mail: 'maria@' is not an
e-mail address"). Dates read ``01/07/2027`` day first unless the mapping says
month first; month names read in English, French and Spanish (``1 juil. 2027``,
``July 1, 2027``, ``1 de julio de 2027``); numbers in a date column are Excel
serial dates (as a workbook stores them, or as a CSV export prints them).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from delegations.model import ParticipationStatus, Role, TravelMode
from delegations.model.text import fold
from delegations.services.spreadsheets.table import Cell
from delegations.services.validation import FIRST_YEAR, LAST_YEAR, quoted

E = TypeVar("E", bound=StrEnum)


class CellProblem(ValueError):
    """A cell that cannot be read as its column's field; the message follows the column."""


class DateOrder(StrEnum):
    DAY_FIRST = "dmy"
    MONTH_FIRST = "mdy"

    @property
    def label(self) -> str:
        return (
            "day first (31/12/2027)" if self is DateOrder.DAY_FIRST else "month first (12/31/2027)"
        )


EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's serial dates (1900 system, with its phantom 29 February 1900)."""
SERIAL_MIN, SERIAL_MAX = 1, 2_958_465
"""Serial numbers of 1 January 1900 and 31 December 9999."""

_MONTHS = {
    1: "jan january janv janvier ene enero",
    2: "feb february fev fevr fevrier febrero",
    3: "mar march mars marzo",
    4: "apr april avr avril abr abril",
    5: "may mai mayo",
    6: "jun june juin junio",
    7: "jul july juil juillet julio",
    8: "aug august aou aout ago agosto",
    9: "sep sept september septembre septiembre setiembre set",
    10: "oct october octobre octubre",
    11: "nov november novembre noviembre",
    12: "dec december decembre dic diciembre",
}
MONTHS: dict[str, int] = {name: n for n, names in _MONTHS.items() for name in names.split()}
_FILLER = frozenset(
    [
        "the",
        "of",
        "de",
        "del",
        "le",
        "la",
        "las",
        "el",
        "on",
        "at",
        "a",
        "à",
        "y",
        "et",
        "and",
        "vers",
        "hacia",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thurs",
        "fri",
        "sat",
        "sun",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "lun",
        "mar",
        "mer",
        "jeu",
        "ven",
        "sam",
        "dim",
        "lunes",
        "martes",
        "miercoles",
        "jueves",
        "viernes",
        "sabado",
        "domingo",
        "mie",
        "jue",
        "vie",
        "sab",
        "dom",
    ]
)
"""Words that a written date may hold around its day, month and year."""

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(z|[+-]\d{2}:?\d{2})?$"
)
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[ t,]+(.+))?$")
_CLOCK = re.compile(
    r"^(\d{1,2})(?:\s*[:h.]\s*(\d{2}))?(?:\s*:\s*(\d{2}))?\s*(?:h|hrs?|uhr)?\s*(am|pm|a m|p m)?$"
)
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")

_TRUE = frozenset(
    [
        "yes",
        "y",
        "true",
        "1",
        "x",
        "oui",
        "o",
        "vrai",
        "si",
        "s",
        "sí",
        "ok",
        "accepted",
        "accepte",
        "acepto",
        "agree",
        "granted",
    ]
)
_FALSE = frozenset(
    ["no", "n", "false", "0", "non", "faux", "refused", "refuse", "refuse", "rechazado", "declined"]
)

ROLES: dict[str, Role] = {
    **{fold(m.value): m for m in Role},
    **{fold(m.label): m for m in Role},
    "head": Role.HEAD, "leader": Role.HEAD, "head of delegation": Role.HEAD,
    "chef de delegation": Role.HEAD, "chef de la delegation": Role.HEAD, "responsable": Role.HEAD,
    "jefe de delegacion": Role.HEAD, "jefa de delegacion": Role.HEAD, "jefe": Role.HEAD,
    "delegue": Role.DELEGATE, "deleguee": Role.DELEGATE, "delegado": Role.DELEGATE,
    "delegada": Role.DELEGATE, "participant": Role.DELEGATE, "participante": Role.DELEGATE,
    "member": Role.DELEGATE, "membre": Role.DELEGATE, "miembro": Role.DELEGATE,
    "organizer": Role.ORGANISER, "organisateur": Role.ORGANISER, "organisatrice": Role.ORGANISER,
    "organizador": Role.ORGANISER, "organizadora": Role.ORGANISER, "staff": Role.ORGANISER,
    "interprete": Role.INTERPRETER, "traducteur": Role.INTERPRETER, "traductor": Role.INTERPRETER,
    "invite": Role.GUEST, "invitee": Role.GUEST, "invitado": Role.GUEST, "invitada": Role.GUEST,
}  # fmt: skip
STATUSES: dict[str, ParticipationStatus] = {
    **{fold(m.value): m for m in ParticipationStatus},
    "invite": ParticipationStatus.INVITED, "invitee": ParticipationStatus.INVITED,
    "invitado": ParticipationStatus.INVITED, "invitada": ParticipationStatus.INVITED,
    "pending": ParticipationStatus.INVITED, "en attente": ParticipationStatus.INVITED,
    "pendiente": ParticipationStatus.INVITED, "tentative": ParticipationStatus.INVITED,
    "confirme": ParticipationStatus.CONFIRMED, "confirmee": ParticipationStatus.CONFIRMED,
    "confirmado": ParticipationStatus.CONFIRMED, "confirmada": ParticipationStatus.CONFIRMED,
    "registered": ParticipationStatus.CONFIRMED, "inscrit": ParticipationStatus.CONFIRMED,
    "inscrite": ParticipationStatus.CONFIRMED, "inscrito": ParticipationStatus.CONFIRMED,
    "inscrita": ParticipationStatus.CONFIRMED, "yes": ParticipationStatus.CONFIRMED,
    "oui": ParticipationStatus.CONFIRMED, "si": ParticipationStatus.CONFIRMED,
    "accepted": ParticipationStatus.CONFIRMED,
    "refuse": ParticipationStatus.DECLINED, "refusee": ParticipationStatus.DECLINED,
    "decline": ParticipationStatus.DECLINED, "declinee": ParticipationStatus.DECLINED,
    "rechazado": ParticipationStatus.DECLINED, "rechazada": ParticipationStatus.DECLINED,
    "no": ParticipationStatus.DECLINED, "non": ParticipationStatus.DECLINED,
    "canceled": ParticipationStatus.CANCELLED, "annule": ParticipationStatus.CANCELLED,
    "annulee": ParticipationStatus.CANCELLED, "cancelado": ParticipationStatus.CANCELLED,
    "cancelada": ParticipationStatus.CANCELLED,
}  # fmt: skip
MODES: dict[str, TravelMode] = {
    **{fold(m.value): m for m in TravelMode},
    "plane": TravelMode.FLIGHT, "air": TravelMode.FLIGHT, "avion": TravelMode.FLIGHT,
    "vol": TravelMode.FLIGHT, "vuelo": TravelMode.FLIGHT, "tren": TravelMode.TRAIN,
    "rail": TravelMode.TRAIN, "tgv": TravelMode.TRAIN, "ave": TravelMode.TRAIN,
    "bus": TravelMode.COACH, "car sharing": TravelMode.CAR, "voiture": TravelMode.CAR,
    "coche": TravelMode.CAR, "autocar": TravelMode.COACH, "ferry boat": TravelMode.FERRY,
    "bateau": TravelMode.FERRY, "barco": TravelMode.FERRY, "autre": TravelMode.OTHER,
    "otro": TravelMode.OTHER,
}  # fmt: skip


def text(cell: Cell) -> str:
    """A cell as text: numbers without a spurious ``.0`` (phone numbers stored as numbers),
    dates in ISO form, yes/no for booleans."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e15 else repr(cell)
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ", timespec="minutes")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


def boolean(cell: Cell) -> bool | None:
    """Yes or no in three languages (``oui``, ``sí``, ``x``, ``1``...); empty is None."""
    if cell is None or isinstance(cell, bool):
        return cell
    word = fold(text(cell)).rstrip(".!")
    if not word:
        return None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellProblem(f"{quoted(text(cell))} is not yes or no")


def choice(cell: Cell, table: dict[str, E], noun: str, enum: type[E]) -> E | None:
    word = fold(text(cell))
    if not word:
        return None
    found = table.get(word)
    if found is None:
        labels = ", ".join(getattr(m, "label", m.value) for m in enum)
        raise CellProblem(f"{quoted(text(cell))} is not a known {noun} ({labels})")
    return found


def role(cell: Cell) -> Role | None:
    return choice(cell, ROLES, "role", Role)


def status(cell: Cell) -> ParticipationStatus | None:
    return choice(cell, STATUSES, "status", ParticipationStatus)


def mode(cell: Cell) -> TravelMode | None:
    return choice(cell, MODES, "means of transport", TravelMode)


def _year(value: int) -> int:
    return 2000 + value if value < 100 else value


def _make_date(year: int, month: int, day: int, shown: str) -> date:
    year = _year(year)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CellProblem(
            f"{quoted(shown)} is in the year {year}; give one between {FIRST_YEAR} and {LAST_YEAR}"
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise CellProblem(f"{quoted(shown)} is not a date in the calendar") from None


def _serial(number: float, shown: str) -> datetime:
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        raise CellProblem(f"{quoted(shown)} is not a date (a number that is not an Excel date)")
    moment = datetime.combine(EXCEL_EPOCH, time()) + timedelta(days=number)
    moment = (moment + timedelta(seconds=30)).replace(second=0, microsecond=0)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise CellProblem(
            f"{quoted(shown)} is in the year {moment.year}; give one between {FIRST_YEAR} and {LAST_YEAR}"
        )
    return moment


def clock(cell: Cell) -> time | None:
    """A time of day: ``10:30``, ``10h30``, ``10.30``, ``10 h``, ``2:30 pm``, ``14:30:00``,
    or a fraction of a day as Excel stores a time."""
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return cell.time().replace(second=0, microsecond=0)
    if isinstance(cell, time):
        return cell.replace(second=0, microsecond=0)
    if isinstance(cell, timedelta):
        cell = cell.total_seconds() / 86400
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 0 <= cell < 1:
            minutes = round(cell * 1440)
            return time(minutes // 60 % 24, minutes % 60)
        raise CellProblem(f"{quoted(text(cell))} is not a time of day")
    shown = text(cell)
    found = _CLOCK.match(fold(shown))
    if not shown:
        return None
    if found is None:
        raise CellProblem(f"{quoted(shown)} is not a time of day (write it as 14:30)")
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    suffix = (found.group(4) or "").replace(" ", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise CellProblem(f"{quoted(shown)} is not a time of day")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise CellProblem(f"{quoted(shown)} is not a time of day")
    return time(hour, minute)


def _written(words: list[str], shown: str, order: DateOrder) -> tuple[date, list[str]]:
    """A date with a month name: the day, month and year among ``words``; the rest back."""
    month = day = year = None
    rest: list[str] = []
    for word in words:
        bare = word.rstrip(".")
        if month is None and bare in MONTHS:
            month = MONTHS[bare]
        elif bare in _FILLER:
            continue
        elif day is None and re.fullmatch(r"\d{1,2}(st|nd|rd|th|er|re|e|o|º)?", bare):
            day = int(re.match(r"\d+", bare).group())  # type: ignore[union-attr]
        elif year is None and re.fullmatch(r"\d{4}", bare):
            year = int(bare)
        else:
            rest.append(word)
    if month is None or day is None or year is None:
        raise CellProblem(f"{quoted(shown)} is not a date (write it as 31/12/2027)")
    return _make_date(year, month, day, shown), rest


def _parse(cell: Cell, order: DateOrder) -> tuple[date, time | None, str | None]:
    """(day, time or None, UTC offset text or None) from any cell a date column holds."""
    if isinstance(cell, datetime):
        has_time = cell.time() != time()
        return cell.date(), cell.time().replace(second=0, microsecond=0) if has_time else None, None
    if isinstance(cell, date):
        return cell, None, None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        serial = _serial(float(cell), text(cell))
        return serial.date(), serial.time() if serial.time() != time() else None, None
    shown = text(cell)
    folded = fold(shown)
    if _SERIAL.match(folded):
        return _parse(float(folded), order)
    iso = _ISO.match(folded)
    if iso:
        y, m, d, hh, mm, _ss, offset = iso.groups()
        day = _make_date(int(y), int(m), int(d), shown)
        at = clock(f"{hh}:{mm}") if hh is not None else None
        return day, at, offset
    numeric = _NUMERIC.match(folded)
    if numeric:
        a, b, c, rest = numeric.groups()
        if len(a) == 4:
            y, m, d = int(a), int(b), int(c)
        elif order is DateOrder.DAY_FIRST:
            d, m, y = int(a), int(b), int(c)
        else:
            m, d, y = int(a), int(b), int(c)
        if m > 12 and d <= 12:
            other = "day first" if order is DateOrder.MONTH_FIRST else "month first"
            raise CellProblem(
                f"{quoted(shown)} is not a date when read {order.label.split(' (')[0]}; "
                f"choose {other} for this file"
            )
        day = _make_date(y, m, d, shown)
        return day, clock(rest) if rest else None, None
    words = folded.replace(",", " ").split()
    day, rest_words = _written(words, shown, order)
    at = None
    if rest_words:
        try:
            at = clock(" ".join(w for w in rest_words if w not in ("a", "at", "à")))
        except CellProblem:
            raise CellProblem(f"{quoted(shown)} is not a date (write it as 31/12/2027)") from None
    return day, at, None


def day(cell: Cell, order: DateOrder = DateOrder.DAY_FIRST) -> date | None:
    """A calendar day; a time in the cell is not allowed (a check-in is a day)."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    found, _, _ = _parse(cell, order)
    return found


def moment(
    cell: Cell, zone: str, order: DateOrder = DateOrder.DAY_FIRST, at: time | None = None
) -> datetime | None:
    """A date and time read in ``zone`` (an IANA name), aware.

    ``at`` (from a separate time column) overrides a time in the cell. A date
    with no time anywhere is a problem: a journey needs its hour.
    """
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    found, clock_time, offset = _parse(cell, order)
    clock_time = at or clock_time
    if clock_time is None:
        raise CellProblem(f"{quoted(text(cell))} has no time of day (add it, e.g. 14:30)")
    local = datetime.combine(found, clock_time)
    if offset and at is None:
        if offset == "z":
            return local.replace(tzinfo=UTC)
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta > timedelta(hours=14):
            raise CellProblem(f"{quoted(text(cell))} has an impossible UTC offset")
        return local.replace(tzinfo=timezone(sign * delta))
    return local.replace(tzinfo=ZoneInfo(zone))
