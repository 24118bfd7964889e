"""Badges: layout files, positions read back from the PDF, fitting, fonts, errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from delegations.model import Delegation, ParticipationStatus, Role, fold
from delegations.resources import resource
from pdf_support import Run, page_texts, text_runs

LAYOUTS = ["a6-quarters", "avery-5392", "avery-l7418", "cr80-cards"]
TOLERANCE_MM = 0.2
STANDARD_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def raw_layout(name: str) -> dict[str, Any]:
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
    """Badge top-left corners, from the role bands (at the bottom of the badge's design
    box: the full badge width, or inset from the paper's edges on A6 quarters)."""
    layout = load_layout(layout_name)
    edge = layout.edge_inset_mm
    return [
        (left - edge, bottom + edge - layout.badge_mm[1])
        for left, bottom, _, _ in drawn_rects(pdf, page, layout.badge_mm[0] - 2 * edge)
    ]


def assert_close(actual: list, expected: list) -> None:
    assert len(actual) == len(expected)
    for (ax, ay), (ex, ey) in zip(actual, expected, strict=True):
        assert abs(ax - ex) <= TOLERANCE_MM and abs(ay - ey) <= TOLERANCE_MM, (ax, ay, ex, ey)


def attending(demo: Delegation) -> int:
    """How many badges print by default: the confirmed attendees."""
    return sum(1 for p in demo.participations if p.confirmed)


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
        for font in page["/Resources"]["/Font"].values():  # type: ignore[index]
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
    ("Hubert Blaine", "Wolfeschlegelsteinhausenbergerdorff"),
    ("Jean-Baptiste", "de La Rochefoucauld-Montmorency"),
    ("Maria del Carmen", "Fernández de Córdoba y Álvarez de Toledo"),
    ("Μαρία-Ελένη", "Παπαδοπούλου-Οικονομίδη"),
    ("", "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"),
]
ORGANISATION = "Fédération des Industries Culturelles et Créatives"
TITLE = "Creative clusters study visit to Barcelona"


def name_lines(design: badges.Design) -> list[badges.Line]:
    return [
        line
        for line in design.lines
        if line.font == badges.FONT_BOLD and line.y > design.band_height
    ]


def assert_whole_words(lines: list[str], part: str) -> None:
    """``lines`` are ``part`` broken between its words only."""
    assert " ".join(lines) == part, (lines, part)
    words = part.split(" ")
    for line in lines:
        assert all(word in words for word in line.split(" ")), (line, part)


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("qr", [False, True])
def test_long_names_wrap_between_words_inside_the_badge(name: str, qr: bool) -> None:
    layout = load_layout(name)
    width, height, _ = layout.box_pt
    minimum = badges.MIN_NAME * min(width, height) / (55 * MM)
    for given, family in LONG_NAMES:
        text = BadgeText(given, family, ORGANISATION, "Head of delegation", TITLE)
        design = compose(width, height, text, qr)
        lines = [line.text for line in name_lines(design)]
        given_lines = len(given.split(" ")) if given else 0
        given_lines = next(
            n for n in range(given_lines + 1) if " ".join(lines[:n]) == given
        )  # the given name comes first, on its own line(s)
        if given:
            assert given_lines >= 1
        assert_whole_words(lines[given_lines:], family)
        widest = max(
            badges.text_width(word, badges.FONT_BOLD, minimum)
            for word in f"{given} {family}".split()
        )
        if widest > design.middle[2]:
            # the one case printed below the minimum: a word wider than the badge at
            # the minimum; it is flagged (badge_warnings tells the user)
            assert design.name_too_small
        else:
            assert design.name_size >= minimum - 0.05, (given, family, design.name_size)
        assert design.name_size >= design.organisation_size
        for line in design.lines:
            half = badges.text_width(line.text, line.font, line.size) / 2
            assert line.x - half >= 0 and line.x + half <= width, line
            assert line.y - line.size * badges.DESCENT >= 0, line
            assert line.y + line.size * badges.ASCENT <= height, line
            if design.qr_box is not None:
                assert not overlaps(line, half, design.qr_box), line


def overlaps(line: badges.Line, half: float, box: tuple[float, ...]) -> bool:
    qx, qy, side_w = box[0], box[1], box[2]
    side_h = box[3] if len(box) > 3 else side_w
    top, bottom = line.y + line.size * badges.ASCENT, line.y - line.size * badges.DESCENT
    return line.x + half > qx and line.x - half < qx + side_w and top > qy and bottom < qy + side_h


