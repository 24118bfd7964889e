"""Itinerary PDF: the whole delegation's, or one attendee's personal itinerary.

The delegation's itinerary opens with a one-page overview an organiser hands out as
it is: dates, hotels with address and phone, lead officer and emergency contacts,
dress code, who comes (role, organisation; those who have not confirmed are marked,
those who declined are left out) and everybody's arrivals and departures. A personal
itinerary opens with a cover: the attendee's role, travel, hotel (phone, booking
reference, room type and who shares it), contacts and dress code.

Then the programme day by day, times in the delegation's zone. Each item says where:
the venue's address, a link to it on OpenStreetMap and, when the venue has
coordinates, a small QR code to the same map in the right-hand column; a transfer
says its pick-up and drop-off, the company, the vehicle and the driver's phone.
Between two items at different venues a small line says how the group gets there.
Hosts and their contacts come with phone numbers, the item's own dress code and wifi
when set. Descriptions are paragraphs that may split across pages.

Every page carries who to call in an emergency above the footer.

Each day states its own UTC offset: a visit may span a change (summer time ending
on the last Sunday of October in Europe), and the day it happens says so
("Clocks go back one hour at 03:00 (UTC+2 → UTC+1)"), even when it has no items.

Speed: the visit pack writes one personal itinerary per attendee, with mostly the
same items in each. Paragraph markup is a pure function of the data, so the
result of laying out a piece of markup (ReportLab's parse and line breaks) is kept,
keyed by the markup, its style and the width, and reused by every later document;
flowables themselves are new in every document (see ``Prepared``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, unescape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from delegations.exports import wayfinding
from delegations.exports.common import (
    FONT,
    OffsetChange,
    clock_markup,
    day_zone_label,
    format_day,
    format_time,
    local,
    offset_changes,
    offset_text,
    repeated,
    report,
    zone_label,
)
from delegations.exports.consent import email_of, emergency_line, phone_of
from delegations.exports.options import ExportError, ExportOptions
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
GUTTER = 4
CODE_SIDE = 17 * mm
"""The map QR code: a URL of about 80 characters at this size has modules of about
0.4 mm, which phone cameras read at arm's length."""
CODE_GAP = 3 * mm
SMALLEST = 7.5
"""No text but the footer is smaller (offsets beside a repeated time included)."""


# --- the document ----------------------------------------------------------------------------


def export(delegation: Delegation, out: Path, options: ExportOptions) -> Path:
    """Write the itinerary of ``delegation`` (or of ``options.attendee_id``) to ``out``."""
    sheet = sheet_for()
    attendee = find_attendee(delegation, options.attendee_id)
    items = sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at, i.id or 0))
    if attendee is not None:
        items = [i for i in items if i.concerns(attendee)]
        story = cover(delegation, attendee, sheet, options)
    else:
        story = overview(delegation, sheet, options)
        if clean(delegation.objectives):
            story.append(Paragraph("Objectives", sheet["h2"]))
            story += prepared_paragraphs(delegation.objectives, sheet["body"])
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
        emergency=emergency_text(delegation),
    )


def clean(value: str | None) -> str:
    """``value`` stripped; None (a field not set on a transient record) as empty."""
    return (value or "").strip()


def phone(value: str | None) -> str:
    """A phone number as markup that never breaks across lines."""
    return text(clean(value)).replace(" ", "\u00a0")


def emergency_text(delegation: Delegation) -> str:
    """``In an emergency: Sophie Delacroix (lead officer): +33 6 …`` (empty if unknown)."""
    line = emergency_line(delegation) if delegation.emergency_contacts is not None else ""
    return f"In an emergency: {line}" if line else ""


@cache
def sheet_for() -> Styles:
    """The shared styles plus the itinerary's own, built once: the layout cache is
    keyed by style objects, so every document must use the same ones."""
    sheet = styles()
    extra = {
        "h3": ParagraphStyle(
            "h3", parent=sheet["h2"], fontSize=10, leading=13, spaceBefore=7, spaceAfter=2
        ),
        "way": ParagraphStyle(
            "way", parent=sheet["muted"], leftIndent=TIME_COLUMN + GUTTER, spaceAfter=0
        ),
        "detail": ParagraphStyle("detail", parent=sheet["small"]),
        "detail_muted": ParagraphStyle("detail_muted", parent=sheet["muted"]),
        "body_indented": indented(sheet["body"]),
        "small_indented": indented(sheet["small"]),
        "fact_label": ParagraphStyle("fact_label", parent=sheet["head"], leading=10.5),
        "tight": ParagraphStyle("tight", parent=sheet["cell"], fontSize=8, leading=9.8),
        "tight_head": ParagraphStyle("tight_head", parent=sheet["head"], fontSize=8, leading=9.8),
        "title_compact": ParagraphStyle(
            "title_compact", parent=sheet["title"], fontSize=18, leading=22, spaceAfter=2
        ),
    }
    return {**sheet, **extra}


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


