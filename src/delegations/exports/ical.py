"""iCalendar files for the delegation, for one attendee and for one host organisation.

* delegation calendar: every agenda item;
* personal calendar (``options.attendee_id``, a Person id): the items that concern
  them plus their arrival and departure journeys, each journey starting in its
  origin's time zone and ending in its destination's;
* host calendar (``options.host_id``, an Organisation id): the items it hosts.

Every file is ``METHOD:PUBLISH`` with our PRODID and, per event, a UID made from
the record's stable UUID (``{uuid}@delegations``), SEQUENCE from its revision (a
cancelled record keeps its UID, says ``STATUS:CANCELLED`` and has a SEQUENCE of at
least 1), DTSTAMP = the export's ``generated_at``, LAST-MODIFIED, an ORGANIZER (the
lead officer, else the sending organisation, else ``noreply@delegations.invalid``)
and no ATTENDEE. Times are local with IANA TZIDs, each declared by a VTIMEZONE
with yearly RRULEs (see ``vtimezone``). Same data and ``generated_at`` give the
same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from delegations import __version__
from delegations.exports.common import generated_at, report
from delegations.exports.options import ExportError, ExportOptions
from delegations.files import atomic_write
from delegations.model.enums import ItemStatus

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
    calendar = build(delegation, selection, options)
    return bytes(calendar.to_ical())


# --------------------------------------------------------------------------- what goes in


def select(delegation: Delegation, options: ExportOptions) -> Selection:
    if options.attendee_id is not None and options.host_id is not None:
        raise ExportError("a calendar is either personal or for a host, not both")
    items = sorted(delegation.items, key=_item_key)
    if options.attendee_id is not None:
        participation = _participation(delegation, options.attendee_id)
        legs = sorted(participation.travel, key=lambda leg: (leg.departs_at, leg.uuid or ""))
        return Selection(
            name=f"{delegation.title} — {participation.person.full_name}",
            items=[item for item in items if item.concerns(participation)],
            legs=legs,
        )
    if options.host_id is not None:
        hosted = [item for item in items if _host_id(item) == options.host_id]
        if not hosted:
            raise ExportError(
                f"organisation id {options.host_id} hosts no item of '{delegation.title}'"
            )
        host = hosted[0].host
        assert host is not None
        return Selection(name=f"{delegation.title} — {host.name}", items=hosted, legs=[])
    return Selection(name=delegation.title, items=items, legs=[])


def _item_key(item: AgendaItem) -> tuple[datetime, datetime, str]:
    return (item.starts_at, item.ends_at, item.uuid or "")


def _host_id(item: AgendaItem) -> int | None:
    if item.host is not None:
        return item.host.id
    return item.host_organisation_id


def _participation(delegation: Delegation, person_id: int) -> Participation:
    for participation in delegation.participations:
        if participation.person.id == person_id or participation.person_id == person_id:
            return participation
    raise ExportError(f"person id {person_id} is not in the delegation '{delegation.title}'")


def organizer(delegation: Delegation) -> Organizer:
    """The lead officer, else the sending organisation, else a no-reply address."""
    lead = delegation.lead_officer
    if lead is not None and lead.email:
        return Organizer(lead.email, lead.full_name)
    sending = delegation.sending_organisation
    if sending is not None and sending.email:
        return Organizer(sending.email, sending.name)
    return Organizer(FALLBACK_ORGANIZER, delegation.title)


# --------------------------------------------------------------------------- building


def build(delegation: Delegation, selection: Selection, options: ExportOptions) -> Calendar:
    from icalendar import Calendar

    from delegations.exports.vtimezone import build_vtimezone

    zone = _zone(delegation.timezone)
    stamp = generated_at(options).astimezone(UTC)
    who = organizer(delegation)
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
    total = len(selection.items) + len(selection.legs)
    for done, item in enumerate(selection.items):
        calendar.add_component(item_event(item, zone, stamp, who))
        if done % 500 == 0:
            report(options, done, total)
    for leg in selection.legs:
        calendar.add_component(leg_event(leg, stamp, who))
    report(options, total, total)
    return calendar


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ExportError(f"unknown time zone '{name}'") from error


def _zones_used(delegation_zone: str, selection: Selection) -> dict[str, list[datetime]]:
    zones: dict[str, list[datetime]] = {}
    for item in selection.items:
        zones.setdefault(delegation_zone, []).extend((item.starts_at, item.ends_at))
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


def item_event(item: AgendaItem, zone: ZoneInfo, stamp: datetime, who: Organizer) -> Event:
    from icalendar import Event

    if not item.uuid:
        raise ExportError(f"agenda item '{item.title}' has no UUID (save it first)")
    event = Event()
    status = _STATUS[item.status]
    revision = item.revision or 0
    if status == "CANCELLED":
        revision = max(revision, 1)  # a cancellation is always a change
    _common(event, item.uuid, revision, item.updated_at, stamp)
    _organizer(event, who)
    event.add("summary", item.title)
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    venue = item.venue
    if venue is not None:
        event.add("location", ", ".join(p for p in (venue.name, venue.full_address) if p))
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
    details = [d for d in (person.job_title, person.email, person.phone) if d]
    return f"{person.full_name} ({', '.join(details)})" if details else person.full_name


def leg_event(leg: TravelLeg, stamp: datetime, who: Organizer) -> Event:
    from icalendar import Event

    if not leg.uuid:
        raise ExportError(f"journey from {leg.origin} has no UUID (save it first)")
    event = Event()
    _common(event, leg.uuid, leg.revision or 0, leg.updated_at, stamp)
    _organizer(event, who)
    event.add("summary", leg_summary(leg))
    event.add("dtstart", leg.departs_at.astimezone(ZoneInfo(leg.origin_timezone)))
    event.add("dtend", leg.arrives_at.astimezone(ZoneInfo(leg.destination_timezone)))
    event.add("location", leg.origin)
    event.add("description", leg_description(leg))
    event.add("categories", ["Travel"])
    event.add("status", "CONFIRMED")
    return event


def leg_summary(leg: TravelLeg) -> str:
    what = " ".join(p for p in (leg.mode.label, leg.service) if p)
    return f"{leg.direction.label}: {what}, {leg.origin} → {leg.destination}"


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
