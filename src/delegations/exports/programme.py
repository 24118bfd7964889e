"""Programme PDF: one page per day in large type, for a wall or a coach.

Items that overlap in time are grouped into one time block labelled "In parallel",
with the items side by side and, under each, who goes there. Every item says where
(address, a map link and, for venues with coordinates, a small QR code to the map),
who hosts it and whom to ask for (with phone), what to wear and the wifi; a transfer
says its pick-up and drop-off, company, vehicle and driver's phone. Between items at
different venues a small line says how the group gets there.

Each day is laid out at one scale, chosen once: at full size when the day fits its
page; otherwise smaller, but never with body text under ``MIN_BODY`` points. A day
that still does not fit continues on the next page under its heading repeated
("Tuesday 5 October 2027 (continued)"); a parallel block continues with its time.

Each page states the day's UTC offset; on the day the offset changes (summer time
ending, say) it says when and how: "Clocks go back one hour at 03:00 (UTC+2 → UTC+1)".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    PageBreak,
    Paragraph,
    Spacer,
)

from delegations.exports.common import (
    FONT_BOLD,
    FONT_ITALIC,
    clock_markup,
    clock_range,
    day_zone_label,
    format_day,
    offset_changes,
    report,
)
from delegations.exports.consent import phone_of
from delegations.exports.options import ExportOptions
from delegations.exports.pdfdoc import (
    ACCENT,
    CANCELLED,
    FILL,
    MUTED,
    RULE,
    Styles,
    build_pdf,
    frame_height,
    frame_width,
    local_day,
    styles,
    text,
)
from delegations.exports.wayfinding import has_position, map_code, map_url, way_between
from delegations.model import AgendaItem, Delegation, ItemStatus, Venue, fold

TIME_COLUMN = 34 * mm
"""The time column at full size; it narrows with the type, to ``MIN_TIME_COLUMN``."""
MIN_TIME_COLUMN = 24 * mm
QR_SIDE = 20 * mm
"""A venue's map code at full size (quiet zone included); never under ``MIN_QR_SIDE``."""
MIN_QR_SIDE = 15 * mm
PARALLEL_COLUMNS = 2
GAP = 3.0
"""White space between parallel items."""
MIN_BODY = 8.0
"""No text of the programme body is smaller than this (points)."""
MIN_SCALE = 0.6
"""The smallest scale of the large styles; each style also has its own floor."""
UNIFORM_SCALE = 0.77
"""The smallest scale at which no style has reached its floor (8 / 10.5 ≈ 0.762)."""
CROWDED = 2.2
"""A day estimated at more than this many pages at full size goes straight to compact
type (at ``UNIFORM_SCALE`` it would take about 0.55 of that)."""
FIT_MARGIN = 0.97
"""A crowded day's scale is chosen to fill this share of the page, to be sure it fits."""
LOOKBACK = 24
"""How many earlier items are searched for where an item's people come from."""

SIZES: dict[str, tuple[float, float]] = {
    # style: (size at full scale, smallest size)
    "day": (30, 18),
    "continued": (20, 14),
    "sub": (14, 10),
    "time": (22, 13),
    "until": (12.5, 9),
    "title": (18, 11),
    "place": (12.5, 8.5),
    "note": (11, MIN_BODY),
    "flag": (11, MIN_BODY),
    "ptitle": (14.5, 10),
    "pplace": (11, MIN_BODY),
    "pwho": (10.5, MIN_BODY),
    "way": (10.5, MIN_BODY),
}


@dataclass
class Block:
    """Items shown in one row: a single item, or items that overlap in time."""

    items: list[AgendaItem]

    @property
    def starts_at(self) -> datetime:
        return min(i.starts_at for i in self.items)

    @property
    def ends_at(self) -> datetime:
        return max(i.ends_at for i in self.items)

    @property
    def parallel(self) -> bool:
        return len(self.items) > 1

    @property
    def cancelled(self) -> bool:
        return not self.parallel and self.items[0].status == ItemStatus.CANCELLED


