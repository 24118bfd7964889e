"""Attendance (signature) sheets, as EU-funded programmes require as proof.

One sheet per agenda item (``options.per == "item"``: every item that is not
cancelled, or only ``options.item_id``) or one per day (``options.per == "day"``).
Each sheet has the programme's logo and name, the activity, date, time and place,
then the attendees sorted by family name with an empty signature column and tall
rows, and blank rows for walk-ins. A sheet that runs over a page repeats its
table header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from delegations.exports.common import FONT, format_day, local, report, zone_label
from delegations.exports.options import ExportError, ExportOptions
from delegations.exports.pdfdoc import (
    ACCENT,
    RULE,
    Styles,
    build_pdf,
    frame_width,
    local_day,
    styles,
    table_style,
    text,
    time_range,
)
from delegations.model import AgendaItem, Delegation, ItemStatus, Participation, fold

WALK_IN_ROWS = 5
ROW_PADDING = 7.5
LOGO_BOX = (40 * mm, 20 * mm)
WALK_IN = colors.HexColor("#F7F9FB")


@dataclass(frozen=True)
class Sheet:
    """What one signature sheet is about and who is expected to sign it."""

    activity: str
    day: date
    starts_at: datetime
    ends_at: datetime
    place: str
    attendees: list[Participation]


def export(delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the attendance sheets of ``delegation`` to ``out``."""
    sheet_styles = styles()
    logo = load_logo(options.logo)
    sheets = day_sheets(delegation) if options.per == "day" else item_sheets(delegation, options)
    if not sheets:
        raise ExportError(f"'{delegation.title}' has no agenda items to make attendance sheets for")
    story: list[Flowable] = []
    for number, sheet in enumerate(sheets):
        report(options, number, len(sheets))
        if number:
            story.append(PageBreak())
        story += sheet_flowables(delegation, sheet, logo, sheet_styles, options)
    report(options, len(sheets), len(sheets))
    return build_pdf(
        out,
        story,
        options,
        title=f"Attendance sheets: {delegation.title}",
        subject="Attendance sheets",
        margin=15 * mm,
        footer_prefix=f"Attendance sheets · {delegation.title}",
        delegation=delegation,
    )


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


def place_of(item: AgendaItem) -> str:
    """Venue name and address of ``item``."""
    if item.venue is None:
        return ""
    return ", ".join(p for p in (item.venue.name, item.venue.full_address) if p)


def item_sheets(delegation: Delegation, options: ExportOptions) -> list[Sheet]:
    """One sheet per item that is not cancelled, or one for ``options.item_id``."""
    items = sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))
    if options.item_id is not None:
        items = [i for i in items if i.id == options.item_id]
        if not items:
            raise ExportError(
                f"agenda item #{options.item_id} is not in the delegation '{delegation.title}'"
            )
    else:
        items = [i for i in items if i.status != ItemStatus.CANCELLED]
    zone = delegation.timezone
    return [
        Sheet(
            activity=item.title,
            day=local_day(item.starts_at, zone),
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            place=place_of(item),
            attendees=by_family_name(item.attendees(delegation.participations)),
        )
        for item in items
    ]


def day_sheets(delegation: Delegation) -> list[Sheet]:
    """One sheet per day: everyone attending any item of that day, every place."""
    zone = delegation.timezone
    days: dict[date, list[AgendaItem]] = {}
    for item in sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0)):
        if item.status != ItemStatus.CANCELLED:
            days.setdefault(local_day(item.starts_at, zone), []).append(item)
    sheets = []
    for day, items in sorted(days.items()):
        people: dict[int, Participation] = {}
        for item in items:
            for participation in item.attendees(delegation.participations):
                people.setdefault(id(participation), participation)
        places = list(dict.fromkeys(place_of(i) for i in items if i.venue is not None))
        sheets.append(
            Sheet(
                activity=f"{delegation.title}: programme of the day",
                day=day,
                starts_at=min(i.starts_at for i in items),
                ends_at=max(i.ends_at for i in items),
                place="; ".join(places),
                attendees=by_family_name(list(people.values())),
            )
        )
    return sheets


