"""Subject access: everything this database holds about one person, as one JSON file.

``subject_access(session, person_id)`` gathers it, across delegations; the form is
documented by ``resources/schemas/subject-access.schema.json`` (``format``
``delegations-subject-access``, ``version`` 1):

- ``person``: every field of the person (consents and notes included) and their
  organisation's name;
- ``participations``: each delegation they take part in (title, dates, status), their
  role, status, badge name, hotel and room, notes, their journeys (``travel``) and the
  agenda items that concern them;
- ``host_contact_for``: agenda items where they are a host contact;
- ``lead_officer_of``: delegations they lead;
- ``calendars``: calendars published to them (when, how many events);
- ``packages``: delegation packages exchanged that hold their data (how many, when);
- ``mentions``: each text field of another record that names them (another attendee's
  notes or room sharing, a delegation's emergency contacts, an item's description…),
  found as the erasure finds what it replaces by "[erased]" (``services.mentions``);
  other people's e-mails and phones in that text are hidden (GDPR art. 15(4):
  ``others_contacts_hidden``);
- ``audit``: entries of the audit log about their records (when, what, which fields;
  the log never holds values).

``SECTIONS`` says which section covers each table that can hold a person's data (a
test walks the schema and fails when a table is not covered). ``write_subject_access``
writes the file (UTF-8, 0600, atomically); ``export_person`` also records the export
in the audit log. Checking that the output is not the database is the caller's job
(``store.outputs.check_output``).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from delegations import __version__
from delegations.files import atomic_write
from delegations.model import (
    AgendaItem,
    AuditEntry,
    Base,
    Delegation,
    Exchange,
    Participation,
    Person,
    Publication,
    fold,
    item_host_contacts,
    item_participants,
    utc_now,
)
from delegations.model.publications import person_audience
from delegations.model.text import as_id
from delegations.services.errors import NotFound, ServiceError
from delegations.services.mentions import PHONE_RUN, person_mentions, same_phone
from delegations.store import Database

FORMAT = "delegations-subject-access"
VERSION = 1
SCHEMA = ("schemas", "subject-access.schema.json")
"""The JSON schema of the file, under ``resources/``."""

SECTIONS: dict[str, str] = {
    "person": "person",
    "participation": "participations",
    "travel_leg": "participations",
    "item_participant": "participations",
    "item_host_contact": "host_contact_for",
    "delegation": "lead_officer_of",
    "publication": "calendars",
    "exchange": "packages",
    "audit_entry": "audit",
}
"""Every table that can hold a person's data → the section of the export that covers it:
by a foreign key to ``person`` or ``participation`` (directly or through
``participation``), or by reference in text (a calendar's audience ``person:ID``, a
package's document naming their UUID, an audit entry naming their records)."""

PERSON_FIELDS = (
    "given_name", "family_name", "job_title", "email", "phone", "languages",
    "dietary_needs", "accessibility_needs", "consent_data", "consent_photos", "notes",
)  # fmt: skip
PARTICIPATION_FIELDS = (
    "role", "status", "badge_name", "hotel", "hotel_address", "hotel_phone",
    "booking_reference", "room_type", "room_sharing", "check_in", "check_out", "room_notes",
    "notes",
)  # fmt: skip
TRAVEL_FIELDS = (
    "direction", "mode", "carrier", "number", "origin", "origin_timezone", "departs_at",
    "destination", "destination_timezone", "arrives_at", "notes",
)  # fmt: skip


class AmbiguousPerson(ServiceError):
    """Several people match what was given; the message says how many, never who."""


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _fields(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _value(getattr(record, name)) for name in names}


def _delegation(delegation: Delegation) -> dict[str, Any]:
    return {
        "id": delegation.id,
        "uuid": delegation.uuid,
        "title": delegation.title,
        "start_date": delegation.start_date.isoformat(),
        "end_date": delegation.end_date.isoformat(),
        "status": _value(delegation.status),
    }


def _item(item: AgendaItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "starts_at": _value(item.starts_at),
        "ends_at": _value(item.ends_at),
    }


def find_person_id(session: Session, ref: str) -> int:
    """The id of the person ``ref`` names: an id, an e-mail address, or any unique part
    of the name (ignoring case and accents).

    Raises:
        NotFound: nobody matches.
        AmbiguousPerson: several people match (the message names none of them).
    """
    ref = ref.strip()
    number = as_id(ref)
    if number is not None and session.get(Person, number) is not None:
        return number
    folded = fold(ref)
    if not folded:
        raise NotFound("no person given")
    rows = list(session.scalars(select(Person)))

    def texts(person: Person) -> tuple[str, ...]:
        return (
            fold(person.full_name),
            fold(person.sort_name),
            fold(person.email),
        )

    exact = [p for p in rows if folded in texts(p)]
    matches = exact or [p for p in rows if any(folded in t for t in texts(p))]
    if not matches:
        raise NotFound("no person matches what was given; give the person's id")
    if len(matches) > 1:
        raise AmbiguousPerson(
            f"{len(matches)} people match what was given; give the person's id instead"
        )
    return matches[0].id


def subject_access(session: Session, person_id: int) -> dict[str, Any]:
    """Everything held about person ``person_id``, across delegations (see the module
    docstring for the sections).

    Raises:
        NotFound: there is no such person.
    """
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"there is no person #{person_id}")
    organisation = person.organisation
    person_part: dict[str, Any] = {
        "id": person.id,
        "uuid": person.uuid,
        **_fields(person, PERSON_FIELDS),
        "organisation": (
            {"id": organisation.id, "name": organisation.name} if organisation is not None else None
        ),
        "created_at": _value(person.created_at),
        "updated_at": _value(person.updated_at),
    }

    participations = list(
        session.scalars(
            select(Participation)
            .where(Participation.person_id == person_id)
            .options(
                selectinload(Participation.delegation).selectinload(Delegation.items),
                selectinload(Participation.travel),
            )
            .order_by(Participation.id)
        )
    )
    named_in = {
        (row.agenda_item_id, row.participation_id)
        for row in session.execute(
            select(item_participants).where(
                item_participants.c.participation_id.in_([p.id for p in participations])
            )
        )
    }
    participation_parts = []
    for participation in participations:
        delegation = participation.delegation
        items = [
            {**_item(item), "named": (item.id, participation.id) in named_in}
            for item in delegation.items
            if item.concerns(participation) or (item.id, participation.id) in named_in
        ]
        participation_parts.append(
            {
                "id": participation.id,
                "uuid": participation.uuid,
                "delegation": _delegation(delegation),
                **_fields(participation, PARTICIPATION_FIELDS),
                "travel": [
                    {"id": leg.id, "uuid": leg.uuid, **_fields(leg, TRAVEL_FIELDS)}
                    for leg in participation.travel
                ],
                "agenda_items": items,
            }
        )

    hosted = list(
        session.scalars(
            select(AgendaItem)
            .join(item_host_contacts, item_host_contacts.c.agenda_item_id == AgendaItem.id)
            .where(item_host_contacts.c.person_id == person_id)
            .options(selectinload(AgendaItem.delegation))
            .order_by(AgendaItem.starts_at, AgendaItem.id)
        )
    )
    led = list(
        session.scalars(
            select(Delegation)
            .where(Delegation.lead_officer_id == person_id)
            .order_by(Delegation.start_date, Delegation.id)
        )
    )
    calendars = list(
        session.scalars(
            select(Publication)
            .where(Publication.audience == person_audience(person_id))
            .order_by(Publication.published_at, Publication.id)
        )
    )
    packages = list(
        session.scalars(
            select(Exchange)
            .where(Exchange.document.contains(person.uuid))
            .order_by(Exchange.exchanged_at, Exchange.id)
        )
    )
    titles: dict[int, str] = {
        row.id: row.title for row in session.execute(select(Delegation.id, Delegation.title))
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utc_now().isoformat(timespec="seconds"),
        "generator": f"Delegations {__version__}",
        "person": person_part,
        "participations": participation_parts,
        "host_contact_for": [
            {**_item(item), "delegation": _delegation(item.delegation)} for item in hosted
        ],
        "lead_officer_of": [_delegation(d) for d in led],
        "calendars": [
            {
                "delegation_id": c.delegation_id,
                "delegation_title": titles.get(c.delegation_id, ""),
                "published_at": _value(c.published_at),
                "events": len(c.published_events()),
            }
            for c in calendars
        ],
        "packages": {
            "count": len(packages),
            "exchanges": [
                {
                    "delegation_id": x.delegation_id,
                    "delegation_title": titles.get(x.delegation_id, ""),
                    "package": x.package,
                    "direction": x.direction,
                    "exchanged_at": _value(x.exchanged_at),
                }
                for x in packages
            ],
        },
        "mentions": [
            {
                "record": m.record,
                "record_id": m.record_id,
                "field": m.field,
                "text": others_contacts_hidden(m.text, person.email, person.phone),
            }
            for m in person_mentions(session, person)
        ],
        "audit": _audit(session, person_id, participations),
    }


