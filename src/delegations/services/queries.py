"""What screens and exports read: loaded in a fixed number of SQL statements."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from delegations.model import (
    AgendaItem,
    Delegation,
    DelegationStatus,
    Organisation,
    Participation,
    Person,
    Venue,
    fold,
    item_participants,
)
from delegations.model.text import as_id
from delegations.services.errors import Ambiguous, NotFound


def _delegation_loader() -> Select[Delegation]:
    item = selectinload(Delegation.items)
    return select(Delegation).options(
        joinedload(Delegation.sending_organisation),
        joinedload(Delegation.lead_officer).joinedload(Person.organisation),
        selectinload(Delegation.participations)
        .joinedload(Participation.person)
        .joinedload(Person.organisation),
        selectinload(Delegation.participations).selectinload(Participation.travel),
        item.joinedload(AgendaItem.venue).joinedload(Venue.organisation),
        item.joinedload(AgendaItem.dropoff_venue).joinedload(Venue.organisation),
        item.joinedload(AgendaItem.host),
        item.selectinload(AgendaItem.host_contacts).joinedload(Person.organisation),
        item.selectinload(AgendaItem.participants),
        # Anything not loaded above raises instead of loading lazily, so code that
        # reads past the graph fails in a test rather than on a detached object.
        raiseload("*"),
    )


def load_delegation(session: Session, delegation_id: int) -> Delegation:
    """One delegation with attendees, travel, items, venues, hosts and contacts loaded.

    Six SELECT statements, whatever the delegation's size; the result can be
    used after the session closes.
    """
    delegation = (
        session.scalars(_delegation_loader().where(Delegation.id == delegation_id))
        .unique()
        .one_or_none()
    )
    if delegation is None:
        raise NotFound(f"no delegation with id {delegation_id}")
    # Back-references are known without SQL; set them so detached use works.
    for item in delegation.items:
        set_committed_value(item, "delegation", delegation)
    for participation in delegation.participations:
        set_committed_value(participation, "delegation", delegation)
        for leg in participation.travel:
            set_committed_value(leg, "participation", participation)
    return delegation


@dataclass(frozen=True)
class DelegationRow:
    """A line of the delegations list."""

    id: int
    title: str
    destination_city: str
    start_date: date
    end_date: date
    status: DelegationStatus
    attendees: int
    items: int


def list_delegations(session: Session, ids: Collection[int] | None = None) -> list[DelegationRow]:
    """Every delegation (or those of ``ids``) with its counts: latest start first,
    then by title ignoring case and accents."""
    attendees = (
        select(Participation.delegation_id, func.count().label("n"))
        .group_by(Participation.delegation_id)
        .subquery()
    )
    items = (
        select(AgendaItem.delegation_id, func.count().label("n"))
        .group_by(AgendaItem.delegation_id)
        .subquery()
    )
    query = (
        select(
            Delegation.id,
            Delegation.title,
            Delegation.destination_city,
            Delegation.start_date,
            Delegation.end_date,
            Delegation.status,
            func.coalesce(attendees.c.n, 0),
            func.coalesce(items.c.n, 0),
        )
        .outerjoin(attendees, attendees.c.delegation_id == Delegation.id)
        .outerjoin(items, items.c.delegation_id == Delegation.id)
        .order_by(Delegation.start_date.desc(), Delegation.title, Delegation.id)
    )
    if ids is not None:
        query = query.where(Delegation.id.in_(list(ids)))
    rows = [DelegationRow(*row) for row in session.execute(query).all()]
    rows.sort(key=lambda r: (-r.start_date.toordinal(), fold(r.title), r.id))
    return rows


def items_for_person(session: Session, delegation_id: int, person_id: int) -> list[AgendaItem]:
    """The items one attendee takes part in (everyone-items and their subsets)."""
    participation = session.scalar(
        select(Participation).where(
            Participation.delegation_id == delegation_id, Participation.person_id == person_id
        )
    )
    if participation is None:
        raise NotFound(f"person {person_id} is not in delegation {delegation_id}")
    if not participation.status.attending:
        return []
    subset = select(item_participants.c.agenda_item_id).where(
        item_participants.c.participation_id == participation.id
    )
    return list(
        session.scalars(
            select(AgendaItem)
            .where(
                AgendaItem.delegation_id == delegation_id,
                or_(AgendaItem.everyone.is_(True), AgendaItem.id.in_(subset)),
            )
            .order_by(AgendaItem.starts_at, AgendaItem.id)
        )
    )


def items_hosted_by(
    session: Session, organisation_id: int, delegation_id: int | None = None
) -> list[AgendaItem]:
    query = select(AgendaItem).where(AgendaItem.host_organisation_id == organisation_id)
    if delegation_id is not None:
        query = query.where(AgendaItem.delegation_id == delegation_id)
    return list(session.scalars(query.order_by(AgendaItem.starts_at, AgendaItem.id)))


def search_people(session: Session, text: str, limit: int | None = 200) -> list[Person]:
    """People whose name, e-mail or organisation contains every word of ``text``.

    Ignores case and accents: ``jose`` finds ``José``. By family then given name,
    also ignoring case and accents (the first ``limit`` in that order).
    """
    conditions = [
        or_(
            Person.search_text.like(pattern, escape="\\"),
            Organisation.search_text.like(pattern, escape="\\"),
        )
        for pattern in (f"%{_escape(word)}%" for word in fold(text).split())
    ]
    with_organisation = joinedload(Person.organisation)
    if limit is None:
        everyone = session.scalars(
            select(Person)
            .outerjoin(Person.organisation)
            .where(*conditions)
            .options(with_organisation)
        )
        return sorted(everyone, key=lambda p: (fold(p.family_name), fold(p.given_name), p.id))
    # Order the names in Python (SQL's order is binary), then load only the first ones.
    names = session.execute(
        select(Person.id, Person.family_name, Person.given_name)
        .outerjoin(Person.organisation)
        .where(*conditions)
    )
    first = sorted(names, key=lambda r: (fold(r[1]), fold(r[2]), r[0]))[:limit]
    ids = [r[0] for r in first]
    loaded = session.scalars(select(Person).where(Person.id.in_(ids)).options(with_organisation))
    by_id = {p.id: p for p in loaded}
    return [by_id[i] for i in ids]


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


R = TypeVar("R", Delegation, Person, Organisation)


def _find(
    session: Session,
    model: type[R],
    ref: str,
    what: str,
    label: Callable[[R], str],
    columns: Sequence[Callable[[R], str]],
) -> R:
    ref = ref.strip()
    number = as_id(ref) if ref.isdigit() else None
    if number is not None:
        found = session.get(model, number)
        if found is not None:
            return found
    folded = fold(ref)
    if not folded:
        raise NotFound(f"no {what} given")
    rows: list[R] = list(session.scalars(select(model)))
    exact = [r for r in rows if any(fold(c(r)) == folded for c in columns)]
    matches = exact or [r for r in rows if any(folded in fold(c(r)) for c in columns)]
    if not matches:
        raise NotFound(f"no {what} matches '{ref}'")
    if len(matches) > 1:
        matches.sort(key=lambda m: (fold(label(m)), m.id))
        raise Ambiguous(f"{what}s", ref, [f"{label(m)} (id {m.id})" for m in matches])
    return matches[0]


def find_delegation(session: Session, ref: str) -> Delegation:
    """By id or any unique part of the title, ignoring case and accents."""
    return _find(session, Delegation, ref, "delegation", lambda d: d.title, [lambda d: d.title])


def find_person(session: Session, ref: str) -> Person:
    """By id, e-mail or any unique part of the name."""
    return _find(
        session,
        Person,
        ref,
        "person",
        lambda p: p.full_name,
        [lambda p: p.full_name, lambda p: p.sort_name, lambda p: p.email],
    )


def people_by_id(session: Session, ids: Collection[int]) -> list[Person]:
    """The people with these ids (those that exist), with their organisation loaded,
    usable once the session is closed."""
    if not ids:
        return []
    return list(
        session.scalars(
            select(Person).where(Person.id.in_(list(ids))).options(joinedload(Person.organisation))
        ).unique()
    )


def find_organisation(session: Session, ref: str) -> Organisation:
    """By id, acronym or any unique part of the name."""
    return _find(
        session,
        Organisation,
        ref,
        "organisation",
        lambda o: o.display_name,
        [lambda o: o.name, lambda o: o.acronym],
    )