def sheet_flowables(
    delegation: Delegation,
    sheet: Sheet,
    logo: Path | None,
    sheet_styles: Styles,
    options: ExportOptions,
) -> list[Flowable]:
    """Header, details and the signature table of one sheet."""
    width = frame_width(options, 15 * mm)
    note = (
        "By signing, attendees confirm their presence. These personal data are kept only "
        "as proof of attendance for the funding programme."
    )
    return [
        header(delegation, logo, sheet_styles, width),
        HRFlowable(
            width="100%", thickness=1.2, color=ACCENT, spaceBefore=2 * mm, spaceAfter=3 * mm
        ),
        details(delegation, sheet, sheet_styles, width),
        Spacer(1, 2 * mm),
        Paragraph(text(note), sheet_styles["muted"]),
        Spacer(1, 3 * mm),
        signature_table(sheet, sheet_styles, width),
    ]


def header(delegation: Delegation, logo: Path | None, sheet_styles: Styles, width: float) -> Table:
    """Logo on the left, programme name and sheet title beside it."""
    titles = [Paragraph("Attendance sheet", sheet_styles["title"])]
    if delegation.sending_organisation is not None:
        organiser = f"Organised by {delegation.sending_organisation.display_name}"
        titles.append(Paragraph(text(organiser), sheet_styles["muted"]))
    if logo is None:
        return Table(
            [[titles]], colWidths=[width], style=table_style(*_bare(), header=False, rules=False)
        )
    image = Image(str(logo), kind="proportional", width=LOGO_BOX[0], height=LOGO_BOX[1])
    image.hAlign = "LEFT"
    logo_column = LOGO_BOX[0] + 6 * mm
    return Table(
        [[image, titles]],
        colWidths=[logo_column, width - logo_column],
        style=table_style(
            *_bare(), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), header=False, rules=False
        ),
    )


def _bare() -> list[tuple[object, ...]]:
    """Table commands for a layout table: no rules, no padding at the edges."""
    return [
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]


def details(delegation: Delegation, sheet: Sheet, sheet_styles: Styles, width: float) -> Table:
    """Programme, activity, date, time and place as a label/value grid."""
    zone = delegation.timezone
    span = time_range(sheet.starts_at, sheet.ends_at, zone)
    when = f"{span} · {zone_label(zone, sheet.starts_at)}"
    rows = [
        ("Programme", delegation.programme or "—"),
        ("Activity", sheet.activity),
        ("Date", format_day(local(sheet.starts_at, zone).date())),
        ("Time", when),
        ("Place", sheet.place or "—"),
    ]
    label, value = sheet_styles["head"], sheet_styles["body"]
    cells = [[Paragraph(text(k), label), Paragraph(text(v), value)] for k, v in rows]
    return Table(
        cells,
        colWidths=[26 * mm, width - 26 * mm],
        style=table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TOPPADDING", (0, 0), (0, -1), 4),
            header=False,
        ),
    )


def signature_table(sheet: Sheet, sheet_styles: Styles, width: float) -> Table:
    """Name, organisation, country, e-mail, signature; tall rows, blank walk-in rows."""
    fixed = [9 * mm, 38 * mm, 33 * mm, 17 * mm, 42 * mm]
    signature = width - sum(fixed)
    widths = [*fixed, signature]
    cell, bold, head = sheet_styles["cell"], sheet_styles["cell_bold"], sheet_styles["head"]
    rows: list[list[object]] = [
        [
            Paragraph(h, head)
            for h in ("No.", "Name", "Organisation", "Country", "E-mail", "Signature")
        ]
    ]
    for number, participation in enumerate(sheet.attendees, start=1):
        person = participation.person
        organisation = person.organisation
        rows.append(
            [
                Paragraph(str(number), cell),
                Paragraph(text(person.sort_name), bold),
                Paragraph(text(organisation.display_name if organisation else ""), cell),
                Paragraph(text(organisation.country if organisation else ""), cell),
                Paragraph(email_markup(person.email, widths[4] - 8, cell.fontSize), cell),
                "",
            ]
        )
    first_blank = len(rows)
    for number in range(len(sheet.attendees) + 1, len(sheet.attendees) + WALK_IN_ROWS + 1):
        rows.append([Paragraph(str(number), cell), "", "", "", "", ""])
    return Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        style=table_style(
            ("TOPPADDING", (0, 1), (-1, -1), ROW_PADDING),
            ("BOTTOMPADDING", (0, 1), (-1, -1), ROW_PADDING),
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
            ("BACKGROUND", (1, first_blank), (-2, -1), WALK_IN),
        ),
    )


def email_markup(email: str, width: float, size: float) -> str:
    """``email`` as markup, broken after the ``@`` when it is too wide for one line."""
    if stringWidth(email, FONT, size) <= width or "@" not in email:
        return text(email)
    local_part, domain = email.split("@", 1)
    return f"{text(local_part)}@<br/>{text(domain)}"