OTHER_EMAIL = "[e-mail of someone else]"
OTHER_PHONE = "[phone of someone else]"
_EMAIL = r"[\w.%+'\-]+@[\w\-]+(?:\.[\w\-]+)+"
_CONTACT = re.compile(f"(?P<email>{_EMAIL})|(?P<phone>{PHONE_RUN.pattern})")
_NOT_A_PHONE = re.compile(
    r"\d{4}([-/.])\d{1,2}\1\d{1,2}"  # 2024-05-12
    r"|\d{1,2}([-/.])\d{1,2}\2\d{2,4}"  # 12/05/2024
    r"|\d{4}\s*[-/]\s*\d{4}"  # 2024-2025
    r"|\d{1,2}\.\d{2}\s*-\s*\d{1,2}\.\d{2}"  # 9.30-11.00
)
"""Digit runs that are dates or times, not phones."""


def others_contacts_hidden(text: str, email: str, phone: str) -> str:
    """``text`` with the e-mail addresses and phone numbers (a run of six digits or more,
    as ``services.mentions`` finds a phone) that are not the person's (``email``,
    ``phone``) replaced by "[e-mail of someone else]" and "[phone of someone else]":
    a subject access does not give away other people's contact details (GDPR art.
    15(4)). Their own are kept, a phone also written nationally ("06…" for "+33 6…")."""
    own_email = email.strip().casefold()

    def hide(match: re.Match[str]) -> str:
        found = match.group()
        if match.group("email") is not None:
            return found if own_email and found.casefold() == own_email else OTHER_EMAIL
        if _NOT_A_PHONE.fullmatch(found) or same_phone(found, phone):
            return found
        return OTHER_PHONE

    return _CONTACT.sub(hide, text)


