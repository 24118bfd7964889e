"""PDF documents and logistics lists: itinerary, programme, attendance, rooming, dietary,
passengers.

The PDFs are read back with pypdf: their text (names in Greek, Cyrillic and Polish
must come back), their fonts (embedded TrueType only) and their page sizes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from importlib import import_module
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from delegations.exports import ExportCancelled, ExportError, ExportOptions, run_export
from delegations.exports.kinds import EXPORT_KINDS
from delegations.exports.lists import safe_cell
from delegations.model import (
    AgendaItem,
    Delegation,
    ItemKind,
    ItemStatus,
    Organisation,
    Participation,
    ParticipationStatus,
    Person,
    Role,
    TravelDirection,
    TravelLeg,
    TravelMode,
    Venue,
)

STAMP = datetime(2026, 11, 21, 14, 5, tzinfo=UTC)
PDF_KINDS = ["itinerary", "programme", "attendance", "rooming", "dietary", "passengers"]
LIST_KINDS = ["rooming", "dietary", "passengers"]
STANDARD_14 = {
    "Courier",
    "Helvetica",
    "Times",
    "Symbol",
    "ZapfDingbats",
}


def test_every_declared_kind_has_a_writer() -> None:
    assert [k.key for k in EXPORT_KINDS if "csv" in k.formats] == LIST_KINDS
    for kind in EXPORT_KINDS:
        assert callable(import_module(kind.module).export), kind.key
        assert kind.label and kind.description and kind.formats, kind.key


# --- a small delegation with names from all over Europe ------------------------------------


def madrid(day: int, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` in Madrid on ``day`` June 2027 (UTC+2), as an aware UTC instant."""
    return datetime(2027, 6, day, hour - 2, minute, tzinfo=UTC)


class Builder:
    """Transient records with ids, as a loaded delegation has them."""

    def __init__(self) -> None:
        self.ids = count(1)

    def organisation(self, name: str, country: str, city: str, acronym: str = "") -> Organisation:
        return Organisation(
            id=next(self.ids), name=name, acronym=acronym, country=country, city=city
        )

    def person(self, given: str, family: str, organisation: Organisation, **kw: Any) -> Person:
        kw.setdefault("email", f"{given[0]}.{family}@example.org".lower().replace(" ", ""))
        kw.setdefault("phone", "+33 6 00 00 00 00")
        kw.setdefault("dietary_needs", "")
        kw.setdefault("accessibility_needs", "")
        kw.setdefault("job_title", "")
        kw.setdefault("consent_data", True)
        return Person(
            id=next(self.ids),
            given_name=given,
            family_name=family,
            organisation=organisation,
            **kw,
        )


