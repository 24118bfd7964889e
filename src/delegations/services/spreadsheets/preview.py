"""What an import would do, row by row, before anything is written.

``build`` reads a table through a mapping against the database as it is now:
each row becomes a new person, an update of an existing one (with each field
that would change, old → new), a row left as it is, a skipped match, or an
error naming the row and the column. The import itself (``people_import``)
builds the same preview inside its write transaction and writes exactly what
it shows, so what the user confirmed is what is written.

Matching: a row is the person whose "Person ID" it carries (an exported file
coming back), else the person with the same e-mail (case ignored), else the
person with the same given and family name and organisation, case and accents
ignored (name alone when no column gives the organisation).
"""

from __future__ import annotations

import uuid as uuid_module
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from delegations.model import (
    Delegation,
    ErasedRecord,
    Organisation,
    Participation,
    Person,
    TravelDirection,
    TravelMode,
)
from delegations.model.text import fold
from delegations.services import organisations, participations, people
from delegations.services.base import comparable, get
from delegations.services.errors import ServiceError
from delegations.services.spreadsheets import values as read
from delegations.services.spreadsheets.columns import BY_KEY, Field, Group, Kind
from delegations.services.spreadsheets.mapping import ColumnMap, notices, problems
from delegations.services.spreadsheets.table import Cell, Row, Table
from delegations.services.spreadsheets.values import DateOrder
from delegations.services.spreadsheets.writing import restore
from delegations.services.validation import Checker, quoted

ProgressFn = Callable[[int, int], bool]
"""Called with (rows done, rows in all) now and then; returning False cancels."""


class Cancelled(ServiceError):
    """The user cancelled a long preview or import; nothing was written."""


class OnMatch(StrEnum):
    """What to do with a row that matches an existing person."""

    UPDATE = "update"
    SKIP = "skip"
    CREATE = "create"

    @property
    def label(self) -> str:
        return {"update": "Update", "skip": "Skip", "create": "Create new"}[self.value]


class Action(StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {
            "new": "New person",
            "update": "Update",
            "unchanged": "No change",
            "skip": "Skipped",
            "error": "Error",
        }[self.value]


@dataclass(frozen=True)
class Problem:
    """Something wrong in one cell (or one row): ``row 14, E-mail: … is not an e-mail address``."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass(frozen=True)
class Change:
    """A field that an update changes: its label, the value now, the value after."""

    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old or '(empty)'} → {self.new or '(empty)'}"


@dataclass(frozen=True)
class Match:
    """The existing person a row matches, and how."""

    person_id: int
    name: str
    by: str

    def __str__(self) -> str:
        return f"{self.name} (same {self.by})"


@dataclass
class RowPlan:
    """One row of the preview, and what the import would write for it."""

    number: int
    name: str
    organisation: str
    action: Action
    match: Match | None = None
    decision: OnMatch | None = None
    changes: tuple[Change, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    attendee: str = ""
    """With a delegation: "add", "update", "unchanged" or ""."""
    person: dict[str, Any] = field(default_factory=dict, repr=False)
    """The person's fields to write (all for a new person, the changed ones for an update)."""
    organisation_ref: str | None = field(default=None, repr=False)
    organisation_id: int | None = field(default=None, repr=False)
    """The existing organisation to set; None with a ``organisation_ref`` means a new one."""
    """Folded name of the organisation to set (existing or new), None to leave it."""
    uuid: str | None = field(default=None, repr=False)
    participation: dict[str, Any] = field(default_factory=dict, repr=False)
    legs: dict[TravelDirection, dict[str, Any]] = field(default_factory=dict, repr=False)
    participation_id: int | None = field(default=None, repr=False)

    @property
    def writes(self) -> bool:
        return self.action in (Action.NEW, Action.UPDATE)


@dataclass(frozen=True)
class Counts:
    new: int = 0
    update: int = 0
    unchanged: int = 0
    skip: int = 0
    error: int = 0

    def __str__(self) -> str:
        return (
            f"{self.new} new, {self.update} to update, {self.unchanged} unchanged, "
            f"{self.skip} skipped, {self.error} with errors"
        )


@dataclass
class Preview:
    """What importing ``table`` with ``mapping`` would do."""

    table: Table
    mapping: ColumnMap
    delegation_id: int | None
    delegation_title: str
    rows: list[RowPlan]
    new_organisations: list[str]
    notices: list[str]
    blocking: list[str]
    """Mapping problems that stop the whole import (no name column...)."""

    @property
    def counts(self) -> Counts:
        counted = Counter(r.action.value for r in self.rows)
        return Counts(**{a.value: counted.get(a.value, 0) for a in Action})

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]

    @property
    def warnings(self) -> list[Problem]:
        return [p for r in self.rows for p in r.warnings]

    @property
    def writes(self) -> int:
        return sum(1 for r in self.rows if r.writes)