def test_every_badge_has_the_same_structure() -> None:
    """Given name on one line, family name on the next: short and long names alike."""
    width, height = 86 * MM, 55 * MM
    for given, family in [("Thomas", "Leroy"), ("Julien", "Caron"), ("Ali", "Ng")]:
        design = compose(
            width, height, BadgeText(given, family, "Aéronef", "Delegate", TITLE), True
        )
        assert [line.text for line in name_lines(design)] == [given, family]


def test_names_never_break_at_a_hyphen() -> None:
    width, height = 86 * MM, 55 * MM
    text = BadgeText("Jean-Baptiste", "Marchetti-Dubois", "", "Guest", "Visit")
    lines = [line.text for line in name_lines(compose(width, height, text, True))]
    assert lines == ["Jean-Baptiste", "Marchetti-Dubois"]


def test_an_unreadably_long_organisation_gives_way_to_its_short_name_then_acronym() -> None:
    width, height = 86 * MM, 55 * MM
    long = (
        "Fédération des Industries Culturelles et Créatives du Nord-Pas-de-Calais et de la "
        "Picardie, de la Somme et de l'Aisne réunies"
    )
    assert len(long) >= 120
    both = BadgeText("Ali", "Ng", long, "Guest", "Visit", acronym="FICC", short_name="Fédé ICC")
    design = compose(width, height, both, True)
    printed = [line.text for line in design.lines]
    assert "Fédé ICC" in printed and not any("Fédération" in line for line in printed)
    assert design.organisation_source == "short name"
    acronym = BadgeText("Ali", "Ng", long, "Guest", "Visit", acronym="FICC")
    assert "FICC" in [line.text for line in compose(width, height, acronym, True).lines]
    short = BadgeText("Ali", "Ng", "Aéronef", "Guest", "Visit", acronym="AER", short_name="A")
    assert "Aéronef" in [line.text for line in compose(width, height, short, True).lines]
    neither = compose(width, height, BadgeText("Ali", "Ng", long, "Guest", "Visit"), True)
    organisation = [line for line in neither.lines if line.font == badges.FONT]
    rebuilt = " ".join(line.text for line in organisation if line.text not in ("Visit",))
    assert rebuilt == long  # wrapped on more lines, whole
    assert neither.organisation_wrapped and not neither.organisation_too_small
    assert all(
        line.size >= badges.MIN_ORGANISATION for line in organisation if line.text != "Visit"
    )


# --------------------------------------------------------------------------- people


def test_unrenderable_script_is_reported_before_printing(demo: Delegation, tmp_path: Path) -> None:
    victim = next(p for p in demo.participations if p.confirmed)
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
    victim = next(p for p in demo.participations if p.confirmed)
    victim.badge_name = "محمد"
    out = tmp_path / "out" / "badges.pdf"
    with pytest.raises(ExportError) as error:
        badges.export(demo, out, ExportOptions())
    assert victim.person.full_name in str(error.value) and "م" in str(error.value)
    assert not out.exists()


def test_selection_is_printed_in_the_order_given(demo: Delegation, tmp_path: Path) -> None:
    people = [p for p in demo.participations if p.confirmed]
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
    assert all(p.confirmed for p in by_name)
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


# --------------------------------------------------------------------------- field-ready


def logo_file(folder: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 299, 119), fill=(20, 60, 160, 255))
    draw.ellipse((20, 20, 100, 100), fill=(255, 200, 0, 255))
    path = folder / "logo.png"
    image.save(path)
    return path


@dataclass(frozen=True)
class Printed:
    """The text of one printed badge, read back from the PDF."""

    names: list[Run]
    organisation: list[Run]
    others: list[Run]

    @property
    def texts(self) -> list[str]:
        return [run.text for run in self.names + self.organisation + self.others]


