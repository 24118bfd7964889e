"""Badges: layout files, positions read back from the PDF, fitting, fonts, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from delegations.exports import badges
from delegations.exports.badges import (
    MM,
    BadgeText,
    badge_positions,
    compose,
    list_layouts,
    load_layout,
)
from delegations.exports.options import ExportCancelled, ExportError, ExportOptions
from delegations.exports.qr import encode, encode_many, encode_stream, payload
from delegations.model import Delegation, Role, fold
from delegations.resources import resource

LAYOUTS = ["a6-quarters", "avery-5392", "avery-l7418", "cr80-cards"]
TOLERANCE_MM = 0.2
STANDARD_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def raw_layout(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads(resource("layouts", f"{name}.json").read_text(encoding="utf-8"))


def expected_positions(
    name: str, offset: tuple[float, float] = (0, 0)
) -> list[tuple[float, float]]:
    """Top-left corners straight from the layout file, computed independently."""
    data = raw_layout(name)
    return [
        (
            data["margin"]["left_mm"] + col * data["pitch"]["x_mm"] + offset[0],
            data["margin"]["top_mm"] + row * data["pitch"]["y_mm"] + offset[1],
        )
        for row in range(data["rows"])
        for col in range(data["columns"])
    ]


def drawn_rects(pdf: Path, page: int, width_mm: float, height_mm: float | None = None) -> list:
    """(left, top) in mm of rectangles drawn with the given size, in drawing order."""
    reader = PdfReader(pdf)
    paper_h = float(reader.pages[page].mediabox.height)
    content = ContentStream(reader.pages[page].get_contents(), reader)
    found = []
    for operands, operator in content.operations:
        if operator != b"re":
            continue
        x, y, w, h = (float(v) for v in operands)
        if abs(w - width_mm * MM) > 0.01:
            continue
        if height_mm is not None and abs(h - height_mm * MM) > 0.01:
            continue
        found.append((x, y, w, h))
    return [(x / MM, (paper_h - y) / MM, w, h) for x, y, w, h in found]


def band_positions(pdf: Path, layout_name: str, page: int = 0) -> list[tuple[float, float]]:
    """Badge top-left corners, from the role bands (full badge width, at its bottom)."""
    layout = load_layout(layout_name)
    return [
        (left, bottom - layout.badge_mm[1])
        for left, bottom, _, _ in drawn_rects(pdf, page, layout.badge_mm[0])
    ]


def assert_close(actual: list, expected: list) -> None:
    assert len(actual) == len(expected)
    for (ax, ay), (ex, ey) in zip(actual, expected, strict=True):
        assert abs(ax - ex) <= TOLERANCE_MM and abs(ay - ey) <= TOLERANCE_MM, (ax, ay, ex, ey)


def attending(demo: Delegation) -> int:
    return sum(1 for p in demo.participations if p.status.attending)


# --------------------------------------------------------------------------- layouts


def test_every_layout_is_listed_with_its_sheet() -> None:
    layouts = {layout.name: layout for layout in list_layouts()}
    assert sorted(layouts) == LAYOUTS
    assert {name: layout.per_sheet for name, layout in layouts.items()} == {
        "a6-quarters": 4,
        "avery-5392": 6,
        "avery-l7418": 8,
        "cr80-cards": 10,
    }
    assert layouts["avery-5392"].paper.startswith("US Letter")
    assert all(layout.description for layout in layouts.values())
    assert ExportOptions().layout == "avery-l7418"


def test_l7418_matches_the_avery_specification() -> None:
    layout = load_layout("avery-l7418")
    assert layout.badge_mm == (86, 55)
    assert (layout.columns, layout.rows) == (2, 4)
    assert layout.paper_mm == (210, 297)
    assert badge_positions(layout)[:3] == [(19, 38.5), (105, 38.5), (19, 93.5)]
    inch = 25.4
    letter = load_layout("avery-5392")
    assert letter.badge_mm == pytest.approx((4 * inch, 3 * inch))
    assert badge_positions(letter)[0] == pytest.approx((0.25 * inch, 1 * inch))


@pytest.mark.parametrize("name", LAYOUTS)
def test_positions_function_matches_layout_file(name: str) -> None:
    assert_close(badge_positions(load_layout(name)), expected_positions(name))
    assert_close(
        badge_positions(load_layout(name), (1.5, -2.0)), expected_positions(name, (1.5, -2.0))
    )


def test_unknown_layout_is_a_clear_error(demo: Delegation, tmp_path: Path) -> None:
    out = tmp_path / "out" / "badges.pdf"
    with pytest.raises(ExportError) as error:
        badges.export(demo, out, ExportOptions(layout="avery-9999"))
    assert "avery-9999" in str(error.value)
    for name in LAYOUTS:
        assert name in str(error.value)
    assert not out.exists()


def test_invalid_layout_data_is_refused() -> None:
    data = raw_layout("avery-l7418")
    data["columns"] = 3  # three 86 mm badges do not fit on A4
    with pytest.raises(ExportError, match="do not fit"):
        badges.layout_from_data(data, "wide.json")
    del data["pitch"]
    with pytest.raises(ExportError, match="pitch"):
        badges.layout_from_data(data, "broken.json")


# --------------------------------------------------------------------------- drawn output


@pytest.mark.parametrize("name", LAYOUTS)
def test_drawn_badges_sit_where_the_layout_file_says(
    demo: Delegation, tmp_path: Path, name: str
) -> None:
    out = badges.export(demo, tmp_path / f"{name}.pdf", ExportOptions(layout=name, qr=True))
    per_sheet = load_layout(name).per_sheet
    on_first_page = min(per_sheet, attending(demo))
    assert_close(band_positions(out, name), expected_positions(name)[:on_first_page])
    pages = len(PdfReader(out).pages)
    assert pages == -(-attending(demo) // per_sheet)


def test_offset_moves_everything(demo: Delegation, tmp_path: Path) -> None:
    offset = (2.5, -1.5)
    out = badges.export(demo, tmp_path / "shifted.pdf", ExportOptions(offset_mm=offset))
    assert_close(band_positions(out, "avery-l7418"), expected_positions("avery-l7418", offset))
    plain = badges.export(demo, tmp_path / "plain.pdf", ExportOptions())
    moved = [(x - offset[0], y - offset[1]) for x, y in band_positions(out, "avery-l7418")]
    assert_close(moved, band_positions(plain, "avery-l7418"))


def test_calibration_page(demo: Delegation, tmp_path: Path) -> None:
    layout = load_layout("cr80-cards")
    out = badges.export(
        demo, tmp_path / "calibration.pdf", ExportOptions(layout=layout.name, calibration=True)
    )
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "100 %" in text and "fit to page" in text and "100 mm" in text
    outlines = [
        (left, bottom - layout.badge_mm[1])
        for left, bottom, _, _ in drawn_rects(out, 0, *layout.badge_mm)
    ]
    assert_close(outlines, expected_positions(layout.name))
    ruler = drawn_rects(out, 0, 100)  # the 100 mm scale bar
    assert len(ruler) == 1
    shifted = badges.export(
        demo,
        tmp_path / "shifted.pdf",
        ExportOptions(layout=layout.name, calibration=True, offset_mm=(1, 2)),
    )
    outlines = [
        (left, bottom - layout.badge_mm[1])
        for left, bottom, _, _ in drawn_rects(shifted, 0, *layout.badge_mm)
    ]
    assert_close(outlines, expected_positions(layout.name, (1, 2)))


def fonts_of(pdf: Path) -> list[tuple[str, bool]]:
    """(base font name, embedded?) of every font on every page."""
    found = []
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found.append((str(font["/BaseFont"]), embedded))
    return found


@pytest.mark.parametrize("calibration", [False, True])
def test_only_embedded_dejavu_fonts(demo: Delegation, tmp_path: Path, calibration: bool) -> None:
    out = badges.export(demo, tmp_path / "b.pdf", ExportOptions(qr=True, calibration=calibration))
    fonts = fonts_of(out)
    assert fonts
    assert b"Helvetica" not in out.read_bytes()  # not even an unused font resource
    for name, embedded in fonts:
        assert embedded, name
        assert "DejaVuSans" in name
        assert not any(standard in name for standard in STANDARD_14)


def test_names_in_every_script_come_back(demo: Delegation, tmp_path: Path) -> None:
    out = badges.export(demo, tmp_path / "b.pdf", ExportOptions(layout="cr80-cards"))
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Οικονομίδη" in text
    assert "Head of delegation" in text
    assert demo.title in " ".join(text.split())


def test_same_data_gives_the_same_bytes(demo: Delegation, tmp_path: Path) -> None:
    first = badges.export(demo, tmp_path / "1.pdf", ExportOptions(qr=True))
    second = badges.export(demo, tmp_path / "2.pdf", ExportOptions(qr=True))
    assert first.read_bytes() == second.read_bytes()


# --------------------------------------------------------------------------- fitting


LONG_NAMES = [
    "Hubert Blaine Wolfeschlegelsteinhausenbergerdorff",
    "Jean-Baptiste de La Rochefoucauld-Montmorency",
    "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft",
    "Μαρία-Ελένη Παπαδοπούλου-Οικονομίδη",
]


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("qr", [False, True])
def test_long_names_shrink_and_wrap_inside_the_badge(name: str, qr: bool) -> None:
    width, height = (v * MM for v in load_layout(name).badge_mm)
    short = compose(width, height, BadgeText("Ali Ng", "Aéronef", "Guest", "Visit"), qr)
    short_size = short.lines[2].size
    for long_name in LONG_NAMES:
        text = BadgeText(
            long_name,
            "Fédération des Industries Culturelles et Créatives",
            "Head of delegation",
            "Creative clusters study visit to Barcelona",
        )
        design = compose(width, height, text, qr)
        name_lines = [line for line in design.lines if line.font == badges.FONT_BOLD][1:]
        rebuilt = [
            " ".join(line.text for line in name_lines),
            "".join(line.text for line in name_lines),
        ]
        assert long_name in rebuilt, "the name is never cut"
        assert len(name_lines) <= 2
        assert name_lines[0].size < short_size
        for line in design.lines:
            half = badges.text_width(line.text, line.font, line.size) / 2
            assert line.x - half >= 0 and line.x + half <= width, line
            assert line.y - line.size * badges.DESCENT >= 0, line
            assert line.y + line.size * badges.ASCENT <= height, line
            if design.qr_box is not None:
                assert not overlaps_qr(line, half, design.qr_box), line


def overlaps_qr(line: badges.Line, half: float, box: tuple[float, float, float]) -> bool:
    qx, qy, side = box
    top, bottom = line.y + line.size * badges.ASCENT, line.y - line.size * badges.DESCENT
    return line.x + half > qx and line.x - half < qx + side and top > qy and bottom < qy + side


def test_an_unreadably_long_organisation_gives_way_to_its_acronym() -> None:
    width, height = 86 * MM, 55 * MM
    long = (
        "Fédération des Industries Culturelles et Créatives du Nord-Pas-de-Calais et de la Picardie"
    )
    text = BadgeText("Ali Ng", long, "Guest", "Visit", acronym="FICC")
    printed = [line.text for line in compose(width, height, text, True).lines]
    assert "FICC" in printed and not any("Fédération" in line for line in printed)
    short = BadgeText("Ali Ng", "Aéronef", "Guest", "Visit", acronym="AER")
    assert "Aéronef" in [line.text for line in compose(width, height, short, True).lines]


def test_a_short_name_stays_on_one_line_and_a_long_one_breaks() -> None:
    width, height = 86 * MM, 55 * MM
    text = BadgeText("Ali Ng", "", "Guest", "Visit")
    names = [line for line in compose(width, height, text, False).lines if line.text in ("Ali Ng",)]
    assert len(names) == 1
    long = BadgeText("Jean-Baptiste de La Rochefoucauld-Montmorency", "", "Guest", "Visit")
    lines = [line.text for line in compose(width, height, long, False).lines]
    assert any(line.startswith("Jean-Baptiste") and line != long.name for line in lines)


# --------------------------------------------------------------------------- people


def test_unrenderable_script_is_reported_before_printing(demo: Delegation, tmp_path: Path) -> None:
    victim = next(p for p in demo.participations if p.status.attending)
    victim.badge_name = "王小明 Wang"
    calls: list[tuple[int, int]] = []
    out = tmp_path / "out" / "badges.pdf"
    with pytest.raises(ExportError) as error:
        badges.export(demo, out, ExportOptions(progress=lambda d, t: calls.append((d, t))))
    message = str(error.value)
    assert victim.person.full_name in message
    assert all(char in message for char in "王小明")
    assert not out.exists()
    assert calls == []
    assert not list(out.parent.glob("*"))


def test_right_to_left_names_are_refused_not_printed_backwards(
    demo: Delegation, tmp_path: Path
) -> None:
    victim = next(p for p in demo.participations if p.status.attending)
    victim.badge_name = "محمد"
    out = tmp_path / "out" / "badges.pdf"
    with pytest.raises(ExportError) as error:
        badges.export(demo, out, ExportOptions())
    assert victim.person.full_name in str(error.value) and "م" in str(error.value)
    assert not out.exists()


def test_selection_is_printed_in_the_order_given(demo: Delegation, tmp_path: Path) -> None:
    people = [p for p in demo.participations if p.status.attending]
    chosen = [people[4], people[0], people[2]]
    selection = tuple(p.person.id for p in chosen)
    out = badges.export(demo, tmp_path / "b.pdf", ExportOptions(selection=selection))
    text = PdfReader(out).pages[0].extract_text()
    places = [text.index(p.display_name.split()[0]) for p in chosen]
    assert places == sorted(places)
    assert len(band_positions(out, "avery-l7418")) == 3
    assert [p.person.id for p in badges.choose(demo, ExportOptions(selection=selection))] == list(
        selection
    )


def test_selection_of_a_stranger_is_an_error(demo: Delegation, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="999999"):
        badges.export(demo, tmp_path / "b.pdf", ExportOptions(selection=(999999,)))


def test_orders(demo: Delegation) -> None:
    by_name = badges.choose(demo, ExportOptions(order="name"))
    assert all(p.status.attending for p in by_name)
    assert len(by_name) == attending(demo)
    folded = [fold(p.person.sort_name) for p in by_name]
    assert folded == sorted(folded)
    by_role = badges.choose(demo, ExportOptions(order="role"))
    roles = list(Role)
    assert [roles.index(p.role) for p in by_role] == sorted(roles.index(p.role) for p in by_role)
    assert by_role[0].role is Role.HEAD
    by_org = badges.choose(demo, ExportOptions(order="organisation"))
    orgs = [fold(p.person.organisation.name) for p in by_org if p.person.organisation]
    assert orgs == sorted(orgs)
    assert by_name != by_role


def test_progress_and_cancel_leave_no_file(demo: Delegation, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done > 0:
            raise ExportCancelled

    out = tmp_path / "out" / "badges.pdf"
    with pytest.raises(ExportCancelled):
        badges.export(demo, out, ExportOptions(progress=progress))
    assert seen[0] == (0, attending(demo))
    assert not out.exists()
    assert not list(out.parent.glob("*"))
    finished: list[tuple[int, int]] = []
    badges.export(demo, out, ExportOptions(progress=lambda d, t: finished.append((d, t))))
    assert finished[-1] == (attending(demo), attending(demo))


# --------------------------------------------------------------------------- QR codes


def test_qr_runs_rebuild_the_segno_matrix() -> None:
    import segno

    data = payload("3f2b9c1e-5d7a-4c1b-9e8f-0a1b2c3d4e5f")
    assert data == "3F2B9C1E-5D7A-4C1B-9E8F-0A1B2C3D4E5F"
    code = segno.make(data, error="m", micro=False, boost_error=False)
    assert code.version == 2 and code.mode == "alphanumeric"
    runs = encode(data)
    rebuilt = [[0] * runs.size for _ in range(runs.size)]
    for row, column, length in runs.runs:
        assert all(rebuilt[row][column + i] == 0 for i in range(length))
        for i in range(length):
            rebuilt[row][column + i] = 1
    assert rebuilt == [[1 if module else 0 for module in line] for line in code.matrix]
    # merged: no two runs touch on a row
    ends = {(row, column + length) for row, column, length in runs.runs}
    assert not any((row, column) in ends for row, column, _ in runs.runs)


def test_parallel_encoding_keeps_order() -> None:
    payloads = [payload(f"{i:08d}-0000-4000-8000-000000000000") for i in range(150)]
    assert encode_many(payloads, workers=2) == encode_many(payloads, workers=1)


def test_closing_the_stream_early_stops_the_workers() -> None:
    payloads = [payload(f"{i:08d}-0000-4000-8000-000000000000") for i in range(400)]
    stream = encode_stream(payloads, workers=2)
    first = next(stream)
    stream.close()  # what a cancelled export does
    assert first == encode(payloads[0])


def test_without_worker_processes_codes_are_encoded_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from delegations.exports import qr

    class NoPool:
        def __init__(self, **_: object) -> None:
            raise BrokenProcessPool("no processes in this sandbox")

    monkeypatch.setattr(qr, "ProcessPoolExecutor", NoPool)
    payloads = [payload(f"{i:08d}-0000-4000-8000-000000000000") for i in range(100)]
    assert encode_many(payloads, workers=2) == [encode(data) for data in payloads]


def test_one_path_per_qr_code(demo: Delegation, tmp_path: Path) -> None:
    out = badges.export(demo, tmp_path / "qr.pdf", ExportOptions(qr=True))
    reader = PdfReader(out)
    content = ContentStream(reader.pages[0].get_contents(), reader)
    fills_after_runs = 0
    in_path = False
    for operands, operator in content.operations:
        if operator == b"re" and len(operands) == 4 and float(operands[3]) == 1:
            in_path = True
        elif operator in (b"f", b"f*", b"B", b"b") and in_path:
            fills_after_runs += 1
            in_path = False
    assert fills_after_runs == min(8, attending(demo))


def segments_outside_badges(pdf: Path, name: str) -> list[tuple[float, float, float, float]]:
    """Line segments (mm from the top-left) that touch no badge: crop marks."""
    layout = load_layout(name)
    reader = PdfReader(pdf)
    paper_h = float(reader.pages[0].mediabox.height)
    content = ContentStream(reader.pages[0].get_contents(), reader)
    boxes = [
        (x, y, x + layout.badge_mm[0], y + layout.badge_mm[1]) for x, y in badge_positions(layout)
    ]
    found, pending, start = [], [], None
    for operands, operator in content.operations:
        if operator == b"m":
            start = (float(operands[0]) / MM, (paper_h - float(operands[1])) / MM)
        elif operator == b"l" and start is not None:
            end = (float(operands[0]) / MM, (paper_h - float(operands[1])) / MM)
            left, right = sorted((start[0], end[0]))
            top, bottom = sorted((start[1], end[1]))
            if not any(
                left < x1 and right > x0 and top < y1 and bottom > y0 for x0, y0, x1, y1 in boxes
            ):
                pending.append((left, top, right, bottom))
            start = end
        elif operator == b"S":  # stroked: a drawn line
            found += pending
            pending = []
        elif operator in (b"n", b"f", b"f*", b"W", b"W*"):  # clips and fills are not lines
            pending = []
    return found


def test_crop_marks_only_where_the_layout_asks(demo: Delegation, tmp_path: Path) -> None:
    cards = badges.export(demo, tmp_path / "cards.pdf", ExportOptions(layout="cr80-cards"))
    marks = segments_outside_badges(cards, "cr80-cards")
    # every cut line (2 per column, 2 per row) is marked at both ends
    assert len(marks) == 2 * (2 * 2) + 2 * (2 * 5)
    edges_x = {
        round(x + e, 2) for x, _ in badge_positions(load_layout("cr80-cards")) for e in (0, 85.6)
    }
    vertical = {round(left, 2) for left, top, right, bottom in marks if left == right}
    assert vertical == edges_x
    labels = badges.export(demo, tmp_path / "labels.pdf", ExportOptions(layout="avery-l7418"))
    assert segments_outside_badges(labels, "avery-l7418") == []
