"""Undoable edits: each command's redo calls a service and its undo the inverse.

Every edit runs in its own transaction and is committed at once, so nothing but
the edit being typed is lost on a crash. ``Edits.run`` performs a command's first
redo itself, so that a ``ValidationError`` reaches the form that asked for it
and a refused edit never lands on the undo stack.

Re-creating a record (undoing a delete, redoing a create) gives it a new id;
``Edits`` remembers old id → new id so that older commands still find it, and the
record keeps its UUID (calendars and packages key on it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from delegations.model import (
    AgendaItem,
    Delegation,
    Organisation,
    Participation,
    Person,
    TravelDirection,
    Venue,
)
from delegations.services import (
    ServiceError,
    agenda,
    delegations,
    listings,
    organisations,
    package,
    participations,
    people,
    queries,
    venues,
)
from delegations.services.base import get
from delegations.store import Database, Session

RECORDS: dict[str, tuple[type[Any], ModuleType]] = {
    "organisation": (Organisation, organisations),
    "person": (Person, people),
    "venue": (Venue, venues),
    "delegation": (Delegation, delegations),
}
REFERENCES = {
    "organisation_id": "organisation",
    "sending_organisation_id": "organisation",
    "host_organisation_id": "organisation",
    "lead_officer_id": "person",
    "venue_id": "venue",
}
LIST_REFERENCES = {"participant_ids": "participation", "host_contact_ids": "person"}


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn a database failure (busy, read-only, full disk) into a message for people."""
    try:
        yield
    except ServiceError:
        raise
    except Exception as exc:
        detail = getattr(exc, "orig", None)
        if not isinstance(detail, sqlite3.Error):
            raise
        raise ServiceError(
            f"the change could not be saved ({detail}); nothing was written. "
            "Check that the database file is writable and not in use by another program."
        ) from exc


class Edits(QObject):
    """The undo stack and the database it edits.

    Args:
        db: the open database.
        parent: the Qt parent.

    Signals:
        changed(object): a frozenset of the kinds of records ("person", "item", ...)
            that an edit, undo or redo changed.
        failed(str): an undo or redo could not be done; the message says why.
    """

    changed = Signal(object)
    failed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.stack = QUndoStack(self)
        self._ids: dict[tuple[str, int], int] = {}

    def run(self, command: EditCommand) -> Any:
        """Do ``command`` now and put it on the undo stack; service errors propagate."""
        with storage_errors(), self.db.transaction() as session:
            result = command.apply(session)
        command.skip_next_redo = True
        self.stack.push(command)
        command.announce()
        return result

    def resolve(self, kind: str, record_id: int) -> int:
        """The current id of a record that may have been re-created since."""
        seen = 0
        while (kind, record_id) in self._ids and seen < 1000:
            record_id = self._ids[(kind, record_id)]
            seen += 1
        return record_id

    def remap(self, kind: str, old_id: int, new_id: int) -> None:
        if old_id != new_id:
            self._ids[(kind, old_id)] = new_id

    def resolve_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """``fields`` with references to re-created records brought up to date."""
        out = dict(fields)
        for name, kind in REFERENCES.items():
            if out.get(name) is not None:
                out[name] = self.resolve(kind, out[name])
        for name, kind in LIST_REFERENCES.items():
            if out.get(name):
                out[name] = [self.resolve(kind, i) for i in out[name]]
        return out


class EditCommand(QUndoCommand):
    """A command whose redo is ``apply`` and whose undo is ``revert``.

    Args:
        edits: the ``Edits`` that runs it.
        text: what the Edit menu shows ("Undo <text>").
        kinds: the kinds of records it changes.
    """

    def __init__(self, edits: Edits, text: str, kinds: Iterable[str]) -> None:
        super().__init__(text)
        self.edits = edits
        self.kinds = tuple(kinds)
        self.skip_next_redo = False

    def apply(self, session: Session) -> Any:
        raise NotImplementedError

    def revert(self, session: Session) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self.skip_next_redo:
            self.skip_next_redo = False
            return
        self._run(self.apply, "redo")

    def undo(self) -> None:
        self._run(self.revert, "undo")

    def announce(self) -> None:
        self.edits.changed.emit(frozenset(self.kinds))

    def _run(self, step: Any, verb: str) -> None:
        try:
            with storage_errors(), self.edits.db.transaction() as session:
                step(session)
        except ServiceError as exc:
            self.edits.failed.emit(f"Could not {verb} “{self.text()}”: {exc}")
        self.announce()


# ------------------------------------------------------------------ simple records