@dataclass(frozen=True)
class Options:
    """How to import: into which delegation, and what to do with matches.

    Attributes:
        delegation_id: also make each row an attendee of this delegation.
        on_match: for every match without its own decision.
        decisions: row number → what to do with that row's match.
    """

    delegation_id: int | None = None
    on_match: OnMatch = OnMatch.UPDATE
    decisions: Mapping[int, OnMatch] = field(default_factory=dict)


# ---------------------------------------------------------------- reading a row

_PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "der",
        "den",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "des",
        "la",
        "le",
        "van",
        "von",
        "vom",
        "zu",
        "y",
        "e",
        "mac",
        "mc",
        "bin",
        "ibn",
        "al",
        "el",
    ]
)


def split_name(full: str) -> tuple[str, str]:
    """Given and family name from one cell.

    ``Caron, Julien`` → (Julien, Caron); ``CARON Julien`` (family name in capitals
    first, as French lists write it) → (Julien, CARON); otherwise the last word,
    with the particles before it (``van``, ``de la``), is the family name:
    ``Ludwig van Beethoven`` → (Ludwig, van Beethoven).
    """
    full = " ".join(full.split())
    if "," in full:
        family, _, given = full.partition(",")
        return given.strip(), family.strip()
    words = full.split(" ")
    if len(words) == 1:
        return "", words[0]
    capitals = [w for w in words if w.isupper() and len(w) > 1 and any(c.isalpha() for c in w)]
    if capitals and len(capitals) < len(words):
        if words[: len(capitals)] == capitals:
            return " ".join(words[len(capitals) :]), " ".join(capitals)
        if words[-len(capitals) :] == capitals:
            return " ".join(words[: -len(capitals)]), " ".join(capitals)
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _shown(value: Any) -> str:
    """A value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, StrEnum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M} ({value.tzinfo})"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b
    return comparable(a) == comparable(b)


_LEG_REQUIRED = {
    "origin": "from",
    "destination": "to",
    "departs_at": "departs at",
    "arrives_at": "arrives at",
}
_PERSON_TEXT = (
    "given_name", "family_name", "job_title", "email", "phone", "languages",
    "dietary_needs", "accessibility_needs", "notes",
)  # fmt: skip


class _Context:
    """What every row is compared with: the people, organisations and attendees now."""

    def __init__(self, session: Session, mapping: ColumnMap, options: Options) -> None:
        self.session = session
        self.mapping = mapping
        self.options = options
        self.delegation: Delegation | None = None
        if options.delegation_id is not None:
            self.delegation = get(session, Delegation, options.delegation_id, "delegation")
        self.zone = self.delegation.timezone if self.delegation else "UTC"
        self.people = list(session.scalars(select(Person)))
        self.orgs = list(session.scalars(select(Organisation)))
        self.org_by_id = {o.id: o for o in self.orgs}
        self.org_by_key: dict[str, Organisation] = {}
        for org in self.orgs:
            for key in (org.name, org.acronym, org.display_name):
                if key:
                    self.org_by_key.setdefault(fold(key), org)
        self.by_id = {p.id: p for p in self.people}
        self.by_uuid = {p.uuid.lower(): p for p in self.people}
        self.erased = set(session.scalars(select(ErasedRecord.uuid)))
        """Ids of erased people: a spreadsheet written before the erasure names them."""
        self.by_email: dict[str, Person] = {}
        self.by_name: dict[tuple[str, str, int | None], Person] = {}
        self.by_bare_name: dict[tuple[str, str], Person] = {}
        for p in sorted(self.people, key=lambda p: p.id):
            if p.email:
                self.by_email.setdefault(p.email.strip().casefold(), p)
            names = (fold(p.given_name), fold(p.family_name))
            self.by_name.setdefault((*names, p.organisation_id), p)
            self.by_bare_name.setdefault(names, p)
        self.attendees: dict[int, Participation] = {}
        if self.delegation is not None:
            for part in session.scalars(
                select(Participation)
                .where(Participation.delegation_id == self.delegation.id)
                .options(selectinload(Participation.travel))
            ):
                self.attendees[part.person_id] = part
        self.org_mapped = mapping.column_for("organisation") is not None
        # Within the file: the first row that named each person.
        self.seen_email: dict[str, int] = {}
        self.seen_name: dict[tuple[str, str, str], int] = {}
        self.seen_uuid: dict[str, int] = {}
        self.new_orgs: dict[str, str] = {}


def _header_of(mapping: ColumnMap, key: str, fallback: str) -> str:
    return mapping.column_for(key) or fallback


class _RowReader:
    """Reads one row's cells into field values, collecting problems by column."""

    def __init__(self, ctx: _Context, columns: list[tuple[int, str, Field]], csv: bool) -> None:
        self.ctx = ctx
        self.columns = columns
        self.csv = csv

    def read(self, row: Row) -> tuple[dict[str, Any], list[Problem], dict[str, Cell]]:
        found: dict[str, Any] = {}
        raw: dict[str, Cell] = {}
        problems_: list[Problem] = []
        order = self.ctx.mapping.date_order
        for index, header, f in self.columns:
            cell = row.cell(index)
            if isinstance(cell, str):
                cell = restore(cell) if self.csv else cell
                if not cell.strip():
                    continue
            elif cell is None:
                continue
            try:
                if f.kind in (Kind.DATETIME, Kind.TIME):
                    raw[f.key] = cell  # read once the journey's time zones are known
                    if f.kind is Kind.TIME:
                        found[f.key] = read.clock(cell)
                    continue
                found[f.key] = self._value(f, cell, order)
            except read.CellProblem as exc:
                problems_.append(Problem(row.number, header, str(exc)))
        return found, problems_, raw

    @staticmethod
    def _value(f: Field, cell: Cell, order: DateOrder) -> Any:
        kind = f.kind
        if kind is Kind.BOOL:
            return read.boolean(cell)
        if kind is Kind.ROLE:
            return read.role(cell)
        if kind is Kind.STATUS:
            return read.status(cell)
        if kind is Kind.MODE:
            return read.mode(cell)
        if kind is Kind.DATE:
            return read.day(cell, order)
        if kind is Kind.UUID:
            shown = read.text(cell)
            try:
                return str(uuid_module.UUID(shown))
            except ValueError:
                raise read.CellProblem(f"{quoted(shown)} is not a person ID") from None
        if kind is Kind.MULTILINE:
            return read.text(cell).replace("\r\n", "\n").replace("\r", "\n")
        return read.text(cell)


