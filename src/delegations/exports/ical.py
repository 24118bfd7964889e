"""iCalendar files for the delegation, for one attendee and for one host organisation.

* delegation calendar: every agenda item;
* personal calendar (``options.attendee_id``, a Person id): the items that concern
  them plus their arrival and departure journeys (nothing once they declined or
  cancelled), each journey starting in its
  origin's time zone and ending in its destination's;
* host calendar (``options.host_id``, an Organisation id): the items it hosts.

Every file is ``METHOD:PUBLISH`` with our PRODID and, per event, a UID made from
the record's stable UUID (``{uuid}@delegations``), SEQUENCE from its revision (a
cancelled record keeps its UID, says ``STATUS:CANCELLED`` and has a SEQUENCE of at
least 1), DTSTAMP = the export's ``generated_at``, LAST-MODIFIED, an ORGANIZER (the
lead officer if they agreed to data processing, else the sending organisation, else
``noreply@delegations.invalid``)
and no ATTENDEE. Times are local with IANA TZIDs, each declared by a VTIMEZONE
with yearly RRULEs (see ``vtimezone``). Same data and ``generated_at`` give the
same bytes.

Updates that reach subscribers (``options.published``, what this audience last
received): every event published before and now gone (item deleted, attendee
taken off it or withdrawn) is written again with its UID, last known summary and
times, ``STATUS:CANCELLED`` and a SEQUENCE above the one published, until the
visit has ended (``generated_at`` past the day after ``end_date``, local time).
An event already published as cancelled is repeated unchanged. An event whose
content differs from what was published never has a SEQUENCE at or below the
published one. A cancelled delegation cancels every event. A person no longer in
the delegation, or a host that no longer hosts anything, gets a calendar with
everything cancelled when something was published to them (else it is refused).
``snapshot`` gives what a calendar holds, for the publication record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from delegations import __version__
from delegations.exports.common import generated_at, report
from delegations.exports.consent import email_of, phone_of
from delegations.exports.options import ExportError, ExportOptions
from delegations.files import atomic_write
from delegations.model.enums import DelegationStatus, ItemStatus
from delegations.model.publications import (
    ITEM,
    TRAVEL,
    PublishedEvent,
    item_location,
)
from delegations.model.publications import leg_summary as leg_summary

if TYPE_CHECKING:
    from icalendar import Calendar, Event

    from delegations.model import (
        AgendaItem,
        Delegation,
        Organisation,
        Participation,
        Person,
        TravelLeg,
    )

PRODID = f"-//Delegations//Delegations {__version__}//EN"
UID_DOMAIN = "delegations"
FALLBACK_ORGANIZER = "noreply@delegations.invalid"
_STATUS = {
    ItemStatus.TENTATIVE: "TENTATIVE",
    ItemStatus.CONFIRMED: "CONFIRMED",
    ItemStatus.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True)
class Organizer:
    email: str
    name: str


@dataclass(frozen=True)
class Selection:
    """What one calendar holds and what it is called."""

    name: str
    items: list[AgendaItem]
    legs: list[TravelLeg]
    gone: list[PublishedEvent] = field(default_factory=list)
    """Published events no longer held, written cancelled (see the module docstring)."""
    versions: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    """UID → (SEQUENCE, STATUS) of every event written."""


def export(delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the calendar that ``options`` asks for (see the module docstring)."""
    out = Path(out)
    data = to_ical(delegation, options)
    with atomic_write(out) as handle:
        handle.write(data)
    return out


def to_ical(delegation: Delegation, options: ExportOptions) -> bytes:
    """The calendar as bytes (CRLF lines, folded at 75 octets)."""
    selection = select(delegation, options)
    head = bytes(calendar_head(delegation, selection).to_ical())
    end = b"END:VCALENDAR\r\n"
    if not head.endswith(end):  # pragma: no cover - icalendar always ends so
        raise ExportError("the calendar library wrote an unexpected ending")
    return head[: -len(end)] + b"".join(event_lines(delegation, selection, options)) + end


