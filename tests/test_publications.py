"""Publications: later calendars cancel what their audience received and no longer has."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import text

from delegations.cli import main
from delegations.exports import ical
from delegations.exports.options import ExportOptions
from delegations.model import (
    AgendaItem,
    Delegation,
    DelegationStatus,
    ItemKind,
    ItemStatus,
    Participation,
    ParticipationStatus,
    Person,
    Publication,
    PublishedEvent,
)
from delegations.services import operations as ops
from delegations.services import publications, queries
from delegations.services.history import History, perform
from delegations.store import Database, migrations
from ics_support import check_ics

STAMP = datetime(2027, 5, 20, 8, 30, tzinfo=UTC)


def delegation_id(db: Database) -> int:
    with db.session() as session:
        return queries.list_delegations(session)[0].id


def load(db: Database) -> Delegation:
    with db.session() as session:
        return queries.load_delegation(session, queries.list_delegations(session)[0].id)


def publish(
    db: Database,
    path: Path,
    *,
    person_id: int | None = None,
    host_id: int | None = None,
    at: datetime = STAMP,
) -> dict[str, object]:
    """What the command line does: read the last publication, write, then record."""
    did = delegation_id(db)
    audience = publications.audience_key(person_id=person_id, host_id=host_id)
    with db.session() as session:
        published = publications.last_published(session, did, audience)
        delegation = queries.load_delegation(session, did)
    options = ExportOptions(
        generated_at=at, attendee_id=person_id, host_id=host_id, published=published
    )
    ical.export(delegation, path, options)
    perform(db, publications.record(did, audience, ical.snapshot(delegation, options), at=at))
    return events(path)


def events(path: Path) -> dict[str, object]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def subset_item(delegation: Delegation) -> tuple[AgendaItem, Participation]:
    item = next(i for i in delegation.items if not i.everyone and len(i.participants) > 1)
    return item, sorted(item.participants, key=lambda p: p.id)[0]


def status(event: object) -> str:
    return str(event["STATUS"])  # type: ignore[index]


def sequence(event: object) -> int:
    return int(event["SEQUENCE"])  # type: ignore[index]


# ------------------------------------------------------------------ the stories


def test_deleted_item_and_attendee_taken_off_are_cancelled(
    demo_db: Database, tmp_path: Path
) -> None:
    delegation = load(demo_db)
    item, participation = subset_item(delegation)
    gone = next(i for i in delegation.items if i.everyone and i.status != ItemStatus.CANCELLED)
    person = participation.person_id
    old_all = tmp_path / "all-1.ics"
    old_mine = tmp_path / "mine-1.ics"
    before_all = publish(demo_db, old_all)
    before_mine = publish(demo_db, old_mine, person_id=person)
    assert item.uuid in before_mine and gone.uuid in before_mine

    perform(demo_db, ops.delete_items([gone.id]))
    others = [p.id for p in item.participants if p.id != participation.id]
    perform(demo_db, ops.update_item(item.id, {"participant_ids": others}))

    new_all, new_mine = tmp_path / "all-2.ics", tmp_path / "mine-2.ics"
    after_all = publish(demo_db, new_all)
    after_mine = publish(demo_db, new_mine, person_id=person)
    assert status(after_all[gone.uuid]) == "CANCELLED"
    assert sequence(after_all[gone.uuid]) > sequence(before_all[gone.uuid])
    for uid in (gone.uuid, item.uuid):
        assert status(after_mine[uid]) == "CANCELLED"
        assert sequence(after_mine[uid]) > sequence(before_mine[uid])
    assert str(after_mine[gone.uuid]["SUMMARY"]) == gone.title  # type: ignore[index]
    # the item's participant list changed: its SEQUENCE rose in the delegation calendar
    assert sequence(after_all[item.uuid]) > sequence(before_all[item.uuid])
    check_ics(new_all, old_all)
    check_ics(new_mine, old_mine)

    # Published again without change: the cancellations stay, with the same SEQUENCE.
    again = tmp_path / "mine-3.ics"
    third = publish(demo_db, again, person_id=person)
    for uid in (gone.uuid, item.uuid):
        assert status(third[uid]) == "CANCELLED"
        assert sequence(third[uid]) == sequence(after_mine[uid])
    check_ics(again, new_mine)

    # Put back on the item: it comes back above the cancellation's SEQUENCE.
    perform(demo_db, ops.update_item(item.id, {"participant_ids": [*others, participation.id]}))
    back = tmp_path / "mine-4.ics"
    fourth = publish(demo_db, back, person_id=person)
    assert status(fourth[item.uuid]) != "CANCELLED"
    assert sequence(fourth[item.uuid]) > sequence(third[item.uuid])
    check_ics(back, again)


def test_withdrawn_attendee_gets_everything_cancelled(demo_db: Database, tmp_path: Path) -> None:
    delegation = load(demo_db)
    participation = next(p for p in delegation.participations if p.confirmed and len(p.travel) == 2)
    old = tmp_path / "old.ics"
    before = publish(demo_db, old, person_id=participation.person_id)
    assert {leg.uuid for leg in participation.travel} <= set(before)
    perform(
        demo_db,
        ops.update_attendees([participation.id], {"status": ParticipationStatus.DECLINED}),
    )
    new = tmp_path / "new.ics"
    after = publish(demo_db, new, person_id=participation.person_id)
    assert set(after) == set(before)
    for uid, event in after.items():
        assert status(event) == "CANCELLED"
        if status(before[uid]) != "CANCELLED":
            assert sequence(event) > sequence(before[uid])
    check_ics(new, old)


def test_removed_attendee_final_calendar_from_the_command_line(
    demo_db: Database, tmp_path: Path
) -> None:
    delegation = load(demo_db)
    participation = next(p for p in delegation.participations if p.confirmed)
    person = str(participation.person_id)
    old, new = tmp_path / "old.ics", tmp_path / "new.ics"
    base = ["--db", str(demo_db.path), "export", "ical", str(delegation.id), "--attendee", person]
    assert main([*base, "--out", str(old)]) == 0
    perform(demo_db, ops.remove_attendees([participation.id]))
    assert main([*base, "--out", str(new)]) == 0
    before, after = events(old), events(new)
    assert before and set(after) == set(before)
    assert all(status(e) == "CANCELLED" for e in after.values())
    check_ics(new, old)
    with demo_db.session() as session:
        audience = publications.audience_key(person_id=participation.person_id)
        stored = publications.last_published(session, delegation.id, audience)
    assert set(stored) == set(after)


def test_never_published_non_attendee_is_still_refused(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delegation = load(demo_db)
    participation = next(p for p in delegation.participations if p.confirmed)
    perform(demo_db, ops.remove_attendees([participation.id]))
    out = tmp_path / "x.ics"
    args = ["--db", str(demo_db.path), "export", "ical", str(delegation.id)]
    code = main([*args, "--attendee", str(participation.person_id), "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is not in the delegation" in err
    assert participation.person.family_name not in err
    with demo_db.session() as session:
        assert session.query(Publication).count() == 0


def test_cancelled_delegation_cancels_every_event(demo_db: Database, tmp_path: Path) -> None:
    did = delegation_id(demo_db)
    old = tmp_path / "old.ics"
    before = publish(demo_db, old)
    perform(demo_db, ops.update("delegation", did, {"status": DelegationStatus.CANCELLED}))
    new = tmp_path / "new.ics"
    after = publish(demo_db, new)
    assert set(after) == set(before)
    for uid, event in after.items():
        assert status(event) == "CANCELLED"
        assert sequence(event) > sequence(before[uid])
    check_ics(new, old)


def test_changing_participants_raises_the_sequence(demo_db: Database) -> None:
    delegation = load(demo_db)
    item, participation = subset_item(delegation)
    revision = item.revision
    others = [p.id for p in item.participants if p.id != participation.id]
    perform(demo_db, ops.update_item(item.id, {"participant_ids": others}))
    assert next(i for i in load(demo_db).items if i.id == item.id).revision == revision + 1
    # removing an attendee from the delegation changes the list the item shows, too
    perform(demo_db, ops.remove_attendees([others[0]]))
    assert next(i for i in load(demo_db).items if i.id == item.id).revision == revision + 2


def test_after_the_visit_gone_events_are_no_longer_carried(
    demo_db: Database, tmp_path: Path
) -> None:
    delegation = load(demo_db)
    gone = delegation.items[0]
    publish(demo_db, tmp_path / "a.ics")
    perform(demo_db, ops.delete_items([gone.id]))
    ended = ical.visit_end(delegation) + timedelta(minutes=1)
    later = publish(demo_db, tmp_path / "b.ics", at=ended)
    assert gone.uuid not in later
    during = ical.visit_end(delegation) - timedelta(minutes=1)
    # the record made after the visit no longer holds it either
    assert gone.uuid not in publish(demo_db, tmp_path / "c.ics", at=during)


def test_recording_is_undoable(demo_db: Database) -> None:
    did = delegation_id(demo_db)
    history = History(demo_db)
    held = {"x": PublishedEvent("x", 0, "Visit", STAMP, STAMP + timedelta(hours=1))}
    with demo_db.session() as session:
        version = session.get(Delegation, did).revision  # type: ignore[union-attr]
    outcome = history.run(publications.record(did, "delegation", held, at=STAMP))
    assert history.undo_label().startswith("record the calendar published for")
    with demo_db.session() as session:
        assert publications.last_published(session, did, "delegation") == held
        stored = session.get(Publication, outcome.result)
        assert stored is not None and stored.published_at == STAMP
        # a publication is not a change to the plan: the documents' version stays
        assert session.get(Delegation, did).revision == version  # type: ignore[union-attr]
    history.undo()
    with demo_db.session() as session:
        assert publications.last_published(session, did, "delegation") == {}
    history.redo()
    with demo_db.session() as session:
        assert publications.last_published(session, did, "delegation") == held


def test_audience_keys() -> None:
    assert publications.audience_key() == "delegation"
    assert publications.audience_key(person_id=4) == "person:4"
    assert publications.audience_key(host_id=7) == "host:7"
    with pytest.raises(ValueError):
        publications.audience_key(person_id=1, host_id=2)


def test_host_that_no_longer_hosts_gets_its_events_cancelled(
    demo_db: Database, tmp_path: Path
) -> None:
    delegation = load(demo_db)
    hosted = [i for i in delegation.items if i.host is not None]
    host_id = hosted[0].host.id  # type: ignore[union-attr]
    mine = [i for i in hosted if i.host.id == host_id]  # type: ignore[union-attr]
    old = tmp_path / "old.ics"
    before = publish(demo_db, old, host_id=host_id)
    perform(demo_db, ops.delete_items([i.id for i in mine]))
    new = tmp_path / "new.ics"
    after = publish(demo_db, new, host_id=host_id)
    assert set(after) == set(before)
    assert all(status(e) == "CANCELLED" for e in after.values())
    check_ics(new, old)


def test_changes_since_says_what_differs(demo_db: Database, tmp_path: Path) -> None:
    delegation = load(demo_db)
    item, participation = subset_item(delegation)
    person = participation.person_id
    did = delegation.id
    with demo_db.session() as session:
        assert publications.changes_since(session, did, person) == []
    publish(demo_db, tmp_path / "a.ics", person_id=person)
    with demo_db.session() as session:
        assert publications.changes_since(session, did, person) == []
    moved = next(i for i in delegation.items if i.everyone and i.id != item.id)
    perform(
        demo_db,
        ops.move_item(
            moved.id, moved.starts_at + timedelta(hours=1), moved.ends_at + timedelta(hours=1)
        ),
    )
    others = [p.id for p in item.participants if p.id != participation.id]
    perform(demo_db, ops.update_item(item.id, {"participant_ids": others}))
    perform(demo_db, ops.edit_attendee(participation.id, {"hotel": "Hotel Nou"}, {}))
    with demo_db.session() as session:
        lines = publications.changes_since(session, did, person)
    kinds = {line.uid: line.kind for line in lines}
    assert kinds[moved.uuid] == "moved"
    assert kinds[item.uuid] == "cancelled"
    assert any(line.kind == "hotel" and "Hotel Nou" in line.text for line in lines)
    other_names = {
        p.person.family_name for p in delegation.participations if p.id != participation.id
    }
    assert not any(name in line.text for line in lines for name in other_names)


def test_migration_up_and_down(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    path = tmp_path / "m.db"
    Database.open(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert "publication" in _tables(conn)
        command.downgrade(migrations.alembic_config(conn), "0005")
        conn.commit()
        assert "publication" not in _tables(conn)
    engine.dispose()
    upgraded = Database.open(path)
    upgraded.close()
    assert upgraded.pre_migration_backup is not None
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert "publication" in _tables(conn)
        assert migrations.current_revision(conn) == migrations.HEAD_REVISION
    engine.dispose()


def _tables(conn: object) -> set[str]:
    rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))  # type: ignore[attr-defined]
    return {row[0] for row in rows}


# ------------------------------------------------------------------ any sequence of edits

ZONE_START = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)


def _world() -> tuple[Delegation, list[Participation]]:
    delegation = Delegation(
        id=1,
        title="Visit",
        timezone="Europe/Madrid",
        start_date=date(2027, 7, 1),
        end_date=date(2027, 7, 2),
        status=DelegationStatus.CONFIRMED,
    )
    people = []
    for n in range(3):
        person = Person(id=n + 1, given_name=f"P{n}", family_name="X")
        people.append(
            Participation(
                id=n + 1, person_id=n + 1, person=person, status=ParticipationStatus.CONFIRMED
            )
        )
    delegation.participations = list(people)
    for n in range(4):
        delegation.items.append(
            AgendaItem(
                id=n + 1,
                uuid=f"item-{n}",
                title=f"Item {n}",
                kind=ItemKind.MEETING,
                starts_at=ZONE_START + timedelta(hours=2 * n),
                ends_at=ZONE_START + timedelta(hours=2 * n + 1),
                status=ItemStatus.CONFIRMED,
                everyone=n % 2 == 0,
                revision=0,
                participants=[] if n % 2 == 0 else list(people[:2]),
            )
        )
    return delegation, people


EDITS = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 3)),
    st.tuples(st.just("toggle"), st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("withdraw"), st.integers(0, 2)),
    st.tuples(st.just("rejoin"), st.integers(0, 2)),
    st.tuples(st.just("move"), st.integers(0, 3), st.integers(-3, 3)),
    st.tuples(st.just("cancel_visit"), st.booleans()),
    st.tuples(st.just("publish"), st.integers(-1, 2)),
)


def _apply(delegation: Delegation, people: list[Participation], edit: tuple) -> None:  # type: ignore[type-arg]
    items = {i.id: i for i in delegation.items}
    if edit[0] == "delete" and edit[1] + 1 in items:
        delegation.items.remove(items[edit[1] + 1])
    elif edit[0] == "toggle" and edit[1] + 1 in items:
        item = items[edit[1] + 1]
        person = people[edit[2]]
        if not item.everyone:
            if person in item.participants:
                if len(item.participants) > 1:
                    item.participants.remove(person)
            else:
                item.participants.append(person)
            item.revision += 1
    elif edit[0] == "withdraw":
        people[edit[1]].status = ParticipationStatus.DECLINED
    elif edit[0] == "rejoin":
        people[edit[1]].status = ParticipationStatus.CONFIRMED
    elif edit[0] == "move" and edit[1] + 1 in items and edit[2]:
        item = items[edit[1] + 1]
        item.starts_at += timedelta(minutes=15 * edit[2])
        item.ends_at += timedelta(minutes=15 * edit[2])
        item.revision += 1
    elif edit[0] == "cancel_visit":
        delegation.status = DelegationStatus.CANCELLED if edit[1] else DelegationStatus.CONFIRMED
        for item in delegation.items:
            item.revision += 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, max_size=25))
def test_no_event_disappears_without_a_cancellation(edits: list[tuple]) -> None:  # type: ignore[type-arg]
    """Any edits, any publications: while the visit runs, each calendar holds every event its
    audience received before; a SEQUENCE never goes down, and rises when what shows changes."""
    delegation, people = _world()
    last: dict[int | None, dict[str, PublishedEvent]] = {}
    for edit in [*edits, ("publish", -1), ("publish", 0)]:
        _apply(delegation, people, edit)
        if edit[0] != "publish":
            continue
        person = None if edit[1] < 0 else people[edit[1]].person_id
        before = last.get(person, {})
        options = ExportOptions(generated_at=STAMP, attendee_id=person, published=before)
        now = ical.snapshot(delegation, options)
        assert set(before) <= set(now)
        for uid, old in before.items():
            new = now[uid]
            assert new.sequence >= old.sequence
            shown = (new.summary, new.starts_at, new.ends_at, new.location, new.status)
            if shown != (old.summary, old.starts_at, old.ends_at, old.location, old.status):
                assert new.sequence > old.sequence
        if delegation.status == DelegationStatus.CANCELLED:
            assert all(e.cancelled for e in now.values())
        calendar = Calendar.from_ical(ical.to_ical(delegation, options))
        written = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
        assert set(written) == set(now)
        for uid, event in written.items():
            assert int(event["SEQUENCE"]) == now[uid].sequence
            assert str(event["STATUS"]) == now[uid].status
        last[person] = now
