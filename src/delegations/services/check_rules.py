"""The rules of the plan checks: ``run_all`` finds every problem of one delegation.

Reads the delegation with ``queries.load_delegation`` (six statements), then three
more: the travel times officers entered between its venues, and the items of
other delegations that share its venues or host contacts in its time window.
Every rule sorts and sweeps (per attendee, per host contact, per venue); none
compares every pair of items. Attendees with the same programme (the same
subset items) are swept once, and a finding names every attendee it concerns.

Codes (stable; ``checks.Finding.code``):

* ``attendee.overlap``, ``attendee.travelling``, ``attendee.before_arrival``,
  ``attendee.after_departure`` (errors); ``attendee.no_hotel``,
  ``attendee.no_travel`` (warnings);
* ``contact.overlap`` (error), ``venue.overlap`` (warning), in this delegation
  or across all of them;
* ``travel.too_short`` (error; a warning when less than 5 minutes are missing);
* ``host.closed``, ``host.holiday`` (errors), ``host.weekend`` (warning);
* ``item.outside_dates`` (error), ``item.crosses_midnight``, ``item.no_venue``
  (warnings), ``time.nonexistent`` (error), ``time.ambiguous`` (warning);
* ``venue.capacity``, ``item.no_participants`` (errors).

Cancelled items, cancelled delegations (for clashes) and attendees who declined
or cancelled are left out.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from heapq import merge
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import (
    AgendaItem,
    CheckSetting,
    Delegation,
    DelegationStatus,
    ItemKind,
    ItemStatus,
    Organisation,
    Participation,
    Person,
    TravelLeg,
    Venue,
    VenueTravelTime,
    fold,
    item_host_contacts,
)
from delegations.services import availability
from delegations.services.checks import CheckSettings, Finding, Severity
from delegations.services.errors import ValidationError
from delegations.services.mentions import PHONE_RUN, same_phone
from delegations.services.places import country_code
from delegations.services.queries import load_delegation
from delegations.services.validation import is_timezone

__all__ = ["CODES", "run_all", "store_setting", "wall_time_problem"]

ERROR, WARNING = Severity.ERROR, Severity.WARNING
CODES: dict[str, Severity] = {
    "attendee.overlap": ERROR,
    "attendee.travelling": ERROR,
    "attendee.before_arrival": ERROR,
    "attendee.after_departure": ERROR,
    "attendee.no_hotel": WARNING,
    "attendee.no_travel": WARNING,
    "contact.overlap": ERROR,
    "venue.overlap": WARNING,
    "travel.too_short": ERROR,
    "host.closed": ERROR,
    "host.holiday": ERROR,
    "host.weekend": WARNING,
    "item.outside_dates": ERROR,
    "item.crosses_midnight": WARNING,
    "item.no_venue": WARNING,
    "time.nonexistent": ERROR,
    "time.ambiguous": WARNING,
    "venue.capacity": ERROR,
    "item.no_participants": ERROR,
    "consent.text": WARNING,
}
"""Every code and its usual severity (``travel.too_short`` is a warning when short by
less than ``SHORT_BY_LITTLE`` minutes)."""

SHORT_BY_LITTLE = 5
"""Minutes missing on a way between venues under which it is only a warning."""
EARTH_KM = 6371.0088
NO_PLACE = (ItemKind.TRANSFER, ItemKind.FREE_TIME)
"""Kinds that need no venue, and do not book the one they name."""
REACH = timedelta(days=3)
"""The longest an item lasts (``agenda.validate``): how far before the window to look."""

WHO = "\x01who\x01"
"""Where the attendees' names go in a message template (control characters never
appear in stored text, so record names cannot collide with the markers)."""
VERBS = {
    "is": ("is", "are"),
    "has": ("has", "have"),
    "goes": ("goes", "go"),
    "arrives": ("arrives", "arrive"),
    "leaves": ("leaves", "leave"),
}


def _verb(word: str) -> str:
    return f"\x01{word}\x01"


# ------------------------------------------------------------------ wording


def _day_text(day: date) -> str:
    """``Thu 1 July``."""
    return f"{day:%a} {day.day} {day:%B}"


def _duration(minutes: float) -> str:
    """``25 min``, ``1 h 5 min``, ``2 h``."""
    whole = round(minutes)
    if abs(whole) < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _quote(title: str) -> str:
    return f"“{title}”"


def _and(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _leg_text(leg: TravelLeg) -> str:
    """``flight VY 8011 from Barcelona–El Prat T1 (BCN)`` (arrival: ``to`` its destination)."""
    what = " ".join(p for p in (leg.mode.label.lower(), leg.service) if p)
    if leg.direction.value == "arrival":
        return f"{what} to {leg.destination}"
    return f"{what} from {leg.origin}"


# ------------------------------------------------------------------ the records swept


@dataclass(slots=True, eq=False)
class _Item:
    """An agenda item as the sweeps read it (POSIX seconds, participants as ids)."""

    record: AgendaItem
    id: int
    uuid: str
    title: str
    kind: ItemKind
    start: float
    end: float
    venue: Venue | None
    venue_id: int | None
    subset: frozenset[int] | None
    contacts: list[Person]

    @property
    def name(self) -> str:
        return _quote(self.title)


@dataclass(slots=True, eq=False)
class _Other:
    """An item of another delegation that shares a venue or a host contact."""

    id: int
    uuid: str
    title: str
    start: float
    end: float
    delegation: str

    @property
    def name(self) -> str:
        return f"{_quote(self.title)} (visit {_quote(self.delegation)})"


@dataclass
class _Group:
    """Findings that differ only by the attendees they concern, as one."""

    code: str
    severity: Severity
    day: date | None
    when: float
    template: str
    attendees: dict[int, Participation] = field(default_factory=dict)
    records: dict[str, dict[int, str]] = field(
        default_factory=lambda: {k: {} for k in ("items", "people", "venues", "organisations")}
    )


@dataclass(frozen=True)
class _Attendees:
    """A set of attendees as findings name and list them."""

    who: str
    plural: bool
    ids: tuple[int, ...]
    uuids: tuple[str, ...]
    people: dict[int, str]


Record = AgendaItem | _Item | _Other | Person | Venue | Organisation
_KINDS: dict[type, str] = {Person: "people", Venue: "venues", Organisation: "organisations"}


class _Run:
    """One run of every rule over one delegation."""

    def __init__(self, session: Session, delegation: Delegation, settings: CheckSettings) -> None:
        self.session = session
        self.delegation = delegation
        self.settings = settings
        self.zone = ZoneInfo(delegation.timezone if is_timezone(delegation.timezone) else "UTC")
        self.groups: dict[tuple[Any, ...], _Group] = {}
        self.attending = sorted(
            (p for p in delegation.participations if p.status.attending),
            key=lambda p: (fold(p.person.family_name), fold(p.person.given_name), p.id),
        )
        self.rank = {p.id: n for n, p in enumerate(self.attending)}
        items = []
        for record in delegation.items:
            if record.status == ItemStatus.CANCELLED:
                continue
            items.append(
                _Item(
                    record,
                    record.id,
                    record.uuid,
                    record.title,
                    record.kind,
                    record.starts_at.timestamp(),
                    record.ends_at.timestamp(),
                    record.venue,
                    record.venue_id,
                    None if record.everyone else frozenset(p.id for p in record.participants),
                    list(record.host_contacts),
                )
            )
        items.sort(key=lambda i: (i.start, i.end, i.id))
        self.items = items
        self.longest = max((i.end - i.start for i in items), default=0.0)
        self.ways: dict[tuple[int, int], int] = {}
        self.way_cache: dict[tuple[int | None, int | None], tuple[int, str]] = {}
        self.sets: dict[frozenset[int], _Attendees] = {}
        self.pairs: dict[tuple[str, int, int], _Group | None] = {}
        self.steady: dict[date, bool] = {}
        """Local days on which the zone's clocks do not change."""

    # -- time, as the officer reads it ------------------------------------------------
    def local(self, moment: float) -> datetime:
        return datetime.fromtimestamp(moment, self.zone)

    def day(self, moment: float) -> date:
        return self.local(moment).date()

    def last_day(self, end: float) -> date:
        """The local day an interval ending at ``end`` ends on (midnight ends the day before)."""
        return self.local(end - 1).date()

    def hm(self, moment: float) -> str:
        return f"{self.local(moment):%H:%M}"

    def span(self, start: float, end: float) -> str:
        """``16:30–16:45``, or with the days when it does not stay on one day."""
        if self.day(start) == self.last_day(end):
            return f"{self.hm(start)}–{self.hm(end)}"
        return (
            f"{_day_text(self.day(start))} {self.hm(start)}–"
            f"{_day_text(self.day(end))} {self.hm(end)}"
        )

    def at(self, start: float, end: float) -> str:
        """``at 16:30–16:45 on Thu 1 July`` (days spelled out when it spans several)."""
        if self.day(start) == self.last_day(end):
            return f"at {self.span(start, end)} on {_day_text(self.day(start))}"
        return f"from {self.span(start, end).replace('–', ' to ')}"

    def moment(self, moment: float, day: date | None) -> str:
        """``08:45``, with its day when that is not ``day``."""
        shown = self.day(moment)
        return self.hm(moment) if shown == day else f"{self.hm(moment)} on {_day_text(shown)}"

    # -- findings -----------------------------------------------------------------------
    def add(
        self,
        code: str,
        day: date | None,
        when: float,
        template: str,
        records: Iterable[Record] = (),
        attendees: Iterable[Participation] = (),
        severity: Severity | None = None,
    ) -> _Group:
        """Add a finding (to the one that differs only by its attendees, if any)."""
        severity = severity or CODES[code]
        key = (code, template, day, severity)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(code, severity, day, when, template)
        for participation in attendees:
            group.attendees[participation.id] = participation
        for record in records:
            group.records[_KINDS.get(type(record), "items")][record.id] = record.uuid
        return group

    def pair(
        self,
        code: str,
        first: _Item,
        second: _Item,
        attendees: list[Participation],
        make: Callable[[_Item, _Item], _Group | None],
    ) -> None:
        """The finding about two items for these attendees; ``make`` adds it (or finds none)
        the first time the pair is met, and later programmes only add their attendees."""
        key = (code, first.id, second.id)
        if key in self.pairs:
            group = self.pairs[key]
        else:
            group = self.pairs[key] = make(first, second)
        if group is not None:
            group.attendees.update((p.id, p) for p in attendees)

    def who(self, attendees: list[Participation]) -> tuple[str, bool]:
        """The attendees as a message names them, and whether that is plural."""
        count = len(attendees)
        if count > 3 and count == len(self.attending):
            return f"all {count} attendees", True
        if count > 3:
            first, second = (p.person.full_name for p in attendees[:2])
            return f"{first}, {second} and {count - 2} others", True
        return _and([p.person.full_name for p in attendees]), count > 1

    def concerned(self, ids: frozenset[int], group: _Group) -> _Attendees:
        """What a finding says about a set of attendees (computed once per set)."""
        found = self.sets.get(ids)
        if found is None:
            attendees = sorted(group.attendees.values(), key=lambda p: self.rank.get(p.id, 0))
            who, plural = self.who(attendees) if attendees else ("", False)
            people = {p.person_id: p.person.uuid for p in attendees}
            found = self.sets[ids] = _Attendees(
                who,
                plural,
                tuple(p.id for p in attendees),
                tuple(p.uuid for p in attendees),
                people,
            )
        return found

    def findings(self) -> list[Finding]:
        out: list[tuple[tuple[Any, ...], Finding]] = []
        for group in self.groups.values():
            attendees = self.concerned(frozenset(group.attendees), group)
            message = group.template
            if WHO in message:
                message = message.replace(WHO, attendees.who)
                for word, forms in VERBS.items():
                    message = message.replace(_verb(word), forms[attendees.plural])
                if group.template.startswith(WHO):
                    message = message[:1].upper() + message[1:]
            records = group.records
            people = {**records["people"], **attendees.people}
            uuids = (
                *records["items"].values(),
                *attendees.uuids,
                *people.values(),
                *records["venues"].values(),
                *records["organisations"].values(),
            )
            finding = Finding(
                code=group.code,
                severity=group.severity,
                message=message,
                day=group.day,
                items=tuple(records["items"]),
                participations=attendees.ids,
                people=tuple(people),
                venues=tuple(records["venues"]),
                organisations=tuple(records["organisations"]),
                uuids=tuple(dict.fromkeys(uuids)),
            )
            out.append(((group.day or date.min, group.when, group.code, message), finding))
        out.sort(key=lambda pair: pair[0])
        return [finding for _, finding in out]

    # -- 1, 3, 4: attendees -------------------------------------------------------------
    def schedules(self) -> list[tuple[list[_Item], list[Participation]]]:
        """Each distinct programme and the attendees who follow it (in time order)."""
        attending = {p.id for p in self.attending}
        everyone = [i for i in self.items if i.subset is None]
        chosen: dict[int, list[_Item]] = defaultdict(list)
        for item in self.items:
            if item.subset is not None:
                for pid in item.subset:
                    if pid in attending:
                        chosen[pid].append(item)
        by_programme: dict[tuple[int, ...], list[Participation]] = defaultdict(list)
        for p in self.attending:
            by_programme[tuple(i.id for i in chosen.get(p.id, ()))].append(p)
        out = []
        for programme, attendees in by_programme.items():
            own = chosen.get(attendees[0].id, []) if programme else []
            order = lambda i: (i.start, i.end, i.id)  # noqa: E731
            out.append((list(merge(everyone, own, key=order)), attendees))
        return out

    def attendees(self) -> None:
        for schedule, attendees in self.schedules():
            self.overlaps(schedule, attendees)
            self.ways_between(schedule, attendees)
            starts = [i.start for i in schedule]
            for p in attendees:
                self.journeys(p, schedule, starts)
        self.stays()

    def overlaps(self, schedule: list[_Item], attendees: list[Participation]) -> None:
        active: list[_Item] = []
        for item in schedule:
            if item.kind is ItemKind.FREE_TIME:
                continue
            active = [a for a in active if a.end > item.start]
            for other in active:
                self.pair("attendee.overlap", other, item, attendees, self.both)
            active.append(item)

    def both(self, first: _Item, second: _Item) -> _Group:
        start, end = second.start, min(first.end, second.end)
        return self.add(
            "attendee.overlap",
            self.day(start),
            start,
            f"{WHO} {_verb('is')} in {first.name} and {second.name} {self.at(start, end)}",
            (first, second),
        )

    def ways_between(self, schedule: list[_Item], attendees: list[Participation]) -> None:
        before: _Item | None = None
        for item in schedule:
            if item.kind is ItemKind.FREE_TIME:
                continue
            if (
                before is not None
                and item.start >= before.end
                and ItemKind.TRANSFER not in (before.kind, item.kind)
            ):
                self.pair("travel.too_short", before, item, attendees, self.way)
            if before is None or item.end >= before.end:
                before = item

    def way(self, before: _Item, after: _Item) -> _Group | None:
        known = self.way_cache.get((before.venue_id, after.venue_id))
        need, how = known or self.way_minutes(before.venue, after.venue)
        left = (after.start - before.end) / 60
        if left >= need:
            return None
        a, b = before.venue, after.venue
        if a is None or b is None:
            missing = before if a is None else after
            needs = f"{missing.name} has no venue, so {_duration(need)} are needed between them"
        else:
            needs = f"the way from {a.name} to {b.name} takes about {_duration(need)}{how}"
        day = self.day(before.end)
        return self.add(
            "travel.too_short",
            day,
            before.end,
            f"{WHO} {_verb('goes')} from {before.name} to {after.name} on {_day_text(day)}: "
            f"{needs}; the plan leaves {_duration(left)} ({self.span(before.end, after.start)})",
            [before, after, *(v for v in (a, b) if v is not None)],
            severity=ERROR if need - left >= SHORT_BY_LITTLE else WARNING,
        )

    def way_minutes(self, a: Venue | None, b: Venue | None) -> tuple[int, str]:
        """Minutes from venue ``a`` to ``b``, and how they were found (for the message)."""
        key = (a.id if a else None, b.id if b else None)
        known = self.way_cache.get(key)
        if known is not None:
            return known
        s = self.settings
        if a is not None and b is not None and a.id == b.id:
            found = (0, "")
        elif a is None or b is None:
            found = (s.default_buffer_min, "")
        elif (a.id, b.id) in self.ways or (b.id, a.id) in self.ways:
            found = (self.ways.get((a.id, b.id), self.ways.get((b.id, a.id), 0)), " (as entered)")
        elif None in (a.latitude, a.longitude, b.latitude, b.longitude):
            lacking = a if a.latitude is None or a.longitude is None else b
            found = (s.default_buffer_min, f" ({lacking.name} has no map position)")
        else:
            assert a.latitude is not None and a.longitude is not None
            assert b.latitude is not None and b.longitude is not None
            km = _haversine(a.latitude, a.longitude, b.latitude, b.longitude) * s.detour
            walking = km < s.walk_limit_km
            speed = s.walk_kmh if walking else s.city_kmh
            minutes = math.ceil(km / speed * 60 + s.min_buffer_min) if speed > 0 else 24 * 60
            found = (minutes, f" ({km:.1f} km {'on foot' if walking else 'by road'})")
        self.way_cache[key] = found
        return found

    def journeys(self, p: Participation, schedule: list[_Item], starts: list[float]) -> None:
        s = self.settings
        travelling: set[int] = set()
        for leg in p.travel:
            leaves, lands = leg.departs_at.timestamp(), leg.arrives_at.timestamp()
            for item in schedule[bisect_left(starts, leaves - self.longest) :]:
                if item.start >= lands:
                    break
                if item.end > leaves and item.kind is not ItemKind.FREE_TIME:
                    travelling.add(item.id)
                    self.add(
                        "attendee.travelling",
                        self.day(item.start),
                        item.start,
                        f"{WHO} {_verb('is')} travelling ({_leg_text(leg)}, "
                        f"{self.span(leaves, lands)}) during {item.name} "
                        f"{self.at(item.start, item.end)}",
                        [item],
                        [p],
                    )
        arrival, departure = p.arrival, p.departure
        if arrival is not None:
            lands = arrival.arrives_at.timestamp()
            ready = lands + s.arrival_buffer_min * 60
            for item in schedule[: bisect_left(starts, ready)]:
                if item.id in travelling or item.kind is ItemKind.FREE_TIME:
                    continue
                day = self.day(item.start)
                arrives = (
                    f"{WHO} {_verb('arrives')} ({_leg_text(arrival)}, {self.moment(lands, day)})"
                )
                if item.start < lands:
                    text = f"{item.name} starts at {self.hm(item.start)} on {_day_text(day)}, before {arrives}"
                else:
                    text = (
                        f"{item.name} starts at {self.hm(item.start)} on {_day_text(day)}, "
                        f"{_duration((item.start - lands) / 60)} after {arrives}; the plan allows "
                        f"{_duration(s.arrival_buffer_min)} after arriving"
                    )
                self.add("attendee.before_arrival", day, item.start, text, [item], [p])
        if departure is not None:
            leaves = departure.departs_at.timestamp()
            done = leaves - s.departure_buffer_min * 60
            for item in schedule[bisect_left(starts, done - self.longest) :]:
                if item.end <= done or item.id in travelling:
                    continue
                if item.kind is ItemKind.FREE_TIME:
                    continue
                day = self.last_day(item.end)
                leaving = (
                    f"{WHO} {_verb('leaves')} ({_leg_text(departure)}, {self.moment(leaves, day)})"
                )
                if item.end > leaves:
                    text = f"{item.name} ends at {self.hm(item.end)} on {_day_text(day)}, after {leaving}"
                else:
                    text = (
                        f"{item.name} ends at {self.hm(item.end)} on {_day_text(day)}, "
                        f"{_duration((leaves - item.end) / 60)} before {leaving}; the plan allows "
                        f"{_duration(s.departure_buffer_min)} before leaving"
                    )
                self.add("attendee.after_departure", day, item.end, text, [item], [p])

    def stays(self) -> None:
        """Hotels for every night an attendee is there; journeys for everyone."""
        d = self.delegation
        for p in self.attending:
            arrival, departure = p.arrival, p.departure
            if arrival is None or departure is None:
                missing = " or ".join(
                    name
                    for name, leg in (("arrival", arrival), ("departure", departure))
                    if not leg
                )
                self.add(
                    "attendee.no_travel",
                    None,
                    0.0,
                    f"{WHO} {_verb('has')} no {missing} journey",
                    [],
                    [p],
                )
            first = self.day(arrival.arrives_at.timestamp()) if arrival else d.start_date
            last = self.day(departure.departs_at.timestamp()) if departure else d.end_date
            nights = [first + timedelta(days=n) for n in range((last - first).days)]
            if not nights:
                continue
            if not p.hotel.strip():
                uncovered, where = nights, f"{WHO} {_verb('has')} no hotel"
            else:
                check_in = p.check_in or first
                check_out = p.check_out or last
                uncovered = [n for n in nights if not check_in <= n < check_out]
                where = (
                    f"{WHO} {_verb('has')} a room at {p.hotel} from {_day_text(check_in)} to "
                    f"{_day_text(check_out)}, but none"
                )
            if uncovered:
                self.add(
                    "attendee.no_hotel",
                    uncovered[0],
                    0.0,
                    f"{where} for {_nights(uncovered)}",
                    [],
                    [p],
                )

    # -- 2: people and venues in two places -------------------------------------------
    def clashes(self) -> None:
        contacts: dict[int, Person] = {}
        by_person: dict[int, list[_Item | _Other]] = defaultdict(list)
        by_venue: dict[int, list[_Item | _Other]] = defaultdict(list)
        venues: dict[int, Venue] = {}
        for item in self.items:
            for person in item.contacts:
                contacts[person.id] = person
                by_person[person.id].append(item)
            if item.venue is not None and item.kind not in NO_PLACE:
                venues[item.venue.id] = item.venue
                by_venue[item.venue.id].append(item)
        self.others(venues, contacts, by_venue, by_person)
        for person_id, slots in by_person.items():
            person = contacts[person_id]
            for first, second, start, end in _sweep(slots):
                self.add(
                    "contact.overlap",
                    self.day(start),
                    start,
                    f"{person.full_name} hosts {first.name} and {second.name} {self.at(start, end)}",
                    (first, second, person),
                )
        for venue_id, slots in by_venue.items():
            venue = venues[venue_id]
            for first, second, start, end in _sweep(slots):
                if _parallel(first, second):
                    continue
                self.add(
                    "venue.overlap",
                    self.day(start),
                    start,
                    f"{venue.name} has {first.name} and {second.name} at the same time, "
                    f"{self.span(start, end)} on {_day_text(self.day(start))}",
                    (first, second, venue),
                )

    def others(
        self,
        venues: dict[int, Venue],
        contacts: dict[int, Person],
        by_venue: dict[int, list[_Item | _Other]],
        by_person: dict[int, list[_Item | _Other]],
    ) -> None:
        """Add other delegations' items that share a venue or a host contact to the sweeps."""
        if not self.items or not (venues or contacts):
            return
        low = datetime.fromtimestamp(self.items[0].start, UTC)
        high = datetime.fromtimestamp(max(i.end for i in self.items), UTC)
        columns = (
            AgendaItem.id,
            AgendaItem.uuid,
            AgendaItem.title,
            AgendaItem.starts_at,
            AgendaItem.ends_at,
            Delegation.title,
        )
        where = (
            AgendaItem.delegation_id != self.delegation.id,
            AgendaItem.status != ItemStatus.CANCELLED,
            Delegation.status != DelegationStatus.CANCELLED,
            AgendaItem.starts_at < high,
            AgendaItem.starts_at > low - REACH,
            AgendaItem.ends_at > low,
        )
        seen: dict[int, _Other] = {}

        def other(row: Any) -> _Other:
            found = seen.get(row[0])
            if found is None:
                found = seen[row[0]] = _Other(
                    row[0], row[1], row[2], row[3].timestamp(), row[4].timestamp(), row[5]
                )
            return found

        if venues:
            rows = self.session.execute(
                select(*columns, AgendaItem.venue_id)
                .join(Delegation, Delegation.id == AgendaItem.delegation_id)
                .where(
                    *where,
                    AgendaItem.venue_id.in_(list(venues)),
                    AgendaItem.kind.not_in(NO_PLACE),
                )
            )
            for row in rows:
                if row[6] is not None:
                    by_venue[row[6]].append(other(row))
        if contacts:
            hosted = self.session.execute(
                select(*columns, item_host_contacts.c.person_id)
                .join(Delegation, Delegation.id == AgendaItem.delegation_id)
                .join(item_host_contacts, item_host_contacts.c.agenda_item_id == AgendaItem.id)
                .where(*where, item_host_contacts.c.person_id.in_(list(contacts)))
            )
            for row in hosted:
                if row[6] is not None:
                    by_person[row[6]].append(other(row))

    # -- 5: hosts -------------------------------------------------------------------------
    def consent(self) -> None:
        """Text typed by the officer that prints the e-mail or phone of somebody who has
        not agreed to data processing: the documents leave out their details everywhere
        else (``exports.consent``), but print such text as written."""
        people: dict[int, Person] = {}
        for participation in self.delegation.participations:
            people.setdefault(participation.person_id, participation.person)
        for item in self.items:
            people.update((c.id, c) for c in item.contacts)
        if self.delegation.lead_officer is not None:
            people.setdefault(self.delegation.lead_officer.id, self.delegation.lead_officer)
        unconsenting = [p for p in people.values() if not p.consent_data]
        if not unconsenting:
            return
        texts: list[tuple[str, str, Record | None, float]] = [
            (
                "The emergency contacts",
                self.delegation.emergency_contacts or "",
                None,
                self.items[0].start if self.items else 0.0,
            )
        ]
        texts.append(
            (
                "The objectives",
                self.delegation.objectives or "",
                None,
                self.items[0].start if self.items else 0.0,
            )
        )
        for i in self.items:
            stored = i.record
            texts.append((f"The title of {i.name}", i.title or "", i, i.start))
            texts.append((f"The description of {i.name}", stored.description or "", i, i.start))
            texts.append((f"The driver's phone of {i.name}", stored.driver_phone or "", i, i.start))
        for venue in {v.id: v for v in (i.venue for i in self.items) if v is not None}.values():
            first = next(i for i in self.items if i.venue_id == venue.id)
            texts.append(
                (f"The access notes of {venue.name}", venue.access_notes or "", first, first.start)
            )
        for where, text, record, when in texts:
            if not text.strip():
                continue
            for person in unconsenting:
                shown = _contact_details_in(text, person)
                if shown:
                    self.add(
                        "consent.text",
                        None,
                        when,
                        f"{where} {'give' if where.startswith(PLURAL_TEXTS) else 'gives'} "
                        f"the {shown} of {person.full_name}, who has not agreed to data "
                        "processing: it prints in the documents as written; ask for their "
                        "consent, or take it out",
                        [r for r in (record, person) if r is not None],
                    )

    def hosts(self) -> None:
        codes: dict[tuple[int, int | None], tuple[str | None, str, str]] = {}
        for item in self.items:
            venue = item.venue
            orgs = [o for o in (item.record.host, venue.organisation if venue else None) if o]
            if not orgs:
                continue
            segments = self.segments(item)
            for org in dict.fromkeys(orgs):
                hours = _read(availability.parse_opening_hours, org.opening_hours)
                closed = _read(availability.parse_closed_dates, org.closed_dates)
                place = (org.id, item.venue_id)
                if place not in codes:
                    codes[place] = self.country(org, venue)
                code, region, where = codes[place]
                for day, start, end in segments:
                    self.host_day(item, org, day, start, end, hours, closed)
                    name = availability.holiday(code, region, day) if code else None
                    if name:
                        self.add(
                            "host.holiday",
                            day,
                            item.start,
                            f"{_day_text(day)} is {name}, a public holiday in {where}: "
                            f"{org.name} is likely closed for {item.name}",
                            (item, org),
                        )

    def host_day(
        self,
        item: _Item,
        org: Organisation,
        day: date,
        start: int,
        end: int,
        hours: availability.OpeningHours | None,
        closed: availability.ClosedDates | None,
    ) -> None:
        closure = closed.closed(day) if closed else None
        weekday = day.weekday()
        if closure is None and (
            (hours is not None and hours.covers(weekday, start, end))
            or (hours is None and weekday < 5)
        ):
            return
        when = (
            f"{item.name} ({_day_text(day)}, {availability.clock(start)}–{availability.clock(end)})"
        )
        if closure is not None:
            first, last = closure
            period = (
                f"on {_day_text(first)}"
                if first == last
                else f"from {_day_text(first)} to {_day_text(last)}"
            )
            text = f"{org.name} is closed {period}, the day of {when}"
            self.add("host.closed", day, item.start, text, (item, org))
        elif hours is not None and not hours.covers(day.weekday(), start, end):
            text = (
                f"{when} is outside the opening hours of {org.name} "
                f"({hours.describe(day.weekday())})"
            )
            self.add("host.closed", day, item.start, text, (item, org))
        elif hours is None and day.weekday() >= 5:
            text = (
                f"{when} is on a {day:%A} at {org.name}, which has no opening hours on record: "
                "check that it receives visitors then"
            )
            self.add("host.weekend", day, item.start, text, (item, org))

    def segments(self, item: _Item) -> list[tuple[date, int, int]]:
        """The local days an item covers, each with its start and end in minutes."""
        start, end = self.local(item.start), self.local(item.end)
        first, last = start.date(), self.last_day(item.end)
        opens = start.hour * 60 + start.minute
        closes = end.hour * 60 + end.minute if end.date() == last else 24 * 60
        if first == last:
            return [(first, opens, max(closes, opens))]
        out = [(first, opens, 24 * 60)]
        day = first + timedelta(days=1)
        while day < last:
            out.append((day, 0, 24 * 60))
            day += timedelta(days=1)
        out.append((last, 0, closes))
        return out

    def country(self, org: Organisation, venue: Venue | None) -> tuple[str | None, str, str]:
        """The country code, region and place name whose public holidays apply to ``org``.

        The organisation's country, else its venue's, else the visit's destination.
        """
        places = (org.country, venue.country if venue else "", self.delegation.destination_country)
        for name in places:
            code = country_code(name or "")
            if code:
                region = org.region.strip()
                if region and availability.region_problem(region, code) is None:
                    return code, region, f"{availability.region_name(code, region)}, {name}"
                return code, "", name
        return None, "", ""

    # -- 6 and 7: items ---------------------------------------------------------------------
    def items_alone(self) -> None:
        d = self.delegation
        attending = {p.id for p in self.attending}
        for item in self.items:
            first, last = self.day(item.start), self.last_day(item.end)
            if first < d.start_date or last > d.end_date:
                self.add(
                    "item.outside_dates",
                    first,
                    item.start,
                    f"{item.name} {self.at(item.start, item.end)} is outside the visit's dates "
                    f"({_day_text(d.start_date)} to {_day_text(d.end_date)})",
                    [item],
                )
            if first != last:
                self.add(
                    "item.crosses_midnight",
                    first,
                    item.start,
                    f"{item.name} runs past midnight, {self.at(item.start, item.end)}",
                    [item],
                )
            if item.venue is None and item.kind not in NO_PLACE:
                self.add(
                    "item.no_venue",
                    first,
                    item.start,
                    f"{item.name} {self.at(item.start, item.end)} has no venue",
                    [item],
                )
            for verb, moment in (("starts", item.record.starts_at), ("ends", item.record.ends_at)):
                self.wall_time(item, verb, moment)
            people = len(attending) if item.subset is None else len(item.subset & attending)
            if item.subset is not None and people == 0:
                reason = (
                    "none of them is attending any more (they declined or cancelled)"
                    if item.subset
                    else "nobody is chosen"
                )
                self.add(
                    "item.no_participants",
                    first,
                    item.start,
                    f"{item.name} {self.at(item.start, item.end)} is for chosen attendees, but "
                    f"{reason}",
                    [item],
                )
            capacity = item.venue.capacity if item.venue is not None else None
            total = people + len(item.contacts)
            if capacity is not None and item.venue is not None and total > capacity:
                hosts = len(item.contacts)
                detail = (
                    f"{people} attendee{'s' * (people != 1)} and {hosts} host{'s' * (hosts != 1)}"
                    if hosts
                    else f"{people} attendee{'s' * (people != 1)}"
                )
                self.add(
                    "venue.capacity",
                    first,
                    item.start,
                    f"{item.name} {self.at(item.start, item.end)} brings {total} people "
                    f"({detail}) to {item.venue.name}, which holds {capacity}",
                    (item, item.venue),
                )

    def wall_time(self, item: _Item, verb: str, moment: datetime) -> None:
        wall = _wall(moment, self.zone)
        day = wall.date()
        steady = self.steady.get(day)
        if steady is None:
            steady = self.steady[day] = _steady(day, self.zone)
        if steady:
            return
        problem = wall_time_problem(moment, self.zone)
        if problem is None:
            return
        if problem == "nonexistent":
            text = (
                f"{item.name} {verb} at {wall:%H:%M} on {_day_text(day)}, a time that does not "
                f"exist in {self.zone.key} (the clocks go forward that night)"
            )
            self.add("time.nonexistent", day, item.start, text, [item])
        else:
            offset = _offset(moment.astimezone(self.zone))
            text = (
                f"{item.name} {verb} at {wall:%H:%M} on {_day_text(day)}, a time that happens "
                f"twice in {self.zone.key} (the clocks go back that night); it means the one at "
                f"UTC{offset}, and calendars may show it an hour off"
            )
            self.add("time.ambiguous", day, item.start, text, [item])


