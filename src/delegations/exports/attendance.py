"""Attendance (signature) sheets, as EU-funded programmes require as proof.

One sheet per agenda item (``options.per == "item"``: every item that is not
cancelled, or only ``options.item_id``) or one per day (``options.per == "day"``,
with a signature column for the morning and one for the afternoon where the day
has items in them). A sheet lists the attendees expected (confirmed ones; with
``options.include_unconfirmed`` invited ones too, marked), sorted by family name,
with tall rows to sign in, blank rows for walk-ins and a block where the organiser
certifies the sheet (ERDF and Interreg auditors ask for it).

Sheets are laid out page by page here rather than left to the table splitter, so
that every page of a sheet starts with its heading (activity, date, time; "continued"
after the first) and the table header, and the walk-in rows fill the last page
instead of spilling onto a page of their own. Rows have a fixed height and plain
text cells, worked out once per attendee: 120 sheets take well under a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, Spacer, Table, TableStyle

from delegations.exports.common import (
    FONT,
    FONT_BOLD,
    format_day,
    local,
    report,
    zone_label,
)
from delegations.exports.consent import email_of
from delegations.exports.options import ExportError, ExportOptions
from delegations.exports.pdfdoc import (
    ACCENT,
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
    time_range,
)
from delegations.model import AgendaItem, Delegation, ItemStatus, Participation, fold

MARGIN = 15 * mm
WALK_IN_ROWS = 3
"""At least this many blank rows for walk-ins; the last page's free space adds more."""
ROW_HEIGHT = 10 * mm
"""Room to sign in; also two lines of name or organisation."""
HEADER_HEIGHT = 8 * mm
SIZE = 8.0
LEADING = 9.5
LOGO_BOX = (40 * mm, 18 * mm)
WALK_IN = colors.HexColor("#F7F9FB")
NOT_EXPECTED = colors.HexColor("#F0F2F5")
SLACK = 2.0
"""Points kept free at the foot of every page, against rounding."""
INVITED = "invited – not confirmed"
MARK = "#B42318"
NOON = time(13, 0)
"""Items that start before this (local time) are in the morning of a day sheet."""
NOTE = (
    "By signing, attendees confirm their presence. These personal data are kept only "
    "as proof of attendance for the funding programme."
)


@dataclass(frozen=True)
class Half:
    """A signature column: the whole item, or the morning or afternoon of a day."""

    label: str
    span: str = ""
    expected: frozenset[int] | None = None
    """Ids of the participations expected then (None: everyone on the sheet)."""


@dataclass(frozen=True)
class Sheet:
    """What one signature sheet is about and who is expected to sign it."""

    activity: str
    day: date
    starts_at: datetime
    ends_at: datetime
    place: str
    attendees: list[Participation]
    halves: tuple[Half, ...] = (Half("Signature"),)
    whole_day: bool = False


@dataclass
class Layout:
    """What every sheet of one export shares: styles, column widths, cached cells."""

    delegation: Delegation
    options: ExportOptions
    logo: Path | None
    styles: Styles
    width: float
    height: float
    cells: dict[tuple[int, tuple[int, ...]], list[Any]] = field(default_factory=dict)
    shared: tuple[Flowable, Flowable, float] | None = None
    """The header and the privacy note, the same on every sheet (made and measured once;
    a table without Paragraphs draws again as it is), and their height with spaces."""


