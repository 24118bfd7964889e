"""Publications: what each calendar given to an audience held, and what changed since.

The database remembers, per delegation and per audience, every calendar that was
exported or sent (``model.Publication``). A later calendar for the same audience
reads the last one and writes every event that is now gone as cancelled, so that
calendar clients drop it instead of keeping a meeting that no longer exists.

How a caller publishes a calendar (command line, window, attendee packs)::

    audience = publications.audience_key(person_id=person_id)        # or host_id=, or none
    with db.session() as session:
        published = publications.last_published(session, delegation_id, audience)
        delegation = queries.load_delegation(session, delegation_id)
    options = ExportOptions(attendee_id=person_id, published=published, generated_at=now)
    ical.export(delegation, out, options)                              # the file first
    held = ical.snapshot(delegation, options)                          # what it holds
    history.perform(db, publications.record(delegation_id, audience, held, at=now))

(services never import exports: the caller, which may, passes ``held`` in.)

Audiences: ``delegation`` (the delegation calendar), ``person:ID`` (an attendee,
by person id, so that it survives their removal from the delegation) and
``host:ID`` (a host organisation).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import (
    DELEGATION_AUDIENCE,
    Delegation,
    DelegationStatus,
    Participation,
    Publication,
    PublishedEvent,
    utc_now,
)
from delegations.model.publications import (
    ITEM,
    TRAVEL,
    item_location,
    leg_summary,
    person_audience,
)
from delegations.services.base import get
from delegations.services.history import Operation

HOTEL_FIELDS = ("hotel", "hotel_address", "hotel_phone", "check_in", "check_out", "room_type")
"""What a publication to an attendee remembers of their hotel."""


def audience_key(*, person_id: int | None = None, host_id: int | None = None) -> str:
    """``delegation``, ``person:ID`` or ``host:ID`` (not both ids)."""
    if person_id is not None and host_id is not None:
        raise ValueError("an audience is an attendee or a host, not both")
    if person_id is not None:
        return person_audience(person_id)
    if host_id is not None:
        return f"host:{int(host_id)}"
    return DELEGATION_AUDIENCE


def last_publication(session: Session, delegation_id: int, audience: str) -> Publication | None:
    """The newest publication of a delegation to an audience, or None."""
    return session.scalars(
        select(Publication)
        .where(Publication.delegation_id == delegation_id, Publication.audience == audience)
        .order_by(Publication.id.desc())
        .limit(1)
    ).first()


def last_published(
    session: Session, delegation_id: int, audience: str
) -> dict[str, PublishedEvent]:
    """What the audience last received, by UID (empty: nothing was published to it).

    Pass it as ``ExportOptions.published``.
    """
    publication = last_publication(session, delegation_id, audience)
    return publication.published_events() if publication is not None else {}


def _person_of(audience: str) -> int | None:
    kind, _, value = audience.partition(":")
    return int(value) if kind == "person" and value.isdigit() else None


def _participation(session: Session, delegation_id: int, person_id: int) -> Participation | None:
    return session.scalars(
        select(Participation).where(
            Participation.delegation_id == delegation_id, Participation.person_id == person_id
        )
    ).first()


def _hotel(participation: Participation | None) -> dict[str, str]:
    if participation is None or not participation.status.attending:
        return {}
    values = {name: getattr(participation, name) for name in HOTEL_FIELDS}
    return {
        k: v.isoformat() if hasattr(v, "isoformat") else str(v or "") for k, v in values.items()
    }


def record(
    delegation_id: int,
    audience: str,
    events: Mapping[str, PublishedEvent],
    *,
    at: datetime | None = None,
) -> Operation[int]:
    """Remember that ``audience`` received a calendar holding ``events`` (as
    ``exports.ical.snapshot`` gives them); for an attendee, with their hotel as it is
    now. Returns the publication's id. Undoable like any change; it does not change
    the delegation's version."""
    held = dict(events)
    if audience != DELEGATION_AUDIENCE and _person_of(audience) is None:
        kind, _, value = audience.partition(":")
        if kind != "host" or not value.isdigit():
            raise ValueError(f"unknown audience {audience!r}")

    def label(session: Session) -> str:
        title = get(session, Delegation, delegation_id, "delegation").title
        return f"record the calendar published for “{title}”"

    def run(session: Session) -> int:
        get(session, Delegation, delegation_id, "delegation")
        person_id = _person_of(audience)
        hotel = ""
        if person_id is not None:
            found = _hotel(_participation(session, delegation_id, person_id))
            hotel = json.dumps(found, ensure_ascii=False, sort_keys=True) if found else ""
        when = (at or utc_now()).astimezone(UTC)
        publication = Publication(
            delegation_id=delegation_id,
            audience=audience,
            published_at=when,
            events=Publication.encode(held),
            hotel=hotel,
        )
        session.add(publication)
        session.flush()
        return int(publication.id)

    return Operation(label, run)


