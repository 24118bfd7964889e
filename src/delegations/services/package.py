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
import math
import re
from collections.abc import Iterable, Mapping
from contextlib import suppress
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
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
    serves_food_by_default,
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
from delegations.services.validation import (
    REVISION_MAX,
    Checker,
    control_problem,
    is_timezone,
    kind_of,
    length_problem,
    year_problem,
)

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
    "transport_company", "vehicle", "driver_phone", "dress_code", "wifi", "serves_food",
)  # fmt: skip
OPTIONAL_FIELDS = frozenset(
    {
        "region", "opening_hours", "closed_dates", "capacity", "short_name", "dress_code",
        "hotel_phone", "booking_reference", "room_type", "room_sharing", "transport_company",
        "vehicle", "driver_phone", "wifi",
    }
)  # fmt: skip
"""Fields written only when they hold something (packages from before they existed stay
the same); a package without them leaves what is stored."""


# --------------------------------------------------------------------------- export


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _fields(obj: Any, names: Iterable[str], every: bool = False) -> dict[str, Any]:
    values = {name: _value(getattr(obj, name)) for name in names}
    return {
        name: value
        for name, value in values.items()
        if every or name not in OPTIONAL_FIELDS or value not in ("", None)
    }


def _in_zone(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def _uuid(obj: Any) -> str | None:
    return obj.uuid if obj is not None else None


def to_document(
    delegation: Delegation, exported_at: datetime | None = None, *, every_field: bool = False
) -> dict[str, Any]:
    """The package of a fully loaded delegation (see ``queries.load_delegation``).

    ``every_field``: write the optional fields even when empty (a package for merging:
    a field emptied on one side must read as emptied, not as "leave what is stored").
    """
    every = every_field
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
        for venue in (item.venue, item.dropoff_venue):
            if venue is not None:
                venues[venue.uuid] = venue
                add_org(venue.organisation)

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
            **_fields(delegation, DELEGATION_FIELDS, every),
            "sending_organisation": _uuid(delegation.sending_organisation),
            "lead_officer": _uuid(delegation.lead_officer),
        },
        "organisations": [
            {"uuid": o.uuid, **_fields(o, ORG_FIELDS, every)}
            for o in sorted(orgs.values(), key=lambda o: (o.name, o.uuid))
        ],
        "venues": [
            {
                "uuid": v.uuid,
                **_fields(v, VENUE_FIELDS, every),
                "organisation": _uuid(v.organisation),
            }
            for v in sorted(venues.values(), key=lambda v: (v.name, v.uuid))
        ],
        "people": [
            {
                "uuid": p.uuid,
                **_fields(p, PERSON_FIELDS, every),
                "organisation": _uuid(p.organisation),
            }
            for p in sorted(people.values(), key=lambda p: (p.family_name, p.given_name, p.uuid))
        ],
        "participations": [_participation(p, every) for p in participations],
        "agenda": [_item(item, zone, every) for item in items],
    }


def _participation(p: Participation, every: bool = False) -> dict[str, Any]:
    travel = []
    for leg in sorted(p.travel, key=lambda t: (t.direction.value, t.uuid)):
        entry = {
            "uuid": leg.uuid,
            "direction": leg.direction.value,
            **_fields(leg, TRAVEL_FIELDS, every),
            "revision": leg.revision,
        }
        entry["departs_at"] = _in_zone(leg.departs_at, leg.origin_timezone)
        entry["arrives_at"] = _in_zone(leg.arrives_at, leg.destination_timezone)
        travel.append(entry)
    return {
        "uuid": p.uuid,
        "person": p.person.uuid,
        **_fields(p, PARTICIPATION_FIELDS, every),
        "travel": travel,
    }


