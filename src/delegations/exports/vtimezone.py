"""VTIMEZONE components with yearly RRULE rules, built from the tz database (zoneinfo).

Outlook approximates a time zone from its RRULEs and ical.js reads only the file's own
VTIMEZONEs, so each zone is described by rules such as ``FREQ=YEARLY;BYMONTH=3;
BYDAY=-1SU`` rather than by a list of dates. The offset transitions of the years
covered (one year before the first date used, so that every date falls after a
component's DTSTART, to the last) are found by scanning ``zoneinfo``; transitions that
repeat on the same weekday rule, local time and offsets in consecutive years become
one component with an RRULE, open-ended when it still holds in the last year, else
with an UNTIL; a one-off change (e.g. a Ramadan shift) is a component with its
DTSTART only. A zone without transitions gets one STANDARD component with its fixed
offset (and a no-op yearly RRULE, as Outlook reads only rules), and a zone whose
first change comes after the first date used starts with the offset in force before.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from icalendar import Component, Timezone

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = 86400


@dataclass(frozen=True)
class Transition:
    """An offset change: the UTC instant, offsets before and after, and the new name."""

    at: datetime
    before: timedelta
    after: timedelta
    dst: bool
    name: str

    @property
    def local(self) -> datetime:
        """The wall-clock time at which it happens, on the clock before it (naive)."""
        return (self.at + self.before).replace(tzinfo=None)

    @property
    def byday(self) -> str:
        """``-1SU`` (last Sunday) or ``2SU`` (second Sunday) of its month."""
        day = self.local
        weekday = WEEKDAYS[day.weekday()]
        if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
            return f"-1{weekday}"
        return f"{(day.day - 1) // 7 + 1}{weekday}"

    @property
    def rule_key(self) -> tuple[object, ...]:
        local = self.local
        return (self.dst, self.before, self.after, self.name, local.month, self.byday, local.time())


def _state(zone: ZoneInfo, timestamp: int) -> tuple[timedelta, timedelta, str]:
    moment = datetime.fromtimestamp(timestamp, zone)
    return (moment.utcoffset() or timedelta(0), moment.dst() or timedelta(0), moment.tzname() or "")


def transitions(zone_name: str, first_year: int, last_year: int) -> list[Transition]:
    """Every offset change of ``zone_name`` from ``first_year`` to ``last_year``."""
    zone = ZoneInfo(zone_name)
    start = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp())
    found: list[Transition] = []
    previous = _state(zone, start)
    for day in range(start + _DAY, end + _DAY, _DAY):
        current = _state(zone, day)
        if current[0] != previous[0]:
            at = _bisect(zone, day - _DAY, day, previous[0])
            offset, dst, name = _state(zone, at)
            found.append(
                Transition(
                    at=datetime.fromtimestamp(at, UTC),
                    before=previous[0],
                    after=offset,
                    dst=dst != timedelta(0),
                    name=name,
                )
            )
        previous = current
    return found


def _bisect(zone: ZoneInfo, low: int, high: int, before: timedelta) -> int:
    """The first second in (low, high] whose offset differs from ``before``."""
    while high - low > 1:
        middle = (low + high) // 2
        if _state(zone, middle)[0] == before:
            low = middle
        else:
            high = middle
    return high


def _groups(found: list[Transition]) -> list[list[Transition]]:
    """Runs of transitions that one yearly rule describes (one per consecutive year)."""
    groups: list[list[Transition]] = []
    open_by_key: dict[tuple[object, ...], list[Transition]] = {}
    for transition in found:
        group = open_by_key.get(transition.rule_key)
        if group is not None and group[-1].local.year == transition.local.year - 1:
            group.append(transition)
        else:
            group = [transition]
            groups.append(group)
            open_by_key[transition.rule_key] = group
    return groups


def build_vtimezone(zone_name: str, moments: Iterable[datetime]) -> Timezone:
    """A VTIMEZONE for ``zone_name`` covering every aware datetime in ``moments``."""
    from icalendar import Timezone

    used = sorted(moment.astimezone(UTC) for moment in moments)
    if not used:
        raise ValueError(f"no dates given for time zone {zone_name}")
    first, last = used[0].year - 1, used[-1].year
    found = transitions(zone_name, first, last)
    timezone = Timezone()
    timezone.add("tzid", zone_name)
    if not found or used[0] < found[0].at:
        # No change before the first date used: state the offset then in force.
        timezone.add_component(_fixed(zone_name, first, yearly=not found))
    if not found:
        return timezone
    final_year = found[-1].local.year
    for group in sorted(_groups(found), key=lambda g: (g[0].at, g[0].dst)):
        ongoing = group[-1].local.year == final_year
        timezone.add_component(_component(group, ongoing))
    return timezone


def _component(group: list[Transition], ongoing: bool) -> Component:
    from icalendar import TimezoneDaylight, TimezoneStandard

    head = group[0]
    component = TimezoneDaylight() if head.dst else TimezoneStandard()
    component.add("dtstart", head.local)
    component.add("tzoffsetfrom", head.before)
    component.add("tzoffsetto", head.after)
    if head.name:
        component.add("tzname", head.name)
    if len(group) > 1:
        rule: dict[str, object] = {
            "freq": "yearly",
            "bymonth": head.local.month,
            "byday": head.byday,
        }
        if not ongoing:
            # A day after the last change: some readers compare UNTIL with local times.
            rule["until"] = group[-1].at + timedelta(days=1)
        component.add("rrule", rule)
    return component


def _fixed(zone_name: str, year: int, yearly: bool) -> Component:
    """The offset in force on 1 January of ``year``, from 1970.

    With ``yearly`` (a zone without any change in the span) the component restates
    its offset every 1 January: a no-op RRULE, for readers that, like Outlook, build
    a zone from its RRULEs only.
    """
    from icalendar import TimezoneDaylight, TimezoneStandard

    moment = datetime(year, 1, 1, tzinfo=ZoneInfo(zone_name))
    offset = moment.utcoffset() or timedelta(0)
    component = TimezoneDaylight() if moment.dst() else TimezoneStandard()
    component.add("dtstart", datetime(1970, 1, 1))
    component.add("tzoffsetfrom", offset)
    component.add("tzoffsetto", offset)
    component.add("tzname", moment.tzname() or zone_name)
    if yearly:
        component.add("rrule", {"freq": "yearly", "bymonth": 1, "bymonthday": 1})
    return component