def _row_name(found: Mapping[str, Any]) -> tuple[str, str, bool]:
    """(given, family, whether they came from the full name column)."""
    given, family = found.get("given_name", ""), found.get("family_name", "")
    if (not given or not family) and found.get("full_name"):
        split_given, split_family = split_name(found["full_name"])
        if not given and not family:
            return split_given, split_family, True
        return given or split_given, family or split_family, True
    return given, family, False


def _plan_row(ctx: _Context, reader: _RowReader, row: Row) -> RowPlan:
    mapping = ctx.mapping
    found, problems_, raw = reader.read(row)
    given, family, from_full = _row_name(found)
    org_text = found.get("organisation", "")
    plan = RowPlan(row.number, f"{given} {family}".strip(), org_text, Action.NEW)
    warnings_: list[Problem] = []

    def column(key: str, fallback: str) -> str:
        return _header_of(mapping, key, fallback)

    name_column = column("full_name", "Name") if from_full else None

    # --- the person's own fields, checked by the people service's rules
    person_values: dict[str, Any] = {
        k: found[k] for k in (*_PERSON_TEXT, "consent_data", "consent_photos") if k in found
    }
    person_values["given_name"], person_values["family_name"] = given, family
    for k in ("given_name", "family_name"):
        if not person_values[k]:
            del person_values[k]
    check = Checker()
    people.validate(ctx.session, {**person_values, "organisation_id": None}, check)
    for key, message in check.errors.items():
        names_from_full = key in ("given_name", "family_name") and name_column is not None
        fallback = name_column if names_from_full else BY_KEY[key].header if key in BY_KEY else key
        header = column(key, fallback or key)
        problems_.append(Problem(row.number, header, message))

    # --- the organisation: an existing one by name or acronym, else a new one
    org: Organisation | None = None
    org_key = fold(org_text) if org_text else None
    if org_key is not None:
        org = ctx.org_by_key.get(org_key)
        if org is None:
            ocheck = Checker()
            organisations.validate({"name": org_text}, ocheck)
            for message in ocheck.errors.values():
                problems_.append(
                    Problem(row.number, column("organisation", "Organisation"), message)
                )

    # --- who it is
    match = _match(ctx, found, given, family, org, org_key, plan, problems_)
    decision = None
    if match is not None:
        decision = ctx.options.decisions.get(row.number, ctx.options.on_match)
        plan.match, plan.decision = match, decision
    existing = ctx.by_id.get(match.person_id) if match else None
    if decision is OnMatch.CREATE:
        existing = None

    # --- attendance and journeys (with a delegation)
    if ctx.delegation is not None:
        participation = ctx.attendees.get(existing.id) if existing is not None else None
        _plan_attendance(ctx, found, raw, row, participation, plan, problems_, warnings_)

    plan.problems, plan.warnings = tuple(problems_), tuple(warnings_)
    if problems_:
        plan.action = Action.ERROR
        return plan
    if decision is OnMatch.SKIP:
        plan.action = Action.SKIP
        return plan
    if existing is None:
        plan.action = Action.NEW
        plan.person = person_values
        plan.organisation_ref = org_key
        plan.organisation_id = org.id if org is not None else None
        if found.get("person_id") and match is None:
            plan.uuid = found["person_id"]
        if org_key is not None and org is None:
            ctx.new_orgs.setdefault(org_key, org_text)
        if ctx.delegation is not None and not plan.attendee:
            plan.attendee = "add"
        return plan
    # an update: the fields that differ, old → new
    changes: list[Change] = []
    updates: dict[str, Any] = {}
    for key, value in person_values.items():
        if key == "email" and value.casefold() == (existing.email or "").casefold():
            continue  # the same address (domains and most mailboxes ignore case)
        if key in ("given_name", "family_name") and fold(value) == fold(getattr(existing, key)):
            continue  # "LEFEVRE" in a list does not undo the accents of "Lefèvre"
        if not _same(getattr(existing, key), value):
            updates[key] = value
            changes.append(
                Change(BY_KEY[key].header, _shown(getattr(existing, key)), _shown(value))
            )
    if org_key is not None and (org is None or org.id != existing.organisation_id):
        old_org = ctx.org_by_id.get(existing.organisation_id) if existing.organisation_id else None
        changes.append(
            Change(
                "Organisation",
                old_org.display_name if old_org else "",
                org_text if org is None else org.display_name,
            )
        )
        plan.organisation_ref = org_key
        plan.organisation_id = org.id if org is not None else None
        if org is None:
            ctx.new_orgs.setdefault(org_key, org_text)
    plan.person = updates
    plan.changes = (*changes, *plan.changes)
    plan.action = Action.UPDATE if plan.changes or plan.attendee == "add" else Action.UNCHANGED
    return plan


