"""Organisations: hosts, sending bodies and partners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import AgendaItem, Delegation, Organisation, OrganisationKind, Person, Venue
from delegations.services.availability import (
    closed_dates_problem,
    opening_hours_problem,
    region_problem,
)
from delegations.services.base import (
    create_record,
    get,
    reason,
    refusal_text,
    refuse_delete,
    update_record,
)
from delegations.services.validation import (
    ACRONYM,
    COUNTRY,
    EMAIL_MAX,
    LONG,
    NAME,
    PHONE,
    SHORT,
    TITLE,
    Checker,
)

FIELDS = (
    "name", "acronym", "short_name", "kind", "sectors", "country", "city",
    "address", "website", "email", "phone", "notes",
    "region", "opening_hours", "closed_dates",
)  # fmt: skip
ENUMS = {"kind": OrganisationKind}
SHORT_NAME = 60
"""A short name for badges."""
REGION = 10
"""A region (subdivision) code: "CT", "NW", "57"."""
CLOSED_DATES = 1_000
"""Closed dates: about fifty dates or ranges."""
LIMITS = {
    "name": TITLE, "acronym": ACRONYM, "short_name": SHORT_NAME, "sectors": SHORT, "country": COUNTRY, "city": NAME,
    "address": SHORT, "website": SHORT, "email": EMAIL_MAX, "phone": PHONE, "notes": LONG,
    "region": REGION, "opening_hours": SHORT, "closed_dates": CLOSED_DATES,
}  # fmt: skip
"""The most characters each text field holds."""
MULTILINE = frozenset({"notes"})
"""The text fields that may hold line breaks; the others are one line."""


def validate(values: dict[str, Any], check: Checker) -> None:
    check.texts(values, LIMITS, MULTILINE)
    check.required("name", values.get("name"))
    check.enum("kind", values.get("kind"), OrganisationKind)
    check.email("email", values.get("email"))
    website = values.get("website") or ""
    if website and " " in website:
        check.add("website", "is not a web address (it holds a space)")
    _availability(values, check)


def _availability(values: dict[str, Any], check: Checker) -> None:
    """Region, opening hours and closed dates must read as the plan checks read them."""
    country = values.get("country")
    readers: dict[str, Callable[[str], str | None]] = {
        "region": lambda text: region_problem(text, country if isinstance(country, str) else ""),
        "opening_hours": opening_hours_problem,
        "closed_dates": closed_dates_problem,
    }
    for field, problem in readers.items():
        value = values.get(field)
        if isinstance(value, str) and f"{check.prefix}{field}" not in check.errors:
            message = problem(value)
            if message:
                check.add(field, message)


def create(session: Session, **fields: Any) -> Organisation:
    return create_record(session, Organisation, "organisation", fields, FIELDS, validate, ENUMS)


def update(session: Session, organisation_id: int, **fields: Any) -> Organisation:
    return update_record(
        session, Organisation, organisation_id, "organisation", fields, FIELDS, validate, ENUMS
    )


def refusal(session: Session, organisation_id: int) -> str | None:
    """Why the organisation cannot be deleted (who refers to it), or None."""
    org = get(session, Organisation, organisation_id, "organisation")
    where = Organisation.id == org.id
    people = session.scalars(select(Person).join(Person.organisation).where(where)).all()
    venues = session.scalars(select(Venue).join(Venue.organisation).where(where)).all()
    sending = session.scalars(
        select(Delegation).where(Delegation.sending_organisation_id == org.id)
    ).all()
    hosted = session.scalars(
        select(AgendaItem).where(AgendaItem.host_organisation_id == org.id)
    ).all()
    reasons = [
        *reason("{count} belong to it", people, "person", lambda p: p.full_name),
        *reason("{count} belong to it", venues, "venue", lambda v: v.name),
        *reason("it sends {count}", sending, "delegation", lambda d: d.title),
        *reason("it hosts {count}", hosted, "agenda item", lambda i: i.title),
    ]
    return refusal_text(f"Organisation '{org.name}'", reasons)


def delete(session: Session, organisation_id: int) -> None:
    refuse_delete(refusal(session, organisation_id))
    session.delete(get(session, Organisation, organisation_id, "organisation"))
    session.flush()
