"""Name badges on the sheets organisers buy: label sheets, card stock, A6 inserts.

Each sheet is a layout file in ``resources/layouts/<name>.json`` (schema in
``resources/schemas/badge-layout.schema.json``): paper size, badge size, grid,
margins, pitch, corner radius and crop marks, in millimetres from the sheet's
top-left corner. A new sheet is a new file; ``list_layouts()`` finds it.

A badge shows the person's given name on one line and family name on the next (the
same structure on every badge; a long family name breaks between its words only,
never inside a word or at a hyphen; see ``name_parts`` for how a badge name is
split), their organisation, their role on a band in the role's colour, the
delegation's title and ``options.logo``; with ``options.qr`` a QR code carrying the
participation's UUID in upper case (see ``delegations.exports.qr``).

Sizes: the name is never smaller than ``MIN_NAME`` (10 pt on an 86 × 55 mm badge,
in proportion on other sizes) nor than the organisation line; the organisation
never smaller than ``MIN_ORGANISATION`` (7 pt): its short name is printed when the
full name would be smaller, else its acronym, else the full name wraps on more
lines at the minimum. Only a single word wider than the badge at the minimum
prints smaller; ``badge_warnings`` names every badge that falls below a minimum or
wraps its organisation, for the caller to show before printing.

Who: confirmed attendees; with ``options.include_unconfirmed`` also the invited
ones, each marked "INVITED – not confirmed" on the badge; ``options.selection``
prints exactly those people (marked when not confirmed).

Layouts may set ``safe_margin_mm`` (nothing printed that close to the paper's edges;
badges that come closer are drawn inset, all alike; crop marks are shortened) and
``badge.content_inset_mm`` (text, QR code and logo kept inside a card's cut line).
``options.offset_mm`` shifts everything by (x, y) millimetres, positive x to the
right and positive y downwards, to correct a printer; ``options.calibration``
prints a calibration page for the layout instead. The paper is the layout's
(``options.paper`` does not apply to badges).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from delegations.exports.common import (
    FONT,
    FONT_BOLD,
    register_fonts,
    report,
    stamp_text,
    version_text,
)
from delegations.exports.options import ExportError, ExportOptions
from delegations.exports.qr import QrRuns, encode_stream, payload
from delegations.files import atomic_path
from delegations.model.enums import ParticipationStatus, Role
from delegations.model.text import fold
from delegations.resources import resource

if TYPE_CHECKING:
    from reportlab.lib.colors import Color
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    from delegations.model import Delegation, Participation

MM = 72 / 25.4
"""Points per millimetre."""

ROLE_COLOURS: dict[Role, str] = {
    Role.HEAD: "#8E1B3A",
    Role.DELEGATE: "#1F5FA8",
    Role.ORGANISER: "#1E7F4F",
    Role.INTERPRETER: "#B35400",
    Role.GUEST: "#5B4B8A",
}
"""The band colour of each role, the same in every layout."""

INK = "#1A1A1A"
MUTED = "#4D4D4D"
WHITE = "#FFFFFF"
MARKER = "#B00020"
"""The colour of the note on an unconfirmed attendee's badge."""
MIN_NAME = 10.0
"""The smallest name (pt, on an 86 × 55 mm badge; in proportion on other sizes)."""
MIN_ORGANISATION = 7.0
"""The smallest organisation line (pt, on an 86 × 55 mm badge): below it the
organisation's short name, else its acronym, is printed, else it wraps."""

# Vertical metrics of DejaVu Sans as fractions of the font size: the tallest accented
# capital and the deepest descender, so fitted text never leaves its box.
ASCENT = 0.93
DESCENT = 0.24
LEADING = 1.1


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Layout:
    """A sheet of badges; lengths in millimetres from the sheet's top-left corner."""

    name: str
    description: str
    paper_name: str
    paper_mm: tuple[float, float]
    badge_mm: tuple[float, float]
    corner_radius_mm: float
    columns: int
    rows: int
    margin_mm: tuple[float, float]
    pitch_mm: tuple[float, float]
    crop_marks: bool
    safe_margin_mm: float = 0.0
    """Nothing is printed this close to the paper's edges (office printers cannot)."""
    content_inset_mm: float = 0.0
    """Text, QR code and logo keep this far inside each badge's edge (a cut line)."""

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def edge_inset_mm(self) -> float:
        """How far every badge's design (role band included) is drawn inside the badge
        so that none of it comes within ``safe_margin_mm`` of the paper's edges; the
        same on every side of every badge, so the badges of a sheet look alike."""
        (paper_w, paper_h), (badge_w, badge_h) = self.paper_mm, self.badge_mm
        need = 0.0
        for left, top in badge_positions(self):
            for room in (left, top, paper_w - left - badge_w, paper_h - top - badge_h):
                need = max(need, self.safe_margin_mm - room)
        return round(need, 3)

    @property
    def box_pt(self) -> tuple[float, float, float]:
        """(width, height, inset) in pt of the box each badge's design fills."""
        inset = self.edge_inset_mm
        width, height = self.badge_mm
        return (width - 2 * inset) * MM, (height - 2 * inset) * MM, inset * MM

    @property
    def text_inset_pt(self) -> float:
        """The content inset, in pt from the edge of the design's box."""
        return max(self.content_inset_mm - self.edge_inset_mm, 0.0) * MM

    @property
    def paper(self) -> str:
        """``A4 (210 × 297 mm)``."""
        width, height = self.paper_mm
        return f"{self.paper_name} ({width:g} × {height:g} mm)"


def _layouts_dir() -> Path:
    return resource("layouts")


def layout_names() -> list[str]:
    return sorted(path.stem for path in _layouts_dir().glob("*.json"))


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        resource("schemas", "badge-layout.schema.json").read_text(encoding="utf-8")
    )
    return schema


def load_layout(name: str) -> Layout:
    """The layout called ``name``; ExportError naming the known ones if there is none."""
    names = layout_names()
    if name not in names:
        raise ExportError(f"unknown badge layout '{name}'; known layouts: {', '.join(names)}")
    path = _layouts_dir() / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ExportError(f"badge layout file {path.name} cannot be read: {error}") from error
    return layout_from_data(data, path.name)