def _match(
    ctx: _Context,
    found: Mapping[str, Any],
    given: str,
    family: str,
    org: Organisation | None,
    org_key: str | None,
    plan: RowPlan,
    problems_: list[Problem],
) -> Match | None:
    """The existing person this row is, and whether an earlier row already named them."""
    number = plan.number
    uuid = found.get("person_id")
    email = (found.get("email") or "").strip().casefold()
    names = (fold(given), fold(family))
    same_row = None
    if uuid and uuid in ctx.seen_uuid:
        same_row = (ctx.seen_uuid[uuid], _header_of(ctx.mapping, "person_id", "Person ID"))
    elif email and email in ctx.seen_email:
        same_row = (ctx.seen_email[email], _header_of(ctx.mapping, "email", "E-mail"))
    elif all(names) and (*names, org_key or "") in ctx.seen_name and not email:
        same_row = (ctx.seen_name[(*names, org_key or "")], "Name")
    if same_row is not None:
        problems_.append(
            Problem(
                number, same_row[1], f"the same person as row {same_row[0]}; keep one of the rows"
            )
        )
    if uuid and uuid.lower() in ctx.erased:
        problems_.append(
            Problem(
                number,
                _header_of(ctx.mapping, "person_id", "Person ID"),
                "this person was erased from the database; remove the row, or empty its "
                "person ID to add them again as a new person",
            )
        )
    if uuid:
        ctx.seen_uuid.setdefault(uuid, number)
    if email:
        ctx.seen_email.setdefault(email, number)
    if all(names):
        ctx.seen_name.setdefault((*names, org_key or ""), number)

    person: Person | None = None
    by = ""
    if uuid and uuid in ctx.by_uuid:
        person, by = ctx.by_uuid[uuid], "person ID"
    elif email and email in ctx.by_email:
        person, by = ctx.by_email[email], "e-mail"
    elif all(names) and not ctx.org_mapped:
        person, by = ctx.by_bare_name.get(names), "name"
    elif all(names) and (org is not None or org_key is None):
        person = ctx.by_name.get((*names, org.id if org is not None else None))
        by = "name and organisation"
    if person is None:
        return None
    return Match(person.id, person.full_name, by)


