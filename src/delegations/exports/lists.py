"""Logistics lists for hotels, caterers and coaches, as PDF or CSV.

* ``rooming``: per hotel (address, phone), who stays, room type and who shares it,
  check-in, check-out, nights, booking reference and room notes;
* ``dietary``: people with dietary or accessibility needs and the items where food is
  served that they attend, then for each such item (``serves_food``: meals, dinners,
  receptions) the count per diet ("Vegetarian 3, Gluten-free 1, no special diet 30")
  and the needs of the guests by name (a guest without consent to data processing is
  counted but not named: "1 guest (not named: no consent)", see ``exports.consent``);
* ``passengers``: per transfer, pick-up and drop-off places, company, vehicle and
  driver's phone, then who is on board with phone (with their consent) and inbound and
  outbound journeys.

Rooming and passenger lists name confirmed attendees only unless
``options.include_unconfirmed`` (then invited ones too, marked "invited – not
confirmed"); the dietary list counts everyone expected (confirmed and invited, the
invited marked) and says so. CSV files are UTF-8 with a BOM (so Excel reads the
accents) and every cell that a spreadsheet could take for a formula is neutralised
with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
)

from delegations.exports.common import FONT_BOLD, format_time, local, report, zone_label
from delegations.exports.consent import NOT_NAMED, named_with_needs, phone_of, unnamed
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
    TravelDirection,
    TravelLeg,
    TravelMode,
    Venue,
    count_of,
    fold,
    serves_food_by_default,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TITLES = {
    "rooming": "Rooming list",
    "dietary": "Dietary and accessibility list",
    "passengers": "Passenger list",
}
Row = Sequence[str]
INVITED = "invited – not confirmed"


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
    counts: str = ""
    """A line in body type above the table (the count per diet)."""


@dataclass
class Listing:
    """A list ready to print or to write as CSV."""

    sections: list[Section]
    csv_header: list[str]
    csv_rows: list[Row]
    empty: str
    note: str = ""
    page_per_section: bool = True
    scope: str = ""
    """Who is listed: confirmed attendees only, or invited ones too (marked)."""


def export(kind: str, delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the ``kind`` list of ``delegation`` to ``out`` as PDF or CSV."""
    builders: dict[str, Callable[[Delegation, ExportOptions], Listing]] = {
        "rooming": rooming,
        "dietary": dietary,
        "passengers": passengers,
    }
    if kind not in builders:
        raise ExportError(f"unknown list '{kind}'; choose one of {', '.join(LIST_KINDS)}")
    if options.list_format not in ("pdf", "csv"):
        raise ExportError(f"unknown list format '{options.list_format}'; choose pdf or csv")
    listing = builders[kind](delegation, options)
    if options.list_format == "csv":
        return write_csv(out, listing, options)
    return write_pdf(kind, delegation, out, listing, options)


def attending(delegation: Delegation) -> list[Participation]:
    """The attending participations (confirmed and invited), by family then given name."""
    people = [p for p in delegation.participations if p.status.attending]
    return sorted(people, key=lambda p: (fold(p.person.family_name), fold(p.person.given_name)))


LONG_NAME = 45
"""Organisation names longer than this print as their short name in list cells."""


def short_organisation(participation: Participation) -> str:
    """The organisation's name, or its short name when the full one is long."""
    organisation = participation.person.organisation
    if organisation is None:
        return ""
    name = organisation.display_name
    if len(name) > LONG_NAME and field(organisation.short_name):
        return field(organisation.short_name)
    return name


def listed(delegation: Delegation, options: ExportOptions) -> list[Participation]:
    """Confirmed attendees; with ``options.include_unconfirmed`` invited ones too."""
    return [p for p in attending(delegation) if p.confirmed or options.include_unconfirmed]


