"""Random sequences of operations, undos and redos, checked against snapshots.

After every step the whole database (every table, ids included) must equal the
snapshot taken at that point of the history: an undo never touches another
record, and a refused operation changes nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from delegations.model import ItemKind, ParticipationStatus, Role, TravelDirection, TravelMode
from delegations.services import ServiceError, package
from delegations.services import operations as ops
from delegations.services.history import History, Operation
from delegations.store import Database
from history_support import Dump, dump

TEMPLATE: Path | None = None
NAMES = st.sampled_from(["Ana", "Zoé", "Ιωάννης", "Caron", "", "O'Brien"])
PICK = st.integers(min_value=0, max_value=1000)
DAY = date(2027, 7, 1)


def _template() -> Path:
    """An empty migrated database, made once (migrations are the slow part)."""
    global TEMPLATE
    if TEMPLATE is None:
        folder = Path(tempfile.mkdtemp(prefix="history-machine-"))
        TEMPLATE = folder / "template.db"
        Database.open(TEMPLATE).close()
    return TEMPLATE


def _at(hour: int, minutes: int = 0) -> datetime:
    return datetime(2027, 7, 1, 7, tzinfo=UTC) + timedelta(hours=hour, minutes=minutes)


class HistoryMachine(RuleBasedStateMachine):
    """Operations on a small database; the history must always match the snapshots."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="history-run-"))
        path = self.folder / "db.db"
        shutil.copyfile(_template(), path)
        self.db = Database.open(path)
        self.history = History(self.db)
        self.snapshots: list[Dump] = [dump(path)]
        self.position = 0

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # helpers ----------------------------------------------------------------------
    def ids(self, table: str) -> list[int]:
        rows = self.snapshots[self.position].get(table, [])
        shape = self._columns(table)
        index = shape.index("id")
        return sorted(row[index] for row in rows)

    def _columns(self, table: str) -> list[str]:
        import sqlite3

        connection = sqlite3.connect(self.db.path)
        try:
            return [
                r[1]
                for r in connection.execute(f'PRAGMA table_info("{table}")')
                if r[1] not in ("updated_at", "revision")
            ]
        finally:
            connection.close()

    def pick(self, table: str, n: int) -> int | None:
        ids = self.ids(table)
        return ids[n % len(ids)] if ids else None

    def do(self, operation: Operation[Any]) -> Any:
        """Run an operation; a refusal must leave everything as it was."""
        try:
            outcome = self.history.run(operation)
        except ServiceError:
            assert dump(self.db.path) == self.snapshots[self.position]
            return None
        now = dump(self.db.path)
        if outcome.changes:
            self.snapshots = [*self.snapshots[: self.position + 1], now]
            self.position += 1
        else:
            assert now == self.snapshots[self.position]
        return outcome.result

    # setup ------------------------------------------------------------------------
    @initialize()
    def start(self) -> None:
        self.do(ops.create("organisation", {"name": "Cap Digital"}))
        self.do(
            ops.create(
                "delegation",
                {
                    "title": "Paris",
                    "timezone": "Europe/Paris",
                    "start_date": DAY,
                    "end_date": DAY + timedelta(days=1),
                },
            )
        )

    # the four kinds -----------------------------------------------------------------
    @rule(given=NAMES, family=NAMES, org=PICK, with_org=st.booleans())
    def create_person(self, given: str, family: str, org: int, with_org: bool) -> None:
        organisation = self.pick("organisation", org) if with_org else None
        self.do(
            ops.create(
                "person",
                {"given_name": given, "family_name": family, "organisation_id": organisation},
            )
        )

    @rule(name=NAMES)
    def create_organisation(self, name: str) -> None:
        self.do(ops.create("organisation", {"name": name}))

    @rule(name=NAMES, org=PICK, lat=st.one_of(st.none(), st.floats(-90, 90)))
    def create_venue(self, name: str, org: int, lat: float | None) -> None:
        self.do(
            ops.create(
                "venue",
                {
                    "name": name,
                    "organisation_id": self.pick("organisation", org),
                    "latitude": lat,
                    "longitude": None if lat is None else 2.35,
                },
            )
        )

    @rule(title=NAMES, days=st.integers(-1, 3))
    def create_delegation(self, title: str, days: int) -> None:
        self.do(
            ops.create(
                "delegation",
                {
                    "title": title,
                    "timezone": "Europe/Madrid",
                    "start_date": DAY,
                    "end_date": DAY + timedelta(days=days),
                },
            )
        )

    @rule(
        kind=st.sampled_from(["person", "organisation", "venue", "delegation"]),
        n=PICK,
        text=NAMES,
    )
    def update_record(self, kind: str, n: int, text: str) -> None:
        record = self.pick(kind, n)
        if record is None:
            return
        field = {
            "person": "family_name",
            "organisation": "name",
            "venue": "name",
            "delegation": "title",
        }[kind]
        self.do(ops.update(kind, record, {field: text}))

    @rule(kind=st.sampled_from(["person", "organisation", "venue", "delegation"]), n=PICK)
    def delete_record(self, kind: str, n: int) -> None:
        record = self.pick(kind, n)
        if record is not None:
            self.do(ops.delete(kind, [record]))

    # attendees --------------------------------------------------------------------
    @rule(d=PICK, p=PICK, status=st.sampled_from(list(ParticipationStatus)))
    def add_attendee(self, d: int, p: int, status: ParticipationStatus) -> None:
        delegation, person = self.pick("delegation", d), self.pick("person", p)
        if delegation is not None and person is not None:
            self.do(ops.add_attendee(delegation, {"status": status}, person_id=person))

    @rule(d=PICK, given=NAMES)
    def add_new_person(self, d: int, given: str) -> None:
        delegation = self.pick("delegation", d)
        if delegation is not None:
            self.do(
                ops.add_attendee(
                    delegation,
                    {"role": Role.HEAD},
                    new_person={"given_name": given, "family_name": "New"},
                )
            )

    @rule(n=PICK, hotel=NAMES, travel=st.sampled_from(["keep", "set", "clear", "bad"]))
    def edit_attendee(self, n: int, hotel: str, travel: str) -> None:
        attendee = self.pick("participation", n)
        if attendee is None:
            return
        legs: dict[TravelDirection, dict[str, Any] | None] = {}
        if travel in ("set", "bad"):
            legs[TravelDirection.ARRIVAL] = {
                "mode": TravelMode.FLIGHT,
                "origin": "Athens",
                "origin_timezone": "Europe/Athens",
                "departs_at": _at(0),
                "destination": "Paris",
                "destination_timezone": "Europe/Paris",
                "arrives_at": _at(3) if travel == "set" else _at(-1),
            }
        elif travel == "clear":
            legs[TravelDirection.ARRIVAL] = None
        self.do(ops.edit_attendee(attendee, {"hotel": hotel}, legs))

    @rule(n=PICK, m=PICK, status=st.sampled_from(list(ParticipationStatus)))
    def update_attendees(self, n: int, m: int, status: ParticipationStatus) -> None:
        ids = {i for i in (self.pick("participation", n), self.pick("participation", m)) if i}
        if ids:
            self.do(ops.update_attendees(sorted(ids), {"status": status}))

    @rule(n=PICK)
    def remove_attendee(self, n: int) -> None:
        attendee = self.pick("participation", n)
        if attendee is not None:
            self.do(ops.remove_attendees([attendee]))

    # agenda -----------------------------------------------------------------------
    @rule(
        d=PICK,
        hour=st.integers(0, 12),
        length=st.integers(-1, 3),
        subset=st.booleans(),
        p=PICK,
        v=PICK,
    )
    def create_item(self, d: int, hour: int, length: int, subset: bool, p: int, v: int) -> None:
        delegation = self.pick("delegation", d)
        if delegation is None:
            return
        attendee = self.pick("participation", p)
        fields = {
            "title": "Visit",
            "kind": ItemKind.VISIT,
            "starts_at": _at(hour),
            "ends_at": _at(hour + length),
            "venue_id": self.pick("venue", v),
            "everyone": not subset,
            "participant_ids": [attendee] if subset and attendee else [],
        }
        self.do(ops.create_item(delegation, fields))

    @rule(n=PICK, title=NAMES, subset=st.booleans(), p=PICK)
    def update_item(self, n: int, title: str, subset: bool, p: int) -> None:
        item = self.pick("agenda_item", n)
        if item is None:
            return
        attendee = self.pick("participation", p)
        self.do(
            ops.update_item(
                item,
                {
                    "title": title,
                    "everyone": not subset,
                    "participant_ids": [attendee] if subset and attendee else [],
                },
            )
        )

    @rule(n=PICK, hour=st.integers(0, 12), length=st.integers(0, 2))
    def move_item(self, n: int, hour: int, length: int) -> None:
        item = self.pick("agenda_item", n)
        if item is not None:
            self.do(ops.move_item(item, _at(hour), _at(hour + length, 30)))

    @rule(n=PICK)
    def duplicate_item(self, n: int) -> None:
        item = self.pick("agenda_item", n)
        if item is not None:
            self.do(ops.duplicate_item(item))

    @rule(n=PICK)
    def delete_item(self, n: int) -> None:
        item = self.pick("agenda_item", n)
        if item is not None:
            self.do(ops.delete_items([item]))

    # bulk -------------------------------------------------------------------------
    @rule(d=PICK, title=NAMES, drop=st.booleans())
    def reimport_package(self, d: int, title: str, drop: bool) -> None:
        """Export a delegation, change it, import it back (updates records by UUID)."""
        delegation = self.pick("delegation", d)
        if delegation is None:
            return
        with self.db.session() as session:
            document = package.export_package(session, delegation)
        document["delegation"]["title"] = title or "Imported"
        if drop and document["agenda"]:
            document["agenda"].pop()
        self.do(ops.import_document(document, "package.json"))

    @precondition(lambda self: self.position < 40)
    @rule()
    def load_demo(self) -> None:
        self.do(ops.load_demo())

    # history ----------------------------------------------------------------------
    @rule()
    def undo(self) -> None:
        changes = self.history.undo()
        if self.position > 0:
            self.position -= 1
            assert changes
        else:
            assert not changes

    @rule()
    def redo(self) -> None:
        changes = self.history.redo()
        if self.position < len(self.snapshots) - 1:
            self.position += 1
            assert changes
        else:
            assert not changes

    @invariant()
    def matches_the_snapshot(self) -> None:
        assert dump(self.db.path) == self.snapshots[self.position]
        assert self.history.can_undo() == (self.position > 0)
        assert self.history.can_redo() == (self.position < len(self.snapshots) - 1)


HistoryMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
TestHistoryMachine = HistoryMachine.TestCase


def test_reported_bug_as_a_machine_run() -> None:
    """Issue 7's sequence, driven through the machine's own rules."""
    machine = HistoryMachine()
    try:
        machine.start()
        machine.load_demo()
        demo = max(machine.ids("delegation"))
        machine.create_delegation("Second", 1)
        caron = machine.ids("participation")[0]
        machine.remove_attendee(machine.ids("participation").index(caron))
        machine.delete_record("delegation", machine.ids("delegation").index(demo))
        for step in (machine.undo, machine.undo, machine.redo):
            step()
            machine.matches_the_snapshot()
        assert caron not in machine.ids("participation")
        assert len(machine.ids("participation")) == 10
    finally:
        machine.teardown()