@dataclass
class Visit:
    """What every day of one export shares, computed once per export.

    Attributes:
        delegation: the delegation.
        options: the export's options.
        who: for each item, the names of the people it concerns ("nobody yet").
        people: for each item, the attending participations it concerns (their ``id()``).
    """

    delegation: Delegation
    options: ExportOptions
    who: dict[AgendaItem, str]
    people: dict[AgendaItem, frozenset[int]]


@dataclass
class DayPlan:
    """The scale-independent plan of a day: its blocks and the ways between them.

    Attributes:
        before: way lines shown above a block (by block index), for single items.
        inside: way lines shown inside a parallel item's cell.
    """

    day: date
    blocks: list[Block]
    before: dict[int, list[str]] = field(default_factory=dict)
    inside: dict[AgendaItem, list[str]] = field(default_factory=dict)


def export(delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the day-by-day programme of ``delegation`` to ``out``."""
    sheet = styles(scale=1.0)
    visit = attendance(delegation, options)
    days = items_by_day(delegation)
    story: list[Flowable] = []
    frame = (frame_width(options), frame_height(options))
    for number, (day, items) in enumerate(days.items(), start=1):
        report(options, number - 1, len(days))
        story += day_story(visit, plan_day(visit, day, items), sheet, frame)
        if number < len(days):
            story.append(PageBreak())
    report(options, len(days), len(days))
    return build_pdf(
        out,
        story,
        options,
        title=f"Programme: {delegation.title}",
        subject="Programme, one page per day",
        footer_prefix=delegation.title,
        delegation=delegation,
    )


# --- data: days, blocks, who goes, how they get there ---------------------------------------


def items_by_day(delegation: Delegation) -> dict[date, list[AgendaItem]]:
    """Every day of the visit (and any day with an item), with its items in order."""
    zone = delegation.timezone
    days: dict[date, list[AgendaItem]] = {}
    day = delegation.start_date
    while day <= delegation.end_date:
        days[day] = []
        day += timedelta(days=1)
    for item in sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0)):
        days.setdefault(local_day(item.starts_at, zone), []).append(item)
    return dict(sorted(days.items()))


def blocks(items: list[AgendaItem]) -> list[Block]:
    """Group overlapping items; cancelled items stand alone and never make a block parallel."""
    live = [i for i in items if i.status != ItemStatus.CANCELLED]
    grouped: list[Block] = []
    for item in live:
        if grouped and item.starts_at < grouped[-1].ends_at:
            grouped[-1].items.append(item)
        else:
            grouped.append(Block([item]))
    grouped += [Block([i]) for i in items if i.status == ItemStatus.CANCELLED]
    return sorted(grouped, key=lambda b: (b.starts_at, b.ends_at))


def attendance(delegation: Delegation, options: ExportOptions) -> Visit:
    """Who each item concerns, for every item at once: the attending participations in
    family-name order, once (``AgendaItem.attendees`` would walk them for every item)."""
    attending = [p for p in delegation.participations if p.status.attending]
    attending.sort(key=lambda p: fold(p.person.sort_name))
    everyone_names = ", ".join(p.display_name for p in attending) or "nobody yet"
    everyone = frozenset(id(p) for p in attending)
    who: dict[AgendaItem, str] = {}
    people: dict[AgendaItem, frozenset[int]] = {}
    for item in delegation.items:
        if item.everyone:
            who[item], people[item] = everyone_names, everyone
            continue
        # As AgendaItem.concerns: a participant is matched by id.
        ids = {p.id for p in item.participants}
        chosen = [p for p in attending if p.id in ids]
        who[item] = ", ".join(p.display_name for p in chosen) or "nobody yet"
        people[item] = frozenset(id(p) for p in chosen)
    return Visit(delegation, options, who, people)


def plan_day(visit: Visit, day: date, items: list[AgendaItem]) -> DayPlan:
    """The day's blocks and how the group gets to each item from where its people were.

    An item's people come from the latest earlier items that concern them (a track of
    B2B meetings from the track's previous meeting, everyone after parallel meetings
    from each of them). A single item gets its way lines above it; a parallel item in
    its own cell. When they come from several places, each line says from where.
    """
    plan = DayPlan(day, blocks(items))
    transfers = [i for i in items if i.is_transfer and i.status != ItemStatus.CANCELLED]
    earlier: list[AgendaItem] = []
    for index, block in enumerate(plan.blocks):
        if block.cancelled:
            continue
        for item in block.items:
            lines = way_lines(visit, item, origins(visit, item, earlier), transfers)
            if not lines:
                continue
            if block.parallel:
                plan.inside[item] = lines
            else:
                plan.before[index] = lines
        earlier += block.items
    return plan


def origins(visit: Visit, item: AgendaItem, earlier: list[AgendaItem]) -> list[AgendaItem]:
    """The latest earlier items, newest first, that together concern ``item``'s people."""
    remaining = set(visit.people[item])
    if not remaining:
        return earlier[-1:]
    found: list[AgendaItem] = []
    for other in reversed(earlier[-LOOKBACK:]):
        shared = visit.people[other] & remaining
        if shared:
            found.append(other)
            remaining -= shared
            if not remaining:
                break
    return found