def record_many(
    delegation_id: int,
    held: Mapping[str, Mapping[str, PublishedEvent]],
    *,
    at: datetime | None = None,
) -> Operation[list[int]]:
    """``record`` for several audiences at once (audience → events), in one
    transaction: what an attendee pack or a send gave everyone. Returns the ids."""
    steps = [record(delegation_id, audience, events, at=at) for audience, events in held.items()]

    def label(session: Session) -> str:
        title = get(session, Delegation, delegation_id, "delegation").title
        return f"record the calendars published for “{title}”"

    def run(session: Session) -> list[int]:
        get(session, Delegation, delegation_id, "delegation")
        return [step.run(session) for step in steps]

    return Operation(label, run)


# ------------------------------------------------------------------ what changed


@dataclass(frozen=True)
class ChangeLine:
    """One difference between what an attendee last received and the plan now.

    Attributes:
        kind: ``new``, ``moved``, ``changed`` (title or place), ``cancelled``,
            ``hotel`` or ``travel``.
        text: a plain sentence for them (their own items, journeys and hotel only).
        uid: the event's UID ("" for the hotel).
    """

    kind: str
    text: str
    uid: str = ""


def current_events(delegation: Delegation, person_id: int) -> dict[str, PublishedEvent]:
    """What the attendee's calendar would hold now (without what is gone), by UID."""
    participation = next((p for p in delegation.participations if p.person_id == person_id), None)
    if participation is None or not participation.status.attending:
        return {}
    cancelled = delegation.status == DelegationStatus.CANCELLED
    out: dict[str, PublishedEvent] = {}
    for item in delegation.items:
        if not item.concerns(participation):
            continue
        status = "CANCELLED" if cancelled else item.status.value.upper()
        out[item.uuid] = PublishedEvent(
            item.uuid, item.revision or 0, item.title, item.starts_at.astimezone(UTC),
            item.ends_at.astimezone(UTC), item_location(item), status, ITEM,
        )  # fmt: skip
    for leg in participation.travel:
        status = "CANCELLED" if cancelled else "CONFIRMED"
        out[leg.uuid] = PublishedEvent(
            leg.uuid, leg.revision or 0, leg_summary(leg), leg.departs_at.astimezone(UTC),
            leg.arrives_at.astimezone(UTC), leg.origin, status, TRAVEL,
        )  # fmt: skip
    return out


def changes_since(session: Session, delegation_id: int, person_id: int) -> list[ChangeLine]:
    """What differs from what the attendee last received: new, moved, changed and
    cancelled items, new travel or hotel, in time order. Empty when nothing differs,
    and when nothing was ever published to them (there is nothing to compare with)."""
    publication = last_publication(session, delegation_id, audience_key(person_id=person_id))
    if publication is None:
        return []
    delegation = get(session, Delegation, delegation_id, "delegation")
    zone = _zone(delegation.timezone)
    before = publication.published_events()
    now = current_events(delegation, person_id)
    lines: list[tuple[datetime, ChangeLine]] = []
    for uid, event in now.items():
        old = before.get(uid)
        what = _what(event)
        if old is None or (old.cancelled and not event.cancelled):
            verb = "New journey" if event.kind == TRAVEL else "New"
            kind = "travel" if event.kind == TRAVEL else "new"
            text = f"{verb}: {what}, {_when(event, zone)}."
            lines.append((event.starts_at, ChangeLine(kind, text, uid)))
        elif event.cancelled and not old.cancelled:
            text = f"Cancelled: {what}, {_when(old, zone)}."
            lines.append((old.starts_at, ChangeLine("cancelled", text, uid)))
        elif (event.starts_at, event.ends_at) != (old.starts_at, old.ends_at):
            kind = "travel" if event.kind == TRAVEL else "moved"
            text = f"Moved: {what}, now {_when(event, zone)} (was {_when(old, zone)})."
            lines.append((event.starts_at, ChangeLine(kind, text, uid)))
        elif event.summary != old.summary or event.location != old.location:
            kind = "travel" if event.kind == TRAVEL else "changed"
            parts = []
            if event.summary != old.summary:
                parts.append(f"now called “{event.summary}” (was “{old.summary}”)")
            if event.location != old.location:
                parts.append(f"now at {event.location or 'a place to be confirmed'}")
            text = f"Changed: {what}, {_when(event, zone)}: {'; '.join(parts)}."
            lines.append((event.starts_at, ChangeLine(kind, text, uid)))
    for uid, old in before.items():
        if uid not in now and not old.cancelled:
            text = f"Cancelled: {_what(old)}, {_when(old, zone)}."
            lines.append((old.starts_at, ChangeLine("cancelled", text, uid)))
    lines.sort(key=lambda pair: (pair[0], pair[1].uid))
    result = [line for _, line in lines]
    participation = _participation(session, delegation_id, person_id)
    hotel = _hotel(participation)
    if hotel and hotel != publication.published_hotel():
        result.append(ChangeLine("hotel", _hotel_text(hotel)))
    return result


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _what(event: PublishedEvent) -> str:
    return event.summary if event.kind == TRAVEL else f"“{event.summary}”"


