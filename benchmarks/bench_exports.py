"""Time the exports next to the same work done directly with the bare libraries.

    .venv/bin/python benchmarks/bench_exports.py [--badges 2000] [--items 5000]

Each case runs once per side on synthetic data built in memory from transient ORM
objects (no database), and prints both times and their ratio. The bare baselines are
the fastest direct approach for the same output:

* badges: 2,000 attendees on Avery L7418 with QR codes; a ReportLab canvas with the
  embedded DejaVu font, segno codes encoded over every core with their path
  operators formatted in the workers, drawn as one merged path per code while later
  codes are still being encoded, one text object per badge (``--badge-runs``
  rounds after a warm-up, alternating sides; min and median). With QR codes two
  export figures: cold (QR cache emptied first, a new session) and warm (the same
  badges again in the same session); target for cold: at most 1.0 × the baseline;
* itinerary: the large sample visit (40 attendees, 120 items) from a database: the
  delegation's itinerary, and 40 personal ones in one process; bare platypus writing
  the same text as plain Paragraphs, one document each (min and median of 3);
* attendance: the large sample visit from a database, one sheet per item (120); bare
  platypus writing the same tables with plain strings in one document (min and
  median of 3);
* programme: the large sample visit with 30, 120 and 480 items (``--programme``);
  bare platypus laying out the same text as one table of plain Paragraphs per day;
* calendar: 5,000 items; icalendar building the same events with a VTIMEZONE.

* pack: the whole visit pack of the large sample visit (programme, badges with QR,
  the delegation calendar, attendance sheets, rooming, dietary and passenger lists,
  and per confirmed attendee an itinerary, a calendar and an e-mail draft) written by
  ``delegations pack --organiser --eml`` in one new process, beside ``bare_pack``
  writing the same documents barely in one new process; and ``delegations --help``
  beside ``python -c pass`` (``--pack-runs``).

Figures, not pass/fail. Targets (issue 13): the whole pack under 5 s; ``--help``
under 0.2 s. Targets (issue 12): programme under 0.5 s for 120 items and
linear in items; 120 attendance sheets under 1 s; 40 personal itineraries under 2 s
in one process; 2,000 badges with QR codes at most 1.0 × the fair baseline (cold).
The documents do more than their baselines (links, map codes, ways between venues,
headings repeated on every page), so their ratios are above 1.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import inspect

from delegations.exports.common import FONT, FONT_BOLD, register_fonts
from delegations.exports.options import ExportOptions
from delegations.model import (
    AgendaItem,
    Delegation,
    ItemKind,
    ItemStatus,
    Organisation,
    Participation,
    ParticipationStatus,
    Person,
    Role,
    TravelDirection,
    TravelLeg,
    TravelMode,
    Venue,
)
from delegations.model.base import RecordMixin

STAMP = datetime(2027, 5, 20, 8, 0, tzinfo=UTC)
ZONE = "Europe/Madrid"
GIVEN = ["Camille", "Μαρία", "Jean-Baptiste", "Zoë", "Иван", "Ørjan", "Łucja", "Aurélie", "Ali"]
FAMILY = ["Durand", "Οικονομίδη", "de La Rochefoucauld", "Łódź", "Петров", "Sørensen", "Nowak"]


# --------------------------------------------------------------------------- data


def with_defaults(record: object) -> None:
    """Fill the scalar column defaults that a flush would (notes, acronyms, ...)."""
    for column in inspect(type(record)).columns:
        default = column.default
        unset = getattr(record, column.key, None) is None
        if unset and default is not None and getattr(default, "is_scalar", False):
            setattr(record, column.key, default.arg)


R = TypeVar("R", bound=RecordMixin)


def _id(counter: list[int]) -> int:
    counter[0] += 1
    return counter[0]


def make_delegation(attendees: int, items: int) -> Delegation:
    """A delegation of transient records with stable UUIDs, as loaded from the store."""
    ids = [0]

    def stamp(record: R) -> R:
        with_defaults(record)
        record.id = _id(ids)
        record.uuid = str(uuid.UUID(int=ids[0]))
        record.updated_at = STAMP - timedelta(days=3)
        return record

    sending = stamp(Organisation(name="Métropole Européenne de Lille", email="mel@example.org"))
    organisations = [
        stamp(Organisation(name=f"Creative cluster {n} — Hauts-de-France", acronym=f"CC{n}"))
        for n in range(12)
    ]
    hosts = [
        stamp(Organisation(name=f"Barcelona host {n}", email=f"host{n}@example.es"))
        for n in range(8)
    ]
    venues = [
        stamp(
            Venue(
                name=f"Venue {n}",
                address=f"Carrer de Roc Boronat {n}",
                postcode="08018",
                city="Barcelona",
                country="Spain",
                latitude=41.40 + n / 1000,
                longitude=2.19,
            )
        )
        for n in range(8)
    ]
    lead = stamp(Person(given_name="Sophie", family_name="Delacroix", email="sd@example.org"))
    delegation = stamp(
        Delegation(
            title="Creative clusters study visit to Barcelona",
            programme="Interreg Europe",
            timezone=ZONE,
            start_date=date(2027, 6, 3),
            end_date=date(2027, 6, 4),
            lead_officer=lead,
            sending_organisation=sending,
        )
    )
    assert isinstance(delegation, Delegation)
    roles = list(Role)
    for n in range(attendees):
        person = stamp(
            Person(
                given_name=GIVEN[n % len(GIVEN)],
                family_name=f"{FAMILY[n % len(FAMILY)]} {n}",
                organisation=organisations[n % len(organisations)],
                email=f"p{n}@example.org",
            )
        )
        participation = stamp(
            Participation(
                person=person,
                person_id=person.id,
                role=roles[n % len(roles)],
                status=ParticipationStatus.CONFIRMED,
                badge_name="",
            )
        )
        assert isinstance(participation, Participation)
        participation.travel = [_leg(stamp, n)]
        delegation.participations.append(participation)
    start = datetime(2027, 6, 3, 7, 0, tzinfo=UTC)
    kinds = list(ItemKind)
    for n in range(items):
        begins = start + timedelta(days=n // 8, minutes=75 * (n % 8))
        item = stamp(
            AgendaItem(
                title=f"Visit {n}: cultural industries, design; media",
                kind=kinds[n % len(kinds)],
                starts_at=begins,
                ends_at=begins + timedelta(hours=1),
                venue=venues[n % len(venues)],
                host=hosts[n % len(hosts)],
                description=f"Presentation and tour, item {n}.\nQuestions and answers.",
                status=ItemStatus.CONFIRMED if n % 5 else ItemStatus.TENTATIVE,
                revision=n % 3,
                everyone=n % 4 != 3,
            )
        )
        assert isinstance(item, AgendaItem)
        item.host_contacts = [lead]
        if not item.everyone:
            item.participants = delegation.participations[: max(1, attendees // 3)]
        delegation.items.append(item)
    return delegation


def _leg(stamp: Callable[[TravelLeg], TravelLeg], n: int) -> TravelLeg:
    departs = datetime(2027, 6, 3, 5, 0, tzinfo=UTC) + timedelta(minutes=n % 50)
    leg = stamp(
        TravelLeg(
            direction=TravelDirection.ARRIVAL,
            mode=TravelMode.FLIGHT,
            carrier="Vueling",
            number=f"VY {8000 + n % 90}",
            origin="Lille-Lesquin (LIL)",
            origin_timezone="Europe/Paris",
            departs_at=departs,
            destination="Barcelona–El Prat (BCN)",
            destination_timezone=ZONE,
            arrives_at=departs + timedelta(hours=2),
            revision=0,
        )
    )
    assert isinstance(leg, TravelLeg)
    return leg


# --------------------------------------------------------------------------- bare badges


MM = 72 / 25.4


def _bare_encode(chunk: Sequence[str]) -> list[tuple[int, str]]:
    """Encode in a worker: (modules per side, merged runs as PDF path operators)."""
    import segno

    codes = []
    for data in chunk:
        matrix = segno.make(data, error="m", micro=False, boost_error=False).matrix
        parts = []
        for row, line in enumerate(matrix):
            col = 0
            while col < len(line):
                if line[col]:
                    begin = col
                    while col < len(line) and line[col]:
                        col += 1
                    parts.append(f"{begin} {row} {col - begin} 1 re")
                else:
                    col += 1
        codes.append((len(matrix), " ".join(parts)))
    return codes


def _bare_codes(payloads: Sequence[str]) -> Iterator[tuple[int, str]]:
    """Codes in order, streamed: small chunks on every core, yielded as they finish."""
    workers = os.cpu_count() or 1
    size = max(8, min(50, -(-len(payloads) // (workers * 2))))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_bare_encode, payloads[i : i + size]) for i in range(0, len(payloads), size)
        ]
        for future in futures:
            yield from future.result()


def bare_badges(delegation: Delegation, out: Path, qr: bool = True) -> None:
    """L7418 badges straight on a ReportLab canvas: the fastest bare approach.

    The same marks as ours (rounded clip, role band, rule, title, given and family
    name, organisation, role, QR code) at fixed positions and sizes, without the
    layout logic: QR path operators formatted in the worker processes and drawn while
    later codes are still being encoded, clip and code written as raw operators, and
    one text object per badge.
    """
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    people = sorted(delegation.participations, key=lambda p: p.display_name)
    codes: Iterator[tuple[int, str] | None] = iter([None] * len(people))
    if qr:
        codes = _bare_codes([p.uuid.upper() for p in people])
    canvas = Canvas(str(out), invariant=1, initialFontName=FONT)
    width, height = 86 * MM, 55 * MM
    band, ink, white = HexColor("#1F5FA8"), HexColor("#1A1A1A"), HexColor("#FFFFFF")
    black = HexColor("#000000")
    radius, k = 3 * MM, 3 * MM * 0.4477
    for index, (participation, code) in enumerate(zip(people, codes, strict=True)):
        slot = index % 8
        if index and slot == 0:
            canvas.showPage()
        x = (19 + (slot % 2) * 86) * MM
        y = (297 - 38.5 - (slot // 2 + 1) * 55) * MM
        x1, y1, r = x + width, y + height, radius
        canvas.saveState()
        canvas.addLiteral(
            f"{x + r:.3f} {y:.3f} m {x1 - r:.3f} {y:.3f} l "
            f"{x1 - k:.3f} {y:.3f} {x1:.3f} {y + k:.3f} {x1:.3f} {y + r:.3f} c "
            f"{x1:.3f} {y1 - r:.3f} l "
            f"{x1:.3f} {y1 - k:.3f} {x1 - k:.3f} {y1:.3f} {x1 - r:.3f} {y1:.3f} c "
            f"{x + r:.3f} {y1:.3f} l "
            f"{x + k:.3f} {y1:.3f} {x:.3f} {y1 - k:.3f} {x:.3f} {y1 - r:.3f} c "
            f"{x:.3f} {y + r:.3f} l "
            f"{x:.3f} {y + k:.3f} {x + k:.3f} {y:.3f} {x + r:.3f} {y:.3f} c h W n"
        )
        canvas.setFillColor(band)
        canvas.rect(x, y, width, 10 * MM, stroke=0, fill=1)
        canvas.setStrokeColor(band)
        canvas.line(x + 28 * MM, y + 43 * MM, x + 58 * MM, y + 43 * MM)
        person = participation.person
        organisation = person.organisation.name if person.organisation else ""
        text = canvas.beginText()
        lines = [
            (participation.role.label, FONT_BOLD, 11.0, width / 2, 3.5 * MM, white),
            (delegation.title, FONT, 8.0, width / 2, height - 6 * MM, ink),
            (organisation, FONT, 8.0, 28 * MM, 22 * MM, ink),
        ]
        for part, baseline in ((person.given_name, 34 * MM), (person.family_name, 28 * MM)):
            size_pt = min(20.0, 50 * MM / (stringWidth(part, FONT_BOLD, 1) or 1))
            lines.append((part, FONT_BOLD, size_pt, 28 * MM, baseline, ink))
        for line, font, size_pt, centre, baseline, colour in lines:
            text.setFont(font, size_pt)
            text.setFillColor(colour)
            text.setTextOrigin(x + centre - stringWidth(line, font, size_pt) / 2, y + baseline)
            text.textOut(line)
        canvas.drawText(text)
        if code is not None:
            modules, path = code
            module = 22 * MM / (modules + 4)
            canvas.setFillColor(black)
            canvas.transform(module, 0, 0, -module, x + 60 * MM, y + 46 * MM)
            canvas.addLiteral(f"{path} f")
        canvas.restoreState()
    canvas.showPage()
    canvas.save()


def compare_badges(crowd: Delegation, work: Path, qr: bool, runs: int) -> None:
    """Badges against ``bare_badges`` in the same run: one warm-up each, then ``runs``
    rounds alternating which side goes first; min and median of each, and the ratio.

    With QR codes two figures: cold (the QR cache emptied before every export, as in a
    new session) and warm (the same badges printed again in the same session).
    """
    from statistics import median

    from delegations.exports import badges
    from delegations.exports import qr as qr_codes

    options = ExportOptions(qr=qr)

    def ours() -> float:
        return timed(lambda: badges.export(crowd, work / "badges.pdf", options))

    def cold() -> float:
        qr_codes.cache_clear()
        return ours()

    def bare() -> float:
        return timed(lambda: bare_badges(crowd, work / "bare-badges.pdf", qr=qr))

    sides = {"cold": cold, "warm": ours} if qr else {"": ours}
    for side in sides.values():
        side()  # warm-up: imports, fonts, worker start-up paths
    bare()
    times: dict[str, list[float]] = {name: [] for name in [*sides, "bare"]}
    for round_ in range(runs):
        order = [*sides.items(), ("bare", bare)]
        if round_ % 2:
            order.reverse()
        for name, side in order:
            if name == "warm":
                ours()  # fill the cache: "warm" is a second print in the same session
            times[name].append(side())
    base_min, base_median = min(times["bare"]), median(times["bare"])
    what = f"badges: {len(crowd.participations)} on L7418 " + ("with QR" if qr else "without QR")
    print(f"{what}: bare min {base_min:.2f} s, median {base_median:.2f} s ({runs} runs)")
    for name in sides:
        low, middle = min(times[name]), median(times[name])
        print(
            f"  export {name or 'plain':<5} min {low:6.2f} s  median {middle:6.2f} s   "
            f"ratio min {low / base_min:5.2f}  median {middle / base_median:5.2f}"
        )


# --------------------------------------------------------------------------- bare itinerary


def itinerary_visit(folder: Path) -> Delegation:
    """``samples.large_visit()`` (40 attendees, 120 items, 3 days) imported into a new
    database and loaded as the application loads it."""
    from delegations.services import package, queries, samples
    from delegations.services.history import Operation, perform
    from delegations.store import Database

    document = samples.large_visit()
    db = Database.open(folder / "itinerary.db")
    made = perform(db, Operation("import", lambda s: package.import_document(s, document).id))
    with db.session() as session:
        return queries.load_delegation(session, made.result)


def _bare_item_lines(item: AgendaItem, zone: ZoneInfo) -> list[str]:
    """The text the itinerary prints for one item, as plain lines."""
    from delegations.exports.wayfinding import short_map_label

    begins, ends = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
    lines = [f"{begins:%H:%M}–{ends:%H:%M}  {item.title}", item.kind.label]
    for label, venue in (("Venue", item.venue), ("Drop-off", item.dropoff_venue)):
        if venue is not None:
            lines += [f"{label}: {venue.name}, {venue.full_address}", short_map_label(venue)]
    if item.transport_company or item.driver_phone:
        lines.append(f"Transport: {item.transport_company} · {item.vehicle} · {item.driver_phone}")
    if item.host is not None:
        lines.append(f"Host: {item.host.display_name} · {item.host.phone}")
    for contact in item.host_contacts:
        lines.append(f"Contact: {contact.full_name}, {contact.email} · {contact.phone}")
    return lines + [line for line in item.description.splitlines() if line.strip()]


def bare_itinerary(
    delegation: Delegation, out: Path, attendee: Participation | None = None
) -> None:
    """The fastest reasonable bare platypus itinerary: the same text as plain Paragraphs
    (no tables, QR codes, links or keep-together), one document; the whole
    delegation's, or ``attendee``'s items after their travel and hotel."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    zone = ZoneInfo(delegation.timezone)
    body = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11)
    lines = [delegation.title, delegation.objectives, delegation.emergency_contacts]
    items = sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at))
    if attendee is not None:
        lines.append(f"{attendee.person.full_name} · {attendee.role.label}")
        for leg in attendee.travel:
            lines.append(
                f"{leg.service} {leg.origin} {leg.departs_at:%H:%M} → "
                f"{leg.destination} {leg.arrives_at:%H:%M}"
            )
        lines.append(f"{attendee.hotel}, {attendee.hotel_address} · {attendee.hotel_phone}")
        lines.append(f"{attendee.booking_reference} · {attendee.room_type}")
        items = [i for i in items if i.concerns(attendee)]
    else:
        for p in delegation.participations:
            lines.append(f"{p.person.full_name} · {p.role.label}")
    for item in items:
        lines += _bare_item_lines(item, zone)
    story = [Paragraph(escape(line), body) for line in lines if line]
    doc = SimpleDocTemplate(str(out), pagesize=A4, invariant=1, initialFontName=FONT)
    doc.build(story)