# --- laying out markup once ------------------------------------------------------------------


_LAYOUTS: dict[tuple[str, ParagraphStyle, float], dict[str, Any]] = {}
_LAYOUT_LIMIT = 50_000
_PARSED_STATE = frozenset({"frags", "text", "bulletText", "caseSensitive", "encoding", "debug"})


class Prepared(Paragraph):
    """A Paragraph whose layout is computed once per (markup, style, width) and reused.

    ReportLab spends most of an itinerary's time parsing markup and breaking lines;
    both depend only on the markup, the style and the width. The first Prepared
    paragraph with a key lays itself out as any Paragraph does and keeps a copy of
    its state (parsed fragments, broken lines, height); later ones with the same key
    take that state instead of computing it. Drawing reads that state and never
    changes it (the byte-identical tests of cold and warm caches check it), and each
    document still gets its own flowables. Splitting (a long description at a page
    end) is done by a fresh Paragraph, so split halves never share state.
    """

    def __init__(self, markup: str, style: ParagraphStyle) -> None:
        self._markup = markup
        self.style = style
        self._state = "bare"  # bare: not parsed; own: parsed here; shared: from the cache

    def __getattr__(self, name: str) -> Any:
        # Parsed state asked for before any wrap (minWidth, getPlainText): parse now.
        if self.__dict__.get("_state") == "bare" and name in _PARSED_STATE:
            self._parse()
            return getattr(self, name)
        raise AttributeError(name)

    def _parse(self) -> None:
        Paragraph.__init__(self, self._markup, self.style)
        self._state = "own"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        key = (self._markup, self.style, round(availWidth, 3))
        known = _LAYOUTS.get(key)
        if known is not None:
            self.__dict__.update(known)
            self._state = "shared"
            return self.width, self.height
        if self._state != "own":
            self._parse()
        size = Paragraph.wrap(self, availWidth, availHeight)
        if len(_LAYOUTS) >= _LAYOUT_LIMIT:
            _LAYOUTS.clear()
        _LAYOUTS[key] = {k: v for k, v in self.__dict__.items() if k != "_state"}
        self._state = "shared"  # line breaking replaced the fragments: parse again if needed
        return size

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        fresh = Paragraph(self._markup, self.style)
        fresh.wrap(availWidth, availHeight)
        return list(fresh.split(availWidth, availHeight))


def prepared_paragraphs(value: str | None, style: ParagraphStyle) -> list[Flowable]:
    """One Prepared paragraph per blank-line-separated block of ``value``."""
    blocks = [b.strip() for b in (value or "").replace("\r\n", "\n").split("\n\n")]
    return [Prepared(text(b), style) for b in blocks if b]


def clear_layouts() -> None:
    """Forget every remembered layout (tests compare cold and warm documents)."""
    _LAYOUTS.clear()


# --- the delegation's overview ---------------------------------------------------------------


def title_block(
    delegation: Delegation, sheet: Styles, kicker: str, for_whom: str = "", *, compact: bool = False
) -> list[Flowable]:
    """Kicker, title, (for whom), dates and place, and a rule."""
    if delegation.programme:
        kicker = f"{kicker} · {delegation.programme}"
    place = ", ".join(p for p in (delegation.destination_city, delegation.destination_country) if p)
    story: list[Flowable] = [
        Paragraph(text(kicker.upper()), sheet["kicker"]),
        Paragraph(text(delegation.title), sheet["title_compact" if compact else "title"]),
    ]
    if for_whom:
        story.append(Paragraph(f"for <b>{text(for_whom)}</b>", sheet["subtitle"]))
    span = date_span(delegation.start_date, delegation.end_date)
    story += [
        Paragraph(text(" · ".join(p for p in (span, place) if p)), sheet["subtitle"]),
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=2 * mm),
    ]
    return story


