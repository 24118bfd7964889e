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
    create_record,
    get,
    names,
    plural,
    refuse_delete,
    update_record,
)
from delegations.services.validation import Checker

FIELDS = (
    "given_name", "family_name", "job_title", "organisation_id", "email", "phone",
    "languages", "dietary_needs", "accessibility_needs", "consent_data",
    "consent_photos", "notes",
)  # fmt: skip


def validate(session: Session, values: dict[str, Any], check: Checker) -> None:
    check.required("given_name", values.get("given_name"), "given name")
    check.required("family_name", values.get("family_name"), "family name")
    check.max_length("given_name", values.get("given_name"), 120)
    check.max_length("family_name", values.get("family_name"), 120)
    check.email("email", values.get("email"))
    org_id = values.get("organisation_id")
    if org_id is not None and session.get(Organisation, org_id) is None:
        check.add("organisation_id", f"no organisation with id {org_id}")


def create(session: Session, **fields: Any) -> Person:
    return create_record(session, Person, "person", fields, FIELDS, partial(validate, session))


def update(session: Session, person_id: int, **fields: Any) -> Person:
    return update_record(
        session, Person, person_id, "person", fields, FIELDS, partial(validate, session)
    )


def delete(session: Session, person_id: int) -> None:
    person = get(session, Person, person_id, "person")
    reasons = []
    delegations = session.scalars(
        select(Delegation).join(Participation).where(Participation.person_id == person.id)
    ).all()
    if delegations:
        reasons.append(
            f"attends {plural(len(delegations), 'delegation')} ({names(d.title for d in delegations)})"
        )
    led = session.scalars(select(Delegation).where(Delegation.lead_officer_id == person.id)).all()
    if led:
        reasons.append(f"leads {plural(len(led), 'delegation')} ({names(d.title for d in led)})")
    hosting = session.scalars(
        select(AgendaItem)
        .join(item_host_contacts)
        .where(item_host_contacts.c.person_id == person.id)
    ).all()
    if hosting:
        reasons.append(
            f"is the host contact of {plural(len(hosting), 'agenda item')} "
            f"({names(i.title for i in hosting)})"
        )
    refuse_delete(f"{person.full_name}", reasons)
    session.delete(person)
    session.flush()
