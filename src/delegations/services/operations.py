"""Every change the window and the command line make, as ``Operation`` values.

Each function here builds an operation: what it will be called after "Undo"
and the function that makes the change in one session. Run it with
``History.run`` (undoable) or ``history.perform`` (command line). Results are
plain values (ids), usable after the session closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from delegations.model import (
    AgendaItem,
    Delegation,
    Organisation,
    Participation,
    Person,
    TravelDirection,
    Venue,
    count_of,
)
from delegations.services import (
    agenda,
    delegations,
    organisations,
    participations,
    people,
    venues,
)
from delegations.services.base import changed, get
from delegations.services.errors import InUse, ValidationError
from delegations.services.history import Operation

RECORDS: dict[str, tuple[type[Any], ModuleType, str]] = {
    "organisation": (Organisation, organisations, "organisation"),
    "person": (Person, people, "person"),
    "venue": (Venue, venues, "venue"),
    "delegation": (Delegation, delegations, "delegation"),
}
"""Record kind → (model, service module, noun) for the side bar's four kinds."""

TravelChanges = Mapping[TravelDirection, Mapping[str, Any] | None]


def name_of(kind: str, fields: Mapping[str, Any]) -> str:
    """How a record reads in a label, from its fields."""
    if kind == "person":
        return f"{fields.get('given_name') or ''} {fields.get('family_name') or ''}".strip()
    if kind == "delegation":
        return f"“{fields.get('title') or ''}”"
    return str(fields.get("name") or "")


def _name(session: Session, kind: str, record_id: int) -> str:
    model, module, noun = RECORDS[kind]
    record = get(session, model, record_id, noun)
    return name_of(kind, {name: getattr(record, name) for name in module.FIELDS})


def record_values(session: Session, kind: str, record_id: int) -> dict[str, Any]:
    """The editable fields of one record as they are now."""
    model, module, noun = RECORDS[kind]
    record = get(session, model, record_id, noun)
    return {name: getattr(record, name) for name in module.FIELDS}


def _several(
    verb: str, ids: Sequence[int], name: Callable[[Session, int], str], noun: str
) -> Callable[[Session], str]:
    """A label naming the one record, or counting several ("remove 3 attendees")."""

    def label(session: Session) -> str:
        if len(ids) == 1:
            return f"{verb} {name(session, ids[0])}"
        return f"{verb} {count_of(len(ids), noun)}"

    return label


# ------------------------------------------------------------------ the four kinds


def create(kind: str, fields: Mapping[str, Any]) -> Operation[int]:
    """Create an organisation, person, venue or delegation; returns its id."""
    module = RECORDS[kind][1]

    def run(session: Session) -> int:
        return int(module.create(session, **fields).id)

    return Operation(f"add {name_of(kind, fields)}", run)


def update(kind: str, record_id: int, fields: Mapping[str, Any]) -> Operation[int]:
    """Change the fields that differ from what is stored (none: nothing to undo)."""
    module = RECORDS[kind][1]

    def label(session: Session) -> str:
        current = record_values(session, kind, record_id)
        return f"edit {name_of(kind, {**current, **fields})}"

    def run(session: Session) -> int:
        wanted = changed(record_values(session, kind, record_id), fields)
        if wanted:
            module.update(session, record_id, **wanted)
        return record_id

    return Operation(label, run)


def delete_refusal(session: Session, kind: str, ids: Sequence[int]) -> str | None:
    """Why these records cannot be deleted (what refers to them), or None."""
    module = RECORDS[kind][1]
    reasons = [r for r in (module.refusal(session, i) for i in ids) if r]
    return "\n\n".join(reasons) or None