_SHARED: ContextVar[dict[tuple[object, ...], bytes] | None] = ContextVar(
    "shared_events", default=None
)


@contextmanager
def shared_events() -> Iterator[None]:
    """Within it, an event is serialised once and its lines reused by every calendar
    that holds it with the same SEQUENCE and STATUS (an attendee pack: 40 personal
    calendars holding the same items). Only for one loaded delegation whose records
    do not change meanwhile, and one ``generated_at``."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


# --------------------------------------------------------------------------- what goes in


def select(delegation: Delegation, options: ExportOptions) -> Selection:
    """What the calendar holds: live events, then what was published and is gone."""
    live = _select_live(delegation, options)
    return _with_versions(delegation, live, options)


def _select_live(delegation: Delegation, options: ExportOptions) -> Selection:
    if options.attendee_id is not None and options.host_id is not None:
        raise ExportError("a calendar is either personal or for a host, not both")
    items = sorted(delegation.items, key=_item_key)
    published = bool(options.published)
    if options.attendee_id is not None:
        participation = _participation(delegation, options.attendee_id, published)
        if participation is None:
            return Selection(name=delegation.title, items=[], legs=[])
        name = f"{delegation.title} — {participation.person.full_name}"
        if not participation.status.attending:  # withdrawn: nothing is theirs any more
            return Selection(name=name, items=[], legs=[])
        legs = sorted(participation.travel, key=lambda leg: (leg.departs_at, leg.uuid or ""))
        return Selection(
            name=name,
            items=[item for item in items if item.concerns(participation)],
            legs=legs,
        )
    if options.host_id is not None:
        hosted = [item for item in items if _host_id(item) == options.host_id]
        if not hosted:
            if published:
                return Selection(name=delegation.title, items=[], legs=[])
            raise ExportError(
                f"organisation id {options.host_id} hosts no item of '{delegation.title}'"
            )
        host = hosted[0].host
        assert host is not None
        return Selection(name=f"{delegation.title} — {host.name}", items=hosted, legs=[])
    return Selection(name=delegation.title, items=items, legs=[])


def visit_end(delegation: Delegation) -> datetime:
    """When the visit has ended: midnight after its last day, in its time zone (UTC)."""
    zone = _zone(delegation.timezone)
    end = datetime.combine(delegation.end_date + timedelta(days=1), time(0), tzinfo=zone)
    return end.astimezone(UTC)


def _with_versions(delegation: Delegation, live: Selection, options: ExportOptions) -> Selection:
    published = dict(options.published or {})
    cancelled_visit = delegation.status == DelegationStatus.CANCELLED
    versions: dict[str, tuple[int, str]] = {}
    for item in live.items:
        if not item.uuid:
            raise ExportError(f"agenda item '{item.title}' has no UUID (save it first)")
        status = "CANCELLED" if cancelled_visit else _STATUS[item.status]
        now = _event(item.uuid, item.revision or 0, item.title, item.starts_at, item.ends_at,
                     item_location(item), status, ITEM)  # fmt: skip
        versions[item.uuid] = _version(now, published.get(item.uuid))
    for leg in live.legs:
        if not leg.uuid:
            raise ExportError(f"journey from {leg.origin} has no UUID (save it first)")
        status = "CANCELLED" if cancelled_visit else "CONFIRMED"
        now = _event(leg.uuid, leg.revision or 0, leg_summary(leg), leg.departs_at,
                     leg.arrives_at, leg.origin, status, TRAVEL)  # fmt: skip
        versions[leg.uuid] = _version(now, published.get(leg.uuid))
    gone: list[PublishedEvent] = []
    if published and generated_at(options).astimezone(UTC) < visit_end(delegation):
        for uid in sorted(set(published) - set(versions), key=lambda u: _gone_key(published[u])):
            before = published[uid]
            sequence = before.sequence if before.cancelled else before.sequence + 1
            gone.append(_replace(before, sequence=sequence, status="CANCELLED"))
            versions[uid] = (sequence, "CANCELLED")
    return Selection(live.name, live.items, live.legs, gone, versions)


def _gone_key(event: PublishedEvent) -> tuple[datetime, datetime, str]:
    return (event.starts_at, event.ends_at, event.uid)


def _event(
    uid: str,
    revision: int,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    status: str,
    kind: str,
) -> PublishedEvent:
    if status == "CANCELLED":
        revision = max(revision, 1)  # a cancellation is always a change
    return PublishedEvent(uid, revision, summary, starts_at.astimezone(UTC),
                          ends_at.astimezone(UTC), location, status, kind)  # fmt: skip


def _replace(event: PublishedEvent, *, sequence: int, status: str) -> PublishedEvent:
    from dataclasses import replace

    return replace(event, sequence=sequence, status=status)


def _shown(event: PublishedEvent) -> tuple[object, ...]:
    return (event.summary, event.starts_at, event.ends_at, event.location, event.status)


def _version(now: PublishedEvent, before: PublishedEvent | None) -> tuple[int, str]:
    """SEQUENCE and STATUS: never below what was published, above it when what shows
    differs from what was published."""
    if before is None:
        return now.sequence, now.status
    if _shown(now) != _shown(before) and now.sequence <= before.sequence:
        return before.sequence + 1, now.status
    return max(now.sequence, before.sequence), now.status


def snapshot(delegation: Delegation, options: ExportOptions) -> dict[str, PublishedEvent]:
    """What the calendar ``options`` asks for holds, by UID, as a publication records it."""
    selection = select(delegation, options)
    out: dict[str, PublishedEvent] = {}
    for item in selection.items:
        sequence, status = selection.versions[item.uuid]
        out[item.uuid] = PublishedEvent(item.uuid, sequence, item.title,
                                        item.starts_at.astimezone(UTC),
                                        item.ends_at.astimezone(UTC), item_location(item),
                                        status, ITEM)  # fmt: skip
    for leg in selection.legs:
        sequence, status = selection.versions[leg.uuid]
        out[leg.uuid] = PublishedEvent(leg.uuid, sequence, leg_summary(leg),
                                       leg.departs_at.astimezone(UTC),
                                       leg.arrives_at.astimezone(UTC), leg.origin, status,
                                       TRAVEL)  # fmt: skip
    for event in selection.gone:
        out[event.uid] = event
    return out


def _item_key(item: AgendaItem) -> tuple[datetime, datetime, str]:
    return (item.starts_at, item.ends_at, item.uuid or "")


def _host_id(item: AgendaItem) -> int | None:
    if item.host is not None:
        return item.host.id
    return item.host_organisation_id


def _participation(
    delegation: Delegation, person_id: int, published: bool = False
) -> Participation | None:
    """The person's place in the delegation; None when they left it after a calendar was
    published to them (their last calendar cancels everything)."""
    for participation in delegation.participations:
        if participation.person.id == person_id or participation.person_id == person_id:
            return participation
    if published:
        return None
    raise ExportError(f"person id {person_id} is not in the delegation '{delegation.title}'")


def organizer(delegation: Delegation) -> Organizer:
    """The lead officer (when they agreed to their e-mail being shown), else the
    sending organisation, else a no-reply address."""
    lead = delegation.lead_officer
    if lead is not None and email_of(lead):
        return Organizer(email_of(lead), lead.full_name)
    sending = delegation.sending_organisation
    if sending is not None and sending.email:
        return Organizer(sending.email, sending.name)
    return Organizer(FALLBACK_ORGANIZER, delegation.title)


# --------------------------------------------------------------------------- building


def calendar_head(delegation: Delegation, selection: Selection) -> Calendar:
    """The calendar's own properties and its VTIMEZONEs, without events."""
    from icalendar import Calendar

    from delegations.exports.vtimezone import build_vtimezone

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", selection.name)
    calendar.add("x-wr-calname", selection.name)
    zones = _zones_used(delegation.timezone, selection)
    if set(zones) == {delegation.timezone}:
        calendar.add("x-wr-timezone", delegation.timezone)
    for name in sorted(zones):
        calendar.add_component(build_vtimezone(name, zones[name]))
    return calendar


