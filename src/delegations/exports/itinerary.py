"""Itinerary PDF: the whole delegation's, or one attendee's personal itinerary.

A cover (title, dates, destination, objectives, lead officer, emergency contacts;
for a personal itinerary also the attendee's travel and hotel), then the programme
day by day with times in the delegation's zone, venues with addresses, hosts and
their contacts, and descriptions as paragraphs that may split across pages.

Each day states its own UTC offset: a visit may span a change (summer time ending
on the last Sunday of October in Europe), and the day it happens says so
("Clocks go back one hour at 03:00 (UTC+2 → UTC+1)"), even when it has no items.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from delegations.exports.common import (
    OffsetChange,
    clock_markup,
    day_zone_label,
    format_day,
    format_time,
    local,
    offset_changes,
    repeated,
    report,
    zone_label,
)
from delegations.exports.options import ExportError, ExportOptions
from delegations.exports.pdfdoc import (
    ACCENT,
    CANCELLED,
    MUTED,
    RULE,
    Styles,
    build_pdf,
    frame_width,
    local_day,
    paragraphs,
    short_day,
    styles,
    table_style,
    text,
)
from delegations.model import (
    AgendaItem,
    Delegation,
    ItemStatus,
    Participation,
    Person,
    TravelLeg,
    fold,
)

TIME_COLUMN = 27 * mm


def export(delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the itinerary of ``delegation`` (or of ``options.attendee_id``) to ``out``."""
    sheet = styles()
    attendee = find_attendee(delegation, options.attendee_id)
    items = sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))
    if attendee is not None:
        items = [i for i in items if i.concerns(attendee)]
    story = cover(delegation, attendee, sheet, options)
    story += programme(delegation, items, sheet, options, personal=attendee is not None)
    who = f" – {attendee.person.full_name}" if attendee is not None else ""
    return build_pdf(
        out,
        story,
        options,
        title=f"Itinerary: {delegation.title}{who}",
        subject="Personal itinerary" if attendee is not None else "Delegation itinerary",
        footer_prefix=f"{delegation.title}{who}",
        delegation=delegation,
    )


def find_attendee(delegation: Delegation, person_id: int | None) -> Participation | None:
    """The participation of ``person_id``; ExportError when that person is not in it."""
    if person_id is None:
        return None
    for participation in delegation.participations:
        if participation.person_id == person_id or participation.person.id == person_id:
            return participation
    raise ExportError(
        f"person #{person_id} is not in the delegation '{delegation.title}': "
        "choose one of its attendees for a personal itinerary"
    )


def date_span(start: date, end: date) -> str:
    """``Thursday 3 June 2027 – Friday 4 June 2027`` or a single day."""
    return format_day(start) if start == end else f"{format_day(start)} – {format_day(end)}"


def cover(
    delegation: Delegation,
    attendee: Participation | None,
    sheet: Styles,
    options: ExportOptions,
) -> list[Flowable]:
    """Title block, objectives, contacts; for a person also travel and hotel."""
    kicker = "Personal itinerary" if attendee is not None else "Delegation itinerary"
    if delegation.programme:
        kicker = f"{kicker} · {delegation.programme}"
    place = ", ".join(p for p in (delegation.destination_city, delegation.destination_country) if p)
    story: list[Flowable] = [
        Paragraph(text(kicker.upper()), sheet["kicker"]),
        Paragraph(text(delegation.title), sheet["title"]),
    ]
    if attendee is not None:
        story.append(Paragraph(f"for <b>{text(attendee.person.full_name)}</b>", sheet["subtitle"]))
    story += [
        Paragraph(text(date_span(delegation.start_date, delegation.end_date)), sheet["subtitle"]),
        Paragraph(text(place), sheet["subtitle"]),
        Spacer(1, 3 * mm),
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=2 * mm),
        Paragraph(text(times_note(delegation)), sheet["muted"]),
    ]
    if attendee is not None:
        story += attendee_block(attendee, sheet, options)
    if delegation.objectives.strip():
        story.append(Paragraph("Objectives", sheet["h2"]))
        story += paragraphs(delegation.objectives, sheet["body"])
    story += contacts_block(delegation, sheet)
    story.append(PageBreak())
    return story


