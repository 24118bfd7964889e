"""Which column fills which field: guessed from the headers, changed by the user,
saved by name and reused.

A mapping is keyed by header text, not by position, so a saved mapping still
applies when a partner's file has its columns in another order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import ImportMapping
from delegations.services.errors import NotFound, ValidationError
from delegations.services.spreadsheets.columns import BY_KEY, NAMES, Group, Kind, header_key
from delegations.services.spreadsheets.values import DateOrder
from delegations.services.validation import control_problem, quoted

NAME_MAX = 80
MAPPING_FILE_MAX = 1_000_000
"""The largest mapping file read (bytes); a real one is a few kilobytes."""


@dataclass(frozen=True)
class ColumnMap:
    """Header text → field key for the columns that are imported, and how dates read.

    Headers not in ``columns`` are ignored. Each field is filled by one column at most.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    date_order: DateOrder = DateOrder.DAY_FIRST

    def field_for(self, header: str) -> str | None:
        return self.columns.get(header)

    def column_for(self, key: str) -> str | None:
        return next((h for h, k in self.columns.items() if k == key), None)

    def with_column(self, header: str, key: str | None) -> ColumnMap:
        """This mapping with ``header`` filling ``key`` (None: ignored); a column that
        filled ``key`` before is ignored from now on."""
        columns = {h: k for h, k in self.columns.items() if h != header and k != key}
        if key:
            columns[header] = key
        return ColumnMap(columns, self.date_order)

    def groups(self) -> set[Group]:
        return {BY_KEY[k].group for k in self.columns.values()}

    def as_json(self) -> str:
        return json.dumps(
            {"columns": dict(self.columns), "date_order": self.date_order.value},
            ensure_ascii=False,
            indent=2,
        )


def _contained(key: str) -> str | None:
    """The field of the longest known name found as whole words in ``key`` (4+ letters)."""
    padded = f" {key} "
    best: tuple[int, str] | None = None
    for name, field_key in NAMES.items():
        if len(name) >= 4 and f" {name} " in padded and (best is None or len(name) > best[0]):
            best = (len(name), field_key)
    return best[1] if best else None


def guess(header: Sequence[str], date_order: DateOrder = DateOrder.DAY_FIRST) -> ColumnMap:
    """The mapping the headers suggest: exact names first, then names found inside a
    longer header ("Adresse e-mail professionnelle"); a field goes to its first column."""
    columns: dict[str, str] = {}
    taken: set[str] = set()
    keys = [header_key(h) for h in header]
    for pass_ in ("exact", "contained"):
        for text, key in zip(header, keys, strict=True):
            if text in columns:
                continue
            found = NAMES.get(key) if pass_ == "exact" else _contained(key)
            if found and found not in taken:
                columns[text] = found
                taken.add(found)
    return ColumnMap(columns, date_order)


def problems(mapping: ColumnMap, header: Sequence[str]) -> list[str]:
    """What stops an import with this mapping (each a sentence), or []."""
    found: list[str] = []
    keys = set(mapping.columns.values())
    has_name = "full_name" in keys or {"given_name", "family_name"} <= keys
    if not has_name:
        found.append(
            "No column gives the names: choose the column of the full name, or those of the "
            "given name and the family name."
        )
    missing = [h for h in mapping.columns if h not in header]
    if missing:
        found.append(
            f"The file has no column {quoted(missing[0])}, which the mapping uses"
            + (f" (and {len(missing) - 1} more)." if len(missing) > 1 else ".")
        )
    return found


def notices(mapping: ColumnMap, with_delegation: bool = True) -> list[str]:
    """What the mapping will leave out or assume, said before the preview."""
    said: list[str] = []
    keys = set(mapping.columns.values())
    if not with_delegation:
        ignored = [h for h, k in mapping.columns.items() if BY_KEY[k].needs_delegation]
        if ignored:
            said.append(
                f"Ignored without a delegation: {', '.join(ignored)} (attendance, hotel and "
                "travel belong to a delegation; choose one to import them)."
            )
        return said
    for group in (Group.ARRIVAL, Group.DEPARTURE):
        mapped = {k.split(".", 1)[1] for k in keys if BY_KEY[k].group is group}
        if not mapped:
            continue
        title = group.value.capitalize()
        needed = []
        if "origin" not in mapped and group is Group.ARRIVAL:
            needed.append(f"{title} from")
        if "destination" not in mapped and group is Group.DEPARTURE:
            needed.append(f"{title} to")
        if not mapped & {"departs_at", "departs_time"}:
            needed.append(f"{title} departs at")
        if not mapped & {"arrives_at", "arrives_time"}:
            needed.append(f"{title} arrives at")
        if needed:
            said.append(
                f"{title} journeys need {', '.join(needed)}: without those columns, the "
                f"{group.value} details of a row are left out (the rest is imported)."
            )
        if not mapped & {"origin_timezone", "destination_timezone"}:
            said.append(
                f"{title} times are read in the delegation's time zone (no time zone column)."
            )
    return said