@pytest.fixture
def visit() -> Delegation:
    """Barcelona, two days: 7 attendees (one declined), parallel B2Bs, a lunch, a transfer."""
    b = Builder()
    lille = b.organisation("Métropole Européenne de Lille", "France", "Lille", "MEL")
    greek = b.organisation("Ελληνικό Σύμπλεγμα Δημιουργικών Βιομηχανιών", "Greece", "Αθήνα")
    lodz = b.organisation("Łódź Film Cluster", "Poland", "Łódź")
    zelenograd = b.organisation("Технопарк Зеленоград", "Russia", "Зеленоград")
    nice = b.organisation("CCI Nice Côte d'Azur", "France", "Nice", "CCI")
    icec = b.organisation("Institut Català de les Empreses Culturals", "Spain", "Barcelona")
    lead = b.person("Claire", "Dubois", lille, phone="+33 6 12 34 56 78")
    people = [
        (lead, Role.ORGANISER, ParticipationStatus.CONFIRMED),
        (
            b.person("Μαρία", "Οικονομίδη", greek, dietary_needs="Vegetarian"),
            Role.HEAD,
            ParticipationStatus.CONFIRMED,
        ),
        (
            b.person("Agnieszka", "Wójcik", lodz, accessibility_needs="Step-free access"),
            Role.DELEGATE,
            ParticipationStatus.CONFIRMED,
        ),
        (
            b.person("Дмитрий", "Соколов", zelenograd, dietary_needs="No pork"),
            Role.DELEGATE,
            ParticipationStatus.INVITED,
        ),
        (b.person("Jean-Luc", "Côté", nice), Role.DELEGATE, ParticipationStatus.CONFIRMED),
        (b.person("Søren", "Ørsted", lille), Role.GUEST, ParticipationStatus.CONFIRMED),
        (
            b.person("Tomás", "Declinado", lille, dietary_needs="Vegan"),
            Role.DELEGATE,
            ParticipationStatus.DECLINED,
        ),
    ]
    delegation = Delegation(
        id=next(b.ids),
        title="Creative clusters study visit to Barcelona",
        programme="Interreg Europe — CREADIS3",
        destination_city="Barcelona",
        destination_country="Spain",
        timezone="Europe/Madrid",
        start_date=date(2027, 6, 3),
        end_date=date(2027, 6, 4),
        objectives="Learn how Barcelona supports creative industries.\n\nMeet B2B partners.",
        lead_officer=lead,
        emergency_contacts="Claire Dubois: +33 6 12 34 56 78\nEmergency number: 112",
    )
    for index, (person, role, status) in enumerate(people):
        delegation.participations.append(
            Participation(
                id=next(b.ids),
                person=person,
                person_id=person.id,
                role=role,
                status=status,
                badge_name="",
                hotel="Hotel Casa Fuster" if index % 2 else "Hotel Praktik Rambla",
                hotel_address="Passeig de Gràcia 132, 08008 Barcelona",
                check_in=date(2027, 6, 2),
                check_out=date(2027, 6, 4),
                room_notes="",
            )
        )
    maria = delegation.participations[1]
    maria.travel += [
        TravelLeg(
            id=next(b.ids),
            direction=TravelDirection.ARRIVAL,
            mode=TravelMode.FLIGHT,
            carrier="Aegean",
            number="A3 710",
            origin="Athens (ATH)",
            origin_timezone="Europe/Athens",
            departs_at=datetime(2027, 6, 2, 16, 0, tzinfo=UTC),  # 19:00 in Athens
            destination="Barcelona (BCN)",
            destination_timezone="Europe/Madrid",
            arrives_at=datetime(2027, 6, 2, 19, 5, tzinfo=UTC),  # 21:05 in Barcelona
        ),
        TravelLeg(
            id=next(b.ids),
            direction=TravelDirection.DEPARTURE,
            mode=TravelMode.FLIGHT,
            carrier="Aegean",
            number="A3 711",
            origin="Barcelona (BCN)",
            origin_timezone="Europe/Madrid",
            departs_at=datetime(2027, 6, 4, 17, 10, tzinfo=UTC),  # 19:10 in Barcelona
            destination="Athens (ATH)",
            destination_timezone="Europe/Athens",
            arrives_at=datetime(2027, 6, 4, 20, 20, tzinfo=UTC),  # 23:20 in Athens
        ),
    ]
    venue = Venue(
        id=next(b.ids),
        name="ICEC headquarters",
        address="Passeig de Gràcia 108",
        postcode="08008",
        city="Barcelona",
        country="Spain",
        organisation=icec,
    )
    host = b.person("Laia", "Puig i Ferrer", icec, email="laia.puig@icec.example")
    parts = delegation.participations

    def item(title: str, kind: ItemKind, start: datetime, end: datetime, **kw: Any) -> None:
        who = kw.pop("who", None)
        contacts = kw.pop("contacts", [])
        kw.setdefault("status", ItemStatus.CONFIRMED)
        kw.setdefault("description", "")
        agenda_item = AgendaItem(
            id=next(b.ids),
            title=title,
            kind=kind,
            starts_at=start,
            ends_at=end,
            everyone=who is None,
            **kw,
        )
        agenda_item.host_contacts.extend(contacts)
        agenda_item.participants.extend(who or [])
        delegation.items.append(agenda_item)

    item(
        "Welcome at ICEC",
        ItemKind.PRESENTATION,
        madrid(3, 9),
        madrid(3, 10, 30),
        venue=venue,
        host=icec,
        contacts=[host],
        description="Support schemes for the cultural industries.",
    )
    item("Lunch in Gràcia", ItemKind.MEAL, madrid(3, 13), madrid(3, 14), venue=venue)
    item(
        "B2B: audiovisual",
        ItemKind.B2B,
        madrid(3, 14, 30),
        madrid(3, 16),
        venue=venue,
        who=[parts[1], parts[2]],
    )
    item("B2B: music export", ItemKind.B2B, madrid(3, 14, 30), madrid(3, 15, 45), who=[parts[4]])
    item("Coach to Poblenou", ItemKind.TRANSFER, madrid(3, 16, 30), madrid(3, 17))
    item(
        "Reception at the city council",
        ItemKind.NETWORKING,
        madrid(3, 18),
        madrid(3, 19),
        status=ItemStatus.CANCELLED,
    )
    item("Workshop: internationalisation", ItemKind.WORKSHOP, madrid(4, 10), madrid(4, 12))
    return delegation


