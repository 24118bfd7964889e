"""Venues: the places where agenda items happen."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from delegations.model import AgendaItem, Organisation, Venue, VenueTravelTime
from delegations.services.base import (
    check_exists,
    create_record,
    get,
    reason,
    refusal_text,
    refuse_delete,
    update_record,
)
from delegations.services.validation import COUNTRY, LONG, NAME, POSTCODE, SHORT, TITLE, Checker

FIELDS = (
    "name", "address", "postcode", "city", "country", "latitude", "longitude",
    "access_notes", "organisation_id", "capacity",
)  # fmt: skip
CAPACITY_MAX = 100_000
"""The most people a venue is said to hold (a stadium); more is a typing mistake."""
LIMITS = {
    "name": TITLE, "address": SHORT, "postcode": POSTCODE, "city": NAME,
    "country": COUNTRY, "access_notes": LONG,
}  # fmt: skip
"""The most characters each text field holds."""
MULTILINE = frozenset({"access_notes"})
"""The text fields that may hold line breaks; the others are one line."""


def _coordinate(value: Any, bound: int) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and -bound <= value <= bound
    )


def validate(session: Session, values: dict[str, Any], check: Checker) -> None:
    check.texts(values, LIMITS, MULTILINE)
    check.required("name", values.get("name"))
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is not None and not _coordinate(lat, 90):
        check.add("latitude", "is not a latitude between -90 and 90")
    if lon is not None and not _coordinate(lon, 180):
        check.add("longitude", "is not a longitude between -180 and 180")
    if (lat is None) != (lon is None):
        check.add(
            "latitude" if lat is None else "longitude",
            "give both latitude and longitude, or neither",
        )
    capacity = values.get("capacity")
    if capacity is not None and not (type(capacity) is int and 1 <= capacity <= CAPACITY_MAX):
        check.add("capacity", f"is not a whole number of people from 1 to {CAPACITY_MAX:,}")
    check_exists(
        session,
        check,
        "organisation_id",
        Organisation,
        values.get("organisation_id"),
        "organisation",
    )


def create(session: Session, **fields: Any) -> Venue:
    return create_record(session, Venue, "venue", fields, FIELDS, partial(validate, session))


def update(session: Session, venue_id: int, **fields: Any) -> Venue:
    return update_record(
        session, Venue, venue_id, "venue", fields, FIELDS, partial(validate, session)
    )


MINUTES_MAX = 24 * 60
"""The longest way between two venues (a day)."""


def set_travel_time(
    session: Session, from_venue_id: int, to_venue_id: int, minutes: int | None
) -> int | None:
    """Say how long the way from one venue to another takes (None: forget it).

    The plan checks use it instead of the distance; the way back takes the same
    unless it is given too.
    """
    check = Checker()
    for field, venue_id in (("from_venue_id", from_venue_id), ("to_venue_id", to_venue_id)):
        check_exists(session, check, field, Venue, venue_id, "venue")
    if from_venue_id == to_venue_id:
        check.add("to_venue_id", "choose two different venues")
    if minutes is not None and not (type(minutes) is int and 0 <= minutes <= MINUTES_MAX):
        check.add("minutes", f"is not a whole number of minutes from 0 to {MINUTES_MAX:,}")
    check.raise_if_any()
    row = session.get(VenueTravelTime, (from_venue_id, to_venue_id))
    if minutes is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            VenueTravelTime(from_venue_id=from_venue_id, to_venue_id=to_venue_id, minutes=minutes)
        )
    elif row.minutes != minutes:
        row.minutes = minutes
    session.flush()
    return minutes


def refusal(session: Session, venue_id: int) -> str | None:
    """Why the venue cannot be deleted (items take place there), or None."""
    venue = get(session, Venue, venue_id, "venue")
    items = session.scalars(
        select(AgendaItem).where(
            or_(AgendaItem.venue_id == venue.id, AgendaItem.dropoff_venue_id == venue.id)
        )
    ).all()
    reasons = reason("{count} take place there", items, "agenda item", lambda i: i.title)
    return refusal_text(f"Venue '{venue.name}'", reasons)


def delete(session: Session, venue_id: int) -> None:
    refuse_delete(refusal(session, venue_id))
    session.delete(get(session, Venue, venue_id, "venue"))
    session.flush()
