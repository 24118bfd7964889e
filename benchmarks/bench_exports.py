"""Time the exports next to the same work done directly with the bare libraries.

    .venv/bin/python benchmarks/bench_exports.py [--badges 2000] [--items 5000]

Each case runs once per side on synthetic data built in memory from transient ORM
objects (no database), and prints both times and their ratio. The bare baselines are
the fastest direct approach for the same output:

* badges: 2,000 attendees on Avery L7418 with QR codes; a ReportLab canvas with the
  embedded DejaVu font, segno matrices drawn as one merged path per code, and QR
  encoding spread over every core, as ``docs/performance.md`` measures it;
* itinerary: 40 attendees and 30 items; a platypus document with the same
  time/title table, detail paragraphs and rules per item;
* calendar: 5,000 items; icalendar building the same events with a VTIMEZONE.

Figures, not pass/fail: the targets are at most 1.5 × the bare baseline, and about
4 s or less for 2,000 badges with QR codes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from importlib.util import find_spec
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


def _bare_encode(chunk: Sequence[str]) -> list[tuple[int, list[tuple[int, int, int]]]]:
    import segno

    codes = []
    for data in chunk:
        matrix = segno.make(data, error="m", micro=False, boost_error=False).matrix
        runs = []
        for row, line in enumerate(matrix):
            col = 0
            while col < len(line):
                if line[col]:
                    begin = col
                    while col < len(line) and line[col]:
                        col += 1
                    runs.append((row, begin, col - begin))
                else:
                    col += 1
        codes.append((len(matrix), runs))
    return codes


def bare_badges(delegation: Delegation, out: Path, qr: bool = True) -> None:
    """L7418 badges straight on a ReportLab canvas, QR codes as merged paths.

    The same marks as ours (rounded clip, role band, rule, title, name, organisation,
    role) at fixed positions and sizes: the drawing without the layout logic.
    """
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    people = sorted(delegation.participations, key=lambda p: p.display_name)
    codes: list[tuple[int, list[tuple[int, int, int]]] | None] = [None] * len(people)
    if qr:
        payloads = [p.uuid.upper() for p in people]
        workers = os.cpu_count() or 1
        size = -(-len(payloads) // (workers * 4))
        chunks = [payloads[i : i + size] for i in range(0, len(payloads), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            codes = [code for part in pool.map(_bare_encode, chunks) for code in part]
    canvas = Canvas(str(out), invariant=1, initialFontName=FONT)
    width, height = 86 * MM, 55 * MM
    band, ink, white = HexColor("#1F5FA8"), HexColor("#1A1A1A"), HexColor("#FFFFFF")
    for index, (participation, code) in enumerate(zip(people, codes, strict=True)):
        slot = index % 8
        if index and slot == 0:
            canvas.showPage()
        x = (19 + (slot % 2) * 86) * MM
        y = (297 - 38.5 - (slot // 2 + 1) * 55) * MM
        canvas.saveState()
        clip = canvas.beginPath()
        clip.roundRect(x, y, width, height, 3 * MM)
        canvas.clipPath(clip, stroke=0, fill=0)
        canvas.setFillColor(band)
        canvas.rect(x, y, width, 10 * MM, stroke=0, fill=1)
        canvas.setStrokeColor(band)
        canvas.line(x + 28 * MM, y + 43 * MM, x + 58 * MM, y + 43 * MM)
        canvas.setFillColor(white)
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawCentredString(x + width / 2, y + 3.5 * MM, participation.role.label)
        canvas.setFillColor(ink)
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(x + width / 2, y + height - 6 * MM, delegation.title)
        name = participation.display_name
        size_pt = min(22.0, 50 * MM / (stringWidth(name, FONT_BOLD, 1) or 1))
        canvas.setFont(FONT_BOLD, size_pt)
        canvas.drawCentredString(x + 28 * MM, y + 30 * MM, name)
        organisation = participation.person.organisation
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(
            x + 28 * MM, y + 22 * MM, organisation.name if organisation else ""
        )
        if code is not None:
            modules, runs = code
            module = 22 * MM / (modules + 4)
            canvas.transform(module, 0, 0, -module, x + 60 * MM, y + 46 * MM)
            path = canvas.beginPath()
            for row, column, length in runs:
                path.rect(column, row, length, 1)
            canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()
    canvas.showPage()
    canvas.save()


# --------------------------------------------------------------------------- bare itinerary


def bare_itinerary(delegation: Delegation, out: Path) -> None:
    """A platypus document with the same per-item table, details and rule."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        HRFlowable,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Table,
        TableStyle,
    )

    zone = ZoneInfo(delegation.timezone)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, leftIndent=80)
    story: list[object] = [Paragraph(delegation.title, body)]
    for item in sorted(delegation.items, key=lambda i: i.starts_at):
        begins, ends = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
        head = Paragraph(f"<b>{item.title}</b><br/>{item.kind.label}", body)
        row = Table(
            [[Paragraph(f"{begins:%H:%M}–{ends:%H:%M}", body), head]],
            colWidths=[77, 400],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
        )
        venue, host = item.venue, item.host
        assert venue is not None and host is not None
        details = [Paragraph(f"Venue: {venue.name}, {venue.full_address}", small)]
        details.append(Paragraph(f"Host: {host.display_name}", small))
        for contact in item.host_contacts:
            details.append(Paragraph(f"Contact: {contact.full_name}, {contact.email}", small))
        if not item.everyone:
            names = ", ".join(p.display_name for p in item.attendees(delegation.participations))
            details.append(Paragraph(f"Participants: {names}", small))
        details += [Paragraph(line, small) for line in item.description.splitlines()]
        rule = HRFlowable(width="100%", thickness=0.4, color=colors.grey)
        story.append(KeepTogether([row, *details, rule]))
    doc = SimpleDocTemplate(str(out), pagesize=A4, invariant=1, initialFontName=FONT)
    doc.build(story)


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
    parser.add_argument("--badges", type=int, default=2000)
    parser.add_argument("--items", type=int, default=5000)
    args = parser.parse_args(argv)

    from delegations.exports import badges, ical

    register_fonts()  # both sides use the same registered fonts
    print(f"{os.cpu_count()} cores; one run each; times in seconds")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        crowd = make_delegation(args.badges, 4)
        compare(
            f"badges: {args.badges} on L7418 with QR",
            lambda: badges.export(crowd, work / "badges.pdf", ExportOptions(qr=True)),
            lambda: bare_badges(crowd, work / "bare-badges.pdf"),
        )
        compare(
            f"badges: {args.badges} on L7418 without QR",
            lambda: badges.export(crowd, work / "plain.pdf", ExportOptions()),
            lambda: bare_badges(crowd, work / "bare-plain.pdf", qr=False),
        )
        if find_spec("delegations.exports.itinerary") is not None:
            from delegations.exports import itinerary

            visit = make_delegation(40, 30)
            compare(
                "itinerary: 40 attendees, 30 items",
                lambda: itinerary.export(visit, work / "itinerary.pdf", ExportOptions()),
                lambda: bare_itinerary(visit, work / "bare-itinerary.pdf"),
            )
        else:
            print("itinerary: delegations.exports.itinerary is not there; skipped")
        programme = make_delegation(10, args.items)
        options = ExportOptions(generated_at=STAMP)
        compare(
            f"calendar: {args.items} items",
            lambda: ical.export(programme, work / "calendar.ics", options),
            lambda: bare_calendar(programme, work / "bare-calendar.ics"),
        )


if __name__ == "__main__":
    main()