def way_lines(
    visit: Visit, item: AgendaItem, sources: list[AgendaItem], transfers: list[AgendaItem]
) -> list[str]:
    """``12 min on foot to …``; ``From Edifici Media-TIC: …`` when people come from
    several places."""
    places: list[Venue | None] = []
    found: list[tuple[Venue | None, str]] = []
    for source in sources:
        place = source.end_venue
        if all(place is not p for p in places):
            places.append(place)
        way = way_between(source, item, visit.options.ways, transfers)
        if way is None:
            continue
        # Printed just by the item's venue: "12 min on foot (0.9 km)", not "… to <venue>".
        said = way.text
        if item.venue is not None:
            said = said.replace(f" to {item.venue.name}", "").replace(f"to {item.venue.name}: ", "")
        if all(said != t for _, t in found):
            found.append((place, said))
    if len(places) > 1:
        return [f"From {place.name}: {way}" if place else way for place, way in found]
    return [way for _, way in found]


# --- styles -------------------------------------------------------------------------------


def big(sheet: Styles, scale: float = 1.0) -> Styles:
    """The large styles of a wall programme at ``scale``, each no smaller than its floor."""

    def grow(name: str, **kw: Any) -> ParagraphStyle:
        full, least = SIZES[name]
        size = max(full * scale, least)
        kw.setdefault("spaceAfter", 2)
        kw["spaceAfter"] *= min(1.0, size / full)
        return ParagraphStyle(
            f"big-{name}", parent=sheet["body"], fontSize=size, leading=size * 1.22, **kw
        )

    return {
        "day": grow("day", fontName=FONT_BOLD, textColor=ACCENT, spaceAfter=4),
        "continued": grow("continued", fontName=FONT_BOLD, textColor=ACCENT, spaceAfter=4),
        "sub": grow("sub", textColor=MUTED),
        "time": grow("time", fontName=FONT_BOLD, spaceAfter=0),
        "until": grow("until", textColor=MUTED, spaceAfter=6),
        "title": grow("title", fontName=FONT_BOLD),
        "place": grow("place"),
        "note": grow("note", textColor=MUTED),
        "flag": grow("flag", fontName=FONT_BOLD, textColor=ACCENT),
        "ptitle": grow("ptitle", fontName=FONT_BOLD),
        "pplace": grow("pplace"),
        "pwho": grow("pwho"),
        "way": grow("way", fontName=FONT_ITALIC, textColor=ACCENT, spaceAfter=1),
    }


# --- layout: rows laid out once, a day that flows over pages --------------------------------