def overview(delegation: Delegation, sheet: Styles, options: ExportOptions) -> list[Flowable]:
    """The first page of the delegation's itinerary: everything at a glance."""
    width = frame_width(options)
    story = title_block(delegation, sheet, "Delegation itinerary", compact=True)
    facts: list[tuple[str, str]] = [("Times", text(times_note(delegation)))]
    if delegation.lead_officer is not None:
        facts.append(("Lead officer", person_line(delegation.lead_officer)))
    if clean(delegation.emergency_contacts):
        facts.append(("Emergency", text(clean(delegation.emergency_contacts))))
    elif emergency_line(delegation):
        facts.append(("Emergency", text(emergency_line(delegation))))
    if clean(delegation.dress_code):
        facts.append(("Dress code", text(clean(delegation.dress_code))))
    story.append(facts_table(facts, sheet, width))
    attending = [p for p in delegation.participations if p.status.attending]
    attending.sort(key=lambda p: fold(p.person.sort_name))
    hotels = hotels_table(attending, sheet, width)
    if hotels is not None:
        story += [Paragraph("Hotels", sheet["h3"]), hotels]
    story.append(Paragraph(f"Attendees ({len(attending)})", sheet["h3"]))
    if attending:
        story.append(attendees_table(attending, sheet, width))
    else:
        story.append(Paragraph("No attendees yet.", sheet["muted"]))
    story += travel_tables(attending, sheet, width)
    story.append(PageBreak())
    return story


def facts_table(facts: list[tuple[str, str]], sheet: Styles, width: float) -> Table:
    """Label / value rows (markup values)."""
    label = 28 * mm
    rows = [
        [Paragraph(text(k), sheet["fact_label"]), Prepared(v, sheet["tight"])] for k, v in facts
    ]
    return Table(
        rows,
        colWidths=[label, width - label],
        style=table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            header=False,
        ),
    )


@dataclass
class Hotel:
    name: str
    address: str
    phone: str
    guests: int
    check_in: date | None
    check_out: date | None


def hotels(attending: Iterable[Participation]) -> list[Hotel]:
    """The hotels the attendees stay at, grouped by name (address and phone from the
    first who gives them), with guest counts and the first check-in and last check-out."""
    found: dict[str, Hotel] = {}
    for p in attending:
        if not clean(p.hotel):
            continue
        key = fold(clean(p.hotel))
        hotel = found.get(key)
        if hotel is None:
            hotel = found[key] = Hotel(clean(p.hotel), "", "", 0, None, None)
        hotel.address = hotel.address or clean(p.hotel_address)
        hotel.phone = hotel.phone or clean(p.hotel_phone)
        hotel.guests += 1
        if p.check_in and (hotel.check_in is None or p.check_in < hotel.check_in):
            hotel.check_in = p.check_in
        if p.check_out and (hotel.check_out is None or p.check_out > hotel.check_out):
            hotel.check_out = p.check_out
    return list(found.values())


def hotels_table(attending: list[Participation], sheet: Styles, width: float) -> Table | None:
    found = hotels(attending)
    if not found:
        return None
    head = ["Hotel", "Address", "Phone", "Guests", "Stay"]
    widths = [46 * mm, width - 46 * mm - 30 * mm - 15 * mm - 36 * mm, 30 * mm, 15 * mm, 36 * mm]
    rows: list[list[Flowable]] = [[Paragraph(h, sheet["tight_head"]) for h in head]]
    for hotel in found:
        nights = ""
        if hotel.check_in and hotel.check_out:
            nights = f"{brief_day(hotel.check_in)} – {brief_day(hotel.check_out)}"
        rows.append(
            [
                Paragraph(f"<b>{text(hotel.name)}</b>", sheet["tight"]),
                Paragraph(text(hotel.address), sheet["tight"]),
                Paragraph(phone(hotel.phone) or "–", sheet["tight"]),
                Paragraph(str(hotel.guests), sheet["tight"]),
                Paragraph(text(nights), sheet["tight"]),
            ]
        )
    return Table(rows, colWidths=widths, repeatRows=1, style=compact_style())


def compact_style(*extra: tuple[Any, ...]) -> Any:
    return table_style(
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        *extra,
    )


def organisation_label(person: Person) -> str:
    """The organisation's name; a very long one by its short name when it has one."""
    organisation = person.organisation
    if organisation is None:
        return ""
    name = organisation.display_name
    short = clean(organisation.short_name)
    if len(name) > 60 and short:
        return f"{short} ({organisation.acronym})" if organisation.acronym else short
    return name


def attendees_table(attending: list[Participation], sheet: Styles, width: float) -> Table:
    """Name, role, organisation; who has not confirmed is marked."""
    name_w, role_w = 76 * mm, 33 * mm
    rows: list[list[Flowable]] = [
        [Paragraph(h, sheet["tight_head"]) for h in ("Name", "Role", "Organisation")]
    ]
    for p in attending:
        name = f"<b>{text(p.person.full_name)}</b>"
        if not p.confirmed:
            status = p.status.label.lower()
            name += f' <font color="{CANCELLED.hexval()}">({text(status)}, not confirmed)</font>'
        rows.append(
            [
                Paragraph(name, sheet["tight"]),
                Paragraph(text(p.role.label), sheet["tight"]),
                Paragraph(text(organisation_label(p.person)), sheet["tight"]),
            ]
        )
    return Table(
        rows,
        colWidths=[name_w, role_w, width - name_w - role_w],
        repeatRows=1,
        style=compact_style(),
    )