def times_note(delegation: Delegation) -> str:
    """Which zone the programme's times are in, and any change of its UTC offset."""
    changes = visit_offset_changes(delegation)
    if changes:
        said = "; ".join(f"on {format_day(c.day)}, {c.note(capital=False)}" for c in changes)
        return (
            f"All programme times are local times in {delegation.timezone}, whose UTC offset "
            f"changes during the visit: {said}. Each day states its offset."
        )
    first = min((i.starts_at for i in delegation.items), default=None)
    if first is None:
        first = datetime.combine(delegation.start_date, time(12), tzinfo=UTC)
    return f"All programme times are local times in {zone_label(delegation.timezone, first)}."


def visit_days(delegation: Delegation) -> tuple[date, date]:
    """The first and last local days of the visit, items outside its dates included."""
    zone = delegation.timezone
    days = [local_day(i.starts_at, zone) for i in delegation.items]
    days += [local_day(i.ends_at, zone) for i in delegation.items]
    return min([delegation.start_date, *days]), max([delegation.end_date, *days])


def visit_offset_changes(delegation: Delegation) -> list[OffsetChange]:
    """The changes of the delegation's UTC offset during the visit."""
    return offset_changes(delegation.timezone, *visit_days(delegation))


def person_line(person: Person) -> str:
    """``<b>Name</b>, job title, Organisation · e-mail · phone`` as Paragraph markup."""
    who = [f"<b>{text(person.full_name)}</b>"]
    if person.job_title:
        who.append(text(person.job_title))
    if person.organisation is not None:
        who.append(text(person.organisation.display_name))
    reach = [text(v) for v in (person.email, person.phone) if v]
    return ", ".join(who) + (" · " + " · ".join(reach) if reach else "")


def contacts_block(delegation: Delegation, sheet: Styles) -> list[Flowable]:
    """Lead officer and emergency contacts."""
    story: list[Flowable] = []
    if delegation.lead_officer is not None:
        story.append(Paragraph("Lead officer", sheet["h2"]))
        story.append(Paragraph(person_line(delegation.lead_officer), sheet["body"]))
    if delegation.emergency_contacts.strip():
        story.append(Paragraph("Emergency contacts", sheet["h2"]))
        story += paragraphs(delegation.emergency_contacts, sheet["body"])
    return story


def travel_end(place: str, instant: datetime, zone: str) -> str:
    """``Athens (ATH) · Wed 2 Jun 2027 19:00 Europe/Athens (EEST, UTC+03:00)``, in ``zone``."""
    moment = local(instant, zone)
    return f"{place} · {short_day(moment.date())} <b>{format_time(moment)}</b> {zone_label(zone, instant)}"


def travel_rows(leg: TravelLeg, label: str, sheet: Styles) -> list[list[Flowable]]:
    """Two table rows (departure, arrival) for one travel leg, each end in its own zone."""
    service = " ".join(p for p in (leg.mode.label, leg.service) if p)
    heading = Paragraph(f"<b>{text(label)}</b><br/>{text(service)}", sheet["cell"])
    depart = travel_end(text(leg.origin), leg.departs_at, leg.origin_timezone)
    arrive = travel_end(text(leg.destination), leg.arrives_at, leg.destination_timezone)
    return [
        [heading, Paragraph("Departs", sheet["head"]), Paragraph(depart, sheet["cell"])],
        ["", Paragraph("Arrives", sheet["head"]), Paragraph(arrive, sheet["cell"])],
    ]