def compare_itineraries(work: Path, runs: int = 3) -> None:
    """The large visit from the database: the delegation's itinerary, and the 40
    personal itineraries written in one process (what the visit pack does), each
    against ``bare_itinerary`` in the same run: one warm-up each, then ``runs`` rounds
    alternating which side goes first; min and median, ratio."""
    from statistics import median

    from delegations.exports import itinerary

    visit = itinerary_visit(work)
    people = list(visit.participations)
    options = ExportOptions(generated_at=STAMP)

    def whole() -> None:
        itinerary.export(visit, work / "itinerary.pdf", options)

    def bare_whole() -> None:
        bare_itinerary(visit, work / "bare-itinerary.pdf")

    def personal() -> None:
        for p in people:
            mine = ExportOptions(generated_at=STAMP, attendee_id=p.person.id)
            itinerary.export(visit, work / f"itinerary-{p.person.id}.pdf", mine)

    def bare_personal() -> None:
        for p in people:
            bare_itinerary(visit, work / f"bare-itinerary-{p.person.id}.pdf", p)

    for label, ours, bare in (
        ("itinerary: delegation, 40 attendees, 120 items", whole, bare_whole),
        (f"itinerary: {len(people)} personal ones, one process", personal, bare_personal),
    ):
        timed(ours), timed(bare)  # warm-up: fonts, map codes, remembered layouts
        times: dict[str, list[float]] = {"export": [], "bare": []}
        for round_ in range(runs):
            order = [("export", ours), ("bare", bare)]
            for name, side in reversed(order) if round_ % 2 else order:
                times[name].append(timed(side))
        low, middle = min(times["export"]), median(times["export"])
        base_low, base_middle = min(times["bare"]), median(times["bare"])
        print(
            f"{label}: export min {low:5.2f} s median {middle:5.2f} s; "
            f"bare min {base_low:5.2f} s median {base_middle:5.2f} s; "
            f"ratio min {low / base_low:4.2f} median {middle / base_middle:4.2f}"
        )


