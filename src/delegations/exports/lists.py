"""Logistics lists for hotels, caterers and coaches, as PDF or CSV.

* ``rooming``: per hotel, who stays, check-in, check-out, nights, room notes;
* ``dietary``: people with dietary or accessibility needs and the meals they attend,
  then per meal the number of guests and their needs;
* ``passengers``: per transfer, who is on board, with organisation and phone.

Only attending participations appear. CSV files are UTF-8 with a BOM (so Excel
reads the accents) and every cell that a spreadsheet could take for a formula is
neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, PageBreak, Paragraph, Spacer

from delegations.exports.common import format_time, local, report, zone_label
from delegations.exports.kinds import LIST_KINDS
from delegations.exports.options import ExportError, ExportOptions
from delegations.exports.pdfdoc import (
    ACCENT,
    Styles,
    build_pdf,
    data_table,
    frame_width,
    short_day,
    styles,
    text,
    time_range,
)
from delegations.files import atomic_write
from delegations.model import (
    AgendaItem,
    Delegation,
    ItemKind,
    ItemStatus,
    Participation,
    count_of,
    fold,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TITLES = {
    "rooming": "Rooming list",
    "dietary": "Dietary and accessibility list",
    "passengers": "Passenger list",
}
Row = Sequence[str]


@dataclass
class Section:
    """A titled table: one hotel, one transfer, one meal, or the whole list."""

    title: str
    lines: list[str]
    header: list[str]
    widths: list[float]
    rows: list[Row]
    summary: str = ""
    centred: tuple[int, ...] = ()


@dataclass
class Listing:
    """A list ready to print or to write as CSV."""

    sections: list[Section]
    csv_header: list[str]
    csv_rows: list[Row]
    empty: str
    note: str = ""
    page_per_section: bool = True


def export(kind: str, delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the ``kind`` list of ``delegation`` to ``out`` as PDF or CSV."""
    builders: dict[str, Callable[[Delegation], Listing]] = {
        "rooming": rooming,
        "dietary": dietary,
        "passengers": passengers,
    }
    if kind not in builders:
        raise ExportError(f"unknown list '{kind}'; choose one of {', '.join(LIST_KINDS)}")
    if options.list_format not in ("pdf", "csv"):
        raise ExportError(f"unknown list format '{options.list_format}'; choose pdf or csv")
    listing = builders[kind](delegation)
    if options.list_format == "csv":
        return write_csv(out, listing, options)
    return write_pdf(kind, delegation, out, listing, options)


def attending(delegation: Delegation) -> list[Participation]:
    """The attending participations, by family then given name."""
    people = [p for p in delegation.participations if p.status.attending]
    return sorted(people, key=lambda p: (fold(p.person.family_name), fold(p.person.given_name)))


def organisation_of(participation: Participation) -> str:
    """The display name of the person's organisation, or empty."""
    organisation = participation.person.organisation
    return organisation.display_name if organisation is not None else ""


def live_items(delegation: Delegation, kind: ItemKind) -> list[AgendaItem]:
    """The items of ``kind`` that are not cancelled, in time order."""
    items = [i for i in delegation.items if i.kind == kind and i.status != ItemStatus.CANCELLED]
    return sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))


def when(item: AgendaItem, zone: str) -> str:
    """``Thu 3 Jun 2027 13:00–14:15``."""
    day = short_day(local(item.starts_at, zone).date())
    return f"{day} {time_range(item.starts_at, item.ends_at, zone)}"


def place(item: AgendaItem) -> str:
    """Venue name and address, or empty."""
    if item.venue is None:
        return ""
    return ", ".join(p for p in (item.venue.name, item.venue.full_address) if p)


def hotel_day(day: date | None) -> str:
    """``Wed 2 Jun``: the visit's year is in the list's title block."""
    return f"{day:%a} {day.day} {day:%b}" if day is not None else ""


def nights_of(participation: Participation) -> int | None:
    """Nights between check-in and check-out, when both are known."""
    if participation.check_in is None or participation.check_out is None:
        return None
    return (participation.check_out - participation.check_in).days


ROOMING_HEADER = ["No.", "Name", "Organisation", "Check-in", "Check-out", "Nights", "Room notes"]
ROOMING_WIDTHS = [10 * mm, 38 * mm, 34 * mm, 21 * mm, 21 * mm, 14 * mm, 0]