def delete(kind: str, ids: Sequence[int]) -> Operation[int]:
    """Delete records (a delegation with its attendees and agenda); all or none."""
    module = RECORDS[kind][1]
    ids = list(ids)

    label = _several("delete", ids, lambda s, i: _name(s, kind, i), RECORDS[kind][2])

    def run(session: Session) -> int:
        refusal = delete_refusal(session, kind, ids)
        if refusal:
            raise InUse(refusal)
        for record_id in ids:
            module.delete(session, record_id)
        return len(ids)

    return Operation(label, run)


# ------------------------------------------------------------------ attendees


def _attendee_name(session: Session, participation_id: int) -> str:
    return get(session, Participation, participation_id, "attendee").person.full_name


def add_attendee(
    delegation_id: int,
    fields: Mapping[str, Any],
    person_id: int | None = None,
    new_person: Mapping[str, Any] | None = None,
) -> Operation[int]:
    """Add an existing person, or create ``new_person`` and add them; returns the attendee id."""
    if (person_id is None) == (new_person is None):
        raise TypeError("give either person_id or new_person")

    def label(session: Session) -> str:
        if new_person is not None:
            name = name_of("person", new_person)
        else:
            assert person_id is not None
            name = _name(session, "person", person_id)
        return f"add {name} to the delegation"

    def run(session: Session) -> int:
        if new_person is not None:
            chosen = people.create(session, **new_person).id
        elif person_id is None:
            raise ValidationError({"person_id": "choose the person to add"})
        else:
            chosen = person_id
        return int(participations.add(session, delegation_id, chosen, **fields).id)

    return Operation(label, run)


def edit_attendee(
    participation_id: int, fields: Mapping[str, Any], travel: TravelChanges
) -> Operation[int]:
    """Change an attendee's details and journeys together; ``travel[d]`` None clears it.

    Only what differs from the stored values is written.
    """

    def label(session: Session) -> str:
        return f"edit {_attendee_name(session, participation_id)}"

    def run(session: Session) -> int:
        p = get(session, Participation, participation_id, "attendee")
        current = {name: getattr(p, name) for name in participations.FIELDS}
        wanted = changed(current, fields)
        if wanted:
            participations.update(session, participation_id, **wanted)
        for direction, values in travel.items():
            stored = participations.leg_values(p.leg(TravelDirection(direction)))
            if values is None:
                if stored is not None:
                    participations.clear_travel(session, participation_id, direction)
            elif stored is None or changed(stored, values):
                participations.set_travel(session, participation_id, direction, **values)
        return participation_id

    return Operation(label, run)


def update_attendees(ids: Sequence[int], fields: Mapping[str, Any]) -> Operation[list[int]]:
    """Change role, status, hotel ... of several attendees at once; all or none."""
    ids = list(ids)
    if not fields:
        raise ValidationError({"apply_role": "tick what to change"})

    label = _several("edit", ids, _attendee_name, "attendee")

    def run(session: Session) -> list[int]:
        participations.update_many(session, ids, **fields)
        return ids

    return Operation(label, run)


def remove_attendees(ids: Sequence[int]) -> Operation[int]:
    """Remove attendees (travel, hotel and places in items go with them; people stay)."""
    ids = list(ids)

    label = _several("remove", ids, _attendee_name, "attendee")

    def run(session: Session) -> int:
        for participation_id in ids:
            participations.remove(session, participation_id)
        return len(ids)

    return Operation(label, run)


# ------------------------------------------------------------------ agenda


def _item_title(session: Session, item_id: int) -> str:
    return get(session, AgendaItem, item_id, "agenda item").title


def create_item(delegation_id: int, fields: Mapping[str, Any]) -> Operation[int]:
    """Add an agenda item; returns its id."""

    def run(session: Session) -> int:
        return int(agenda.create(session, delegation_id, **fields).id)

    return Operation(f"add “{fields.get('title') or ''}”", run)