def layout_from_data(data: Any, source: str = "layout") -> Layout:
    """Check ``data`` (a parsed layout file) against the schema and the paper."""
    import jsonschema

    try:
        jsonschema.validate(data, _schema())
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        raise ExportError(f"badge layout {source} is invalid at {where}: {error.message}") from None
    layout = Layout(
        name=data["name"],
        description=data["description"],
        paper_name=data["paper"]["name"],
        paper_mm=(float(data["paper"]["width_mm"]), float(data["paper"]["height_mm"])),
        badge_mm=(float(data["badge"]["width_mm"]), float(data["badge"]["height_mm"])),
        corner_radius_mm=float(data["badge"].get("corner_radius_mm", 0)),
        columns=data["columns"],
        rows=data["rows"],
        margin_mm=(float(data["margin"]["left_mm"]), float(data["margin"]["top_mm"])),
        pitch_mm=(float(data["pitch"]["x_mm"]), float(data["pitch"]["y_mm"])),
        crop_marks=bool(data.get("crop_marks", False)),
        safe_margin_mm=float(data.get("safe_margin_mm", 0)),
        content_inset_mm=float(data["badge"].get("content_inset_mm", 0)),
    )
    _check_fits(layout, source)
    return layout


def _check_fits(layout: Layout, source: str) -> None:
    (paper_w, paper_h), (badge_w, badge_h) = layout.paper_mm, layout.badge_mm
    right = layout.margin_mm[0] + (layout.columns - 1) * layout.pitch_mm[0] + badge_w
    bottom = layout.margin_mm[1] + (layout.rows - 1) * layout.pitch_mm[1] + badge_h
    if right > paper_w + 0.01 or bottom > paper_h + 0.01:
        raise ExportError(f"badge layout {source}: the badges do not fit on the paper")
    if layout.pitch_mm[0] < badge_w - 0.01 or layout.pitch_mm[1] < badge_h - 0.01:
        raise ExportError(f"badge layout {source}: the pitch is smaller than a badge")


def list_layouts() -> list[Layout]:
    """Every layout file, by name (for ``--list-layouts`` and the GUI)."""
    return [load_layout(name) for name in layout_names()]


def badge_positions(
    layout: Layout, offset_mm: tuple[float, float] = (0.0, 0.0)
) -> list[tuple[float, float]]:
    """Top-left corner of each badge on a sheet, row by row, in mm from the top-left.

    ``offset_mm`` is the printer correction: positive x moves right, positive y down.
    """
    (left, top), (pitch_x, pitch_y) = layout.margin_mm, layout.pitch_mm
    dx, dy = offset_mm
    return [
        (left + column * pitch_x + dx, top + row * pitch_y + dy)
        for row in range(layout.rows)
        for column in range(layout.columns)
    ]


# --------------------------------------------------------------------------- text fitting


@dataclass(frozen=True)
class Fitted:
    """Text fitted into a box: the font size (pt) and its lines."""

    size: float
    lines: tuple[str, ...]
    widths: tuple[float, ...]
    """Each line's width at 1 pt."""

    @property
    def height(self) -> float:
        return block_height(self.size, len(self.lines))


def block_height(size: float, lines: int) -> float:
    return size * (ASCENT + DESCENT + (lines - 1) * LEADING)


def _breaks(text: str) -> Iterable[tuple[int, int]]:
    """Where ``text`` may break: (end of the first line, start of the second)."""
    for index, char in enumerate(text):
        if char == " ":
            yield index, index + 1
        elif char in "-‐" and 0 < index < len(text) - 1:
            yield index + 1, index + 1


@lru_cache(maxsize=8192)
def fit_text(
    text: str, font: str, max_size: float, width: float, height: float, max_lines: int = 2
) -> Fitted:
    """The largest size (≤ ``max_size``) at which ``text`` fits ``width`` × ``height`` pt.

    One line if it fits at least nearly as large as two; otherwise the two-line
    break with the largest size. The text is never cut: a single long word shrinks.
    """
    advance = _advances(font)
    # Widths add up (ReportLab does not kern): prefix sums give any line's width.
    prefix = [0.0]
    for char in text:
        prefix.append(prefix[-1] + advance(char))
    best = _fitted((text,), (prefix[-1],), max_size, width, height)
    if max_lines < 2 or best.size >= max_size:
        return best
    for end, start in _breaks(text):
        first, second = text[:end].rstrip(), text[start:].lstrip()
        if not first or not second:
            continue
        left = prefix[len(first)]
        right = prefix[-1] - prefix[len(text) - len(second)]
        candidate = _fitted((first, second), (left, right), max_size, width, height)
        # Break the text only when that makes it clearly larger.
        threshold = best.size * (1.15 if len(best.lines) == 1 else 1.0)
        if candidate.size > threshold:
            best = candidate
    return best


def _fitted(
    lines: tuple[str, ...],
    widths: tuple[float, ...],
    max_size: float,
    width: float,
    height: float,
) -> Fitted:
    """``lines`` at the largest size that fits; ``widths`` are theirs at 1 pt."""
    size = min(max_size, height / block_height(1.0, len(lines)))
    widest = max(widths)
    if widest > 0:
        size = min(size, width / widest)
    return Fitted(int(size * 10) / 10, lines, widths)  # rounded down: never outside the box


@cache
def _advances(font: str) -> Callable[[str], float]:
    """Advance width of a character at 1 pt in ``font`` (as ReportLab measures it)."""
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    face = pdfmetrics.getFont(font).face
    widths, default = face.charWidths, face.defaultWidth

    def advance(char: str) -> float:
        return float(widths.get(ord(char), default)) / 1000

    return advance


def text_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def _groups(words: Sequence[str], count: int) -> Iterable[tuple[str, ...]]:
    """Every way to put ``words`` on ``count`` lines, in order, none empty."""
    from itertools import combinations, pairwise

    for cuts in combinations(range(1, len(words)), count - 1):
        bounds = (0, *cuts, len(words))
        yield tuple(" ".join(words[a:b]) for a, b in pairwise(bounds))