# ------------------------------------------------------------------ helpers


PLURAL_TEXTS = ("The emergency contacts", "The objectives", "The access notes")
"""Texts whose name is plural: "The access notes of … give"."""


def _contact_details_in(text: str, person: Person) -> str:
    """Which of ``person``'s contact details ``text`` gives: "e-mail", "phone",
    "e-mail and phone", or ""."""
    found = []
    email = (person.email or "").strip()
    if email and email.casefold() in text.casefold():
        found.append("e-mail")
    phone = person.phone or ""
    if sum(c.isdigit() for c in phone) >= 6 and any(
        same_phone(run.group(), phone) for run in PHONE_RUN.finditer(text)
    ):
        found.append("phone")
    return " and ".join(found)


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _sweep(
    slots: list[_Item | _Other],
) -> Iterable[tuple[_Item | _Other, _Item | _Other, float, float]]:
    """Pairs of overlapping slots, at least one of them this delegation's (time order)."""
    slots.sort(key=lambda s: (s.start, s.end, s.id))
    active: list[_Item | _Other] = []
    for slot in slots:
        active = [a for a in active if a.end > slot.start]
        for other in active:
            if isinstance(other, _Item) or isinstance(slot, _Item):
                yield other, slot, slot.start, min(slot.end, other.end)
        active.append(slot)