def export(delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the attendance sheets of ``delegation`` to ``out``."""
    logo = load_logo(options.logo)
    sheets = (
        day_sheets(delegation, options)
        if options.per == "day"
        else item_sheets(delegation, options)
    )
    if not sheets:
        raise ExportError(f"'{delegation.title}' has no agenda items to make attendance sheets for")
    layout = Layout(
        delegation,
        options,
        logo,
        sheet_styles(),
        frame_width(options, MARGIN),
        frame_height(options, MARGIN) - SLACK,
    )
    story: list[Flowable] = []
    for number, sheet in enumerate(sheets):
        report(options, number, len(sheets))
        if number:
            story.append(PageBreak())
        story += sheet_flowables(layout, sheet)
    report(options, len(sheets), len(sheets))
    return build_pdf(
        out,
        story,
        options,
        title=f"Attendance sheets: {delegation.title}",
        subject="Attendance sheets",
        margin=MARGIN,
        footer_prefix=f"Attendance sheets · {delegation.title}",
        delegation=delegation,
    )


def sheet_styles() -> Styles:
    """The shared styles plus the few the sheets use."""
    from reportlab.lib.styles import ParagraphStyle

    sheet = styles()
    sheet["note"] = ParagraphStyle("note", parent=sheet["muted"], fontSize=7.5, leading=9.5)
    sheet["continued"] = ParagraphStyle(
        "continued", parent=sheet["body"], fontName=FONT_BOLD, fontSize=10, leading=13
    )
    sheet["name"] = ParagraphStyle(
        "name", parent=sheet["cell"], fontSize=SIZE, leading=8.5, fontName=FONT
    )
    sheet["name_small"] = ParagraphStyle(
        "name_small", parent=sheet["name"], fontSize=6.8, leading=7.8
    )
    sheet["name_tiny"] = ParagraphStyle(
        "name_tiny", parent=sheet["name"], fontSize=5.8, leading=6.4
    )
    sheet["sheet_title"] = ParagraphStyle(
        "sheet_title", parent=sheet["title"], fontSize=19, leading=23, spaceAfter=2
    )
    return sheet


def load_logo(path: Path | None) -> Path | None:
    """``path`` if it is a readable image; ExportError naming the file otherwise."""
    if path is None:
        return None
    try:
        ImageReader(str(path)).getSize()
    except Exception as error:
        raise ExportError(f"cannot read the logo image '{path}': {error}") from error
    return Path(path)


def by_family_name(participations: list[Participation]) -> list[Participation]:
    """Participations sorted by family then given name, case-insensitively."""
    return sorted(
        participations,
        key=lambda p: (fold(p.person.family_name), fold(p.person.given_name), p.person.family_name),
    )


def expected(participation: Participation, options: ExportOptions) -> bool:
    """Confirmed attendees; with ``include_unconfirmed`` invited ones too."""
    return participation.confirmed or (
        options.include_unconfirmed and participation.status.attending
    )


def attendees_of(
    item: AgendaItem, delegation: Delegation, options: ExportOptions
) -> list[Participation]:
    """Who is expected at ``item``, in the delegation's order."""
    return [p for p in item.attendees(delegation.participations) if expected(p, options)]


def place_of(item: AgendaItem) -> str:
    """Venue name and address of ``item``; a transfer's pick-up and drop-off."""
    if item.venue is None:
        return ""
    where = ", ".join(p for p in (item.venue.name, item.venue.full_address) if p)
    if item.is_transfer and item.dropoff_venue is not None:
        return f"{where} → {item.dropoff_venue.name}"
    return where


def live(delegation: Delegation) -> list[AgendaItem]:
    """The items that are not cancelled, in time order."""
    items = sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))
    return [i for i in items if i.status != ItemStatus.CANCELLED]


def item_sheets(delegation: Delegation, options: ExportOptions) -> list[Sheet]:
    """One sheet per item that is not cancelled, or one for ``options.item_id``."""
    if options.item_id is not None:
        items = [i for i in delegation.items if i.id == options.item_id]
        if not items:
            raise ExportError(
                f"agenda item #{options.item_id} is not in the delegation '{delegation.title}'"
            )
    else:
        items = live(delegation)
    zone = delegation.timezone
    return [
        Sheet(
            activity=item.title,
            day=local_day(item.starts_at, zone),
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            place=place_of(item),
            attendees=by_family_name(attendees_of(item, delegation, options)),
        )
        for item in items
    ]


def day_sheets(delegation: Delegation, options: ExportOptions) -> list[Sheet]:
    """One sheet per day: everyone expected at any item of that day, a signature
    column for each half of the day that has items."""
    zone = delegation.timezone
    days: dict[date, list[AgendaItem]] = {}
    for item in live(delegation):
        days.setdefault(local_day(item.starts_at, zone), []).append(item)
    sheets = []
    for day, items in sorted(days.items()):
        people: dict[int, Participation] = {}
        halves: list[Half] = []
        for label, in_half in (
            ("Morning", [i for i in items if local(i.starts_at, zone).time() < NOON]),
            ("Afternoon", [i for i in items if local(i.starts_at, zone).time() >= NOON]),
        ):
            if not in_half:
                continue
            ids: set[int] = set()
            for item in in_half:
                for participation in attendees_of(item, delegation, options):
                    people.setdefault(id(participation), participation)
                    ids.add(id(participation))
            span = time_range(
                min(i.starts_at for i in in_half), max(i.ends_at for i in in_half), zone
            )
            halves.append(Half(label, span, frozenset(ids)))
        sheets.append(
            Sheet(
                activity=f"{delegation.title}: programme of the day",
                day=day,
                starts_at=min(i.starts_at for i in items),
                ends_at=max(i.ends_at for i in items),
                place=day_places(items),
                attendees=by_family_name(list(people.values())),
                halves=tuple(halves),
                whole_day=True,
            )
        )
    return sheets