# --------------------------------------------------------------------------- bare calendar


def bare_calendar(delegation: Delegation, out: Path) -> None:
    """icalendar building the same events, VTIMEZONE from ``add_missing_timezones``."""
    from icalendar import Calendar, Event, vCalAddress

    zone = ZoneInfo(delegation.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Bench//Bare//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    lead = delegation.lead_officer
    assert lead is not None
    organizer = vCalAddress(f"mailto:{lead.email}")
    organizer.params["cn"] = lead.full_name
    for item in delegation.items:
        venue, host = item.venue, item.host
        assert venue is not None and host is not None
        event = Event()
        event.add("uid", f"{item.uuid}@bench")
        event.add("dtstamp", STAMP)
        event.add("sequence", item.revision)
        event.add("last-modified", item.updated_at)
        event.add("organizer", organizer)
        event.add("summary", item.title)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        event.add("location", f"{venue.name}, {venue.full_address}")
        event.add("geo", (venue.latitude, venue.longitude))
        event.add("description", f"Host: {host.name}\n\n{item.description}")
        event.add("categories", [item.kind.label])
        event.add("status", item.status.value.upper())
        calendar.add_component(event)
    calendar.add_missing_timezones()
    out.write_bytes(calendar.to_ical())


# --------------------------------------------------------------------------- bare programme


def programme_visit(folder: Path, items: int) -> Delegation:
    """``samples.large_visit(items=items)`` (40 attendees, 3 days) imported into a new
    database and loaded as the application loads it. Items the sample puts past
    midnight (480 items over 3 days) end 25 minutes after they start."""
    from delegations.services import package, queries, samples
    from delegations.services.history import Operation, perform
    from delegations.store import Database

    document = samples.large_visit(items=items)
    for entry in document["agenda"]:
        if entry["ends_at"] <= entry["starts_at"]:
            starts = datetime.fromisoformat(entry["starts_at"])
            entry["ends_at"] = (starts + timedelta(minutes=25)).isoformat(timespec="seconds")
    db = Database.open(folder / f"programme-{items}.db")
    made = perform(db, Operation("import", lambda s: package.import_document(s, document).id))
    with db.session() as session:
        return queries.load_delegation(session, made.result)


def bare_programme(delegation: Delegation, out: Path) -> None:
    """The same text with bare platypus, the fastest reasonable way: one Table per day of
    plain Paragraphs (time; title, venue and address, host and contacts, who), split
    over pages by rows, no fitting, attendees computed once."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    zone = ZoneInfo(delegation.timezone)
    body = ParagraphStyle("body", fontName=FONT, fontSize=8, leading=10)
    title = ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=11, leading=13)
    attending = [p for p in delegation.participations if p.status.attending]
    names = ", ".join(p.display_name for p in attending)
    style = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
    days: dict[date, list[list[object]]] = {}
    for item in sorted(delegation.items, key=lambda i: (i.starts_at, i.ends_at)):
        begins, ends = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
        cell: list[object] = [Paragraph(item.title, title)]
        if item.venue is not None:
            cell.append(Paragraph(f"{item.venue.name}, {item.venue.full_address}", body))
        contacts = ", ".join(f"{c.full_name} ({c.phone})" for c in item.host_contacts)
        if item.host is not None:
            cell.append(Paragraph(f"Host: {item.host.display_name} · {contacts}", body))
        ids = {p.id for p in item.participants}
        who = (
            names if item.everyone else ", ".join(p.display_name for p in attending if p.id in ids)
        )
        cell.append(Paragraph(f"Who: {who}", body))
        row = [Paragraph(f"{begins:%H:%M}–{ends:%H:%M}", title), cell]
        days.setdefault(begins.date(), []).append(row)
    story: list[object] = []
    for rows in days.values():
        story += [Table(rows, colWidths=[80, 400], style=style), PageBreak()]
    doc = SimpleDocTemplate(str(out), pagesize=A4, invariant=1, initialFontName=FONT)
    doc.build(story[:-1])


def compare_programme(work: Path, sizes: Sequence[int], runs: int = 3) -> None:
    """The programme of 30/120/480 items (40 attendees, 3 days, from the database as the
    application loads it) against ``bare_programme`` in the same run: one warm-up each,
    then ``runs`` rounds alternating which side goes first; min and median, ratio."""
    from statistics import median

    from delegations.exports import programme

    for items in sizes:
        visit = programme_visit(work, items)
        options = ExportOptions(generated_at=STAMP)

        def ours(visit: Delegation = visit, options: ExportOptions = options) -> float:
            return timed(lambda: programme.export(visit, work / "programme.pdf", options))

        def bare(visit: Delegation = visit) -> float:
            return timed(lambda: bare_programme(visit, work / "bare-programme.pdf"))

        ours(), bare()  # warm-up: fonts, QR codes of the venues
        times: dict[str, list[float]] = {"export": [], "bare": []}
        for round_ in range(runs):
            order = [("export", ours), ("bare", bare)]
            for name, side in reversed(order) if round_ % 2 else order:
                times[name].append(side())
        low, middle = min(times["export"]), median(times["export"])
        base_low, base_middle = min(times["bare"]), median(times["bare"])
        print(
            f"programme: {items} items, 40 attendees, 3 days: export min {low:5.2f} s "
            f"median {middle:5.2f} s; bare min {base_low:5.2f} s median {base_middle:5.2f} s; "
            f"ratio min {low / base_low:4.2f} median {middle / base_middle:4.2f}"
        )


# --------------------------------------------------------------------------- bare attendance


def attendance_visit(folder: Path) -> Delegation:
    """``samples.large_visit()`` imported into a new database in ``folder`` and loaded
    as the application loads it."""
    from delegations.services import package, queries, samples
    from delegations.services.history import Operation, perform
    from delegations.store import Database

    document = samples.large_visit()
    db = Database.open(folder / "attendance.db")
    made = perform(db, Operation("import", lambda s: package.import_document(s, document).id))
    with db.session() as session:
        return queries.load_delegation(session, made.result)


def bare_attendance(delegation: Delegation, out: Path) -> None:
    """One platypus document, one sheet per item that is not cancelled: a heading table
    and the signature table (confirmed attendees, three walk-in rows) as plain strings
    with fixed row heights, the certificate as a strings table; tables split by
    platypus with their header repeated."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle

    mm = 72 / 25.4
    zone = ZoneInfo(delegation.timezone)
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
            ("FONTNAME", (1, 1), (1, -1), FONT_BOLD),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ]
    )
    plain = TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9)])
    items = sorted(
        (i for i in delegation.items if i.status != ItemStatus.CANCELLED),
        key=lambda i: (i.starts_at, i.ends_at, i.id),
    )
    story: list[object] = []
    for item in items:
        people = sorted(
            (p for p in item.attendees(delegation.participations) if p.confirmed),
            key=lambda p: (p.person.family_name, p.person.given_name),
        )
        begins, ends = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
        venue = item.venue.name if item.venue is not None else ""
        heading = [
            ["Attendance sheet"],
            [delegation.programme],
            [item.title],
            [f"{begins:%A %d %B %Y} {begins:%H:%M}–{ends:%H:%M}"],
            [venue],
        ]
        rows = [["No.", "Name", "Organisation", "Country", "Signature"]]
        for number, participation in enumerate(people, start=1):
            organisation = participation.person.organisation
            rows.append(
                [
                    str(number),
                    participation.person.sort_name,
                    organisation.name if organisation is not None else "",
                    organisation.country if organisation is not None else "",
                    "",
                ]
            )
        rows += [[str(n), "", "", "", ""] for n in range(len(people) + 1, len(people) + 4)]
        if story:
            story.append(PageBreak())
        story.append(Table(heading, style=plain))
        story.append(
            Table(
                rows,
                colWidths=[8 * mm, 48 * mm, 44 * mm, 19 * mm, 57 * mm],
                rowHeights=[8 * mm] + [10 * mm] * (len(rows) - 1),
                repeatRows=1,
                style=grid,
            )
        )
        certificate = [
            ["I certify that the persons listed on this sheet attended the activity."],
            ["Name of the organiser", "Date", "Signature", "Stamp"],
            [delegation.lead_officer.full_name if delegation.lead_officer else "", "", "", ""],
        ]
        story.append(Table(certificate, rowHeights=[None, None, 17 * mm], style=grid))
    doc = SimpleDocTemplate(str(out), pagesize=A4, invariant=1, initialFontName=FONT)
    doc.build(story)


