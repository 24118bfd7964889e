"""The data behind field-ready documents: versions, transfers, food, hotel details."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from delegations.cli import main
from delegations.model import AgendaItem, Delegation, ItemKind, Venue, serves_food_by_default
from delegations.resources import resource
from delegations.services import InUse, package, queries
from delegations.services import operations as ops
from delegations.services.history import History, perform
from delegations.store import Database


def _revision(db: Database, delegation_id: int) -> int:
    with db.session() as session:
        return session.get(Delegation, delegation_id).revision  # type: ignore[union-attr]


def _demo(db: Database) -> Delegation:
    with db.session() as session:
        return queries.load_delegation(session, queries.list_delegations(session)[0].id)


def test_every_change_the_documents_show_raises_the_version_and_undo_raises_it_again(
    demo_db: Database,
) -> None:
    demo = _demo(demo_db)
    history = History(demo_db)
    other = perform(
        demo_db,
        ops.create(
            "delegation",
            {
                "title": "Another visit",
                "timezone": "Europe/Paris",
                "start_date": datetime(2027, 9, 1).date(),
                "end_date": datetime(2027, 9, 2).date(),
            },
        ),
    ).result
    seen = [_revision(demo_db, demo.id)]
    other_before = _revision(demo_db, other)

    def changed() -> None:
        now = _revision(demo_db, demo.id)
        assert now > seen[-1]
        seen.append(now)

    history.run(ops.update_item(demo.items[0].id, {"title": "Coach from the airport"}))
    changed()
    # A person's name, an organisation, a venue: each is printed on the documents.
    attendee = next(p.person for p in demo.participations if p.person.organisation_id)
    history.run(ops.update("person", attendee.id, {"job_title": "Director"}))
    changed()
    history.run(ops.update("organisation", attendee.organisation_id, {"short_name": "Short"}))
    changed()
    venue = demo.items[1].venue
    history.run(ops.update("venue", venue.id, {"access_notes": "Side door"}))
    changed()
    history.undo()
    changed()  # never back to an old version: a document printed before would collide
    history.redo()
    changed()
    assert _revision(demo_db, other) == other_before  # not shown in the other visit


def test_the_food_default_reads_meals_and_receptions_not_words_inside_words() -> None:
    assert serves_food_by_default(ItemKind.MEAL, "Debrief")
    assert serves_food_by_default(ItemKind.NETWORKING, "Networking dinner with Barcelona hosts")
    assert serves_food_by_default(ItemKind.NETWORKING, "Cena de gala")
    assert serves_food_by_default("networking", "Evening reception")
    assert not serves_food_by_default(ItemKind.NETWORKING, "Scenario planning")  # "cena"
    assert not serves_food_by_default(ItemKind.VISIT, "Visit to the lunch-box factory")


def test_a_package_from_before_the_food_flag_gets_the_default(db: Database) -> None:
    document = json.loads(resource("demo", "barcelona-study-visit.json").read_text("utf-8"))
    for item in document["agenda"]:
        item.pop("serves_food", None)
        item.pop("dropoff_venue", None)
    perform(db, ops.import_document(document, "old.json"))
    with db.session() as session:
        food = {
            i.title for i in session.scalars(select(AgendaItem).where(AgendaItem.serves_food)).all()
        }
    assert food == {
        "Lunch in Poblenou",
        "Networking dinner with Barcelona hosts",
        "Lunch at Barcelona Activa",
    }


def test_the_return_coach_leaves_from_the_hotel_and_drops_off_at_the_airport(
    demo_db: Database,
) -> None:
    demo = _demo(demo_db)
    coach = next(i for i in demo.items if i.title == "Coach transfer: hotel to airport")
    assert coach.venue is not None and coach.venue.name == "Hotel Ciutat Barcelona"
    assert coach.dropoff_venue is not None and "departures" in coach.dropoff_venue.name
    assert coach.end_venue is coach.dropoff_venue
    assert coach.transport_company and coach.driver_phone


def test_a_drop_off_venue_cannot_be_deleted_from_under_its_transfer(demo_db: Database) -> None:
    demo = _demo(demo_db)
    coach = next(i for i in demo.items if i.title == "Coach transfer: hotel to airport")
    assert coach.dropoff_venue is not None
    with pytest.raises(InUse, match="agenda item"):
        perform(demo_db, ops.delete("venue", [coach.dropoff_venue.id]))
    with demo_db.session() as session:
        assert session.get(Venue, coach.dropoff_venue.id) is not None


def test_a_transfer_drop_off_must_be_a_known_venue(demo_db: Database) -> None:
    demo = _demo(demo_db)
    coach = next(i for i in demo.items if i.is_transfer)
    with pytest.raises(Exception, match="venue"):
        perform(demo_db, ops.update_item(coach.id, {"dropoff_venue_id": 99_999}))


def test_new_fields_survive_a_package_round_trip(demo_db: Database, tmp_path: Path) -> None:
    demo = _demo(demo_db)
    document = package.to_document(demo, datetime(2027, 1, 1, tzinfo=UTC))
    again = Database.open(tmp_path / "again.db")
    perform(again, ops.import_document(copy.deepcopy(document), "p.json"))
    back = _demo(again)
    assert package.to_document(back, datetime(2027, 1, 1, tzinfo=UTC)) == document
    sharing = {p.room_sharing for p in back.participations} - {""}
    assert len(sharing) == 2
    assert {o.short_name for p in back.participations if (o := p.person.organisation)} > {""}


def test_export_refuses_an_unknown_zone(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "programme.pdf"
    code = main(
        ["--db", str(demo_db.path), "export", "programme", "1", "--out", str(out), "--zone", "CET!"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "--zone" in err.strip().splitlines()[-1]  # a usage error, as argparse
    assert not out.exists()


def test_export_prints_the_issue_time_in_the_zone_asked(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    out = tmp_path / "programme.pdf"
    code = main(
        [
            "--db", str(demo_db.path), "export", "programme", "1", "--out", str(out),
            "--zone", "Asia/Tokyo",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    text = PdfReader(out).pages[0].extract_text()
    assert "JST" in text and "Version" in text and "Page 1 of" in text


def test_badges_below_their_minimum_are_named_before_printing_and_strict_refuses(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = _demo(demo_db)
    someone = next(p for p in demo.participations if p.confirmed)
    long_word = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessen"
    perform(demo_db, ops.update_attendees([someone.id], {"badge_name": long_word}))
    out = tmp_path / "badges.pdf"
    base = ["--db", str(demo_db.path), "export", "badges", "1", "--out", str(out)]
    assert main([*base, "--strict"]) == 1
    err = capsys.readouterr().err
    assert not out.exists() and len(err.strip().splitlines()) == 1 and "minimum" in err
    assert main(base) == 0
    err = capsys.readouterr().err
    assert out.exists() and "warning" in err and "minimum" in err
    # Where the badge is and who by id; never the person's name on the command line.
    assert f"(person #{someone.person.id})" in err and someone.person.family_name not in err