def day_places(items: list[AgendaItem]) -> str:
    """The day's places: with addresses when there are one or two, else names only."""
    venues = list({id(i.venue): i.venue for i in items if i.venue is not None}.values())
    if len(venues) <= 2:
        return "; ".join(", ".join(p for p in (v.name, v.full_address) if p) for v in venues)
    names = [v.name for v in venues]
    if len(names) > 6:
        return f"{', '.join(names[:6])} and {len(names) - 6} other places (see the programme)"
    return ", ".join(names)


# --- page layout ---------------------------------------------------------------------------


def sheet_flowables(layout: Layout, sheet: Sheet) -> list[Flowable]:
    """The pages of one sheet, each starting with its heading and the table header."""
    widths = column_widths(layout, sheet)
    first, first_height = first_heading(layout, sheet)
    certificate = certificate_block(layout, sheet)
    later_height = stack_height(continued_heading(layout, sheet, 2, 2), layout.width)
    certificate_height = stack_height(certificate, layout.width)

    def rows_fitting(used: float) -> int:
        return max(0, math.floor((layout.height - used - HEADER_HEIGHT) / ROW_HEIGHT))

    # Attendees and blank walk-in rows on each page; the last page also holds the
    # certificate, and its free room goes to walk-in rows (at least WALK_IN_ROWS).
    pages: list[tuple[int, int]] = []
    left = len(sheet.attendees)
    while True:
        used = first_height if not pages else later_height
        room = rows_fitting(used)
        room_last = rows_fitting(used + certificate_height)
        if left + WALK_IN_ROWS <= room_last or (room == 0 and pages):
            pages.append((left, max(room_last - left, WALK_IN_ROWS if room_last >= left else 0)))
            break
        taken = min(left, max(room, 1))
        # The attendees end here but the certificate must go over: blank rows fill the page.
        pages.append((taken, room - taken if taken == left else 0))
        left -= taken
    story: list[Flowable] = []
    start = number = 0
    for index, (count, walk_ins) in enumerate(pages):
        if index:
            story.append(PageBreak())
            story += continued_heading(layout, sheet, index + 1, len(pages))
        else:
            story += first
        people = sheet.attendees[start : start + count]
        story.append(signature_table(layout, sheet, widths, people, number, walk_ins))
        start += count
        number += count + walk_ins
    story += certificate
    return story


def stack_height(flowables: list[Flowable], width: float) -> float:
    """The height ``flowables`` take in a frame, spaces included."""
    total = 0.0
    for flowable in flowables:
        _, height = flowable.wrap(width, 10_000)
        total += flowable.getSpaceBefore() + height + flowable.getSpaceAfter()
    return total


def first_heading(layout: Layout, sheet: Sheet) -> tuple[list[Flowable], float]:
    """Logo, title, organiser; programme, activity, date, time, place; the privacy note;
    and the height they take."""
    if layout.shared is None:
        top, note = header(layout), privacy_note(layout)
        height = stack_height([top, note], layout.width) + 5.5 * mm
        layout.shared = (top, note, height)
    top, note, height = layout.shared
    facts = details(layout, sheet)
    heading = [top, Spacer(1, 2 * mm), facts, Spacer(1, 1.5 * mm), note, Spacer(1, 2 * mm)]
    return heading, height + stack_height([facts], layout.width)


def privacy_note(layout: Layout) -> Table:
    """Why the personal data are collected, in small grey type."""
    style = layout.styles["note"]
    return Table(
        [[wrapped(NOTE, layout.width - 1, FONT, style.fontSize, 3)]],
        colWidths=[layout.width],
        style=table_style(
            *_bare(),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("FONT", (0, 0), (-1, -1), FONT, style.fontSize, style.leading),
            ("TEXTCOLOR", (0, 0), (-1, -1), MUTED),
            header=False,
            rules=False,
        ),
    )