def _parallel(first: _Item | _Other, second: _Item | _Other) -> bool:
    """Two sessions of this programme for chosen attendees: rooms or tables of one venue
    that the officer planned side by side (a B2B meet-up), not a double booking."""
    return (
        isinstance(first, _Item)
        and isinstance(second, _Item)
        and first.subset is not None
        and second.subset is not None
    )


def _nights(nights: list[date]) -> str:
    if len(nights) == 1:
        return f"the night of {_day_text(nights[0])}"
    if len(nights) == 2:
        return f"the nights of {_day_text(nights[0])} and {_day_text(nights[1])}"
    return f"{len(nights)} nights, {_day_text(nights[0])} to {_day_text(nights[-1])}"


def _read(parse: Any, text: str) -> Any:
    """Parsed opening hours or closed dates; None when empty or unreadable (stored before
    validation knew them)."""
    try:
        return parse(text or "")
    except availability.AvailabilityError:
        return None


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """The wall time of ``moment`` in ``zone``, naive (as written, when it is in ``zone``)."""
    tz = moment.tzinfo
    if isinstance(tz, ZoneInfo) and tz.key == zone.key:
        return moment.replace(tzinfo=None)
    return moment.astimezone(zone).replace(tzinfo=None)


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _steady(day: date, zone: ZoneInfo) -> bool:
    """Whether ``zone``'s UTC offset stays the same from the day before ``day`` to the day
    after (then no wall time of ``day`` is skipped or repeated)."""
    offsets = {
        datetime(d.year, d.month, d.day, 12, tzinfo=zone).utcoffset()
        for d in (day - timedelta(days=1), day, day + timedelta(days=1))
    }
    return len(offsets) == 1


