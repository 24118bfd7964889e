"""What the PDF exports share: document template, footer, styles and small helpers.

Every PDF is built with the embedded DejaVu fonts as the canvas's initial font and
with ``invariant=1``, so the same data and the same ``generated_at`` give
byte-identical files and no standard-14 font (Helvetica, Symbol) is referenced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
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
    local,
    page_size,
    register_fonts,
    stamp_text,
    version_text,
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
FOOTER_SIZE = 8.0
FOOTER_LEADING = 9.5
FOOTER_BASELINE = 9 * mm
"""The footer's last line: 9 mm above the paper's edge, inside what printers print."""
FOOTER_GAP = 8 * mm
"""Between the frame and the page margin, for up to three footer lines."""

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


def footer_canvas(title: str, issued: str, emergency: str = "") -> type[Canvas]:
    """A canvas class that writes the footer once the page count is known.

    The footer holds ``title`` on the left and ``issued · Page n of m`` on the right;
    when both do not fit on one line the title takes a line of its own above, so
    only a title longer than the whole width is ever shortened. ``emergency`` (who to
    call on the day) is printed in bold above them on every page.
    """

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
            left, right = self._left, width - self._left
            room = right - left
            self.saveState()
            self.setFont(FONT, FOOTER_SIZE)
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            y = FOOTER_BASELINE
            info = f"{issued} · Page {number} of {total}"
            info_width = stringWidth(info, FONT, FOOTER_SIZE)
            self.drawRightString(right, y, info)
            if stringWidth(title, FONT, FOOTER_SIZE) + info_width + 12 <= room:
                self.drawString(left, y, title)
            else:
                y += FOOTER_LEADING
                self.drawString(left, y, fit(title, room, FOOTER_SIZE))
            if emergency:
                y += FOOTER_LEADING
                self.setFont(FONT_BOLD, FOOTER_SIZE)
                self.setFillColor(INK)
                self.drawString(left, y, fit(emergency, room, FOOTER_SIZE, FONT_BOLD))
            self.line(left, y + FOOTER_LEADING, right, y + FOOTER_LEADING)
            self.restoreState()

        _left = MARGIN

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
    delegation: Any = None,
    emergency: str = "",
) -> Path:
    """Lay out ``story`` into ``out`` atomically, with the shared footer.

    The footer says ``footer_prefix`` (what the document is), the delegation's
    version, when it was issued in the officer's zone and ``Page n of m``; with
    ``emergency`` (personal documents) who to call, on every page.
    """
    register_fonts()
    issued = stamp_text(options)
    if delegation is not None:
        issued = f"{version_text(delegation)} · {issued}"
    canvas_class = footer_canvas(footer_prefix, issued, emergency)
    canvas_class._left = margin
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
            canvasmaker=canvas_class,
        )
    return out


def _nothing(canvas: Canvas, doc: Any) -> None:
    """No page decoration besides the footer."""
