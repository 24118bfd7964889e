"""The four kinds of records in the side bar: columns, fields, pages and their edits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any

from PySide6.QtWidgets import QWidget

from delegations.model import DelegationStatus, OrganisationKind, count_of
from delegations.services import listings, queries
from delegations.services import operations as ops
from delegations.services.changes import Changes
from delegations.services.storage import Database
from delegations.ui import actions
from delegations.ui.editors import next_weekday
from delegations.ui.forms import Field, RecordDialog
from delegations.ui.runner import ChangeEvent, Runner
from delegations.ui.table_models import Column, Row
from delegations.ui.tables import RecordListPage

Confirm = Callable[[str, str], bool]
Inform = Callable[[str, str], None]
Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class Touched:
    """The rows of a page a change concerns: re-read these, drop those."""

    ids: frozenset[int]
    organisation_ids: frozenset[int]
    removed: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.ids or self.organisation_ids or self.removed)


@dataclass(frozen=True)
class RecordKind:
    """What the application knows about one kind of record.

    Attributes:
        key: the record kind ("person"), as in ``Changes`` and ``operations.RECORDS``.
        title: the side bar entry and page heading (plural).
        noun: one record.
        columns: the table's columns.
        rows: reads ``(id, value per column...)`` tuples: all, or those of the ids given.
        fields: the edit form's fields, given the database (for pickers).
        describe: how a table row reads in messages.
        natural: the order the rows come in (to place a new row without re-reading).
        touched: which rows a change concerns.
    """

    key: str
    title: str
    noun: str
    columns: tuple[Column, ...]
    rows: Callable[..., Rows]
    fields: Callable[[Database], list[Field]]
    describe: Callable[[tuple[str, ...]], str]
    natural: Callable[[Row], Any]
    touched: Callable[[Changes], Touched]


def _touched_records(kind: str, via_organisation: bool = False) -> Callable[[Changes], Touched]:
    def touched(changes: Changes) -> Touched:
        ids = changes.created.get(kind, frozenset()) | changes.updated.get(kind, frozenset())
        orgs = changes.updated.get("organisation", frozenset()) if via_organisation else frozenset()
        return Touched(ids, orgs, changes.deleted.get(kind, frozenset()))

    return touched


def _touched_delegations(changes: Changes) -> Touched:
    removed = changes.deleted.get("delegation", frozenset())
    return Touched(changes.delegations - removed, frozenset(), removed)


def _chooser(db: Database, read: Callable[[Any], list[listings.Choice]]) -> Callable[[], Any]:
    def load() -> list[listings.Choice]:
        with db.session() as session:
            return read(session)

    return load


NEW_FROM_FIELD: dict[str, str] = {
    "organisation_id": "organisation",
    "sending_organisation_id": "organisation",
    "host_organisation_id": "organisation",
    "lead_officer_id": "person",
    "venue_id": "venue",
    "dropoff_venue_id": "venue",
}
"""The kind of record a choice field of this name refers to (its "New…" button makes one)."""


def new_record_dialog(
    runner: Runner, key: str, parent: QWidget, values: dict[str, Any] | None = None
) -> RecordDialog:
    """A dialog creating a ``key`` record from inside another dialog (not shown yet).

    It saves through the runner like every edit; its ``saved`` signal carries the
    new record's id.
    """
    kind = KINDS[key]

    def save(fields: dict[str, Any]) -> Any:
        outcome = runner.run(ops.create(key, fields), parent, in_form=True)
        assert outcome is not None
        return outcome.result

    fields = with_new_buttons(kind.fields(runner.db), runner)
    return RecordDialog(f"New {kind.noun}", fields, save, values, parent)


def with_new_buttons(fields: Sequence[Field], runner: Runner) -> list[Field]:
    """``fields``, where a choice of an organisation, person or venue can create one."""
    linked = []
    for spec in fields:
        key = NEW_FROM_FIELD.get(spec.name)
        if key is not None and spec.kind == "choice" and spec.create is None:
            spec = replace(spec, create=partial(new_record_dialog, runner, key))
        linked.append(spec)
    return linked


def organisation_fields(db: Database) -> list[Field]:
    return [
        Field("name", "Name"),
        Field("acronym", "Acronym"),
        Field(
            "short_name",
            "Short name (badges)",
            placeholder="printed on badges when the full name would be too small",
        ),
        Field("kind", "Kind", "enum", enum=OrganisationKind),
        Field("sectors", "Sectors", placeholder="e.g. design, music, audiovisual"),
        Field("city", "City"),
        Field("country", "Country"),
        Field("region", "Region", placeholder="e.g. CT (for its public holidays)"),
        Field("address", "Address"),
        Field("website", "Website", placeholder="https://"),
        Field("email", "E-mail"),
        Field("phone", "Phone"),
        Field("opening_hours", "Opening hours", placeholder="e.g. Mon-Fri 09:00-18:00"),
        Field(
            "closed_dates",
            "Closed on",
            placeholder="e.g. 2027-08-01..2027-08-31, 2027-12-24",
        ),
        Field("notes", "Notes", "multiline"),
    ]


def person_fields(db: Database) -> list[Field]:
    organisations = _chooser(db, listings.organisation_choices)
    return [
        Field("given_name", "Given name"),
        Field("family_name", "Family name"),
        Field("job_title", "Job title"),
        Field("organisation_id", "Organisation", "choice", choices=organisations),
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
    organisations = _chooser(db, listings.organisation_choices)
    return [
        Field("name", "Name"),
        Field("organisation_id", "Belongs to", "choice", choices=organisations),
        Field("address", "Address"),
        Field("postcode", "Postcode"),
        Field("city", "City"),
        Field("country", "Country"),
        Field("latitude", "Latitude", "float", placeholder="e.g. 41.3851"),
        Field("longitude", "Longitude", "float", placeholder="e.g. 2.1734"),
        Field("capacity", "Capacity", "int", placeholder="how many people it holds, e.g. 40"),
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
            choices=_chooser(db, listings.organisation_choices),
        ),
        Field("destination_city", "Destination city"),
        Field("destination_country", "Destination country"),
        Field(
            "timezone",
            "Time zone",
            "timezone",
            follows=("destination_country", "destination_city"),
        ),
        Field("start_date", "Start date", "date", near=lambda: next_weekday(0)),
        Field(
            "end_date",
            "End date",
            "date",
            follows="start_date",
            near=lambda: next_weekday(0) + timedelta(days=1),
        ),
        Field("status", "Status", "enum", enum=DelegationStatus),
        Field(
            "lead_officer_id",
            "Lead officer",
            "choice",
            choices=_chooser(db, listings.person_choices),
        ),
        Field("objectives", "Objectives", "multiline"),
        Field(
            "dress_code",
            "Dress code",
            placeholder="e.g. Business casual (agenda items may say otherwise)",
        ),
        Field("emergency_contacts", "Emergency contacts", "multiline"),
        Field("notes", "Notes", "multiline"),
    ]


def _delegation_rows(session: Any, ids: Any = None, organisation_ids: Any = None) -> Rows:
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
        for r in queries.list_delegations(session, ids)
    ]


def _organisation_rows(session: Any, ids: Any = None, organisation_ids: Any = None) -> Rows:
    return listings.organisation_rows(session, ids)


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
        lambda row: (-row.values[2].toordinal(), row.values[0], row.id),
        _touched_delegations,
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
        lambda row: (row.values[0], row.values[1], row.id),
        _touched_records("person", via_organisation=True),
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
        _organisation_rows,
        organisation_fields,
        lambda cells: cells[0],
        lambda row: (row.values[0], row.id),
        _touched_records("organisation"),
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
        lambda row: (row.values[0], row.id),
        _touched_records("venue", via_organisation=True),
    ),
}


def listing(labels: Sequence[str], limit: int = 8) -> str:
    shown = "\n".join(f"  • {label}" for label in labels[:limit])
    more = len(labels) - limit
    return shown + (f"\n  … and {more} more" if more > 0 else "")


class RecordPage(RecordListPage):
    """The side bar page of one kind of record: its table, new, edit and delete.

    Args:
        kind: the kind of record.
        runner: runs the edits.
        open_dialog: shows a dialog without blocking (the window keeps track of it).
        confirm: asks a yes/no question (title, text) → yes?
        inform: shows a message (title, text).
        open_record: what "edit" does instead of a dialog (a delegation opens its workspace).
    """

    def __init__(
        self,
        kind: RecordKind,
        runner: Runner,
        open_dialog: Callable[[RecordDialog], RecordDialog],
        confirm: Confirm,
        inform: Inform,
        open_record: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(kind.title, kind.columns, kind.noun)
        self.kind = kind
        self.runner = runner
        self.open_dialog = open_dialog
        self.confirm = confirm
        self.inform = inform
        self.open_record = open_record
        self.loaded = False
        self.model.natural = kind.natural
        self.describe = lambda row: kind.describe(row.cells)
        self.new_requested.connect(self.new)
        self.edit_requested.connect(self.edit_record)
        self.delete_requested.connect(self.delete_ids)

    @property
    def db(self) -> Database:
        return self.runner.db

    # the page protocol ------------------------------------------------------------
    def activate(self) -> None:
        """Read the rows when the page is first shown."""
        if not self.loaded:
            self.reload()

    def reload(self) -> None:
        with self.db.session() as session:
            self.set_records(self.kind.rows(session))
        self.loaded = True

    def apply(self, event: ChangeEvent) -> None:
        """Re-read only the rows the change touched (nothing if never shown)."""
        if not self.loaded:
            return
        touched = self.kind.touched(event.changes)
        if not touched:
            return
        rows: Rows = []
        if touched.ids or touched.organisation_ids:
            with self.db.session() as session:
                rows = self.kind.rows(session, touched.ids, touched.organisation_ids)
        keep = self.table.selected_ids()
        self.model.upsert(rows, touched.removed)
        if not self._sized and self.model.rowCount():
            self.table.size_columns()
            self._sized = True
        self.table.select_ids(keep)
        self._update_count()

    def new(self) -> None:
        self.open_dialog(self.new_dialog())

    def edit(self) -> None:
        self.request_edit()

    def delete(self) -> None:
        self.request_delete()

    # dialogs ----------------------------------------------------------------------
    def new_dialog(self, values: dict[str, Any] | None = None) -> RecordDialog:
        """A dialog that creates a record when accepted (not shown yet)."""
        defaults = dict(values or {})
        if self.kind.key == "delegation":
            defaults.setdefault("timezone", "Europe/Brussels")

        def save(fields: dict[str, Any]) -> Any:
            outcome = self.runner.run(ops.create(self.kind.key, fields), self, in_form=True)
            assert outcome is not None
            self.select_ids([outcome.result])
            if self.open_record is not None:
                self.open_record(outcome.result)
            return outcome.result

        fields = with_new_buttons(self.kind.fields(self.db), self.runner)
        return RecordDialog(f"New {self.kind.noun}", fields, save, defaults, self)

    def edit_dialog(self, record_id: int) -> RecordDialog:
        """A dialog that edits record ``record_id`` when accepted (not shown yet)."""
        with self.db.session() as session:
            old = ops.record_values(session, self.kind.key, record_id)

        def save(fields: dict[str, Any]) -> Any:
            self.runner.run(ops.update(self.kind.key, record_id, fields), self, in_form=True)
            return record_id

        return RecordDialog(
            f"Edit {self.kind.noun} – {ops.name_of(self.kind.key, old)}",
            with_new_buttons(self.kind.fields(self.db), self.runner),
            save,
            old,
            self,
        )

    def edit_record(self, record_id: int) -> None:
        if self.open_record is not None:
            self.open_record(record_id)
        else:
            self.open_dialog(self.edit_dialog(record_id))

    def delete_ids(self, ids: Sequence[int]) -> bool:
        """Ask, then delete ``ids``; says why instead when they cannot be deleted."""
        if not ids:
            return False
        what = count_of(len(ids), self.kind.noun)
        with self.db.session() as session:
            refused = ops.delete_refusal(session, self.kind.key, ids)
        if refused:
            self.inform(f"Cannot delete {what}", refused)
            return False
        if self.kind.key == "delegation":
            text = self._delegation_summary(ids)
        else:
            text = f"Delete {what}?\n\n{listing(self.labels(ids))}"
        text += f"\n\nYou can undo this with {actions.hint('undo')}."
        if not self.confirm(f"Delete {what}", text):
            return False
        return self.runner.run(ops.delete(self.kind.key, ids), self) is not None

    def _delegation_summary(self, ids: Sequence[int]) -> str:
        with self.db.session() as session:
            rows = queries.list_delegations(session, ids)
        lines = [
            f"“{row.title}” with its {count_of(row.attendees, 'attendee')} and "
            f"{count_of(row.items, 'agenda item')}"
            for row in rows
        ]
        return "Delete " + "; ".join(lines) + "?\n\nThe people, organisations and venues stay."


def make_page(
    key: str,
    runner: Runner,
    open_dialog: Callable[[RecordDialog], RecordDialog],
    confirm: Confirm,
    inform: Inform,
    open_record: Callable[[int], None] | None = None,
    parent: QWidget | None = None,
) -> RecordPage:
    page = RecordPage(KINDS[key], runner, open_dialog, confirm, inform, open_record)
    if parent is not None:
        page.setParent(parent)
    return page
