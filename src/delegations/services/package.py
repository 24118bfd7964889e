"""The delegation package: a versioned JSON document holding one delegation.

Officers exchange plans with it, and data enters in bulk through it. Import is
all-or-nothing: the document is checked against its JSON Schema and every
record is validated before anything is written; every error names its place
(``agenda[3].ends_at``). Records are matched by UUID, so importing the same or
a newer package updates them instead of duplicating them. The package is the
whole state of its delegation: attendees and items no longer in it are removed
from that delegation (people, organisations and venues are kept).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from delegations import __version__
from delegations.files import atomic_write
from delegations.model import (
    AgendaItem,
    Delegation,
    Organisation,
    Participation,
    Person,
    TravelDirection,
    TravelLeg,
    Venue,
    utc_now,
)
from delegations.model.events import SIGNIFICANT
from delegations.resources import resource
from delegations.services import agenda as agenda_service
from delegations.services import delegations as delegation_service
from delegations.services import organisations as organisation_service
from delegations.services import participations as participation_service
from delegations.services import people as people_service
from delegations.services import venues as venue_service
from delegations.services.errors import ValidationError
from delegations.services.queries import load_delegation
from delegations.services.validation import Checker, is_timezone

FORMAT = "delegations-package"
VERSION = 1
GENERATOR = f"Delegations {__version__}"

ORG_FIELDS = organisation_service.FIELDS
VENUE_FIELDS = tuple(f for f in venue_service.FIELDS if f != "organisation_id")
PERSON_FIELDS = tuple(f for f in people_service.FIELDS if f != "organisation_id")
DELEGATION_FIELDS = tuple(
    f for f in delegation_service.FIELDS if f not in ("sending_organisation_id", "lead_officer_id")
)
PARTICIPATION_FIELDS = participation_service.FIELDS
TRAVEL_FIELDS = participation_service.TRAVEL_FIELDS
ITEM_FIELDS = (
    "title", "kind", "starts_at", "ends_at", "host_confirmation", "description", "status",
)  # fmt: skip


# --------------------------------------------------------------------------- export


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _fields(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


def _in_zone(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def _uuid(obj: Any) -> str | None:
    return obj.uuid if obj is not None else None


def to_document(delegation: Delegation, exported_at: datetime | None = None) -> dict[str, Any]:
    """The package of a fully loaded delegation (see ``queries.load_delegation``)."""
    zone = delegation.timezone
    people: dict[str, Person] = {}
    orgs: dict[str, Organisation] = {}
    venues: dict[str, Venue] = {}

    def add_person(person: Person | None) -> None:
        if person is not None:
            people[person.uuid] = person
            add_org(person.organisation)

    def add_org(org: Organisation | None) -> None:
        if org is not None:
            orgs[org.uuid] = org

    add_org(delegation.sending_organisation)
    add_person(delegation.lead_officer)
    for p in delegation.participations:
        add_person(p.person)
    for item in delegation.items:
        add_org(item.host)
        for contact in item.host_contacts:
            add_person(contact)
        if item.venue is not None:
            venues[item.venue.uuid] = item.venue
            add_org(item.venue.organisation)

    participations = sorted(
        delegation.participations,
        key=lambda p: (p.person.family_name, p.person.given_name, p.uuid),
    )
    items = sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at, i.title, i.uuid))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": (exported_at or utc_now()).isoformat(timespec="seconds"),
        "generator": GENERATOR,
        "delegation": {
            "uuid": delegation.uuid,
            **_fields(delegation, DELEGATION_FIELDS),
            "sending_organisation": _uuid(delegation.sending_organisation),
            "lead_officer": _uuid(delegation.lead_officer),
        },
        "organisations": [
            {"uuid": o.uuid, **_fields(o, ORG_FIELDS)}
            for o in sorted(orgs.values(), key=lambda o: (o.name, o.uuid))
        ],
        "venues": [
            {"uuid": v.uuid, **_fields(v, VENUE_FIELDS), "organisation": _uuid(v.organisation)}
            for v in sorted(venues.values(), key=lambda v: (v.name, v.uuid))
        ],
        "people": [
            {"uuid": p.uuid, **_fields(p, PERSON_FIELDS), "organisation": _uuid(p.organisation)}
            for p in sorted(people.values(), key=lambda p: (p.family_name, p.given_name, p.uuid))
        ],
        "participations": [_participation(p) for p in participations],
        "agenda": [_item(item, zone) for item in items],
    }


def _participation(p: Participation) -> dict[str, Any]:
    travel = []
    for leg in sorted(p.travel, key=lambda t: (t.direction.value, t.uuid)):
        entry = {
            "uuid": leg.uuid,
            "direction": leg.direction.value,
            **_fields(leg, TRAVEL_FIELDS),
            "revision": leg.revision,
        }
        entry["departs_at"] = _in_zone(leg.departs_at, leg.origin_timezone)
        entry["arrives_at"] = _in_zone(leg.arrives_at, leg.destination_timezone)
        travel.append(entry)
    return {
        "uuid": p.uuid,
        "person": p.person.uuid,
        **_fields(p, PARTICIPATION_FIELDS),
        "travel": travel,
    }


def _item(item: AgendaItem, zone: str) -> dict[str, Any]:
    entry = {"uuid": item.uuid, **_fields(item, ITEM_FIELDS)}
    entry["starts_at"] = _in_zone(item.starts_at, zone)
    entry["ends_at"] = _in_zone(item.ends_at, zone)
    entry["venue"] = _uuid(item.venue)
    entry["host"] = _uuid(item.host)
    entry["host_contacts"] = sorted(c.uuid for c in item.host_contacts)
    entry["participants"] = (
        "everyone" if item.everyone else sorted(p.uuid for p in item.participants)
    )
    entry["revision"] = item.revision
    return entry


def export_package(
    session: Session, delegation_id: int, exported_at: datetime | None = None
) -> dict[str, Any]:
    return to_document(load_delegation(session, delegation_id), exported_at)


def write_package(document: dict[str, Any], out: Path) -> Path:
    """Write a package atomically as UTF-8 JSON."""
    with atomic_write(Path(out), "w") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return Path(out)


def read_package(path: Path) -> dict[str, Any]:
    """Read a package file; a clear ValidationError if it is not JSON."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError({"file": f"{path} does not exist"}) from None
    except UnicodeDecodeError:
        raise ValidationError({"file": f"{path} is not UTF-8 text"}) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            {"file": f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"}
        ) from None
    if not isinstance(document, dict):
        raise ValidationError({"file": f"{path} does not hold a delegation package"})
    return document


