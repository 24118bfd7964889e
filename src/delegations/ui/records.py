"""The four kinds of records in the side bar: their columns, fields and edits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QWidget

from delegations.model import DelegationStatus, OrganisationKind
from delegations.services import InUse, ServiceError, listings, queries
from delegations.store import Database
from delegations.ui.forms import Field, RecordDialog
from delegations.ui.table_models import Column
from delegations.ui.undo import (
    RECORDS,
    CreateRecord,
    DeleteDelegation,
    DeleteRecords,
    Edits,
    UpdateRecord,
)

Confirm = Callable[[str, str], bool]
Inform = Callable[[str, str], None]


@dataclass(frozen=True)
class RecordKind:
    """What the application knows about one kind of record.

    Attributes:
        key: the kind's name in ``undo.RECORDS`` and ``Edits.changed``.
        title: the side bar entry and page heading (plural).
        noun: one record.
        columns: the table's columns.
        rows: reads ``(id, value per column...)`` tuples.
        fields: the edit form's fields, given the database (for pickers).
        describe: how a table row reads in messages.
    """

    key: str
    title: str
    noun: str
    columns: tuple[Column, ...]
    rows: Callable[[Any], list[tuple[Any, ...]]]
    fields: Callable[[Database], list[Field]]
    describe: Callable[[tuple[str, ...]], str]


def _organisations(db: Database) -> Callable[[], list[listings.Choice]]:
    def load() -> list[listings.Choice]:
        with db.session() as session:
            return listings.organisation_choices(session)

    return load


def _people(db: Database) -> Callable[[], list[listings.Choice]]:
    def load() -> list[listings.Choice]:
        with db.session() as session:
            return listings.person_choices(session)

    return load


def organisation_fields(db: Database) -> list[Field]:
    return [
        Field("name", "Name"),
        Field("acronym", "Acronym"),
        Field("kind", "Kind", "enum", enum=OrganisationKind),
        Field("sectors", "Sectors", placeholder="e.g. design, music, audiovisual"),
        Field("city", "City"),
        Field("country", "Country"),
        Field("address", "Address"),
        Field("website", "Website", placeholder="https://"),
        Field("email", "E-mail"),
        Field("phone", "Phone"),
        Field("notes", "Notes", "multiline"),
    ]


def person_fields(db: Database) -> list[Field]:
    return [
        Field("given_name", "Given name"),
        Field("family_name", "Family name"),
        Field("job_title", "Job title"),
        Field("organisation_id", "Organisation", "choice", choices=_organisations(db)),
        Field("email", "E-mail"),
        Field("phone", "Phone"),
        Field("languages", "Languages", placeholder="e.g. French, English"),
        Field("dietary_needs", "Dietary needs"),
        Field("accessibility_needs", "Accessibility needs"),
        Field("consent_data", "Agrees to data processing", "bool"),
        Field("consent_photos", "Agrees to photos", "bool"),
        Field("notes", "Notes", "multiline"),
    ]


def venue_fields(db: Database) -> list[Field]:
    return [
        Field("name", "Name"),
        Field("organisation_id", "Belongs to", "choice", choices=_organisations(db)),
        Field("address", "Address"),
        Field("postcode", "Postcode"),
        Field("city", "City"),
        Field("country", "Country"),
        Field("latitude", "Latitude", "float", placeholder="e.g. 41.3851"),
        Field("longitude", "Longitude", "float", placeholder="e.g. 2.1734"),
        Field("access_notes", "Access notes", "multiline"),
    ]


def delegation_fields(db: Database) -> list[Field]:
    return [
        Field("title", "Title"),
        Field("programme", "Programme", placeholder="e.g. Interreg Europe – CREA"),
        Field(
            "sending_organisation_id",
            "Sending organisation",
            "choice",
            choices=_organisations(db),
        ),
        Field("destination_city", "Destination city"),
        Field("destination_country", "Destination country"),
        Field("timezone", "Time zone", "timezone"),
        Field("start_date", "Start date", "date"),
        Field("end_date", "End date", "date"),
        Field("status", "Status", "enum", enum=DelegationStatus),
        Field("lead_officer_id", "Lead officer", "choice", choices=_people(db)),
        Field("objectives", "Objectives", "multiline"),
        Field("emergency_contacts", "Emergency contacts", "multiline"),
        Field("notes", "Notes", "multiline"),
    ]


def _delegation_rows(session: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r.id,
            r.title,
            r.destination_city,
            r.start_date,
            r.end_date,
            r.status,
            r.attendees,
            r.items,
        )
        for r in queries.list_delegations(session)
    ]


KINDS: dict[str, RecordKind] = {
    "delegation": RecordKind(
        "delegation",
        "Delegations",
        "delegation",
        (
            Column("Title", stretch=True),
            Column("Destination"),
            Column("Starts"),
            Column("Ends"),
            Column("Status"),
            Column("Attendees", align_right=True, searchable=False),
            Column("Items", align_right=True, searchable=False),
        ),
        _delegation_rows,
        delegation_fields,
        lambda cells: f"“{cells[0]}”",
    ),
    "person": RecordKind(
        "person",
        "People",
        "person",
        (
            Column("Family name"),
            Column("Given name"),
            Column("Job title"),
            Column("Organisation", stretch=True),
            Column("E-mail"),
            Column("Phone"),
        ),
        listings.people_rows,
        person_fields,
        lambda cells: f"{cells[1]} {cells[0]}".strip(),
    ),
    "organisation": RecordKind(
        "organisation",
        "Organisations",
        "organisation",
        (
            Column("Name", stretch=True),
            Column("Acronym"),
            Column("Kind"),
            Column("City"),
            Column("Country"),
        ),
        listings.organisation_rows,
        organisation_fields,
        lambda cells: cells[0],
    ),
    "venue": RecordKind(
        "venue",
        "Venues",
        "venue",
        (
            Column("Name"),
            Column("Address", stretch=True),
            Column("City"),
            Column("Country"),
            Column("Belongs to"),
        ),
        listings.venue_rows,
        venue_fields,
        lambda cells: cells[0],
    ),
}


def changed_fields(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (old, new) values of the fields that differ, enums compared by value."""

    def norm(value: Any) -> Any:
        return getattr(value, "value", value)

    names = [n for n in new if norm(new[n]) != norm(old.get(n))]
    return {n: old.get(n) for n in names}, {n: new[n] for n in names}


def plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {'people' if noun == 'person' else noun + 's'}"


def listing(labels: Sequence[str], limit: int = 8) -> str:
    shown = "\n".join(f"  • {label}" for label in labels[:limit])
    more = len(labels) - limit
    return shown + (f"\n  … and {more} more" if more > 0 else "")


class RecordActions:
    """New, edit and delete for one kind of record, through undoable commands.

    Args:
        kind: the kind of record.
        edits: the undo stack and database.
        parent: the window that owns the dialogs.
        confirm: asks a yes/no question (title, text) → yes?
        inform: shows a message (title, text).
    """

    def __init__(
        self,
        kind: RecordKind,
        edits: Edits,
        parent: QWidget,
        confirm: Confirm,
        inform: Inform,
    ) -> None:
        self.kind = kind
        self.edits = edits
        self.parent = parent
        self.confirm = confirm
        self.inform = inform

    @property
    def db(self) -> Database:
        return self.edits.db

    def new_dialog(self, values: dict[str, Any] | None = None) -> RecordDialog:
        """A dialog that creates a record when accepted (not shown yet)."""
        defaults = dict(values or {})
        if self.kind.key == "delegation":
            defaults.setdefault("timezone", "Europe/Brussels")

        def save(fields: dict[str, Any]) -> Any:
            label = self._label(fields)
            command = CreateRecord(self.edits, self.kind.key, fields, label)
            obj = self.edits.run(command)
            return obj.id

        return RecordDialog(
            f"New {self.kind.noun}", self.kind.fields(self.db), save, defaults, self.parent
        )

    def edit_dialog(self, record_id: int) -> RecordDialog:
        """A dialog that edits record ``record_id`` when accepted (not shown yet)."""
        model, module = RECORDS[self.kind.key]
        with self.db.session() as session:
            old = listings.record_values(session, model, record_id, module.FIELDS)
        current = {"id": record_id}

        def save(fields: dict[str, Any]) -> Any:
            before, after = changed_fields(old, fields)
            if after:
                label = self._label({**old, **fields})
                self.edits.run(
                    UpdateRecord(self.edits, self.kind.key, current["id"], before, after, label)
                )
                old.update(after)
            return current["id"]

        return RecordDialog(
            f"Edit {self.kind.noun} – {self._label(old)}",
            self.kind.fields(self.db),
            save,
            old,
            self.parent,
        )

    def delete(self, ids: Sequence[int], labels: Sequence[str]) -> bool:
        """Ask, then delete ``ids``; says why instead when they cannot be deleted."""
        if not ids:
            return False
        what = plural(len(ids), self.kind.noun)
        refused = self.dry_run(ids)
        if refused:
            self.inform(f"Cannot delete {what}", refused)
            return False
        if self.kind.key == "delegation":
            text = self._delegation_summary(ids)
        else:
            text = f"Delete {what}?\n\n{listing(labels)}"
        text += "\n\nYou can undo this with Edit ▸ Undo (Ctrl+Z)."
        if not self.confirm(f"Delete {what}", text):
            return False
        try:
            if self.kind.key == "delegation":
                self.edits.stack.beginMacro(f"delete {what}")
                try:
                    for record_id, label in zip(ids, labels, strict=False):
                        self.edits.run(DeleteDelegation(self.edits, record_id, label.strip("“”")))
                finally:
                    self.edits.stack.endMacro()
            else:
                label = labels[0] if len(labels) == 1 else what
                self.edits.run(DeleteRecords(self.edits, self.kind.key, ids, label))
        except ServiceError as exc:
            self.inform(f"Cannot delete {what}", str(exc))
            return False
        return True

    def dry_run(self, ids: Sequence[int]) -> str | None:
        """Try the delete in a transaction that is rolled back; the refusal, if any."""
        module = RECORDS[self.kind.key][1]
        session = self.db.session()
        try:
            session.begin()
            reasons = []
            for record_id in ids:
                try:
                    module.delete(session, record_id)
                except InUse as exc:
                    reasons.append(str(exc))
            return "\n\n".join(reasons) or None
        finally:
            session.rollback()
            session.close()

    def _delegation_summary(self, ids: Sequence[int]) -> str:
        with self.db.session() as session:
            rows = {r.id: r for r in queries.list_delegations(session)}
        lines = []
        for record_id in ids:
            row = rows.get(record_id)
            if row is not None:
                lines.append(
                    f"“{row.title}” with its {plural(row.attendees, 'attendee')} and "
                    f"{plural(row.items, 'agenda item')}"
                )
        return "Delete " + "; ".join(lines) + "?\n\nThe people, organisations and venues stay."

    def _label(self, fields: dict[str, Any]) -> str:
        if self.kind.key == "person":
            return f"{fields.get('given_name', '')} {fields.get('family_name', '')}".strip()
        if self.kind.key == "delegation":
            return f"“{fields.get('title', '')}”"
        return str(fields.get("name", ""))
