"""Calendars: read back with icalendar, instants checked through the file's own VTIMEZONEs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from delegations import __version__
from delegations.exports import ical
from delegations.exports.options import ExportError, ExportOptions
from delegations.exports.vtimezone import build_vtimezone
from delegations.model import (
    AgendaItem,
    Delegation,
    ItemKind,
    ItemStatus,
    Organisation,
    Person,
    PublishedEvent,
)
from delegations.services import queries
from delegations.store import Database

STAMP = datetime(2027, 5, 20, 8, 30, tzinfo=UTC)


def export(delegation: Delegation, path: Path, **options: object) -> Calendar:
    out = ical.export(delegation, path, ExportOptions(generated_at=STAMP, **options))  # type: ignore[arg-type]
    return Calendar.from_ical(out.read_bytes())


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def own_zones(calendar: Calendar) -> dict[str, object]:
    """The file's VTIMEZONEs as tzinfo objects (icalendar builds them from the rules)."""
    return {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in calendar.walk("VTIMEZONE")}


def instant(event: object, key: str, zones: dict[str, object]) -> datetime:
    """The UTC instant of DTSTART/DTEND, resolving its TZID through the file's VTIMEZONE."""
    prop = event[key]  # type: ignore[index]
    tzid = prop.params["TZID"]
    naive = prop.dt.replace(tzinfo=None)
    return naive.replace(tzinfo=zones[tzid]).astimezone(UTC)  # type: ignore[arg-type]


def uid(record: object) -> str:
    return f"{record.uuid}@delegations"  # type: ignore[attr-defined]


def reload(database: Database) -> Delegation:
    with database.session() as session:
        return queries.load_delegation(session, queries.list_delegations(session)[0].id)


# --------------------------------------------------------------------------- delegation


def test_every_item_at_its_instant(demo: Delegation, tmp_path: Path) -> None:
    calendar = export(demo, tmp_path / "d.ics")
    found, zones = events(calendar), own_zones(calendar)
    assert set(found) == {uid(item) for item in demo.items}
    for item in demo.items:
        event = found[uid(item)]
        assert event["DTSTART"].params["TZID"] == "Europe/Madrid"
        assert event["DTEND"].params["TZID"] == "Europe/Madrid"
        assert instant(event, "DTSTART", zones) == item.starts_at
        assert instant(event, "DTEND", zones) == item.ends_at
        # and the same with the tz database, as most readers do
        assert event.decoded("DTSTART").astimezone(UTC) == item.starts_at
        assert str(event["SUMMARY"]) == item.title
        assert event["CATEGORIES"].cats == [item.kind.label]
        assert str(event["STATUS"]) == item.status.value.upper()
        assert int(event["SEQUENCE"]) == item.revision
        assert event.decoded("DTSTAMP") == STAMP
        assert event.decoded("LAST-MODIFIED") == item.updated_at


def test_calendar_headers_and_publish_rules(demo: Delegation, tmp_path: Path) -> None:
    calendar = export(demo, tmp_path / "d.ics")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]) == f"-//Delegations//Delegations {__version__}//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["NAME"]) == demo.title == str(calendar["X-WR-CALNAME"])
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Madrid"
    lead = demo.lead_officer
    assert lead is not None
    for event in calendar.walk("VEVENT"):
        assert "ATTENDEE" not in event
        assert str(event["ORGANIZER"]) == f"mailto:{lead.email}"
        assert event["ORGANIZER"].params["CN"] == lead.full_name


def test_location_geo_and_description(demo: Delegation, tmp_path: Path) -> None:
    found = events(export(demo, tmp_path / "d.ics"))
    with_venue = [item for item in demo.items if item.venue is not None]
    assert with_venue
    for item in with_venue:
        event = found[uid(item)]
        assert item.venue is not None
        assert item.venue.name in str(event["LOCATION"])
        if item.venue.latitude is not None and item.venue.longitude is not None:
            geo = event["GEO"]
            assert (geo.latitude, geo.longitude) == pytest.approx(
                (item.venue.latitude, item.venue.longitude)
            )
        else:
            assert "GEO" not in event
    for item in demo.items:
        description = str(found[uid(item)].get("DESCRIPTION", ""))
        if item.host is not None:
            assert item.host.name in description
        for contact in item.host_contacts:
            assert contact.full_name in description
        if item.description:
            assert item.description.strip() in description