@dataclass
class Cell:
    """A column of a row: flowables stacked from the top, on an optional fill."""

    x: float
    width: float
    content: list[Flowable]
    fill: colors.Color | None = None
    left: float = 0.0
    right: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    sizes: list[tuple[float, float]] = field(default_factory=list)


class Row(Flowable):
    """One indivisible line of a day (a time block, a row of parallel items, a way line).

    Its cells are wrapped once, on the first ``wrap``; later calls return the same size
    (the width of a day never changes), and ``draw`` places what was wrapped. Platypus
    tables lay out every cell again when drawing; this does not.
    """

    def __init__(
        self,
        cells: list[Cell],
        *,
        rule: bool = False,
        gap_below: float = 0.0,
        keep_with_next: bool = False,
        continued: Callable[[], Row] | None = None,
    ) -> None:
        super().__init__()
        self.cells = cells
        self.rule = rule
        self.gap_below = gap_below
        self.keep_with_next = keep_with_next
        self.continued = continued
        """Builds this row with its block's time repeated, for the top of a page."""
        self.size: tuple[float, float] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self.size is None:
            tallest = 0.0
            for cell in self.cells:
                inner = cell.width - cell.left - cell.right
                total = cell.top + cell.bottom
                for index, flowable in enumerate(cell.content):
                    size = flowable.wrap(inner, 1e6)
                    cell.sizes.append(size)
                    total += size[1] + flowable.getSpaceAfter()
                    if index:
                        total += flowable.getSpaceBefore()
                tallest = max(tallest, total)
            self.size = (available_width, tallest + self.gap_below)
        return self.size

    def draw(self) -> None:
        canvas = self.canv
        assert self.size is not None
        width, height = self.size
        for cell in self.cells:
            if cell.fill is not None:
                canvas.saveState()
                canvas.setFillColor(cell.fill)
                canvas.rect(cell.x, self.gap_below, cell.width, height - self.gap_below, 0, 1)
                canvas.restoreState()
            y = height - cell.top
            for index, (flowable, (_, tall)) in enumerate(
                zip(cell.content, cell.sizes, strict=True)
            ):
                if index:
                    y -= flowable.getSpaceBefore()
                y -= tall
                flowable.drawOn(canvas, cell.x + cell.left, y)
                y -= flowable.getSpaceAfter()
        if self.rule:
            canvas.saveState()
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.6)
            canvas.line(0, 0, width, 0)
            canvas.restoreState()


class DayFlow(Flowable):
    """The rows of a day; when they do not fit, they continue on the next page under
    the day's heading repeated. Each row is laid out once."""

    def __init__(self, rows: list[Row], continued: Callable[[], list[Flowable]]) -> None:
        super().__init__()
        self.rows = rows
        self.heading = continued
        self.heights: list[float] = []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.heights = [row.wrap(available_width, available_height)[1] for row in self.rows]
        self.width = available_width
        return available_width, sum(self.heights)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        used, fits = 0.0, 0
        while fits < len(self.rows) and used + self.heights[fits] <= available_height:
            used += self.heights[fits]
            fits += 1
        if fits == len(self.rows):
            return [self]
        while fits and self.rows[fits - 1].keep_with_next:
            fits -= 1
        if not fits:
            return []
        rest = list(self.rows[fits:])
        if rest[0].continued is not None:
            rest[0] = rest[0].continued()
        return [
            DayFlow(self.rows[:fits], self.heading),
            PageBreak(),
            *self.heading(),
            DayFlow(rest, self.heading),
        ]

    def draw(self) -> None:
        y = sum(self.heights)
        for row, height in zip(self.rows, self.heights, strict=True):
            y -= height
            row.drawOn(self.canv, 0, y)


