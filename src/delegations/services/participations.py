"""Attendees of a delegation: role, status, travel and hotel."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import (
    Delegation,
    Participation,
    ParticipationStatus,
    Person,
    Role,
    TravelDirection,
    TravelLeg,
    TravelMode,
)
from delegations.services.base import apply, clean, get, merged
from delegations.services.validation import (
    CARRIER,
    LONG,
    NAME,
    PHONE,
    SERVICE_NUMBER,
    SHORT,
    TITLE,
    ZONE_MAX,
    Checker,
    describe_day,
    hhmm,
    is_timezone,
)

FIELDS = (
    "role", "status", "badge_name", "hotel", "hotel_address", "hotel_phone",
    "booking_reference", "room_type", "room_sharing", "check_in", "check_out",
    "room_notes", "notes",
)  # fmt: skip
ENUMS = {"role": Role, "status": ParticipationStatus}
REFERENCE = 60
"""A booking reference or a room type."""
LIMITS = {
    "badge_name": NAME, "hotel": TITLE, "hotel_address": SHORT, "hotel_phone": PHONE,
    "booking_reference": REFERENCE, "room_type": REFERENCE, "room_sharing": TITLE,
    "room_notes": SHORT,
    "notes": LONG,
}  # fmt: skip
"""The most characters each text field holds."""
MULTILINE = frozenset({"notes"})
"""The text fields that may hold line breaks; the others are one line."""
TRAVEL_FIELDS = (
    "mode", "carrier", "number", "origin", "origin_timezone", "departs_at",
    "destination", "destination_timezone", "arrives_at", "notes",
)  # fmt: skip
TRAVEL_ENUMS = {"mode": TravelMode}
TRAVEL_LIMITS = {
    "carrier": CARRIER, "number": SERVICE_NUMBER, "origin": NAME,
    "origin_timezone": ZONE_MAX, "destination": NAME, "destination_timezone": ZONE_MAX,
    "notes": SHORT,
}  # fmt: skip
"""The most characters each text field of a journey holds (all one line)."""


def validate(values: dict[str, Any], check: Checker) -> None:
    check.enum("role", values.get("role"), Role)
    check.enum("status", values.get("status"), ParticipationStatus)
    check.texts(values, LIMITS, MULTILINE)
    check_in, check_out = values.get("check_in"), values.get("check_out")
    ok = check.day("check_in", check_in) & check.day("check_out", check_out)
    if ok and check_in and check_out and check_out <= check_in:
        check.add(
            "check_out",
            f"checks out on {describe_day(check_out)}, not after checking in on "
            f"{describe_day(check_in)}",
        )


def add(session: Session, delegation_id: int, person_id: int, **fields: Any) -> Participation:
    """Add a person to a delegation."""
    delegation = get(session, Delegation, delegation_id, "delegation")
    person = get(session, Person, person_id, "person")
    fields = clean(fields, FIELDS, "an attendee")
    check = Checker()
    validate(merged(None, fields, FIELDS), check)
    existing = session.scalar(
        select(Participation).where(
            Participation.delegation_id == delegation.id, Participation.person_id == person.id
        )
    )
    if existing is not None:
        check.add("person_id", f"{person.full_name} is already in this delegation")
    check.raise_if_any()
    participation = Participation(delegation=delegation, person=person)
    apply(participation, fields, ENUMS)
    session.add(participation)
    session.flush()
    return participation


def update(session: Session, participation_id: int, **fields: Any) -> Participation:
    participation = get(session, Participation, participation_id, "attendee")
    fields = clean(fields, FIELDS, "an attendee")
    check = Checker()
    validate(merged(participation, fields, FIELDS), check)
    check.raise_if_any()
    apply(participation, fields, ENUMS)
    session.flush()
    return participation


def update_many(
    session: Session, participation_ids: Iterable[int], **fields: Any
) -> list[Participation]:
    """Change several attendees at once (e.g. status or hotel); all or nothing."""
    return [update(session, pid, **fields) for pid in participation_ids]


def remove(session: Session, participation_id: int) -> None:
    participation = get(session, Participation, participation_id, "attendee")
    session.delete(participation)
    session.flush()


def validate_travel(values: dict[str, Any], check: Checker) -> None:
    check.texts(values, TRAVEL_LIMITS)
    check.enum("mode", values.get("mode"), TravelMode)
    for place in ("origin", "destination"):
        check.required(place, values.get(place))
        check.timezone(f"{place}_timezone", values.get(f"{place}_timezone"))
    departs, arrives = values.get("departs_at"), values.get("arrives_at")
    check.required("departs_at", departs, "departure time")
    check.required("arrives_at", arrives, "arrival time")
    departs, arrives = check.aware("departs_at", departs), check.aware("arrives_at", arrives)
    if departs is not None and arrives is not None and arrives <= departs:
        zone = values.get("destination_timezone") or "UTC"
        zone = zone if is_timezone(zone) else "UTC"
        check.add(
            "arrives_at",
            f"arrives {hhmm(arrives, zone)}, before it departs at {hhmm(departs, zone)} "
            f"({zone} time)",
        )


def set_travel(
    session: Session, participation_id: int, direction: TravelDirection | str, **fields: Any
) -> TravelLeg:
    """Create or replace an attendee's arrival or departure journey."""
    participation = get(session, Participation, participation_id, "attendee")
    direction = TravelDirection(direction)
    fields = clean(fields, TRAVEL_FIELDS, "a journey")
    leg = participation.leg(direction)
    check = Checker(prefix=f"{direction.value}.")
    validate_travel(merged(leg, fields, TRAVEL_FIELDS), check)
    check.raise_if_any()
    if leg is None:
        leg = TravelLeg(direction=direction)
        participation.travel.append(leg)
    apply(leg, fields, TRAVEL_ENUMS)
    session.flush()
    return leg


def clear_travel(session: Session, participation_id: int, direction: TravelDirection | str) -> None:
    participation = get(session, Participation, participation_id, "attendee")
    leg = participation.leg(TravelDirection(direction))
    if leg is not None:
        participation.travel.remove(leg)
        session.flush()


def leg_values(leg: TravelLeg | None) -> dict[str, Any] | None:
    """A journey's fields, or None when there is none."""
    if leg is None:
        return None
    return {name: getattr(leg, name) for name in TRAVEL_FIELDS}


def default_leg(delegation: Delegation, direction: TravelDirection | str) -> dict[str, Any]:
    """A plausible journey to start from: by train into the destination on the first
    day (08:00-10:00), or out of it on the last day (17:00-19:00), in its time zone."""
    direction = TravelDirection(direction)
    zone = delegation.timezone
    place = delegation.destination_city
    if direction == TravelDirection.ARRIVAL:
        day, hour = delegation.start_date, 8
        origin, destination = "", place
    else:
        day, hour = delegation.end_date, 17
        origin, destination = place, ""
    start = datetime.combine(day, time(hour)).replace(tzinfo=ZoneInfo(zone))
    return {
        "mode": TravelMode.TRAIN,
        "carrier": "",
        "number": "",
        "origin": origin,
        "origin_timezone": zone,
        "departs_at": start,
        "destination": destination,
        "destination_timezone": zone,
        "arrives_at": start + timedelta(hours=2),
        "notes": "",
    }