def _balanced(text: str, count: int, font: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """``text`` on ``count`` lines broken between words only, the widest line narrowest."""
    advance = _advances(font)

    def width(line: str) -> float:
        return sum(advance(char) for char in line)

    best: tuple[tuple[str, ...], tuple[float, ...]] | None = None
    best_key = (True, 0.0)
    for lines in _groups(text.split(" "), count):
        widths = tuple(width(line) for line in lines)
        # A line had rather not start with "y", "and", "und": "Fernández de Córdoba y"
        # / "Álvarez de Toledo".
        key = (any(line.split(" ")[0] in CONJUNCTIONS for line in lines[1:]), max(widths))
        if best is None or key < best_key:
            best, best_key = (lines, widths), key
    assert best is not None
    return best


COMFORTABLE = 0.6
"""A name this large (of the largest size) is left on as few lines as it is: below it,
a family name breaks between its words when that makes it clearly larger."""

CONJUNCTIONS = frozenset({"y", "i", "e", "and", "und", "et", "og", "och", "en", "és", "и"})
"""Words joining two family names, kept at the end of a line rather than the start."""


@lru_cache(maxsize=8192)
def fit_name(
    given: str, family: str, max_size: float, min_size: float, width: float, height: float
) -> Fitted:
    """The name as large as it fits ``width`` × ``height`` pt, in bold: the given name
    on its line(s), the family name on the next.

    Each part is broken only between its words (never inside a word, never at a
    hyphen), and only when it must: when on fewer lines the name would be smaller
    than ``min_size``, or small (below ``COMFORTABLE`` of ``max_size``) where one more
    line makes it at least 15 % larger ("Björn / de La / Rochefoucauld") and no part
    takes more than two lines; to reach the minimum, the family name takes up to four
    lines, the given name up to two. If no
    break reaches ``min_size`` (a single word wider than the box at that size), the
    largest arrangement is printed, below the minimum: ``badge_warnings`` says so.
    """
    parts = [part for part in (given, family) if part] or [""]
    options: list[tuple[int, ...]] = [()]
    for index, part in enumerate(parts):
        most = min(len(part.split(" ")), 2 if index == 0 and len(parts) == 2 else 4)
        options = [(*counts, count) for counts in options for count in range(1, most + 1)]
    comfortable = max(min_size, COMFORTABLE * max_size)
    best: Fitted | None = None
    for counts in sorted(options, key=sum):
        if best is not None and best.size >= comfortable and sum(counts) > len(best.lines):
            break  # fewer lines already read well
        if best is not None and best.size >= min_size and max(counts) > 2:
            continue  # beyond two lines a part breaks only to reach the minimum
        lines: tuple[str, ...] = ()
        widths: tuple[float, ...] = ()
        for part, count in zip(parts, counts, strict=True):
            more_lines, more_widths = _balanced(part, count, FONT_BOLD)
            lines, widths = lines + more_lines, widths + more_widths
        candidate = _fitted(lines, widths, max_size, width, height)
        # One more line only for a clearly larger name (or to reach the minimum).
        more = best is not None and len(candidate.lines) > len(best.lines)
        needed = best.size * 1.15 if best is not None and more and best.size >= min_size else 0
        if best is None or (candidate.size > best.size and candidate.size >= needed):
            best = candidate
    assert best is not None
    return best


@lru_cache(maxsize=4096)
def wrap_text(text: str, font: str, size: float, width: float, height: float) -> Fitted:
    """``text`` wrapped between words at ``size`` on as many lines as ``width`` needs;
    smaller (and wrapped again) only when those lines do not fit ``height``."""
    advance = _advances(font)
    words = text.split(" ")
    while True:
        lines: list[str] = []
        for word in words:
            if lines and sum(map(advance, f"{lines[-1]} {word}")) * size <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        widths = tuple(sum(map(advance, line)) for line in lines)
        fitted = _fitted(tuple(lines), widths, size, width, height)
        if fitted.size >= size - 0.05 or size <= 1:
            return fitted
        size = max(fitted.size, size - 0.5)  # fewer words per line did not help: smaller


# --------------------------------------------------------------------------- composition


@dataclass(frozen=True)
class Line:
    """One line of text, centred on ``x``, baseline at ``y`` (pt from badge bottom-left)."""

    text: str
    font: str
    size: float
    x: float
    y: float
    colour: str
    """``#RRGGBB``."""
    width: float
    """Its width in pt."""


@dataclass(frozen=True)
class Design:
    """Everything on one badge, in points from the bottom-left corner of its box."""

    width: float
    height: float
    lines: tuple[Line, ...]
    band_height: float
    rule_y: float
    qr_box: tuple[float, float, float] | None
    """(x, y, side) of the square the QR code (with its quiet zone) fills."""
    logo_box: tuple[float, float, float, float] | None = None
    """(x, y, width, height) of the logo, its aspect ratio kept."""
    name_size: float = 0.0
    organisation_size: float = 0.0
    organisation_lines: int = 0
    organisation_source: str = ""
    """``name``, ``short name``, ``acronym`` (what the organisation line shows) or ``""``."""
    min_name: float = 0.0
    min_organisation: float = 0.0
    middle: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    """(left, bottom, width, height) of the area the name and organisation share."""

    @property
    def name_too_small(self) -> bool:
        return self.name_size < self.min_name - 0.05

    @property
    def organisation_too_small(self) -> bool:
        return self.organisation_lines > 0 and self.organisation_size < self.min_organisation - 0.05

    @property
    def organisation_wrapped(self) -> bool:
        """The full organisation name, on more lines than a badge normally gives it."""
        return self.organisation_lines > 2


@dataclass(frozen=True)
class BadgeText:
    """What a badge says.

    The name is printed as ``given`` on its line and ``family`` on the next (broken
    between its words only when it must), on every badge, so a sheet looks alike.
    """

    given: str
    family: str
    organisation: str
    role: str
    title: str
    acronym: str = ""
    """The organisation's acronym: the last resort for a name too long to read."""
    short_name: str = ""
    """The organisation's short name, printed when the full name would be too small."""
    marker: str = ""
    """A note for attendees who have not confirmed (``INVITED – not confirmed``)."""

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.given, self.family) if part)


def _stack(
    blocks: Sequence[tuple[Fitted, str, str]], centre_x: float, top: float, gap: float
) -> list[Line]:
    lines: list[Line] = []
    for fitted, font, colour in blocks:
        baseline = top - fitted.size * ASCENT
        for text, width in zip(fitted.lines, fitted.widths, strict=True):
            size = fitted.size
            lines.append(Line(text, font, size, centre_x, baseline, colour, width * size))
            baseline -= fitted.size * LEADING
        top -= fitted.height + gap
    return lines


