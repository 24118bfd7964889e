"""People: attendees, hosts' contacts, officers."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import (
    AgendaItem,
    Delegation,
    Organisation,
    Participation,
    Person,
    item_host_contacts,
)
from delegations.services.base import (
    check_exists,
    create_record,
    get,
    reason,
    refusal_text,
    refuse_delete,
    update_record,
)
from delegations.services.validation import (
    EMAIL_MAX,
    LONG,
    NAME,
    PHONE,
    SHORT,
    TITLE,
    Checker,
)

FIELDS = (
    "given_name", "family_name", "job_title", "organisation_id", "email", "phone",
    "languages", "dietary_needs", "accessibility_needs", "consent_data",
    "consent_photos", "notes",
)  # fmt: skip
LIMITS = {
    "given_name": NAME, "family_name": NAME, "job_title": TITLE, "email": EMAIL_MAX,
    "phone": PHONE, "languages": NAME, "dietary_needs": SHORT,
    "accessibility_needs": SHORT, "notes": LONG,
}  # fmt: skip
"""The most characters each text field holds."""
MULTILINE = frozenset({"notes"})
"""The text fields that may hold line breaks; the others are one line."""


def validate(session: Session, values: dict[str, Any], check: Checker) -> None:
    check.texts(values, LIMITS, MULTILINE)
    check.required("given_name", values.get("given_name"), "given name")
    check.required("family_name", values.get("family_name"), "family name")
    for flag in ("consent_data", "consent_photos"):
        check.instance(flag, values.get(flag), bool, "yes or no")
    check.email("email", values.get("email"))
    check_exists(
        session,
        check,
        "organisation_id",
        Organisation,
        values.get("organisation_id"),
        "organisation",
    )


def create(session: Session, **fields: Any) -> Person:
    return create_record(session, Person, "person", fields, FIELDS, partial(validate, session))


def update(session: Session, person_id: int, **fields: Any) -> Person:
    return update_record(
        session, Person, person_id, "person", fields, FIELDS, partial(validate, session)
    )


def refusal(session: Session, person_id: int) -> str | None:
    """Why the person cannot be deleted (what they attend, lead or host), or None."""
    person = get(session, Person, person_id, "person")
    attends = session.scalars(
        select(Delegation).join(Participation).where(Participation.person_id == person.id)
    ).all()
    led = session.scalars(select(Delegation).where(Delegation.lead_officer_id == person.id)).all()
    hosting = session.scalars(
        select(AgendaItem)
        .join(item_host_contacts)
        .where(item_host_contacts.c.person_id == person.id)
    ).all()
    reasons = [
        *reason("attends {count}", attends, "delegation", lambda d: d.title),
        *reason("leads {count}", led, "delegation", lambda d: d.title),
        *reason("is the host contact of {count}", hosting, "agenda item", lambda i: i.title),
    ]
    return refusal_text(person.full_name, reasons)


def delete(session: Session, person_id: int) -> None:
    refuse_delete(refusal(session, person_id))
    session.delete(get(session, Person, person_id, "person"))
    session.flush()