def marked_name(participation: Participation) -> str:
    """The name, and ``(invited)`` in red for who has not confirmed."""
    name = text(participation.person.full_name)
    if participation.confirmed:
        return name
    status = text(participation.status.label.lower())
    return f'{name} <font color="{CANCELLED.hexval()}">({status})</font>'


def plain(markup: str) -> str:
    """The text of simple markup (tags removed, entities and no-break spaces undone)."""
    return unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")


def brief_day(day: date) -> str:
    """``Wed 2 Jun``."""
    return f"{day:%a} {day.day} {day:%b}"


def brief_zone(zone: str, instant: datetime) -> str:
    """``CEST`` or, where the zone has no letters, ``UTC+4``."""
    moment = local(instant, zone)
    name = moment.tzname() or ""
    return name if name.isalpha() else offset_text(moment.utcoffset())


def travel_point(place: str, instant: datetime, zone: str, day: date | None) -> str:
    """``Athens (ATH) 19:00 EEST``: local time at that end, with its day when it is
    not ``day`` (the day of the row's section)."""
    moment = local(instant, zone)
    when = f"<b>{format_time(moment)}</b>\u00a0{text(brief_zone(zone, instant))}"
    if moment.date() != day:
        when = brief_day(moment.date()).replace(" ", "\u00a0") + "\u00a0" + when
    return f"{text(place)} {when}"


def journeys(
    attending: list[Participation], direction: str
) -> list[tuple[TravelLeg, list[Participation]]]:
    """The ``arrival`` or ``departure`` legs of ``attending``, people on the same journey
    (service, places and times) together, in the order they travel."""
    found: dict[tuple[Any, ...], tuple[TravelLeg, list[Participation]]] = {}
    for p in attending:
        leg = getattr(p, direction)
        if leg is None:
            continue
        key = (leg.mode, leg.service, leg.origin, leg.departs_at, leg.destination, leg.arrives_at)
        found.setdefault(key, (leg, []))[1].append(p)
    moment = "arrives_at" if direction == "arrival" else "departs_at"
    return sorted(found.values(), key=lambda j: (getattr(j[0], moment), j[0].service))