def rooming(delegation: Delegation) -> Listing:
    """Per hotel: guests, check-in, check-out, nights and room notes."""
    hotels: dict[str, list[Participation]] = {}
    for participation in attending(delegation):
        if participation.hotel.strip():
            hotels.setdefault(participation.hotel.strip(), []).append(participation)
    sections: list[Section] = []
    csv_rows: list[Row] = []
    for hotel, guests in sorted(hotels.items(), key=lambda h: h[0].casefold()):
        rows: list[Row] = []
        for number, guest in enumerate(guests, start=1):
            nights = nights_of(guest)
            rows.append(
                [
                    str(number),
                    guest.person.sort_name,
                    organisation_of(guest),
                    hotel_day(guest.check_in),
                    hotel_day(guest.check_out),
                    "" if nights is None else str(nights),
                    guest.room_notes,
                ]
            )
            csv_rows.append(
                [
                    hotel,
                    guest.hotel_address,
                    guest.person.family_name,
                    guest.person.given_name,
                    organisation_of(guest),
                    guest.check_in.isoformat() if guest.check_in else "",
                    guest.check_out.isoformat() if guest.check_out else "",
                    "" if nights is None else str(nights),
                    guest.room_notes,
                ]
            )
        address = next((g.hotel_address for g in guests if g.hotel_address), "")
        room_nights = sum(nights_of(g) or 0 for g in guests)
        summary = f"{count_of(len(guests), 'guest')} · {count_of(room_nights, 'room-night')}"
        sections.append(
            Section(
                hotel, [address] if address else [], ROOMING_HEADER, ROOMING_WIDTHS, rows, summary
            )
        )
    return Listing(
        sections=sections,
        csv_header=[
            "Hotel",
            "Hotel address",
            "Family name",
            "Given name",
            "Organisation",
            "Check-in",
            "Check-out",
            "Nights",
            "Room notes",
        ],
        csv_rows=csv_rows,
        empty="No attendee has a hotel recorded.",
    )


def needs_of(participation: Participation) -> tuple[str, str]:
    """The person's dietary and accessibility needs, stripped."""
    person = participation.person
    return person.dietary_needs.strip(), person.accessibility_needs.strip()


def dietary(delegation: Delegation) -> Listing:
    """People with dietary or accessibility needs and their meals, then each meal's guests."""
    zone = delegation.timezone
    meals = live_items(delegation, ItemKind.MEAL)
    everyone = attending(delegation)
    people = [p for p in everyone if any(needs_of(p))]
    rows: list[Row] = []
    csv_rows: list[Row] = []
    for number, participation in enumerate(people, start=1):
        person = participation.person
        diet, access = needs_of(participation)
        attended = [meal_label(m, zone) for m in meals if m.concerns(participation)]
        rows.append(
            [
                str(number),
                person.sort_name,
                diet,
                access,
                "\n".join(f"• {meal}" for meal in attended) or "none",
            ]
        )
        csv_rows.append(
            [
                person.family_name,
                person.given_name,
                organisation_of(participation),
                diet,
                access,
                "; ".join(attended),
            ]
        )
    header = ["No.", "Name", "Dietary needs", "Accessibility needs", "Meals"]
    widths = [10 * mm, 38 * mm, 32 * mm, 36 * mm, 0]
    summary = f"{len(people)} of {count_of(len(everyone), 'attendee')} have needs recorded"
    sections = [Section("Attendees with needs", [], header, widths, rows, summary)] if rows else []
    sections += [meal_section(m, everyone, zone) for m in meals]
    return Listing(
        sections=sections,
        csv_header=[
            "Family name",
            "Given name",
            "Organisation",
            "Dietary needs",
            "Accessibility needs",
            "Meals",
        ],
        csv_rows=csv_rows,
        empty="No attendee has dietary or accessibility needs recorded, and there are no meals.",
        note="Health-related personal data: share only with the caterer and the venue, "
        "and destroy this list after the visit.",
        page_per_section=False,
    )


def meal_label(meal: AgendaItem, zone: str) -> str:
    """``Lunch, Thu 3 Jun 13:00``."""
    start = local(meal.starts_at, zone)
    return f"{meal.title}, {start:%a} {start.day} {start:%b} {format_time(start)}"


def meal_section(meal: AgendaItem, everyone: list[Participation], zone: str) -> Section:
    """One meal: when, where, how many guests, and the needs of those who have some."""
    guests = [p for p in everyone if meal.concerns(p)]
    rows: list[Row] = [[p.person.sort_name, *needs_of(p)] for p in guests if any(needs_of(p))]
    if not rows:
        rows = [["No special needs among the guests", "", ""]]
    lines = [when(meal, zone), place(meal)]
    summary = f"{count_of(len(guests), 'guest')} in total"
    return Section(
        f"Meal: {meal.title}",
        [line for line in lines if line],
        ["Guest", "Dietary needs", "Accessibility needs"],
        [50 * mm, 60 * mm, 0],
        rows,
        summary,
    )


