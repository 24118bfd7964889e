"""The audit log (issue 15): every change through the edit spine, every export of a
personal document, restores, erasures and purges write entries that say when,
what, which record and which fields, and never the values themselves."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delegations.cli import main
from delegations.cli.audit import ACTIONS as CLI_ACTIONS
from delegations.model import Delegation
from delegations.services import audit, exchange, package, queries
from delegations.services import operations as ops
from delegations.services.audit import AuditRow
from delegations.services.history import History, Operation, perform
from delegations.store import Database


def entries(db: Database, **filters: Any) -> list[AuditRow]:
    with db.session() as session:
        return audit.entries(session, **filters)


def newest_operation(db: Database) -> list[AuditRow]:
    """The entries of the last operation written, oldest first."""
    rows = entries(db)
    assert rows, "no audit entry"
    last = rows[0].operation
    return sorted((r for r in rows if r.operation == last), key=lambda r: r.id)


def new_person(db: Database, **fields: Any) -> int:
    values = {"given_name": "Zoé", "family_name": "Ærøskøbing", **fields}
    return perform(db, ops.create("person", values)).result


# ------------------------------------------------------------------ the edit spine


def test_create_update_delete_name_the_fields_written(demo_db: Database) -> None:
    person = new_person(demo_db, phone="+33 6 11 22 33 44", notes="")
    [created] = newest_operation(demo_db)
    assert (created.action, created.record, created.record_id, created.change) == (
        "create",
        "person",
        person,
        "insert",
    )
    assert {"given_name", "family_name", "phone"} <= set(created.fields)
    # bookkeeping and empty fields are not "written"
    assert not {"id", "updated_at", "created_at", "search_text", "notes"} & set(created.fields)
    assert created.delegation_id is None

    perform(demo_db, ops.update("person", person, {"phone": "+33 6 99 88 77 66"}))
    [updated] = newest_operation(demo_db)
    assert (updated.action, updated.change, updated.fields) == ("update", "update", ("phone",))

    perform(demo_db, ops.delete("person", [person]))
    [deleted] = newest_operation(demo_db)
    assert (deleted.action, deleted.record_id, deleted.change, deleted.fields) == (
        "delete",
        person,
        "delete",
        (),
    )
    assert [r.action for r in entries(demo_db, record="person", record_id=person)] == [
        "delete",
        "update",
        "create",
    ]


def test_an_operation_that_changes_nothing_writes_nothing(demo_db: Database) -> None:
    person = new_person(demo_db)
    before = len(entries(demo_db))
    perform(demo_db, ops.update("person", person, {"given_name": "Zoé"}))
    assert len(entries(demo_db)) == before


def test_entries_of_one_operation_share_its_number_and_name_the_delegation(
    demo_db: Database, demo: Delegation
) -> None:
    """Removing an attendee cascades to their travel and agenda places: each row has
    its entry, under one operation, with the delegation named (link rows name their
    item)."""
    attendee = next(
        p for p in demo.participations if p.travel and any(p in i.participants for i in demo.items)
    )
    perform(demo_db, ops.remove_attendees([attendee.id]))
    rows = newest_operation(demo_db)
    assert len({r.operation for r in rows}) == 1 and rows[0].operation == rows[0].id
    tables = {r.record for r in rows}
    assert {"participation", "travel_leg", "agenda_item"} == tables
    assert all(r.action == r.change == "delete" for r in rows if r.record != "agenda_item")
    assert all(r.delegation_id == demo.id for r in rows)
    # Taken out of the items they were in: one entry per item, naming the list only.
    items = [r for r in rows if r.record == "agenda_item"]
    placed = {i.id for i in demo.items if attendee in i.participants}
    assert sorted(r.record_id for r in items) == sorted(placed)
    assert all(r.action == r.change == "update" for r in items)
    assert all(r.fields == ("participants",) for r in items)


def test_an_item_made_with_its_participants_is_one_entry(
    demo_db: Database, demo: Delegation
) -> None:
    subset = next(i for i in demo.items if not i.everyone and i.participants)
    copy = perform(demo_db, ops.duplicate_item(subset.id)).result
    [entry] = newest_operation(demo_db)
    assert (entry.record, entry.record_id, entry.change) == ("agenda_item", copy, "insert")
    assert "participants" in entry.fields and "title" in entry.fields


def test_undo_and_redo_write_entries_and_never_take_any_back(demo_db: Database) -> None:
    history = History(demo_db)
    person = new_person(demo_db)
    history.run(ops.update("person", person, {"dietary_needs": "sans gluten"}))
    count = len(entries(demo_db))
    history.undo()
    [undone] = newest_operation(demo_db)
    assert (undone.action, undone.record, undone.record_id) == ("undo", "person", person)
    assert undone.fields == ("dietary_needs",)
    history.redo()
    [redone] = newest_operation(demo_db)
    assert (redone.action, redone.fields) == ("redo", ("dietary_needs",))
    assert len(entries(demo_db)) == count + 2  # the undo removed none


def test_undo_of_a_creation_is_a_deletion_entry(demo_db: Database) -> None:
    history = History(demo_db)
    person = history.run(ops.create("person", {"given_name": "A", "family_name": "B"})).result
    history.undo()
    [undone] = newest_operation(demo_db)
    assert (undone.action, undone.record_id, undone.change) == ("undo", person, "delete")


def test_an_operation_names_its_own_action(demo_db: Database) -> None:
    def run(session: Any) -> None:
        from delegations.services import people

        people.create(session, given_name="Ana", family_name="Lima")

    perform(demo_db, Operation("custom", run, action="import"))
    assert [r.action for r in newest_operation(demo_db)] == ["import"]
    with pytest.raises(ValueError, match="unknown audit action"):
        perform(demo_db, Operation("custom", run, action="frobnicate"))


def test_the_cli_knows_the_same_actions() -> None:
    assert CLI_ACTIONS == audit.ACTIONS


def test_a_package_import_then_a_merge(demo_db: Database, tmp_path: Path) -> None:
    first = exchange.write_package(demo_db, 1, tmp_path / "first.json")
    other = Database.open(tmp_path / "other.db")
    try:
        with other.session() as session:
            plan = exchange.plan_import(session, package.read_package(first))
        assert plan.merge is None
        perform(other, exchange.apply_import(plan, name=first.name))
        imported = entries(other)
        assert imported and {r.action for r in imported} == {"import"}
        assert {"delegation", "person", "participation", "agenda_item"} <= {
            r.record for r in imported
        }
        # the same delegation changed on the first database, sent again: a merge
        with demo_db.session() as session:
            item = queries.load_delegation(session, 1).items[0]
        perform(demo_db, ops.update_item(item.id, {"title": "Renamed on A"}))
        second = exchange.write_package(demo_db, 1, tmp_path / "second.json")
        with other.session() as session:
            plan = exchange.plan_import(session, package.read_package(second))
        assert plan.merge is not None
        perform(other, exchange.apply_import(plan, name=second.name))
        merged = newest_operation(other)
        assert {r.action for r in merged} == {"merge"}
        titles = [r for r in merged if r.record == "agenda_item"]
        assert titles and all("title" in r.fields for r in titles)
    finally:
        other.close()


def test_a_people_import_is_an_import(demo_db: Database, tmp_path: Path) -> None:
    sheet = tmp_path / "people.csv"
    sheet.write_text("Given name,Family name,Phone\nÉmile,Zola,+33 1 23 45 67 89\n", "utf-8")
    assert main(["--db", str(demo_db.path), "import", "people", str(sheet)]) == 0
    rows = newest_operation(demo_db)
    assert {r.action for r in rows} == {"import"}
    assert any(r.record == "person" and "phone" in r.fields for r in rows)


# ------------------------------------------------------------------ exports


def attendee_with_person(demo: Delegation) -> tuple[int, int, str]:
    p = next(p for p in demo.participations if p.person.email)
    return p.id, p.person_id, p.person.email


def test_each_export_of_a_personal_document_is_recorded(
    demo_db: Database, demo: Delegation, tmp_path: Path
) -> None:
    participation, _person, email = attendee_with_person(demo)
    db = str(demo_db.path)
    assert main(["--db", db, "export", "itinerary", "1", "--attendee", email,
                 "--out", str(tmp_path / "it.pdf")]) == 0  # fmt: skip
    [entry] = newest_operation(demo_db)
    assert (entry.action, entry.record, entry.record_id, entry.delegation_id) == (
        "export",
        "itinerary",
        participation,
        demo.id,
    )
    assert entry.change == "" and entry.fields == ()
    for kind, extra in (
        ("badges", []),
        ("attendance", []),
        ("dietary", ["--format", "csv"]),
        ("ical", []),
    ):
        out = tmp_path / f"{kind}.out"
        assert main(["--db", db, "export", kind, "1", "--out", str(out), *extra]) == 0
        exported = [r for r in entries(demo_db, action="export") if r.record == kind]
        assert len(exported) == 1 and exported[0].record_id is None, kind
    assert main(["--db", db, "export", "package", "1", "--out", str(tmp_path / "p.json")]) == 0
    assert main(["--db", db, "export", "people", "--out", str(tmp_path / "people.csv")]) == 0
    kinds = {r.record for r in entries(demo_db, action="export")}
    assert {"itinerary", "badges", "attendance", "dietary", "ical", "package", "people"} <= kinds


def test_packs_record_one_entry_per_attendee(
    demo_db: Database, demo: Delegation, tmp_path: Path
) -> None:
    assert main(["--db", str(demo_db.path), "pack", "1", "--out", str(tmp_path / "packs"),
                 "--quiet"]) == 0  # fmt: skip
    packs = entries(demo_db, action="export", record="pack")
    confirmed = {p.id for p in demo.participations if p.status.value == "confirmed"}
    assert packs and {r.record_id for r in packs} == confirmed
    assert len({r.operation for r in packs}) == 1


def test_an_audit_failure_keeps_the_document_and_warns(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(audit, "note", broken)
    out = tmp_path / "badges.pdf"
    assert main(["--db", str(demo_db.path), "export", "badges", "1", "--out", str(out)]) == 0
    assert out.stat().st_size > 0
    err = capsys.readouterr().err
    assert "warning:" in err and "audit log" in err and "read-only" in err
    assert "Traceback" not in err


# ------------------------------------------------------------------ erase, purge, restore


def test_erase_purge_and_restore_are_recorded(demo_db: Database, demo: Delegation) -> None:
    from delegations.services import backups, erasure, retention

    _participation, person, email = attendee_with_person(demo)
    name = demo_db_person_name(demo, person)
    perform(demo_db, erasure.erase(person))
    erased = newest_operation(demo_db)
    assert erased and {r.action for r in erased} == {"erase"}
    assert any(r.record == "person" and r.record_id == person for r in erased)
    assert_no_values(demo_db, [email, name])

    perform(demo_db, retention.purge(1, today=date.today() + timedelta(days=3650)))
    purged = newest_operation(demo_db)
    assert purged and {r.action for r in purged} == {"purge"}
    assert any("dietary_needs" in r.fields or "phone" in r.fields for r in purged)

    backups.record_restore(demo_db)
    [restored] = newest_operation(demo_db)
    assert (restored.action, restored.record) == ("restore", "database")


def demo_db_person_name(demo: Delegation, person_id: int) -> str:
    p = next(p for p in demo.participations if p.person_id == person_id)
    return p.person.family_name


# ------------------------------------------------------------------ never values


def audit_text(db: Database) -> str:
    """Every value of every column of the audit log, and its CSV export, as text."""
    connection = sqlite3.connect(db.path)
    try:
        cells = [str(v) for row in connection.execute("SELECT * FROM audit_entry") for v in row]
    finally:
        connection.close()
    with db.session() as session:
        exported = audit.csv_bytes(audit.entries(session)).decode("utf-8-sig")
    return "\n".join(cells) + "\n" + exported


def assert_no_values(db: Database, values: list[str]) -> None:
    text = audit_text(db)
    for value in values:
        assert value not in text


# Distinctive values: "Ω" never appears in a table, field or action name, a date or a
# number, so a value found in the log can only have come from the data.
value = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs"), exclude_characters="\x00"),
    min_size=3,
    max_size=30,
).map(lambda s: f"Ω{s.strip()}x")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.tuples(value, value),
    phone=value,
    notes=value,
    needs=value,
    hotel=value,
    badge=value,
    undo=st.booleans(),
)
def test_no_value_ever_reaches_the_log_or_its_csv(
    demo_db: Database,
    names: tuple[str, str],
    phone: str,
    notes: str,
    needs: str,
    hotel: str,
    badge: str,
    undo: bool,
) -> None:
    history = History(demo_db)
    given, family = names
    person = history.run(
        ops.create("person", {"given_name": given, "family_name": family, "notes": notes})
    ).result
    history.run(ops.update("person", person, {"phone": phone, "dietary_needs": needs}))
    attendee = history.run(
        ops.add_attendee(1, {"hotel": hotel, "badge_name": badge}, person_id=person)
    ).result
    history.run(ops.update_attendees([attendee], {"hotel": f"{hotel}2"}))
    if undo:
        history.undo()
        history.undo()
        history.redo()
    history.run(ops.remove_attendees([attendee]))
    history.run(ops.delete("person", [person]))
    written = entries(demo_db, record="person", record_id=person)
    assert {"create", "update", "delete"} <= {r.action for r in written}
    assert_no_values(demo_db, [given, family, phone, notes, needs, hotel, badge])


# ------------------------------------------------------------------ reading


def test_filters_and_pages(demo_db: Database) -> None:
    person = new_person(demo_db)
    for phone in ("1", "2", "3"):
        perform(demo_db, ops.update("person", person, {"phone": f"+33 {phone}"}))
    mine = entries(demo_db, record="person", record_id=person)
    assert [r.action for r in mine] == ["update", "update", "update", "create"]
    assert [r.id for r in mine] == sorted((r.id for r in mine), reverse=True)
    assert len(entries(demo_db, record="person", record_id=person, action="update")) == 3
    first = entries(demo_db, record="person", record_id=person, limit=2)
    rest = entries(demo_db, record="person", record_id=person, before=first[-1].id)
    assert [r.id for r in first + rest] == [r.id for r in mine]
    today = datetime.now(UTC).astimezone().date()
    assert entries(demo_db, record_id=person, record="person", since=today, until=today) == mine
    assert entries(demo_db, since=today + timedelta(days=1)) == []
    assert entries(demo_db, until=today - timedelta(days=1)) == []
    with demo_db.session() as session:
        assert "person" in audit.records(session)


def test_csv_export_is_private_and_readable(demo_db: Database, tmp_path: Path) -> None:
    person = new_person(demo_db, phone="+33 6 00 00 00 01")
    out = tmp_path / "audit.csv"
    with demo_db.session() as session:
        audit.write_csv(session, out, record="person", record_id=person)
    assert out.stat().st_mode & 0o777 == 0o600
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(audit.CSV_HEADER)
    [row] = rows[1:]
    assert row[2:6] == ["create", "person", str(person), "insert"]
    assert "phone" in row[6].split()
    assert datetime.fromisoformat(row[0]).tzinfo is not None


def test_cli_prints_filters_and_writes_csv(demo_db: Database, tmp_path: Path, capsys: Any) -> None:
    person = new_person(demo_db, phone="+33 6 00 00 00 02")
    db = str(demo_db.path)
    assert main(["--db", db, "audit", "--record", "person", "--id", str(person)]) == 0
    printed = capsys.readouterr().out
    assert f"create   person #{person}" in printed and "phone" in printed
    assert "+33" not in printed
    assert main(["--db", db, "audit", "--action", "purge"]) == 0
    assert capsys.readouterr().out == "No entries.\n"
    out = tmp_path / "log.csv"
    assert main(["--db", db, "audit", "--limit", "1", "--csv", str(out)]) == 0
    assert len(out.read_text("utf-8-sig").splitlines()) == 2
    assert main(["--db", db, "audit", "--csv", db]) == 1
    assert "database" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["--db", db, "audit", "--since", "yesterday"])
    assert usage.value.code == 2