def scope_of(delegation: Delegation, options: ExportOptions) -> str:
    """The line that says who a rooming or passenger list names."""
    invited = [p for p in attending(delegation) if not p.confirmed]
    if not invited:
        return "All attendees have confirmed."
    if options.include_unconfirmed:
        return (
            f"Includes {count_of(len(invited), 'attendee')} who "
            f"{'has' if len(invited) == 1 else 'have'} not confirmed, marked “{INVITED}”."
        )
    return (
        f"Confirmed attendees only: {count_of(len(invited), 'invited attendee')} who "
        f"{'has' if len(invited) == 1 else 'have'} not confirmed "
        f"{'is' if len(invited) == 1 else 'are'} not listed."
    )


def name_cell(participation: Participation, *, phone: bool = False) -> str:
    """``Family, Given``, the organisation, the phone if asked, and the mark of an invited
    attendee, one per line."""
    parts = [participation.person.sort_name, short_organisation(participation)]
    if phone and field(phone_of(participation.person)):
        parts.append(f"Tel. {field(phone_of(participation.person))}")
    if not participation.confirmed:
        parts.append(f"({INVITED})")
    return "\n".join(p for p in parts if p)


def status_of(participation: Participation) -> str:
    """``confirmed`` or ``invited – not confirmed`` for the CSV files."""
    return "confirmed" if participation.confirmed else INVITED


def organisation_of(participation: Participation) -> str:
    """The display name of the person's organisation, or empty."""
    organisation = participation.person.organisation
    return organisation.display_name if organisation is not None else ""


def live_items(delegation: Delegation, wanted: Callable[[AgendaItem], bool]) -> list[AgendaItem]:
    """The items that are ``wanted`` and not cancelled, in time order."""
    items = [i for i in delegation.items if wanted(i) and i.status != ItemStatus.CANCELLED]
    return sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))


def when(item: AgendaItem, zone: str) -> str:
    """``Thu 3 Jun 2027 13:00–14:15``."""
    day = short_day(local(item.starts_at, zone).date())
    return f"{day} {time_range(item.starts_at, item.ends_at, zone)}"


def place(item: AgendaItem) -> str:
    """Venue name and address (a transfer's pick-up), or empty."""
    return venue_text(item.venue)


def venue_text(venue: Venue | None) -> str:
    """``name, address``, or empty."""
    if venue is None:
        return ""
    return ", ".join(p for p in (venue.name, venue.full_address) if p)


def hotel_day(day: date | None) -> str:
    """``Wed 2 Jun``: the visit's year is in the list's title block."""
    return f"{day:%a} {day.day} {day:%b}" if day is not None else ""


def nights_of(participation: Participation) -> int | None:
    """Nights between check-in and check-out, when both are known."""
    if participation.check_in is None or participation.check_out is None:
        return None
    return (participation.check_out - participation.check_in).days


ROOMING_HEADER = [
    "No.",
    "Guest",
    "Room",
    "Check-in",
    "Check-out",
    "Nights",
    "Booking ref.",
]
ROOMING_WIDTHS = [9 * mm, 48 * mm, 0, 20 * mm, 20 * mm, 14 * mm, 30 * mm]


def room_text(guest: Participation) -> str:
    """``Twin``, ``shared with …``, room notes: one per line."""
    parts = [field(guest.room_type)]
    if field(guest.room_sharing):
        sharing = field(guest.room_sharing)
        parts.append(sharing if sharing.lower().startswith("shar") else f"Shared {sharing}")
    parts.append(field(guest.room_notes))
    return "\n".join(p for p in parts if p)


def room_types(guests: list[Participation]) -> str:
    """``Single 7, Twin 2 (guests per room type)``, or empty when no type is recorded."""
    counts: dict[str, int] = {}
    for guest in guests:
        kind = field(guest.room_type) or "type not given"
        counts[kind] = counts.get(kind, 0) + 1
    if list(counts) == ["type not given"]:
        return ""
    ordered = sorted(counts.items(), key=lambda c: (c[0] == "type not given", -c[1], c[0]))
    return f"{', '.join(f'{k} {n}' for k, n in ordered)} (guests per room type)"


