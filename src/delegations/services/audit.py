"""The audit log: what was done to the data, when, to which records and fields.

Entries never hold values: a person's phone number or dietary needs never reach
the log, only the names of the fields written. ``note`` writes one entry in the
caller's session (the same transaction as the change it records);
``record`` writes one in its own transaction (an export, a restore).

Every operation of the edit spine writes its entries through ``note_rows``
(``services.history``): one per row changed, with the names of the fields the
change wrote, in the operation's own transaction. ``exported`` records the export
of a document that holds personal data. ``entries`` and ``write_csv`` read them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.files import atomic_write
from delegations.model import AuditEntry, Delegation
from delegations.services.changes import OWNERS
from delegations.store import Database
from delegations.store.changelog import RowChange, TableShape

ACTIONS = (
    "create", "update", "delete", "import", "merge", "erase", "purge", "restore",
    "export", "undo", "redo",
)  # fmt: skip
"""Every action the log knows, in the order the window's filter lists them."""

Execute = Callable[[str, tuple[Any, ...]], Any]


def note(
    session: Session,
    action: str,
    record: str = "",
    record_id: int | None = None,
    fields: Iterable[str] = (),
    *,
    change: str = "",
    delegation_id: int | None = None,
    operation: int | None = None,
) -> AuditEntry:
    """Write one entry in ``session`` (names of fields only, never values).

    ``operation``: the number shared with other entries of the same operation
    (default: this entry's own id).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        action=action,
        record=record,
        record_id=record_id,
        change=change,
        fields=",".join(fields),
        delegation_id=delegation_id,
    )
    session.add(entry)
    session.flush()
    entry.operation = entry.id if operation is None else operation
    return entry


def record(
    db: Database,
    action: str,
    record: str = "",
    record_id: int | None = None,
    fields: Iterable[str] = (),
    *,
    change: str = "",
    delegation_id: int | None = None,
) -> None:
    """Write one entry in a transaction of its own (an export, a restore)."""
    with db.transaction() as session:
        note(
            session,
            action,
            record,
            record_id,
            fields,
            change=change,
            delegation_id=delegation_id,
        )


# ------------------------------------------------------------------ exports


def attendee_ids(delegation: Delegation, person_ids: Iterable[int | None]) -> list[int]:
    """The participation ids of ``person_ids`` in ``delegation`` (for an export's entries)."""
    wanted = {p for p in person_ids if p is not None}
    return [p.id for p in delegation.participations if p.person_id in wanted]


def exported(
    db: Database,
    kind: str,
    delegation_id: int | None = None,
    participation_ids: Iterable[int] = (),
) -> str | None:
    """Record the export of a document holding personal data, once it is written.

    One entry per attendee whose personal document it is (``participation_ids``),
    else one for the document. The document is out whatever happens here: a failure
    comes back as a sentence to show as a warning (None: recorded).
    """
    ids: list[int | None] = list(dict.fromkeys(participation_ids)) or [None]
    try:
        with db.transaction() as session:
            first: int | None = None
            for record_id in ids:
                entry = note(
                    session,
                    "export",
                    kind,
                    record_id,
                    delegation_id=delegation_id,
                    operation=first,
                )
                first = entry.operation
    except Exception as exc:  # the document is written: say so, and go on
        from delegations.services.history import storage_message

        return (
            f"the {kind} was written, but its export could not be recorded in the audit log "
            f"({storage_message(exc, db.path)})"
        )
    return None


# ------------------------------------------------------------------ the edit spine

SKIPPED = frozenset({"updated_at", "revision", "search_text", "created_at", "uuid"})
"""Columns never named in an entry: bookkeeping the application writes by itself (an
update that changes only these writes no entry). ``id`` is the record itself."""

_LINKS = {
    "item_participant": ("agenda_item", "agenda_item_id", "participants"),
    "item_host_contact": ("agenda_item", "agenda_item_id", "host_contacts"),
}
"""Rows without an id of their own (an attendee placed in an item, a host contact named
on it): they are part of the item, so the entry is the item's, naming the list changed
("agenda_item #7 · participants"), one per item and operation however many rows."""

_INSERT = (
    "INSERT INTO audit_entry (id, at, operation, action, record, record_id, change, fields, "
    "delegation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _stamp(at: datetime | None = None) -> str:
    """``at`` as the ORM stores an instant (naive UTC, to the second)."""
    moment = (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _fields(shape: TableShape, change: RowChange) -> list[str]:
    """The names of the columns the change wrote (never their values): for an insert
    those given a value, for an update those whose value differs, for a delete none."""
    before, after = change.before, change.after
    if after is None:
        return []
    if before is None:
        return [
            column
            for column, value in zip(shape.columns, after, strict=True)
            if column not in SKIPPED and column != "id" and value is not None and value != ""
        ]
    return [
        column
        for column, old, new in zip(shape.columns, before, after, strict=True)
        if old != new and column not in SKIPPED
    ]


def _record_id(shape: TableShape, image: Sequence[Any]) -> int | None:
    """The id an entry names: the row's ``id``, the id of the record a link row
    belongs to, or the row's first key when it is a number (None for a setting)."""
    link = _LINKS.get(shape.name)
    for column in ("id", link[1] if link else None):
        index = shape.index(column) if column else None
        if index is not None:
            value = image[index]
            return value if isinstance(value, int) else None
    first = image[shape.key[0]] if shape.key else None
    return first if isinstance(first, int) and not isinstance(first, bool) else None


def _delegation_id(
    shape: TableShape,
    image: Sequence[Any],
    record_id: int | None,
    owners: Mapping[str, Mapping[int, int]],
) -> int | None:
    """The delegation a row belongs to, when it names one or its owner is known."""
    if shape.name == "delegation":
        return record_id
    index = shape.index("delegation_id")
    if index is not None:
        value = image[index]
        return value if isinstance(value, int) else None
    owner = OWNERS.get(shape.name)
    if owner is not None:
        kind, column = owner
        index = shape.index(column)
        if index is not None:
            return owners.get(kind, {}).get(image[index])
    return None


def _owners(
    rows: Sequence[RowChange],
    shapes: Mapping[str, TableShape],
    known: Mapping[str, Mapping[int, int]],
) -> dict[str, dict[int, int]]:
    """``known``, with the delegations the rows themselves name for the records that
    own others (an attendee deleted with their travel: the database no longer says)."""
    out = {kind: dict(ids) for kind, ids in known.items()}
    owning = {kind for kind, _column in OWNERS.values()}
    for change in rows:
        if change.table not in owning:
            continue
        shape = shapes[change.table]
        column, key = shape.index("delegation_id"), shape.index("id")
        if column is None or key is None:
            continue
        for image in (change.before, change.after):
            if image is not None and image[column] is not None:
                out.setdefault(change.table, {}).setdefault(image[key], image[column])
    return out


def _next_id(execute: Execute) -> int:
    """The id SQLite would give the next entry (the table uses AUTOINCREMENT; the
    caller's transaction holds the write lock, so nobody takes it meanwhile)."""
    seq = execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_entry'", ()).fetchone()
    top = execute("SELECT max(id) FROM audit_entry", ()).fetchone()
    return max(seq[0] if seq else 0, top[0] or 0) + 1


def note_rows(
    execute: Execute,
    rows: Sequence[RowChange],
    shapes: Mapping[str, TableShape],
    action: str = "",
    owners: Mapping[str, Mapping[int, int]] | None = None,
) -> int:
    """Write one entry per row an operation changed, in the caller's transaction, in
    one ``executemany`` on the session's own connection (no ORM object per row).

    Args:
        execute: the raw sqlite3 connection's ``execute`` (``history._execute``).
        rows: the operation's net rows (``changelog.net_rows``).
        shapes: the tables' shapes.
        action: the operation's action; empty: each row's own (create, update, delete).
        owners: kind → record id → delegation id, for rows that do not name it.

    Returns:
        How many entries were written (they share the first one's id as ``operation``).
    """
    if action and action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    owners = _owners(rows, shapes, owners or {})
    at = _stamp()
    # (record, record id) → [change, verb, fields, delegation id], in the rows' order.
    found: dict[tuple[str, int | None], list[Any]] = {}
    links: list[tuple[tuple[str, int | None], str, int | None]] = []
    for change in rows:
        shape = shapes.get(change.table)
        if shape is None:
            continue
        image = change.after if change.after is not None else change.before
        assert image is not None
        record_id = _record_id(shape, image)
        delegation_id = _delegation_id(shape, image, record_id, owners)
        link = _LINKS.get(change.table)
        if link is not None:
            links.append(((link[0], record_id), link[2], delegation_id))
            continue
        if change.before is None:
            kind, verb = "insert", "create"
        elif change.after is None:
            kind, verb = "delete", "delete"
        else:
            kind, verb = "update", "update"
        fields = _fields(shape, change)
        if kind == "update" and not fields:
            continue  # only bookkeeping changed
        found[(change.table, record_id)] = [kind, verb, fields, delegation_id]
    for key, name, delegation_id in links:
        owner = found.setdefault(key, ["update", "update", [], delegation_id])
        if owner[0] != "delete" and name not in owner[2]:
            owner[2].append(name)  # a deleted item's links go with it: nothing to add
    entries: list[tuple[Any, ...]] = []
    first = _next_id(execute) if found else 0
    for (record, record_id), (kind, verb, fields, delegation_id) in found.items():
        entries.append(
            (
                first + len(entries),
                at,
                first,
                action or verb,
                record,
                record_id,
                kind,
                ",".join(fields),
                delegation_id,
            )
        )
    if entries:
        connection = getattr(execute, "__self__", None)
        if connection is not None and hasattr(connection, "executemany"):
            connection.executemany(_INSERT, entries)
        else:
            for entry in entries:
                execute(_INSERT, entry)
    return len(entries)


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class AuditRow:
    """One entry as the log shows it (``at`` aware, in UTC)."""

    id: int
    at: datetime
    operation: int
    action: str
    record: str
    record_id: int | None
    change: str
    fields: tuple[str, ...]
    delegation_id: int | None

    @property
    def local(self) -> datetime:
        """``at`` in this computer's time zone."""
        return self.at.astimezone()


Bound = date | datetime | None


def _bound(value: Bound, end: bool) -> datetime | None:
    """An instant from a filter: a date is a local day (``end``: up to its end)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.astimezone()
        return value.astimezone(UTC)
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def entries(
    session: Session,
    *,
    action: str | None = None,
    record: str | None = None,
    record_id: int | None = None,
    delegation_id: int | None = None,
    since: Bound = None,
    until: Bound = None,
    limit: int | None = None,
    offset: int = 0,
    before: int | None = None,
) -> list[AuditRow]:
    """The entries that match every filter given, newest first.

    ``since`` and ``until`` are instants, or dates (local days, both included);
    ``limit`` with ``before`` (entries older than that id: the last one shown) or
    ``offset`` page through a long log.
    """
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if action:
        query = query.where(AuditEntry.action == action)
    if record:
        query = query.where(AuditEntry.record == record)
    if record_id is not None:
        query = query.where(AuditEntry.record_id == record_id)
    if delegation_id is not None:
        query = query.where(AuditEntry.delegation_id == delegation_id)
    start, stop = _bound(since, end=False), _bound(until, end=True)
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if stop is not None:
        day = not isinstance(until, datetime)  # a day: up to the next one, excluded
        query = query.where(AuditEntry.at < stop if day else AuditEntry.at <= stop)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditRow(
            e.id,
            e.at,
            e.operation,
            e.action,
            e.record,
            e.record_id,
            e.change,
            tuple(f for f in e.fields.split(",") if f),
            e.delegation_id,
        )
        for e in session.scalars(query)
    ]


def records(session: Session) -> list[str]:
    """The kinds of record the log names (tables and documents), sorted."""
    found = session.scalars(select(AuditEntry.record).distinct().order_by(AuditEntry.record))
    return [r for r in found if r]


CSV_HEADER = (
    "when (UTC)",
    "when (local)",
    "action",
    "record",
    "record id",
    "change",
    "fields",
    "delegation id",
    "operation",
)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def csv_bytes(rows: Iterable[AuditRow]) -> bytes:
    """The rows as CSV: UTF-8 with a BOM (spreadsheets read it), CRLF lines."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                _cell(row.at.isoformat()),
                _cell(row.local.isoformat()),
                _cell(row.action),
                _cell(row.record),
                _cell(row.record_id),
                _cell(row.change),
                _cell(" ".join(row.fields)),
                _cell(row.delegation_id),
                _cell(row.operation),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(session: Session, out: Path, **filters: Any) -> Path:
    """Write the entries matching ``filters`` (as ``entries``) to ``out``: CSV, owner
    only (0600), atomically. The caller refuses ``out`` onto the database
    (``store.outputs.check_output``)."""
    data = csv_bytes(entries(session, **filters))
    with atomic_write(Path(out), "wb", private=True) as handle:
        handle.write(data)
    return Path(out)