def update_item(item_id: int, fields: Mapping[str, Any]) -> Operation[int]:
    """Change what differs (participant and contact lists compared as sets)."""

    def label(session: Session) -> str:
        return f"edit “{fields.get('title') or _item_title(session, item_id)}”"

    def run(session: Session) -> int:
        item = get(session, AgendaItem, item_id, "agenda item")
        wanted = changed(agenda.values(item), fields)
        if wanted:
            agenda.update(session, item_id, **wanted)
        return item_id

    return Operation(label, run)


def move_item(item_id: int, starts_at: datetime, ends_at: datetime) -> Operation[int]:
    """Move or resize an item."""

    def label(session: Session) -> str:
        item = get(session, AgendaItem, item_id, "agenda item")
        same_length = ends_at - starts_at == item.ends_at - item.starts_at
        return f"{'move' if same_length else 'resize'} “{item.title}”"

    def run(session: Session) -> int:
        agenda.move(session, item_id, starts_at, ends_at)
        return item_id

    return Operation(label, run)


def duplicate_item(item_id: int) -> Operation[int]:
    """A copy of an item right after it; returns the copy's id."""

    def label(session: Session) -> str:
        return f"duplicate “{_item_title(session, item_id)}”"

    def run(session: Session) -> int:
        return int(agenda.duplicate(session, item_id).id)

    return Operation(label, run)


def delete_items(ids: Sequence[int]) -> Operation[int]:
    ids = list(ids)
    label = _several("delete", ids, lambda s, i: f"“{_item_title(s, i)}”", "agenda item")

    def run(session: Session) -> int:
        for item_id in ids:
            agenda.delete(session, item_id)
        return len(ids)

    return Operation(label, run)


# ------------------------------------------------------------------ bulk


def import_package(path: Path) -> Operation[tuple[int, str]]:
    """Import a delegation package file; returns the delegation's id and title."""
    from delegations.services import package

    def run(session: Session) -> tuple[int, str]:
        delegation = package.import_package(session, path)
        return int(delegation.id), str(delegation.title)

    return Operation(f"import {path.name}", run, action="import")


def import_document(document: Mapping[str, Any], name: str) -> Operation[tuple[int, str]]:
    """Import a package already read into memory."""
    from delegations.services import package

    def run(session: Session) -> tuple[int, str]:
        delegation = package.import_document(session, dict(document))
        return int(delegation.id), str(delegation.title)

    return Operation(f"import {name}", run, action="import")


def load_demo() -> Operation[int]:
    """Load the demo study visit; returns its delegation id."""
    from delegations.services.demo import load_demo as demo

    def run(session: Session) -> int:
        return int(demo(session).id)

    return Operation("load the demo study visit", run)


# ------------------------------------------------------------------ plan checks


def set_travel_time(
    from_venue_id: int, to_venue_id: int, minutes: int | None
) -> Operation[int | None]:
    """How long the way from one venue to another takes, as the officer knows it
    (None: forget it, and let the checks work it out from the map)."""

    def venue_name(session: Session, venue_id: int) -> str:
        venue = session.get(Venue, venue_id)
        return venue.name if venue is not None else f"venue {venue_id}"

    def label(session: Session) -> str:
        way = (
            f"the way from {venue_name(session, from_venue_id)} "
            f"to {venue_name(session, to_venue_id)}"
        )
        return f"forget {way}" if minutes is None else f"set {way} to {minutes} min"

    def run(session: Session) -> int | None:
        return venues.set_travel_time(session, from_venue_id, to_venue_id, minutes)

    return Operation(label, run)


def set_check_setting(key: str, value: float | str | None) -> Operation[str | None]:
    """Change one setting of the plan checks (``checks.CheckSettings``; None: its default)."""
    from delegations.services import check_rules

    def run(session: Session) -> str | None:
        return check_rules.store_setting(session, key, value)

    label = f"reset the check setting {key}" if value is None else f"set {key} to {value}"
    return Operation(label, run)


def custom(label: str, run: Callable[[Session], Any]) -> Operation[Any]:
    """An operation from any function of a session (tests, later features)."""
    return Operation(label, run)