# --- helpers --------------------------------------------------------------------------------


def export(kind: str, delegation: Delegation, out: Path, **options: Any) -> Path:
    """Run one export with the fixed ``generated_at`` unless told otherwise."""
    options.setdefault("generated_at", STAMP)
    options.setdefault("zone", "Europe/Paris")
    return run_export(kind, delegation, out, ExportOptions(**options))


def pdf_text(path: Path) -> str:
    """All the text of a PDF."""
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def fonts_in(resources: Any) -> Iterator[DictionaryObject]:
    """Every font of a resource dictionary, also inside form XObjects."""
    resources = resolve(resources) or {}
    for font in (resolve(resources.get("/Font")) or {}).values():
        yield resolve(font)
    for xobject in (resolve(resources.get("/XObject")) or {}).values():
        xobject = resolve(xobject)
        if xobject.get("/Subtype") == "/Form":
            yield from fonts_in(xobject.get("/Resources"))


def all_fonts(path: Path) -> list[DictionaryObject]:
    fonts: list[DictionaryObject] = []
    for page in PdfReader(path).pages:
        fonts += fonts_in(page.get("/Resources"))
    return fonts


def images_on(path: Path, page: int) -> list[DictionaryObject]:
    resources = resolve(PdfReader(path).pages[page].get("/Resources"))
    xobjects = resolve(resources.get("/XObject")) or {}
    return [resolve(x) for x in xobjects.values() if resolve(x).get("/Subtype") == "/Image"]


def maria(delegation: Delegation) -> Participation:
    return next(p for p in delegation.participations if p.person.family_name == "Οικονομίδη")


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


# --- fonts, text, determinism, atomicity, paper ---------------------------------------------


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_every_font_is_embedded_truetype_and_none_is_standard(
    kind: str, visit: Delegation, tmp_path: Path
) -> None:
    out = export(kind, visit, tmp_path / f"{kind}.pdf")
    fonts = all_fonts(out)
    assert fonts, "no font found: the check would prove nothing"
    for font in fonts:
        base = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
        assert not any(base.startswith(name) for name in STANDARD_14), base
        descriptor = resolve(font.get("/FontDescriptor"))
        assert descriptor is not None and "/FontFile2" in descriptor, base