def compose(
    width: float,
    height: float,
    text: BadgeText,
    qr: bool,
    *,
    inset: float = 0.0,
    logo: float | None = None,
    scale: float | None = None,
) -> Design:
    """Lay out one badge of ``width`` × ``height`` pt (pure: no canvas).

    From the top: the logo (``logo`` is its width / height; None: no logo) with the
    delegation's title beside it, a short rule, the given name, the family name and
    the organisation centred in the middle (beside the QR code on landscape badges,
    above it on portrait ones), the marker of an unconfirmed attendee, and the role
    on the band at the bottom. Text, QR code and logo keep ``inset`` pt from the
    edges (a cut line); ``scale`` (default: from the size) sets every type size
    relative to an 86 × 55 mm badge.
    """
    scale = scale or min(width, height) / (55 * MM)
    pad = max(3.5 * MM * scale, inset)
    band = min(height * 0.18, 12 * MM * scale)
    lines, rule_y, logo_box = _header(width, height, text.title, pad, scale, inset, logo)
    lines.append(_role_line(text.role, width, band, pad, scale, inset))
    bottom = band + pad * 0.7
    area = (pad, bottom, width - 2 * pad, rule_y - pad * 0.7 - bottom)
    area, qr_box = _place_qr(area, width, height, pad, inset) if qr else (area, None)
    if text.marker:
        marker, area = _marker(text.marker, area, scale)
        lines.append(marker)
    middle, sizes = _middle(text, area, scale)
    lines.extend(middle)
    return Design(width, height, tuple(lines), band, rule_y, qr_box, logo_box, *sizes, area)


def _role_line(
    role: str, width: float, band: float, pad: float, scale: float, inset: float
) -> Line:
    """The role in white on the band, capitals centred, descenders above ``inset``."""
    room = band - max(band * 0.19, inset) - band * 0.19
    fitted = fit_text(role, FONT_BOLD, 12 * scale, width - 2 * pad, room, 1)
    baseline = max((band - fitted.size * 0.73) / 2, inset + fitted.size * DESCENT)
    return Line(
        fitted.lines[0], FONT_BOLD, fitted.size, width / 2, baseline, WHITE,
        fitted.widths[0] * fitted.size,
    )  # fmt: skip


def _header(
    width: float,
    height: float,
    title: str,
    pad: float,
    scale: float,
    inset: float,
    logo: float | None,
) -> tuple[list[Line], float, tuple[float, float, float, float] | None]:
    """The logo and the title's lines at the top, and the height of the rule under them."""
    top = height - max(pad * 0.8, inset)
    room = 0.13 * height
    left, right = pad, width - pad
    logo_box = None
    if logo:
        logo_h = room
        logo_w = min(logo_h * logo, width * 0.3)
        logo_h = logo_w / logo
        logo_box = (left, top - logo_h, logo_w, logo_h)
        left += logo_w + pad * 0.5
    fitted = fit_text(title, FONT, 8.5 * scale, right - left, room, 2)
    lines = _stack([(fitted, FONT, MUTED)], (left + right) / 2, top, 0)
    lowest = max(fitted.height, logo_box[3] if logo_box else 0.0)
    return lines, top - lowest - pad * 0.45, logo_box


Area = tuple[float, float, float, float]
"""(left, bottom, width, height) in points."""


def _place_qr(
    area: Area, width: float, height: float, pad: float, inset: float = 0.0
) -> tuple[Area, tuple[float, float, float]]:
    """The QR code's square, and what is left of ``area`` for the text."""
    left, bottom, area_w, area_h = area
    if height > width * 1.2:  # portrait: the code centred under the text
        side = min(width * 0.36, area_h * 0.38)
        box = ((width - side) / 2, bottom, side)
        return (left, bottom + side + pad * 0.4, area_w, area_h - side - pad * 0.4), box
    side = min(width * 0.27, area_h)  # landscape: the code on the right
    box = (width - max(pad * 0.6, inset) - side, bottom + (area_h - side) / 2, side)
    return (left, bottom, box[0] - pad * 0.2 - left, area_h), box


def _marker(marker: str, area: Area, scale: float) -> tuple[Line, Area]:
    """The unconfirmed attendee's note at the bottom of ``area``; the area above it."""
    left, bottom, area_w, area_h = area
    fitted = fit_text(marker, FONT_BOLD, MIN_ORGANISATION * scale, area_w, area_h * 0.2, 1)
    baseline = bottom + fitted.size * DESCENT
    line = Line(
        fitted.lines[0], FONT_BOLD, fitted.size, left + area_w / 2, baseline, MARKER,
        fitted.widths[0] * fitted.size,
    )  # fmt: skip
    used = fitted.height + fitted.size * 0.5
    return line, (left, bottom + used, area_w, area_h - used)


def _middle(
    text: BadgeText, area: Area, scale: float
) -> tuple[list[Line], tuple[float, float, int, str, float, float]]:
    """Name and organisation, as large as they fit, centred in ``area``; and the
    sizes for ``Design`` (name, organisation, organisation lines and source, minima)."""
    left, bottom, area_w, area_h = area
    min_name, min_org = MIN_NAME * scale, MIN_ORGANISATION * scale
    organisation, source = _organisation(text, area_w, area_h, scale)
    gap = min_name * 0.35
    room = area_h - (organisation.height + gap if organisation.lines else 0.0)
    name = fit_name(text.given, text.family, 24 * scale, min_name, area_w, room)
    if organisation.lines and organisation.size > name.size:  # never larger than the name
        organisation = Fitted(name.size, organisation.lines, organisation.widths)
    gap = min(name.size * 0.35, max(area_h - name.height - organisation.height, 0.0))
    blocks = [(name, FONT_BOLD, INK)]
    total = name.height
    if organisation.lines:
        blocks.append((organisation, FONT, MUTED))
        total += gap + organisation.height
    lines = _stack(blocks, left + area_w / 2, bottom + (area_h + total) / 2, gap)
    count = len(organisation.lines)
    return lines, (name.size, organisation.size, count, source, min_name, min_org)


def _organisation(text: BadgeText, width: float, height: float, scale: float) -> tuple[Fitted, str]:
    """The organisation line(s): the full name if it is readable (at least the
    minimum size), else its short name, else its acronym, else the full name
    wrapped on more lines at the minimum (smaller only if even that cannot fit)."""
    if not text.organisation:
        return Fitted(0.0, (), ()), ""
    largest, smallest = 10.5 * scale, MIN_ORGANISATION * scale
    full = fit_text(text.organisation, FONT, largest, width, height * 0.30, 2)
    if full.size >= smallest:
        return full, "name"
    for fallback, source, lines in (
        (text.short_name, "short name", 2),
        (text.acronym, "acronym", 1),
    ):
        if fallback and fallback != text.organisation:
            fitted = fit_text(fallback, FONT, largest, width, height * 0.30, lines)
            if fitted.size >= smallest:
                return fitted, source
    return wrap_text(text.organisation, FONT, smallest, width, height * 0.45), "name"


# --------------------------------------------------------------------------- people


