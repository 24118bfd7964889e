"""Light, read-only rows for screens' tables and pickers.

The tables show 10,000 people without a pause, so they read plain column tuples
rather than ORM objects (30 ms instead of 300 ms for 10,000 people). These
functions take the session of the screen's action, like the services do.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session

from delegations.model import (
    Delegation,
    Organisation,
    OrganisationKind,
    Person,
    Venue,
    fold,
)


@dataclass(frozen=True, slots=True)
class Choice:
    """An entry of a picker: the record's id and how people read it."""

    id: int
    label: str
    group: int | None = None


Ids = Collection[int] | None


def _only(query: Any, column: Any, ids: Ids) -> Any:
    return query if ids is None else query.filter(column.in_(list(ids)))


def people_rows(
    session: Session, ids: Ids = None, organisation_ids: Ids = None
) -> list[tuple[Any, ...]]:
    """(id, family name, given name, job title, organisation, e-mail, phone, search) per person.

    All people, or only those of ``ids`` and those of ``organisation_ids`` (the
    rows a change touched). The search text reuses the folded ``search_text``
    columns the database keeps (name, e-mail; organisation name, acronym, city),
    plus the folded job title.
    """
    query = (
        session.query(
            Person.id,
            Person.family_name,
            Person.given_name,
            Person.job_title,
            Organisation.name,
            Organisation.acronym,
            Person.email,
            Person.phone,
            Person.search_text,
            Organisation.search_text,
        )
        .outerjoin(Person.organisation)
        .order_by(Person.family_name, Person.given_name, Person.id)
    )
    if ids is not None or organisation_ids is not None:
        query = query.filter(
            or_(
                Person.id.in_(list(ids or ())),
                Person.organisation_id.in_(list(organisation_ids or ())),
            )
        )
    return [
        (
            pid,
            family,
            given,
            job,
            (f"{org} ({acr})" if acr else org) or "",
            email,
            phone,
            f"{own} {org_search or ''} {_fold(job)} {phone}",
        )
        for pid, family, given, job, org, acr, email, phone, own, org_search in query
    ]


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    return fold(text)


def organisation_rows(session: Session, ids: Ids = None) -> list[tuple[Any, ...]]:
    """(id, name, acronym, kind label, city, country) per organisation (or those of ``ids``)."""
    query = session.query(
        Organisation.id,
        Organisation.name,
        Organisation.acronym,
        Organisation.kind,
        Organisation.city,
        Organisation.country,
    ).order_by(Organisation.name, Organisation.id)
    query = _only(query, Organisation.id, ids)
    return [
        (oid, name, acronym, OrganisationKind(kind).label, city, country)
        for oid, name, acronym, kind, city, country in query
    ]


def venue_rows(
    session: Session, ids: Ids = None, organisation_ids: Ids = None
) -> list[tuple[Any, ...]]:
    """(id, name, address, city, country, organisation) per venue (or those touched)."""
    query = (
        session.query(
            Venue.id, Venue.name, Venue.address, Venue.city, Venue.country, Organisation.name
        )
        .outerjoin(Venue.organisation)
        .order_by(Venue.name, Venue.id)
    )
    if ids is not None or organisation_ids is not None:
        query = query.filter(
            or_(
                Venue.id.in_(list(ids or ())),
                Venue.organisation_id.in_(list(organisation_ids or ())),
            )
        )
    return [(vid, n, a, c, co, org or "") for vid, n, a, c, co, org in query]


def organisation_choices(session: Session) -> list[Choice]:
    query = session.query(Organisation.id, Organisation.name, Organisation.acronym).order_by(
        Organisation.name
    )
    return [Choice(i, f"{n} ({a})" if a else n) for i, n, a in query]


def venue_choices(session: Session) -> list[Choice]:
    query = session.query(Venue.id, Venue.name, Venue.city, Venue.organisation_id).order_by(
        Venue.name
    )
    return [Choice(i, f"{n}, {c}" if c else n, org) for i, n, c, org in query]


def person_choices(session: Session, organisation_id: int | None = None) -> list[Choice]:
    """People by family name; only one organisation's when ``organisation_id`` is given."""
    query = session.query(
        Person.id, Person.given_name, Person.family_name, Person.organisation_id
    ).order_by(Person.family_name, Person.given_name)
    if organisation_id is not None:
        query = query.filter(Person.organisation_id == organisation_id)
    return [Choice(i, f"{f}, {g}", org) for i, g, f, org in query]


def is_empty(session: Session) -> bool:
    """Whether the database holds no delegation and no person yet."""
    return session.query(Delegation.id).first() is None and session.query(Person.id).first() is None