def _plan_attendance(
    ctx: _Context,
    found: Mapping[str, Any],
    raw: Mapping[str, Cell],
    row: Row,
    participation: Participation | None,
    plan: RowPlan,
    problems_: list[Problem],
    warnings_: list[Problem],
) -> None:
    mapping = ctx.mapping
    wanted = {BY_KEY[k].attribute: v for k, v in found.items() if BY_KEY[k].group is Group.ATTENDEE}
    current = (
        {name: getattr(participation, name) for name in participations.FIELDS}
        if participation is not None
        else {name: None for name in participations.FIELDS}
    )
    check = Checker()
    participations.validate({**current, **wanted}, check)
    for key, message in check.errors.items():
        problems_.append(Problem(row.number, _header_of(mapping, f"attendee.{key}", key), message))
    changes: list[Change] = []
    if participation is None:
        plan.attendee = "add"
    else:
        for name, value in wanted.items():
            if not _same(current[name], value):
                header = BY_KEY[f"attendee.{name}"].header
                changes.append(Change(header, _shown(current[name]), _shown(value)))
        wanted = {n: v for n, v in wanted.items() if not _same(current[n], v)}
        plan.participation_id = participation.id
    plan.participation = wanted
    assert ctx.delegation is not None
    for group, direction in (
        (Group.ARRIVAL, TravelDirection.ARRIVAL),
        (Group.DEPARTURE, TravelDirection.DEPARTURE),
    ):
        leg = participation.leg(direction) if participation is not None else None
        given = {k.split(".", 1)[1]: v for k, v in found.items() if BY_KEY[k].group is group}
        given_raw = {k.split(".", 1)[1]: v for k, v in raw.items() if BY_KEY[k].group is group}
        if not given and not given_raw:
            continue
        before = participations.leg_values(leg)
        values = dict(before) if before else _default_leg(ctx.delegation, direction)
        failed = _read_leg(ctx, group, given, given_raw, values, before, row, problems_)
        if failed:
            continue
        missing = [label for key, label in _LEG_REQUIRED.items() if not values.get(key)]
        if missing:
            title = group.value.capitalize()
            warnings_.append(
                Problem(
                    row.number,
                    title,
                    f"journey left out: no {', '.join(f'{title} {m}' for m in missing)}",
                )
            )
            continue
        check = Checker()
        participations.validate_travel(values, check)
        for key, message in check.errors.items():
            header = _header_of(
                mapping, f"{group.value}.{key}", BY_KEY[f"{group.value}.{key}"].header
            )
            problems_.append(Problem(row.number, header, message))
        touched = {BY_KEY[f"{group.value}.{k}"].attribute for k in (*given, *given_raw)}

        def header_of(key: str, prefix: str = group.value) -> str:
            return BY_KEY[f"{prefix}.{key}"].header

        if before is None:
            diff = [
                Change(header_of(k), "", _shown(v))
                for k, v in values.items()
                if k in touched and v not in (None, "")
            ]
        else:
            diff = [
                Change(header_of(k), _shown(before.get(k)), _shown(v))
                for k, v in values.items()
                if not _same(before.get(k), v)
            ]
        if before is None or diff:
            plan.legs[direction] = values
        if participation is not None:
            changes.extend(diff)
    plan.changes = tuple(changes)
    if participation is not None:
        plan.attendee = "update" if changes else "unchanged"


