"""People and attendee lists as spreadsheet rows, with the columns the importer reads.

The header is each field's English header, so an exported file maps itself
back without a saved mapping, and its "Person ID" column makes the round trip
(export, edit in Excel or LibreOffice, import) update the same people. Times of
journeys are written in each end's own time zone, next to that zone's column.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from delegations.model import Delegation, Participation, Person, TravelDirection
from delegations.services.base import get
from delegations.services.spreadsheets.columns import EXPORTED, Field, Group, Kind
from delegations.services.spreadsheets.table import Cell
from delegations.services.spreadsheets.writing import write_table


def columns(with_attendance: bool) -> tuple[Field, ...]:
    """The exported fields: the person's, and with a delegation, attendance and travel."""
    return tuple(f for f in EXPORTED if with_attendance or f.group is Group.PERSON)


def _local(moment: datetime | None, zone: str) -> datetime | None:
    """A journey time as the traveller reads it: naive, in that end's time zone."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _cell(f: Field, person: Person, participation: Participation | None) -> Cell:
    if f.group is Group.PERSON:
        if f.kind is Kind.UUID:
            return person.uuid
        if f.kind is Kind.ORGANISATION:
            return person.organisation.name if person.organisation else ""
        value: Any = getattr(person, f.attribute)
    elif participation is None:
        return None
    elif f.group is Group.ATTENDEE:
        value = getattr(participation, f.attribute)
    else:
        direction = (
            TravelDirection.ARRIVAL if f.group is Group.ARRIVAL else TravelDirection.DEPARTURE
        )
        leg = participation.leg(direction)
        if leg is None:
            return None
        value = getattr(leg, f.attribute)
        if f.attribute == "departs_at":
            return _local(value, leg.origin_timezone)
        if f.attribute == "arrives_at":
            return _local(value, leg.destination_timezone)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "label"):
        return str(value.label)
    return value


def rows(
    session: Session, delegation_id: int | None = None
) -> tuple[list[str], Iterator[list[Cell]]]:
    """The header and the rows: everybody (by family name), or a delegation's attendees."""
    fields = columns(delegation_id is not None)
    header = [f.header for f in fields]
    if delegation_id is None:
        people = session.scalars(
            select(Person)
            .options(selectinload(Person.organisation))
            .order_by(Person.family_name, Person.given_name, Person.id)
        ).all()
        pairs: list[tuple[Person, Participation | None]] = [(p, None) for p in people]
    else:
        get(session, Delegation, delegation_id, "delegation")
        attendees = session.scalars(
            select(Participation)
            .join(Person)
            .where(Participation.delegation_id == delegation_id)
            .options(
                selectinload(Participation.person).selectinload(Person.organisation),
                selectinload(Participation.travel),
            )
            .order_by(Person.family_name, Person.given_name, Person.id)
        ).all()
        pairs = [(a.person, a) for a in attendees]
    return header, ([_cell(f, p, a) for f in fields] for p, a in pairs)


def export_people(session: Session, target: Path, delegation_id: int | None = None) -> Path:
    """Write people (or a delegation's attendees) to ``target`` (.csv or .xlsx).

    Raises:
        SheetError: another file type.
        OSError: the file cannot be written (nothing is left half-written).
    """
    header, body = rows(session, delegation_id)
    return write_table(target, header, body, sheet_name="Attendees" if delegation_id else "People")