def test_vtimezone_has_rrules_and_covers_the_dates(demo: Delegation, tmp_path: Path) -> None:
    path = tmp_path / "d.ics"
    calendar = export(demo, path)
    assert calendar.get_missing_tzids() == set()
    (timezone,) = calendar.walk("VTIMEZONE")
    rules = [sub for sub in timezone.subcomponents if "RRULE" in sub]
    assert {sub.name for sub in rules} == {"STANDARD", "DAYLIGHT"}
    assert all(sub["RRULE"]["FREQ"] == ["YEARLY"] for sub in rules)
    earliest = min(sub.decoded("DTSTART") for sub in timezone.subcomponents)
    assert earliest < min(item.starts_at for item in demo.items).replace(tzinfo=None)
    raw = path.read_bytes()
    assert b"BYDAY=-1SU" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/Madrid",
        "Europe/Athens",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Tokyo",
        "America/Sao_Paulo",  # abolished its summer time in 2019: rules with UNTIL
        "America/Santiago",  # no change in 2015: the offset before the first one
        "Africa/Casablanca",  # Ramadan shifts on different dates every year
    ],
)
def test_vtimezone_rules_agree_with_the_tz_database(zone: str) -> None:
    first, last = datetime(2016, 1, 1, tzinfo=UTC), datetime(2028, 12, 31, tzinfo=UTC)
    component = build_vtimezone(zone, [first, last])
    parsed = Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\n" + component.to_ical() + b"END:VCALENDAR\r\n"
    ).walk("VTIMEZONE")[0]
    assert any("RRULE" in sub for sub in parsed.subcomponents)
    # lookup_tzid=False: build the zone from the file's rules, not from the TZID's name
    ours, reference = parsed.to_tz(lookup_tzid=False), ZoneInfo(zone)
    moment = first + timedelta(minutes=17)
    while moment < last:
        # A DTSTART is a wall-clock time: read it through our rules as a reader does,
        # except in a repeated hour, which no wall-clock time can tell apart.
        wall = moment.astimezone(reference).replace(tzinfo=None)
        once = wall.replace(tzinfo=reference), wall.replace(tzinfo=reference, fold=1)
        if once[0].utcoffset() == once[1].utcoffset():
            assert wall.replace(tzinfo=ours).astimezone(UTC) == moment, moment
        moment += timedelta(hours=5)


def test_same_data_gives_the_same_bytes(demo: Delegation, tmp_path: Path) -> None:
    first = ical.export(demo, tmp_path / "1.ics", ExportOptions(generated_at=STAMP))
    second = ical.export(demo, tmp_path / "2.ics", ExportOptions(generated_at=STAMP))
    assert first.read_bytes() == second.read_bytes()


# --------------------------------------------------------------------------- updates


def test_uids_stay_and_sequence_rises_after_a_change(demo_db: Database, tmp_path: Path) -> None:
    before = events(export(reload(demo_db), tmp_path / "before.ics"))
    with demo_db.transaction() as session:
        items = list(session.query(AgendaItem).order_by(AgendaItem.starts_at))
        moved, cancelled = items[1], items[2]
        moved_uid, cancelled_uid = uid(moved), uid(cancelled)
        moved.title = "Moved; later, with a comma"
        moved.starts_at += timedelta(hours=1)
        moved.ends_at += timedelta(hours=1)
        cancelled.status = ItemStatus.CANCELLED
    delegation = reload(demo_db)
    calendar = export(delegation, tmp_path / "after.ics")
    after = events(calendar)
    assert set(after) == set(before), "same UIDs: a re-import updates, never duplicates"
    for key, event in after.items():
        old = int(before[key]["SEQUENCE"])  # type: ignore[index]
        rises = key in (moved_uid, cancelled_uid)
        assert int(event["SEQUENCE"]) == old + (1 if rises else 0), key
    assert str(after[moved_uid]["SUMMARY"]) == "Moved; later, with a comma"
    item = next(i for i in delegation.items if uid(i) == moved_uid)
    assert instant(after[moved_uid], "DTSTART", own_zones(calendar)) == item.starts_at
    assert str(after[cancelled_uid]["STATUS"]) == "CANCELLED"