def name_parts(participation: Participation) -> tuple[str, str]:
    """(given, family) as the badge prints them.

    Without a badge name, or with one that is the person's full name: their given and
    family names. A badge name is one preferred display name, split so the sheet
    keeps its structure: where it ends with the person's family name, that is the
    family line ("Tom Leroy" → "Tom" / "Leroy"); else where it starts with their
    given name, the rest is the family line; else its first word is the given line
    and the rest the family line. A single word is the given line alone.
    """
    person = participation.person
    given, family = _clean(person.given_name), _clean(person.family_name)
    badge = _clean(participation.badge_name)
    if not badge or fold(badge) == fold(f"{given} {family}"):
        return given, family
    words = badge.split(" ")
    for known, at_end in ((family, True), (given, False)):
        count = len(known.split()) if known else 0
        if not count or count >= len(words):
            continue
        if at_end and fold(" ".join(words[-count:])) == fold(known):
            return " ".join(words[:-count]), " ".join(words[-count:])
        if not at_end and fold(" ".join(words[:count])) == fold(known):
            return " ".join(words[:count]), " ".join(words[count:])
    return words[0], " ".join(words[1:])


MARKERS: dict[ParticipationStatus, str] = {
    ParticipationStatus.INVITED: "INVITED – not confirmed",
    ParticipationStatus.DECLINED: "DECLINED – not attending",
    ParticipationStatus.CANCELLED: "CANCELLED – not attending",
}
"""The note on the badge of an attendee who has not confirmed."""


def badge_text(participation: Participation, delegation: Delegation) -> BadgeText:
    person = participation.person
    organisation = person.organisation
    given, family = name_parts(participation)
    return BadgeText(
        given=given,
        family=family,
        organisation=_clean(organisation.name) if organisation else "",
        role=participation.role.label,
        title=_clean(delegation.title),
        acronym=_clean(organisation.acronym) if organisation else "",
        short_name=_clean(organisation.short_name) if organisation else "",
        marker="" if participation.confirmed else MARKERS.get(participation.status, ""),
    )


def _clean(text: str) -> str:
    """Single spaces, and accents composed (``e`` + ``\u0301`` → ``é``) as fonts draw best."""
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


def choose(delegation: Delegation, options: ExportOptions) -> list[Participation]:
    """The participations to print: ``options.selection`` in its order (whatever their
    status; the unconfirmed are marked), else the confirmed attendees (and, with
    ``options.include_unconfirmed``, the invited ones, marked) by family name, by
    organisation (then name) or by role (then name). Never the declined or cancelled
    unless selected."""
    participations = list(delegation.participations)
    if options.selection is not None:
        by_person = {p.person_id or p.person.id: p for p in participations}
        missing = [str(pid) for pid in options.selection if pid not in by_person]
        if missing:
            raise ExportError(
                f"people not in delegation '{delegation.title}': ids {', '.join(missing)}"
            )
        return [by_person[pid] for pid in options.selection]
    attending = [
        p
        for p in participations
        if p.confirmed or (options.include_unconfirmed and p.status.attending)
    ]
    roles = list(Role)

    def name_key(p: Participation) -> tuple[str, str]:
        return (fold(p.person.sort_name), p.display_name)

    def org_key(p: Participation) -> str:
        organisation = p.person.organisation
        return fold(organisation.name) if organisation else "\uffff"

    if options.order == "organisation":
        return sorted(attending, key=lambda p: (org_key(p), name_key(p)))
    if options.order == "role":
        return sorted(attending, key=lambda p: (roles.index(p.role), name_key(p)))
    return sorted(attending, key=name_key)


# --------------------------------------------------------------------------- warnings


def badge_warnings(
    delegation: Delegation, options: ExportOptions, *, names: bool = True
) -> list[str]:
    """What would print too small, one message per badge, to show before printing.

    With ``names`` (the window) a message names the person; without (the command
    line, whose messages never print personal data) it says where the badge is and
    the person's id: ``Badge 3 on sheet 1 (person #12)``.

    A name below the layout's minimum (10 pt on an 86 × 55 mm badge, in proportion
    on others) or an organisation below its own (7 pt) or wrapped on more than two
    lines; each message names the person and what to do. Such badges still print:
    at the minimum on more lines, and smaller only when a single word is wider
    than the badge. Empty for the calibration page. Pure: nothing is written.
    """
    if options.calibration:
        return []
    layout = load_layout(options.layout)
    chosen = choose(delegation, options)
    logo = _logo_aspect(options.logo, strict=False)
    messages: list[str] = []
    for index, (participation, design) in enumerate(
        zip(chosen, _designs(layout, options, chosen, delegation, logo), strict=True)
    ):
        sheet, slot = divmod(index, layout.per_sheet)
        who = (
            f"Badge of {participation.person.full_name}"
            if names
            else f"Badge {slot + 1} on sheet {sheet + 1} (person #{participation.person.id})"
        )
        organisation = participation.person.organisation
        larger = "choose a larger badge layout"
        if design.name_too_small:
            messages.append(
                f"{who}: the name would print at {design.name_size:g} pt, below the "
                f"{design.min_name:g} pt minimum of {layout.name}; set a shorter badge name "
                f"for them, or {larger}."
            )
        if organisation is not None and (
            design.organisation_too_small or design.organisation_wrapped
        ):
            if design.organisation_too_small:
                problem = (
                    f"would print at {design.organisation_size:g} pt, below the "
                    f"{design.min_organisation:g} pt minimum of {layout.name}"
                )
            else:
                problem = (
                    f"only fits at the {design.min_organisation:g} pt minimum on "
                    f"{design.organisation_lines} lines"
                )
            messages.append(
                f"{who}: the organisation “{organisation.name}” {problem}; give the "
                f"organisation a short name (or an acronym), or {larger}."
            )
    return messages


def _designs(
    layout: Layout,
    options: ExportOptions,
    chosen: Sequence[Participation],
    delegation: Delegation,
    logo: float | None,
) -> Iterable[Design]:
    box_w, box_h, _ = layout.box_pt
    inset = layout.text_inset_pt
    scale = min(box_w, box_h) / (55 * MM)
    for participation in chosen:
        text = badge_text(participation, delegation)
        qr = bool(options.qr and participation.uuid)
        yield compose(box_w, box_h, text, qr, inset=inset, logo=logo, scale=scale)


def _logo_aspect(path: Path | None, strict: bool = True) -> float | None:
    """The logo's width / height; ExportError naming the file if it cannot be read
    (``strict``) or None."""
    if path is None:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        width, height = ImageReader(str(path)).getSize()
        if width <= 0 or height <= 0:
            raise ValueError("the image is empty")
    except Exception as error:
        if not strict:
            return None
        raise ExportError(f"cannot read the logo image '{path}': {error}") from error
    return float(width) / float(height)