def continued_heading(layout: Layout, sheet: Sheet, page: int, pages: int) -> list[Flowable]:
    """The heading of a sheet's later pages: activity, date and time, "continued"."""
    zone = layout.delegation.timezone
    when = f"{format_day(sheet.day)} · {time_range(sheet.starts_at, sheet.ends_at, zone)}"
    line = f"Attendance sheet (continued, page {page} of {pages}) · {when}"
    style = layout.styles["continued"]
    activity: Any = sheet.activity
    if stringWidth(activity, style.fontName, style.fontSize) > layout.width - 8:
        activity = Paragraph(text(activity), style)
    cells: list[list[Any]] = [[line], [activity]]
    return [
        Table(
            cells,
            colWidths=[layout.width],
            style=table_style(
                *_bare(),
                ("LINEBELOW", (0, -1), (-1, -1), 1.2, ACCENT),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 4),
                ("TEXTCOLOR", (0, 0), (0, 0), MUTED),
                ("LEADING", (0, 0), (0, 0), 11.5),
                ("FONTNAME", (0, 1), (0, 1), FONT_BOLD),
                ("FONTSIZE", (0, 1), (0, 1), style.fontSize),
                ("LEADING", (0, 1), (0, 1), style.leading),
                header=False,
                rules=False,
            ),
        ),
        Spacer(1, 3 * mm),
    ]


def header(layout: Layout) -> Table:
    """Logo on the left, title and organiser beside it, a rule below (plain strings:
    the same on every sheet, drawn fast)."""
    delegation = layout.delegation
    title_size = layout.styles["sheet_title"].fontSize
    rows: list[list[Any]] = [["Attendance sheet"]]
    if delegation.sending_organisation is not None:
        organiser = f"Organised by {delegation.sending_organisation.display_name}"
        rows.append([lines(organiser, layout.width - LOGO_BOX[0] - 8 * mm, FONT, 2, 8.5)])
    commands: list[tuple[Any, ...]] = [
        *_bare(),
        ("LINEBELOW", (0, -1), (-1, -1), 1.2, ACCENT),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
        ("FONTNAME", (-1, 0), (-1, 0), FONT_BOLD),
        ("FONTSIZE", (-1, 0), (-1, 0), title_size),
        ("LEADING", (-1, 0), (-1, 0), title_size * 1.2),
        ("BOTTOMPADDING", (-1, 0), (-1, 0), 3),
        ("TEXTCOLOR", (-1, 1), (-1, -1), MUTED),
        ("LEADING", (-1, 1), (-1, -1), 11),
    ]
    if layout.logo is None:
        return Table(
            rows,
            colWidths=[layout.width],
            style=table_style(*commands, header=False, rules=False),
        )
    image = Image(str(layout.logo), kind="proportional", width=LOGO_BOX[0], height=LOGO_BOX[1])
    image.hAlign = "LEFT"
    logo_column = LOGO_BOX[0] + 6 * mm
    rows = [[image if index == 0 else "", *row] for index, row in enumerate(rows)]
    return Table(
        rows,
        colWidths=[logo_column, layout.width - logo_column],
        style=table_style(
            *commands,
            ("SPAN", (0, 0), (0, -1)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            header=False,
            rules=False,
        ),
    )


def _bare() -> list[tuple[object, ...]]:
    """Table commands for a layout table: no padding at the edges."""
    return [
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]


@cache
def _zone_label(zone: str, day: date) -> str:
    """``Europe/Madrid (CEST, UTC+02:00)`` at noon on ``day``."""
    return zone_label(zone, datetime.combine(day, time(12), tzinfo=ZoneInfo(zone)))


def details(layout: Layout, sheet: Sheet) -> Table:
    """Programme, activity, date, time and place as a label/value grid."""
    delegation = layout.delegation
    zone = delegation.timezone
    span = time_range(sheet.starts_at, sheet.ends_at, zone)
    rows = [
        ("Programme", delegation.programme or "—"),
        ("Activity", sheet.activity),
        ("Date", format_day(sheet.day)),
        ("Time", f"{span} · {_zone_label(zone, sheet.day)}"),
        ("Place" + ("s" if sheet.whole_day and ";" in sheet.place else ""), sheet.place or "—"),
    ]
    room = layout.width - 24 * mm - 8
    cells: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = []
    for line, (key, value) in enumerate(rows):
        # Plain strings, wrapped here: they draw in a fraction of a Paragraph's time.
        style = layout.styles["item_title" if key == "Activity" else "body"]
        cells.append([key, wrapped(value, room, style.fontName, style.fontSize, 4)])
        commands += [
            ("FONTNAME", (1, line), (1, line), style.fontName),
            ("FONTSIZE", (1, line), (1, line), style.fontSize),
            ("LEADING", (1, line), (1, line), style.leading),
        ]
    return Table(
        cells,
        colWidths=[24 * mm, layout.width - 24 * mm],
        style=table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TOPPADDING", (0, 0), (0, -1), 3),
            ("FONTNAME", (0, 0), (0, -1), FONT_BOLD),
            ("FONTSIZE", (0, 0), (0, -1), 8),
            ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
            *commands,
            header=False,
        ),
    )