def compare_attendance(work: Path, runs: int = 3) -> None:
    """120 attendance sheets (one per item of the large visit) in one export, from the
    loaded delegation to the file on disk, beside ``bare_attendance``: a warm-up, then
    ``runs`` rounds alternating which side goes first; min and median, ratio."""
    from statistics import median

    from delegations.exports import attendance

    folder = work / "attendance"
    folder.mkdir(exist_ok=True)
    visit = attendance_visit(folder)
    options = ExportOptions(generated_at=STAMP)
    sides: dict[str, Callable[[], object]] = {
        "export": lambda: attendance.export(visit, folder / "sheets.pdf", options),
        "bare": lambda: bare_attendance(visit, folder / "bare-sheets.pdf"),
    }
    for action in sides.values():
        action()  # warm-up: fonts, imports, caches
    times: dict[str, list[float]] = {name: [] for name in sides}
    for run in range(runs):
        order = list(sides) if run % 2 == 0 else list(reversed(sides))
        for name in order:
            times[name].append(timed(sides[name]))
    low, middle = min(times["export"]), median(times["export"])
    base_low, base_middle = min(times["bare"]), median(times["bare"])
    sheets = sum(1 for i in visit.items if i.status != ItemStatus.CANCELLED)
    print(
        f"attendance: {sheets} sheets, one per item, one export: export min {low:5.2f} s "
        f"median {middle:5.2f} s; bare min {base_low:5.2f} s median {base_middle:5.2f} s; "
        f"ratio min {low / base_low:4.2f} median {middle / base_middle:4.2f}"
    )