def _item(item: AgendaItem, zone: str, every: bool = False) -> dict[str, Any]:
    entry = {"uuid": item.uuid, **_fields(item, ITEM_FIELDS, every)}
    entry["starts_at"] = _in_zone(item.starts_at, zone)
    entry["ends_at"] = _in_zone(item.ends_at, zone)
    entry["venue"] = _uuid(item.venue)
    if item.dropoff_venue is not None or every:
        entry["dropoff_venue"] = _uuid(item.dropoff_venue)
    entry["host"] = _uuid(item.host)
    entry["host_contacts"] = sorted(c.uuid for c in item.host_contacts)
    entry["participants"] = (
        "everyone" if item.everyone else sorted(p.uuid for p in item.participants)
    )
    entry["revision"] = item.revision
    return entry


def export_package(
    session: Session,
    delegation_id: int,
    exported_at: datetime | None = None,
    *,
    every_field: bool = False,
) -> dict[str, Any]:
    return to_document(
        load_delegation(session, delegation_id), exported_at, every_field=every_field
    )


def write_package(document: dict[str, Any], out: Path, database_path: Path | None = None) -> Path:
    """Write a package atomically as UTF-8 JSON.

    A package holds personal data (names, contacts, dietary and access needs), so
    the file is readable by its owner only (``0600`` on POSIX), whatever the umask.

    Args:
        document: the package (``export_package``).
        out: the file to write.
        database_path: the database in use, if any: ``out`` may not be that file (or
            its ``-wal``, ``-shm``, ``-journal``), by any path or link.

    Raises:
        OutputRefused: ``out`` is the database in use, or a folder; nothing written.
        OutputError: ``out`` cannot be written; an earlier file there is kept.
    """
    from delegations.store.outputs import check_output

    out = Path(out)
    if database_path is not None:
        out = check_output(out, database_path)
    with atomic_write(out, "w", private=True) as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return out


MAX_BYTES = 50 * 1024 * 1024
"""The largest package file read (a year of delegations is a few hundred kilobytes)."""
MAX_DEPTH = 32
"""How deeply a package's objects and lists may nest (a package needs 6 levels)."""
MAX_ERRORS = 20
"""The most problems one refusal lists; the rest are counted."""
MAX_DIGITS = 100
"""The longest number read, in characters (a package holds revisions and coordinates)."""

_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _NotJSON(ValueError):
    """Why a text is not JSON a package can hold (raised while parsing)."""


