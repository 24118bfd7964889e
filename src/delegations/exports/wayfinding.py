"""Finding the way: map links and QR codes for venues, and how the group goes between items.

* ``map_url(venue)``: an ``https`` link to the venue on OpenStreetMap (a marker at its
  coordinates), or to a search for its address when it has no coordinates;
* ``MapCode``: a small QR code flowable carrying that link, for venues with coordinates;
* ``way_between(before, after, ways)``: how the group gets from one item's venue to the
  next one's: the transfer item between them, the minutes the officer entered, or an
  estimate from the coordinates (on foot under ``walk_limit_km``, else by public
  transport or taxi).

Pure functions of the model; the PDF writers decide where to print them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from delegations.exports.options import Ways
from delegations.model import AgendaItem, ItemKind, ItemStatus, Venue

EARTH_KM = 6371.0088
OSM_ZOOM = 18


def has_position(venue: Venue | None) -> bool:
    return venue is not None and venue.latitude is not None and venue.longitude is not None


def map_url(venue: Venue) -> str:
    """OpenStreetMap at the venue's coordinates (a marker), or a search for its address."""
    if has_position(venue):
        lat, lon = f"{venue.latitude:.5f}", f"{venue.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={OSM_ZOOM}/{lat}/{lon}"
    query = ", ".join(p for p in (venue.name, venue.full_address) if p)
    return f"https://www.openstreetmap.org/search?query={quote_plus(query)}"


def short_map_label(venue: Venue) -> str:
    """What a printed link reads: ``openstreetmap.org · 41.40360, 2.19580``."""
    if has_position(venue):
        return f"Map: openstreetmap.org · {venue.latitude:.5f}, {venue.longitude:.5f}"
    return "Map: search on openstreetmap.org"


def distance_km(a: Venue, b: Venue) -> float:
    """Great-circle distance between two venues with coordinates."""
    assert a.latitude is not None and a.longitude is not None
    assert b.latitude is not None and b.longitude is not None
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Way:
    """How the group gets from one venue to the next.

    Attributes:
        text: ``12 min on foot (0.9 km)``, ``about 25 min by public transport or taxi
            (6.1 km)``, ``35 min (as planned)``, ``by coach: Coach to the first visit``.
        transfer: the transfer item that takes them, if any.
    """

    text: str
    transfer: AgendaItem | None = None


def _minutes(value: float) -> str:
    minutes = max(1, math.ceil(value))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def way_between(
    before: AgendaItem, after: AgendaItem, ways: Ways, items: list[AgendaItem] | None = None
) -> Way | None:
    """How the group goes from ``before``'s end venue to ``after``'s venue, or None when
    it stays at the same venue, one of them has no venue, or either is a transfer (a
    transfer is itself the way). ``items`` (time order) lets a transfer planned between
    them be named instead of an estimate."""
    if before.kind == ItemKind.TRANSFER or after.kind == ItemKind.TRANSFER:
        return None
    origin, target = before.end_venue, after.venue
    if origin is None or target is None:
        return None
    if origin is target or (origin.id is not None and origin.id == target.id):
        return None
    for item in items or ():
        if (
            item.kind == ItemKind.TRANSFER
            and item.status != ItemStatus.CANCELLED
            and before.ends_at <= item.starts_at
            and item.ends_at <= after.starts_at
        ):
            return Way(f"by {item.title}", item)
    known = ways.known.get((origin.id or 0, target.id or 0))
    if known is None:
        known = ways.known.get((target.id or 0, origin.id or 0))
    if known is not None:
        return Way(f"{_minutes(known)} to {target.name} (as planned)")
    if not (has_position(origin) and has_position(target)):
        return Way(f"to {target.name}: allow time (no map position to estimate the way)")
    km = distance_km(origin, target) * ways.detour
    if km < ways.walk_limit_km and ways.walk_kmh > 0:
        return Way(f"{_minutes(km / ways.walk_kmh * 60)} on foot to {target.name} ({km:.1f} km)")
    speed = ways.city_kmh if ways.city_kmh > 0 else 20.0
    return Way(
        f"about {_minutes(km / speed * 60)} by public transport or taxi to {target.name} "
        f"({km:.1f} km)"
    )


@lru_cache(maxsize=512)
def map_code_path(url: str) -> tuple[int, str]:
    """The QR code of ``url`` as (modules per side, PDF path operators in module units);
    cached: a venue's code is the same on every page and in every itinerary."""
    from delegations.exports.qr import encode

    code = encode(url)
    return code.size, code.path


def form_name(url: str) -> str:
    """The name of the PDF form holding the QR code of ``url`` (stable: the same bytes
    for the same data)."""
    return "MapCode" + hashlib.sha1(url.encode()).hexdigest()[:16]


def map_code(venue: Venue, side: float, *, link: bool = True) -> Any:
    """A flowable: the QR code of ``map_url(venue)``, ``side`` points square (quiet zone
    included); with ``link``, clicking it opens the same address.

    Each venue's code is written once per document as a form (in module units, so any
    size can use it) and referred to after that: a document names the same few venues
    many times. A link is a PDF object per use; where the map link is printed beside
    the code, ``link=False`` saves them.
    """
    from reportlab.platypus import Flowable

    url = map_url(venue)
    form = form_name(url)

    class MapCode(Flowable):
        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return side, side

        def draw(self) -> None:
            canvas = self.canv
            size, path = map_code_path(url)
            quiet = 2
            if not canvas.hasForm(form):
                canvas.beginForm(form, 0, 0, size + 2 * quiet, size + 2 * quiet)
                canvas.setFillColorRGB(0, 0, 0)
                canvas.transform(1, 0, 0, -1, quiet, size + quiet)
                canvas.addLiteral(f"{path} f")
                canvas.endForm()
            canvas.saveState()
            module = side / (size + 2 * quiet)
            canvas.scale(module, module)
            canvas.doForm(form)
            canvas.restoreState()
            if link:
                canvas.linkURL(url, (0, 0, side, side), relative=1)

    return MapCode()