def rooming(delegation: Delegation, options: ExportOptions) -> Listing:
    """Per hotel: guests, room type and sharing, stay, booking reference, room notes."""
    hotels: dict[str, list[Participation]] = {}
    for participation in listed(delegation, options):
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
                    name_cell(guest),
                    room_text(guest),
                    hotel_day(guest.check_in),
                    hotel_day(guest.check_out),
                    "" if nights is None else str(nights),
                    field(guest.booking_reference),
                ]
            )
            csv_rows.append(
                [
                    hotel,
                    field(guest.hotel_address),
                    guest.person.family_name,
                    guest.person.given_name,
                    organisation_of(guest),
                    guest.check_in.isoformat() if guest.check_in else "",
                    guest.check_out.isoformat() if guest.check_out else "",
                    "" if nights is None else str(nights),
                    field(guest.room_notes),
                    field(guest.hotel_phone),
                    field(guest.booking_reference),
                    field(guest.room_type),
                    field(guest.room_sharing),
                    status_of(guest),
                ]
            )
        lines = distinct(field(g.hotel_address) for g in guests)
        phones = distinct(field(g.hotel_phone) for g in guests)
        if phones:
            lines.append(f"Phone {' / '.join(phones)}")
        room_nights = sum(nights_of(g) or 0 for g in guests)
        summary = " · ".join(
            p
            for p in (
                count_of(len(guests), "guest"),
                count_of(room_nights, "room-night"),
                room_types(guests),
            )
            if p
        )
        sections.append(Section(hotel, lines, ROOMING_HEADER, ROOMING_WIDTHS, rows, summary))
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
            "Hotel phone",
            "Booking reference",
            "Room type",
            "Room sharing",
            "Status",
        ],
        csv_rows=csv_rows,
        empty="No attendee has a hotel recorded.",
        scope=scope_of(delegation, options),
    )


def distinct(values: Iterable[str]) -> list[str]:
    """The non-blank ``values``, stripped, each once, in order."""
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def needs_of(participation: Participation) -> tuple[str, str]:
    """The person's dietary and accessibility needs, stripped."""
    person = participation.person
    return person.dietary_needs.strip(), person.accessibility_needs.strip()


def unnamed_groups(people: list[Participation]) -> list[tuple[list[Participation], str, str]]:
    """The people without consent among ``people`` (all with needs), grouped by the same
    needs (written with other capitals, accents or spaces: the same), in first-seen
    order: (the group, its dietary needs, its accessibility needs)."""
    groups: dict[tuple[str, str], list[Participation]] = {}
    shown: dict[tuple[str, str], tuple[str, str]] = {}
    for participation in people:
        if named_with_needs(participation.person):
            continue
        diet, access = (" ".join(n.split()) for n in needs_of(participation))
        key = (fold(diet), fold(access))
        groups.setdefault(key, []).append(participation)
        shown.setdefault(key, (diet, access))
    return [(group, *shown[key]) for key, group in groups.items()]


