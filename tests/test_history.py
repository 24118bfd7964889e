"""Operations and the undo history, without Qt: each undo restores exactly what was."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from delegations.model import ItemKind, TravelDirection, TravelMode
from delegations.services import InUse, ValidationError, people, queries
from delegations.services import operations as ops
from delegations.services.history import History, HistoryLost, StorageError, perform
from delegations.store import Database
from history_support import dump


@pytest.fixture
def history(demo_db: Database) -> History:
    return History(demo_db)


def _demo_id(db: Database) -> int:
    with db.session() as session:
        return queries.list_delegations(session)[0].id


def _attendee(db: Database, family: str) -> int:
    with db.session() as session:
        delegation = queries.load_delegation(session, _demo_id(db))
        return next(p.id for p in delegation.participations if p.person.family_name == family)


def _names(db: Database) -> set[str]:
    with db.session() as session:
        delegation = queries.load_delegation(session, _demo_id(db))
        return {p.person.family_name for p in delegation.participations}


def test_the_reported_sequence_restores_exactly_and_never_another_record(
    demo_db: Database, history: History
) -> None:
    """Issue 7: undoing a delegation delete then an attendee removal, then redo."""
    demo = _demo_id(demo_db)
    start = dump(demo_db.path)
    history.run(
        ops.create(
            "delegation",
            {
                "title": "Second visit",
                "timezone": "Europe/Paris",
                "start_date": date(2027, 3, 1),
                "end_date": date(2027, 3, 2),
            },
        )
    )
    after_create = dump(demo_db.path)
    caron = _attendee(demo_db, "Caron")
    history.run(ops.remove_attendees([caron]))
    after_remove = dump(demo_db.path)
    history.run(ops.delete("delegation", [demo]))

    history.undo()
    assert dump(demo_db.path) == after_remove
    assert _demo_id(demo_db) == demo  # same id, no remapping
    history.undo()
    assert dump(demo_db.path) == after_create
    assert "Caron" in _names(demo_db)
    history.redo()
    assert dump(demo_db.path) == after_remove
    names = _names(demo_db)
    assert "Caron" not in names and "Delacroix" in names
    history.undo()
    history.undo()
    assert dump(demo_db.path) == start


def test_every_operation_returns_what_it_changed(demo_db: Database, history: History) -> None:
    demo = _demo_id(demo_db)
    caron = _attendee(demo_db, "Caron")
    outcome = history.run(ops.remove_attendees([caron]))
    assert outcome.label == "remove Julien Caron"
    assert outcome.changes.deleted["participation"] == {caron}
    assert outcome.changes.delegations == {demo}
    assert "travel_leg" in outcome.changes.deleted
    undone = history.undo()
    assert undone.created["participation"] == {caron}
    assert history.redo().deleted["participation"] == {caron}


def test_an_edit_that_changes_nothing_is_not_a_step(demo_db: Database, history: History) -> None:
    with demo_db.session() as session:
        values = ops.record_values(session, "delegation", _demo_id(demo_db))
    outcome = history.run(ops.update("delegation", _demo_id(demo_db), values))
    assert not outcome.changes
    assert not history.can_undo()


def test_refused_operation_writes_nothing_and_keeps_history(
    demo_db: Database, history: History
) -> None:
    history.run(ops.create("organisation", {"name": "Cap Digital"}))
    before = dump(demo_db.path)
    with pytest.raises(ValidationError):
        history.run(ops.create("person", {"given_name": "", "family_name": "X"}))
    with demo_db.session() as session:
        delegation = queries.load_delegation(session, _demo_id(demo_db))
        used = next(
            p.person.organisation_id for p in delegation.participations if p.person.organisation_id
        )
    assert used is not None
    with pytest.raises(InUse):  # people belong to it
        history.run(ops.delete("organisation", [used]))
    assert dump(demo_db.path) == before
    assert history.undo_label() == "add Cap Digital"


def test_delete_refusal_is_asked_of_a_service(demo_db: Database) -> None:
    demo = _demo_id(demo_db)
    with demo_db.session() as session:
        delegation = queries.load_delegation(session, demo)
        person = delegation.participations[0].person_id
        refusal = ops.delete_refusal(session, "person", [person])
        assert refusal is not None and "attends 1 delegation" in refusal
        assert ops.delete_refusal(session, "delegation", [demo]) is None


def test_undo_restores_cascaded_rows_with_their_ids(demo_db: Database, history: History) -> None:
    demo = _demo_id(demo_db)
    before = dump(demo_db.path)
    history.run(ops.delete("delegation", [demo]))
    assert dump(demo_db.path)["participation"] == []
    history.undo()
    assert dump(demo_db.path) == before


def test_ids_are_never_reused(demo_db: Database, history: History) -> None:
    outcome = history.run(ops.create("organisation", {"name": "Temp"}))
    history.run(ops.delete("organisation", [outcome.result]))
    again = history.run(ops.create("organisation", {"name": "Other"}))
    assert again.result > outcome.result


def test_agenda_operations_round_trip(demo_db: Database, history: History) -> None:
    demo = _demo_id(demo_db)
    start = dump(demo_db.path)
    with demo_db.session() as session:
        delegation = queries.load_delegation(session, demo)
        item = delegation.items[0]
        first, length = item.starts_at, item.ends_at - item.starts_at
    steps = [
        ops.move_item(item.id, first + timedelta(hours=1), first + timedelta(hours=1) + length),
        ops.duplicate_item(item.id),
        ops.update_item(item.id, {"title": "Renamed", "everyone": True, "participant_ids": []}),
        ops.delete_items([item.id]),
        ops.create_item(
            demo,
            {
                "title": "New slot",
                "kind": ItemKind.MEETING,
                "starts_at": datetime(2027, 1, 1, 9, tzinfo=UTC),
                "ends_at": datetime(2027, 1, 1, 10, tzinfo=UTC),
            },
        ),
    ]
    dumps = [start]
    for step in steps:
        history.run(step)
        dumps.append(dump(demo_db.path))
    for expected in reversed(dumps[:-1]):
        history.undo()
        assert dump(demo_db.path) == expected
    for expected in dumps[1:]:
        history.redo()
        assert dump(demo_db.path) == expected


def test_duplicate_follows_the_original(demo_db: Database, history: History) -> None:
    with demo_db.session() as session:
        item = queries.load_delegation(session, _demo_id(demo_db)).items[0]
    copy = history.run(ops.duplicate_item(item.id)).result
    with demo_db.session() as session:
        copied = next(
            i for i in queries.load_delegation(session, _demo_id(demo_db)).items if i.id == copy
        )
        assert copied.starts_at == item.ends_at
        assert copied.ends_at - copied.starts_at == item.ends_at - item.starts_at


def test_subset_item_needs_participants(demo_db: Database, history: History) -> None:
    with pytest.raises(ValidationError) as caught:
        history.run(
            ops.create_item(
                _demo_id(demo_db),
                {
                    "title": "B2B",
                    "kind": ItemKind.B2B,
                    "everyone": False,
                    "participant_ids": [],
                    "starts_at": datetime(2027, 1, 1, 9, tzinfo=UTC),
                    "ends_at": datetime(2027, 1, 1, 10, tzinfo=UTC),
                },
            )
        )
    assert "participant_ids" in caught.value.errors


def test_edit_attendee_writes_only_what_differs(demo_db: Database, history: History) -> None:
    caron = _attendee(demo_db, "Caron")
    with demo_db.session() as session:
        delegation = queries.load_delegation(session, _demo_id(demo_db))
        p = next(p for p in delegation.participations if p.id == caron)
        fields = {"hotel": p.hotel, "role": p.role}
        from delegations.services import participations

        arrival = participations.leg_values(p.arrival)
    assert arrival is not None
    nothing = history.run(ops.edit_attendee(caron, fields, {TravelDirection.ARRIVAL: arrival}))
    assert not nothing.changes
    before = dump(demo_db.path)
    changed = dict(arrival, mode=TravelMode.COACH)
    outcome = history.run(
        ops.edit_attendee(
            caron, {**fields, "hotel": "Hotel Arts"}, {TravelDirection.ARRIVAL: changed}
        )
    )
    assert outcome.changes.updated["participation"] == {caron}
    history.undo()
    assert dump(demo_db.path) == before


def test_demo_and_package_import_are_undoable(db: Database, tmp_path: Path) -> None:
    history = History(db)
    empty = dump(db.path)
    demo = history.run(ops.load_demo()).result
    loaded = dump(db.path)
    from delegations.services import package

    with db.session() as session:
        document = package.export_package(session, demo)
    document["delegation"]["title"] = "Changed by the package"
    history.run(ops.import_document(document, "partner.json"))
    assert history.undo_label() == "import partner.json"
    history.undo()
    assert dump(db.path) == loaded
    history.undo()
    assert dump(db.path) == empty


def test_locked_database_during_undo_keeps_history_and_data(
    tmp_path: Path, demo_db: Database
) -> None:
    quick = Database.open(demo_db.path, busy_ms=100)
    try:
        history = History(quick)
        history.run(ops.create("organisation", {"name": "Temp"}))
        before = dump(quick.path)
        other = sqlite3.connect(quick.path, timeout=0)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StorageError) as caught:
                history.undo()
            assert "in use by another program" in str(caught.value)
            assert "Could not undo “add Temp”" in str(caught.value)
            with pytest.raises(StorageError):
                history.run(ops.create("organisation", {"name": "Other"}))
        finally:
            other.rollback()
            other.close()
        assert history.undo_label() == "add Temp" and not history.can_redo()
        assert dump(quick.path) == before
        history.undo()
        assert "Temp" not in {row[0] for row in dump(quick.path)["organisation"]}
    finally:
        quick.close()


def test_full_disk_gives_a_message_and_writes_nothing(demo_db: Database) -> None:
    history = History(demo_db)
    history.run(ops.create("organisation", {"name": "Temp"}))
    before = dump(demo_db.path)

    def full(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(demo_db.engine, "connect", full)
    demo_db.engine.dispose()

    def many(session: Session) -> None:
        for n in range(3000):
            people.create(session, given_name=f"Given {n}", family_name="x" * 100)

    with pytest.raises(StorageError) as caught:
        history.run(ops.custom("add many people", many))
    assert "disk is full" in str(caught.value)
    assert "x" * 100 not in str(caught.value)
    assert dump(demo_db.path) == before
    assert history.undo_label() == "add Temp"


def test_undo_of_a_record_changed_elsewhere_refuses_and_clears(
    demo_db: Database, history: History
) -> None:
    created = history.run(ops.create("organisation", {"name": "Temp"})).result
    other = sqlite3.connect(demo_db.path)
    other.execute("UPDATE organisation SET name = 'Edited elsewhere' WHERE id = ?", (created,))
    other.commit()
    other.close()
    before = dump(demo_db.path)
    with pytest.raises(HistoryLost) as caught:
        history.undo()
    assert "history was cleared" in str(caught.value)
    assert not history.can_undo() and not history.can_redo()
    assert dump(demo_db.path) == before


def test_undo_that_would_break_a_reference_refuses(demo_db: Database, history: History) -> None:
    created = history.run(ops.create("organisation", {"name": "Temp"})).result
    other = sqlite3.connect(demo_db.path)
    other.execute("PRAGMA foreign_keys = ON")
    other.execute(
        "INSERT INTO venue (name, address, postcode, city, country, access_notes, "
        "organisation_id, uuid, created_at, updated_at) VALUES "
        "('Hall', '', '', '', '', '', ?, 'u-1', '2026-01-01 00:00:00.000000', "
        "'2026-01-01 00:00:00.000000')",
        (created,),
    )
    other.commit()
    other.close()
    before = dump(demo_db.path)
    with pytest.raises(HistoryLost):
        history.undo()
    assert dump(demo_db.path) == before


def test_perform_runs_without_history(demo_db: Database) -> None:
    outcome = perform(demo_db, ops.create("venue", {"name": "Hall"}))
    assert outcome.changes.created["venue"] == {outcome.result}


def test_travel_times_and_check_settings_report_what_changed(db: Database) -> None:
    history = History(db)
    a = history.run(ops.create("venue", {"name": "A"})).result
    b = history.run(ops.create("venue", {"name": "B"})).result
    changes = history.run(ops.set_travel_time(a, b, 25)).changes
    assert changes.updated["venue"] == {a, b}
    changes = history.run(ops.set_check_setting("min_buffer_min", "5")).changes
    assert changes.touches("check_setting")
    assert history.undo().touches("check_setting")