def attendee_block(
    attendee: Participation,
    sheet: Styles,
    options: ExportOptions,
) -> list[Flowable]:
    """The attendee's role, travel and hotel."""
    story: list[Flowable] = [Paragraph("Your participation", sheet["h2"])]
    role = f"Role: {attendee.role.label}"
    if attendee.status is not None and not attendee.status.attending:
        role += f" · Status: {attendee.status.label}"
    story.append(Paragraph(text(role), sheet["body"]))
    legs = [("Arrival", attendee.arrival), ("Departure", attendee.departure)]
    rows: list[list[object]] = []
    spans: list[tuple[object, ...]] = []
    for label, leg in legs:
        if leg is not None:
            spans.append(("SPAN", (0, len(rows)), (0, len(rows) + 1)))
            spans.append(("LINEBELOW", (0, len(rows)), (-1, len(rows)), 0, RULE))
            rows += travel_rows(leg, label, sheet)
    story.append(Paragraph("Travel", sheet["h2"]))
    if rows:
        width = frame_width(options)
        story.append(
            Table(
                rows,
                colWidths=[42 * mm, 17 * mm, width - 59 * mm],
                style=table_style(("VALIGN", (0, 0), (-1, -1), "TOP"), *spans, header=False),
            )
        )
    else:
        story.append(Paragraph("No travel recorded.", sheet["muted"]))
    story.append(Paragraph("Hotel", sheet["h2"]))
    if attendee.hotel:
        story.append(Paragraph(f"<b>{text(attendee.hotel)}</b>", sheet["body"]))
        if attendee.hotel_address:
            story.append(Paragraph(text(attendee.hotel_address), sheet["body"]))
        stay = [
            f"Check-in {short_day(attendee.check_in)}" if attendee.check_in else "",
            f"Check-out {short_day(attendee.check_out)}" if attendee.check_out else "",
        ]
        if any(stay):
            story.append(Paragraph(text(" · ".join(s for s in stay if s)), sheet["body"]))
        if attendee.room_notes:
            story.append(Paragraph(text(attendee.room_notes), sheet["italic"]))
    else:
        story.append(Paragraph("No hotel recorded.", sheet["muted"]))
    return story


def programme(
    delegation: Delegation,
    items: list[AgendaItem],
    sheet: Styles,
    options: ExportOptions,
    *,
    personal: bool,
) -> list[Flowable]:
    """The items day by day, each day under its own heading.

    The delegation's itinerary says who takes part in items for a subset; a personal
    one does not need to.
    """
    zone = delegation.timezone
    days: dict[date, list[AgendaItem]] = {}
    for item in items:
        days.setdefault(local_day(item.starts_at, zone), []).append(item)
    changes: dict[date, list[OffsetChange]] = {}
    for change in visit_offset_changes(delegation):
        changes.setdefault(change.day, []).append(change)
    if days:
        # A change of offset is said on its day, even a day without items.
        for day in changes:
            days.setdefault(day, [])
    story: list[Flowable] = [Paragraph("Programme", sheet["h1"])]
    if not days:
        story.append(Paragraph("No programme items.", sheet["muted"]))
    for number, (day, day_items) in enumerate(sorted(days.items()), start=1):
        report(options, number - 1, len(days))
        story.append(CondPageBreak(45 * mm))
        story.append(Paragraph(text(format_day(day)), sheet["h2"]))
        story.append(HRFlowable(width="100%", thickness=1, color=ACCENT, spaceAfter=2 * mm))
        story += day_offset(zone, day, changes.get(day, []), sheet)
        if not day_items:
            story.append(Paragraph("No programme items on this day.", sheet["muted"]))
        for item in day_items:
            names = None if personal or item.everyone else who(item, delegation)
            story.append(item_block(item, zone, sheet, options, names, overlaps(item, items)))
    report(options, len(days), len(days))
    return story


def day_offset(zone: str, day: date, changes: list[OffsetChange], sheet: Styles) -> list[Flowable]:
    """The day's zone and UTC offset; on a day the offset changes, when and how."""
    story: list[Flowable] = [Paragraph(text(f"Times: {day_zone_label(zone, day)}"), sheet["muted"])]
    for change in changes:
        note = f'<font color="{ACCENT.hexval()}"><b>{text(change.note())}</b></font>'
        story.append(Paragraph(note, sheet["body"]))
    story.append(Spacer(1, 1.5 * mm))
    return story