@dataclass
class Laid:
    """A day laid out at one scale: its heading and rows, how tall they are and the
    room the page leaves them; ``complete`` is False when laying out stopped early."""

    heading: list[Flowable]
    rows: list[Row]
    used: float
    room: float
    large: Styles
    complete: bool = True

    @property
    def fits(self) -> bool:
        return self.complete and self.used <= self.room

    def story(self, day: date) -> list[Flowable]:
        return [*self.heading, DayFlow(self.rows, continuation(day, self.large))]


def lay_out(
    visit: Visit,
    plan: DayPlan,
    sheet: Styles,
    scale: float,
    frame: tuple[float, float],
    *,
    stop_over: bool = False,
) -> tuple[Laid, float]:
    """The day's heading and rows at ``scale``, each laid out once; with ``stop_over``
    it stops at the first row that overflows the page. Also returns the share of the
    day's text laid out (1.0 when complete)."""
    width, height = frame
    large = big(sheet, scale)
    heading = day_heading(visit, plan.day, large, sheet)
    laid = Laid(heading, [], 0.0, height - sum(_height(f, width, height) for f in heading), large)
    total = sum(weight for _, weight in day_weights(visit, plan)) or 1.0
    done = 0.0
    for row, weight in day_rows(visit, plan, large, width):
        laid.rows.append(row)
        laid.used += row.wrap(width, height)[1]
        done += weight
        if stop_over and laid.used > laid.room:
            laid.complete = False
            return laid, done / total
    return laid, 1.0


def day_story(
    visit: Visit, plan: DayPlan, sheet: Styles, frame: tuple[float, float]
) -> list[Flowable]:
    """The day's heading and rows: at full size when they fit the page, else at the
    largest scale found to fit, else compact and flowing on to continuation pages.

    The scale is chosen without trying scales one after the other; each layout is kept
    or dropped whole:

    1. the rows are laid out at full size until they overflow the page (a day that fits
       is done);
    2. a day estimated at more than ``CROWDED`` pages at full size is laid out once in
       compact type (``MIN_SCALE``: titles smaller, body text at ``MIN_BODY``) and
       flows over as many pages as it needs;
    3. otherwise it is laid out at ``UNIFORM_SCALE`` (the smallest scale at which every
       style still shrinks in proportion); when that fits, heights grow as a power of
       the scale, so the measured and estimated heights give the scale that fills the
       page, and the day is laid out at it if that is larger; when it does not fit,
       the compact layout is used.
    """
    if not plan.blocks:
        large = big(sheet, 1.0)
        return [
            *day_heading(visit, plan.day, large, sheet),
            Paragraph("No programme items on this day.", large["place"]),
        ]
    full, share = lay_out(visit, plan, sheet, 1.0, frame, stop_over=True)
    if full.fits:
        return full.story(plan.day)
    full_height = full.used / max(share, 0.05)
    if full_height > CROWDED * full.room:
        return lay_out(visit, plan, sheet, MIN_SCALE, frame)[0].story(plan.day)
    reduced, _ = lay_out(visit, plan, sheet, UNIFORM_SCALE, frame)
    if not reduced.fits:
        return lay_out(visit, plan, sheet, MIN_SCALE, frame)[0].story(plan.day)
    grown = max(full_height, reduced.used * 1.01) / reduced.used
    power = max(1.0, math.log(grown) / -math.log(UNIFORM_SCALE))
    target = full.room * FIT_MARGIN  # the room under the largest heading
    scale = math.floor(UNIFORM_SCALE * (target / reduced.used) ** (1 / power) * 100) / 100
    if scale <= UNIFORM_SCALE + 0.02:
        return reduced.story(plan.day)
    chosen, _ = lay_out(visit, plan, sheet, min(scale, 1.0), frame)
    return (chosen if chosen.fits else reduced).story(plan.day)


def _height(flowable: Flowable, width: float, height: float) -> float:
    return float(
        flowable.wrap(width, height)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    )