def event_lines(
    delegation: Delegation, selection: Selection, options: ExportOptions
) -> Iterator[bytes]:
    """Each VEVENT of the calendar as its content lines (items, journeys, then what
    is gone), reusing lines already made within ``shared_events``."""
    zone = _zone(delegation.timezone)
    stamp = generated_at(options).astimezone(UTC)
    who = organizer(delegation)
    shared = _SHARED.get()
    total = len(selection.items) + len(selection.legs) + len(selection.gone)
    versions = selection.versions

    def lines(key: tuple[object, ...], make: Callable[[], Event]) -> bytes:
        if shared is None:
            return bytes(make().to_ical())
        found = shared.get(key)
        if found is None:
            found = shared[key] = bytes(make().to_ical())
        return found

    for done, item in enumerate(selection.items):
        version = versions.get(item.uuid)
        yield lines(
            ("item", item.uuid, version, stamp, who, zone.key),
            partial(item_event, item, zone, stamp, who, version),
        )
        if done % 500 == 0:
            report(options, done, total)
    for leg in selection.legs:
        version = versions.get(leg.uuid)
        yield lines(
            ("leg", leg.uuid, version, stamp, who), partial(leg_event, leg, stamp, who, version)
        )
    for gone in selection.gone:
        yield bytes(gone_event(gone, zone, stamp, who).to_ical())
    report(options, total, total)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ExportError(f"unknown time zone '{name}'") from error


