"""Light, read-only rows for screens' tables and pickers.

The tables show 10,000 people without a pause, so they read plain column tuples
rather than ORM objects (30 ms instead of 300 ms for 10,000 people). These
functions take the session of the screen's action, like the services do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from delegations.model import (
    Delegation,
    Organisation,
    OrganisationKind,
    Participation,
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


def people_rows(session: Session) -> list[tuple[Any, ...]]:
    """(id, family name, given name, job title, organisation, e-mail, phone, search) per person.

    The search text reuses the folded ``search_text`` columns the database keeps
    (name, e-mail; organisation name, acronym, city), plus the folded job title.
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


def organisation_rows(session: Session) -> list[tuple[Any, ...]]:
    """(id, name, acronym, kind label, city, country) per organisation."""
    query = session.query(
        Organisation.id,
        Organisation.name,
        Organisation.acronym,
        Organisation.kind,
        Organisation.city,
        Organisation.country,
    ).order_by(Organisation.name, Organisation.id)
    return [
        (oid, name, acronym, OrganisationKind(kind).label, city, country)
        for oid, name, acronym, kind, city, country in query
    ]


def venue_rows(session: Session) -> list[tuple[Any, ...]]:
    """(id, name, address, city, country, organisation) per venue."""
    query = (
        session.query(
            Venue.id, Venue.name, Venue.address, Venue.city, Venue.country, Organisation.name
        )
        .outerjoin(Venue.organisation)
        .order_by(Venue.name, Venue.id)
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


def record_values(
    session: Session, model: type[Any], record_id: int, fields: tuple[str, ...]
) -> dict[str, Any]:
    """The current values of ``fields`` of one record (for editing and for undo)."""
    obj = session.get(model, record_id)
    if obj is None:
        from delegations.services import NotFound

        raise NotFound(f"no {model.__name__.lower()} with id {record_id}")
    return {name: getattr(obj, name) for name in fields}


def record_uuid(session: Session, model: type[Any], record_id: int) -> str | None:
    obj = session.get(model, record_id)
    return None if obj is None else str(obj.uuid)


def set_uuid(session: Session, obj: Any, uuid: str | None) -> None:
    """Give a re-created record the UUID it had (calendars and packages key on it)."""
    if uuid:
        obj.uuid = uuid
        session.flush()


def is_empty(session: Session) -> bool:
    """Whether the database holds no delegation and no person yet."""
    return session.query(Delegation.id).first() is None and session.query(Person.id).first() is None


def subset_items(session: Session, participation_id: int) -> list[int]:
    """Ids of the agenda items that list this attendee in their subset."""
    from delegations.model import AgendaItem

    query = session.query(AgendaItem.id).filter(
        AgendaItem.participants.any(Participation.id == participation_id)
    )
    return [item_id for (item_id,) in query]


def item_participant_ids(session: Session, item_id: int) -> list[int]:
    from delegations.model import AgendaItem

    item = session.get(AgendaItem, item_id)
    return [] if item is None else [p.id for p in item.participants]