# --- the signature table -------------------------------------------------------------------


COLUMNS = (8 * mm, 48 * mm, 44 * mm, 19 * mm)
"""No., name, organisation, country."""
EMAIL_COLUMNS = (8 * mm, 40 * mm, 34 * mm, 19 * mm, 44 * mm)
"""No., name, organisation, country, e-mail."""
FIXED = (0, 3)
"""Columns that never narrow: the number and the country."""
SIGNATURE_MIN = 30 * mm
"""Each signature column of a day sheet."""
SIGNATURE_ONE = 34 * mm
"""The signature column of an item sheet, at the least."""


def column_widths(layout: Layout, sheet: Sheet) -> list[float]:
    """No., name, organisation, country, [e-mail], then the signature columns sharing the
    rest; name, organisation and e-mail narrow so that every signature column keeps room
    to sign."""
    text_columns = list(EMAIL_COLUMNS if layout.options.email_column else COLUMNS)
    halves = len(sheet.halves)
    signatures = SIGNATURE_ONE if halves == 1 else SIGNATURE_MIN * halves
    spare = layout.width - sum(text_columns)
    if spare < signatures:
        flexible = sum(w for i, w in enumerate(text_columns) if i not in FIXED)
        scale = (flexible - (signatures - spare)) / flexible
        text_columns = [w if i in FIXED else w * scale for i, w in enumerate(text_columns)]
    signature = (layout.width - sum(text_columns)) / halves
    return [*text_columns, *([signature] * halves)]


def signature_table(
    layout: Layout,
    sheet: Sheet,
    widths: list[float],
    people: list[Participation],
    first_number: int,
    walk_ins: int,
) -> Table:
    """The header and ``people`` numbered from ``first_number + 1``, then ``walk_ins``
    numbered blank rows; fixed row heights, so the page is known to hold it."""
    head: list[Any] = ["No.", "Name", "Organisation", "Country"]
    if layout.options.email_column:
        head.append("E-mail")
    text_count = len(head)
    for half in sheet.halves:
        head.append(f"{half.label}\n{half.span}" if half.span else half.label)
    rows: list[list[Any]] = [head]
    commands: list[tuple[Any, ...]] = []
    for offset, participation in enumerate(people):
        row = [str(first_number + offset + 1), *person_cells(layout, participation, widths)]
        for column, half in enumerate(sheet.halves, start=text_count):
            if half.expected is None or id(participation) in half.expected:
                row.append("")
            else:
                row.append("not expected")
                line = len(rows)
                commands += [
                    ("BACKGROUND", (column, line), (column, line), NOT_EXPECTED),
                    ("TEXTCOLOR", (column, line), (column, line), MUTED),
                    ("ALIGN", (column, line), (column, line), "CENTER"),
                ]
        rows.append(row)
    first_blank = len(rows)
    number = first_number + len(people)
    for extra in range(walk_ins):
        rows.append([str(number + extra + 1), *([""] * (len(head) - 1))])
    if walk_ins:
        commands.append(("BACKGROUND", (1, first_blank), (text_count - 1, -1), WALK_IN))
    return Table(
        rows,
        colWidths=widths,
        rowHeights=[HEADER_HEIGHT, *([ROW_HEIGHT] * (len(rows) - 1))],
        style=signature_style(len(sheet.halves) > 1, commands),
    )