class CreateRecord(EditCommand):
    """Create an organisation, person, venue or delegation."""

    def __init__(self, edits: Edits, kind: str, fields: dict[str, Any], label: str) -> None:
        super().__init__(edits, f"add {label}", [kind])
        self.kind = kind
        self.fields = fields
        self.record_id: int | None = None
        self.uuid: str | None = None

    def apply(self, session: Session) -> Any:
        module = RECORDS[self.kind][1]
        obj = module.create(session, **self.edits.resolve_fields(self.fields))
        if self.record_id is None:
            self.record_id, self.uuid = obj.id, obj.uuid
        else:
            listings.set_uuid(session, obj, self.uuid)
            self.edits.remap(self.kind, self.record_id, obj.id)
        return obj

    def revert(self, session: Session) -> None:
        assert self.record_id is not None
        RECORDS[self.kind][1].delete(session, self.edits.resolve(self.kind, self.record_id))


class UpdateRecord(EditCommand):
    """Change fields of one record; undo puts the old values back."""

    def __init__(
        self,
        edits: Edits,
        kind: str,
        record_id: int,
        old: dict[str, Any],
        new: dict[str, Any],
        label: str,
    ) -> None:
        super().__init__(edits, f"edit {label}", [kind])
        self.kind, self.record_id, self.old, self.new = kind, record_id, old, new

    def apply(self, session: Session) -> Any:
        module = RECORDS[self.kind][1]
        return module.update(
            session,
            self.edits.resolve(self.kind, self.record_id),
            **self.edits.resolve_fields(self.new),
        )

    def revert(self, session: Session) -> None:
        module = RECORDS[self.kind][1]
        module.update(
            session,
            self.edits.resolve(self.kind, self.record_id),
            **self.edits.resolve_fields(self.old),
        )


class DeleteRecords(EditCommand):
    """Delete organisations, people or venues; undo re-creates them with their UUIDs."""

    def __init__(self, edits: Edits, kind: str, ids: Sequence[int], label: str) -> None:
        super().__init__(edits, f"delete {label}", [kind])
        self.kind, self.ids = kind, list(ids)
        self.saved: list[tuple[int, dict[str, Any], str | None]] = []

    def apply(self, session: Session) -> None:
        model, module = RECORDS[self.kind]
        self.saved = []
        for record_id in self.ids:
            current = self.edits.resolve(self.kind, record_id)
            values = listings.record_values(session, model, current, module.FIELDS)
            uuid = listings.record_uuid(session, model, current)
            module.delete(session, current)
            self.saved.append((record_id, values, uuid))

    def revert(self, session: Session) -> None:
        module = RECORDS[self.kind][1]
        for record_id, values, uuid in self.saved:
            obj = module.create(session, **self.edits.resolve_fields(values))
            listings.set_uuid(session, obj, uuid)
            self.edits.remap(self.kind, record_id, obj.id)


class DeleteDelegation(EditCommand):
    """Delete a delegation with its attendees and agenda; undo restores it from a package."""

    def __init__(self, edits: Edits, delegation_id: int, title: str) -> None:
        super().__init__(edits, f"delete “{title}”", ["delegation", "participation", "item"])
        self.record_id = delegation_id
        self.document: dict[str, Any] | None = None
        self.old_ids: dict[tuple[str, str], int] = {}

    def apply(self, session: Session) -> None:
        current = self.edits.resolve("delegation", self.record_id)
        loaded = queries.load_delegation(session, current)
        self.old_ids = {("delegation", loaded.uuid): self.record_id}
        for p in loaded.participations:
            self.old_ids.setdefault(("participation", p.uuid), p.id)
        for item in loaded.items:
            self.old_ids.setdefault(("item", item.uuid), item.id)
        self.document = package.to_document(loaded)
        delegations.delete(session, current)

    def revert(self, session: Session) -> None:
        assert self.document is not None
        restored = package.import_document(session, self.document)
        self._remap("delegation", restored.uuid, restored.id)
        for p in restored.participations:
            self._remap("participation", p.uuid, p.id)
        for item in restored.items:
            self._remap("item", item.uuid, item.id)

    def _remap(self, kind: str, uuid: str, new_id: int) -> None:
        old = self.old_ids.get((kind, uuid))
        if old is not None:
            self.edits.remap(kind, old, new_id)


# ------------------------------------------------------------------ attendees