def test_a_cancelled_item_always_has_a_raised_sequence(demo: Delegation, tmp_path: Path) -> None:
    item = demo.items[0]
    item.status, item.revision = ItemStatus.CANCELLED, 0
    event = events(export(demo, tmp_path / "d.ics"))[uid(item)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) >= 1


# --------------------------------------------------------------------------- personal


def test_personal_calendar_has_items_and_travel_in_each_zone(
    demo: Delegation, tmp_path: Path
) -> None:
    maria = next(p for p in demo.participations if p.person.given_name == "Μαρία")
    calendar = export(demo, tmp_path / "maria.ics", attendee_id=maria.person.id)
    found, zones = events(calendar), own_zones(calendar)
    expected_items = {uid(item) for item in demo.items if item.concerns(maria)}
    skipped = {uid(item) for item in demo.items} - expected_items
    assert skipped, "the demo has items for a subset that Maria is not in"
    legs = {uid(leg): leg for leg in maria.travel}
    assert len(legs) == 2
    assert set(found) == expected_items | set(legs)
    for key, leg in legs.items():
        event = found[key]
        assert event["DTSTART"].params["TZID"] == leg.origin_timezone
        assert event["DTEND"].params["TZID"] == leg.destination_timezone
        assert instant(event, "DTSTART", zones) == leg.departs_at
        assert instant(event, "DTEND", zones) == leg.arrives_at
        assert int(event["SEQUENCE"]) == leg.revision
    assert set(zones) == {"Europe/Athens", "Europe/Madrid"}
    assert "X-WR-TIMEZONE" not in calendar
    assert maria.person.full_name in str(calendar["NAME"])


def test_unknown_attendee_is_an_error(demo: Delegation, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="999999"):
        export(demo, tmp_path / "x.ics", attendee_id=999999)
    assert not (tmp_path / "x.ics").exists()


# --------------------------------------------------------------------------- host


def test_host_calendar_holds_only_its_items(demo: Delegation, tmp_path: Path) -> None:
    hosts = {item.host.id: item.host for item in demo.items if item.host is not None}
    host = max(
        hosts.values(), key=lambda h: sum(1 for i in demo.items if i.host and i.host.id == h.id)
    )
    calendar = export(demo, tmp_path / "host.ics", host_id=host.id)
    expected = {uid(i) for i in demo.items if i.host is not None and i.host.id == host.id}
    assert len(expected) >= 2
    assert set(events(calendar)) == expected
    assert host.name in str(calendar["X-WR-CALNAME"])
    with pytest.raises(ExportError):
        export(demo, tmp_path / "none.ics", host_id=999999)


# --------------------------------------------------------------------------- organiser


def test_organizer_falls_back(tmp_path: Path) -> None:
    sending = Organisation(name="Lille Métropole", email="info@lille.example")
    lead = Person(given_name="Ann", family_name="Lee", email="", consent_data=True)
    delegation = Delegation(
        title="Study visit",
        timezone="Europe/Madrid",
        lead_officer=lead,
        sending_organisation=sending,
    )
    assert ical.organizer(delegation) == ical.Organizer("info@lille.example", "Lille Métropole")
    lead.email = "ann@lille.example"
    assert ical.organizer(delegation) == ical.Organizer("ann@lille.example", "Ann Lee")
    lead.consent_data = False  # without consent, never her address
    assert ical.organizer(delegation) == ical.Organizer("info@lille.example", "Lille Métropole")
    delegation.lead_officer = None
    sending.email = ""
    assert ical.organizer(delegation) == ical.Organizer(
        "noreply@delegations.invalid", "Study visit"
    )
    start = datetime(2027, 1, 10, 9, tzinfo=UTC)
    item = AgendaItem(
        title="Visit",
        kind=ItemKind.VISIT,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=ItemStatus.CONFIRMED,
        revision=0,
        everyone=True,
        uuid="00000000-0000-4000-8000-000000000001",
    )
    delegation.items.append(item)
    event = events(export(delegation, tmp_path / "x.ics"))[uid(item)]
    assert str(event["ORGANIZER"]) == "mailto:noreply@delegations.invalid"
    assert event["ORGANIZER"].params["CN"] == "Study visit"
    assert "LAST-MODIFIED" not in event  # a record never saved has no modification time
    # a winter date: the VTIMEZONE still covers it (the rules start the year before)
    zones = own_zones(Calendar.from_ical((tmp_path / "x.ics").read_bytes()))
    assert instant(event, "DTSTART", zones) == start


