"""What every export takes besides the data: paper, time, who, layout, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from delegations.exports.kinds import DEFAULT_BADGE_LAYOUT

Paper = Literal["a4", "letter"]
ListFormat = Literal["pdf", "csv"]


class ExportCancelled(Exception):
    """The user cancelled a long export; no file was written."""


class ExportError(Exception):
    """The export cannot be made as asked (the message says why)."""


Progress = Callable[[int, int], None]
"""Called with (done, total) as work proceeds; may raise ExportCancelled."""


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
        logo: image file for the programme's logo on attendance sheets.
        offset_mm: per-printer (x, y) shift for badges, in millimetres.
        qr: print a QR code on badges.
        selection: Person ids to print badges for, in this order (None: all).
        order: badge order when no selection is given: name, organisation, role.
        calibration: badges: print the calibration page instead of badges.
        progress: progress callback, see ``Progress``.
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