@pytest.mark.parametrize(
    ("kind", "options", "expected"),
    [
        ("itinerary", {}, ["Łódź", "Зеленоград", "Puig i Ferrer", "Côte d'Azur"]),
        ("itinerary", {"attendee": True}, ["Μαρία Οικονομίδη", "Welcome at ICEC"]),
        ("programme", {}, ["Οικονομίδη", "Wójcik", "Côté", "IN PARALLEL"]),
        (
            "attendance",
            {"include_unconfirmed": True},
            ["Οικονομίδη, Μαρία", "Соколов, Дмитрий", "Łódź", "Зеленоград"],
        ),
        ("rooming", {"include_unconfirmed": True}, ["Οικονομίδη", "Соколов", "Wójcik", "Ørsted"]),
        ("dietary", {}, ["Οικονομίδη", "Vegetarian", "Step-free access", "No pork"]),
        (
            "passengers",
            {"include_unconfirmed": True},
            ["Coach to Poblenou", "Соколов", "Côte d'Azur", "Łódź"],
        ),
    ],
)
def test_names_from_all_over_europe_come_back_from_the_pdf(
    kind: str, options: dict[str, Any], expected: list[str], visit: Delegation, tmp_path: Path
) -> None:
    if kind == "itinerary" and not options:
        # The whole itinerary names hosts, not attendees: give the host names to find.
        visit.items[0].host_contacts[0].organisation = visit.participations[2].person.organisation
        visit.items[0].description = "Partners from Зеленоград and the Côte d'Azur join."
    if options.pop("attendee", False):
        options["attendee_id"] = maria(visit).person.id
    text = pdf_text(export(kind, visit, tmp_path / "out.pdf", **options))
    for name in expected:
        assert name in text, f"{name!r} missing from the {kind} text"


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_same_data_and_stamp_give_identical_bytes(
    kind: str, visit: Delegation, tmp_path: Path
) -> None:
    first = export(kind, visit, tmp_path / "first.pdf").read_bytes()
    second = export(kind, visit, tmp_path / "second.pdf").read_bytes()
    later = export(
        kind, visit, tmp_path / "later.pdf", generated_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    )
    assert first == second
    assert later.read_bytes() != first
    assert "Issued 21 Nov 2026 15:05 CET" in pdf_text(tmp_path / "first.pdf")
    assert "Issued 1 Dec 2026 10:00 CET" in pdf_text(later)


def test_multi_page_documents_number_their_pages(visit: Delegation, tmp_path: Path) -> None:
    text = pdf_text(export("itinerary", visit, tmp_path / "itinerary.pdf"))
    pages = len(PdfReader(tmp_path / "itinerary.pdf").pages)
    assert pages > 1
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in text


def cancel_halfway(done: int, total: int) -> None:
    if total and done >= 1:
        raise ExportCancelled


@pytest.mark.parametrize(
    ("kind", "name", "extra"),
    [
        ("itinerary", "out.pdf", {}),
        ("programme", "out.pdf", {}),
        ("attendance", "out.pdf", {}),
        ("rooming", "out.pdf", {}),
        ("passengers", "out.csv", {"list_format": "csv"}),
    ],
)
def test_a_failure_midway_keeps_the_earlier_file_and_leaves_no_temporary_file(
    kind: str, name: str, extra: dict[str, Any], visit: Delegation, tmp_path: Path
) -> None:
    target = tmp_path / name
    target.write_bytes(b"earlier export")
    with pytest.raises(ExportCancelled):
        export(kind, visit, target, progress=cancel_halfway, **extra)
    assert target.read_bytes() == b"earlier export"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_an_unreadable_logo_names_the_file_and_writes_nothing(
    visit: Delegation, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"this is not an image")
    target = tmp_path / "sheets.pdf"
    with pytest.raises(ExportError, match=r"logo\.png"):
        export("attendance", visit, target, logo=logo)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["logo.png"]


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_paper_is_a4_by_default_and_letter_on_request(
    kind: str, visit: Delegation, tmp_path: Path
) -> None:
    a4 = PdfReader(export(kind, visit, tmp_path / "a4.pdf")).pages[0].mediabox
    letter = PdfReader(export(kind, visit, tmp_path / "letter.pdf", paper="letter"))
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    for page in letter.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)


# --- itinerary ------------------------------------------------------------------------------


