"""Attendance sheets and logistics lists on the demo and the large visit, read back.

Every page of an attendance sheet starts with the sheet's heading and the table
header; walk-in rows fill the last page, which holds the organiser's certificate;
e-mail addresses only on request; per-day sheets sign the morning and the afternoon.
The dietary list counts per diet wherever food is served; rooming and passenger lists
carry what the hotel and the coach company need, confirmed attendees only unless
asked (then the invited ones are marked).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from delegations.exports import ExportOptions, run_export
from delegations.exports.lists import diet_counts
from delegations.model import Delegation, ItemStatus
from pdf_support import demo_visit, page_texts, text_runs
from test_exports_documents import read_csv

STAMP = datetime(2026, 11, 22, 9, 15, tzinfo=UTC)
INVITED = "invited – not confirmed"
ZONE = ZoneInfo("Europe/Madrid")
FOOTER = re.compile(r"Version \d+ · Issued 22 Nov 2026 10:15 CET · Page (\d+) of (\d+)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Delegation:
    return demo_visit(tmp_path_factory.mktemp("demo"))


def export(kind: str, delegation: Delegation, out: Path, **options: Any) -> Path:
    options.setdefault("generated_at", STAMP)
    options.setdefault("zone", "Europe/Paris")
    return run_export(kind, delegation, out, ExportOptions(**options))


def live_items(delegation: Delegation) -> list[Any]:
    items = [i for i in delegation.items if i.status != ItemStatus.CANCELLED]
    return sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id))


def assert_footer_on_every_page(pages: list[str]) -> None:
    for number, content in enumerate(pages, start=1):
        found = FOOTER.search(content)
        assert found, f"page {number} has no version/issue/page footer"
        assert found.groups() == (str(number), str(len(pages)))


# --- attendance sheets ---------------------------------------------------------------------


@pytest.mark.parametrize("which", ["demo", "large"])
def test_every_page_of_every_sheet_starts_with_its_heading_and_the_table_header(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    delegation: Delegation = request.getfixturevalue(which)
    out = export("attendance", delegation, tmp_path / "sheets.pdf")
    pages = page_texts(out)
    runs = text_runs(out)
    items = live_items(delegation)
    assert_footer_on_every_page(pages)
    # Walk the pages sheet by sheet: a first page, then "continued, page k of n".
    sheet, expected_pages, seen_certificates = -1, 0, 0
    for number, content in enumerate(pages, start=1):
        continued = re.search(r"continued, page (\d+) of (\d+)", content)
        if continued is None:
            sheet += 1
            expected_pages = 1
            assert "Attendance sheet" in content and "Programme" in content
        else:
            expected_pages += 1
            assert int(continued.group(1)) == expected_pages
        title = items[sheet].title
        on_page = [r for r in runs if r.page == number]
        top = max(on_page, key=lambda r: r.y)
        assert top.text.startswith("Attendance sheet"), f"page {number} starts with {top.text!r}"
        header = next(r for r in on_page if r.text == "Signature")
        heading = [r for r in on_page if title.startswith(r.text) or r.text.startswith(title)]
        assert heading and max(r.y for r in heading) > header.y, f"page {number}: {title}"
        assert "No." in content and "Name" in content and "Organisation" in content
        day = items[sheet].starts_at.astimezone(ZONE).strftime("%-d %B %Y")
        assert day in content, f"page {number} does not give the date"
        if "Certified by the organiser" in content:
            seen_certificates += 1
            total = int(continued.group(2)) if continued else 1
            assert expected_pages == total, "the certificate is not on the sheet's last page"
    assert sheet == len(items) - 1
    assert seen_certificates == len(items)


def test_walk_in_rows_fill_the_last_page_and_numbers_run_on(
    large: Delegation, tmp_path: Path
) -> None:
    first = live_items(large)[0]
    out = export("attendance", large, tmp_path / "one.pdf", item_id=first.id)
    pages = page_texts(out)
    expected = [p for p in first.attendees(large.participations) if p.confirmed]
    numbers = [int(t) for t in re.findall(r"^(\d+)$", "\n".join(pages), re.MULTILINE)]
    # Attendees then walk-ins, numbered on without a gap across the pages.
    assert numbers[: len(expected) + 3] == list(range(1, len(expected) + 4))
    walk_ins = max(numbers) - len(expected)
    assert walk_ins >= 3
    # The last page ends with the certificate close to the foot of the page.
    runs = [r for r in text_runs(out) if r.page == len(pages)]
    stamp = next(r for r in runs if r.text == "Stamp")
    assert stamp.y < 842 / 3, "the last page leaves room that walk-in rows should fill"


def test_no_e_mail_by_default_and_an_e_mail_column_on_request(
    demo: Delegation, tmp_path: Path
) -> None:
    plain = "\n".join(page_texts(export("attendance", demo, tmp_path / "plain.pdf")))
    assert "@" not in plain and "E-mail" not in plain
    emails = "\n".join(
        page_texts(export("attendance", demo, tmp_path / "mails.pdf", email_column=True))
    )
    assert "E-mail" in emails
    assert "julien.caron@" in emails and "interpretes.example" in emails


def test_the_organiser_certifies_each_sheet(demo: Delegation, tmp_path: Path) -> None:
    first = " ".join(page_texts(export("attendance", demo, tmp_path / "sheets.pdf"))[0].split())
    for expected in [
        "Certified by the organiser",
        "I certify that the persons listed on this sheet attended",
        "“Coach transfer: airport to La Rambla” on Thursday 1 July 2027",
        "Name of the organiser",
        "Sophie Delacroix",
        "Date",
        "Stamp",
    ]:
        assert expected in first, expected


def test_day_sheets_sign_the_morning_and_the_afternoon_where_the_day_has_items(
    demo: Delegation, tmp_path: Path
) -> None:
    out = export("attendance", demo, tmp_path / "days.pdf", per="day")
    pages = page_texts(out)
    day_one = [p for p in pages if "Thursday 1 July 2027" in p]
    assert day_one and all("Morning" in p and "Afternoon" in p for p in day_one)
    assert "09:00–12:45" in day_one[0] and "13:00–22:30" in day_one[0]
    assert "attended the activities of Thursday 1 July 2027" in " ".join(" ".join(day_one).split())
    # Without its afternoon items, the second day has a morning column only.
    afternoon = [i for i in demo.items if i.starts_at.astimezone(ZONE).hour >= 13]
    saved = {i.id: i.status for i in afternoon}
    try:
        for item in afternoon:
            if item.starts_at.astimezone(ZONE).day == 2:
                item.status = ItemStatus.CANCELLED
        pages = page_texts(export("attendance", demo, tmp_path / "morning.pdf", per="day"))
    finally:
        for item in afternoon:
            item.status = saved[item.id]
    day_two = [p for p in pages if "Friday 2 July 2027" in p]
    assert day_two and all("Morning" in p and "Afternoon" not in p for p in day_two)


def test_attendance_lists_confirmed_attendees_and_marks_invited_ones_on_request(
    demo: Delegation, tmp_path: Path
) -> None:
    default = "\n".join(page_texts(export("attendance", demo, tmp_path / "d.pdf")))
    assert "Van den Bossche" not in default and "Roussel" not in default
    everyone = "\n".join(
        page_texts(export("attendance", demo, tmp_path / "e.pdf", include_unconfirmed=True))
    )
    assert "Van den Bossche, Inès" in everyone and INVITED in everyone
    assert "Roussel" not in everyone  # declined


def test_long_names_and_organisations_stay_inside_their_cells(
    large: Delegation, tmp_path: Path
) -> None:
    out = export("attendance", large, tmp_path / "sheets.pdf", per="day", email_column=True)
    text = " ".join(" ".join(page_texts(out)).split())
    # Never cut: the long name in smaller type, the e-mail whole across two lines.
    assert "Fernández de Córdoba y Álvarez de Toledo, Maria del Carmen" in text
    assert "attendee03@" in text and "cluster3.example" in text
    for run in text_runs(out):
        assert run.x + 2 < 595 - 15 * 72 / 25.4, f"{run.text!r} runs off the page"


# --- dietary --------------------------------------------------------------------------------


def test_dietary_list_counts_per_diet_wherever_food_is_served(
    demo: Delegation, tmp_path: Path
) -> None:
    text = "\n".join(page_texts(export("dietary", demo, tmp_path / "dietary.pdf")))
    food = [i for i in live_items(demo) if i.serves_food]
    assert "Networking dinner with Barcelona hosts" in {i.title for i in food}
    for item in food:
        assert item.title in text
        guests = item.attendees(demo.participations)
        diets = Counter(p.person.dietary_needs.strip() for p in guests)
        line = f"{len(guests)} guests: {diet_counts(guests)}"
        assert " ".join(line.split()) in " ".join(text.split()), line
        for diet, count in diets.items():
            assert f"{diet or 'no special diet'} {count}" in diet_counts(guests)
    assert "Vegan; nut allergy" in text and "Leroy, Thomas" in text
    assert "9 confirmed attendees and 1 invited attendee who has not confirmed" in text


def test_diet_counts_merge_spellings_and_put_no_special_diet_last(demo: Delegation) -> None:
    people = [p for p in demo.participations if p.status.attending]
    people[0].person.dietary_needs = "vegetarian"
    people[1].person.dietary_needs = "Vegetarian "
    try:
        counts = diet_counts(people)
    finally:
        people[0].person.dietary_needs, people[1].person.dietary_needs = "", "Vegetarian"
    assert counts.startswith("Vegetarian 2, ")
    assert counts.endswith(
        f"no special diet {sum(1 for p in people[2:] if not p.person.dietary_needs)}"
    )


# --- rooming --------------------------------------------------------------------------------


def test_rooming_list_gives_hotel_phone_booking_room_type_and_sharing(
    demo: Delegation, tmp_path: Path
) -> None:
    pages = page_texts(export("rooming", demo, tmp_path / "rooming.pdf"))
    assert_footer_on_every_page(pages)
    text = "\n".join(pages)
    for expected in [
        "Hotel Ciutat Barcelona",
        "Phone +34 932 69 74 75",
        "HCB-270701-114",
        "Twin",
        "Shared with Zoé Lefèvre",
        "Accessible double for single use",
        "Confirmed attendees only: 1 invited attendee who has not confirmed is not listed.",
    ]:
        assert expected in " ".join(text.split()), expected
    assert "Van den Bossche" not in text and "HCB-270701-119" not in text
    rows = read_csv(export("rooming", demo, tmp_path / "rooming.csv", list_format="csv"))
    header = rows[0]
    for column in ("Hotel phone", "Booking reference", "Room type", "Room sharing", "Status"):
        assert column in header
    zoe = dict(zip(header, next(r for r in rows if r[2] == "Lefèvre"), strict=True))
    assert zoe["Room type"] == "Twin" and zoe["Booking reference"] == "HCB-270701-116"
    assert zoe["Room sharing"] == "with Hélène Marchetti-Dubois de la Tour"
    assert zoe["Hotel phone"] == "'+34 932 69 74 75" and zoe["Status"] == "confirmed"
    assert not any(r[2] == "Van den Bossche" for r in rows)


def test_rooming_and_passengers_mark_invited_attendees_when_included(
    demo: Delegation, tmp_path: Path
) -> None:
    for kind in ("rooming", "passengers"):
        text = "\n".join(
            page_texts(export(kind, demo, tmp_path / f"{kind}.pdf", include_unconfirmed=True))
        )
        assert "Van den Bossche, Inès" in text and f"({INVITED})" in text, kind
        assert "Roussel" not in text
        rows = read_csv(
            export(
                kind, demo, tmp_path / f"{kind}.csv", list_format="csv", include_unconfirmed=True
            )
        )
        status = rows[0].index("Status")
        assert {r[status] for r in rows[1:] if "Van den Bossche" in r} == {INVITED}


# --- passengers -----------------------------------------------------------------------------


def test_the_return_coach_picks_up_at_the_hotel_and_drops_off_at_the_airport(
    demo: Delegation, tmp_path: Path
) -> None:
    pages = page_texts(export("passengers", demo, tmp_path / "passengers.pdf"))
    assert_footer_on_every_page(pages)
    page = " ".join(next(p for p in pages if "Coach transfer: hotel to airport" in p).split())
    assert "Pick-up: Hotel Ciutat Barcelona, Carrer de la Princesa, 35" in page
    assert "Drop-off: Barcelona–El Prat Airport, Terminal 1 departures" in page
    assert "Autocars Montseny · 35-seat coach, plate 4821 KLM · Driver: +34 611 48 21 00" in page
    rows = read_csv(export("passengers", demo, tmp_path / "passengers.csv", list_format="csv"))
    header = rows[0]
    back = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    back = [r for r in back if r["Transfer"] == "Coach transfer: hotel to airport"]
    assert back and {r["Pick-up"].split(",")[0] for r in back} == {"Hotel Ciutat Barcelona"}
    assert {r["Drop-off"].split(",")[0] for r in back} == {
        ["Barcelona–El Prat Airport", " Terminal 1 departures"][0]
    }
    assert {r["Driver phone"] for r in back} == {"'+34 611 48 21 00"}  # not a formula


def test_passengers_have_their_flights_or_trains_with_times_and_phone(
    demo: Delegation, tmp_path: Path
) -> None:
    text = " ".join("\n".join(page_texts(export("passengers", demo, tmp_path / "p.pdf"))).split())
    # Julien Caron: Vueling VY 8011 lands 08:00 on 1 July, VY 8014 leaves 19:55 on 2 July.
    assert "Thu 1 Jul 08:00 Vueling VY 8011 from Lille-Lesquin (LIL) 06:20" in text
    assert "Fri 2 Jul 19:55 Vueling VY 8014 to Lille-Lesquin (LIL) 21:40" in text
    assert "Tel. +33 6 12 34 56 78" in text
    rows = read_csv(export("passengers", demo, tmp_path / "p.csv", list_format="csv"))
    header = rows[0]
    caron = dict(zip(header, next(r for r in rows if r[4] == "Caron"), strict=True))
    assert caron["Arrival service"] == "Vueling VY 8011"
    assert caron["Arrival lands"] == "2027-07-01 08:00"
    assert caron["Departure service"] == "Vueling VY 8014"
    assert caron["Departure leaves"] == "2027-07-02 19:55"


def test_large_lists_have_footers_and_name_the_section_on_pages_it_continues_on(
    large: Delegation, tmp_path: Path
) -> None:
    for kind in ("rooming", "dietary", "passengers"):
        out = export(kind, large, tmp_path / f"{kind}.pdf")
        pages = page_texts(out)
        assert_footer_on_every_page(pages)
        runs = text_runs(out)
        for number, content in enumerate(pages, start=1):
            top = max((r for r in runs if r.page == number), key=lambda r: r.y)
            if "(continued)" in top.text:
                assert "No." in content or "Guest" in content  # the table goes on
            else:  # the list's title block or a section's title, never a table row
                assert top.size >= 9, f"{kind} page {number} starts with {top.text!r}"
    text = "\n".join(page_texts(tmp_path / "passengers.pdf"))
    assert "Passenger list · Coach to the first visit (continued)" in text
    assert "Train SNCF TGV" in text


@pytest.mark.parametrize(("paper", "email"), [("a4", False), ("letter", True)])
def test_sheets_of_every_length_keep_headings_numbers_and_certificate_in_place(
    paper: str, email: bool, large: Delegation, tmp_path: Path
) -> None:
    """0 to 70 attendees: each page starts with the heading; rows are numbered on without
    a gap; blank rows fill the last page, which has the certificate, and no page is
    left empty."""
    from delegations.exports import attendance
    from delegations.exports.pdfdoc import build_pdf, frame_height, frame_width

    options = ExportOptions(
        generated_at=STAMP,
        zone="Europe/Paris",
        paper=paper,  # type: ignore[arg-type]
        email_column=email,
    )
    people = [p for p in large.participations if p.confirmed] * 3
    template = attendance.item_sheets(large, options)[0]
    layout = attendance.Layout(
        large,
        options,
        None,
        attendance.sheet_styles(),
        frame_width(options, attendance.MARGIN),
        frame_height(options, attendance.MARGIN) - attendance.SLACK,
    )
    counts = list(range(0, 71))
    story: list[Any] = []
    for count in counts:
        if story:
            story.append(attendance.PageBreak())
        sheet = replace(
            template, activity=f"Sheet with {count} attendees", attendees=people[:count]
        )
        story += attendance.sheet_flowables(layout, sheet)
    out = build_pdf(
        tmp_path / "lengths.pdf", story, options, title="t", subject="s", margin=attendance.MARGIN
    )
    pages = page_texts(out)
    runs = text_runs(out)
    sheets: dict[int, list[str]] = {}
    for number, content in enumerate(pages, start=1):
        top = max((r for r in runs if r.page == number), key=lambda r: r.y)
        assert top.text.startswith("Attendance sheet"), f"page {number}: {top.text!r}"
        count = int(re.search(r"Sheet with (\d+) attendees", content).group(1))  # type: ignore[union-attr]
        sheets.setdefault(count, []).append(content)
    assert sorted(sheets) == counts
    for count, contents in sheets.items():
        text = "\n".join(contents)
        numbers = [int(n) for n in re.findall(r"^(\d+)$", text, re.MULTILINE)]
        assert numbers == list(range(1, len(numbers) + 1)), f"{count}: {numbers}"
        assert len(numbers) >= count + 3
        assert "Certified by the organiser" in contents[-1]
        assert text.count("Certified by the organiser") == 1