def dietary(delegation: Delegation, options: ExportOptions) -> Listing:
    """People with needs and where they eat, then each item serving food: the count per
    diet and the guests' needs by name. Counts include everyone expected (confirmed and
    invited); the list says how many of them have not confirmed. People without consent
    to data processing are counted but not named: their needs are listed under
    "N guests (not named: no consent)" (``exports.consent``)."""
    zone = delegation.timezone
    meals = live_items(delegation, serves_food)
    everyone = attending(delegation)
    people = [p for p in everyone if any(needs_of(p))]
    rows: list[Row] = []
    csv_rows: list[Row] = []

    def where_of(attended: list[str]) -> str:
        if len(attended) == len(meals) > 1:
            return f"all {len(meals)} listed below"
        return "\n".join(f"• {meal}" for meal in attended) or "none"

    named = [p for p in people if named_with_needs(p.person)]
    for number, participation in enumerate(named, start=1):
        diet, access = needs_of(participation)
        attended = [meal_label(m, zone) for m in meals if m.concerns(participation)]
        rows.append([str(number), marked_name(participation), diet, access, where_of(attended)])
    for group, diet, access in unnamed_groups(people):
        attended = [meal_label(m, zone) for m in meals if any(m.concerns(p) for p in group)]
        rows.append(["", unnamed(len(group)), diet, access, where_of(attended)])
    for participation in people:
        person = participation.person
        diet, access = needs_of(participation)
        attended = [meal_label(m, zone) for m in meals if m.concerns(participation)]
        if named_with_needs(person):
            who = [person.family_name, person.given_name, organisation_of(participation)]
        else:
            who = [f"({NOT_NAMED})", "", ""]
        csv_rows.append([*who, diet, access, "; ".join(attended), status_of(participation)])
    header = ["No.", "Name", "Dietary needs", "Accessibility needs", "Where food is served"]
    widths = [9 * mm, 44 * mm, 36 * mm, 34 * mm, 0]
    summary = f"{len(people)} of {count_of(len(everyone), 'attendee')} have needs recorded"
    sections = [Section("Attendees with needs", [], header, widths, rows, summary)] if rows else []
    sections += [meal_section(m, everyone, zone) for m in meals]
    invited = sum(1 for p in everyone if not p.confirmed)
    if invited:
        scope = (
            f"Counts include everyone expected: {count_of(len(everyone) - invited, 'confirmed attendee')}"
            f" and {count_of(invited, 'invited attendee')} who "
            f"{'has' if invited == 1 else 'have'} not confirmed yet (marked “{INVITED}”)."
        )
    else:
        scope = "Counts include everyone expected; all attendees have confirmed."
    return Listing(
        sections=sections,
        csv_header=[
            "Family name",
            "Given name",
            "Organisation",
            "Dietary needs",
            "Accessibility needs",
            "Where food is served",
            "Status",
        ],
        csv_rows=csv_rows,
        empty="No attendee has dietary or accessibility needs recorded, and no item serves food.",
        note="Health-related personal data: share only with the caterer and the venue, "
        "and destroy this list after the visit.",
        page_per_section=False,
        scope=scope,
    )


def serves_food(item: AgendaItem) -> bool:
    """Whether food is served at ``item``: as the officer set it; when unset (a record
    not saved yet), meals and networking items named like one."""
    if item.serves_food is None:
        return serves_food_by_default(item.kind, item.title)
    return bool(item.serves_food)


def marked_name(participation: Participation) -> str:
    """``Family, Given``, with the mark of an invited attendee on a second line."""
    name = participation.person.sort_name
    return name if participation.confirmed else f"{name}\n({INVITED})"


def meal_label(meal: AgendaItem, zone: str) -> str:
    """``Lunch, Thu 3 Jun 13:00``."""
    start = local(meal.starts_at, zone)
    return f"{meal.title}, {start:%a} {start.day} {start:%b} {format_time(start)}"


NO_DIET = "no special diet"


def diet_counts(guests: list[Participation]) -> str:
    """``Vegetarian 3, Gluten-free 1, no special diet 30``: the same diet written with
    other capitals, accents or spaces counts once, under its first spelling."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    plain = 0
    for guest in guests:
        diet = " ".join(needs_of(guest)[0].split())
        if not diet:
            plain += 1
            continue
        key = fold(diet)
        names.setdefault(key, diet[:1].upper() + diet[1:])
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda c: (-c[1], names[c[0]].casefold()))
    parts = [f"{names[key]} {count}" for key, count in ordered]
    if plain or not parts:
        parts.append(f"{NO_DIET} {plain}")
    return ", ".join(parts)


def meal_section(meal: AgendaItem, everyone: list[Participation], zone: str) -> Section:
    """One item where food is served: when, where, the count per diet, the guests' needs."""
    guests = [p for p in everyone if meal.concerns(p)]
    needing = [p for p in guests if any(needs_of(p))]
    rows: list[Row] = [
        [marked_name(p), *needs_of(p)] for p in needing if named_with_needs(p.person)
    ]
    rows += [[unnamed(len(group)), diet, access] for group, diet, access in unnamed_groups(needing)]
    if not rows:
        rows = [["No special needs among the guests", "", ""]]
    lines = [f"{meal.kind.label} · {when(meal, zone)}", place(meal)]
    invited = sum(1 for p in guests if not p.confirmed)
    summary = f"{count_of(len(guests), 'guest')} in total"
    if invited:
        summary += f", of whom {invited} invited {'has' if invited == 1 else 'have'} not confirmed"
    return Section(
        meal.title,
        [line for line in lines if line],
        ["Guest", "Dietary needs", "Accessibility needs"],
        [50 * mm, 60 * mm, 0],
        rows,
        summary,
        counts=f"{count_of(len(guests), 'guest')}: {diet_counts(guests)}",
    )