def read_package(path: Path) -> dict[str, Any]:
    """Read a package file; a clear one-line ValidationError if it is not a JSON object.

    Refused: a file over ``MAX_BYTES``, not UTF-8, empty, not JSON, with halves of
    surrogate pairs, NaN or infinite numbers, repeated keys, or nested deeper than
    ``MAX_DEPTH``.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ValidationError({"file": f"{path} does not exist"}) from None
    except IsADirectoryError:
        raise ValidationError({"file": f"{path} is a folder, not a package file"}) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationError({"file": f"{path} cannot be read ({reason})"}) from None
    if len(data) > MAX_BYTES:
        raise ValidationError(
            {"file": f"{path} is too large: a package is at most {MAX_BYTES // 2**20} MB"}
        )
    return parse_package(data, str(path))


def parse_package(data: bytes, name: str = "the package") -> dict[str, Any]:
    """The JSON object in ``data`` (the bytes of a package file called ``name``)."""

    def refuse(reason: str) -> ValidationError:
        return ValidationError({"file": f"{name} is not valid JSON ({reason})"})

    if not data.strip():
        raise refuse("the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(
            f"it is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start:,}"
        ) from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_float=_float,
            parse_int=_int,
        )
    except json.JSONDecodeError as exc:
        raise refuse(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except _NotJSON as exc:
        raise refuse(str(exc)) from None
    except RecursionError:
        raise refuse(f"nested more than {MAX_DEPTH} levels deep") from None
    problem = tree_problem(document)
    if problem is not None:
        where, message = problem
        raise refuse(f"{message} at {where}")
    if not isinstance(document, dict):
        raise ValidationError({"file": f"{name} does not hold a delegation package"})
    return document


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _NotJSON(f"the key {_shown(key)} appears twice in one object")
            seen.add(key)
    return document


def _constant(text: str) -> Any:
    raise _NotJSON(f"{text} is not a number JSON allows")


def _float(text: str) -> float:
    if len(text) > MAX_DIGITS:
        raise _NotJSON(f"a number {len(text):,} characters long")
    value = float(text)
    if not math.isfinite(value):
        raise _NotJSON("a number too large to hold")
    return value


def _int(text: str) -> int:
    if len(text) > MAX_DIGITS:
        raise _NotJSON(f"a number {len(text):,} digits long")
    return int(text)


def _shown(text: str, limit: int = 40) -> str:
    """A short, one-line rendering of a key (never a whole long value)."""
    shown = repr(text[:limit])
    return shown + ("…" if len(text) > limit else "")


def tree_problem(document: Any) -> tuple[str, str] | None:
    """Where and why a parsed document cannot be a package's JSON, or None.

    Refused: nesting deeper than ``MAX_DEPTH``, text holding half of a UTF-16
    surrogate pair (``"\\ud800"`` written as a JSON escape: not Unicode text),
    numbers that are not finite.
    """
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return _location(path[:MAX_DEPTH]), f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found:
                return _location(path), f"half of a surrogate pair (U+{ord(found.group()):04X})"
        elif isinstance(value, float) and not math.isfinite(value):
            return _location(path), "a number that is not finite"
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str) or _SURROGATE.search(key):
                    return _location(path), "a key that is not Unicode text"
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
    return None


# --------------------------------------------------------------------------- import


@cache
def _schema_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(resource("schemas", "delegation-package.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def _location(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            part = part if _PLAIN_KEY.match(part) else _shown(part)
            text += f".{part}" if text else part
    return text or "document"


_PLAIN_KEY = re.compile(r"[a-z_]{1,40}\Z")


def _raise(errors: dict[str, str]) -> None:
    """Raise the errors (the first ``MAX_ERRORS``, and how many more) if there are any."""
    if not errors:
        return
    if len(errors) > MAX_ERRORS:
        shown = dict(list(errors.items())[:MAX_ERRORS])
        shown["and"] = f"{len(errors) - MAX_ERRORS:,} more problems"
        errors = shown
    raise ValidationError(errors)


def schema_errors(document: dict[str, Any]) -> dict[str, str]:
    """The places where ``document`` does not follow the package's JSON Schema."""
    errors: dict[str, str] = {}
    if document.get("format") != FORMAT:
        return {"format": "this file is not a Delegations package"}
    version = document.get("version")
    if type(version) is not int:
        return {"version": f"expected a package version number, got {kind_of(version)}"}
    if version != VERSION:
        return {
            "version": f"package version {version} is not supported "
            f"(this application reads version {VERSION})"
        }
    found = [_schema_error(error) for error in _schema_validator().iter_errors(document)]
    for _, where, message in sorted(found, key=lambda e: e[0]):
        errors.setdefault(where, message)
    return errors


_PRIORITY = {"type": 0, "required": 1, "additionalProperties": 2, "oneOf": 3, "not": 5}
_TYPES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def _schema_error(error: Any) -> tuple[tuple[Any, ...], str, str]:
    """(sort key, location, message) of a schema error; messages never repeat values."""
    if error.validator == "oneOf":
        error = _one_of_cause(error)
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "field"
        path.append(missing)
        message = "is missing"
    else:
        message = _schema_message(error)
    order = tuple((isinstance(p, str), p) for p in path)
    return (order, _PRIORITY.get(error.validator, 4)), _location(path), message