def overlaps(item: AgendaItem, items: list[AgendaItem]) -> bool:
    """Whether another item of ``items`` that is not cancelled runs at the same time."""
    return any(
        other is not item
        and other.status != ItemStatus.CANCELLED
        and other.starts_at < item.ends_at
        and item.starts_at < other.ends_at
        for other in items
    )


def who(item: AgendaItem, delegation: Delegation) -> str:
    """The names of the attendees of an item for a subset, by family name."""
    attending = item.attendees(delegation.participations)
    return ", ".join(
        p.display_name for p in sorted(attending, key=lambda p: fold(p.person.sort_name))
    )


def item_block(
    item: AgendaItem,
    zone: str,
    sheet: Styles,
    options: ExportOptions,
    names: str | None = None,
    parallel: bool = False,
) -> Flowable:
    """One agenda item: time and title row, then details indented under the title."""
    cancelled = item.status == ItemStatus.CANCELLED
    title = f"<b>{text(item.title)}</b>"
    tags = [text(item.kind.label)]
    if cancelled:
        title = f"<strike>{title}</strike>"
        tags.insert(0, f'<font color="{CANCELLED.hexval()}"><b>CANCELLED</b></font>')
    elif item.status == ItemStatus.TENTATIVE:
        tags.append("tentative")
    if parallel and not cancelled:
        tags.append(f'<font color="{ACCENT.hexval()}"><b>in parallel</b></font>')
    when = when_markup(item.starts_at, item.ends_at, zone)
    if cancelled:
        when = f"<strike>{when}</strike>"
    head = Paragraph(
        f"{title}<br/><font size=8 color='{MUTED.hexval()}'>{' · '.join(tags)}</font>",
        sheet["item_title"],
    )
    width = frame_width(options)
    row = Table(
        [[Paragraph(when, sheet["time"]), head]],
        colWidths=[TIME_COLUMN, width - TIME_COLUMN],
        style=table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            header=False,
            rules=False,
        ),
    )
    details = [] if cancelled else item_details(item, sheet)
    if names is not None and not cancelled:
        participants = Paragraph(
            f"Participants: {text(names) or 'none yet'}", indented(sheet["small"])
        )
        details.insert(0, participants)
    rule = HRFlowable(
        width="100%", thickness=0.4, color=RULE, spaceBefore=2 * mm, spaceAfter=2 * mm
    )
    return KeepTogether([row, *details, rule])


def when_markup(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """``09:00–10:30``; around a change of offset, a time that occurs twice (the hour
    repeated when the clocks go back) with its offset, and the end on its own line."""
    size = 7
    start, end = clock_markup(starts_at, zone, size), clock_markup(ends_at, zone, size)
    if repeated(starts_at, zone) or repeated(ends_at, zone):
        return f"{start}–<br/>{end}"
    return f"{start}–{end}"


def item_details(item: AgendaItem, sheet: Styles) -> list[Flowable]:
    """Venue, hosts, contacts and description, indented under the title."""
    body = indented(sheet["body"])
    small = indented(sheet["small"])
    story: list[Flowable] = []
    if item.venue is not None:
        place = f"<b>{text(item.venue.name)}</b>"
        if item.venue.full_address:
            place += f", {text(item.venue.full_address)}"
        story.append(Paragraph(f"Venue: {place}", small))
        if item.venue.access_notes:
            story.append(Paragraph(f"Access: {text(item.venue.access_notes)}", small))
    if item.host is not None:
        story.append(Paragraph(f"Host: <b>{text(item.host.display_name)}</b>", small))
    for contact in item.host_contacts:
        story.append(Paragraph(f"Contact: {person_line(contact)}", small))
    if story and item.description.strip():
        story.append(Spacer(1, 1.5 * mm))
    story += paragraphs(item.description, body)
    return story


def indented(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` indented to the title column."""
    return ParagraphStyle(f"{style.name}-indented", parent=style, leftIndent=TIME_COLUMN + 4)