def leg_lines(leg: TravelLeg | None) -> str:
    """When the traveller reaches or leaves the destination, on what, from or to where.

    Inbound ``Thu 1 Jul 08:00`` / ``Vueling VY 8011`` / ``from Lille (LIL) 06:20``;
    outbound ``Fri 2 Jul 19:55`` / ``Vueling VY 8014`` / ``to Lille (LIL) 21:40 (+1)``:
    each time in the zone of its own end.
    """
    if leg is None:
        return "—"
    departs = local(leg.departs_at, leg.origin_timezone)
    arrives = local(leg.arrives_at, leg.destination_timezone)
    service = leg.service or leg.mode.label
    if leg.mode != TravelMode.FLIGHT and leg.service:
        service = f"{leg.mode.label} {leg.service}"
    later = (arrives.date() - departs.date()).days
    if leg.direction == TravelDirection.ARRIVAL:
        here = f"{hotel_day(arrives.date())} {format_time(arrives)}"
        there = f"from {leg.origin} {format_time(departs)}" + (f" ({-later:+d})" if later else "")
    else:
        here = f"{hotel_day(departs.date())} {format_time(departs)}"
        there = f"to {leg.destination} {format_time(arrives)}" + (f" ({later:+d})" if later else "")
    return f"{here}\n{service}\n{there}"


def leg_csv(leg: TravelLeg | None) -> list[str]:
    """Service, the other end, departure and arrival in local time (each end's zone)."""
    if leg is None:
        return ["", "", "", ""]
    departs = local(leg.departs_at, leg.origin_timezone)
    arrives = local(leg.arrives_at, leg.destination_timezone)
    other = leg.origin if leg.direction == TravelDirection.ARRIVAL else leg.destination
    return [
        leg.service,
        other,
        f"{departs.date().isoformat()} {format_time(departs)}",
        f"{arrives.date().isoformat()} {format_time(arrives)}",
    ]


def transfer_lines(transfer: AgendaItem, zone: str) -> list[str]:
    """When; pick-up; drop-off; company, vehicle and the driver's phone."""
    lines = [f"{when(transfer, zone)} · {zone_label(zone, transfer.starts_at)}"]
    lines.append(f"Pick-up: {venue_text(transfer.venue) or 'not set'}")
    lines.append(f"Drop-off: {venue_text(transfer.dropoff_venue) or 'not set'}")
    coach = [
        field(transfer.transport_company),
        field(transfer.vehicle),
        f"Driver: {field(transfer.driver_phone)}" if field(transfer.driver_phone) else "",
    ]
    if any(coach):
        lines.append(" · ".join(p for p in coach if p))
    return lines


def passengers(delegation: Delegation, options: ExportOptions) -> Listing:
    """Per transfer: places, company, vehicle, driver; who is on board with phone and
    inbound and outbound journeys."""
    zone = delegation.timezone
    everyone = listed(delegation, options)
    sections: list[Section] = []
    csv_rows: list[Row] = []
    for transfer in live_items(delegation, lambda i: i.kind == ItemKind.TRANSFER):
        aboard = [p for p in everyone if transfer.concerns(p)]
        rows: list[Row] = []
        start = local(transfer.starts_at, zone)
        for number, participation in enumerate(aboard, start=1):
            person = participation.person
            arrival, departure = participation.arrival, participation.departure
            rows.append(
                [
                    str(number),
                    name_cell(participation, phone=True),
                    leg_lines(arrival),
                    leg_lines(departure),
                    "☐",
                ]
            )
            csv_rows.append(
                [
                    transfer.title,
                    start.date().isoformat(),
                    format_time(start),
                    place(transfer),
                    person.family_name,
                    person.given_name,
                    organisation_of(participation),
                    phone_of(person),
                    venue_text(transfer.dropoff_venue),
                    field(transfer.transport_company),
                    field(transfer.vehicle),
                    field(transfer.driver_phone),
                    status_of(participation),
                    *leg_csv(arrival),
                    *leg_csv(departure),
                ]
            )
        sections.append(
            Section(
                transfer.title,
                transfer_lines(transfer, zone),
                ["No.", "Passenger", "Arrives", "Leaves", "Aboard"],
                [9 * mm, 50 * mm, 0, 46 * mm, 15 * mm],
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
            "Drop-off",
            "Company",
            "Vehicle",
            "Driver phone",
            "Status",
            "Arrival service",
            "Arrival from",
            "Arrival departs",
            "Arrival lands",
            "Departure service",
            "Departure to",
            "Departure leaves",
            "Departure lands",
        ],
        csv_rows=csv_rows,
        empty="The programme has no transfers.",
        scope=scope_of(delegation, options),
    )


