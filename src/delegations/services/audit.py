"""The audit log: what was done to the data, when, to which records and fields.

Entries never hold values: a person's phone number or dietary needs never reach
the log, only the names of the fields written. ``note`` writes one entry in the
caller's session (the same transaction as the change it records);
``record`` writes one in its own transaction (an export, a restore).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from delegations.model import AuditEntry
from delegations.store import Database

ACTIONS = (
    "create", "update", "delete", "import", "merge", "erase", "purge", "restore",
    "export", "undo", "redo",
)  # fmt: skip
"""Every action the log knows, in the order the window's filter lists them."""


def note(
    session: Session,
    action: str,
    record: str = "",
    record_id: int | None = None,
    fields: Iterable[str] = (),
    *,
    change: str = "",
    delegation_id: int | None = None,
) -> AuditEntry:
    """Write one entry in ``session`` (names of fields only, never values)."""
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
    entry.operation = entry.id
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
