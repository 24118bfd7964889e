"""Venues: the places where agenda items happen."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import AgendaItem, Organisation, Venue
from delegations.services.base import (
    check_exists,
    create_record,
    get,
    reason,
    refusal_text,
    refuse_delete,
    update_record,
)
from delegations.services.validation import Checker

FIELDS = (
    "name", "address", "postcode", "city", "country", "latitude", "longitude",
    "access_notes", "organisation_id",
)  # fmt: skip


def validate(session: Session, values: dict[str, Any], check: Checker) -> None:
    check.required("name", values.get("name"))
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is not None and not (isinstance(lat, int | float) and -90 <= lat <= 90):
        check.add("latitude", f"latitude {lat} is not between -90 and 90")
    if lon is not None and not (isinstance(lon, int | float) and -180 <= lon <= 180):
        check.add("longitude", f"longitude {lon} is not between -180 and 180")
    if (lat is None) != (lon is None):
        check.add(
            "latitude" if lat is None else "longitude",
            "give both latitude and longitude, or neither",
        )
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


def refusal(session: Session, venue_id: int) -> str | None:
    """Why the venue cannot be deleted (items take place there), or None."""
    venue = get(session, Venue, venue_id, "venue")
    items = session.scalars(select(AgendaItem).where(AgendaItem.venue_id == venue.id)).all()
    reasons = reason("{count} take place there", items, "agenda item", lambda i: i.title)
    return refusal_text(f"Venue '{venue.name}'", reasons)


def delete(session: Session, venue_id: int) -> None:
    refuse_delete(refusal(session, venue_id))
    session.delete(get(session, Venue, venue_id, "venue"))
    session.flush()