def _default_leg(delegation: Delegation, direction: TravelDirection) -> dict[str, Any]:
    """A journey with only what the delegation says: its city at the visit's end of it."""
    arrival = direction is TravelDirection.ARRIVAL
    return {
        "mode": TravelMode.FLIGHT,
        "carrier": "",
        "number": "",
        "origin": "" if arrival else delegation.destination_city,
        "origin_timezone": delegation.timezone,
        "departs_at": None,
        "destination": delegation.destination_city if arrival else "",
        "destination_timezone": delegation.timezone,
        "arrives_at": None,
        "notes": "",
    }


def _read_leg(
    ctx: _Context,
    group: Group,
    given: Mapping[str, Any],
    given_raw: Mapping[str, Cell],
    values: dict[str, Any],
    before: Mapping[str, Any] | None,
    row: Row,
    problems_: list[Problem],
) -> bool:
    """Put the row's journey cells into ``values``; True when a cell could not be read."""
    failed = False
    for key, value in given.items():
        if key in ("departs_time", "arrives_time"):
            continue
        values[key] = value
    for moment_key, time_key, zone_key in (
        ("departs_at", "departs_time", "origin_timezone"),
        ("arrives_at", "arrives_time", "destination_timezone"),
    ):
        cell = given_raw.get(moment_key)
        at: time | None = given.get(time_key)
        header = _header_of(ctx.mapping, f"{group.value}.{moment_key}", moment_key)
        zone = values.get(zone_key) or ctx.zone
        check = Checker()
        check.timezone(zone_key, zone)
        if check.errors:
            if cell is not None or at is not None:
                failed = True  # the zone's own problem is reported by validate_travel
                problems_.append(
                    Problem(
                        row.number,
                        _header_of(ctx.mapping, f"{group.value}.{zone_key}", zone_key),
                        check.errors[zone_key],
                    )
                )
            continue
        try:
            if cell is not None:
                values[moment_key] = read.moment(cell, zone, ctx.mapping.date_order, at)
            elif at is not None:
                previous = before.get(moment_key) if before else None
                if previous is None:
                    raise read.CellProblem("gives a time but no column gives its date")
                local = previous.astimezone(ZoneInfo(zone))
                values[moment_key] = datetime.combine(local.date(), at, ZoneInfo(zone))
        except read.CellProblem as exc:
            failed = True
            time_header = _header_of(ctx.mapping, f"{group.value}.{time_key}", header)
            problems_.append(
                Problem(row.number, header if cell is not None else time_header, str(exc))
            )
    return failed


def build(
    session: Session,
    table: Table,
    mapping: ColumnMap,
    options: Options | None = None,
    progress: ProgressFn | None = None,
) -> Preview:
    """The preview of importing ``table`` with ``mapping`` (nothing is written).

    Raises:
        NotFound: the delegation does not exist.
        Cancelled: ``progress`` returned False.
    """
    options = options or Options()
    ctx = _Context(session, mapping, options)
    header = list(table.header)
    blocking = problems(mapping, header)
    columns = [
        (index, text, BY_KEY[mapping.columns[text]])
        for index, text in enumerate(header)
        if text in mapping.columns
        and (ctx.delegation is not None or not BY_KEY[mapping.columns[text]].needs_delegation)
    ]
    reader = _RowReader(ctx, columns, csv=table.source.format == "csv")
    rows: list[RowPlan] = []
    total = len(table.rows)
    if not blocking:
        for done, row in enumerate(table.rows):
            if progress is not None and done % 500 == 0 and progress(done, total) is False:
                raise Cancelled("The preview was cancelled; nothing was imported.")
            rows.append(_plan_row(ctx, reader, row))
    if progress is not None and progress(total, total) is False:
        raise Cancelled("The preview was cancelled; nothing was imported.")
    used = {r.organisation_ref for r in rows if r.writes and r.organisation_ref}
    return Preview(
        table=table,
        mapping=mapping,
        delegation_id=ctx.delegation.id if ctx.delegation else None,
        delegation_title=ctx.delegation.title if ctx.delegation else "",
        rows=rows,
        new_organisations=sorted(
            (name for key, name in ctx.new_orgs.items() if key in used), key=fold
        ),
        notices=notices(mapping, ctx.delegation is not None),
        blocking=blocking,
    )
