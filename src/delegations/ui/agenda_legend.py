"""The agenda's legend: what the card colours, borders and host marks mean.

A compact key shown under the time grid, one line on a wide window and wrapped
onto more when narrow. Each entry is drawn the way the grid draws a card
(``agenda_view``), so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from delegations.model import HostConfirmation, ItemKind
from delegations.ui.agenda_view import ACCENTS, COLOURS, HOST_MARKS

SWATCH_W = 22
SWATCH_H = 13
GAP = 5
SPACING = 14
PAD = 3


@dataclass(frozen=True)
class Entry:
    """One entry of the legend.

    Attributes:
        label: the text beside the swatch.
        meaning: what it says, for the accessible description and tooltip.
        style: "kind", "tentative", "cancelled" or "mark".
        kind: the item kind whose colours a "kind" swatch shows.
        mark: the host mark a "mark" entry shows instead of a swatch.
        colour: the mark's colour.
    """

    label: str
    meaning: str
    style: str
    kind: ItemKind = ItemKind.VISIT
    mark: str = ""
    colour: str = "#111827"


def entries() -> list[Entry]:
    """The kinds' colours, tentative and cancelled cards, and the host's answers."""
    out = [
        Entry(kind.label, f"{kind.label}: this colour", "kind", kind)
        for kind in ItemKind
        if kind in COLOURS
    ]
    out.append(Entry("Tentative", "Tentative items have a dashed border", "tentative"))
    out.append(Entry("Cancelled", "Cancelled items are faded and struck out", "cancelled"))
    said = {
        HostConfirmation.CONFIRMED: "the host confirmed",
        HostConfirmation.REQUESTED: "the host was asked and has not answered",
        HostConfirmation.DECLINED: "the host declined",
    }
    for answer, (symbol, word, colour) in HOST_MARKS.items():
        out.append(
            Entry(
                f"host {word}",
                f"{symbol} {word}: {said[answer]}",
                "mark",
                mark=symbol,
                colour=colour,
            )
        )
    return out


class AgendaLegend(QWidget):
    """A compact key to the agenda grid, wrapping onto as many lines as its width needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries = entries()
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.88)
        self.setFont(small)
        self.setAccessibleName("Agenda legend")
        described = "; ".join(e.meaning for e in self.entries)
        self.setAccessibleDescription(described)
        self.setToolTip(
            "Card colours show the kind of item; a dashed border: tentative; faded: "
            "cancelled; at the top right of a card, the host's answer "
            "(✓ confirmed, ? asked, ✗ declined)."
        )

    # geometry -----------------------------------------------------------------
    def _row_height(self) -> int:
        return max(QFontMetrics(self.font()).height(), SWATCH_H) + 2 * PAD

    def _entry_width(self, entry: Entry) -> int:
        metrics = QFontMetrics(self.font())
        lead = self._mark_width(entry) if entry.style == "mark" else SWATCH_W
        return lead + GAP + metrics.horizontalAdvance(entry.label)

    def _mark_width(self, entry: Entry) -> int:
        bold = QFont(self.font())
        bold.setBold(True)
        return QFontMetrics(bold).horizontalAdvance(entry.mark)

    def positions(self, width: int) -> list[QRectF]:
        """Where each entry goes at ``width`` pixels: left to right, wrapping."""
        row = self._row_height()
        x, y = 0.0, 0.0
        out = []
        for entry in self.entries:
            w = self._entry_width(entry)
            if x > 0 and x + w > width:
                x, y = 0.0, y + row
            out.append(QRectF(x, y, w, row))
            x += w + SPACING
        return out

    def heightForWidth(self, width: int) -> int:
        places = self.positions(max(width, 1))
        return int(places[-1].bottom()) if places else 0

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        one_line = sum(self._entry_width(e) + SPACING for e in self.entries) - SPACING
        width = self.width() if self.width() > 0 else one_line
        return QSize(one_line, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        widest = max(self._entry_width(e) for e in self.entries)
        return QSize(widest, self._row_height())

    # painting -----------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        for entry, place in zip(self.entries, self.positions(self.width()), strict=True):
            middle = place.center().y()
            if entry.style == "mark":
                bold = QFont(self.font())
                bold.setBold(True)
                painter.setFont(bold)
                painter.setPen(QColor(entry.colour))
                lead = self._mark_width(entry)
                painter.drawText(
                    QPointF(place.left(), middle + QFontMetrics(bold).ascent() / 2 - 1),
                    entry.mark,
                )
            else:
                lead = SWATCH_W
                self._paint_swatch(
                    painter, entry, QRectF(place.left(), middle - SWATCH_H / 2, SWATCH_W, SWATCH_H)
                )
            painter.setFont(self.font())
            painter.setPen(QColor("#374151"))
            painter.drawText(
                QPointF(place.left() + lead + GAP, middle + metrics.ascent() / 2 - 1), entry.label
            )
        painter.end()

    @staticmethod
    def _paint_swatch(painter: QPainter, entry: Entry, rect: QRectF) -> None:
        """A small card: the kind's fill and accent bar; dashed when tentative, faded
        when cancelled (as ``AgendaGrid._paint_block`` draws them)."""
        painter.save()
        kind = entry.kind if entry.style == "kind" else ItemKind.TRANSFER
        fill = QColor(COLOURS.get(kind, "#e5e7eb"))
        accent = QColor(ACCENTS.get(kind, "#6b7280"))
        if entry.style == "cancelled":
            painter.setOpacity(0.45)
        pen = QPen(accent.lighter(130) if entry.style == "kind" else accent, 1)
        if entry.style == "tentative":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 3, 3)
        painter.fillRect(QRectF(rect.left() + 1, rect.top() + 1, 3, rect.height() - 2), accent)
        painter.restore()
