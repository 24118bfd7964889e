"""Itineraries an organiser hands out as they are, read back from the PDF.

The demo visit and the large made-up one (40 attendees, 120 items, 3 days), loaded
from a database as the application loads them: the delegation's overview page, the
return coach's pick-up, map links and QR codes, the way between venues, the
emergency line on every page, the smallest type, who is marked and who is left out,
the personal hotel details, and remembered layouts that change nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from delegations.exports import ExportOptions, Ways, run_export
from delegations.exports import itinerary as itinerary_module
from delegations.exports.pdfdoc import FOOTER_SIZE
from delegations.exports.wayfinding import form_name, has_position, map_url, way_between
from delegations.model import AgendaItem, Delegation, ItemStatus, Participation, Venue
from pdf_support import demo_visit, large_visit, links, page_texts, text_runs

STAMP = datetime(2026, 11, 22, 9, 15, tzinfo=UTC)
EMERGENCY = "In an emergency: Sophie Delacroix (lead officer): +33 6 12 34 56 78"


def export(delegation: Delegation, out: Path, **options: Any) -> Path:
    options.setdefault("generated_at", STAMP)
    options.setdefault("zone", "Europe/Paris")
    return run_export("itinerary", delegation, out, ExportOptions(**options))


def flat(value: str) -> str:
    """Text with no-break spaces as spaces and every run of white space as one space."""
    return " ".join(value.replace("\u00a0", " ").split())


def pages(path: Path) -> list[str]:
    return [flat(page) for page in page_texts(path)]


def person(delegation: Delegation, full_name: str) -> Participation:
    return next(p for p in delegation.participations if p.person.full_name == full_name)


def item(delegation: Delegation, title: str) -> AgendaItem:
    return next(i for i in delegation.items if i.title == title)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Delegation:
    return demo_visit(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo_pdf(demo: Delegation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(demo, tmp_path_factory.mktemp("out") / "itinerary.pdf")


# --- the delegation's overview ----------------------------------------------------------------


def test_the_overview_page_has_everything_an_organiser_hands_out(
    demo: Delegation, demo_pdf: Path
) -> None:
    first, *rest = pages(demo_pdf)
    for expected in [
        "Thursday 1 July 2027 – Friday 2 July 2027",
        # the hotel, grouped once, with address and phone
        "Hotel Ciutat Barcelona Carrer de la Princesa, 35, 08003 Barcelona +34 932 69 74 75 10",
        "Lead officer Sophie Delacroix",
        "European emergency number: 112",
        "Dress code Business casual",
        "Attendees (10)",
        # roles and organisations
        "Étienne Vasseur Head of delegation Lille Design",
        "Julien Caron Interpreter",
        "Μαρία Οικονομίδη Guest gi-Cluster",
        # arrivals and departures, each end in its own zone
        "Arrivals · Wednesday 30 June 2027",
        "Athens (ATH) 17:05 EEST",
        "Barcelona–El Prat T1 (BCN) 19:40 CEST",
        "Vueling VY 8011 Lille-Lesquin (LIL) 06:20 CEST",
        "Departures · Saturday 3 July 2027",
        "Barcelona Sants 17:25 CEST Paris Gare de Lyon 23:53 CEST",
    ]:
        assert expected in first, expected
    assert first.count("Hotel Ciutat Barcelona Carrer") == 1  # one row for its ten guests
    # The overview is the first page, and only it: the programme starts on the next one.
    assert "Programme" not in first
    assert rest[0].startswith("Objectives") or "Programme" in rest[0]


def test_who_has_not_confirmed_is_marked_and_who_declined_is_left_out(
    demo: Delegation, demo_pdf: Path
) -> None:
    first = pages(demo_pdf)[0]
    assert "Inès Van den Bossche (invited, not confirmed)" in first
    assert "Inès Van den Bossche (invited)" in first  # on her flights too
    declined = [p.person.full_name for p in demo.participations if not p.status.attending]
    assert declined
    for name in declined:
        assert all(name not in page for page in pages(demo_pdf)), name


def test_the_large_visit_overview_continues_compactly(large: Delegation, tmp_path: Path) -> None:
    out = export(large, tmp_path / "large.pdf")
    texts = pages(out)
    attending = [p for p in large.participations if p.status.attending]
    assert f"Attendees ({len(attending)})" in texts[0]
    assert "Hotel Arts Barcelona" in texts[0] and "+34 932 21 10 00" in texts[0]
    overview = " ".join(texts[: next(n for n, t in enumerate(texts) if "Programme" in t)])
    assert overview.count("Departures · ") >= 1
    # The whole overview (38 attendees, 76 journeys) fits in four pages at most.
    assert next(n for n, t in enumerate(texts) if "Programme" in t) <= 3
    # A very long organisation name is given by its short name there.
    assert "Hauts-de-France Innovation (AD HDF)" in overview


# --- items -----------------------------------------------------------------------------------


def test_the_return_coach_is_picked_up_at_the_hotel_with_company_vehicle_and_driver(
    demo_pdf: Path,
) -> None:
    text = " ".join(pages(demo_pdf))
    block = text[text.index("Coach transfer: hotel to airport") :]
    block = block[: block.index("Barcelona Sants by train.")]
    pick_up = block[block.index("Pick-up:") : block.index("Drop-off:")]
    assert pick_up.startswith("Pick-up: Hotel Ciutat Barcelona, Carrer de la Princesa, 35")
    assert "Airport" not in pick_up
    assert "Drop-off: Barcelona–El Prat Airport, Terminal 1 departures" in block
    assert "Autocars Montseny · 35-seat coach, plate 4821 KLM · driver +34 611 48 21 00" in block
    assert "Access: Coaches stop in front of the main entrance" in pick_up


def test_host_contacts_dress_code_and_wifi_are_given(demo_pdf: Path) -> None:
    text = " ".join(pages(demo_pdf))
    welcome = text[text.index("Welcome and cultural-industries policy") :][:900]
    assert "Host: Catalan Institute for Cultural Industries (ICEC) · +34 935 54 03 00" in welcome
    # Núria Puigdomènech did not agree to data processing: name and role only.
    assert "Núria Puigdomènech" in welcome
    assert "npuigdomenech@icec.example" not in text and "+34 935 54 03 21" not in text
    dinner = text[text.index("Networking dinner with Barcelona hosts") :][:400]
    assert "Dress code: Smart casual" in dinner
    assert "Wi-Fi: BActiva-Visitors, password: creative2027" in text


def map_codes(path: Path) -> dict[int, set[str]]:
    """The map QR codes (the forms named after their link) drawn on each page."""
    found: dict[int, set[str]] = {}
    for number, page in enumerate(PdfReader(path).pages, start=1):
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        names = {str(n) for n in (xobjects.get_object() if xobjects else {})}
        found[number] = {n.split(".", 1)[1] for n in names if ".MapCode" in n}
    return found


def test_every_venue_has_its_map_link_and_a_qr_code_only_with_coordinates(
    demo: Delegation, demo_pdf: Path
) -> None:
    venues = {
        v.id: v
        for i in demo.items
        if i.status != ItemStatus.CANCELLED
        for v in (i.venue, i.dropoff_venue)
        if v is not None
    }
    uris = {uri for _, uri in links(demo_pdf)}
    for venue in venues.values():
        assert map_url(venue) in uris, venue.name
        if has_position(venue):
            assert "openstreetmap.org/?mlat=" in map_url(venue)
            assert f"{venue.latitude:.5f}" in map_url(venue)
            assert f"{venue.longitude:.5f}" in map_url(venue)
    assert any("openstreetmap.org/search?query=" in uri for uri in uris)  # no coordinates
    # A QR code for each venue (a transfer: its pick-up) with coordinates, none without.
    drawn = set().union(*map_codes(demo_pdf).values())
    where = {
        i.venue.id: i.venue
        for i in demo.items
        if i.venue is not None and i.status != ItemStatus.CANCELLED
    }
    expected = {form_name(map_url(v)) for v in where.values() if has_position(v)}
    assert drawn == expected
    assert all(form_name(map_url(v)) not in drawn for v in venues.values() if not has_position(v))
    assert any(not has_position(v) for v in where.values())


def test_the_way_between_two_venues_is_said(demo: Delegation, tmp_path: Path) -> None:
    welcome = item(demo, "Welcome and cultural-industries policy in Catalonia")
    media = item(demo, "Barcelona Media: media and ICT innovation")
    items = sorted(demo.items, key=lambda i: (i.starts_at, i.ends_at))
    way = way_between(welcome, media, Ways(), items)
    assert way is not None and "Edifici Media-TIC" in way.text
    out = export(demo, tmp_path / "ways.pdf")
    text = " ".join(pages(out))
    at = text.index(flat(way.text))
    assert text.index("Welcome and cultural-industries") < at < text.index("Barcelona Media:")
    # The minutes the officer entered come first.
    assert welcome.venue is not None and media.venue is not None
    maria = person(demo, "Μαρία Οικονομίδη")
    mine = " ".join(pages(export(demo, tmp_path / "maria.pdf", attendee_id=maria.person.id)))
    assert f"↓ from ICEC – Palau Moja: {flat(way.text)}" in mine
    planned = Ways(known={(welcome.venue.id, media.venue.id): 25})
    text = " ".join(pages(export(demo, tmp_path / "planned.pdf", ways=planned)))
    assert "25 min to Edifici Media-TIC (as planned)" in text


# --- every page, every size ------------------------------------------------------------------


def test_the_emergency_contact_is_on_every_page(
    demo: Delegation, demo_pdf: Path, tmp_path: Path
) -> None:
    maria = person(demo, "Μαρία Οικονομίδη")
    personal = export(demo, tmp_path / "maria.pdf", attendee_id=maria.person.id)
    for path in (demo_pdf, personal):
        texts = pages(path)
        assert len(texts) > 1
        for number, page in enumerate(texts, start=1):
            assert EMERGENCY in page, (path.name, number)


def test_nothing_is_printed_smaller_than_the_footer(
    demo: Delegation, large: Delegation, demo_pdf: Path, tmp_path: Path
) -> None:
    attendee = next(p for p in large.participations if p.status.attending)
    paths = [
        demo_pdf,
        export(large, tmp_path / "large.pdf"),
        export(large, tmp_path / "one.pdf", attendee_id=attendee.person.id),
    ]
    for path in paths:
        runs = text_runs(path)
        assert runs
        small = [r for r in runs if r.size < FOOTER_SIZE - 0.01]
        assert not small, (path.name, small[:3])


# --- the personal itinerary ------------------------------------------------------------------


def test_a_personal_itinerary_has_the_hotel_phone_booking_and_room(
    demo: Delegation, tmp_path: Path
) -> None:
    zoe = person(demo, "Zoé Lefèvre")
    text = " ".join(pages(export(demo, tmp_path / "zoe.pdf", attendee_id=zoe.person.id)))
    for expected in [
        "for Zoé Lefèvre",
        "Role: Delegate",
        "Hotel Ciutat Barcelona",
        "phone +34 932 69 74 75",
        "Booking reference HCB-270701-116",
        "Room: Twin · shared with Hélène Marchetti-Dubois de la Tour",
        "Check-in",
        "Dress code Business casual",
        "Vueling VY 8011",
    ]:
        assert expected in text, expected


def test_a_personal_itinerary_of_someone_invited_says_so(demo: Delegation, tmp_path: Path) -> None:
    ines = person(demo, "Inès Van den Bossche")
    text = " ".join(pages(export(demo, tmp_path / "ines.pdf", attendee_id=ines.person.id)))
    assert "Status: Invited (not confirmed yet)" in text


def test_remembered_layouts_give_the_same_bytes(large: Delegation, tmp_path: Path) -> None:
    """Layouts are shared between documents: a document written with a warm cache is
    byte for byte the one written from nothing."""
    first, second = [p for p in large.participations if p.status.attending][:2]
    itinerary_module.clear_layouts()
    cold = export(large, tmp_path / "cold.pdf", attendee_id=first.person.id).read_bytes()
    export(large, tmp_path / "other.pdf", attendee_id=second.person.id)
    export(large, tmp_path / "whole.pdf")
    warm = export(large, tmp_path / "warm.pdf", attendee_id=first.person.id).read_bytes()
    assert cold == warm
    assert re.search(rb"/Subtype /Form", cold)  # map codes written once, then referred to


def test_with_parallel_tracks_a_way_is_said_only_for_the_same_people(tmp_path: Path) -> None:
    """A track's way starts where that track was, never at the venue of the other
    track's meeting printed just above it."""
    visit = large_visit(tmp_path)
    place = {
        name: Venue(name=name, city="Barcelona", latitude=lat, longitude=lon)
        for name, lat, lon in (
            ("Barcelona Activa", 41.4036, 2.1958),
            ("Barcelona Media", 41.4039, 2.1927),
            ("Kids Cluster", 41.3990, 2.1990),
        )
    }
    meetings = {
        int(i.title.split()[2].rstrip(":")): i
        for i in visit.items
        if i.title.startswith("B2B meeting") and i.starts_at.day == visit.items[0].starts_at.day
    }
    track = len([m for m in meetings.values() if m.starts_at == meetings[1].starts_at])
    # Track 1 meets at Barcelona Activa, then at Kids Cluster; the last track of the
    # first round meets at Barcelona Media, printed just before track 1's second meeting.
    meetings[1].venue = place["Barcelona Activa"]
    meetings[track].venue = place["Barcelona Media"]
    meetings[track + 1].venue = place["Kids Cluster"]
    text = " ".join(pages(export(visit, tmp_path / "tracks.pdf")))
    between = text[
        text.index(f"B2B meeting {track}:") : text.index(f"B2B meeting {track + 1}:") + 200
    ]
    assert "↓ from Barcelona Activa" in between
    assert "↓ from Barcelona Media" not in between


def test_details_taller_than_a_page_flow_instead_of_failing(tmp_path: Path) -> None:
    visit = demo_visit(tmp_path)
    welcome = item(visit, "Welcome and cultural-industries policy in Catalonia")
    assert welcome.venue is not None
    welcome.venue.access_notes = "\n".join(f"Door {n}: ring twice." for n in range(120))
    text = " ".join(pages(export(visit, tmp_path / "tall.pdf")))
    assert "Door 0: ring twice." in text and "Door 119: ring twice." in text