def _one_of_cause(error: Any) -> Any:
    """The error of the alternative that has the value's type (else the ``oneOf`` itself)."""
    branches: dict[int, list[Any]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    for _, subs in sorted(branches.items()):
        if not any(s.validator in ("type", "const") and not s.relative_path for s in subs):
            return min(subs, key=lambda s: (len(s.relative_path), _PRIORITY.get(s.validator, 4)))
    return error


def _schema_message(error: Any) -> str:
    validator, instance, value = error.validator, error.instance, error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    if validator == "type":
        types = value if isinstance(value, list) else [value]
        return f"expected {' or '.join(_TYPES.get(str(t), str(t)) for t in types)}, got {kind_of(instance)}"
    if validator == "oneOf":
        return _one_of_message(error)
    if validator in ("pattern", "minLength", "maxLength") and "pattern" in schema:
        return f"is not {schema.get('title', 'in the expected form')}"
    if validator == "maxLength":
        return length_problem(instance, value) or "is too long"
    if validator == "minLength":
        return "is empty"
    if validator == "not" and isinstance(instance, str):
        return (
            control_problem(instance, multiline=True)
            or control_problem(instance)
            or "is not allowed here"
        )
    if validator == "enum":
        choices = ", ".join(str(v) for v in value if v is not None)
        return f"is not one of: {choices}" + (" (or null)" if None in value else "")
    if validator == "const":
        return f"should be {value!r}"
    if validator in ("minimum", "maximum"):
        if "title" in schema:
            return f"is not {schema['title']}"
        return f"is not between {schema.get('minimum')} and {schema.get('maximum')}"
    if validator == "maxItems":
        return f"has {len(instance)} entries; at most {value} are allowed"
    if validator == "uniqueItems":
        return "lists the same entry twice"
    if validator == "additionalProperties":
        extra = [k for k in instance if k not in schema.get("properties", {})]
        shown = ", ".join(_shown(k) for k in extra[:5])
        more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
        return f"unknown field(s): {shown}{more}"
    return "is not valid here"


def _one_of_message(error: Any) -> str:
    expected = []
    for sub in error.context or ():
        if sub.relative_path:
            continue
        if sub.validator == "type":
            expected.append(_TYPES.get(sub.validator_value, str(sub.validator_value)))
        elif sub.validator == "const":
            expected.append(repr(sub.validator_value))
        elif "title" in (sub.schema if isinstance(sub.schema, dict) else {}):
            expected.append(sub.schema["title"])
    if not expected:
        return "is not valid here"
    return f"expected {' or '.join(dict.fromkeys(expected))}, got {kind_of(error.instance)}"


_INSTANT = re.compile(
    r"(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}"
    r"(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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
        value = None
        if _INSTANT.fullmatch(text):
            with suppress(ValueError):
                value = datetime.fromisoformat(text)
        if value is None:
            self.errors[where] = "is not a date and time with its UTC offset"
            return None
        problem = year_problem(value.year)
        if problem:
            self.errors[where] = problem
            return None
        return value

    def day(self, where: str, text: str | None) -> date | None:
        if text is None:
            return None
        value = None
        if _DATE.fullmatch(text):
            with suppress(ValueError):
                value = date.fromisoformat(text)
        if value is None:
            self.errors[where] = "is not a date (YYYY-MM-DD)"
            return None
        problem = year_problem(value.year)
        if problem:
            self.errors[where] = problem
            return None
        return value

    def revision(self, where: str, entry: dict[str, Any]) -> None:
        value = entry.get("revision")
        if value is not None and not (type(value) is int and 0 <= value <= REVISION_MAX):
            self.errors[f"{where}.revision"] = f"is not a whole number from 0 to {REVISION_MAX}"

    def ref(self, where: str, value: str | None, known: set[str], what: str) -> None:
        if value is not None and value not in known:
            self.errors[where] = f"refers to {what} {value}, which is not in the package"

    def unique(self, section: str) -> set[str]:
        return self.unique_in(section, self.doc[section])

    def unique_in(
        self, where: str, entries: Iterable[dict[str, Any]], seen: set[str] | None = None
    ) -> set[str]:
        seen = set() if seen is None else seen
        for i, entry in enumerate(entries):
            if entry["uuid"] in seen:
                self.errors[f"{where}[{i}].uuid"] = f"{entry['uuid']} appears twice"
            seen.add(entry["uuid"])
        return seen

    def listed_once(self, where: str, uuids: Any) -> None:
        if not isinstance(uuids, list):
            return
        seen: set[str] = set()
        for j, value in enumerate(uuids):
            if value in seen:
                self.errors[f"{where}[{j}]"] = f"{value} is listed twice"
            seen.add(value)


def _canonical_uuid(value: Any) -> Any:
    """``45CEDBF9-...`` → ``45cedbf9-...``: one form for every UUID (others left as they are)."""
    return str(UUID(value)) if isinstance(value, str) else value


def _with_uuids(entry: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    out = dict(entry)
    for key in keys:
        if key in out:
            value = out[key]
            if isinstance(value, list):
                out[key] = [_canonical_uuid(v) for v in value]
            else:
                out[key] = _canonical_uuid(value)
    return out


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    """A schema-valid document with every UUID in canonical form (lower-case, hyphenated)."""
    return {
        **document,
        "delegation": _with_uuids(
            document["delegation"], ("uuid", "sending_organisation", "lead_officer")
        ),
        "organisations": [_with_uuids(o, ("uuid",)) for o in document["organisations"]],
        "venues": [_with_uuids(v, ("uuid", "organisation")) for v in document["venues"]],
        "people": [_with_uuids(p, ("uuid", "organisation")) for p in document["people"]],
        "participations": [
            {
                **_with_uuids(p, ("uuid", "person")),
                "travel": [_with_uuids(t, ("uuid",)) for t in p.get("travel", [])],
            }
            for p in document["participations"]
        ],
        "agenda": [
            _with_uuids(
                i,
                ("uuid", "venue", "host", "host_contacts")
                + (("participants",) if isinstance(i.get("participants"), list) else ()),
            )
            for i in document["agenda"]
        ],
    }


def validate_document(
    session: Session, document: dict[str, Any], *, shape_checked: bool = False
) -> dict[str, Any]:
    """Check a document fully; returns it with UUIDs canonical and dates and instants parsed.

    ``shape_checked``: the document was assembled from documents that passed the JSON
    Schema (a merge of a validated package with this database's own): the schema is
    not run again (half the time of a large package); every other check is.

    Raises:
        ValidationError: with every problem and where it is.
    """
    if not isinstance(document, dict):
        raise ValidationError({"document": "does not hold a delegation package"})
    if not shape_checked:
        problem = tree_problem(document)
        if problem is not None:
            raise ValidationError({problem[0]: problem[1]})
        _raise(schema_errors(document))
    document = canonical(document)
    r = _Reader(document, session)
    orgs, venues, people = r.unique("organisations"), r.unique("venues"), r.unique("people")
    participations = r.unique("participations")
    r.unique("agenda")
    legs: set[str] = set()
    for i, p in enumerate(document["participations"]):
        r.unique_in(f"participations[{i}].travel", p.get("travel", []), legs)

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
        parsed_legs = []
        directions: set[str] = set()
        for j, leg in enumerate(p.get("travel", [])):
            lw = f"{where}.travel[{j}]"
            if leg["direction"] in directions:
                r.errors[f"{lw}.direction"] = f"two {leg['direction']} journeys"
            directions.add(leg["direction"])
            leg = dict(leg)
            leg["departs_at"] = r.instant(f"{lw}.departs_at", leg["departs_at"])
            leg["arrives_at"] = r.instant(f"{lw}.arrives_at", leg["arrives_at"])
            r.revision(lw, leg)
            check = r.check(lw)
            participation_service.validate_travel(leg, check)
            r.keep(check)
            parsed_legs.append(leg)
        p["travel"] = parsed_legs
        parsed_participations.append(p)

    parsed_items = []
    frame = Delegation(timezone=zone, start_date=d["start_date"], end_date=d["end_date"])
    for i, item in enumerate(document["agenda"]):
        where = f"agenda[{i}]"
        item = dict(item)
        r.ref(f"{where}.venue", item.get("venue"), venues, "venue")
        r.ref(f"{where}.dropoff_venue", item.get("dropoff_venue"), venues, "venue")
        r.ref(f"{where}.host", item.get("host"), orgs, "organisation")
        r.listed_once(f"{where}.host_contacts", item.get("host_contacts"))
        for j, contact in enumerate(item.get("host_contacts", [])):
            r.ref(f"{where}.host_contacts[{j}]", contact, people, "person")
        r.listed_once(f"{where}.participants", item.get("participants"))
        if isinstance(item.get("participants"), list):
            for j, pid in enumerate(item["participants"]):
                r.ref(f"{where}.participants[{j}]", pid, participations, "participation")
        item["starts_at"] = r.instant(f"{where}.starts_at", item["starts_at"])
        item["ends_at"] = r.instant(f"{where}.ends_at", item["ends_at"])
        if item["starts_at"] and item["ends_at"] and item["ends_at"] <= item["starts_at"]:
            r.errors[f"{where}.ends_at"] = (
                "before starts_at" if item["ends_at"] < item["starts_at"] else "equal to starts_at"
            )
        r.revision(where, item)
        check = r.check(where)
        agenda_service.validate(session, frame, {k: item.get(k) for k in ITEM_FIELDS}, check)
        r.keep(check)
        parsed_items.append(item)

    _check_conflicts(session, document, r)
    _raise(r.errors)
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
            .where(func.lower(model.uuid).in_(uuids))
        ).all()
        owner = {uuid.lower(): other.lower() for uuid, other in rows}
        for i, entry in enumerate(document[section]):
            other = owner.get(entry["uuid"])
            if other is not None and other != delegation_uuid:
                r.errors[f"{section}[{i}].uuid"] = f"already used in another delegation ({other})"
    legs = {
        leg["uuid"]: f"participations[{i}].travel[{j}].uuid"
        for i, p in enumerate(document["participations"])
        for j, leg in enumerate(p.get("travel", []))
    }
    if legs:
        rows = session.execute(
            select(TravelLeg.uuid, Delegation.uuid)
            .join(Participation, Participation.id == TravelLeg.participation_id)
            .join(Delegation, Delegation.id == Participation.delegation_id)
            .where(func.lower(TravelLeg.uuid).in_(list(legs)))
        ).all()
        for uuid, other in rows:
            if other.lower() != delegation_uuid:
                r.errors[legs[uuid.lower()]] = f"already used in another delegation ({other})"


def _upsert(session: Session, model: type, uuid: str, cache: dict[str, Any]) -> Any:
    obj = cache.get(uuid)
    if obj is None:
        obj = model(uuid=uuid)
        session.add(obj)
        cache[uuid] = obj
    return obj


def _existing(session: Session, model: Any, uuids: list[str]) -> dict[str, Any]:
    """The records with these (canonical) UUIDs, by canonical UUID; any stored case matches."""
    if not uuids:
        return {}
    found = session.scalars(select(model).where(func.lower(model.uuid).in_(uuids)))
    return {o.uuid.lower(): o for o in found}


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


def import_document(
    session: Session, document: dict[str, Any], *, shape_checked: bool = False
) -> Delegation:
    """Validate then write a package; nothing is written if anything is wrong
    (``shape_checked``: see ``validate_document``). The records of erased people are
    left out (``services.erased``; ``exchange.plan_import`` says so before)."""
    from delegations.services.erased import drop_erased

    document, _left_out = drop_erased(session, document)
    doc = validate_document(session, document, shape_checked=shape_checked)
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
    """Make the delegation's attendees and journeys those of the package.

    Attendees are matched by UUID, else (an attendee added elsewhere) by person;
    journeys by UUID. In order, so that no two rows ever hold the same person or
    direction at once: what goes is removed, attendees who change person are
    moved (one of attendees swapping people is re-created), then the rest is
    added and updated.
    """
    entries = doc["participations"]
    claimed: dict[str, Participation | None] = {}
    current = {p.uuid.lower(): p for p in delegation.participations}
    for entry in entries:
        if entry["uuid"] in current:
            claimed[entry["uuid"]] = current[entry["uuid"]]
    taken = {id(p) for p in claimed.values()}
    for entry in entries:
        if entry["uuid"] not in claimed:
            same_person = next(
                (
                    p
                    for p in delegation.participations
                    if id(p) not in taken and p.person.uuid.lower() == entry["person"]
                ),
                None,
            )
            claimed[entry["uuid"]] = same_person
            taken.add(id(same_person))

    # 1. What goes: attendees no longer in the package, journeys moved or gone.
    old_revisions = {
        leg.uuid.lower(): leg.revision for p in delegation.participations for leg in p.travel
    }
    for gone in list(delegation.participations):
        if id(gone) not in taken:
            delegation.participations.remove(gone)
    for entry in entries:
        kept_one = claimed[entry["uuid"]]
        if kept_one is not None:
            wanted = {leg["uuid"]: leg["direction"] for leg in entry["travel"]}
            for old_leg in list(kept_one.travel):
                if wanted.get(old_leg.uuid.lower()) != old_leg.direction.value:
                    kept_one.travel.remove(old_leg)
    session.flush()

    # 2. Attendees who are now another person.
    moves = [
        (entry["uuid"], moving, people[entry["person"]])
        for entry in entries
        if (moving := claimed[entry["uuid"]]) is not None
        and moving.person is not people[entry["person"]]
    ]
    while moves:
        held = {id(p.person) for p in delegation.participations}
        ready = [move for move in moves if id(move[2]) not in held]
        if ready:
            for _, moving, person in ready:
                moving.person = person
        else:  # attendees swap people: re-create one of them
            ready = moves[:1]
            uuid, moving, _ = ready[0]
            delegation.participations.remove(moving)
            claimed[uuid] = None
        session.flush()
        moves = [move for move in moves if move not in ready]

    # 3. Add and update.
    kept: dict[str, Participation] = {}
    for entry in entries:
        participation = claimed[entry["uuid"]] or Participation(
            uuid=entry["uuid"], person=people[entry["person"]]
        )
        if participation not in delegation.participations:
            delegation.participations.append(participation)
        _set(participation, entry, PARTICIPATION_FIELDS, participation_service.ENUMS)
        legs = {leg.uuid.lower(): leg for leg in participation.travel}
        for leg_entry in entry["travel"]:
            revision = leg_entry.get("revision")
            leg = legs.get(leg_entry["uuid"])
            if leg is not None:
                _set(leg, leg_entry, TRAVEL_FIELDS, participation_service.TRAVEL_ENUMS)
                _set_revision(leg, revision)
                continue
            leg = TravelLeg(
                uuid=leg_entry["uuid"], direction=TravelDirection(leg_entry["direction"])
            )
            participation.travel.append(leg)
            _set(leg, leg_entry, TRAVEL_FIELDS, participation_service.TRAVEL_ENUMS)
            before = old_revisions.get(leg_entry["uuid"])
            if before is not None:  # moved to another attendee or direction: a change
                revision = max(revision or 0, before + 1)
            leg.revision = min(revision or 0, REVISION_MAX)
        kept[entry["uuid"]] = participation
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
    current = {item.uuid.lower(): item for item in delegation.items}
    wanted: set[str] = set()
    for entry in doc["agenda"]:
        wanted.add(entry["uuid"])
        item = current.get(entry["uuid"])
        if item is None:
            item = AgendaItem(uuid=entry["uuid"])
            delegation.items.append(item)
            if "serves_food" not in entry:  # a package from before the flag
                item.serves_food = serves_food_by_default(entry["kind"], entry["title"])
        _set(item, entry, ITEM_FIELDS, agenda_service.ENUMS)
        venue = venues.get(entry.get("venue") or "")
        if item.venue is not venue:
            item.venue = venue
        if "dropoff_venue" in entry:  # absent (older packages): what is stored stays
            dropoff = venues.get(entry["dropoff_venue"] or "")
            if item.dropoff_venue is not dropoff:
                item.dropoff_venue = dropoff
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
        obj.revision = min(revision or 0, REVISION_MAX)
        return
    names = SIGNIFICANT[type(obj)]
    changed = any(state.attrs[name].history.has_changes() for name in names)
    ours = (obj.revision or 0) + (1 if changed else 0)
    obj.revision = min(max(revision or 0, ours), REVISION_MAX)


def import_package(session: Session, path: Path) -> Delegation:
    return import_document(session, read_package(path))
