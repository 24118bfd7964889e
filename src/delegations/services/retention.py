"""Keeping sensitive data no longer than needed: the retention purge.

``purge_plan(session, months)`` says what ``purge(months)`` removes, for the
attendees of delegations that ended more than MONTHS months before today:

* on those participations: the journeys (the travel documents: carriers,
  numbers, times), the hotel phone, the booking reference and the room notes;
* on the people (shared across delegations): phone, dietary and accessibility
  needs, unless the person is still needed: they take part in a delegation that
  ended more recently (or has not ended), or are a host contact or the lead
  officer of one. The plan counts those kept for that reason.

The purge removes data for good: it is not undoable (``History.run`` keeps no
step), it is written with ``secure_delete`` and leaves the "scrub pending"
marker that ``erasure.finish_pending_scrub`` clears after clearing the free pages.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from delegations.model import (
    AgendaItem,
    Delegation,
    Participation,
    Person,
    TravelLeg,
    item_host_contacts,
)
from delegations.services.erasure import mark_scrub_pending
from delegations.services.errors import ValidationError
from delegations.services.history import Operation, Step
from delegations.store import Database
from delegations.store.database import recorder

PARTICIPATION_FIELDS = ("hotel_phone", "booking_reference", "room_notes")
PERSON_FIELDS = ("phone", "dietary_needs", "accessibility_needs")
FIELD_LABELS = {
    "journeys": ("journey (travel details)", "journeys (travel details)"),
    "hotel_phone": ("hotel phone number", "hotel phone numbers"),
    "booking_reference": ("booking reference", "booking references"),
    "room_notes": ("room note", "room notes"),
    "phone": ("phone number", "phone numbers"),
    "dietary_needs": ("dietary need", "dietary needs"),
    "accessibility_needs": ("accessibility need", "accessibility needs"),
}
"""How each field removed is counted, in the singular and the plural."""


def counted(name: str, count: int) -> str:
    """``count`` values of field ``name``: "1 room note", "3 journeys (travel details)"."""
    one, many = FIELD_LABELS[name]
    return f"{count} {one if count == 1 else many}"


MAX_MONTHS = 1200
"""A hundred years: any older visit is older than every date the application stores."""


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the last day when shorter);
    never before 1 January of year 1 (``date``'s first day)."""
    total = max(12, day.year * 12 + day.month - 1 - months)
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_months(value: object) -> int:
    """A retention period: a whole number of months, at least 1."""
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else 0
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_MONTHS:
        raise ValidationError(
            {"older_than": f"give a whole number of months, from 1 to {MAX_MONTHS}"}
        )
    return number


@dataclass(frozen=True)
class PurgePlan:
    """What a purge removes (counts only).

    Attributes:
        months: the retention period.
        cutoff: delegations that ended before this day are concerned.
        delegations: how many delegations are concerned.
        attendees: participations that lose something.
        people: people whose phone, dietary or accessibility needs are removed.
        kept_people: people of those delegations whose data is kept (still needed).
        fields: for each field (``FIELD_LABELS``), how many values are removed.
    """

    months: int
    cutoff: date
    delegations: int
    attendees: int
    people: int
    kept_people: int
    fields: dict[str, int]
    participation_ids: tuple[int, ...] = field(default=(), repr=False)
    person_ids: tuple[int, ...] = field(default=(), repr=False)
    leg_ids: tuple[int, ...] = field(default=(), repr=False)

    @property
    def empty(self) -> bool:
        return not any(self.fields.values())

    def describe(self) -> list[str]:
        """What will be removed, a line each (no personal data)."""
        if self.empty:
            lines = [f"Nothing to remove from delegations that ended before {self.cutoff}."]
        else:
            lines = [
                f"From {self.delegations} delegation{'s' if self.delegations != 1 else ''} "
                f"that ended before {self.cutoff} ({self.attendees} attendee"
                f"{'s' if self.attendees != 1 else ''}, {self.people} "
                f"{'person' if self.people == 1 else 'people'}):"
            ]
            lines += [f"  • {counted(name, count)}" for name, count in self.fields.items() if count]
        if self.kept_people:
            lines.append(
                f"Kept for {self.kept_people} "
                f"{'person' if self.kept_people == 1 else 'people'} still needed by a later "
                "delegation (attendee, host contact or lead officer): their phone, dietary "
                "and accessibility needs."
            )
        return lines


@dataclass(frozen=True)
class PurgeResult:
    plan: PurgePlan
    purged_at: datetime