def wall_time_problem(moment: datetime, zone: ZoneInfo) -> str | None:
    """``"nonexistent"``, ``"ambiguous"`` or None for the local wall time of ``moment``.

    A time written in ``zone`` itself (a form's value, before it is stored) is read
    as written: 02:30 on the night the clocks go forward does not exist. Any other
    instant (stored ones are UTC; a package's keeps its offset) is converted, and
    can only be ambiguous: 02:30 on the night the clocks go back happens twice.
    Found by round-tripping the wall time through UTC.
    """
    wall = _wall(moment, zone)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return "ambiguous" if back == wall else "nonexistent"


def _travel_times(session: Session, venues: Iterable[Venue | None]) -> dict[tuple[int, int], int]:
    ids = sorted({v.id for v in venues if v is not None})
    if len(ids) < 2:
        return {}
    rows = session.execute(
        select(
            VenueTravelTime.from_venue_id, VenueTravelTime.to_venue_id, VenueTravelTime.minutes
        ).where(VenueTravelTime.from_venue_id.in_(ids), VenueTravelTime.to_venue_id.in_(ids))
    )
    return {(a, b): minutes for a, b, minutes in rows}


def run_all(session: Session, delegation_id: int, settings: CheckSettings) -> list[Finding]:
    """Every finding of one delegation, in order of day and time."""
    delegation = load_delegation(session, delegation_id)
    run = _Run(session, delegation, settings)
    run.ways = _travel_times(session, (i.venue for i in run.items))
    run.items_alone()
    run.attendees()
    run.clashes()
    run.hosts()
    run.consent()
    return run.findings()