def field(value: str | None) -> str:
    """A text field, stripped; empty when unset (transient records hold None)."""
    return (value or "").strip()


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
    running = RunningHead()
    for number, section in enumerate(listing.sections):
        report(options, number, len(listing.sections))
        if number and listing.page_per_section:
            story.append(PageBreak())
            story += heading(kind, delegation, listing, sheet)
        start = Marker(running, f"{TITLES[kind]} · {section.title} (continued)")
        story += section_flowables(section, sheet, width, start)
        story.append(Marker(running, ""))
    report(options, len(listing.sections), len(listing.sections))
    return build_pdf(
        out,
        story,
        options,
        title=f"{TITLES[kind]}: {delegation.title}",
        subject=TITLES[kind],
        footer_prefix=f"{TITLES[kind]} · {delegation.title}",
        delegation=delegation,
        on_page=running.draw,
    )


class RunningHead:
    """What a page that starts inside a section says at its top: which hotel, meal or
    transfer the rows belong to (the table repeats only its column headings)."""

    def __init__(self) -> None:
        self.current = ""

    def draw(self, canvas: Canvas, doc: Any) -> None:
        if not self.current:
            return
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 8.5)
        canvas.setFillColor(ACCENT)
        top = doc.pagesize[1] - doc.topMargin + 6
        canvas.drawString(doc.leftMargin + 6, top, self.current)
        canvas.restoreState()


class Marker(Flowable):
    """Takes no room; when drawn, sets the running head for the pages that follow."""

    def __init__(self, running: RunningHead, value: str) -> None:
        super().__init__()
        self.running, self.value = running, value

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        self.running.current = self.value


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
    if listing.scope:
        story.append(Paragraph(text(listing.scope), sheet["small"]))
    story.append(
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=2 * mm, spaceAfter=2 * mm)
    )
    return story


def section_flowables(
    section: Section, sheet: Styles, width: float, start: Flowable
) -> list[Flowable]:
    """A section's title, lines, table and summary; ``start`` (drawn with the title)
    names the section in the running head of the pages it continues on."""
    widths = list(section.widths)
    widths[widths.index(0)] = width - sum(widths)
    story: list[Flowable] = [start, Paragraph(text(section.title), sheet["h2"])]
    story += [Paragraph(text(line), sheet["muted"]) for line in section.lines]
    if section.counts:
        story.append(Spacer(1, 1 * mm))
        story.append(Paragraph(text(section.counts), sheet["item_title"]))
    story.append(Spacer(1, 2 * mm))
    story.append(data_table(section.header, section.rows, widths, sheet, centred=section.centred))
    if section.summary:
        story.append(Spacer(1, 1.5 * mm))
        story.append(Paragraph(text(section.summary), sheet["muted"]))
    if len(section.rows) <= KEEP_TOGETHER_ROWS:
        return [KeepTogether(story)]
    # Too long to keep on one page: start it where its heading and a few rows fit.
    return [CondPageBreak(70 * mm), *story]


KEEP_TOGETHER_ROWS = 12
"""Sections up to this many rows are kept on one page."""
