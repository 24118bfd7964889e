"""The programme PDF, field-ready: read back from the file for the demo and the large
visit (40 attendees, 120 items, 3 days), both loaded from a database as the app does.

Readable at any size (no body text under 8 pt), a crowded day continues under its
heading repeated, parallel items side by side, a map link per venue and a QR code for
venues with coordinates, transfers with pick-up, drop-off and driver, the way between
venues. Time is never asserted: the work is (who attends each item computed once,
each paragraph laid out at most twice, work growing with the items).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph

from delegations.exports import ExportOptions, programme
from delegations.exports.pdfdoc import FOOTER_GAP, MARGIN
from delegations.exports.wayfinding import has_position, map_url
from delegations.model import AgendaItem, Delegation
from pdf_support import Run, demo_visit, large_visit, links, page_texts, text_runs

STAMP = datetime(2026, 11, 21, 14, 5, tzinfo=UTC)
FOOTER_TOP = MARGIN + FOOTER_GAP
"""Text below this height is the shared footer (7.5 pt by design, not programme text)."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Delegation:
    return demo_visit(tmp_path_factory.mktemp("demo"))


def export(delegation: Delegation, out: Path) -> Path:
    return programme.export(delegation, out, ExportOptions(generated_at=STAMP, zone="Europe/Paris"))


def body_runs(path: Path) -> list[Run]:
    return [r for r in text_runs(path) if r.y > FOOTER_TOP]


def link_boxes(path: Path) -> list[tuple[int, str, float, float]]:
    """(page, URI, width, height) of every link annotation."""
    found = []
    for number, page in enumerate(PdfReader(path).pages, start=1):
        for annotation in page.get("/Annots") or []:
            target = annotation.get_object()
            action = target.get("/A")
            if action is not None and action.get_object().get("/URI"):
                x1, y1, x2, y2 = (float(v) for v in target["/Rect"])
                found.append((number, str(action.get_object()["/URI"]), x2 - x1, y2 - y1))
    return found


@pytest.mark.parametrize("which", ["demo", "large"])
def test_no_programme_text_is_under_8_points_and_times_and_titles_are_larger(
    which: str, demo: Delegation, large: Delegation, tmp_path: Path
) -> None:
    out = export(demo if which == "demo" else large, tmp_path / "programme.pdf")
    runs = body_runs(out)
    assert runs and min(r.size for r in runs) >= 8
    sizes = {r.text: r.size for r in runs}
    assert sizes["08:00" if which == "large" else "09:00"] >= 13
    title = "Lunch" if which == "large" else "Lunch in Poblenou"
    assert sizes[title] >= 11


def test_the_demo_keeps_the_large_wall_look_one_page_per_day(
    demo: Delegation, tmp_path: Path
) -> None:
    out = export(demo, tmp_path / "programme.pdf")
    pages = page_texts(out)
    assert len(pages) == demo.day_count == 2
    assert "(continued)" not in " ".join(pages)
    day = next(r for r in body_runs(out) if r.text == "Friday 2 July 2027")
    assert day.size >= 18


def test_a_crowded_day_continues_under_its_heading_and_a_parallel_block_under_its_time(
    large: Delegation, tmp_path: Path
) -> None:
    out = export(large, tmp_path / "programme.pdf")
    pages = page_texts(out)
    assert len(pages) > large.day_count
    days = ["Tuesday 5 October 2027", "Wednesday 6 October 2027", "Thursday 7 October 2027"]
    current = ""
    for text in pages:
        heading = next(d for d in days if d in text)
        if f"{heading} (continued)" in text:
            assert heading == current  # a continuation follows its own day
        else:
            current = heading
    assert any("(continued)" in t for t in pages)
    # A parallel block cut between its rows goes on with its time repeated.
    tops = [
        " ".join(t.split("(continued)", 1)[-1].split())[:40] for t in pages if "(continued)" in t
    ]
    assert any(top.split()[3:6] == ["IN", "PARALLEL", "(continued)"] for top in tops), tops


def test_parallel_items_stand_side_by_side(demo: Delegation, tmp_path: Path) -> None:
    out = export(demo, tmp_path / "programme.pdf")
    runs = body_runs(out)
    fashion = next(r for r in runs if r.text.startswith("B2B meetings: fashion"))
    media = next(r for r in runs if r.text.startswith("B2B meetings: image"))
    assert fashion.page == media.page
    assert abs(fashion.y - media.y) < 2 and media.x - fashion.x > 100