def day_heading(visit: Visit, day: date, large: Styles, sheet: Styles) -> list[Flowable]:
    """Programme and city, the day, the visit, the zone, the dress code, clock changes."""
    delegation = visit.delegation
    zone = delegation.timezone
    kicker = " · ".join(p for p in (delegation.programme, delegation.destination_city) if p)
    story: list[Flowable] = [
        Paragraph(text(kicker.upper()), sheet["kicker"]),
        Paragraph(text(format_day(day)), large["day"]),
        Paragraph(text(delegation.title), large["sub"]),
        Paragraph(text(f"Times: {day_zone_label(zone, day)}"), sheet["muted"]),
    ]
    if delegation.dress_code:
        dress = f"<b>Dress code:</b> {text(delegation.dress_code)} (unless an item says otherwise)"
        story.append(Paragraph(dress, sheet["muted"]))
    story += [Paragraph(text(c.note()), large["flag"]) for c in offset_changes(zone, day)]
    story += [
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=1.5, color=ACCENT, spaceAfter=2 * mm),
    ]
    return story


def continuation(day: date, large: Styles) -> Callable[[], list[Flowable]]:
    """The heading of a day's next page: ``Tuesday 5 October 2027 (continued)``."""

    def heading() -> list[Flowable]:
        return [
            Paragraph(f"{text(format_day(day))} (continued)", large["continued"]),
            HRFlowable(width="100%", thickness=1, color=ACCENT, spaceAfter=2 * mm),
        ]

    return heading


def day_weights(visit: Visit, plan: DayPlan) -> Iterator[tuple[None, float]]:
    """How much text each row of ``day_rows`` holds, without making it (for estimates)."""
    for index, block in enumerate(plan.blocks):
        if index in plan.before:
            yield None, 20.0 * len(plan.before[index])
        if not block.parallel:
            yield None, _weight(visit, plan, block.items[0])
            continue
        for first in range(0, len(block.items), PARALLEL_COLUMNS):
            pair = block.items[first : first + PARALLEL_COLUMNS]
            yield None, max(_weight(visit, plan, i) for i in pair) * 0.6


def _weight(visit: Visit, plan: DayPlan, item: AgendaItem) -> float:
    weight = 160.0 + len(item.title) + 20 * len(plan.inside.get(item, ()))
    if not item.everyone:
        weight += len(visit.who[item])
    return weight


def day_rows(
    visit: Visit, plan: DayPlan, large: Styles, width: float
) -> Iterator[tuple[Row, float]]:
    """The rows of a day in ``large`` type, each with its weight (see ``day_weights``)."""
    weights = (weight for _, weight in day_weights(visit, plan))
    scale = large["time"].fontSize / SIZES["time"][0]
    time_width = max(MIN_TIME_COLUMN, TIME_COLUMN * scale)
    side = max(MIN_QR_SIDE, QR_SIDE * scale)
    for index, block in enumerate(plan.blocks):
        if index in plan.before:
            lines = [Paragraph(f"→ {text(line)}", large["way"]) for line in plan.before[index]]
            cell = Cell(time_width, width - time_width, lines, top=3, bottom=2)
            yield Row([cell], keep_with_next=True), next(weights)
        if not block.parallel:
            yield single_row(visit, block, large, width, time_width, side), next(weights)
            continue
        pairs = [
            block.items[n : n + PARALLEL_COLUMNS]
            for n in range(0, len(block.items), PARALLEL_COLUMNS)
        ]
        for number, pair in enumerate(pairs):
            last = number == len(pairs) - 1
            yield (
                parallel_row(
                    visit, plan, block, pair, large, (width, time_width, side), number, last
                ),
                next(weights),
            )


def _padding(large: Styles) -> tuple[float, float]:
    return large["title"].fontSize * 0.4, large["title"].fontSize * 0.5