def travel_tables(attending: list[Participation], sheet: Styles, width: float) -> list[Flowable]:
    """Arrivals then departures, by day: who travels on which service, from where to
    where, each end's local time; people on the same journey share a row. One table
    per day, whose heading row is repeated when it continues on the next page."""
    sections: list[list[list[Flowable | str]]] = []
    longest = 0.0
    for heading, direction in (("Arrivals", "arrival"), ("Departures", "departure")):
        shown: date | None = None
        for leg, people in journeys(attending, direction):
            if direction == "arrival":
                day = local_day(leg.arrives_at, leg.destination_timezone)
            else:
                day = local_day(leg.departs_at, leg.origin_timezone)
            if day != shown:
                shown = day
                label = f"<b>{heading}</b> · {text(format_day(day))}"
                sections.append([[Paragraph(label, sheet["tight"]), "", "", ""]])
            service = leg.service or leg.mode.label
            origin = travel_point(leg.origin, leg.departs_at, leg.origin_timezone, day)
            target = travel_point(leg.destination, leg.arrives_at, leg.destination_timezone, day)
            for point in (origin, target):
                longest = max(longest, stringWidth(plain(point), FONT, 8))
            sections[-1].append(
                [
                    Paragraph(", ".join(marked_name(p) for p in people), sheet["tight"]),
                    Paragraph(text(service), sheet["tight"]),
                    Paragraph(origin, sheet["tight"]),
                    Paragraph(target, sheet["tight"]),
                ]
            )
    # The places as wide as their longest "place time zone" needs (within limits), so
    # that most rows take one line; the names get the rest.
    place_w = min(max(longest + 10, 36 * mm), 45 * mm)
    widths = [width - 26 * mm - 2 * place_w, 26 * mm, place_w, place_w]
    story: list[Flowable] = []
    if sections:
        head = [[Paragraph(h, sheet["tight_head"]) for h in ("Who", "Service", "From", "To")]]
        story += [
            CondPageBreak(30 * mm),
            Paragraph("Arrivals and departures (local time at each end)", sheet["h3"]),
            Table(head, colWidths=widths, style=compact_style()),
        ]
        for rows in sections:
            section = compact_style(
                ("SPAN", (0, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
            )
            story.append(Table(rows, colWidths=widths, repeatRows=1, style=section))
    without = [p.person.full_name for p in attending if not p.travel]
    if without:
        story.append(Spacer(1, 1.5 * mm))
        story.append(Paragraph(f"No travel recorded: {text(', '.join(without))}.", sheet["muted"]))
    return story


# --- the personal cover ----------------------------------------------------------------------


def cover(
    delegation: Delegation,
    attendee: Participation,
    sheet: Styles,
    options: ExportOptions,
) -> list[Flowable]:
    """Title block, the attendee's travel and hotel, objectives, contacts, dress code."""
    story = title_block(delegation, sheet, "Personal itinerary", attendee.person.full_name)
    story.append(Prepared(text(times_note(delegation)), sheet["muted"]))
    story += attendee_block(attendee, sheet, options)
    if clean(delegation.dress_code):
        story.append(Paragraph("Dress code", sheet["h2"]))
        story.append(Prepared(text(clean(delegation.dress_code)), sheet["body"]))
    if clean(delegation.objectives):
        story.append(Paragraph("Objectives", sheet["h2"]))
        story += prepared_paragraphs(delegation.objectives, sheet["body"])
    story += contacts_block(delegation, sheet)
    story.append(PageBreak())
    return story


@lru_cache(maxsize=64)
def _times_note(zone: str, first_day: date, last_day: date, first: datetime | None) -> str:
    changes = offset_changes(zone, first_day, last_day)
    if changes:
        said = "; ".join(f"on {format_day(c.day)}, {c.note(capital=False)}" for c in changes)
        return (
            f"All programme times are local times in {zone}, whose UTC offset "
            f"changes during the visit: {said}. Each day states its offset."
        )
    if first is None:
        first = datetime.combine(first_day, time(12), tzinfo=UTC)
    return f"All programme times are local times in {zone_label(zone, first)}."


def times_note(delegation: Delegation) -> str:
    """Which zone the programme's times are in, and any change of its UTC offset."""
    first = min((i.starts_at for i in delegation.items), default=None)
    if first is None:
        first = datetime.combine(delegation.start_date, time(12), tzinfo=UTC)
    return _times_note(delegation.timezone, *visit_days(delegation), first)


def visit_days(delegation: Delegation) -> tuple[date, date]:
    """The first and last local days of the visit, items outside its dates included."""
    zone = delegation.timezone
    days = [local_day(i.starts_at, zone) for i in delegation.items]
    days += [local_day(i.ends_at, zone) for i in delegation.items]
    return min([delegation.start_date, *days]), max([delegation.end_date, *days])


@lru_cache(maxsize=64)
def _offset_changes(zone: str, first: date, last: date) -> tuple[OffsetChange, ...]:
    return tuple(offset_changes(zone, first, last))


def visit_offset_changes(delegation: Delegation) -> list[OffsetChange]:
    """The changes of the delegation's UTC offset during the visit."""
    return list(_offset_changes(delegation.timezone, *visit_days(delegation)))


def person_line(person: Person) -> str:
    """``<b>Name</b>, job title, Organisation · e-mail · phone`` as Paragraph markup
    (name and role only for a person without consent: ``exports.consent``)."""
    who = [f"<b>{text(person.full_name)}</b>"]
    if person.job_title:
        who.append(text(person.job_title))
    if person.organisation is not None:
        who.append(text(person.organisation.display_name))
    reach = [text(v) for v in (email_of(person),) if v]
    if clean(phone_of(person)):
        reach.append(phone(phone_of(person)))
    return ", ".join(who) + (" · " + " · ".join(reach) if reach else "")


def contacts_block(delegation: Delegation, sheet: Styles) -> list[Flowable]:
    """Lead officer and emergency contacts."""
    story: list[Flowable] = []
    if delegation.lead_officer is not None:
        story.append(Paragraph("Lead officer", sheet["h2"]))
        story.append(Prepared(person_line(delegation.lead_officer), sheet["body"]))
    if clean(delegation.emergency_contacts):
        story.append(Paragraph("Emergency contacts", sheet["h2"]))
        story += prepared_paragraphs(delegation.emergency_contacts, sheet["body"])
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
    if attendee.status is not None and not attendee.confirmed:
        role += f" · Status: {attendee.status.label}"
        if attendee.status.attending:
            role += " (not confirmed yet)"
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
        story += hotel_lines(attendee, sheet)
    else:
        story.append(Paragraph("No hotel recorded.", sheet["muted"]))
    return story


def hotel_lines(attendee: Participation, sheet: Styles) -> list[Flowable]:
    """Name, address and phone; stay; booking reference, room type and sharing; notes."""
    story: list[Flowable] = [Paragraph(f"<b>{text(attendee.hotel)}</b>", sheet["body"])]
    reach = [text(attendee.hotel_address)] if attendee.hotel_address else []
    if clean(attendee.hotel_phone):
        reach.append(f"phone {phone(attendee.hotel_phone)}")
    if reach:
        story.append(Paragraph(" · ".join(reach), sheet["body"]))
    stay = [
        f"Check-in {short_day(attendee.check_in)}" if attendee.check_in else "",
        f"Check-out {short_day(attendee.check_out)}" if attendee.check_out else "",
    ]
    if any(stay):
        story.append(Paragraph(text(" · ".join(s for s in stay if s)), sheet["body"]))
    room = []
    if clean(attendee.booking_reference):
        room.append(f"Booking reference <b>{text(attendee.booking_reference)}</b>")
    if clean(attendee.room_type):
        room.append(f"Room: {text(attendee.room_type)}")
    if clean(attendee.room_sharing):
        room.append(f"shared {text(attendee.room_sharing)}")
    if room:
        story.append(Paragraph(" · ".join(room), sheet["body"]))
    if attendee.room_notes:
        story.append(Paragraph(text(attendee.room_notes), sheet["italic"]))
    return story


# --- the programme ---------------------------------------------------------------------------


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
    one does not need to. Between two items at different venues a line says how the
    group gets from one to the other.
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
    parallel = overlapping(items)
    story: list[Flowable] = [Paragraph("Programme", sheet["h1"])]
    if not days:
        story.append(Paragraph("No programme items.", sheet["muted"]))
    height = frame_height(options)
    for number, (day, day_items) in enumerate(sorted(days.items()), start=1):
        report(options, number - 1, len(days))
        story.append(CondPageBreak(45 * mm))
        story.append(Paragraph(text(format_day(day)), sheet["h2"]))
        story.append(HRFlowable(width="100%", thickness=1, color=ACCENT, spaceAfter=2 * mm))
        story += day_offset(zone, day, changes.get(day, []), sheet)
        if not day_items:
            story.append(Paragraph("No programme items on this day.", sheet["muted"]))
        done: list[AgendaItem] = []  # the day's items so far, not cancelled
        for item in day_items:
            way = None
            if item.status != ItemStatus.CANCELLED:
                way = way_to(item, done, items, options, personal=personal)
                done.append(item)
            names = None if personal or item.everyone else who(item, delegation)
            story.append(
                item_block(item, zone, sheet, height, names, id(item) in parallel, way=way)
            )
    report(options, len(days), len(days))
    return story


def audience(item: AgendaItem, personal: bool) -> frozenset[int] | None:
    """Who goes to ``item``: None for everyone (and in a personal itinerary, where all
    items are the attendee's), else the participations' ids."""
    if personal or item.everyone:
        return None
    return frozenset(p.id or id(p) for p in item.participants)


def covers(wider: frozenset[int] | None, narrower: frozenset[int] | None) -> bool:
    return wider is None or (narrower is not None and narrower <= wider)


def way_to(
    item: AgendaItem,
    done: list[AgendaItem],
    items: list[AgendaItem],
    options: ExportOptions,
    *,
    personal: bool,
) -> wayfinding.Way | None:
    """How the people of ``item`` get there from where they were before on the same day.

    Where they were: the latest earlier item (not in parallel with this one) that all
    of them attended. When some of them come from elsewhere (parallel tracks meeting
    again), there is no one way to tell, and nothing is said.
    """
    group = audience(item, personal)
    for earlier in reversed(done):
        if earlier.ends_at > item.starts_at:
            continue  # in parallel with it
        before = audience(earlier, personal)
        if covers(before, group):
            if not personal:  # a transfer named on the way must be theirs
                items = [i for i in items if covers(audience(i, personal), group)]
            way = wayfinding.way_between(earlier, item, options.ways, items)
            origin = earlier.end_venue
            if way is None or origin is None:
                return way
            # Said from where: with parallel tracks, the item above may be another one's.
            said = way.text if way.text.startswith("to ") else f": {way.text}"
            return wayfinding.Way(
                f"from {origin.name}{' ' if said[0] == 't' else ''}{said}", way.transfer
            )
        if group is None or before is None or group & before:
            return None  # some of them were elsewhere
    return None


@lru_cache(maxsize=256)
def _day_label(zone: str, day: date) -> str:
    return day_zone_label(zone, day)


def day_offset(zone: str, day: date, changes: list[OffsetChange], sheet: Styles) -> list[Flowable]:
    """The day's zone and UTC offset; on a day the offset changes, when and how."""
    story: list[Flowable] = [Prepared(text(f"Times: {_day_label(zone, day)}"), sheet["muted"])]
    for change in changes:
        note = f'<font color="{ACCENT.hexval()}"><b>{text(change.note())}</b></font>'
        story.append(Paragraph(note, sheet["body"]))
    story.append(Spacer(1, 1.5 * mm))
    return story


def overlapping(items: list[AgendaItem]) -> set[int]:
    """The ``id()`` of each item of ``items`` (in time order) that runs at the same time
    as another one that is not cancelled: one sweep, not a comparison of every pair."""
    spans = [(i.starts_at, i.ends_at, i.status != ItemStatus.CANCELLED) for i in items]
    found: set[int] = set()
    latest_end = None  # the latest end of the live items before this one
    for index, (start, end, live) in enumerate(spans):
        if latest_end is not None and latest_end > start:
            found.add(id(items[index]))
        if live and (latest_end is None or end > latest_end):
            latest_end = end
    earliest_start = None  # the earliest start of the live items after this one
    for index in range(len(spans) - 1, -1, -1):
        start, end, live = spans[index]
        if earliest_start is not None and earliest_start < end:
            found.add(id(items[index]))
        if live and (earliest_start is None or start < earliest_start):
            earliest_start = start
    return found


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


class Together(Flowable):
    """Flowables kept on one page, as ``KeepTogether`` keeps them, for less: that one
    copies the whole frame to measure each group, this one adds up the parts' heights
    (whose layouts are remembered). A group that does not fit where it is goes to the
    next page; one taller than a page flows part by part (a long description splits).
    """

    def __init__(self, parts: list[Flowable], page_height: float) -> None:
        super().__init__()
        self.parts = parts
        self.page_height = page_height
        self._offsets: list[float] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        offsets: list[float] = []
        y = 0.0
        previous_after = 0.0
        for index, part in enumerate(self.parts):
            if index:
                y += max(previous_after, part.getSpaceBefore())
            _, h = part.wrap(availWidth, availHeight)
            y += h
            offsets.append(y)
            previous_after = part.getSpaceAfter()
        self._offsets = offsets
        self.width, self.height = availWidth, y
        return availWidth, y

    def getSpaceBefore(self) -> float:
        return self.parts[0].getSpaceBefore() if self.parts else 0

    def getSpaceAfter(self) -> float:
        return self.parts[-1].getSpaceAfter() if self.parts else 0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self.height <= self.page_height or not self.parts:
            return []  # the next page
        # Taller than a page: part by part, the first one split too when it must be.
        first, *rest = self.parts
        if first.wrap(availWidth, availHeight)[1] <= availHeight:
            return list(self.parts)
        pieces = first.split(availWidth, availHeight)
        return [*pieces, *rest] if pieces else []

    def draw(self) -> None:
        for part, bottom in zip(self.parts, self._offsets, strict=True):
            part.drawOn(self.canv, 0, self.height - bottom)


class ItemBlock(Flowable):
    """One item's head: the time on the left, title and details in the middle, the
    venue's map code on the right. Drawn as one piece (it is kept short: the
    description follows it as paragraphs that may split); only details taller than a
    page (hundreds of participants, say) are let flow, under the title."""

    def __init__(
        self,
        when: Paragraph,
        lines: list[Prepared],
        code: Flowable | None = None,
        page_height: float = 0,
    ) -> None:
        super().__init__()
        self.when = when
        self.lines = lines
        self.code = code
        self.page_height = page_height
        self._placed: list[tuple[Flowable, float, float]] = []

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if len(self.lines) < 2 or self.height <= self.page_height:
            return []  # the next page
        head = ItemBlock(self.when, self.lines[:1], self.code, self.page_height)
        if head.wrap(availWidth, availHeight)[1] > availHeight:
            return []
        return [head, *(Paragraph(p._markup, indented(p.style)) for p in self.lines[1:])]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        body_x = TIME_COLUMN + GUTTER
        body_w = availWidth - body_x
        if self.code is not None:
            body_w -= CODE_SIDE + CODE_GAP
        _, when_h = self.when.wrap(TIME_COLUMN, availHeight)
        heights: list[float] = []
        for line in self.lines:
            _, h = line.wrap(body_w, availHeight)
            heights.append(h)
        body_h = sum(heights) + sum(line.style.spaceAfter for line in self.lines[:-1])
        height = max(when_h, body_h, CODE_SIDE if self.code is not None else 0)
        placed: list[tuple[Flowable, float, float]] = [(self.when, 0, height - when_h)]
        y = height
        for line, h in zip(self.lines, heights, strict=True):
            y -= h
            placed.append((line, body_x, y))
            y -= line.style.spaceAfter
        if self.code is not None:
            placed.append((self.code, availWidth - CODE_SIDE, height - CODE_SIDE))
        self._placed = placed
        self.width, self.height = availWidth, height
        return availWidth, height

    def draw(self) -> None:
        for flowable, x, y in self._placed:
            flowable.drawOn(self.canv, x, y)


def item_block(
    item: AgendaItem,
    zone: str,
    sheet: Styles,
    page_height: float,
    names: str | None = None,
    parallel: bool = False,
    *,
    way: wayfinding.Way | None = None,
) -> Flowable:
    """One agenda item: how the group gets there, time and title, details (the venue's
    map code at the right), description, rule."""
    cancelled = item.status == ItemStatus.CANCELLED
    head = Prepared(head_markup(item, parallel), sheet["item_title"])
    when = when_markup(item.starts_at, item.ends_at, zone)
    if cancelled:
        when = f"<strike>{when}</strike>"
    lines: list[Prepared] = [head]
    code = None
    if not cancelled:
        details = detail_markup(item)
        if names is not None:
            details.insert(0, f"Participants: {text(names) or 'none yet'}")
        if details:
            # One paragraph of lines: drawn in one go (a paragraph per line costs more).
            lines.append(Prepared("<br/>".join(details), sheet["detail"]))
        if wayfinding.has_position(item.venue):
            assert item.venue is not None
            code = wayfinding.map_code(item.venue, CODE_SIDE, link=False)
    story: list[Flowable] = []
    if way is not None:
        story.append(Prepared(f"↓ {text(way.text)}", sheet["way"]))
        story.append(Spacer(1, 1.5 * mm))
    story.append(ItemBlock(Prepared(when, sheet["time"]), lines, code, page_height))
    if not cancelled and clean(item.description):
        story.append(Spacer(1, 1.5 * mm))
        story += prepared_paragraphs(item.description, sheet["body_indented"])
    story.append(
        HRFlowable(width="100%", thickness=0.4, color=RULE, spaceBefore=2 * mm, spaceAfter=2 * mm)
    )
    return Together(story, page_height)


def head_markup(item: AgendaItem, parallel: bool) -> str:
    """The title and, in smaller type, kind and status."""
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
    return f"{title}<br/><font size=8 color='{MUTED.hexval()}'>{' · '.join(tags)}</font>"


def when_markup(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """``09:00–10:30``; around a change of offset, a time that occurs twice (the hour
    repeated when the clocks go back) with its offset, and the end on its own line."""
    start = clock_markup(starts_at, zone, SMALLEST)
    end = clock_markup(ends_at, zone, SMALLEST)
    if repeated(starts_at, zone) or repeated(ends_at, zone):
        return f"{start}–<br/>{end}"
    return f"{start}–{end}"


def map_link(venue: Any) -> str:
    """A clickable ``Map: openstreetmap.org · 41.38560, 2.18100`` line."""
    url = escape(wayfinding.map_url(venue), {'"': "&quot;"})
    label = text(wayfinding.short_map_label(venue))
    return f'<a href="{url}" color="{ACCENT.hexval()}"><u>{label}</u></a>'


def place_markup(label: str, venue: Any) -> str:
    """``Venue: <b>name</b>, address`` and, after a line break, its map link."""
    place = f"{label}: <b>{text(venue.name)}</b>"
    if venue.full_address:
        place += f", {text(venue.full_address)}"
    return f"{place}<br/>{map_link(venue)}"


def detail_markup(item: AgendaItem) -> list[str]:
    """Where (pick-up and drop-off for a transfer, with map links), access, transport,
    host and contacts with phones, dress code, wifi: one markup string per line."""
    lines: list[str] = []
    venue = item.venue
    if item.is_transfer:
        if venue is not None:
            lines.append(place_markup("Pick-up", venue))
        if item.dropoff_venue is not None:
            lines.append(place_markup("Drop-off", item.dropoff_venue))
        transport = [text(clean(v)) for v in (item.transport_company, item.vehicle) if clean(v)]
        if clean(item.driver_phone):
            transport.append(f"driver <b>{phone(item.driver_phone)}</b>")
        if transport:
            lines.append("Transport: " + " · ".join(transport))
    elif venue is not None:
        lines.append(place_markup("Venue", venue))
    if venue is not None and clean(venue.access_notes):
        # Right under the venue (a transfer's pick-up): it says how to get in or where to wait.
        lines.insert(1 if item.is_transfer else len(lines), f"Access: {text(venue.access_notes)}")
    if item.host is not None:
        host = f"Host: <b>{text(item.host.display_name)}</b>"
        if clean(item.host.phone):
            host += f" · {phone(item.host.phone)}"
        lines.append(host)
    for contact in item.host_contacts:
        lines.append(f"Contact: {person_line(contact)}")
    if clean(item.dress_code):
        lines.append(f"Dress code: <b>{text(clean(item.dress_code))}</b>")
    if clean(item.wifi):
        lines.append(f"Wi-Fi: {text(clean(item.wifi))}")
    return lines


def indented(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` indented to the title column."""
    return ParagraphStyle(f"{style.name}-indented", parent=style, leftIndent=TIME_COLUMN + GUTTER)