def test_the_itinerary_has_cover_days_hosts_and_marks_cancelled_items(
    visit: Delegation, tmp_path: Path
) -> None:
    text = pdf_text(export("itinerary", visit, tmp_path / "itinerary.pdf"))
    for expected in [
        "Creative clusters study visit to",
        "Thursday 3 June 2027 – Friday 4 June 2027",
        "Learn how Barcelona supports creative industries.",
        "Lead officer",
        "Emergency number: 112",
        "Europe/Madrid (CEST, UTC+02:00)",
        "Thursday 3 June 2027",
        "Friday 4 June 2027",
        "09:00–10:30",
        "Passeig de Gràcia 108, 08008 Barcelona, Spain",
        "Institut Català de les Empreses Culturals",
        "laia.puig@icec.example",
        "B2B: music export",
    ]:
        assert expected in text, expected
    music = text[text.index("B2B: music export") :]
    assert "in parallel" in music[:60]
    assert "Participants: Jean-Luc Côté" in music
    cancelled_at = text.index("Reception at the city council")
    assert "CANCELLED" in text[cancelled_at - 60 : cancelled_at + 80]


def test_a_personal_itinerary_has_only_the_attendees_items_and_travel_in_each_ends_zone(
    visit: Delegation, tmp_path: Path
) -> None:
    attendee = maria(visit)
    out = export("itinerary", visit, tmp_path / "maria.pdf", attendee_id=attendee.person.id)
    text = " ".join(pdf_text(out).split())  # lines wrap inside the travel table
    assert "Μαρία Οικονομίδη" in text
    for title in ["Welcome at ICEC", "B2B: audiovisual", "Coach to Poblenou"]:
        assert title in text
    assert "B2B: music export" not in text
    # Arrival: leaves Athens at 19:00 Athens time, lands at 21:05 Barcelona time.
    assert "19:00 Europe/Athens (EEST, UTC+03:00)" in text
    assert "21:05 Europe/Madrid (CEST, UTC+02:00)" in text
    # Departure: 19:10 in Barcelona, 23:20 in Athens; never the UTC clock times.
    assert "19:10 Europe/Madrid" in text
    assert "23:20 Europe/Athens" in text
    assert "16:00 Europe" not in text and "20:20" not in text
    assert "Hotel Casa Fuster" in text
    assert "Check-in Wed 2 Jun 2027" in text
    # Who to call, on every page (records whose new fields were never set included).
    for page in PdfReader(out).pages:
        assert "In an emergency: Claire Dubois: +33 6 12 34 56 78" in page.extract_text()