def _when(event: PublishedEvent, zone: ZoneInfo) -> str:
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone)
    day = f"{start:%a} {start.day} {start:%b}"
    if end.date() == start.date():
        return f"{day} {start:%H:%M}–{end:%H:%M}"
    return f"{day} {start:%H:%M} – {end:%a} {end.day} {end:%b} {end:%H:%M}"


def _hotel_text(hotel: Mapping[str, str]) -> str:
    name = hotel.get("hotel") or "to be confirmed"
    parts = [f"Hotel: {name}"]
    if hotel.get("hotel_address"):
        parts.append(hotel["hotel_address"])
    dates = [f"check-in {hotel['check_in']}" if hotel.get("check_in") else "",
             f"check-out {hotel['check_out']}" if hotel.get("check_out") else ""]  # fmt: skip
    parts.extend(d for d in dates if d)
    return "New hotel details: " + ", ".join(parts) + "."


@dataclass(frozen=True)
class Received:
    """What one attendee last received, and what differs now.

    Attributes:
        person_id: the attendee.
        published: the events their last calendar held, by UID (empty: none yet).
        published_at: when (None: nothing was ever published to them).
        changes: what differs from it (``changes_since``); empty when nothing does or
            nothing was published.
    """

    person_id: int
    published: dict[str, PublishedEvent]
    published_at: datetime | None
    changes: list[ChangeLine]


def received(
    session: Session, delegation_id: int, person_ids: Iterable[int]
) -> dict[int, Received]:
    """``Received`` for each attendee (by person id): what an attendee pack passes on."""
    out: dict[int, Received] = {}
    for person_id in dict.fromkeys(person_ids):
        publication = last_publication(session, delegation_id, audience_key(person_id=person_id))
        out[person_id] = Received(
            person_id=person_id,
            published=publication.published_events() if publication is not None else {},
            published_at=publication.published_at if publication is not None else None,
            changes=changes_since(session, delegation_id, person_id),
        )
    return out


def former_attendees(session: Session, delegation_id: int) -> dict[int, Received]:
    """People who received a calendar of this delegation and no longer attend it
    (withdrawn, or removed from the delegation), whose last calendar still holds
    events that are not cancelled: they are owed a final calendar cancelling them.
    By person id; ``changes`` lists those events as cancelled."""
    attending = {
        p.person_id
        for p in session.scalars(
            select(Participation).where(Participation.delegation_id == delegation_id)
        )
        if p.status.attending
    }
    audiences = session.scalars(
        select(Publication.audience)
        .where(Publication.delegation_id == delegation_id, Publication.audience.like("person:%"))
        .distinct()
    ).all()
    out: dict[int, Received] = {}
    for audience in sorted(audiences):
        person_id = _person_of(audience)
        if person_id is None or person_id in attending:
            continue
        publication = last_publication(session, delegation_id, audience)
        if publication is None:
            continue
        held = publication.published_events()
        live = sorted((e for e in held.values() if not e.cancelled), key=lambda e: e.starts_at)
        if not live:
            continue
        delegation = get(session, Delegation, delegation_id, "delegation")
        zone = _zone(delegation.timezone)
        out[person_id] = Received(
            person_id=person_id,
            published=held,
            published_at=publication.published_at,
            changes=[
                ChangeLine("cancelled", f"Cancelled: {_what(e)}, {_when(e, zone)}.", e.uid)
                for e in live
            ],
        )
    return out