@cache
def _base_commands(two_lines: bool) -> tuple[tuple[Any, ...], ...]:
    """The style commands every signature table shares (few: each is applied cell by
    cell when a table is made)."""
    head_size, head_leading = (7.5, 9.0) if two_lines else (SIZE, LEADING)
    return (
        ("FONT", (0, 0), (-1, -1), FONT, SIZE, LEADING),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (1, 1), (1, -1), 1),
        ("BOTTOMPADDING", (1, 1), (1, -1), 1),
        ("FONT", (1, 1), (1, -1), FONT_BOLD, SIZE, LEADING),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, head_size, head_leading),
        ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
        ("BACKGROUND", (0, 0), (-1, 0), FILL),
        ("FONT", (0, 1), (0, -1), FONT, 7.5, LEADING),
        ("TEXTCOLOR", (0, 1), (0, -1), MUTED),
        ("ALIGN", (0, 0), (0, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
    )


def signature_style(two_lines: bool, extra: list[tuple[Any, ...]]) -> TableStyle:
    return TableStyle([*_base_commands(two_lines), *extra])


def person_cells(layout: Layout, participation: Participation, widths: list[float]) -> list[Any]:
    """Name, organisation, country and (optionally) e-mail: fitted once per attendee."""
    key = (id(participation), tuple(round(w) for w in widths[1:5]))
    cached = layout.cells.get(key)
    if cached is not None:
        return cached
    person = participation.person
    organisation = person.organisation
    room = [w - 6 for w in widths]
    name_cell = name_of(layout, participation, room[1])
    cells: list[Any] = [
        name_cell,
        organisation_text(organisation, room[2]) if organisation is not None else "",
        lines(organisation.country if organisation is not None else "", room[3], FONT, 2),
    ]
    if layout.options.email_column:
        cells.append(email_cell(layout, email_of(person), room[4]))
    layout.cells[key] = cells
    return cells


def name_of(layout: Layout, participation: Participation, width: float) -> Any:
    """The attendee's name in bold, never cut: in smaller type when two lines are not
    enough; an invited attendee's is marked "invited – not confirmed"."""
    name = participation.person.sort_name
    invited = not participation.confirmed
    if fits(name, width, FONT_BOLD, 2):
        if not invited:
            return lines(name, width, FONT_BOLD, 2)
        style, fitted = layout.styles["name"], lines(name, width, FONT_BOLD, 2)
    else:
        # Smaller type, more lines: the row holds 3 lines of 7.8 pt or 4 of 6.4 pt, one of
        # them the mark of an invited attendee.
        style = layout.styles["name_small"]
        most = 2 if invited else 3
        if not fits(name, width, FONT_BOLD, most, style.fontSize):
            style = layout.styles["name_tiny"]
            most += 1
        fitted = lines(name, width, FONT_BOLD, most, style.fontSize)
    markup = f"<b>{text(fitted)}</b>"
    if invited:
        size = min(7.0, math.floor(9 * width / stringWidth(INVITED, FONT, 1)) / 10)
        markup += f"<br/><font size='{size:g}' color='{MARK}'>{INVITED}</font>"
    return Paragraph(markup, style)


def organisation_text(organisation: Any, width: float) -> str:
    """The organisation's full name when it fits two lines, else its short name."""
    short = organisation.short_name or ""
    for candidate in (organisation.display_name, short, organisation.acronym or ""):
        if candidate and fits(candidate, width, FONT, 2):
            return lines(candidate, width, FONT, 2)
    return lines(short or organisation.display_name, width, FONT, 2)


def fits(value: str, width: float, font: str, most: int, size: float = SIZE) -> bool:
    """Whether ``value`` wraps into at most ``most`` lines of ``width`` without cutting."""
    return "…" not in lines(value, width, font, most, size) or "…" in value


def lines(value: str, width: float, font: str, most: int, size: float = SIZE) -> str:
    """``value`` wrapped at spaces into at most ``most`` lines of ``width`` in type ``size``,
    the last one cut with an ellipsis when it is too long; a word wider than the column
    is broken."""
    words = value.split()
    out: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}" if current else word
        if stringWidth(trial, font, size) <= width:
            current = trial
            continue
        if current:
            out.append(current)
        current = word
        while stringWidth(current, font, size) > width and len(out) < most:
            cut = len(current)
            while cut > 1 and stringWidth(current[:cut], font, size) > width:
                cut -= 1
            out.append(current[:cut])
            current = current[cut:]
    if current:
        out.append(current)
    if len(out) > most:
        kept = out[: most - 1]
        rest = " ".join(out[most - 1 :])
        while rest and stringWidth(rest + "…", font, size) > width:
            rest = rest[:-1]
        out = [*kept, rest.rstrip(" ,;–-") + "…"]
    return "\n".join(out)


