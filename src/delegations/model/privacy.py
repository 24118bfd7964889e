"""What the database keeps about its own keeping of personal data.

``AuditEntry``: one line of the audit log. Every operation of the edit spine
(create, update, delete, import, merge, erase, purge, undo, redo), every restore
and every export of a document holding personal data writes entries: when, what
was done, to which record (table and id) and which fields, never the values
themselves. The table is not watched by the change recorder, so undo never takes
an entry back (an undo writes entries of its own).

``Preference``: a setting that belongs to the data rather than to one computer
(how many automatic backups to keep, how long sensitive data is kept), so the
window and the command line honour the same values.

``ErasedRecord``: the uuid of a record erased with its person (the person, their
participations, their journeys). A package exported before the erasure still holds
those uuids: every import leaves such records out, so an erased person cannot come
back. A bare uuid is a random number that names nobody: once the records it
identified are gone (or, for an anonymised person, carry new uuids) it is not
personal data, so it is kept for good. The table is not watched by the change
recorder: undo never touches it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from delegations.model.base import Base
from delegations.model.types import utc_now


class AuditEntry(Base):
    """One thing done to the data: when, what, which record, which fields (no values)."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_record", "record", "record_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    operation: Mapped[int] = mapped_column(Integer, default=0)
    """Entries written by the same operation share this number (the first entry's id)."""
    action: Mapped[str] = mapped_column(String(20))
    """What the user did: create, update, delete, import, merge, erase, purge, restore,
    export, undo, redo."""
    record: Mapped[str] = mapped_column(String(40), default="")
    """The table of the record (``person``, ``participation``…), or for an export the
    kind of document (``itinerary``, ``badges``…)."""
    record_id: Mapped[int | None] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(10), default="")
    """What happened to the row: ``insert``, ``update`` or ``delete`` (empty for an export)."""
    fields: Mapped[str] = mapped_column(Text, default="")
    """The names of the fields written, comma-separated; never their values."""
    delegation_id: Mapped[int | None] = mapped_column(Integer)
    """The delegation concerned, when there is one (kept after the delegation is deleted)."""


class Preference(Base):
    """A setting stored with the data (``services.preferences`` knows the keys)."""

    __tablename__ = "preference"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ErasedRecord(Base):
    """The uuid of a person, participation or journey erased (no other data)."""

    __tablename__ = "erased_record"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    """Canonical form (lower-case, hyphenated)."""
    erased_at: Mapped[datetime] = mapped_column(default=utc_now)