def check_glyphs(texts: Sequence[BadgeText], people: Sequence[str]) -> None:
    """ExportError naming each person whose badge has characters we cannot print.

    Those are characters the embedded font has no glyph for (they would print as
    empty boxes) and right-to-left letters (Arabic, Hebrew): DejaVu Sans has glyphs
    for them but ReportLab, without a shaping engine, would print them unjoined and
    in reverse order.
    """
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    cmaps = {font: pdfmetrics.getFont(font).face.charToGlyph for font in (FONT, FONT_BOLD)}

    def unprintable(text: str, font: str) -> set[str]:
        if text.isascii() and text.isprintable():
            return set()  # DejaVu Sans has every printable ASCII character
        cmap = cmaps[font]
        return {c for c in set(text) if ord(c) not in cmap or _right_to_left(c)}

    problems: list[str] = []
    for text, person in zip(texts, people, strict=True):
        missing = unprintable(text.name, FONT_BOLD) | unprintable(
            text.organisation + text.acronym, FONT
        )
        if missing:
            problems.append(f"{person}: {' '.join(sorted(missing))}")
    missing_title = unprintable(texts[0].title, FONT) if texts else set()
    if missing_title:
        problems.append(f"the delegation title: {' '.join(sorted(missing_title))}")
    if problems:
        raise ExportError(
            "the badges cannot show these characters (the embedded DejaVu Sans font has "
            "no glyph for them, or they are written right to left), so nothing was "
            "printed; enter a badge name in Latin, Greek or Cyrillic script for: "
            + "; ".join(problems)
        )