def time_cell(visit: Visit, block: Block, large: Styles, width: float, *, label: str = "") -> Cell:
    """Start time in large type, end time under it, then ``label`` (``IN PARALLEL``)."""
    zone = visit.delegation.timezone
    size = large["note"].fontSize
    start = clock_markup(block.starts_at, zone, size)
    end = f"to {clock_markup(block.ends_at, zone, size)}"
    if block.cancelled:
        start, end = f"<strike>{start}</strike>", f"<strike>{end}</strike>"
    content: list[Flowable] = [Paragraph(start, large["time"]), Paragraph(end, large["until"])]
    if label:
        content.append(Paragraph(label, large["flag"]))
    top, bottom = _padding(large)
    return Cell(0, width, content, right=4, top=top, bottom=bottom)


def single_row(
    visit: Visit, block: Block, large: Styles, width: float, time_width: float, side: float
) -> Row:
    """Time, the item in large type, and its venue's map code at the right."""
    item = block.items[0]
    top, bottom = _padding(large)
    venue = item.venue
    coded = venue is not None and has_position(venue) and item.status != ItemStatus.CANCELLED
    text_width = width - time_width - (side + 6 if coded else 0)
    content = single(visit, item, large)
    cells = [
        time_cell(visit, block, large, time_width),
        Cell(time_width, text_width, content, left=4, right=4, top=top, bottom=bottom),
    ]
    if coded:
        assert venue is not None
        code = map_code(venue, side)
        cells.append(Cell(width - side, side, [code], top=top, bottom=bottom))
    return Row(cells, rule=True)


def parallel_row(
    visit: Visit,
    plan: DayPlan,
    block: Block,
    pair: list[AgendaItem],
    large: Styles,
    widths: tuple[float, float, float],
    number: int,
    last: bool,
    *,
    repeat: bool = False,
) -> Row:
    """A row of up to ``PARALLEL_COLUMNS`` parallel items side by side, on a light fill,
    each with its venue's map code at its right. The first row of a block (or one
    that starts a page, ``repeat``) has the block's time."""
    width, time_width, side = widths
    if number == 0:
        times = time_cell(visit, block, large, time_width, label="IN PARALLEL")
    elif repeat:
        times = time_cell(visit, block, large, time_width, label="IN PARALLEL (continued)")
    else:
        times = Cell(0, time_width, [])
    cells = [times]
    column = (width - time_width) / PARALLEL_COLUMNS
    small = max(MIN_QR_SIDE, side * 0.8)
    for place, item in enumerate(pair):
        x = time_width + place * column + (GAP if place else 0)
        room = column - (GAP if place else 0)
        venue = item.venue
        coded = venue is not None and has_position(venue)
        content = parallel_cell(visit, plan, item, block, large)
        text_width = room - (small + 4 if coded else 0)
        cells.append(Cell(x, text_width, content, FILL, left=6, right=4, top=5, bottom=7))
        if coded:
            assert venue is not None
            code = [map_code(venue, small)]
            cells.append(Cell(x + text_width, room - text_width, code, FILL, right=4, top=5))
    continued = None
    if number and not repeat:

        def continued() -> Row:
            return parallel_row(visit, plan, block, pair, large, widths, number, last, repeat=True)

    return Row(cells, rule=last, gap_below=0 if last else GAP, continued=continued)


# --- what an item says ----------------------------------------------------------------------


def link(venue: Venue) -> str:
    """A clickable ``map ↗`` to the venue on OpenStreetMap."""
    url = escape(map_url(venue), {'"': "&quot;"})
    return f'<a href="{url}" color="{ACCENT.hexval()}"><u>map&nbsp;↗</u></a>'


def place_markup(venue: Venue, label: str = "") -> str:
    """``Pick-up: <b>Hotel</b>, Carrer de la Princesa, 35, … · map ↗``."""
    place = f"<b>{text(venue.name)}</b>"
    if venue.full_address:
        place += f", {text(venue.full_address)}"
    return f"{label}{place} ·&nbsp;{link(venue)}"


