"""Record services: validation in an officer's words, integrity, deletes, queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from delegations.model import AgendaItem, Delegation, ItemStatus, Participation, Person
from delegations.services import (
    Ambiguous,
    InUse,
    NotFound,
    ValidationError,
    agenda,
    delegations,
    organisations,
    participations,
    people,
    queries,
    venues,
)
from delegations.store import Database

MADRID = ZoneInfo("Europe/Madrid")


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2027, 7, day, hour, minute, tzinfo=MADRID)


def new_delegation(db: Database, **fields: object) -> int:
    values = dict(
        title="Visit",
        timezone="Europe/Madrid",
        start_date=date(2027, 7, 1),
        end_date=date(2027, 7, 2),
    )
    values.update(fields)
    with db.transaction() as s:
        return delegations.create(s, **values).id


def test_validation_names_every_bad_field_and_writes_nothing(db: Database) -> None:
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        delegations.create(
            s,
            title="",
            timezone="Europe/Barcelone",
            start_date=date(2027, 7, 3),
            end_date=date(2027, 7, 1),
        )
    errors = caught.value.errors
    assert errors["title"] == "title is required"
    assert (
        errors["timezone"]
        == "unknown time zone 'Europe/Barcelone' (use a name such as Europe/Madrid)"
    )
    assert errors["end_date"] == "ends on Thu 1 Jul 2027, before it starts on Sat 3 Jul 2027"
    with db.session() as s:
        assert s.scalars(select(Delegation)).all() == []


def test_email_is_checked(db: Database) -> None:
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        people.create(s, given_name="Anna", family_name="Nowak", email="anna@")
    assert caught.value.errors == {"email": "'anna@' is not an e-mail address"}


def test_item_ending_before_it_starts_is_explained_in_local_time(db: Database) -> None:
    did = new_delegation(db)
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        agenda.create(s, did, title="Visit", kind="visit", starts_at=at(11), ends_at=at(10))
    assert caught.value.errors["ends_at"] == "ends 10:00, before it starts at 11:00"


def test_naive_times_are_refused(db: Database) -> None:
    did = new_delegation(db)
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        agenda.create(
            s, did, title="Visit", kind="visit", starts_at=datetime(2027, 7, 1, 9), ends_at=at(10)
        )
    assert caught.value.errors["starts_at"] == "a time needs its time zone"


def test_database_enforces_integrity_too(db: Database) -> None:
    did = new_delegation(db)
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(
            AgendaItem(delegation_id=did, title="x", kind="visit", starts_at=at(11), ends_at=at(10))
        )
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(
            AgendaItem(delegation_id=999, title="x", kind="visit", starts_at=at(9), ends_at=at(10))
        )
    with db.transaction() as s:
        pid = people.create(s, given_name="A", family_name="B").id
        s.add(Participation(delegation_id=did, person_id=pid))
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(Participation(delegation_id=did, person_id=pid))


def test_same_person_twice_is_a_validation_error(db: Database) -> None:
    did = new_delegation(db)
    with db.transaction() as s:
        pid = people.create(s, given_name="José", family_name="García").id
        participations.add(s, did, pid)
    with (
        pytest.raises(ValidationError, match="José García is already in this delegation"),
        db.transaction() as s,
    ):
        participations.add(s, did, pid)


def test_revision_rises_when_what_a_calendar_shows_changes(db: Database) -> None:
    did = new_delegation(db)
    with db.transaction() as s:
        item = agenda.create(s, did, title="Visit", kind="visit", starts_at=at(9), ends_at=at(10))
        iid, uuid = item.id, item.uuid
    assert item.revision == 0
    with db.transaction() as s:
        assert agenda.update(s, iid, title="Visit", everyone=True).revision == 0  # no change
    with db.transaction() as s:
        assert agenda.update(s, iid, description="More detail").revision == 1
    with db.transaction() as s:
        assert agenda.move(s, iid, at(9, 30)).revision == 2
    with db.transaction() as s:
        contact = people.create(s, given_name="Núria", family_name="Puig").id
        assert agenda.update(s, iid, host_contact_ids=[contact]).revision == 3
    with db.transaction() as s:
        moved = agenda.update(s, iid, status=ItemStatus.CANCELLED)
        assert (moved.revision, moved.uuid, moved.ends_at) == (4, uuid, at(10, 30))


def test_travel_legs_keep_each_end_in_its_own_zone(db: Database) -> None:
    did = new_delegation(db)
    athens = ZoneInfo("Europe/Athens")
    with db.transaction() as s:
        pid = people.create(s, given_name="Μαρία", family_name="Οικονομίδη").id
        part = participations.add(s, did, pid, role="guest")
        leg = participations.set_travel(
            s, part.id, "arrival", origin="Athens", origin_timezone="Europe/Athens",
            departs_at=datetime(2027, 7, 1, 5, 50, tzinfo=athens), destination="Barcelona",
            destination_timezone="Europe/Madrid", arrives_at=at(8, 25),
        )  # fmt: skip
    assert leg.arrives_at - leg.departs_at == timedelta(hours=3, minutes=35)
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        participations.set_travel(s, part.id, "departure", origin="Barcelona", origin_timezone="Europe/Madrid",
                                  departs_at=at(20), destination="Athens", destination_timezone="Mars/Olympus",
                                  arrives_at=at(19))  # fmt: skip
    assert caught.value.errors["departure.destination_timezone"].startswith(
        "unknown time zone 'Mars/Olympus'"
    )
    assert caught.value.errors["departure.arrives_at"].startswith("arrives ")


def test_delete_refusals_name_what_refers(demo_db: Database) -> None:
    with demo_db.session() as s:
        activa = queries.find_organisation(s, "Barcelona Activa").id
        sophie = queries.find_person(s, "sophie").id
        venue = queries.load_delegation(s, 1).items[1].venue
        assert venue is not None
    with pytest.raises(InUse) as caught, demo_db.transaction() as s:
        organisations.delete(s, activa)
    message = str(caught.value)
    assert message.startswith("Organisation 'Barcelona Activa' cannot be deleted: ")
    assert "Jordi Soler i Ferrer" in message and "hosts 2 agenda items" in message
    with (
        pytest.raises(
            InUse, match=r"attends 1 delegation .Creative clusters study visit to Barcelona.; leads"
        ),
        demo_db.transaction() as s,
    ):
        people.delete(s, sophie)
    with pytest.raises(InUse, match="take place there"), demo_db.transaction() as s:
        venues.delete(s, venue.id)


def test_deleting_a_delegation_removes_its_attendees_and_items(demo_db: Database) -> None:
    with demo_db.transaction() as s:
        delegations.delete(s, 1)
    with demo_db.session() as s:
        assert s.scalars(select(Participation)).all() == []
        assert s.scalars(select(AgendaItem)).all() == []
        assert len(s.scalars(select(Person)).all()) == 18


def test_load_delegation_uses_a_fixed_number_of_statements(demo_db: Database) -> None:
    def count_statements() -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(demo_db.engine, "before_cursor_execute", listener)
        try:
            with demo_db.session() as s:
                loaded = queries.load_delegation(s, 1)
        finally:
            event.remove(demo_db.engine, "before_cursor_execute", listener)
        # Everything exports need is reachable after the session closed.
        for item in loaded.items:
            _ = (
                item.delegation.title,
                item.venue,
                item.host,
                item.host_contacts,
                item.participants,
            )
        for p in loaded.participations:
            _ = (p.person.organisation, p.travel, p.delegation.timezone)
        return len(statements)

    before = count_statements()
    with demo_db.transaction() as s:
        for n in range(40):
            pid = people.create(s, given_name=f"Extra{n}", family_name="Person").id
            participations.add(s, 1, pid)
            agenda.create(s, 1, title=f"Item {n}", kind="meeting", starts_at=at(8), ends_at=at(9),
                          everyone=False, participant_ids=[1, 2])  # fmt: skip
    assert count_statements() == before


def test_items_for_an_attendee_and_for_a_host(demo_db: Database) -> None:
    with demo_db.session() as s:
        zoe = queries.find_person(s, "zoe lefevre")
        titles = [i.title for i in queries.items_for_person(s, 1, zoe.id)]
        assert "B2B meetings: fashion and design" in titles
        assert "B2B meetings: image, games and media" not in titles
        media = queries.find_organisation(s, "Barcelona Media")
        hosted = [i.title for i in queries.items_hosted_by(s, media.id)]
        assert hosted == [
            "Barcelona Media: media and ICT innovation",
            "B2B meetings: image, games and media",
        ]


def test_people_search_ignores_case_and_accents(db: Database) -> None:
    with db.transaction() as s:
        org = organisations.create(s, name="Łódź Film Cluster", city="Łódź")
        people.create(s, given_name="José", family_name="García", email="jg@example.org")
        people.create(s, given_name="Ørjan", family_name="Ødegård", organisation_id=org.id)
        people.create(s, given_name="Μαρία", family_name="Οικονομίδη")
    with db.session() as s:

        def names(text: str) -> list[str]:
            return [p.full_name for p in queries.search_people(s, text)]

        assert names("jose") == ["José García"]
        assert names("GARCIA jg@") == ["José García"]
        assert names("lodz") == ["Ørjan Ødegård"]
        assert names("orjan") == ["Ørjan Ødegård"]
        assert names("μαρια") == ["Μαρία Οικονομίδη"]
        assert names("100%") == []


def test_finding_by_name_lists_candidates_when_ambiguous(demo_db: Database) -> None:
    with demo_db.session() as s:
        assert queries.find_person(s, "helene").family_name == "Marchetti-Dubois de la Tour"
        assert queries.find_person(s, "g.nowak@plaine-images.example").given_name == "Grégoire"
        assert queries.find_organisation(s, "icec").acronym == "ICEC"
        with pytest.raises(Ambiguous) as caught:
            queries.find_organisation(s, "barcelona")
        assert "Barcelona Activa (id" in str(caught.value)
        with pytest.raises(NotFound, match="no delegation matches 'Lisbon'"):
            queries.find_delegation(s, "Lisbon")