def test_every_venue_has_a_map_link_and_only_those_with_coordinates_a_qr_code(
    demo: Delegation, tmp_path: Path
) -> None:
    out = export(demo, tmp_path / "programme.pdf")
    boxes = link_boxes(out)
    uris = {uri for _, uri, _, _ in boxes}
    venues = {i.venue for i in demo.items if i.venue} | {
        i.dropoff_venue for i in demo.items if i.dropoff_venue
    }
    assert venues
    for venue in venues:
        assert map_url(venue) in uris, venue.name
    codes = {uri for _, uri, w, h in boxes if abs(w - h) < 1 and w > 35}  # square: QR codes
    with_position = {map_url(v) for v in venues if has_position(v)}
    without = {map_url(v) for v in venues if not has_position(v)}
    assert codes and codes <= with_position
    assert not codes & without
    assert all(uri.startswith("https://www.openstreetmap.org/") for _, uri in links(out))


def test_the_return_coach_shows_pick_up_drop_off_company_vehicle_and_driver(
    demo: Delegation, tmp_path: Path
) -> None:
    text = page_texts(export(demo, tmp_path / "programme.pdf"))[-1]
    coach = " ".join(text[text.index("Coach transfer: hotel to airport") :].split())
    assert "Pick-up: Hotel Ciutat Barcelona, Carrer de la Princesa" in coach
    assert "Drop-off: Barcelona–El Prat Airport, Terminal 1 departures" in coach
    item = next(i for i in demo.items if i.title == "Coach transfer: hotel to airport")
    for value in (item.transport_company, item.vehicle, f"Driver: {item.driver_phone}"):
        assert value and value in coach


def test_hosts_with_phones_dress_code_wifi_and_the_way_between_venues(
    demo: Delegation, large: Delegation, tmp_path: Path
) -> None:
    demo_text = " ".join(" ".join(page_texts(export(demo, tmp_path / "demo.pdf"))).split())
    assert "Dress code: Business casual" in demo_text
    # Laia Ferrer did not agree to data processing: her name, not her phone.
    assert "Contact: Laia Ferrer" in demo_text and "+34 600 11 22 33" not in demo_text
    assert "Wi-Fi: MediaTIC-Guest" in demo_text
    # The way from the welcome at ICEC to Edifici Media-TIC, between the two items.
    welcome = demo_text.index("Welcome and cultural-industries policy")
    way = demo_text.index("→ about", welcome)
    assert way < demo_text.index("Barcelona Media: media and ICT innovation")
    large_text = " ".join(" ".join(page_texts(export(large, tmp_path / "large.pdf"))).split())
    assert "Wi-Fi: Guest-WiFi, password: visit2027" in large_text
    # B2B tracks: each meeting says how its own track gets there from its last meeting.
    assert "min on foot" in large_text or "by public transport" in large_text


def test_who_attends_is_computed_once_per_export_never_item_by_item(
    large: Delegation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: Counter[str] = Counter()
    original = programme.attendance

    def counted(*args: Any) -> programme.Visit:
        calls["attendance"] += 1
        return original(*args)

    def refused(*args: Any) -> None:
        raise AssertionError("attendees computed item by item")

    monkeypatch.setattr(programme, "attendance", counted)
    monkeypatch.setattr(AgendaItem, "attendees", refused)
    monkeypatch.setattr(AgendaItem, "concerns", refused)
    export(large, tmp_path / "programme.pdf")
    assert calls["attendance"] == 1


def laid_out(delegation: Delegation, out: Path, monkeypatch: pytest.MonkeyPatch) -> Counter[int]:
    """How many times each paragraph was laid out (by object)."""
    wraps: Counter[int] = Counter()
    alive: list[Paragraph] = []  # so that no two paragraphs share an id()
    original = Paragraph.wrap

    def counted(self: Paragraph, *args: Any) -> Any:
        if id(self) not in wraps:
            alive.append(self)
        wraps[id(self)] += 1
        return original(self, *args)

    with monkeypatch.context() as patch:
        patch.setattr(Paragraph, "wrap", counted)
        export(delegation, out)
    return wraps


def test_each_paragraph_is_laid_out_at_most_twice_and_work_grows_with_the_items(
    large: Delegation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wraps = laid_out(large, tmp_path / "programme.pdf", monkeypatch)
    assert max(wraps.values()) <= 2  # rows once; a day's heading measured, then placed
    bigger = large_visit(tmp_path, items=240)
    more = laid_out(bigger, tmp_path / "bigger.pdf", monkeypatch)
    assert sum(more.values()) <= 2.3 * sum(wraps.values())  # twice the items
