"""Programme PDF: one page per day in large type, for a wall or a coach.

Items that overlap in time are grouped into one time block labelled "In parallel",
with the items side by side and, under each, who goes there. A day with many
items is shrunk to keep to its one page.

Each page states the day's UTC offset; on the day the offset changes (summer time
ending, say) it says when and how: "Clocks go back one hour at 03:00 (UTC+2 → UTC+1)".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepInFrame,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from delegations.exports.common import (
    FONT_BOLD,
    clock_markup,
    clock_range,
    day_zone_label,
    format_day,
    offset_changes,
    report,
)
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
    table_style,
    text,
)
from delegations.model import AgendaItem, Delegation, ItemStatus, fold

TIME_COLUMN = 34 * mm
PARALLEL_COLUMNS = 2
CELL_PADDING = 4
SCALES = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6, 0.55, 0.5)


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


def export(delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the day-by-day programme of ``delegation`` to ``out``."""
    sheet = styles(scale=1.0)
    days = items_by_day(delegation)
    story: list[Flowable] = []
    width = frame_width(options)
    height = frame_height(options)
    for number, (day, items) in enumerate(days.items(), start=1):
        report(options, number - 1, len(days))
        story.append(fitted_day(delegation, day, items, sheet, (width, height)))
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


def fitted_day(
    delegation: Delegation,
    day: date,
    items: list[AgendaItem],
    sheet: Styles,
    frame: tuple[float, float],
) -> Flowable:
    """The day's page in the largest type that fits one page (then shrunk as a last resort)."""
    width, height = frame
    content: list[Flowable] = []
    for scale in SCALES:
        content = day_page(delegation, day, items, big(sheet, scale), sheet, width)
        if measure(content, width, height) <= height:
            break
    return KeepInFrame(width, height, content, mode="shrink")


def measure(content: list[Flowable], width: float, height: float) -> float:
    """The height ``content`` takes in a frame ``width`` wide."""
    total = 0.0
    for flowable in content:
        total += flowable.wrap(width, height)[1]
        total += flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def big(sheet: Styles, scale: float = 1.0) -> Styles:
    """The large styles of a wall programme."""

    def grow(name: str, size: float, **kw: Any) -> ParagraphStyle:
        kw.setdefault("spaceAfter", 2)
        kw["spaceAfter"] *= scale
        return ParagraphStyle(
            f"big-{name}",
            parent=sheet["body"],
            fontSize=size * scale,
            leading=size * scale * 1.22,
            **kw,
        )

    return {
        "day": grow("day", 30, fontName=FONT_BOLD, textColor=ACCENT, spaceAfter=4),
        "sub": grow("sub", 14, textColor=MUTED),
        "time": grow("time", 22, fontName=FONT_BOLD, spaceAfter=0),
        "until": grow("until", 12.5, textColor=MUTED, spaceAfter=6),
        "title": grow("title", 18, fontName=FONT_BOLD),
        "place": grow("place", 12.5),
        "note": grow("note", 11, textColor=MUTED),
        "flag": grow("flag", 11, fontName=FONT_BOLD, textColor=ACCENT),
        "ptitle": grow("ptitle", 14.5, fontName=FONT_BOLD),
        "pplace": grow("pplace", 11),
        "pwho": grow("pwho", 10.5),
    }


def day_page(
    delegation: Delegation,
    day: date,
    items: list[AgendaItem],
    large: Styles,
    sheet: Styles,
    width: float,
) -> list[Flowable]:
    """The heading and time blocks of one day, in the ``large`` styles."""
    zone = delegation.timezone
    kicker = " · ".join(p for p in (delegation.programme, delegation.destination_city) if p)
    story: list[Flowable] = [
        Paragraph(text(kicker.upper()), sheet["kicker"]),
        Paragraph(text(format_day(day)), large["day"]),
        Paragraph(text(delegation.title), large["sub"]),
        Paragraph(text(f"Times: {day_zone_label(zone, day)}"), sheet["muted"]),
    ]
    story += [Paragraph(text(c.note()), large["flag"]) for c in offset_changes(zone, day)]
    story += [
        Spacer(1, 3 * mm),
        HRFlowable(width="100%", thickness=1.5, color=ACCENT, spaceAfter=3 * mm),
    ]
    if not items:
        story.append(Paragraph("No programme items on this day.", large["place"]))
        return story
    rows = [block_row(b, delegation, large, width) for b in blocks(items)]
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), large["title"].fontSize * 0.4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), large["title"].fontSize * 0.5),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
    ]
    story.append(
        Table(
            rows,
            colWidths=[TIME_COLUMN, width - TIME_COLUMN],
            style=table_style(*commands, header=False),
        )
    )
    return story


