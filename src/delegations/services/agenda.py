"""Agenda items: what happens, when, where, with whom."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from delegations.model import (
    AgendaItem,
    Delegation,
    HostConfirmation,
    ItemKind,
    ItemStatus,
    Organisation,
    Participation,
    Person,
    Venue,
    serves_food_by_default,
)
from delegations.services.base import apply, check_exists, clean, get, merged
from delegations.services.validation import (
    LONG,
    NAME,
    PHONE,
    TITLE,
    Checker,
    describe_day,
    hhmm,
    is_timezone,
)

FIELDS = (
    "title", "kind", "starts_at", "ends_at", "venue_id", "host_organisation_id",
    "host_confirmation", "description", "status", "everyone", "dropoff_venue_id",
    "transport_company", "vehicle", "driver_phone", "dress_code", "wifi", "serves_food",
)  # fmt: skip
LINKS = ("participant_ids", "host_contact_ids")
ENUMS = {"kind": ItemKind, "status": ItemStatus, "host_confirmation": HostConfirmation}
LIMITS = {
    "title": TITLE, "description": LONG, "transport_company": NAME, "vehicle": NAME,
    "driver_phone": PHONE, "dress_code": TITLE, "wifi": TITLE,
}  # fmt: skip
"""The most characters each text field holds."""
MULTILINE = frozenset({"description"})
"""The text fields that may hold line breaks; the others are one line."""
REACH = timedelta(days=366)
"""How far from its delegation's dates an item may start (further is a typing mistake)."""


def validate(
    session: Session, delegation: Delegation, values: dict[str, Any], check: Checker
) -> None:
    check.texts(values, LIMITS, MULTILINE)
    check.required("title", values.get("title"))
    check.required("kind", values.get("kind"))
    check.enum("kind", values.get("kind"), ItemKind)
    check.enum("status", values.get("status"), ItemStatus)
    check.enum("host_confirmation", values.get("host_confirmation"), HostConfirmation)
    starts, ends = values.get("starts_at"), values.get("ends_at")
    check.required("starts_at", starts, "start time")
    check.required("ends_at", ends, "end time")
    starts, ends = check.aware("starts_at", starts), check.aware("ends_at", ends)
    if starts is not None and ends is not None:
        zone = delegation.timezone
        if ends < starts:
            check.add(
                "ends_at", f"ends {hhmm(ends, zone)}, before it starts at {hhmm(starts, zone)}"
            )
        elif ends == starts:
            check.add("ends_at", f"ends when it starts ({hhmm(starts, zone)}); give it a duration")
        elif ends - starts > timedelta(days=3):
            check.add("ends_at", "lasts more than three days; split it into several items")
    if starts is not None:
        _check_reach(delegation, starts, check)
    check_exists(session, check, "venue_id", Venue, values.get("venue_id"), "venue")
    check_exists(session, check, "dropoff_venue_id", Venue, values.get("dropoff_venue_id"), "venue")
    check_exists(
        session, check, "host_organisation_id", Organisation,
        values.get("host_organisation_id"), "organisation",
    )  # fmt: skip


def _check_reach(delegation: Delegation, starts: datetime, check: Checker) -> None:
    """An item starts within a year of its delegation's dates."""
    first, last = delegation.start_date, delegation.end_date
    if not (isinstance(first, date) and isinstance(last, date)):
        return
    zone = delegation.timezone if is_timezone(delegation.timezone) else "UTC"
    day = starts.astimezone(ZoneInfo(zone)).date()
    if not first - REACH <= day <= last + REACH:
        check.add(
            "starts_at",
            f"starts on {describe_day(day)}, more than a year away from the visit "
            f"({describe_day(first)} to {describe_day(last)})",
        )


def _participants(
    session: Session, delegation: Delegation, ids: Sequence[int], check: Checker
) -> list[Participation]:
    found = []
    for pid in ids:
        participation = session.get(Participation, pid)
        if participation is None or participation.delegation_id != delegation.id:
            check.add("participant_ids", f"attendee {pid} is not in this delegation")
        else:
            found.append(participation)
    return found


