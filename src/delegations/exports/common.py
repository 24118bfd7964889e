"""Pieces every export shares: fonts, local times, paper."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from delegations.exports.options import ExportOptions
from delegations.model import utc_now
from delegations.resources import resource

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_CONDENSED_BOLD = "DejaVuSansCondensed-Bold"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_CONDENSED_BOLD: "DejaVuSansCondensed-Bold.ttf",
}


@cache
def register_fonts() -> str:
    """Register the embedded DejaVu fonts with ReportLab; returns the regular name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename))))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT


def page_size(paper: str) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4, LETTER

    return LETTER if paper == "letter" else A4


def generated_at(options: ExportOptions) -> datetime:
    return options.generated_at or utc_now()


def local(instant: datetime, zone: str) -> datetime:
    """``instant`` (aware) in the IANA ``zone``."""
    return instant.astimezone(ZoneInfo(zone))


def zone_label(zone: str, on: datetime) -> str:
    """``Europe/Madrid (CEST, UTC+02:00)`` for the instant ``on``."""
    moment = on.astimezone(ZoneInfo(zone))
    offset = moment.strftime("%z")
    return f"{zone} ({moment.tzname()}, UTC{offset[:3]}:{offset[3:]})"


def format_day(day: date) -> str:
    """``Thursday 3 June 2027``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def format_time(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def report(options: ExportOptions, done: int, total: int) -> None:
    if options.progress is not None:
        options.progress(done, total)
