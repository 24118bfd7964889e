"""What every export takes besides the data: paper, time, who, layout, progress."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from delegations.exports.kinds import DEFAULT_BADGE_LAYOUT

if TYPE_CHECKING:
    from delegations.model.publications import PublishedEvent

Paper = Literal["a4", "letter"]
ListFormat = Literal["pdf", "csv"]


class ExportCancelled(Exception):
    """The user cancelled a long export; no file was written."""


class ExportError(Exception):
    """The export cannot be made as asked (the message says why)."""


Progress = Callable[[int, int], None]
"""Called with (done, total) as work proceeds; may raise ExportCancelled."""


@dataclass(frozen=True)
class Ways:
    """How documents say the group gets from one venue to the next.

    Attributes:
        known: minutes from venue id to venue id as the officer entered them (either
            direction), used before any estimate.
        walk_kmh: walking speed, for venues less than ``walk_limit_km`` apart.
        city_kmh: door-to-door speed by public transport or taxi beyond that.
        walk_limit_km: up to this distance people walk.
        detour: straight-line distance × this = distance on the ground.
    """

    known: Mapping[tuple[int, int], int] = field(default_factory=dict)
    walk_kmh: float = 4.5
    city_kmh: float = 20.0
    walk_limit_km: float = 1.5
    detour: float = 1.3

    @classmethod
    def of(cls, known: Mapping[tuple[int, int], int], speeds: Any) -> Ways:
        """From the minutes the officer entered and the plan checks' settings (any
        object with ``walk_kmh``, ``city_kmh``, ``walk_limit_km`` and ``detour``)."""
        return cls(
            known=dict(known),
            walk_kmh=speeds.walk_kmh,
            city_kmh=speeds.city_kmh,
            walk_limit_km=speeds.walk_limit_km,
            detour=speeds.detour,
        )


@dataclass(frozen=True)
class ExportOptions:
    """Options shared by every export; each export reads those that concern it.

    Attributes:
        paper: ``a4`` (default) or ``letter``.
        generated_at: the "generated at" instant printed in footers and used as
            DTSTAMP; aware. ``None`` means now. Tests pass a fixed value.
        attendee_id: a Person id: personal itinerary or calendar.
        host_id: an Organisation id: host calendar.
        layout: badge layout name (a file in resources/layouts).
        list_format: ``pdf`` or ``csv`` for logistics lists.
        per: attendance sheets one per agenda ``item`` or per ``day``.
        item_id: attendance sheet for one agenda item only.
        logo: image file for the programme's logo on attendance sheets and badges.
        offset_mm: per-printer (x, y) shift for badges, in millimetres.
        qr: print a QR code on badges.
        selection: Person ids to print badges for, in this order (None: all).
        order: badge order when no selection is given: name, organisation, role.
        calibration: badges: print the calibration page instead of badges.
        progress: progress callback, see ``Progress``.
        zone: the officer's IANA time zone, for the issue date printed on documents
            (``None``: this computer's zone).
        include_unconfirmed: badges, rooming and passenger lists also for attendees
            who have not confirmed (invited), marked as such; by default only
            confirmed attendees.
        email_column: attendance sheets print each attendee's e-mail address (of those
            who agreed to data processing: ``exports.consent``).
        ways: how the group gets between venues (itineraries, programme).
        published: calendars: what this audience last received, by UID
            (``services.publications.last_published``). Events in it that the
            calendar no longer holds are written cancelled with a raised SEQUENCE
            until the visit ends; ``None`` or empty: nothing was published.
    """

    paper: Paper = "a4"
    generated_at: datetime | None = None
    attendee_id: int | None = None
    host_id: int | None = None
    layout: str = DEFAULT_BADGE_LAYOUT
    list_format: ListFormat = "pdf"
    per: Literal["item", "day"] = "item"
    item_id: int | None = None
    logo: Path | None = None
    offset_mm: tuple[float, float] = (0.0, 0.0)
    qr: bool = False
    selection: tuple[int, ...] | None = None
    order: Literal["name", "organisation", "role"] = "name"
    calibration: bool = False
    progress: Progress | None = None
    zone: str | None = None
    include_unconfirmed: bool = False
    email_column: bool = False
    ways: Ways = field(default_factory=Ways)
    published: Mapping[str, PublishedEvent] | None = None