# --------------------------------------------------------------------------- import


@cache
def _schema_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(resource("schemas", "delegation-package.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def _location(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def schema_errors(document: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if document.get("format") != FORMAT:
        return {"format": "this file is not a Delegations package"}
    if document.get("version") != VERSION:
        return {
            "version": f"package version {document.get('version')!r} is not supported "
            f"(this application reads version {VERSION})"
        }
    for error in sorted(_schema_validator().iter_errors(document), key=lambda e: str(list(e.path))):
        path = list(error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else "field"
            errors.setdefault(_location([*path, missing]), "is missing")
        else:
            errors.setdefault(_location(path), _schema_message(error))
    return errors


def _schema_message(error: Any) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field(s)")
    if error.validator == "pattern":
        return f"{error.instance!r} is not in the expected form"
    return str(error.message)


class _Reader:
    """Parses and validates a schema-valid document, collecting every error."""

    def __init__(self, document: dict[str, Any], session: Session) -> None:
        self.doc = document
        self.session = session
        self.errors: dict[str, str] = {}

    def check(self, where: str) -> Checker:
        return Checker(prefix=f"{where}.")

    def keep(self, check: Checker) -> None:
        for key, value in check.errors.items():
            self.errors.setdefault(key, value)

    def instant(self, where: str, text: str) -> datetime | None:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            self.errors[where] = f"{text!r} is not a date and time"
            return None

    def day(self, where: str, text: str | None) -> date | None:
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors[where] = f"{text!r} is not a date"
            return None

    def ref(self, where: str, value: str | None, known: set[str], what: str) -> None:
        if value is not None and value not in known:
            self.errors[where] = f"refers to {what} {value}, which is not in the package"

    def unique(self, section: str) -> set[str]:
        seen: set[str] = set()
        for i, entry in enumerate(self.doc[section]):
            if entry["uuid"] in seen:
                self.errors[f"{section}[{i}].uuid"] = f"{entry['uuid']} appears twice"
            seen.add(entry["uuid"])
        return seen


def validate_document(session: Session, document: dict[str, Any]) -> dict[str, Any]:
    """Check a document fully; returns it with dates and instants parsed.

    Raises:
        ValidationError: with every problem and where it is.
    """
    errors = schema_errors(document)
    if errors:
        raise ValidationError(errors)
    r = _Reader(document, session)
    orgs, venues, people = r.unique("organisations"), r.unique("venues"), r.unique("people")
    participations = r.unique("participations")
    r.unique("agenda")

    for i, org in enumerate(document["organisations"]):
        check = r.check(f"organisations[{i}]")
        organisation_service.validate(org, check)
        r.keep(check)
    for i, venue in enumerate(document["venues"]):
        r.ref(f"venues[{i}].organisation", venue.get("organisation"), orgs, "organisation")
        check = r.check(f"venues[{i}]")
        venue_service.validate(session, {**venue, "organisation": None}, check)
        r.keep(check)
    for i, person in enumerate(document["people"]):
        r.ref(f"people[{i}].organisation", person.get("organisation"), orgs, "organisation")
        check = r.check(f"people[{i}]")
        people_service.validate(
            session, {k: v for k, v in person.items() if k != "organisation"}, check
        )
        r.keep(check)

    d = dict(document["delegation"])
    d["start_date"] = r.day("delegation.start_date", d["start_date"])
    d["end_date"] = r.day("delegation.end_date", d["end_date"])
    r.ref("delegation.sending_organisation", d.get("sending_organisation"), orgs, "organisation")
    r.ref("delegation.lead_officer", d.get("lead_officer"), people, "person")
    check = r.check("delegation")
    delegation_service.validate(
        session, {k: v for k, v in d.items() if k in DELEGATION_FIELDS}, check
    )
    r.keep(check)
    zone = d["timezone"] if is_timezone(d["timezone"]) else "UTC"

    parsed_participations = []
    seen_people: set[str] = set()
    for i, p in enumerate(document["participations"]):
        where = f"participations[{i}]"
        r.ref(f"{where}.person", p["person"], people, "person")
        if p["person"] in seen_people:
            r.errors[f"{where}.person"] = "this person is listed twice in the delegation"
        seen_people.add(p["person"])
        p = dict(p)
        p["check_in"] = r.day(f"{where}.check_in", p.get("check_in"))
        p["check_out"] = r.day(f"{where}.check_out", p.get("check_out"))
        check = r.check(where)
        participation_service.validate(p, check)
        r.keep(check)
        legs = []
        directions: set[str] = set()
        for j, leg in enumerate(p.get("travel", [])):
            lw = f"{where}.travel[{j}]"
            if leg["direction"] in directions:
                r.errors[f"{lw}.direction"] = f"two {leg['direction']} journeys"
            directions.add(leg["direction"])
            leg = dict(leg)
            leg["departs_at"] = r.instant(f"{lw}.departs_at", leg["departs_at"])
            leg["arrives_at"] = r.instant(f"{lw}.arrives_at", leg["arrives_at"])
            check = r.check(lw)
            participation_service.validate_travel(leg, check)
            r.keep(check)
            legs.append(leg)
        p["travel"] = legs
        parsed_participations.append(p)

    parsed_items = []
    frame = Delegation(timezone=zone)
    for i, item in enumerate(document["agenda"]):
        where = f"agenda[{i}]"
        item = dict(item)
        r.ref(f"{where}.venue", item.get("venue"), venues, "venue")
        r.ref(f"{where}.host", item.get("host"), orgs, "organisation")
        for j, contact in enumerate(item.get("host_contacts", [])):
            r.ref(f"{where}.host_contacts[{j}]", contact, people, "person")
        if isinstance(item.get("participants"), list):
            for j, pid in enumerate(item["participants"]):
                r.ref(f"{where}.participants[{j}]", pid, participations, "participation")
        item["starts_at"] = r.instant(f"{where}.starts_at", item["starts_at"])
        item["ends_at"] = r.instant(f"{where}.ends_at", item["ends_at"])
        if item["starts_at"] and item["ends_at"] and item["ends_at"] <= item["starts_at"]:
            r.errors[f"{where}.ends_at"] = (
                "before starts_at" if item["ends_at"] < item["starts_at"] else "equal to starts_at"
            )
        check = r.check(where)
        agenda_service.validate(session, frame, {k: item.get(k) for k in ITEM_FIELDS}, check)
        r.keep(check)
        parsed_items.append(item)

    _check_conflicts(session, document, r)
    if r.errors:
        raise ValidationError(r.errors)
    return {
        **document,
        "delegation": d,
        "participations": parsed_participations,
        "agenda": parsed_items,
    }


def _check_conflicts(session: Session, document: dict[str, Any], r: _Reader) -> None:
    """UUIDs that already belong to another delegation cannot be taken over."""
    delegation_uuid = document["delegation"]["uuid"]
    for section, model in (("participations", Participation), ("agenda", AgendaItem)):
        uuids = [entry["uuid"] for entry in document[section]]
        if not uuids:
            continue
        rows = session.execute(
            select(model.uuid, Delegation.uuid)
            .join(Delegation, Delegation.id == model.delegation_id)
            .where(model.uuid.in_(uuids))
        ).all()
        owner = dict(rows)
        for i, entry in enumerate(document[section]):
            other = owner.get(entry["uuid"])
            if other is not None and other != delegation_uuid:
                r.errors[f"{section}[{i}].uuid"] = f"already used in another delegation ({other})"


def _upsert(session: Session, model: type, uuid: str, cache: dict[str, Any]) -> Any:
    obj = cache.get(uuid)
    if obj is None:
        obj = model(uuid=uuid)
        session.add(obj)
        cache[uuid] = obj
    return obj


def _existing(session: Session, model: Any, uuids: list[str]) -> dict[str, Any]:
    if not uuids:
        return {}
    return {o.uuid: o for o in session.scalars(select(model).where(model.uuid.in_(uuids)))}


def _set(
    obj: Any,
    entry: dict[str, Any],
    names: Iterable[str],
    enums: Mapping[str, type[Enum]] | None = None,
) -> None:
    """Copy fields from a package entry, converting enum values; unchanged ones are left alone."""
    for name in names:
        if name in entry:
            value = entry[name]
            if enums and name in enums and value is not None:
                value = enums[name](value)
            if getattr(obj, name) != value:
                setattr(obj, name, value)


def import_document(session: Session, document: dict[str, Any]) -> Delegation:
    """Validate then write a package; nothing is written if anything is wrong."""
    doc = validate_document(session, document)
    orgs = _existing(session, Organisation, [o["uuid"] for o in doc["organisations"]])
    for entry in doc["organisations"]:
        _set(
            _upsert(session, Organisation, entry["uuid"], orgs),
            entry,
            ORG_FIELDS,
            organisation_service.ENUMS,
        )
    venues = _existing(session, Venue, [v["uuid"] for v in doc["venues"]])
    for entry in doc["venues"]:
        venue = _upsert(session, Venue, entry["uuid"], venues)
        _set(venue, entry, VENUE_FIELDS)
        venue.organisation = orgs.get(entry.get("organisation") or "")
    people = _existing(session, Person, [p["uuid"] for p in doc["people"]])
    for entry in doc["people"]:
        person = _upsert(session, Person, entry["uuid"], people)
        _set(person, entry, PERSON_FIELDS)
        person.organisation = orgs.get(entry.get("organisation") or "")

    d = doc["delegation"]
    found = _existing(session, Delegation, [d["uuid"]])
    delegation = _upsert(session, Delegation, d["uuid"], found)
    _set(delegation, d, DELEGATION_FIELDS, delegation_service.ENUMS)
    delegation.sending_organisation = orgs.get(d.get("sending_organisation") or "")
    delegation.lead_officer = people.get(d.get("lead_officer") or "")
    session.flush()

    participations = _import_participations(session, delegation, doc, people)
    _import_items(session, delegation, doc, orgs, venues, people, participations)
    session.flush()
    return delegation


def _import_participations(
    session: Session,
    delegation: Delegation,
    doc: dict[str, Any],
    people: dict[str, Person],
) -> dict[str, Participation]:
    current = {p.uuid: p for p in delegation.participations}
    by_person = {p.person.uuid: p for p in delegation.participations}
    kept: dict[str, Participation] = {}
    for entry in doc["participations"]:
        participation = current.get(entry["uuid"]) or by_person.get(entry["person"])
        if participation is None:
            participation = Participation(uuid=entry["uuid"], person=people[entry["person"]])
            delegation.participations.append(participation)
        _set(participation, entry, PARTICIPATION_FIELDS, participation_service.ENUMS)
        legs = {leg.direction.value: leg for leg in participation.travel}
        wanted = set()
        for leg_entry in entry["travel"]:
            wanted.add(leg_entry["direction"])
            leg = legs.get(leg_entry["direction"])
            if leg is None:
                leg = TravelLeg(
                    uuid=leg_entry["uuid"], direction=TravelDirection(leg_entry["direction"])
                )
                participation.travel.append(leg)
            _set(leg, leg_entry, TRAVEL_FIELDS, participation_service.TRAVEL_ENUMS)
            _set_revision(leg, leg_entry.get("revision"))
        for direction, leg in legs.items():
            if direction not in wanted:
                participation.travel.remove(leg)
        kept[entry["uuid"]] = participation
    keep_ids = {id(p) for p in kept.values()}
    for participation in list(delegation.participations):
        if id(participation) not in keep_ids:
            delegation.participations.remove(participation)
    session.flush()
    return kept


def _import_items(
    session: Session,
    delegation: Delegation,
    doc: dict[str, Any],
    orgs: dict[str, Organisation],
    venues: dict[str, Venue],
    people: dict[str, Person],
    participations: dict[str, Participation],
) -> None:
    current = {item.uuid: item for item in delegation.items}
    wanted: set[str] = set()
    for entry in doc["agenda"]:
        wanted.add(entry["uuid"])
        item = current.get(entry["uuid"])
        if item is None:
            item = AgendaItem(uuid=entry["uuid"])
            delegation.items.append(item)
        _set(item, entry, ITEM_FIELDS, agenda_service.ENUMS)
        venue = venues.get(entry.get("venue") or "")
        if item.venue is not venue:
            item.venue = venue
        item.host = orgs.get(entry.get("host") or "")
        item.host_contacts = [people[u] for u in entry.get("host_contacts", [])]
        chosen = entry.get("participants", "everyone")
        item.everyone = chosen == "everyone"
        item.participants = [] if item.everyone else [participations[u] for u in chosen]
        _set_revision(item, entry.get("revision"))
    for uuid, item in current.items():
        if uuid not in wanted:
            delegation.items.remove(item)


def _set_revision(obj: AgendaItem | TravelLeg, revision: int | None) -> None:
    """Keep the larger of the package's revision and ours (raised if content changed)."""
    state: Any = inspect(obj)
    if state.pending or state.transient:
        obj.revision = revision or 0
        return
    names = SIGNIFICANT[type(obj)]
    changed = any(state.attrs[name].history.has_changes() for name in names)
    ours = (obj.revision or 0) + (1 if changed else 0)
    obj.revision = max(revision or 0, ours)


def import_package(session: Session, path: Path) -> Delegation:
    return import_document(session, read_package(path))