def test_a_personal_itinerary_for_a_stranger_is_refused(visit: Delegation, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not in the delegation"):
        export("itinerary", visit, tmp_path / "x.pdf", attendee_id=9999)
    assert not (tmp_path / "x.pdf").exists()


def test_a_very_long_description_flows_over_pages_without_layout_error(
    visit: Delegation, tmp_path: Path
) -> None:
    paragraph = "The cluster presents its support for audiovisual and music companies. " * 40
    visit.items[0].description = "\n\n".join([paragraph] * 6)
    out = export("itinerary", visit, tmp_path / "long.pdf")
    assert len(PdfReader(out).pages) >= 4
    assert pdf_text(out).count("support for audiovisual") >= 200


# --- programme ------------------------------------------------------------------------------


def test_the_programme_has_one_page_per_day_and_shows_who_goes_where_in_parallel(
    visit: Delegation, tmp_path: Path
) -> None:
    out = export("programme", visit, tmp_path / "programme.pdf")
    reader = PdfReader(out)
    assert len(reader.pages) == visit.day_count == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "Thursday 3 June 2027" in first and "Friday 4 June 2027" in second
    assert "IN PARALLEL" in first and "IN PARALLEL" not in second
    audiovisual = first[first.index("B2B: audiovisual") :]
    assert "Wójcik" in audiovisual and "Οικονομίδη" in audiovisual
    music = first[first.index("B2B: music export") :]
    assert "Côté" in music.split("B2B: audiovisual")[0]
    assert "Workshop: internationalisation" in second


def test_a_crowded_day_continues_on_a_page_that_repeats_its_heading_never_shrinking(
    visit: Delegation, tmp_path: Path
) -> None:
    from delegations.exports.pdfdoc import FOOTER_GAP, MARGIN
    from pdf_support import text_runs

    for hour in range(8, 20):
        for minute in (0, 30):
            visit.items.append(
                AgendaItem(
                    id=1000 + hour * 60 + minute,
                    title=f"Studio visit {hour}:{minute:02d} with a rather long descriptive title",
                    kind=ItemKind.VISIT,
                    starts_at=madrid(4, hour, minute),
                    ends_at=madrid(4, hour, minute + 25),
                    status=ItemStatus.CONFIRMED,
                    everyone=True,
                )
            )
    out = export("programme", visit, tmp_path / "crowded.pdf")
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert len(pages) > 2
    assert "Friday 4 June 2027" in pages[1] and "(continued)" not in pages[1]
    for page in pages[2:]:
        assert "Friday 4 June 2027 (continued)" in page
    assert "Studio visit 19:30" in pages[-1]
    body = [r for r in text_runs(out) if r.y > MARGIN + FOOTER_GAP]  # the footer is 7.5 pt
    assert min(r.size for r in body) >= 8


# --- attendance sheets ----------------------------------------------------------------------


def test_attendance_sheets_have_logo_details_sorted_confirmed_attendees_and_walk_in_rows(
    visit: Delegation, tmp_path: Path
) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 150), "#003399").save(logo)
    out = export("attendance", visit, tmp_path / "sheets.pdf", logo=logo)
    reader = PdfReader(out)
    live = [i for i in visit.items if i.status != ItemStatus.CANCELLED]
    assert len(reader.pages) == len(live)
    assert images_on(out, 0), "the logo is missing"
    first = reader.pages[0].extract_text()
    for expected in [
        "Attendance sheet",
        "Interreg Europe — CREADIS3",
        "Welcome at ICEC",
        "Thursday 3 June 2027",
        "09:00–10:30",
        "ICEC headquarters",
        "Signature",
        "Certified by the organiser",
        "Claire Dubois",
    ]:
        assert expected in first, expected
    # Confirmed people only, by family name, accents folded: Ørsted sorts as "orsted".
    order = ["Côté", "Dubois", "Ørsted", "Wójcik", "Οικονομίδη"]
    positions = [first.index(name) for name in order]
    assert positions == sorted(positions)
    assert "Declinado" not in first and "Соколов" not in first  # declined; not confirmed
    # Five attendees, then numbered blank rows for walk-ins filling the page.
    after_last = first[first.index("Greece") :].split()[1:]
    blank_rows = after_last[: next(i for i, t in enumerate(after_last) if not t.isdigit())]
    assert blank_rows[:3] == ["6", "7", "8"] and len(blank_rows) >= 5  # the page is filled
    assert blank_rows == [str(n) for n in range(6, 6 + len(blank_rows))]
    assert "Reception at the city council" not in pdf_text(out)


def test_attendance_one_item_or_one_sheet_per_day(visit: Delegation, tmp_path: Path) -> None:
    b2b = next(i for i in visit.items if i.title == "B2B: audiovisual")
    one = pdf_text(export("attendance", visit, tmp_path / "one.pdf", item_id=b2b.id))
    assert "B2B: audiovisual" in one and "Welcome at ICEC" not in one
    assert "Wójcik" in one and "Côté" not in one
    days = PdfReader(export("attendance", visit, tmp_path / "days.pdf", per="day"))
    assert len(days.pages) == 2
    assert "Friday 4 June 2027" in days.pages[1].extract_text()
    with pytest.raises(ExportError, match="#4242"):
        export("attendance", visit, tmp_path / "none.pdf", item_id=4242)