# ------------------------------------------------------------------ what was published before


def _gone(uid: str, sequence: int = 2, status: str = "CONFIRMED") -> PublishedEvent:
    start = datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    return PublishedEvent(uid, sequence, "Old visit", start, start + timedelta(hours=1),
                          "Somewhere", status)  # fmt: skip


def test_published_event_now_gone_is_written_cancelled(demo: Delegation, tmp_path: Path) -> None:
    calendar = export(demo, tmp_path / "a.ics", published={"gone-1": _gone("gone-1")})
    found = events(calendar)
    event = found["gone-1@delegations"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 3
    assert str(event["SUMMARY"]) == "Old visit"
    assert str(event["LOCATION"]) == "Somewhere"
    assert event["DTSTART"].params["TZID"] == demo.timezone  # type: ignore[index]
    zones = own_zones(calendar)
    assert instant(event, "DTSTART", zones) == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    assert "ORGANIZER" in event and "ATTENDEE" not in event  # type: ignore[operator]
    # already published as cancelled: repeated unchanged
    again = export(demo, tmp_path / "b.ics", published={"gone-1": _gone("gone-1", 3, "CANCELLED")})
    assert int(events(again)["gone-1@delegations"]["SEQUENCE"]) == 3  # type: ignore[index]


def test_gone_events_stop_once_the_visit_ended(demo: Delegation, tmp_path: Path) -> None:
    after = ical.visit_end(demo) + timedelta(seconds=1)
    out = ical.export(
        demo,
        tmp_path / "a.ics",
        ExportOptions(generated_at=after, published={"gone-1": _gone("gone-1")}),
    )
    assert "gone-1@delegations" not in events(Calendar.from_ical(out.read_bytes()))


def test_live_event_never_goes_below_what_was_published(demo: Delegation, tmp_path: Path) -> None:
    item = demo.items[0]
    published = ical.snapshot(demo, ExportOptions(generated_at=STAMP))[item.uuid]
    from dataclasses import replace

    higher = replace(published, sequence=published.sequence + 5)
    moved = replace(published, sequence=item.revision, summary="Another title")
    same = events(export(demo, tmp_path / "a.ics", published={item.uuid: higher}))
    assert int(same[uid(item)]["SEQUENCE"]) == published.sequence + 5  # type: ignore[index]
    changed = events(export(demo, tmp_path / "b.ics", published={item.uuid: moved}))
    assert int(changed[uid(item)]["SEQUENCE"]) == item.revision + 1  # type: ignore[index]


def test_former_attendee_with_a_publication_gets_everything_cancelled(
    demo: Delegation, tmp_path: Path
) -> None:
    calendar = export(demo, tmp_path / "a.ics", attendee_id=999_999,
                      published={"gone-1": _gone("gone-1")})  # fmt: skip
    found = events(calendar)
    assert list(found) == ["gone-1@delegations"]
    assert str(found["gone-1@delegations"]["STATUS"]) == "CANCELLED"  # type: ignore[index]


def test_transfer_description_names_the_drop_off(demo: Delegation) -> None:
    transfer = next(i for i in demo.items if i.is_transfer and i.dropoff_venue is not None)
    assert f"Drop-off: {transfer.dropoff_venue.name}" in ical.item_description(transfer)  # type: ignore[union-attr]


def test_shared_events_give_the_same_bytes(demo: Delegation) -> None:
    """Within ``shared_events`` (an attendee pack) every calendar is byte for byte what
    it is alone, though each event is serialised once."""
    from dataclasses import replace

    from delegations.exports.ical import shared_events, to_ical

    base = ExportOptions(generated_at=datetime(2027, 5, 20, 8, 30, tzinfo=UTC))
    audiences = [base] + [replace(base, attendee_id=p.person_id) for p in demo.participations]
    alone = [to_ical(demo, options) for options in audiences]
    with shared_events():
        together = [to_ical(demo, options) for options in audiences]
        again = [to_ical(demo, options) for options in reversed(audiences)]
    assert together == alone
    assert list(reversed(again)) == alone
