"""What every record service shares: fetching, applying fields, refusing deletes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from delegations.model.text import count_of
from delegations.services.errors import InUse, NotFound
from delegations.services.validation import Checker, unknown_fields

T = TypeVar("T")


def get(session: Session, model: type[T], record_id: int, what: str) -> T:
    obj = session.get(model, record_id)
    if obj is None:
        raise NotFound(f"no {what} with id {record_id}")
    return obj


def clean(fields: Mapping[str, Any], allowed: Iterable[str], what: str) -> dict[str, Any]:
    """Strip text and refuse fields the record does not have (a programming error)."""
    bad = unknown_fields(fields, allowed)
    if bad:
        raise TypeError(f"{what} has no field(s) {', '.join(bad)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def merged(obj: Any, fields: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The record's values as they would be after applying ``fields``."""
    return {name: fields[name] if name in fields else getattr(obj, name, None) for name in names}


def comparable(value: Any) -> Any:
    """A value as compared for changes: enums by value, id lists as sets."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(value)
    return value


def changed(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``wanted`` that differ from ``current``."""
    return {
        name: value
        for name, value in wanted.items()
        if comparable(value) != comparable(current.get(name))
    }


def apply(
    obj: Any, fields: Mapping[str, Any], enums: Mapping[str, type[Enum]] | None = None
) -> None:
    for name, value in fields.items():
        if enums and name in enums and value is not None:
            value = enums[name](value)
        setattr(obj, name, value)


def check_exists(
    session: Session, check: Checker, field: str, model: type, record_id: Any, what: str
) -> None:
    """Add an error on ``field`` when it names a ``what`` that does not exist."""
    if record_id is not None and session.get(model, record_id) is None:
        check.add(field, f"no {what} with id {record_id}")


def reason(phrase: str, rows: Sequence[T], noun: str, label: Callable[[T], str]) -> list[str]:
    """``["2 venues belong to it (A, B)"]`` for ``phrase="{count} belong to it"``; [] if none."""
    if not rows:
        return []
    return [f"{phrase.format(count=count_of(len(rows), noun))} ({names(label(r) for r in rows)})"]


def refusal_text(label: str, reasons: list[str]) -> str | None:
    """Why ``label`` cannot be deleted, or None when nothing stands in the way."""
    if not reasons:
        return None
    return f"{label} cannot be deleted: {'; '.join(reasons)}. Remove those first."


def refuse_delete(refusal: str | None) -> None:
    if refusal:
        raise InUse(refusal)


def names(items: Iterable[str], limit: int = 3) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


Validator = Callable[[dict[str, Any], Checker], None]


def create_record(
    session: Session,
    model: type[T],
    what: str,
    fields: Mapping[str, Any],
    allowed: Sequence[str],
    validate: Validator,
    enums: Mapping[str, type[Enum]] | None = None,
) -> T:
    """Validate ``fields`` as a whole new record, then add it; nothing written on error."""
    values = clean(fields, allowed, f"a {what}")
    check = Checker()
    validate(merged(None, values, allowed), check)
    check.raise_if_any()
    obj = model()
    apply(obj, values, enums)
    session.add(obj)
    session.flush()
    return obj


def update_record(
    session: Session,
    model: type[T],
    record_id: int,
    what: str,
    fields: Mapping[str, Any],
    allowed: Sequence[str],
    validate: Validator,
    enums: Mapping[str, type[Enum]] | None = None,
) -> T:
    """Validate the record as it would be after the change, then change it."""
    obj = get(session, model, record_id, what)
    values = clean(fields, allowed, f"a {what}")
    check = Checker()
    validate(merged(obj, values, allowed), check)
    check.raise_if_any()
    apply(obj, values, enums)
    session.flush()
    return obj