def _right_to_left(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


# --------------------------------------------------------------------------- drawing


def export(delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the badges (or the calibration page) of ``delegation`` to ``out``.

    Badges that would print too small still print (see ``badge_warnings``, which
    the caller shows first).
    """
    layout = load_layout(options.layout)
    out = Path(out)
    if options.calibration:
        with atomic_path(out) as tmp:
            canvas = _canvas(tmp, layout, f"Badge calibration — {layout.name}")
            draw_calibration(canvas, layout, options.offset_mm)
            canvas.save()
        return out
    chosen = choose(delegation, options)
    if not chosen:
        raise ExportError(f"nobody to print badges for in '{delegation.title}'")
    texts = [badge_text(p, delegation) for p in chosen]
    check_glyphs(texts, [p.person.full_name for p in chosen])
    aspect = _logo_aspect(options.logo)
    logo = Logo(str(options.logo), aspect) if options.logo is not None and aspect else None
    total = len(chosen)
    report(options, 0, total)
    payloads = [payload(p.uuid) if options.qr and p.uuid else "" for p in chosen]
    encoded = encode_stream([data for data in payloads if data])
    try:
        codes = (next(encoded) if data else None for data in payloads)
        with atomic_path(out) as tmp:
            canvas = _canvas(tmp, layout, f"Badges — {delegation.title}")
            heading = f"{delegation.title} · {version_text(delegation)} · {stamp_text(options)}"
            _draw_sheets(canvas, layout, options, texts, chosen, codes, logo, heading)
            canvas.save()
    finally:
        encoded.close()  # stops the workers if drawing failed or was cancelled
    return out


@dataclass(frozen=True)
class Logo:
    """The logo image file and its width / height."""

    path: str
    aspect: float


def _draw_sheets(
    canvas: Canvas,
    layout: Layout,
    options: ExportOptions,
    texts: Sequence[BadgeText],
    chosen: Sequence[Participation],
    codes: Iterable[QrRuns | None],
    logo: Logo | None = None,
    heading: str = "",
) -> None:
    box_w, box_h, edge = layout.box_pt
    height = layout.badge_mm[1] * MM
    inset = layout.text_inset_pt
    scale = min(box_w, box_h) / (55 * MM)
    radius = layout.corner_radius_mm * MM
    positions = badge_positions(layout, options.offset_mm)
    page_h = layout.paper_mm[1] * MM
    aspect = logo.aspect if logo else None
    total = len(texts)
    sheets = -(-total // layout.per_sheet)
    note = sheet_note_place(layout, options.offset_mm)
    for index, (text, participation, code) in enumerate(zip(texts, chosen, codes, strict=True)):
        slot = index % layout.per_sheet
        if slot == 0:
            if index:
                canvas.showPage()
                report(options, index, total)
            if layout.crop_marks:
                draw_crop_marks(canvas, layout, options.offset_mm)
            if note is not None and heading:
                sheet = index // layout.per_sheet + 1
                draw_sheet_note(canvas, layout, note, f"{heading} · Sheet {sheet} of {sheets}")
        left, top = positions[slot]
        x, y = left * MM, page_h - top * MM - height
        design = compose(
            box_w, box_h, text, code is not None, inset=inset, logo=aspect, scale=scale
        )
        draw_badge(canvas, x, y, design, radius, participation.role, code, edge, logo)
    canvas.showPage()
    report(options, total, total)


def _canvas(path: Path, layout: Layout, title: str) -> Canvas:
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    canvas = Canvas(
        str(path),
        pagesize=(layout.paper_mm[0] * MM, layout.paper_mm[1] * MM),
        invariant=1,
        initialFontName=FONT,
        initialFontSize=10,
    )
    canvas.setTitle(title)
    canvas.setAuthor("Delegations")
    canvas.setCreator("Delegations")
    canvas.setSubject(layout.description)
    return canvas


def draw_badge(
    canvas: Canvas,
    x: float,
    y: float,
    design: Design,
    radius: float,
    role: Role,
    code: QrRuns | None,
    edge: float = 0.0,
    logo: Logo | None = None,
) -> None:
    """Draw ``design`` with the badge's bottom-left corner at (x, y) pt and its
    design's box ``edge`` pt inside the badge (clipped to the badge's corners)."""
    colour = _colour(ROLE_COLOURS[role])
    canvas.saveState()
    if radius > 0:
        width, height = design.width + 2 * edge, design.height + 2 * edge
        canvas.addLiteral(_rounded_clip(x, y, width, height, radius))
    x, y = x + edge, y + edge
    canvas.setFillColor(colour)
    canvas.rect(x, y, design.width, design.band_height, stroke=0, fill=1)
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(0.8)
    rule = design.width * 0.18
    canvas.line(
        x + design.width / 2 - rule,
        y + design.rule_y,
        x + design.width / 2 + rule,
        y + design.rule_y,
    )
    text = canvas.beginText()  # one text object for all the lines
    font: tuple[str, float] | None = None
    ink = ""
    for line in design.lines:
        if (line.font, line.size) != font:
            font = (line.font, line.size)
            text.setFont(line.font, line.size)
        if line.colour != ink:  # as RGB: no opacity operator at every change
            ink = line.colour
            text.setFillColor(_rgb(line.colour))
        text.setTextOrigin(x + line.x - line.width / 2, y + line.y)
        text.textOut(line.text)
    canvas.drawText(text)
    if code is not None and design.qr_box is not None:
        qx, qy, side = design.qr_box
        draw_qr(canvas, x + qx, y + qy, side, code)
    if logo is not None and design.logo_box is not None:
        lx, ly, lw, lh = design.logo_box
        # By file name: ReportLab embeds the image once and refers to it after that.
        canvas.drawImage(logo.path, x + lx, y + ly, lw, lh, mask="auto")
    canvas.restoreState()


def _rounded_clip(x: float, y: float, width: float, height: float, radius: float) -> str:
    """PDF operators clipping to a rounded rectangle.

    Written directly: ReportLab's path methods format numbers in pure Python, which
    costs a tenth of the time of 2,000 badges.
    """
    k = radius * 0.4477  # 1 - 0.5523: Bézier control points of a quarter circle
    x1, y1, r = x + width, y + height, radius
    return (
        f"{x + r:.3f} {y:.3f} m {x1 - r:.3f} {y:.3f} l "
        f"{x1 - k:.3f} {y:.3f} {x1:.3f} {y + k:.3f} {x1:.3f} {y + r:.3f} c "
        f"{x1:.3f} {y1 - r:.3f} l "
        f"{x1:.3f} {y1 - k:.3f} {x1 - k:.3f} {y1:.3f} {x1 - r:.3f} {y1:.3f} c "
        f"{x + r:.3f} {y1:.3f} l "
        f"{x + k:.3f} {y1:.3f} {x:.3f} {y1 - k:.3f} {x:.3f} {y1 - r:.3f} c "
        f"{x:.3f} {y + r:.3f} l "
        f"{x:.3f} {y + k:.3f} {x + k:.3f} {y:.3f} {x + r:.3f} {y:.3f} c h W n"
    )


@cache
def _rgb(hex_rgb: str) -> tuple[float, float, float]:
    """``#RRGGBB`` as (red, green, blue) from 0 to 1."""
    return tuple(int(hex_rgb[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


@cache
def _colour(hex_rgb: str) -> Color:
    """ReportLab colour for ``#RRGGBB``, parsed once (parsing costs more than drawing)."""
    from reportlab.lib.colors import HexColor

    return HexColor(hex_rgb)


def draw_qr(canvas: Canvas, x: float, y: float, side: float, code: QrRuns, quiet: int = 2) -> None:
    """Draw ``code`` as one path filling the square (x, y, side) with its quiet zone."""
    module = side / (code.size + 2 * quiet)
    canvas.saveState()
    canvas.setFillColor(_colour("#000000"))
    # Module coordinates, y downwards, from the code's top-left corner.
    canvas.transform(module, 0, 0, -module, x + quiet * module, y + side - quiet * module)
    # The runs come as ready-made path operators (formatted in the worker processes);
    # "f" fills them as one path.
    canvas.addLiteral(f"{code.path} f")
    canvas.restoreState()


def draw_crop_marks(canvas: Canvas, layout: Layout, offset_mm: tuple[float, float]) -> None:
    """Short hairlines in the margins on every cut line, outside the badges and never
    within the layout's ``safe_margin_mm`` of the paper's edges (shortened, or left
    out where there is no room)."""
    paper_w, paper_h = layout.paper_mm
    (badge_w, badge_h), (dx, dy) = layout.badge_mm, offset_mm
    positions = badge_positions(layout, offset_mm)
    cuts_x = sorted({round(x + e, 3) for x, _ in positions for e in (0.0, badge_w)})
    cuts_y = sorted({round(y + e, 3) for _, y in positions for e in (0.0, badge_h)})
    left, top = layout.margin_mm[0] + dx, layout.margin_mm[1] + dy
    right, bottom = cuts_x[-1], cuts_y[-1]
    safe = layout.safe_margin_mm
    gap, length = 1.5, 5.0
    marks: list[tuple[float, float, float, float]] = []  # mm from the top-left
    for cx in cuts_x:
        if not safe <= cx <= paper_w - safe:
            continue
        start, end = top - gap, max(top - gap - length, safe)
        if start - end >= 1.0:
            marks.append((cx, start, cx, end))
        start, end = bottom + gap, min(bottom + gap + length, paper_h - safe)
        if end - start >= 1.0:
            marks.append((cx, start, cx, end))
    for cy in cuts_y:
        if not safe <= cy <= paper_h - safe:
            continue
        start, end = left - gap, max(left - gap - length, safe)
        if start - end >= 1.0:
            marks.append((start, cy, end, cy))
        start, end = right + gap, min(right + gap + length, paper_w - safe)
        if end - start >= 1.0:
            marks.append((start, cy, end, cy))
    canvas.saveState()
    canvas.setStrokeColor("#000000")
    canvas.setLineWidth(0.25)
    for x1, y1, x2, y2 in marks:
        canvas.line(x1 * MM, (paper_h - y1) * MM, x2 * MM, (paper_h - y2) * MM)
    canvas.restoreState()


SHEET_NOTE_SIZE = 6.5
"""The sheet's own line (version, issue date, sheet n of m), in the paper's margin."""


def sheet_note_place(layout: Layout, offset_mm: tuple[float, float]) -> float | None:
    """Where the sheet's line goes: its baseline in mm from the paper's top, in the
    bottom (else top) margin, clear of the badges, the crop marks and the safe margin;
    None when neither margin has room (A6 inserts, cards cut from the sheet)."""
    paper_h = layout.paper_mm[1]
    first = layout.margin_mm[1] + offset_mm[1]
    last = first + (layout.rows - 1) * layout.pitch_mm[1] + layout.badge_mm[1]
    clear = 6.5 + 0.5 if layout.crop_marks else 1.0  # crop marks reach 6.5 mm out
    safe = max(layout.safe_margin_mm, 5.0)
    needed = 2.6  # 6.5 pt capitals and descenders, in mm
    below = (last + clear, paper_h - safe)
    above = (safe, first - clear)
    for low, high in (below, above):
        if high - low >= needed:
            return (low + high) / 2 + needed / 3
    return None


def draw_sheet_note(canvas: Canvas, layout: Layout, baseline_mm: float, text: str) -> None:
    """``text`` centred on the sheet at ``baseline_mm`` from the top, shortened to the
    width of the badges if it must be."""
    paper_w, paper_h = layout.paper_mm
    room = (paper_w - 2 * max(layout.safe_margin_mm, 5.0)) * MM
    if text_width(text, FONT, SHEET_NOTE_SIZE) > room and " · " in text:
        text = text.split(" · ", 1)[1]  # the title goes first; version and date stay
    canvas.saveState()
    canvas.setFont(FONT, SHEET_NOTE_SIZE)
    canvas.setFillColor(_colour(MUTED))
    canvas.drawCentredString(paper_w * MM / 2, (paper_h - baseline_mm) * MM, text)
    canvas.restoreState()


# --------------------------------------------------------------------------- calibration


CALIBRATION_STEPS = (
    "1. Print this page at 100 % (actual size): turn off “fit to page”, “shrink to fit” "
    "and any scaling in the print dialog.",
    "2. Check the scale with a real ruler: the ruler below must measure exactly 100 mm, "
    "the one on the right 50 mm.",
    "3. Hold the print against a blank sheet of the stock, in front of a light: each dashed "
    "outline should lie on a badge.",
    "4. If the outlines are shifted, measure by how much and enter it as the printer offset "
    "in mm (x: + moves right, y: + moves down), then print this page again.",
)


def draw_calibration(canvas: Canvas, layout: Layout, offset_mm: tuple[float, float]) -> None:
    """One page: dashed badge outlines, instructions, a 100 mm and a 50 mm ruler."""
    paper_h = layout.paper_mm[1]
    badge_w, badge_h = layout.badge_mm
    canvas.saveState()
    canvas.setStrokeColor(_colour("#555555"))
    canvas.setFillColor(_colour("#777777"))
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 2)
    canvas.setFont(FONT, 7)
    for number, (left, top) in enumerate(badge_positions(layout, offset_mm), 1):
        x, y = left * MM, (paper_h - top - badge_h) * MM
        canvas.rect(x, y, badge_w * MM, badge_h * MM, stroke=1, fill=0)
        where = f"badge {number}: left {round(left, 2):g} mm, top {round(top, 2):g} mm"
        canvas.drawCentredString(x + badge_w * MM / 2, y + badge_h * MM - 12, where)
    canvas.restoreState()
    if layout.crop_marks:
        draw_crop_marks(canvas, layout, offset_mm)
    _draw_instructions(canvas, layout, offset_mm)
    canvas.showPage()


def _draw_instructions(canvas: Canvas, layout: Layout, offset_mm: tuple[float, float]) -> None:
    """A white box in the middle of the page: the steps, then the rulers."""
    paper_w, paper_h = layout.paper_mm
    box_w = min(150.0, paper_w - 30)
    box_x = (paper_w - box_w) / 2
    paragraphs = _calibration_text(layout, offset_mm)
    text_w = box_w - 10 - 16  # the 50 mm ruler stands on the right
    heights = [p.wrap(text_w * MM, paper_h * MM)[1] / MM + 1 for p in paragraphs]
    box_h = max(sum(heights) + 24, 64.0)
    bottom = (paper_h - box_h) / 2
    canvas.saveState()
    canvas.setFillColor(_colour("#FFFFFF"))
    canvas.setStrokeColor(_colour("#000000"))
    canvas.setLineWidth(0.8)
    canvas.roundRect(box_x * MM, bottom * MM, box_w * MM, box_h * MM, 2 * MM, stroke=1, fill=1)
    top = bottom + box_h - 5
    for paragraph, height in zip(paragraphs, heights, strict=True):
        paragraph.drawOn(canvas, (box_x + 5) * MM, (top - height + 1) * MM)
        top -= height
    _ruler(canvas, (paper_w - 100) / 2 - 6, bottom + 9, 100, vertical=False)
    _ruler(canvas, box_x + box_w - 12, bottom + 9, 50, vertical=True)
    canvas.restoreState()


def _calibration_text(layout: Layout, offset_mm: tuple[float, float]) -> list[Paragraph]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    style = ParagraphStyle("steps", fontName=FONT, fontSize=8.5, leading=11)
    heading = ParagraphStyle("head", parent=style, fontName=FONT_BOLD, fontSize=11, leading=14)
    summary = (
        f"{layout.per_sheet} badges of {layout.badge_mm[0]:g} × {layout.badge_mm[1]:g} mm "
        f"on {layout.paper}; current printer offset "
        f"x {offset_mm[0]:+.1f} mm, y {offset_mm[1]:+.1f} mm."
    )
    return [
        Paragraph(f"Badge calibration: {_escape(layout.description)}", heading),
        Paragraph(_escape(summary), style),
        *(Paragraph(_escape(step), style) for step in CALIBRATION_STEPS),
    ]


def _ruler(canvas: Canvas, x_mm: float, y_mm: float, length: int, vertical: bool) -> None:
    """A ruler from (x, y) mm (from the bottom-left), a tick every millimetre."""
    canvas.setFillColor(_colour("#000000"))
    canvas.setStrokeColor(_colour("#000000"))
    canvas.setLineWidth(0.3)
    canvas.setFont(FONT, 6)
    x, y = x_mm * MM, y_mm * MM
    if vertical:
        canvas.rect(x, y, 0.3 * MM, length * MM, stroke=0, fill=1)
    else:
        canvas.rect(x, y, length * MM, 0.3 * MM, stroke=0, fill=1)
    for mm in range(length + 1):
        tick = (4.0 if mm % 10 == 0 else 2.5 if mm % 5 == 0 else 1.5) * MM
        if vertical:
            canvas.line(x, y + mm * MM, x - tick, y + mm * MM)
            if mm % 10 == 0:
                canvas.drawString(x + 1.2 * MM, y + mm * MM - 2, str(mm))
        else:
            canvas.line(x + mm * MM, y, x + mm * MM, y + tick)
            if mm % 10 == 0:
                canvas.drawCentredString(x + mm * MM, y - 3 * MM, str(mm))
    canvas.setFont(FONT_BOLD, 7)
    label = f"{length} mm"
    if vertical:
        canvas.drawString(x + 1.2 * MM, y + (length + 2.5) * MM, label)
    else:
        canvas.drawString(x + (length + 2.5) * MM, y - 1, label)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