class AddAttendee(EditCommand):
    """Add a person to a delegation, creating the person first when ``person_fields`` is given."""

    def __init__(
        self,
        edits: Edits,
        delegation_id: int,
        person_id: int | None,
        fields: dict[str, Any],
        label: str,
        person_fields: dict[str, Any] | None = None,
    ) -> None:
        kinds = ["participation", "person"] if person_fields else ["participation"]
        super().__init__(edits, f"add {label} to the delegation", kinds)
        self.delegation_id, self.person_id, self.fields = delegation_id, person_id, fields
        self.person_fields = person_fields
        self.new_person: tuple[int, str] | None = None
        self.participation: tuple[int, str] | None = None

    def apply(self, session: Session) -> Participation:
        person_id = self.person_id
        if self.person_fields is not None:
            person = people.create(session, **self.edits.resolve_fields(self.person_fields))
            if self.new_person is None:
                self.new_person = (person.id, person.uuid)
            else:
                listings.set_uuid(session, person, self.new_person[1])
                self.edits.remap("person", self.new_person[0], person.id)
            person_id = self.new_person[0]
        assert person_id is not None
        participation = participations.add(
            session,
            self.edits.resolve("delegation", self.delegation_id),
            self.edits.resolve("person", person_id),
            **self.fields,
        )
        if self.participation is None:
            self.participation = (participation.id, participation.uuid)
        else:
            listings.set_uuid(session, participation, self.participation[1])
            self.edits.remap("participation", self.participation[0], participation.id)
        return participation

    def revert(self, session: Session) -> None:
        assert self.participation is not None
        participations.remove(session, self.edits.resolve("participation", self.participation[0]))
        if self.new_person is not None:
            people.delete(session, self.edits.resolve("person", self.new_person[0]))


class UpdateAttendees(EditCommand):
    """Change role, status, hotel ... of one or several attendees at once."""

    def __init__(
        self,
        edits: Edits,
        old: dict[int, dict[str, Any]],
        new: dict[str, Any],
        label: str,
    ) -> None:
        super().__init__(edits, f"edit {label}", ["participation"])
        self.old, self.new = old, new

    def apply(self, session: Session) -> Any:
        ids = [self.edits.resolve("participation", i) for i in self.old]
        return participations.update_many(session, ids, **self.new)

    def revert(self, session: Session) -> None:
        for pid, values in self.old.items():
            participations.update(session, self.edits.resolve("participation", pid), **values)


class SetTravel(EditCommand):
    """Set, replace or clear an attendee's arrival or departure journey."""

    def __init__(
        self,
        edits: Edits,
        participation_id: int,
        direction: TravelDirection,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        label: str,
    ) -> None:
        super().__init__(edits, f"change the {direction.value} of {label}", ["participation"])
        self.record_id, self.direction, self.old, self.new = participation_id, direction, old, new

    def _set(self, session: Session, values: dict[str, Any] | None) -> None:
        pid = self.edits.resolve("participation", self.record_id)
        if values is None:
            participations.clear_travel(session, pid, self.direction)
        else:
            participations.set_travel(session, pid, self.direction, **values)

    def apply(self, session: Session) -> None:
        self._set(session, self.new)

    def revert(self, session: Session) -> None:
        self._set(session, self.old)


class EditAttendee(EditCommand):
    """Change one attendee's details and journeys together (all or nothing)."""

    def __init__(
        self,
        edits: Edits,
        participation_id: int,
        old: dict[str, Any],
        new: dict[str, Any],
        old_travel: dict[TravelDirection, dict[str, Any] | None],
        new_travel: dict[TravelDirection, dict[str, Any] | None],
        label: str,
    ) -> None:
        super().__init__(edits, f"edit {label}", ["participation"])
        self.record_id, self.old, self.new = participation_id, old, new
        self.old_travel, self.new_travel = old_travel, new_travel

    def _write(
        self,
        session: Session,
        fields: dict[str, Any],
        travel: dict[TravelDirection, dict[str, Any] | None],
    ) -> None:
        pid = self.edits.resolve("participation", self.record_id)
        if fields:
            participations.update(session, pid, **fields)
        for direction, values in travel.items():
            if values is None:
                participations.clear_travel(session, pid, direction)
            else:
                participations.set_travel(session, pid, direction, **values)

    def apply(self, session: Session) -> None:
        self._write(session, self.new, self.new_travel)

    def revert(self, session: Session) -> None:
        self._write(session, self.old, self.old_travel)


