"""Pieces every export shares: fonts, local times, changes of UTC offset, paper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from delegations.exports.options import ExportOptions
from delegations.model import utc_now
from delegations.resources import resource

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_CONDENSED_BOLD = "DejaVuSansCondensed-Bold"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_CONDENSED_BOLD: "DejaVuSansCondensed-Bold.ttf",
}


@cache
def register_fonts() -> str:
    """Register the embedded DejaVu fonts with ReportLab; returns the regular name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename))))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT


def page_size(paper: str) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4, LETTER

    return LETTER if paper == "letter" else A4


def generated_at(options: ExportOptions) -> datetime:
    return options.generated_at or utc_now()


def local(instant: datetime, zone: str) -> datetime:
    """``instant`` (aware) in the IANA ``zone``."""
    return instant.astimezone(ZoneInfo(zone))


def zone_label(zone: str, on: datetime) -> str:
    """``Europe/Madrid (CEST, UTC+02:00)`` for the instant ``on``."""
    moment = on.astimezone(ZoneInfo(zone))
    offset = moment.strftime("%z")
    return f"{zone} ({moment.tzname()}, UTC{offset[:3]}:{offset[3:]})"


def offset_text(offset: timedelta | None) -> str:
    """``UTC+2``, ``UTC-3``, ``UTC+5:30``, ``UTC+0``."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _amount(delta: timedelta) -> str:
    """``one hour``, ``two hours``, ``30 minutes``, ``90 minutes``."""
    minutes = abs(int(delta.total_seconds() // 60))
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return {1: "one hour", 2: "two hours"}.get(hours, f"{hours} hours")


@dataclass(frozen=True)
class OffsetChange:
    """A change of a zone's UTC offset (summer time starting or ending, or a new offset).

    Attributes:
        instant: when it happens (aware, UTC).
        before: the UTC offset until then.
        after: the UTC offset from then on.
        before_name: the zone's abbreviation until then (``CEST``).
        after_name: the zone's abbreviation from then on (``CET``).
    """

    instant: datetime
    before: timedelta
    after: timedelta
    before_name: str
    after_name: str

    @property
    def wall(self) -> datetime:
        """The local clock time when it happens, as the clocks read just before (naive)."""
        return (self.instant.astimezone(UTC) + self.before).replace(tzinfo=None)

    @property
    def day(self) -> date:
        """The local day it happens on."""
        return self.wall.date()

    def note(self, *, capital: bool = True) -> str:
        """``Clocks go back one hour at 03:00 (UTC+2 → UTC+1)`` (``clocks …`` in a sentence)."""
        way = "back" if self.after < self.before else "forward"
        return (
            f"{'C' if capital else 'c'}locks go {way} {_amount(self.after - self.before)} at {format_time(self.wall)} "
            f"({offset_text(self.before)} → {offset_text(self.after)})"
        )


_SCAN_STEP = timedelta(hours=1)


def offset_changes(zone: str, first: date, last: date | None = None) -> list[OffsetChange]:
    """Every change of ``zone``'s UTC offset on the local days ``first`` to ``last``, in order.

    The zone's offset is read every hour (in UTC) from the day before ``first`` to the
    day after ``last``; where it differs from one hour to the next, the instant of the
    change is found to the second.
    """
    last = last or first
    tz = ZoneInfo(zone)

    def offset(instant: datetime) -> timedelta | None:
        return instant.astimezone(tz).utcoffset()

    moment = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
    changes: list[OffsetChange] = []
    current = offset(moment)
    while moment < end:
        following = moment + _SCAN_STEP
        then = offset(following)
        if then != current:
            low, high = moment, following  # offset(low) == current, offset(high) != current
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            after = offset(high)
            change = OffsetChange(
                instant=high,
                before=current or timedelta(),
                after=after or timedelta(),
                before_name=low.astimezone(tz).tzname() or "",
                after_name=high.astimezone(tz).tzname() or "",
            )
            if first <= change.day <= last:
                changes.append(change)
            current = after
            moment = high
            continue
        moment = following
    return changes


def day_zone_label(zone: str, day: date) -> str:
    """The zone and its offset on the local ``day``.

    ``Europe/Madrid (CET, UTC+01:00)``, or on a day the offset changes
    ``Europe/Madrid (CEST, UTC+02:00 until 03:00, then CET, UTC+01:00)``.
    """
    changes = offset_changes(zone, day)
    if not changes:
        return zone_label(zone, datetime.combine(day, time(12), tzinfo=ZoneInfo(zone)))
    parts = [f"{changes[0].before_name}, {_iso_offset(changes[0].before)}"]
    for change in changes:
        parts.append(
            f"until {format_time(change.wall)}, then {change.after_name}, "
            f"{_iso_offset(change.after)}"
        )
    return f"{zone} ({' '.join(parts)})"


def _iso_offset(offset: timedelta) -> str:
    """``UTC+02:00``, as ``zone_label`` writes it."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def repeated(instant: datetime, zone: str) -> bool:
    """Whether the local clock time of ``instant`` occurs twice (when the clocks go back)."""
    moment = local(instant, zone)
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


def clock(instant: datetime, zone: str) -> str:
    """``09:30`` in ``zone``; with its offset when that time occurs twice: ``02:30 (UTC+1)``."""
    moment = local(instant, zone)
    if repeated(instant, zone):
        return f"{format_time(moment)} ({offset_text(moment.utcoffset())})"
    return format_time(moment)


def clock_range(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """``09:00–10:30`` in ``zone`` (times that occur twice with their offset)."""
    return f"{clock(starts_at, zone)}–{clock(ends_at, zone)}"


def clock_markup(instant: datetime, zone: str, size: float) -> str:
    """Paragraph markup for ``clock``: a time that occurs twice has its offset in type ``size``.

    ``09:30``, or ``02:30<font size=7> UTC+2</font>``: the offset may wrap under the time
    in a narrow column, never inside itself.
    """
    moment = local(instant, zone)
    if not repeated(instant, zone):
        return format_time(moment)
    return f"{format_time(moment)}<font size={size:g}> {offset_text(moment.utcoffset())}</font>"


def format_day(day: date) -> str:
    """``Thursday 3 June 2027``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def format_time(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def officer_zone(options: ExportOptions) -> tzinfo:
    """The zone the issue date is printed in: ``options.zone``, else this computer's."""
    if options.zone:
        try:
            return ZoneInfo(options.zone)
        except (KeyError, ValueError, OSError):  # not a zone this computer knows
            pass
    return datetime.now().astimezone().tzinfo or UTC


def stamp_text(options: ExportOptions) -> str:
    """``Issued 21 Nov 2026 15:05 CET``: when, in the officer's zone (an offset where
    the zone has no letters: ``UTC+04:00``)."""
    moment = generated_at(options).astimezone(officer_zone(options))
    name = moment.tzname() or ""
    if not name.isalpha():
        offset = moment.strftime("%z") or "+0000"
        name = f"UTC{offset[:3]}:{offset[3:]}"
    return f"Issued {moment.day} {moment:%b %Y %H:%M} {name}"


def version_text(delegation: Any) -> str:
    """``Version 7``: the delegation's revision, which every change raises (at least 1)."""
    return f"Version {max(1, int(getattr(delegation, 'revision', 0) or 0))}"


def report(options: ExportOptions, done: int, total: int) -> None:
    if options.progress is not None:
        options.progress(done, total)