def _zones_used(delegation_zone: str, selection: Selection) -> dict[str, list[datetime]]:
    zones: dict[str, list[datetime]] = {}
    for item in selection.items:
        zones.setdefault(delegation_zone, []).extend((item.starts_at, item.ends_at))
    for gone in selection.gone:
        zones.setdefault(delegation_zone, []).extend((gone.starts_at, gone.ends_at))
    for leg in selection.legs:
        _zone(leg.origin_timezone)
        _zone(leg.destination_timezone)
        zones.setdefault(leg.origin_timezone, []).append(leg.departs_at)
        zones.setdefault(leg.destination_timezone, []).append(leg.arrives_at)
    return zones


def _common(
    event: Event, uid: str, revision: int, updated_at: datetime | None, stamp: datetime
) -> None:
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("sequence", revision)
    if updated_at is not None:
        event.add("last-modified", updated_at.astimezone(UTC))


def _organizer(event: Event, who: Organizer) -> None:
    from icalendar import vCalAddress, vText

    address = vCalAddress(f"mailto:{who.email}")
    address.params["cn"] = vText(who.name)
    event.add("organizer", address)


def item_event(
    item: AgendaItem,
    zone: ZoneInfo,
    stamp: datetime,
    who: Organizer,
    version: tuple[int, str] | None = None,
) -> Event:
    """An item's VEVENT; ``version`` (SEQUENCE, STATUS) as ``select`` worked them out."""
    from icalendar import Event

    if not item.uuid:
        raise ExportError(f"agenda item '{item.title}' has no UUID (save it first)")
    event = Event()
    status = _STATUS[item.status]
    revision = item.revision or 0
    if version is not None:
        revision, status = version
    if status == "CANCELLED":
        revision = max(revision, 1)  # a cancellation is always a change
    _common(event, item.uuid, revision, item.updated_at, stamp)
    _organizer(event, who)
    event.add("summary", item.title)
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    venue = item.venue
    if venue is not None:
        event.add("location", item_location(item))
        if venue.latitude is not None and venue.longitude is not None:
            event.add("geo", (venue.latitude, venue.longitude))
    description = item_description(item)
    if description:
        event.add("description", description)
    event.add("categories", [item.kind.label])
    event.add("status", status)
    return event