# ------------------------------------------------------------------ saved mappings


def _check_columns(columns: object, where: str) -> dict[str, str]:
    if not isinstance(columns, dict):
        raise ValidationError({where: "columns must be an object of header → field"})
    result: dict[str, str] = {}
    used: set[str] = set()
    for header, key in columns.items():
        if not isinstance(header, str) or not isinstance(key, str):
            raise ValidationError({where: "columns must map header text to a field name"})
        if key not in BY_KEY:
            raise ValidationError({where: f"{quoted(key)} is not a field that can be imported"})
        if key in used:
            raise ValidationError({where: f"the field {quoted(key)} is given two columns"})
        used.add(key)
        result[header] = key
    return result


def _mapping_from(data: object, where: str) -> ColumnMap:
    if not isinstance(data, dict):
        raise ValidationError({where: "a mapping is an object with 'columns'"})
    columns = _check_columns(data.get("columns", {}), where)
    order = data.get("date_order", DateOrder.DAY_FIRST.value)
    if order not in {o.value for o in DateOrder}:
        raise ValidationError({where: "date_order is 'dmy' (day first) or 'mdy' (month first)"})
    return ColumnMap(columns, DateOrder(order))


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "a saved mapping needs a name"})
    if len(name) > NAME_MAX or control_problem(name):
        raise ValidationError({"name": f"use a name of one line, at most {NAME_MAX} characters"})
    return name


def saved_names(session: Session) -> list[str]:
    return list(session.scalars(select(ImportMapping.name).order_by(ImportMapping.name)))


def load(session: Session, name: str) -> ColumnMap:
    row = session.get(ImportMapping, name)
    if row is None:
        names = saved_names(session)
        known = f" Saved mappings: {', '.join(names)}." if names else " No mapping is saved yet."
        raise NotFound(f"No saved mapping is called {quoted(name)}.{known}")
    try:
        data = json.loads(row.columns)
    except ValueError:
        raise ValidationError({"mapping": f"the saved mapping {quoted(name)} is damaged"}) from None
    return _mapping_from({"columns": data, "date_order": row.date_order}, "mapping")


def save(session: Session, name: str, mapping: ColumnMap) -> str:
    """Store ``mapping`` under ``name`` (replacing one of that name)."""
    name = check_name(name)
    columns = json.dumps(dict(mapping.columns), ensure_ascii=False)
    row = session.get(ImportMapping, name)
    if row is None:
        session.add(ImportMapping(name=name, columns=columns, date_order=mapping.date_order.value))
    else:
        row.columns, row.date_order = columns, mapping.date_order.value
    session.flush()
    return name


def forget(session: Session, name: str) -> None:
    row = session.get(ImportMapping, name)
    if row is not None:
        session.delete(row)
        session.flush()


def read_file(path: Path) -> ColumnMap:
    """A mapping from a JSON file (as ``ColumnMap.as_json`` writes)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAPPING_FILE_MAX + 1)
    except OSError as exc:
        raise NotFound(
            f"Cannot read the mapping file {path.name}: {exc.strerror or exc}."
        ) from None
    if len(raw) > MAPPING_FILE_MAX:
        raise ValidationError({"mapping": f"{path.name} is too big to be a mapping file"})
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError({"mapping": f"{path.name} is not a JSON mapping file"}) from None
    return _mapping_from(data, "mapping")


def resolve(session: Session, ref: str) -> ColumnMap:
    """``--mapping NAME|FILE``: a JSON file when one exists at that path, else a saved name."""
    path = Path(ref).expanduser()
    if path.suffix.lower() == ".json" or path.is_file():
        return read_file(path)
    return load(session, ref)


__all__ = ["ColumnMap", "Kind", "guess", "load", "notices", "problems", "resolve", "save"]