def test_a_long_attendance_sheet_repeats_its_header_on_every_page(
    visit: Delegation, tmp_path: Path
) -> None:
    b = Builder()
    organisation = b.organisation("Zelenograd Nanotechnology Centre", "Russia", "Зеленоград")
    for n in range(60):
        person = b.person("Guest", f"Number{n:02d}", organisation)
        visit.participations.append(
            Participation(
                id=5000 + n,
                person=person,
                person_id=person.id,
                role=Role.GUEST,
                status=ParticipationStatus.CONFIRMED,
            )
        )
    welcome = visit.items[0]
    reader = PdfReader(export("attendance", visit, tmp_path / "long.pdf", item_id=welcome.id))
    assert len(reader.pages) >= 3
    for number, page in enumerate(reader.pages, start=1):
        content = page.extract_text()
        assert "Signature" in content and "Welcome at ICEC" in content
        assert "Thursday 3 June 2027" in content and "09:00–10:30" in content
        if number > 1:
            assert f"continued, page {number} of {len(reader.pages)}" in content
    # Every guest appears once; the certificate closes the last page only.
    text = pdf_text(tmp_path / "long.pdf")
    assert all(text.count(f"Number{n:02d}, Guest") == 1 for n in range(60))
    assert text.count("Certified by the organiser") == 1
    assert "Certified by the organiser" in reader.pages[-1].extract_text()


# --- lists ----------------------------------------------------------------------------------


def test_rooming_list_groups_guests_by_hotel_with_dates(visit: Delegation, tmp_path: Path) -> None:
    reader = PdfReader(export("rooming", visit, tmp_path / "rooming.pdf"))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 2  # one page per hotel, to send to each
    assert "Hotel Casa Fuster" in pages[0] and "Hotel Praktik Rambla" in pages[1]
    assert "Οικονομίδη" in pages[0] and "Wójcik" in pages[1]
    assert "Wed 2 Jun" in pages[0] and "Fri 4 Jun" in pages[0]
    assert "Thu 3 Jun 2027 – Fri 4 Jun 2027" in pages[0]
    assert "Declinado" not in "".join(pages)


def test_dietary_list_has_needs_and_the_meals_people_attend(
    visit: Delegation, tmp_path: Path
) -> None:
    text = pdf_text(export("dietary", visit, tmp_path / "dietary.pdf"))
    assert "Lunch in Gràcia" in text
    assert "Vegetarian" in text and "No pork" in text and "Step-free access" in text
    assert "Vegan" not in text  # the person who declined
    assert "6 guests in total, of whom 1 invited has not confirmed" in text
    assert "6 guests: No pork 1, Vegetarian 1, no special diet 4" in text
    rows = read_csv(export("dietary", visit, tmp_path / "dietary.csv", list_format="csv"))
    by_family = {row[0]: row for row in rows[1:]}
    assert set(by_family) == {"Οικονομίδη", "Wójcik", "Соколов"}
    assert by_family["Οικονομίδη"][3] == "Vegetarian"
    assert "Lunch in Gràcia" in by_family["Οικονομίδη"][5]