class RemoveAttendees(EditCommand):
    """Remove attendees; undo adds them back with travel, hotel and agenda places."""

    def __init__(self, edits: Edits, ids: Sequence[int], label: str) -> None:
        super().__init__(edits, f"remove {label}", ["participation", "item"])
        self.ids = list(ids)
        self.saved: list[dict[str, Any]] = []

    def apply(self, session: Session) -> None:
        self.saved = []
        for pid in self.ids:
            current = self.edits.resolve("participation", pid)
            p = get(session, Participation, current, "attendee")
            self.saved.append(
                {
                    "id": pid,
                    "uuid": p.uuid,
                    "delegation_id": p.delegation_id,
                    "person_id": p.person_id,
                    "fields": {n: getattr(p, n) for n in participations.FIELDS},
                    "travel": {
                        leg.direction: {n: getattr(leg, n) for n in participations.TRAVEL_FIELDS}
                        for leg in p.travel
                    },
                    "items": listings.subset_items(session, current),
                }
            )
            participations.remove(session, current)

    def revert(self, session: Session) -> None:
        for saved in self.saved:
            p = participations.add(
                session, saved["delegation_id"], saved["person_id"], **saved["fields"]
            )
            listings.set_uuid(session, p, saved["uuid"])
            self.edits.remap("participation", saved["id"], p.id)
            for direction, values in saved["travel"].items():
                participations.set_travel(session, p.id, direction, **values)
            for item_id in saved["items"]:
                current = self.edits.resolve("item", item_id)
                ids = listings.item_participant_ids(session, current)
                agenda.update(session, current, participant_ids=[*ids, p.id])


# ------------------------------------------------------------------ agenda


class CreateItem(EditCommand):
    """Add an agenda item (also used to duplicate one)."""

    def __init__(self, edits: Edits, delegation_id: int, fields: dict[str, Any], text: str) -> None:
        super().__init__(edits, text, ["item"])
        self.delegation_id, self.fields = delegation_id, fields
        self.created: tuple[int, str] | None = None

    def apply(self, session: Session) -> AgendaItem:
        item = agenda.create(
            session,
            self.edits.resolve("delegation", self.delegation_id),
            **self.edits.resolve_fields(self.fields),
        )
        if self.created is None:
            self.created = (item.id, item.uuid)
        else:
            listings.set_uuid(session, item, self.created[1])
            self.edits.remap("item", self.created[0], item.id)
        return item

    def revert(self, session: Session) -> None:
        assert self.created is not None
        agenda.delete(session, self.edits.resolve("item", self.created[0]))


class UpdateItem(EditCommand):
    """Edit, move or resize an agenda item."""

    def __init__(
        self,
        edits: Edits,
        item_id: int,
        old: dict[str, Any],
        new: dict[str, Any],
        text: str,
    ) -> None:
        super().__init__(edits, text, ["item"])
        self.record_id, self.old, self.new = item_id, old, new

    def apply(self, session: Session) -> AgendaItem:
        return agenda.update(
            session,
            self.edits.resolve("item", self.record_id),
            **self.edits.resolve_fields(self.new),
        )

    def revert(self, session: Session) -> None:
        agenda.update(
            session,
            self.edits.resolve("item", self.record_id),
            **self.edits.resolve_fields(self.old),
        )


class DeleteItems(EditCommand):
    """Delete agenda items; undo re-creates them with their UUIDs (calendars keep them)."""

    def __init__(
        self, edits: Edits, delegation_id: int, snapshots: dict[int, dict[str, Any]], label: str
    ) -> None:
        super().__init__(edits, f"delete {label}", ["item"])
        self.delegation_id, self.snapshots = delegation_id, snapshots
        self.uuids: dict[int, str] = {}

    def apply(self, session: Session) -> None:
        for item_id in self.snapshots:
            current = self.edits.resolve("item", item_id)
            uuid = listings.record_uuid(session, AgendaItem, current)
            if uuid:
                self.uuids[item_id] = uuid
            agenda.delete(session, current)

    def revert(self, session: Session) -> None:
        for item_id, fields in self.snapshots.items():
            item = agenda.create(
                session,
                self.edits.resolve("delegation", self.delegation_id),
                **self.edits.resolve_fields(fields),
            )
            listings.set_uuid(session, item, self.uuids.get(item_id))
            self.edits.remap("item", item_id, item.id)


def item_fields(item: AgendaItem) -> dict[str, Any]:
    """Everything needed to re-create ``item`` with ``agenda.create`` (a loaded item)."""
    fields: dict[str, Any] = {name: getattr(item, name) for name in agenda.FIELDS}
    fields["participant_ids"] = [p.id for p in item.participants]
    fields["host_contact_ids"] = [p.id for p in item.host_contacts]
    return fields


def shifted(fields: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    out = dict(fields)
    out["starts_at"] = fields["starts_at"] + delta
    out["ends_at"] = fields["ends_at"] + delta
    return out