def printed_badges(pdf: Path, layout_name: str, delegation: Delegation) -> list[Printed]:
    """Each badge's runs (by page, then slot): the name (bold, not the role or the
    marker), the organisation (regular, not the title) and the rest."""
    layout = load_layout(layout_name)
    paper_h = layout.paper_mm[1] * MM
    width, height = (v * MM for v in layout.badge_mm)
    roles = {role.label for role in Role}
    title = " ".join(delegation.title.split())
    slots: dict[tuple[int, int], Printed] = {}
    for run in text_runs(pdf):
        for slot, (left, top) in enumerate(badge_positions(layout)):
            x0, y0 = left * MM, paper_h - top * MM - height
            if x0 <= run.x <= x0 + width and y0 <= run.y <= y0 + height:
                badge = slots.setdefault((run.page, slot), Printed([], [], []))
                bold = "Bold" in run.font
                if bold and run.text not in roles and run.text not in badges.MARKERS.values():
                    badge.names.append(run)
                elif not bold and run.text not in title:
                    badge.organisation.append(run)
                else:
                    badge.others.append(run)
                break
    return [slots[key] for key in sorted(slots)]


def scale_of(layout_name: str) -> float:
    width, height, _ = load_layout(layout_name).box_pt
    return min(width, height) / (55 * MM)


@pytest.mark.parametrize("name", LAYOUTS)
def test_large_visit_names_are_readable_on_every_badge(
    large: Delegation, tmp_path: Path, name: str
) -> None:
    options = ExportOptions(layout=name, qr=True, include_unconfirmed=True)
    out = badges.export(large, tmp_path / "large.pdf", options)
    printed = printed_badges(out, name, large)
    assert len(printed) == sum(1 for p in large.participations if p.status.attending)
    scale = scale_of(name)
    for badge in printed:
        assert len(badge.names) >= 2, badge.texts  # given and family names, each a line
        name_size = min(run.size for run in badge.names)
        assert name_size >= badges.MIN_NAME * scale - 0.1, badge.texts
        for run in badge.organisation:
            assert run.size <= name_size + 0.01, badge.texts
            assert run.size >= badges.MIN_ORGANISATION * scale - 0.1, badge.texts
    assert badges.badge_warnings(large, options) == []
    # the long name: given name, then the family name broken between its words only
    given, family = "Maria del Carmen", "Fernández de Córdoba y Álvarez de Toledo"
    (maria,) = [b for b in printed if b.names[1].text.startswith("Fernández")]
    assert maria.names[0].text == given
    lines = [run.text for run in maria.names[1:]]
    assert len(lines) >= 2  # it must break: on one line it would be below the minimum
    assert_whole_words(lines, family)
    if name == "avery-l7418":
        assert lines == ["Fernández de Córdoba y", "Álvarez de Toledo"]


def test_same_structure_on_the_whole_sheet(demo: Delegation, tmp_path: Path) -> None:
    out = badges.export(demo, tmp_path / "demo.pdf", ExportOptions(qr=True))
    printed = {
        tuple(run.text for run in b.names): b for b in printed_badges(out, "avery-l7418", demo)
    }
    assert ("Thomas", "Leroy") in printed and ("Julien", "Caron") in printed
    for badge in printed.values():
        assert len(badge.names) == 2, badge.texts  # the demo's names all fit on one line each
        given, family = badge.names
        assert given.y > family.y and abs(given.size - family.size) < 0.01
    # a badge name is split the same way: "Hélène Marchetti-Dubois"
    assert ("Hélène", "Marchetti-Dubois") in printed


def test_unconfirmed_attendees_are_left_out_or_marked(demo: Delegation, tmp_path: Path) -> None:
    invited = next(p for p in demo.participations if p.status is ParticipationStatus.INVITED)
    declined = next(p for p in demo.participations if p.status is ParticipationStatus.DECLINED)
    plain = " ".join(page_texts(badges.export(demo, tmp_path / "1.pdf", ExportOptions())))
    assert invited.person.family_name not in plain and "INVITED" not in plain
    assert declined.person.family_name not in plain
    out = badges.export(demo, tmp_path / "2.pdf", ExportOptions(include_unconfirmed=True))
    printed = printed_badges(out, "avery-l7418", demo)
    marked = [b for b in printed if "INVITED – not confirmed" in b.texts]
    assert len(marked) == 1 and invited.person.given_name in marked[0].texts
    assert declined.person.family_name not in " ".join(page_texts(out))
    assert len(printed) == attending(demo) + 1
    selection = (declined.person.id, invited.person.id)
    chosen = badges.export(demo, tmp_path / "3.pdf", ExportOptions(selection=selection))
    texts = [b.texts for b in printed_badges(chosen, "avery-l7418", demo)]
    assert "DECLINED – not attending" in texts[0] and declined.person.given_name in texts[0]
    assert "INVITED – not confirmed" in texts[1]