def _contacts(session: Session, ids: Sequence[int], check: Checker) -> list[Person]:
    found = []
    for pid in ids:
        person = session.get(Person, pid)
        if person is None:
            check.add("host_contact_ids", f"no person with id {pid}")
        else:
            found.append(person)
    return found


def _save(
    session: Session, item: AgendaItem, delegation: Delegation, fields: dict[str, Any]
) -> None:
    links = {k: fields.pop(k) for k in LINKS if k in fields}
    fields = clean(fields, FIELDS, "an agenda item")
    check = Checker()
    validate(session, delegation, merged(item if item.id else None, fields, FIELDS), check)
    participants = _participants(session, delegation, links.get("participant_ids") or [], check)
    contacts = _contacts(session, links.get("host_contact_ids") or [], check)
    everyone = fields.get("everyone", item.everyone)
    if everyone is False:
        chosen = participants if "participant_ids" in links else list(item.participants)
        if not chosen:
            check.add("participant_ids", "tick the attendees who take part, or tick Everyone")
    check.raise_if_any()
    apply(item, fields, ENUMS)
    if "participant_ids" in links:
        item.participants = participants
    if "host_contact_ids" in links:
        item.host_contacts = contacts
    if item.host_organisation_id is None and fields.get("host_confirmation") is None:
        item.host_confirmation = None


def create(session: Session, delegation_id: int, **fields: Any) -> AgendaItem:
    """Add an item. ``participant_ids`` (attendee ids) with ``everyone=False`` makes a subset."""
    delegation = get(session, Delegation, delegation_id, "delegation")
    item = AgendaItem()
    fields = dict(fields)
    if fields.get("serves_food") is None:
        fields["serves_food"] = serves_food_by_default(
            fields.get("kind"), fields.get("title") or ""
        )
    _save(session, item, delegation, fields)
    item.delegation = delegation
    session.add(item)
    session.flush()
    return item


def update(session: Session, item_id: int, **fields: Any) -> AgendaItem:
    item = get(session, AgendaItem, item_id, "agenda item")
    _save(session, item, item.delegation, dict(fields))
    session.flush()
    return item


def move(
    session: Session, item_id: int, starts_at: datetime, ends_at: datetime | None = None
) -> AgendaItem:
    """Move an item to start at ``starts_at``; keeps its duration unless ``ends_at`` is given."""
    item = get(session, AgendaItem, item_id, "agenda item")
    if ends_at is None:
        ends_at = starts_at + (item.ends_at - item.starts_at)
    return update(session, item_id, starts_at=starts_at, ends_at=ends_at)


def values(item: AgendaItem) -> dict[str, Any]:
    """Everything ``create`` needs to make the same item again (participant lists as ids)."""
    out: dict[str, Any] = {name: getattr(item, name) for name in FIELDS}
    out["participant_ids"] = [p.id for p in item.participants]
    out["host_contact_ids"] = [p.id for p in item.host_contacts]
    return out


def duplicate(session: Session, item_id: int, shift: timedelta | None = None) -> AgendaItem:
    """A copy of an item (new UUID, revision 0), shifted in time.

    By default the copy follows the item (starts when it ends), the way an
    officer adds the next slot of a series of B2B meetings.
    """
    item = get(session, AgendaItem, item_id, "agenda item")
    if shift is None:
        shift = item.ends_at - item.starts_at
    fields = {name: getattr(item, name) for name in FIELDS}
    fields["starts_at"] = item.starts_at + shift
    fields["ends_at"] = item.ends_at + shift
    fields["participant_ids"] = [p.id for p in item.participants]
    fields["host_contact_ids"] = [p.id for p in item.host_contacts]
    return create(session, item.delegation_id, **fields)


def delete(session: Session, item_id: int) -> None:
    item = get(session, AgendaItem, item_id, "agenda item")
    session.delete(item)
    session.flush()