def item_description(item: AgendaItem) -> str:
    """Host, host contacts, who takes part (when not everyone) and the notes."""
    lines: list[str] = []
    if item.host is not None:
        lines.append(f"Host: {_organisation(item.host)}")
    if item.host_contacts:
        lines.append("Contacts: " + "; ".join(_contact(p) for p in item.host_contacts))
    if item.is_transfer and item.dropoff_venue is not None:
        dropoff = item.dropoff_venue
        place = ", ".join(p for p in (dropoff.name, dropoff.full_address) if p)
        lines.append(f"Drop-off: {place}")
    if not item.everyone and item.participants:
        names = sorted(p.display_name for p in item.participants)
        lines.append("Participants: " + ", ".join(names))
    if item.venue is not None and item.venue.access_notes:
        lines.append(f"Access: {item.venue.access_notes.strip()}")
    notes = (item.description or "").strip()
    if notes:
        lines.extend(("", notes) if lines else (notes,))
    return "\n".join(lines)


def _organisation(organisation: Organisation) -> str:
    return organisation.display_name


def _contact(person: Person) -> str:
    """Name (job title, e-mail, phone): e-mail and phone only with their consent."""
    details = [d for d in (person.job_title, email_of(person), phone_of(person)) if d]
    return f"{person.full_name} ({', '.join(details)})" if details else person.full_name


def leg_event(
    leg: TravelLeg,
    stamp: datetime,
    who: Organizer,
    version: tuple[int, str] | None = None,
) -> Event:
    """A journey's VEVENT; ``version`` (SEQUENCE, STATUS) as ``select`` worked them out."""
    from icalendar import Event

    if not leg.uuid:
        raise ExportError(f"journey from {leg.origin} has no UUID (save it first)")
    event = Event()
    revision, status = version if version is not None else (leg.revision or 0, "CONFIRMED")
    _common(event, leg.uuid, revision, leg.updated_at, stamp)
    _organizer(event, who)
    event.add("summary", leg_summary(leg))
    event.add("dtstart", leg.departs_at.astimezone(ZoneInfo(leg.origin_timezone)))
    event.add("dtend", leg.arrives_at.astimezone(ZoneInfo(leg.destination_timezone)))
    event.add("location", leg.origin)
    event.add("description", leg_description(leg))
    event.add("categories", ["Travel"])
    event.add("status", status)
    return event


def gone_event(gone: PublishedEvent, zone: ZoneInfo, stamp: datetime, who: Organizer) -> Event:
    """A published event that the audience no longer has: cancelled, as last published."""
    from icalendar import Event

    event = Event()
    _common(event, gone.uid, gone.sequence, None, stamp)
    _organizer(event, who)
    event.add("summary", gone.summary)
    event.add("dtstart", gone.starts_at.astimezone(zone))
    event.add("dtend", gone.ends_at.astimezone(zone))
    if gone.location:
        event.add("location", gone.location)
    event.add("categories", ["Travel" if gone.kind == TRAVEL else "Cancelled"])
    event.add("status", "CANCELLED")
    return event


def leg_description(leg: TravelLeg) -> str:
    departs = leg.departs_at.astimezone(ZoneInfo(leg.origin_timezone))
    arrives = leg.arrives_at.astimezone(ZoneInfo(leg.destination_timezone))
    lines = [
        f"Departs {leg.origin} {departs:%Y-%m-%d %H:%M} ({leg.origin_timezone})",
        f"Arrives {leg.destination} {arrives:%Y-%m-%d %H:%M} ({leg.destination_timezone})",
    ]
    if leg.notes:
        lines.extend(("", leg.notes.strip()))
    return "\n".join(lines)