# ------------------------------------------------------------------ settings

_BOUNDS: dict[str, tuple[float, float]] = {
    "walk_kmh": (0.5, 20),
    "city_kmh": (1, 200),
    "walk_limit_km": (0, 50),
    "detour": (1, 5),
}
"""The values each setting may take (minutes: 0 to a day)."""


def store_setting(session: Session, key: str, value: float | str | None) -> str | None:
    """Store one check setting (``None`` puts back the default); returns the stored text.

    Raises:
        ValidationError: an unknown key, or a value that is not a number in range.
    """
    names = {f.name: f for f in fields(CheckSettings)}
    if key not in names:
        raise ValidationError(
            {"key": f"{key!r} is not a check setting (one of: {', '.join(names)})"}
        )
    default = getattr(CheckSettings(), key)
    low, high = _BOUNDS.get(key, (0, 24 * 60))
    if value is None:
        row = session.get(CheckSetting, key)
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    number: float | None = None
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    whole = isinstance(default, int)
    if number is None or not math.isfinite(number) or not low <= number <= high:
        kind = "a whole number" if whole else "a number"
        raise ValidationError({key: f"is not {kind} from {low:g} to {high:g}"})
    if whole and number != int(number):
        raise ValidationError({key: f"is not a whole number from {low:g} to {high:g}"})
    text = str(int(number)) if whole else f"{number:g}"
    row = session.get(CheckSetting, key)
    if row is None:
        session.add(CheckSetting(key=key, value=text))
    elif row.value != text:
        row.value = text
    session.flush()
    return text