def where(item: AgendaItem, place: ParagraphStyle, note: ParagraphStyle) -> list[Flowable]:
    """Venue with address, map link and access notes; for a transfer its pick-up and
    drop-off, company, vehicle and driver's phone."""
    cells: list[Flowable] = []
    pickup, dropoff = item.venue, item.dropoff_venue
    if item.is_transfer:
        if pickup is not None:
            cells.append(Paragraph(place_markup(pickup, "Pick-up: "), place))
            if pickup.access_notes:
                cells.append(Paragraph(text(pickup.access_notes), note))
        if dropoff is not None:
            cells.append(Paragraph(place_markup(dropoff, "Drop-off: "), place))
        driver = f"Driver: {item.driver_phone}" if item.driver_phone else ""
        ride = " · ".join(p for p in (item.transport_company, item.vehicle, driver) if p)
        if ride:
            cells.append(Paragraph(text(ride), place))
        return cells
    if pickup is not None:
        cells.append(Paragraph(place_markup(pickup), place))
        if pickup.access_notes:
            cells.append(Paragraph(text(pickup.access_notes), note))
    return cells


def details(item: AgendaItem, delegation: Delegation) -> list[str]:
    """Host and contacts with phones, dress code (when the item's differs), wifi."""
    lines: list[str] = []
    contacts = ", ".join(
        text(f"{c.full_name} ({phone_of(c)})" if phone_of(c) else c.full_name)
        for c in item.host_contacts
    )
    host = f"<b>Host:</b> {text(item.host.display_name)}" if item.host is not None else ""
    if contacts:
        host = f"{host} · <b>Contact:</b> {contacts}" if host else f"<b>Contact:</b> {contacts}"
    if host:
        lines.append(host)
    if item.dress_code and item.dress_code != delegation.dress_code:
        lines.append(f"<b>Dress code:</b> {text(item.dress_code)}")
    if item.wifi:
        lines.append(f"<b>Wi-Fi:</b> {text(item.wifi)}")
    return lines


def single(visit: Visit, item: AgendaItem, large: Styles) -> list[Flowable]:
    """Title, where, host, who, dress code and wifi of one item in large type."""
    title = text(item.title)
    if item.status == ItemStatus.CANCELLED:
        flag = f"<font color='{CANCELLED.hexval()}'>CANCELLED</font>"
        return [
            Paragraph(flag, large["flag"]),
            Paragraph(f"<strike>{title}</strike>", large["title"]),
        ]
    cells: list[Flowable] = [Paragraph(title, large["title"])]
    cells += where(item, large["place"], large["note"])
    cells += [Paragraph(line, large["note"]) for line in details(item, visit.delegation)]
    if not item.everyone:
        cells.append(Paragraph(f"<b>Who:</b> {text(visit.who[item])}", large["note"]))
    if item.status == ItemStatus.TENTATIVE:
        cells.append(Paragraph("To be confirmed", large["note"]))
    return cells


def parallel_cell(
    visit: Visit, plan: DayPlan, item: AgendaItem, block: Block, large: Styles
) -> list[Flowable]:
    """One of several parallel items: own time if it differs, title, where and how to get
    there, host, who goes."""
    cells: list[Flowable] = []
    if (item.starts_at, item.ends_at) != (block.starts_at, block.ends_at):
        when = clock_range(item.starts_at, item.ends_at, visit.delegation.timezone)
        cells.append(Paragraph(when, large["flag"]))
    cells.append(Paragraph(text(item.title), large["ptitle"]))
    cells += where(item, large["pplace"], large["pwho"])
    cells += [Paragraph(f"→ {text(line)}", large["way"]) for line in plan.inside.get(item, ())]
    cells += [Paragraph(line, large["pwho"]) for line in details(item, visit.delegation)]
    names = "Everyone" if item.everyone else visit.who[item]
    cells.append(Paragraph(f"<b>Who:</b> {text(names)}", large["pwho"]))
    if item.status == ItemStatus.TENTATIVE:
        cells.append(Paragraph("To be confirmed", large["pwho"]))
    return cells