LONG_ORGANISATION = (
    "Agence régionale de développement économique, d'innovation et d'internationalisation "
    "des Hauts-de-France et de ses territoires"
)


def test_a_long_organisation_prints_its_short_name_or_is_warned_about(
    demo: Delegation, tmp_path: Path
) -> None:
    assert len(LONG_ORGANISATION) >= 120
    thomas = next(p for p in demo.participations if p.person.given_name == "Thomas")
    organisation = thomas.person.organisation
    assert organisation is not None
    organisation.name, organisation.short_name = LONG_ORGANISATION, "Hauts-de-France Innovation"
    options = ExportOptions(qr=True)
    assert badges.badge_warnings(demo, options) == []
    out = badges.export(demo, tmp_path / "short.pdf", options)
    (badge,) = [b for b in printed_badges(out, "avery-l7418", demo) if "Thomas" in b.texts]
    assert [run.text for run in badge.organisation] == ["Hauts-de-France Innovation"]
    organisation.short_name = ""
    warnings = badges.badge_warnings(demo, options)
    assert len(warnings) == 1
    assert "Thomas Leroy" in warnings[0] and "short name" in warnings[0]
    out = badges.export(demo, tmp_path / "long.pdf", options)
    (badge,) = [b for b in printed_badges(out, "avery-l7418", demo) if "Thomas" in b.texts]
    assert " ".join(run.text for run in badge.organisation) == LONG_ORGANISATION
    assert len(badge.organisation) > 2
    assert all(run.size >= badges.MIN_ORGANISATION for run in badge.organisation)
    assert all(run.size <= badge.names[0].size for run in badge.organisation)


def test_warnings_name_the_badge_and_say_what_to_do(demo: Delegation) -> None:
    victim = next(p for p in demo.participations if p.person.given_name == "Julien")
    victim.badge_name = "Julien Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"
    warnings = badges.badge_warnings(demo, ExportOptions(qr=True))
    assert len(warnings) == 1
    message = warnings[0]
    assert "Julien Caron" in message and "badge name" in message and "larger" in message
    assert "10 pt" in message
    assert badges.badge_warnings(demo, ExportOptions(calibration=True)) == []


def test_badge_names_keep_the_structure() -> None:
    from types import SimpleNamespace

    def parts(given: str, family: str, badge_name: str) -> tuple[str, str]:
        person = SimpleNamespace(given_name=given, family_name=family)
        participation: Any = SimpleNamespace(person=person, badge_name=badge_name)
        return badges.name_parts(participation)

    assert parts("Thomas", "Leroy", "") == ("Thomas", "Leroy")
    assert parts("Thomas", "Leroy", "thomas  leroy") == ("Thomas", "Leroy")
    assert parts("Thomas", "Leroy", "Tom Leroy") == ("Tom", "Leroy")
    assert parts(
        "Maria del Carmen", "Fernández de Córdoba y Álvarez de Toledo", "Maria del Carmen Fernández"
    ) == (
        "Maria del Carmen",
        "Fernández",
    )
    assert parts("Jean", "Dupont", "Jeannot Dupont-Martin") == ("Jeannot", "Dupont-Martin")
    assert parts("Jean", "Dupont", "Jeannot") == ("Jeannot", "")


def test_logo_on_every_badge_embedded_once(demo: Delegation, tmp_path: Path) -> None:
    logo = logo_file(tmp_path)
    options = ExportOptions(qr=True, logo=logo, include_unconfirmed=True)
    out = badges.export(demo, tmp_path / "logo.pdf", options)
    reader = PdfReader(out)
    images = set()
    drawn = 0
    for page in reader.pages:
        for xobject in page["/Resources"]["/XObject"].values():  # type: ignore[index]
            if xobject.get_object()["/Subtype"] == "/Image":
                images.add(xobject.idnum)
        content = ContentStream(page.get_contents(), reader)
        drawn += sum(1 for _, operator in content.operations if operator == b"Do")
    assert len(images) == 1  # one image in the file, drawn on each badge
    assert drawn == attending(demo) + 1
    width, height = 86 * MM, 55 * MM
    design = compose(
        width, height, BadgeText("Ali", "Ng", "Aéronef", "Guest", TITLE * 2), True, logo=2.5
    )
    assert design.logo_box is not None
    _, _, lw, lh = design.logo_box
    assert lw / lh == pytest.approx(2.5)
    for line in design.lines:
        half = badges.text_width(line.text, line.font, line.size) / 2
        assert not overlaps(line, half, design.logo_box), line


