"""What the PDF exports share: document template, footer, styles and small helpers.

Every PDF is built with the embedded DejaVu fonts as the canvas's initial font and
with ``invariant=1``, so the same data and the same ``generated_at`` give
byte-identical files and no standard-14 font (Helvetica, Symbol) is referenced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from delegations.exports.common import (
    FONT,
    FONT_BOLD,
    FONT_ITALIC,
    format_time,
    generated_at,
    local,
    page_size,
    register_fonts,
)
from delegations.exports.options import ExportOptions
from delegations.files import atomic_path

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#616E7C")
ACCENT = colors.HexColor("#1F4E79")
RULE = colors.HexColor("#CBD2D9")
FILL = colors.HexColor("#EEF2F6")
CANCELLED = colors.HexColor("#B42318")

MARGIN = 18 * mm
FOOTER_GAP = 8 * mm
FOOTER_SIZE = 7.5

Styles = dict[str, ParagraphStyle]


def styles(scale: float = 1.0) -> Styles:
    """The paragraph styles of every PDF, optionally scaled (large type)."""
    register_fonts()

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        kw.setdefault("fontName", FONT)
        kw.setdefault("textColor", INK)
        kw.setdefault("leading", size * 1.3)
        return ParagraphStyle(
            name, fontSize=size * scale, **{**kw, "leading": kw["leading"] * scale}
        )

    return {
        "kicker": style("kicker", 9, textColor=MUTED, spaceAfter=2),
        "title": style("title", 22, fontName=FONT_BOLD, leading=27, spaceAfter=4),
        "subtitle": style("subtitle", 12, textColor=MUTED, spaceAfter=2),
        "h1": style("h1", 16, fontName=FONT_BOLD, textColor=ACCENT, spaceBefore=4, spaceAfter=3),
        "h2": style("h2", 11.5, fontName=FONT_BOLD, textColor=ACCENT, spaceBefore=10, spaceAfter=3),
        "body": style("body", 9.5, leading=13.5, spaceAfter=3),
        "small": style("small", 8.5, leading=11.5),
        "muted": style("muted", 8.5, leading=11.5, textColor=MUTED),
        "cell": style("cell", 8.5, leading=10.5),
        "cell_bold": style("cell_bold", 8.5, leading=10.5, fontName=FONT_BOLD),
        "head": style("head", 8, leading=10, fontName=FONT_BOLD, textColor=MUTED),
        "time": style("time", 10, leading=13, fontName=FONT_BOLD),
        "item_title": style("item_title", 10.5, leading=13.5, fontName=FONT_BOLD),
        "italic": style("italic", 9, leading=12.5, fontName=FONT_ITALIC, textColor=MUTED),
        "right": style("right", 8.5, leading=11.5, alignment=TA_RIGHT, textColor=MUTED),
        "left": style("left", 8.5, leading=11.5, alignment=TA_LEFT),
    }


def text(value: str | None) -> str:
    """``value`` escaped for a Paragraph, line breaks kept."""
    return escape(value or "").replace("\n", "<br/>")


def paragraphs(value: str | None, style: ParagraphStyle) -> list[Flowable]:
    """One Paragraph per blank-line-separated block of ``value``, so long text can split."""
    blocks = [b.strip() for b in (value or "").replace("\r\n", "\n").split("\n\n")]
    return [Paragraph(text(b), style) for b in blocks if b]


def short_day(day: date) -> str:
    """``Thu 3 Jun 2027``."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def time_range(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """``09:00–10:30`` in ``zone``."""
    return f"{format_time(local(starts_at, zone))}–{format_time(local(ends_at, zone))}"


def local_day(instant: datetime, zone: str) -> date:
    """The calendar date of ``instant`` in ``zone``."""
    return local(instant, zone).date()


def stamp_text(options: ExportOptions) -> str:
    """``Generated 21 Nov 2026 14:05 UTC``."""
    moment = generated_at(options).astimezone(UTC)
    return f"Generated {moment.day} {moment:%b %Y %H:%M} UTC"


def table_style(*extra: tuple[Any, ...], header: bool = True, rules: bool = True) -> TableStyle:
    """The calm grid shared by every table: embedded font, light rules, shaded header.

    ``rules=False`` gives a layout table without lines.
    """
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if rules:
        commands.append(("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE))
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), FILL),
            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ]
    commands += list(extra)
    return TableStyle(commands)


def data_table(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[float],
    sheet: Styles,
    *,
    bold_first: bool = False,
    centred: Sequence[int] = (),
) -> Table:
    """A table of wrapped short texts with a header repeated on every page.

    Columns whose indexes are in ``centred`` are centred (tick boxes, counts).
    """
    head = [Paragraph(text(h), sheet["head"]) for h in header]
    body: list[list[Any]] = []
    for row in rows:
        cells: list[Any] = []
        for index, value in enumerate(row):
            style = sheet["cell_bold"] if bold_first and index == 0 else sheet["cell"]
            if index in centred:
                style = ParagraphStyle(f"{style.name}-centred", parent=style, alignment=TA_CENTER)
            cells.append(Paragraph(text(value), style))
        body.append(cells)
    return Table([head, *body], colWidths=list(widths), repeatRows=1, style=table_style())


def frame_width(options: ExportOptions, margin: float = MARGIN) -> float:
    """The usable width of a page of ``options.paper`` (the frame pads 6 pt each side)."""
    return page_size(options.paper)[0] - 2 * margin - 12


def fit(value: str, width: float, size: float, font: str = FONT) -> str:
    """``value`` cut with an ellipsis so that it is at most ``width`` wide."""
    if stringWidth(value, font, size) <= width:
        return value
    while value and stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value.rstrip(" ·–-") + "…"


def frame_height(options: ExportOptions, margin: float = MARGIN) -> float:
    """The usable height of a page of ``options.paper``, above the footer."""
    return page_size(options.paper)[1] - 2 * margin - FOOTER_GAP - 12


def footer_canvas(footer: str) -> type[Canvas]:
    """A canvas class that writes ``Page n of m`` and ``footer`` once the page count is known."""

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, total)
                super().showPage()
            super().save()

        def _draw_footer(self, number: int, total: int) -> None:
            width, _ = self._pagesize
            self.saveState()
            self.setFont(FONT, FOOTER_SIZE)
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            y = FOOTER_GAP + 3
            self.line(MARGIN, y + 9, width - MARGIN, y + 9)
            room = width - 2 * MARGIN
            if total > 1:
                label = f"Page {number} of {total}"
                self.drawRightString(width - MARGIN, y, label)
                room -= stringWidth(label, FONT, FOOTER_SIZE) + 12
            self.drawString(MARGIN, y, fit(footer, room, FOOTER_SIZE))
            self.restoreState()

    return FooterCanvas


def build_pdf(
    out: Path,
    story: list[Flowable],
    options: ExportOptions,
    *,
    title: str,
    subject: str,
    margin: float = MARGIN,
    footer_prefix: str = "",
    on_page: Callable[[Canvas, Any], None] | None = None,
) -> Path:
    """Lay out ``story`` into ``out`` atomically, with the shared footer."""
    register_fonts()
    footer = " · ".join(p for p in (footer_prefix, stamp_text(options)) if p)
    with atomic_path(out) as tmp:
        doc = SimpleDocTemplate(
            str(tmp),
            pagesize=page_size(options.paper),
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin + FOOTER_GAP,
            title=title,
            subject=subject,
            author="Delegations",
            creator="Delegations",
            producer="Delegations",
            invariant=1,
            initialFontName=FONT,
            initialFontSize=9,
        )
        doc.build(
            story,
            onFirstPage=on_page or _nothing,
            onLaterPages=on_page or _nothing,
            canvasmaker=footer_canvas(footer),
        )
    return out


def _nothing(canvas: Canvas, doc: Any) -> None:
    """No page decoration besides the footer."""
