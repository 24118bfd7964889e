"""What each published calendar held, so that later calendars can update it.

A ``Publication`` is one calendar given to one audience of a delegation (the
delegation calendar, an attendee's, a host organisation's): when, and a JSON
snapshot of every event it held (``PublishedEvent``). A later calendar for the
same audience writes every event that was published and is now gone as
cancelled (same UID, SEQUENCE raised), instead of dropping it silently.

``PublishedEvent`` lives here, below both services and exports: services turn
stored publications into it, exports read it (``ExportOptions.published``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from delegations.model.base import Base
from delegations.model.types import utc_now

if TYPE_CHECKING:
    from delegations.model.records import AgendaItem, TravelLeg

DELEGATION_AUDIENCE = "delegation"
"""The audience key of the delegation calendar; ``person:ID`` and ``host:ID`` otherwise."""


def person_audience(person_id: int) -> str:
    """The audience key of one attendee's calendar: ``person:ID``."""
    return f"person:{int(person_id)}"


ITEM = "item"
TRAVEL = "travel"


@dataclass(frozen=True)
class PublishedEvent:
    """One event as a calendar gave it to its audience.

    Attributes:
        uid: the record's UUID (the calendar UID without ``@delegations``).
        sequence: the SEQUENCE it had.
        summary: its SUMMARY.
        starts_at, ends_at: aware UTC instants.
        location: its LOCATION ("" when none).
        status: ``TENTATIVE``, ``CONFIRMED`` or ``CANCELLED``.
        kind: ``item`` (agenda item) or ``travel`` (a journey).
    """

    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    status: str = "CONFIRMED"
    kind: str = ITEM

    @property
    def cancelled(self) -> bool:
        return self.status == "CANCELLED"

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "sequence": self.sequence,
            "summary": self.summary,
            "start": self.starts_at.astimezone(UTC).isoformat(),
            "end": self.ends_at.astimezone(UTC).isoformat(),
            "location": self.location,
            "status": self.status,
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PublishedEvent:
        return cls(
            uid=str(data["uid"]),
            sequence=int(data["sequence"]),
            summary=str(data.get("summary") or ""),
            starts_at=_instant(data["start"]),
            ends_at=_instant(data["end"]),
            location=str(data.get("location") or ""),
            status=str(data.get("status") or "CONFIRMED"),
            kind=str(data.get("kind") or ITEM),
        )


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Publication(Base):
    """One calendar given to one audience of a delegation (an export or a send)."""

    __tablename__ = "publication"
    __table_args__ = (
        Index("ix_publication_delegation_audience", "delegation_id", "audience", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(40))
    """``delegation``, ``person:ID`` (an attendee, by person) or ``host:ID`` (an organisation)."""
    published_at: Mapped[datetime] = mapped_column(default=utc_now)
    events: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of ``PublishedEvent.to_json()``, in calendar order."""
    hotel: Mapped[str] = mapped_column(Text, default="")
    """For an attendee, JSON object of their hotel as published ("" otherwise)."""

    def published_events(self) -> dict[str, PublishedEvent]:
        """The events it held, by UID."""
        events = (PublishedEvent.from_json(e) for e in json.loads(self.events or "[]"))
        return {event.uid: event for event in events}

    def published_hotel(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in json.loads(self.hotel or "{}").items()}

    @staticmethod
    def encode(events: Mapping[str, PublishedEvent] | list[PublishedEvent]) -> str:
        values = list(events.values()) if isinstance(events, Mapping) else list(events)
        return json.dumps([e.to_json() for e in values], ensure_ascii=False, sort_keys=True)


# ------------------------------------------------------------------ what a calendar shows


def item_location(item: AgendaItem) -> str:
    """An item's LOCATION: its venue's name and address ("" without a venue)."""
    venue = item.venue
    if venue is None:
        return ""
    return ", ".join(p for p in (venue.name, venue.full_address) if p)


def leg_summary(leg: TravelLeg) -> str:
    """A journey's SUMMARY ("Arrival: Flight VY 1234, Paris → Barcelona")."""
    what = " ".join(p for p in (leg.mode.label, leg.service) if p)
    return f"{leg.direction.label}: {what}, {leg.origin} → {leg.destination}"
