"""Organisations: hosts, sending bodies and partners."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import AgendaItem, Delegation, Organisation, OrganisationKind, Person, Venue
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
    "name", "acronym", "kind", "sectors", "country", "city",
    "address", "website", "email", "phone", "notes",
)  # fmt: skip
ENUMS = {"kind": OrganisationKind}


def validate(values: dict[str, Any], check: Checker) -> None:
    check.required("name", values.get("name"))
    check.max_length("name", values.get("name"), 200)
    check.enum("kind", values.get("kind"), OrganisationKind)
    check.email("email", values.get("email"))
    website = values.get("website") or ""
    if website and " " in website:
        check.add("website", f"'{website}' is not a web address")


def create(session: Session, **fields: Any) -> Organisation:
    return create_record(session, Organisation, "organisation", fields, FIELDS, validate, ENUMS)


def update(session: Session, organisation_id: int, **fields: Any) -> Organisation:
    return update_record(
        session, Organisation, organisation_id, "organisation", fields, FIELDS, validate, ENUMS
    )


def delete(session: Session, organisation_id: int) -> None:
    org = get(session, Organisation, organisation_id, "organisation")
    reasons = []
    people = session.scalars(select(Person).where(Person.organisation_id == org.id)).all()
    if people:
        reasons.append(
            f"{plural(len(people), 'person')} belong to it ({names(p.full_name for p in people)})"
        )
    venues = session.scalars(select(Venue).where(Venue.organisation_id == org.id)).all()
    if venues:
        reasons.append(
            f"{plural(len(venues), 'venue')} belong to it ({names(v.name for v in venues)})"
        )
    sending = session.scalars(
        select(Delegation).where(Delegation.sending_organisation_id == org.id)
    ).all()
    if sending:
        reasons.append(
            f"it sends {plural(len(sending), 'delegation')} ({names(d.title for d in sending)})"
        )
    hosted = session.scalars(
        select(AgendaItem).where(AgendaItem.host_organisation_id == org.id)
    ).all()
    if hosted:
        reasons.append(
            f"it hosts {plural(len(hosted), 'agenda item')} ({names(i.title for i in hosted)})"
        )
    refuse_delete(f"Organisation '{org.name}'", reasons)
    session.delete(org)
    session.flush()