def passengers(delegation: Delegation) -> Listing:
    """Per transfer: who is on board, with organisation and phone."""
    zone = delegation.timezone
    everyone = attending(delegation)
    sections: list[Section] = []
    csv_rows: list[Row] = []
    for transfer in live_items(delegation, ItemKind.TRANSFER):
        aboard = [p for p in everyone if transfer.concerns(p)]
        rows: list[Row] = []
        for number, participation in enumerate(aboard, start=1):
            person = participation.person
            rows.append(
                [str(number), person.sort_name, organisation_of(participation), person.phone, "☐"]
            )
            start = local(transfer.starts_at, zone)
            csv_rows.append(
                [
                    transfer.title,
                    start.date().isoformat(),
                    format_time(start),
                    place(transfer),
                    person.family_name,
                    person.given_name,
                    organisation_of(participation),
                    person.phone,
                ]
            )
        lines = [f"{when(transfer, zone)} · {zone_label(zone, transfer.starts_at)}"]
        if place(transfer):
            lines.append(f"Pick-up: {place(transfer)}")
        sections.append(
            Section(
                transfer.title,
                lines,
                ["No.", "Name", "Organisation", "Phone", "On board"],
                [10 * mm, 45 * mm, 0, 38 * mm, 18 * mm],
                rows,
                count_of(len(aboard), "passenger"),
                centred=(4,),
            )
        )
    return Listing(
        sections=sections,
        csv_header=[
            "Transfer",
            "Date",
            "Departs",
            "Pick-up",
            "Family name",
            "Given name",
            "Organisation",
            "Phone",
        ],
        csv_rows=csv_rows,
        empty="The programme has no transfers.",
    )


def safe_cell(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet could read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def write_csv(out: Path, listing: Listing, options: ExportOptions) -> Path:
    """Write ``listing`` as UTF-8 CSV with a BOM, formula-safe, atomically."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in listing.csv_header])
    for number, row in enumerate(listing.csv_rows):
        report(options, number, len(listing.csv_rows))
        writer.writerow([safe_cell(str(cell)) for cell in row])
    report(options, len(listing.csv_rows), len(listing.csv_rows))
    with atomic_write(out, "wb") as handle:
        handle.write(buffer.getvalue().encode("utf-8-sig"))
    return out


def write_pdf(
    kind: str, delegation: Delegation, out: Path, listing: Listing, options: ExportOptions
) -> Path:
    """Lay out ``listing`` as a PDF, one page per section where that helps (hotel, coach)."""
    sheet = styles()
    width = frame_width(options)
    story = heading(kind, delegation, listing, sheet)
    if not listing.sections:
        story.append(Paragraph(text(listing.empty), sheet["body"]))
    for number, section in enumerate(listing.sections):
        report(options, number, len(listing.sections))
        if number and listing.page_per_section:
            story.append(PageBreak())
            story += heading(kind, delegation, listing, sheet)
        story += section_flowables(section, sheet, width)
    report(options, len(listing.sections), len(listing.sections))
    return build_pdf(
        out,
        story,
        options,
        title=f"{TITLES[kind]}: {delegation.title}",
        subject=TITLES[kind],
        footer_prefix=f"{TITLES[kind]} · {delegation.title}",
        delegation=delegation,
    )


def visit_dates(delegation: Delegation) -> str:
    """``Thu 3 Jun 2027 – Fri 4 Jun 2027``."""
    start, end = short_day(delegation.start_date), short_day(delegation.end_date)
    return start if start == end else f"{start} – {end}"


def heading(kind: str, delegation: Delegation, listing: Listing, sheet: Styles) -> list[Flowable]:
    """The list's title block."""
    kicker = " · ".join(p for p in (delegation.programme, delegation.destination_city) if p)
    story: list[Flowable] = [
        Paragraph(text(kicker.upper()), sheet["kicker"]),
        Paragraph(text(TITLES[kind]), sheet["title"]),
        Paragraph(text(f"{delegation.title} · {visit_dates(delegation)}"), sheet["subtitle"]),
    ]
    if listing.note:
        story.append(Paragraph(text(listing.note), sheet["italic"]))
    story.append(
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=2 * mm, spaceAfter=2 * mm)
    )
    return story


def section_flowables(section: Section, sheet: Styles, width: float) -> list[Flowable]:
    """A section's title, lines, table and summary."""
    widths = list(section.widths)
    widths[widths.index(0)] = width - sum(widths)
    story: list[Flowable] = [Paragraph(text(section.title), sheet["h2"])]
    story += [Paragraph(text(line), sheet["muted"]) for line in section.lines]
    story.append(Spacer(1, 2 * mm))
    story.append(data_table(section.header, section.rows, widths, sheet, centred=section.centred))
    if section.summary:
        story.append(Spacer(1, 1.5 * mm))
        story.append(Paragraph(text(section.summary), sheet["muted"]))
    return [KeepTogether(story)]