def _audit(
    session: Session, person_id: int, participations: list[Participation]
) -> list[dict[str, Any]]:
    """The audit entries about the person, their participations and journeys, and the
    exports of their personal documents (an entry per attendee names the participation)."""
    participation_ids = [p.id for p in participations]
    leg_ids = [leg.id for p in participations for leg in p.travel]
    tables = list(Base.metadata.tables)
    conditions = [
        (AuditEntry.record == "person") & (AuditEntry.record_id == person_id),
        (AuditEntry.record == "participation") & AuditEntry.record_id.in_(participation_ids),
        (AuditEntry.record == "travel_leg") & AuditEntry.record_id.in_(leg_ids),
        (AuditEntry.action == "export")
        & AuditEntry.record.not_in(tables)
        & AuditEntry.record_id.in_(participation_ids),
    ]
    entries = session.scalars(
        select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {
            "at": _value(entry.at),
            "action": entry.action,
            "record": entry.record,
            "record_id": entry.record_id,
            "change": entry.change,
            "fields": [f for f in (entry.fields or "").split(",") if f],
        }
        for entry in entries
    ]


def write_subject_access(session: Session, person_id: int, out: Path) -> Path:
    """Write ``subject_access`` of ``person_id`` to ``out``: UTF-8 JSON, readable by the
    user only (0600), atomically (a temporary file beside it, then renamed).

    The caller makes sure ``out`` is not the database (``store.outputs.check_output``).
    """
    document = subject_access(session, person_id)
    out = Path(out)
    with atomic_write(out, "w", private=True) as handle:
        handle.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return out


def export_person(db: Database, person_id: int, out: Path) -> Path:
    """Write what is held about ``person_id`` to ``out`` and record the export in the
    audit log; returns the path written (for the window).

    Raises:
        OutputRefused: ``out`` is the database in use (or one of its files, by any
            path), or in its backups folder: nothing is written.
    """
    from delegations.services import audit
    from delegations.store.outputs import check_output

    out = check_output(out, db.path)
    with db.session() as session:
        written = write_subject_access(session, person_id, out)
    audit.record(db, "export", record="person", record_id=person_id)
    return written