def block_row(block: Block, delegation: Delegation, large: Styles, width: float) -> list[Flowable]:
    """The time cell and content cell of one block."""
    cancelled = not block.parallel and block.items[0].status == ItemStatus.CANCELLED
    time_cell = time_cells(block, delegation.timezone, large, cancelled)
    if not block.parallel:
        return [time_cell, single(block.items[0], delegation, large)]
    time_cell.append(Paragraph("IN PARALLEL", large["flag"]))
    inner = width - TIME_COLUMN - 2 * CELL_PADDING
    return [time_cell, parallel(block, delegation, large, inner)]


def time_cells(block: Block, zone: str, large: Styles, cancelled: bool) -> list[Flowable]:
    """Start time in large type, end time under it."""
    size = large["note"].fontSize
    start = clock_markup(block.starts_at, zone, size)
    end = f"to {clock_markup(block.ends_at, zone, size)}"
    if cancelled:
        start, end = f"<strike>{start}</strike>", f"<strike>{end}</strike>"
    return [Paragraph(start, large["time"]), Paragraph(end, large["until"])]


def place_line(item: AgendaItem) -> str:
    """Venue name and address as markup."""
    if item.venue is None:
        return ""
    place = f"<b>{text(item.venue.name)}</b>"
    return f"{place}, {text(item.venue.full_address)}" if item.venue.full_address else place


def single(item: AgendaItem, delegation: Delegation, large: Styles) -> list[Flowable]:
    """Title, venue and host of one item in large type."""
    title = text(item.title)
    if item.status == ItemStatus.CANCELLED:
        flag = f"<font color='{CANCELLED.hexval()}'>CANCELLED</font>"
        return [
            Paragraph(flag, large["flag"]),
            Paragraph(f"<strike>{title}</strike>", large["title"]),
        ]
    cells: list[Flowable] = [Paragraph(title, large["title"])]
    if item.venue is not None:
        cells.append(Paragraph(place_line(item), large["place"]))
    if item.host is not None:
        cells.append(Paragraph(f"Host: {text(item.host.display_name)}", large["note"]))
    if not item.everyone:
        cells.append(Paragraph(f"Who: {text(who(item, delegation))}", large["note"]))
    if item.status == ItemStatus.TENTATIVE:
        cells.append(Paragraph("To be confirmed", large["note"]))
    return cells


def parallel(block: Block, delegation: Delegation, large: Styles, width: float) -> Table:
    """The items of a parallel block side by side, each with its time, place and people."""
    count = min(len(block.items), PARALLEL_COLUMNS)
    column = width / count
    cells = [parallel_cell(i, block, delegation, large) for i in block.items]
    while len(cells) % count:
        cells.append([])
    rows = [cells[n : n + count] for n in range(0, len(cells), count)]
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, -1), FILL),
        ("LINEBEFORE", (1, 0), (-1, -1), 3, colors.white),
        ("LINEBELOW", (0, 0), (-1, -1), 3, colors.white),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
    ]
    return Table(rows, colWidths=[column] * count, style=table_style(*commands, header=False))


def parallel_cell(
    item: AgendaItem, block: Block, delegation: Delegation, large: Styles
) -> list[Flowable]:
    """One of several parallel items: own time if it differs, title, place, who goes."""
    cells: list[Flowable] = []
    if (item.starts_at, item.ends_at) != (block.starts_at, block.ends_at):
        when = clock_range(item.starts_at, item.ends_at, delegation.timezone)
        cells.append(Paragraph(when, large["flag"]))
    cells.append(Paragraph(text(item.title), large["ptitle"]))
    if item.venue is not None:
        cells.append(Paragraph(place_line(item), large["pplace"]))
    if item.host is not None:
        cells.append(Paragraph(f"Host: {text(item.host.display_name)}", large["pwho"]))
    names = "Everyone" if item.everyone else who(item, delegation)
    cells.append(Paragraph(f"<b>Who:</b> {text(names)}", large["pwho"]))
    return cells


def who(item: AgendaItem, delegation: Delegation) -> str:
    """The names of the people an item concerns, by family name."""
    attending = item.attendees(delegation.participations)
    ordered = sorted(attending, key=lambda p: fold(p.person.sort_name))
    return ", ".join(p.display_name for p in ordered) or "nobody yet"