# --------------------------------------------------------------------------- whole pack


def bare_personal_calendar(delegation: Delegation, out: Path, attendee: Participation) -> None:
    """icalendar writing one attendee's events (their items, then their journeys)."""
    from icalendar import Calendar, Event

    zone = ZoneInfo(delegation.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Bench//Bare//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for item in delegation.items:
        if not item.concerns(attendee):
            continue
        event = Event()
        event.add("uid", f"{item.uuid}@bench")
        event.add("dtstamp", STAMP)
        event.add("sequence", item.revision or 0)
        event.add("summary", item.title)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        if item.venue is not None:
            event.add("location", f"{item.venue.name}, {item.venue.full_address}")
        event.add("description", item.description)
        event.add("status", item.status.value.upper())
        calendar.add_component(event)
    for leg in attendee.travel:
        event = Event()
        event.add("uid", f"{leg.uuid}@bench")
        event.add("dtstamp", STAMP)
        event.add("summary", f"{leg.service} {leg.origin} → {leg.destination}")
        event.add("dtstart", leg.departs_at)
        event.add("dtend", leg.arrives_at)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    out.write_bytes(calendar.to_ical())


def bare_list(rows: list[list[str]], out: Path) -> None:
    """One platypus table of plain strings, header repeated: a rooming, dietary or
    passenger list at its barest."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8)])
    doc = SimpleDocTemplate(str(out), pagesize=landscape(A4), invariant=1)
    doc.build([Table(rows, repeatRows=1, style=style)])


def bare_pack(db_path: Path, out: Path) -> None:
    """What ``delegations pack --organiser --eml`` writes, done as barely as the
    libraries allow, in this one process: the delegation loaded as the application
    loads it, then the bare programme, badges with QR, the delegation calendar, the
    attendance sheets, three lists, and per confirmed attendee a bare itinerary,
    calendar and ``EmailMessage`` with both attached."""
    from email.message import EmailMessage
    from email.policy import SMTP

    from delegations.services import queries
    from delegations.store import Database

    db = Database.open(db_path)
    with db.session() as session:
        visit = queries.load_delegation(session, queries.list_delegations(session)[0].id)
    register_fonts()
    out.mkdir(parents=True, exist_ok=True)
    bare_programme(visit, out / "programme.pdf")
    organiser = out / "organiser"
    organiser.mkdir(exist_ok=True)
    bare_badges(visit, organiser / "badges.pdf", qr=True)
    bare_calendar_any(visit, organiser / "calendar.ics")
    bare_attendance(visit, organiser / "attendance.pdf")
    people = [p for p in visit.participations if p.confirmed]
    rooms = [["Name", "Hotel", "In", "Out", "Room"]] + [
        [p.person.sort_name, p.hotel, str(p.check_in), str(p.check_out), p.room_type]
        for p in people
    ]
    diets = [["Name", "Dietary"]] + [[p.person.sort_name, p.person.dietary_needs] for p in people]
    legs = [["Name", "Journey", "From", "To"]] + [
        [p.person.sort_name, leg.service, leg.origin, leg.destination]
        for p in people
        for leg in p.travel
    ]
    for name, rows in (("rooming", rooms), ("dietary", diets), ("passengers", legs)):
        bare_list(rows, organiser / f"{name}.pdf")
    for p in people:
        folder = out / str(p.person.id)
        folder.mkdir(exist_ok=True)
        itinerary, calendar = folder / "itinerary.pdf", folder / "calendar.ics"
        bare_itinerary(visit, itinerary, p)
        bare_personal_calendar(visit, calendar, p)
        message = EmailMessage()
        message["From"] = "officer@example.org"
        message["To"] = p.person.email or "nobody@example.org"
        message["Subject"] = f"Your programme: {visit.title}"
        message.set_content("Your programme is attached.")
        message.add_attachment(
            itinerary.read_bytes(), maintype="application", subtype="pdf", filename="i.pdf"
        )
        message.add_attachment(
            calendar.read_bytes(),
            maintype="text",
            subtype="calendar",
            filename="c.ics",
            params={"method": "PUBLISH"},
        )
        (out / f"{p.person.id}.eml").write_bytes(message.as_bytes(policy=SMTP))


def bare_calendar_any(delegation: Delegation, out: Path) -> None:
    """``bare_calendar`` for items that may lack a venue or a host."""
    from icalendar import Calendar, Event

    zone = ZoneInfo(delegation.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Bench//Bare//EN")
    calendar.add("version", "2.0")
    for item in delegation.items:
        event = Event()
        event.add("uid", f"{item.uuid}@bench")
        event.add("dtstamp", STAMP)
        event.add("summary", item.title)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        if item.venue is not None:
            event.add("location", f"{item.venue.name}, {item.venue.full_address}")
        event.add("description", item.description)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    out.write_bytes(calendar.to_ical())


def _command(argv: list[str]) -> float:
    import subprocess
    import sys

    began = time.perf_counter()
    subprocess.run([sys.executable, *argv], check=True, capture_output=True)
    return time.perf_counter() - began


def compare_pack(work: Path, runs: int = 3) -> None:
    """The whole visit pack of the large sample visit (40 attendees, 3 days, 120
    items) as one command in one new process, beside ``bare_pack`` in one new process
    (both pay their imports); then ``delegations --help`` beside ``python -c pass``.
    A warm-up each, then rounds alternating which side goes first; min and median."""
    import subprocess
    import sys
    from statistics import median

    folder = work / "pack"
    folder.mkdir()
    db = folder / "visit.db"
    subprocess.run(
        [sys.executable, "-m", "delegations", "--db", str(db), "demo", "--large"],
        check=True,
        capture_output=True,
    )
    bench = str(Path(__file__).resolve())
    counter = iter(range(1000))

    def ours() -> float:
        out = folder / f"ours-{next(counter)}"
        return _command(
            ["-m", "delegations", "--db", str(db), "pack", "1", "--out", str(out),
             "--organiser", "--eml", "--quiet"]
        )  # fmt: skip

    def bare() -> float:
        return _command([bench, "--bare-pack", str(db), str(folder / f"bare-{next(counter)}")])

    def helps() -> float:
        return _command(["-m", "delegations", "--help"])

    def nothing() -> float:
        return _command(["-c", "pass"])

    files = None
    for label, sides, rounds in (
        ("pack: large visit, whole pack, one command", {"command": ours, "bare": bare}, runs),
        ("start: delegations --help", {"command": helps, "bare": nothing}, max(runs, 5)),
    ):
        for side in sides.values():
            side()  # warm-up: the disk cache, compiled bytecode
        times: dict[str, list[float]] = {name: [] for name in sides}
        for run in range(rounds):
            order = list(sides) if run % 2 == 0 else list(reversed(sides))
            for name in order:
                times[name].append(sides[name]())
        low, middle = min(times["command"]), median(times["command"])
        base_low, base_middle = min(times["bare"]), median(times["bare"])
        if files is None:
            files = sum(1 for p in (folder / "ours-0").rglob("*") if p.is_file())
            label += f" ({files} files)"
        print(
            f"{label}: command min {low:5.2f} s median {middle:5.2f} s; "
            f"bare min {base_low:5.2f} s median {base_middle:5.2f} s; "
            f"ratio min {low / base_low:4.2f} median {middle / base_middle:4.2f}"
        )


# --------------------------------------------------------------------------- running


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def compare(label: str, ours: Callable[[], object], bare: Callable[[], object]) -> None:
    bare_s = timed(bare)
    ours_s = timed(ours)
    print(
        f"{label:<42} export {ours_s:7.2f} s   bare {bare_s:7.2f} s   ratio {ours_s / bare_s:5.2f}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--badges", type=int, default=2000, help="0: no badge figures")
    parser.add_argument("--badge-runs", type=int, default=3, help="rounds per badge figure")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument(
        "--itinerary-runs", type=int, default=3, help="rounds per itinerary figure; 0: none"
    )
    parser.add_argument(
        "--programme", default="30,120,480", help="programme sizes in items; empty: none"
    )
    parser.add_argument(
        "--attendance-runs", type=int, default=3, help="rounds of 120 attendance sheets; 0: none"
    )
    parser.add_argument(
        "--pack-runs", type=int, default=3, help="rounds of the whole pack; 0: none"
    )
    parser.add_argument("--bare-pack", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_pack:  # the baseline's own process (see compare_pack)
        bare_pack(Path(args.bare_pack[0]), Path(args.bare_pack[1]))
        return

    from delegations.exports import ical

    register_fonts()  # both sides use the same registered fonts
    print(f"{os.cpu_count()} cores; one run each; times in seconds")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        crowd = make_delegation(args.badges, 4)
        if args.badges:
            compare_badges(crowd, work, qr=True, runs=args.badge_runs)
            compare_badges(crowd, work, qr=False, runs=args.badge_runs)
        if args.itinerary_runs:
            compare_itineraries(work, args.itinerary_runs)
        if args.programme:
            compare_programme(work, [int(n) for n in args.programme.split(",")])
        if args.attendance_runs:
            compare_attendance(work, args.attendance_runs)
        if args.pack_runs:
            compare_pack(work, args.pack_runs)
        programme = make_delegation(10, args.items)
        options = ExportOptions(generated_at=STAMP)
        compare(
            f"calendar: {args.items} items",
            lambda: ical.export(programme, work / "calendar.ics", options),
            lambda: bare_calendar(programme, work / "bare-calendar.ics"),
        )


if __name__ == "__main__":
    main()