def test_passenger_list_per_transfer_with_phone_and_organisation(
    visit: Delegation, tmp_path: Path
) -> None:
    text = pdf_text(export("passengers", visit, tmp_path / "passengers.pdf"))
    assert "Coach to Poblenou" in text and "5 passengers" in text
    assert "+33 6 12 34 56 78" in text and "Ελληνικό Σύμπλεγμα" in text
    assert "Соколов" not in text  # invited, not confirmed
    everyone = pdf_text(export("passengers", visit, tmp_path / "all.pdf", include_unconfirmed=True))
    assert "6 passengers" in everyone and "Технопарк Зеленоград" in everyone
    assert "invited – not confirmed" in everyone
    rows = read_csv(export("passengers", visit, tmp_path / "p.csv", list_format="csv"))
    assert rows[0][:4] == ["Transfer", "Date", "Departs", "Pick-up"]
    expected = {"Dubois", "Οικονομίδη", "Wójcik", "Côté", "Ørsted"}
    assert {row[4] for row in rows[1:]} == expected
    assert all(row[1] == "2027-06-03" and row[2] == "16:30" for row in rows[1:])


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_csv_has_a_bom_and_excel_reads_its_accents(
    kind: str, visit: Delegation, tmp_path: Path
) -> None:
    out = export(kind, visit, tmp_path / f"{kind}.csv", list_format="csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    assert "Οικονομίδη".encode() in raw


def test_csv_cells_that_look_like_formulas_are_neutralised(
    visit: Delegation, tmp_path: Path
) -> None:
    attendee = maria(visit)
    attendee.room_notes = "=cmd|' /C calc'!A0"
    attendee.hotel_address = "+SUM(A1:A9)"
    attendee.person.given_name = '@HYPERLINK("http://x")'
    organisation = attendee.person.organisation
    assert organisation is not None
    organisation.name = "-2+3"
    attendee.person.dietary_needs = "=1+1"
    attendee.person.phone = "\t=2+2"
    rooming = read_csv(export("rooming", visit, tmp_path / "rooming.csv", list_format="csv"))
    row = next(r for r in rooming if r[2] == "Οικονομίδη")
    assert row[8] == "'=cmd|' /C calc'!A0"
    assert row[1] == "'+SUM(A1:A9)"
    assert row[3] == '\'@HYPERLINK("http://x")'
    assert row[4] == "'-2+3"
    dietary = read_csv(export("dietary", visit, tmp_path / "dietary.csv", list_format="csv"))
    assert next(r for r in dietary if r[0] == "Οικονομίδη")[3] == "'=1+1"
    coach = read_csv(export("passengers", visit, tmp_path / "coach.csv", list_format="csv"))
    assert next(r for r in coach if r[4] == "Οικονομίδη")[7] == "'\t=2+2"
    assert safe_cell("\rx") == "'\rx"
    assert safe_cell("Plain") == "Plain" and safe_cell("") == ""


def test_unknown_list_or_format_is_refused(visit: Delegation, tmp_path: Path) -> None:
    from delegations.exports import lists

    with pytest.raises(ExportError, match="unknown list"):
        lists.export("menu", visit, tmp_path / "x.pdf", ExportOptions())
    with pytest.raises(ExportError, match="format"):
        lists.export("rooming", visit, tmp_path / "x.xlsx", ExportOptions(list_format="xlsx"))  # type: ignore[arg-type]


# --- the demo delegation --------------------------------------------------------------------


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_the_demo_delegation_exports_with_embedded_fonts_and_its_names(
    kind: str, demo: Delegation, tmp_path: Path
) -> None:
    demo.participations[0].person.organisation = Organisation(
        id=99_999, name="Łódź Creative Hub", country="Poland", city="Зеленоград"
    )
    out = export(kind, demo, tmp_path / f"{kind}.pdf")
    for font in all_fonts(out):
        assert "/FontFile2" in resolve(font["/FontDescriptor"])
    text = pdf_text(out)
    if kind in ("attendance", "rooming", "passengers", "programme"):
        assert "Οικονομίδη" in text
    if kind in ("attendance", "passengers"):
        assert "Łódź Creative Hub" in text


def test_the_what_changed_page_embeds_every_font(visit: Delegation, tmp_path: Path) -> None:
    """Its bullets too: ReportLab's default bullet font is the unembedded Helvetica."""
    from delegations.exports.changes import write_changes

    attendee = next(p for p in visit.participations if p.confirmed)
    out = write_changes(
        visit,
        attendee,
        ["Moved: “Welcome”, now Thu 1 Jul 10:45–12:00.", "Cancelled: “Lunch”, Thu 1 Jul."],
        tmp_path / "changes.pdf",
        ExportOptions(generated_at=STAMP),
    )
    fonts = all_fonts(out)
    assert fonts
    for font in fonts:
        base = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
        assert not any(base.startswith(name) for name in STANDARD_14), base
