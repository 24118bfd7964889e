"""Light, read-only rows for screens' tables and pickers.

The tables show 10,000 people without a pause, so they read plain column tuples
rather than ORM objects (30 ms instead of 300 ms for 10,000 people). These
functions take the session of the screen's action, like the services do.

Every list comes in the order people expect: by name ignoring case and accents
("Ørestad" among the O's, "zeta" beside "Zeta"), which SQLite's binary order is
not, so rows are sorted here on folded text (``name_key``).
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
    rows a change touched), by family then given name ignoring case and accents. The search text reuses the folded ``search_text``
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
    rows = [
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
    rows.sort(key=lambda r: (name_key(r[1]), name_key(r[2]), r[0]))
    return rows


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    return fold(text)


def name_key(text: str | None) -> str:
    """How a name sorts: ignoring case and accents (``fold``), fast for plain ASCII."""
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.casefold().split())
    return _fold(text)


def organisation_rows(session: Session, ids: Ids = None) -> list[tuple[Any, ...]]:
    """(id, name, acronym, kind label, city, country) per organisation (or those of
    ``ids``), by name ignoring case and accents."""
    query = session.query(
        Organisation.id,
        Organisation.name,
        Organisation.acronym,
        Organisation.kind,
        Organisation.city,
        Organisation.country,
    ).order_by(Organisation.name, Organisation.id)
    query = _only(query, Organisation.id, ids)
    rows = [
        (oid, name, acronym, OrganisationKind(kind).label, city, country)
        for oid, name, acronym, kind, city, country in query
    ]
    rows.sort(key=lambda r: (name_key(r[1]), r[0]))
    return rows


def venue_rows(
    session: Session, ids: Ids = None, organisation_ids: Ids = None
) -> list[tuple[Any, ...]]:
    """(id, name, address, city, country, organisation) per venue (or those touched),
    by name ignoring case and accents."""
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
    rows = [(vid, n, a, c, co, org or "") for vid, n, a, c, co, org in query]
    rows.sort(key=lambda r: (name_key(r[1]), r[0]))
    return rows


def organisation_choices(session: Session) -> list[Choice]:
    query = session.query(Organisation.id, Organisation.name, Organisation.acronym).order_by(
        Organisation.name
    )
    choices = [Choice(i, f"{n} ({a})" if a else n) for i, n, a in query]
    return sorted(choices, key=lambda c: (name_key(c.label), c.id))


def venue_choices(session: Session) -> list[Choice]:
    query = session.query(Venue.id, Venue.name, Venue.city, Venue.organisation_id).order_by(
        Venue.name
    )
    choices = [Choice(i, f"{n}, {c}" if c else n, org) for i, n, c, org in query]
    return sorted(choices, key=lambda c: (name_key(c.label), c.id))


def person_choices(session: Session, organisation_id: int | None = None) -> list[Choice]:
    """People by family then given name (ignoring case and accents); only one
    organisation's when ``organisation_id`` is given."""
    query = session.query(
        Person.id, Person.given_name, Person.family_name, Person.organisation_id
    ).order_by(Person.family_name, Person.given_name)
    if organisation_id is not None:
        query = query.filter(Person.organisation_id == organisation_id)
    ordered = sorted(query, key=lambda r: (name_key(r[2]), name_key(r[1]), r[0]))
    return [Choice(i, f"{f}, {g}", org) for i, g, f, org in ordered]


def is_empty(session: Session) -> bool:
    """Whether the database holds no delegation and no person yet."""
    return session.query(Delegation.id).first() is None and session.query(Person.id).first() is None