def test_an_unreadable_logo_is_named(demo: Delegation, tmp_path: Path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"not an image")
    out = tmp_path / "out" / "badges.pdf"
    with pytest.raises(ExportError, match=r"logo\.png"):
        badges.export(demo, out, ExportOptions(logo=bad))
    assert not out.exists()


def _multiply(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    ]


def drawn_extents(pdf: Path) -> list[tuple[int, float, float, float, float]]:
    """(page, x0, y0, x1, y1) in pt of everything painted: filled or stroked paths,
    images and forms (through the current transformation) and text runs."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    reader = PdfReader(pdf)
    found = []
    for number, page in enumerate(reader.pages, start=1):
        ctm, stack, points = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [], []

        def at(x: float, y: float, ctm: list[float] = ctm) -> tuple[float, float]:
            a, b, c, d, e, f = ctm
            return a * x + c * y + e, b * x + d * y + f

        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            values = (
                [float(v) for v in operands] if operator in (b"cm", b"re", b"m", b"l", b"c") else []
            )
            if operator == b"q":
                stack.append(list(ctm))
            elif operator == b"Q":
                ctm[:] = stack.pop()
            elif operator == b"cm":
                ctm[:] = _multiply(values, ctm)
            elif operator == b"re":
                x, y, w, h = values
                points += [at(x, y), at(x + w, y + h)]
            elif operator in (b"m", b"l", b"c"):
                points += [at(values[i], values[i + 1]) for i in range(0, len(values), 2)]
            elif operator in (b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"):
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                found.append((number, min(xs), min(ys), max(xs), max(ys)))
                points = []
            elif operator == b"n":
                points = []  # a clipping path: nothing painted
            elif operator == b"Do":
                (x0, y0), (x1, y1) = at(0, 0), at(1, 1)
                found.append((number, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    for run in text_runs(pdf):
        font = run.font.split("+")[-1].lstrip("/")
        width = stringWidth(run.text, font, run.size)
        found.append(
            (
                run.page,
                run.x,
                run.y - run.size * badges.DESCENT,
                run.x + width,
                run.y + run.size * badges.ASCENT,
            )
        )
    return found


@pytest.mark.parametrize("name", LAYOUTS)
def test_nothing_is_printed_within_the_safe_margin(
    large: Delegation, tmp_path: Path, name: str
) -> None:
    layout = load_layout(name)
    assert layout.safe_margin_mm >= 4
    options = ExportOptions(
        layout=name, qr=True, include_unconfirmed=True, logo=logo_file(tmp_path)
    )
    out = badges.export(large, tmp_path / "b.pdf", options)
    safe = layout.safe_margin_mm * MM - 0.3  # a hairline's half width
    paper_w, paper_h = (v * MM for v in layout.paper_mm)
    extents = drawn_extents(out)
    assert len(extents) > 100
    for page, x0, y0, x1, y1 in extents:
        assert x0 >= safe and y0 >= safe, (page, x0, y0)
        assert x1 <= paper_w - safe and y1 <= paper_h - safe, (page, x1, y1)
    if layout.crop_marks:
        assert segments_outside_badges(out, name)  # the crop marks are still there


def test_cut_cards_keep_their_content_inside_the_cut_line(
    large: Delegation, tmp_path: Path
) -> None:
    layout = load_layout("cr80-cards")
    assert layout.content_inset_mm >= 3
    options = ExportOptions(
        layout=layout.name, qr=True, include_unconfirmed=True, logo=logo_file(tmp_path)
    )
    out = badges.export(large, tmp_path / "cards.pdf", options)
    inset = layout.content_inset_mm * MM - 0.05
    paper_h = layout.paper_mm[1] * MM
    width, height = (v * MM for v in layout.badge_mm)
    cards = [(left * MM, paper_h - top * MM - height) for left, top in badge_positions(layout)]
    band = min(height * 0.18, 12 * MM * min(width, height) / (55 * MM))
    inside = 0
    for _, x0, y0, x1, y1 in drawn_extents(out):
        for left, bottom in cards:
            if left <= (x0 + x1) / 2 <= left + width and bottom <= (y0 + y1) / 2 <= bottom + height:
                if y1 <= bottom + band + 0.01 and x1 - x0 >= width - 0.01:
                    continue  # the role band, meant to reach the cut line
                if x1 - x0 >= width - 0.01 and y1 - y0 >= height - 0.01:
                    continue  # the clip outline
                assert x0 >= left + inset and x1 <= left + width - inset, (x0, x1, left)
                assert y0 >= bottom + inset and y1 <= bottom + height - inset, (y0, y1, bottom)
                inside += 1
    assert inside > 100


# --------------------------------------------------------------------------- QR cache


def test_codes_are_encoded_once_per_session(monkeypatch: pytest.MonkeyPatch) -> None:
    from delegations.exports import qr

    calls: list[str] = []
    real = qr.encode

    def counting(data: str) -> qr.QrRuns:
        calls.append(data)
        return real(data)

    monkeypatch.setattr(qr, "encode", counting)
    qr.cache_clear()
    payloads = [payload(f"{i:08d}-0000-4000-8000-000000000000") for i in range(20)]
    first = encode_many(payloads, workers=1)
    assert len(calls) == 20
    again = encode_many(payloads + payloads[:5], workers=1)
    assert len(calls) == 20  # every code came from the cache
    assert again == first + first[:5]


def test_row_wise_masks_give_segno_s_own_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    import random
    import uuid

    import segno
    from segno import encoder

    from delegations.exports import qr

    qr._use_fast_masks()
    fast: Any = encoder.find_and_apply_best_mask
    assert getattr(fast, "_delegations", False)
    generator = random.Random(12)
    payloads = [payload(str(uuid.UUID(int=generator.getrandbits(128)))) for _ in range(200)]
    payloads += ["https://www.openstreetmap.org/?mlat=41.3967&mlon=2.159#map=18/41.3967/2.159"]
    payloads += ["Zoë Łódź " * 20, "12345"]

    def codes() -> list[tuple[int, tuple[bytearray, ...]]]:
        made = [segno.make(data, error="m", micro=False, boost_error=False) for data in payloads]
        return [(code.mask, code.matrix) for code in made]

    ours = codes()
    monkeypatch.setattr(encoder, "find_and_apply_best_mask", fast.original)
    assert codes() == ours
    assert segno.make("12345", micro=True).is_micro  # Micro QR still segno's own way


def test_each_sheet_says_its_version_issue_date_and_number_where_the_margin_allows(
    large: Delegation, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    options = dict(generated_at=datetime(2026, 11, 22, 9, 15, tzinfo=UTC), zone="Europe/Paris")
    out = badges.export(large, tmp_path / "l7418.pdf", ExportOptions(**options))  # type: ignore[arg-type]
    texts = page_texts(out)
    for number, text in enumerate(texts, start=1):
        assert f"Issued 22 Nov 2026 10:15 CET · Sheet {number} of {len(texts)}" in text
        assert "Version " in text
    # A6 inserts fill the whole sheet: no line at all rather than one on a badge.
    a6 = badges.export(
        large,
        tmp_path / "a6.pdf",
        ExportOptions(layout="a6-quarters", **options),  # type: ignore[arg-type]
    )
    assert not any("Sheet 1 of" in text for text in page_texts(a6))


def test_a_family_name_that_would_print_small_breaks_between_its_words(
    large: Delegation, tmp_path: Path
) -> None:
    """ "de La Rochefoucauld" on one line reaches only about the minimum beside a QR
    code; on two lines it is clearly larger, so it breaks, between words only."""
    out = badges.export(large, tmp_path / "large.pdf", ExportOptions(qr=True))
    printed = printed_badges(out, "avery-l7418", large)
    rochefoucauld = [b for b in printed if b.names[-1].text == "Rochefoucauld"]
    assert rochefoucauld, [b.texts for b in printed]
    for badge in rochefoucauld:
        assert [run.text for run in badge.names[1:]] == ["de La", "Rochefoucauld"]
        assert min(run.size for run in badge.names) >= badges.MIN_NAME * 1.15