def wrapped(value: str, width: float, font: str, size: float, most: int) -> str:
    """``value`` wrapped into lines of ``width``, keeping its own line breaks; at most
    ``most`` lines for each of them."""
    return "\n".join(lines(part, width, font, most, size) for part in value.split("\n"))


def email_cell(layout: Layout, email: str, width: float) -> Any:
    """``email`` whole: on one line, or broken after the ``@``, or in smaller type broken
    after ``@`` and dots (never cut: it may be how the funder checks the attendee)."""
    if stringWidth(email, FONT, SIZE) <= width or not email:
        return email
    local_part, at, domain = email.partition("@")
    parts = [local_part + at, domain] if at else [email]
    if all(stringWidth(p, FONT, SIZE) <= width for p in parts):
        return "\n".join(parts)
    style = layout.styles["name_small"]
    return Paragraph(
        "<br/>".join(text(line) for line in hard_wrap(email, width, style.fontSize)),
        style,
    )


def hard_wrap(value: str, width: float, size: float) -> list[str]:
    """``value`` (no spaces) in lines of ``width``, broken after ``@`` or a dot where one
    is near, else anywhere."""
    out: list[str] = []
    rest = value
    while rest:
        cut = len(rest)
        while cut > 1 and stringWidth(rest[:cut], FONT, size) > width:
            cut -= 1
        if cut < len(rest):
            soft = max(rest.rfind("@", 0, cut), rest.rfind(".", 0, cut))
            if soft >= cut // 2:
                cut = soft + 1
        out.append(rest[:cut])
        rest = rest[cut:]
    return out


# --- the organiser's certificate -----------------------------------------------------------


def certificate_block(layout: Layout, sheet: Sheet) -> list[Flowable]:
    """The organiser certifies the sheet: name, statement, date, signature and stamp."""
    delegation = layout.delegation
    officer = delegation.lead_officer
    organisation = delegation.sending_organisation or (
        officer.organisation if officer is not None else None
    )
    who = [officer.full_name] if officer is not None else []
    if organisation is not None:
        who.append(organisation.display_name)
    what = (
        f"the activities of {format_day(sheet.day)} of “{delegation.title}”"
        if sheet.whole_day
        else f"“{sheet.activity}” on {format_day(sheet.day)}"
    )
    statement = (
        f"I certify that the persons listed on this sheet attended {what}, as their "
        "signatures show."
    )
    quarter = layout.width / 4
    rows: list[list[Any]] = [
        ["Certified by the organiser", "", "", ""],
        [wrapped(statement, layout.width - 8, FONT, 8.5, 3), "", "", ""],
        ["Name of the organiser", "Date", "Signature", "Stamp"],
        ["\n".join(lines(part, quarter * 1.3 - 8, FONT, 2, 8.5) for part in who), "", "", ""],
    ]
    return [
        Spacer(1, 3 * mm),
        Table(
            rows,
            colWidths=[quarter * 1.3, quarter * 0.7, quarter, quarter],
            rowHeights=[None, None, None, 16 * mm],
            style=table_style(
                ("SPAN", (0, 0), (-1, 0)),
                ("SPAN", (0, 1), (-1, 1)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                ("FONTSIZE", (0, 0), (-1, 0), 9.5),
                ("LEADING", (0, 1), (-1, 1), 11),
                ("FONTNAME", (0, 2), (-1, 2), FONT_BOLD),
                ("FONTSIZE", (0, 2), (-1, 2), 8),
                ("TEXTCOLOR", (0, 2), (-1, 2), MUTED),
                ("TOPPADDING", (0, 0), (-1, 0), 4),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 1),
                ("TOPPADDING", (0, 1), (-1, 1), 0),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 5),
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("GRID", (0, 3), (-1, 3), 0.5, RULE),
                ("LINEABOVE", (0, 2), (-1, 2), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, 1), FILL),
                header=False,
                rules=False,
            ),
        ),
    ]