def _needed_people(session: Session, cutoff: date) -> set[int]:
    """People a delegation that ended on or after ``cutoff`` (or not yet) still needs."""
    recent = select(Delegation.id).where(Delegation.end_date >= cutoff)
    needed = set(
        session.scalars(
            select(Participation.person_id).where(Participation.delegation_id.in_(recent))
        )
    )
    needed |= set(
        session.scalars(
            select(Delegation.lead_officer_id).where(
                Delegation.id.in_(recent), Delegation.lead_officer_id.is_not(None)
            )
        )
    )
    needed |= set(
        session.scalars(
            select(item_host_contacts.c.person_id)
            .join(AgendaItem, AgendaItem.id == item_host_contacts.c.agenda_item_id)
            .where(AgendaItem.delegation_id.in_(recent))
        )
    )
    return {n for n in needed if n is not None}


def purge_plan(session: Session, older_than_months: int, today: date | None = None) -> PurgePlan:
    """What ``purge(older_than_months)`` would remove (nothing written)."""
    months = check_months(older_than_months)
    cutoff = months_before(today or datetime.now(UTC).date(), months)
    old = list(session.scalars(select(Delegation.id).where(Delegation.end_date < cutoff)))
    participations = list(
        session.scalars(select(Participation).where(Participation.delegation_id.in_(old)))
    )
    needed = _needed_people(session, cutoff)
    counts = dict.fromkeys(FIELD_LABELS, 0)
    touched_participations: set[int] = set()
    legs: list[int] = []
    for p in participations:
        if p.travel:
            counts["journeys"] += len(p.travel)
            legs.extend(leg.id for leg in p.travel)
            touched_participations.add(p.id)
        for name in PARTICIPATION_FIELDS:
            if getattr(p, name):
                counts[name] += 1
                touched_participations.add(p.id)
    people = {p.person_id: p.person for p in participations}
    kept = {pid for pid in people if pid in needed}
    purged_people: set[int] = set()
    for pid, person in people.items():
        if pid in kept:
            continue
        for name in PERSON_FIELDS:
            if getattr(person, name):
                counts[name] += 1
                purged_people.add(pid)
    concerned = {p.delegation_id for p in participations if p.id in touched_participations} | {
        p.delegation_id for p in participations if p.person_id in purged_people
    }
    attendees = touched_participations | {
        p.id for p in participations if p.person_id in purged_people
    }
    kept_with_data = {pid for pid in kept if any(getattr(people[pid], n) for n in PERSON_FIELDS)}
    return PurgePlan(
        months=months,
        cutoff=cutoff,
        delegations=len(concerned),
        attendees=len(attendees),
        people=len(purged_people),
        kept_people=len(kept_with_data),
        fields=counts,
        participation_ids=tuple(sorted(touched_participations)),
        person_ids=tuple(sorted(purged_people)),
        leg_ids=tuple(sorted(legs)),
    )


def purge(older_than_months: int, today: date | None = None) -> Operation[PurgeResult]:
    """Remove the sensitive fields ``purge_plan`` lists; not undoable."""
    months = check_months(older_than_months)

    def run(session: Session) -> PurgeResult:
        plan = purge_plan(session, months, today)
        if plan.empty:
            return PurgeResult(plan, datetime.now(UTC))
        mark_scrub_pending(session)
        if plan.leg_ids:
            session.execute(delete(TravelLeg).where(TravelLeg.id.in_(plan.leg_ids)))
        if plan.participation_ids:
            session.execute(
                update(Participation)
                .where(Participation.id.in_(plan.participation_ids))
                .values(**dict.fromkeys(PARTICIPATION_FIELDS, ""))
            )
        if plan.person_ids:
            session.execute(
                update(Person)
                .where(Person.id.in_(plan.person_ids))
                .values(**dict.fromkeys(PERSON_FIELDS, ""))
            )
        session.flush()
        session.expire_all()
        return PurgeResult(plan, datetime.now(UTC))

    return Operation(
        f"remove sensitive data older than {months} months", run, action="purge", undoable=False
    )


def forget_steps(db: Database, plan: PurgePlan) -> Callable[[Step], bool]:
    """Whether an undo step holds rows whose data the purge removed."""
    with db.session() as session:
        shapes = dict(recorder(session).shapes)
    wanted = {
        "person": ("id", set(plan.person_ids)),
        "participation": ("id", set(plan.participation_ids)),
        "travel_leg": ("id", set(plan.leg_ids)),
    }

    def touches(step: Step) -> bool:
        for change in step.rows:
            if change.table not in wanted or change.table not in shapes:
                continue
            column, ids = wanted[change.table]
            index = shapes[change.table].index(column)
            for image in (change.before, change.after):
                if image is not None and index is not None and image[index] in ids:
                    return True
        return False

    return touches
