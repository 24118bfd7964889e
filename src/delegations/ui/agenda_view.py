"""The agenda as a time grid: one column per day, parallel items side by side.

Times are shown in the delegation's time zone. Items move and resize with the
mouse (drag the body, or the bottom edge) and with the keyboard:

* Up / Down: previous / next item; Enter or F2: edit; Delete: delete;
* Alt+Up / Alt+Down: move 15 minutes earlier / later;
* Alt+Shift+Up / Alt+Shift+Down: end 15 minutes earlier / later;
* Alt+Left / Alt+Right: move to the previous / next day;
* Ctrl+D: duplicate.

The hours scale to the height the grid has (``fit_height``): the day's range
(at least 08:00–19:00, with half an hour around the items) fills the scroll
area's viewport, between ``MIN_HOUR_PX`` and ``MAX_HOUR_PX`` per hour. A card
shows the host's answer ("✓ confirmed", "? asked", "✗ declined"), also in its
tooltip and accessible description; ``agenda_legend`` explains the colours. An
item the plan checks found a problem with has a mark on its top right corner (a
red "!" for an error, an amber one for a warning), with the messages in its
tooltip and accessible description (``set_findings``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from delegations.model import AgendaItem, Delegation, HostConfirmation, ItemKind, ItemStatus
from delegations.services.checks import Report, Severity
from delegations.ui.findings import SEVERITY_WORDS, paint_mark, worst

STEP = timedelta(minutes=15)
GUTTER = 60
HEADER = 44
TOP_PAD = 12
HOUR_PX = 72
MIN_HOUR_PX = 40
MAX_HOUR_PX = 160
FIRST_HOUR = 8
LAST_HOUR = 19
HOUR_PAD = timedelta(minutes=30)
MIN_LANE_PX = 150
MIN_DAY_PX = 300
EDGE_PX = 6
MARK_PX = 14
"""The diameter of a card's problem mark."""

COLOURS: dict[ItemKind, str] = {
    ItemKind.VISIT: "#dbeafe",
    ItemKind.MEETING: "#e0e7ff",
    ItemKind.B2B: "#ede9fe",
    ItemKind.WORKSHOP: "#dcfce7",
    ItemKind.PRESENTATION: "#cffafe",
    ItemKind.MEAL: "#fef3c7",
    ItemKind.TRANSFER: "#e5e7eb",
    ItemKind.NETWORKING: "#fce7f3",
    ItemKind.FREE_TIME: "#f1f5f9",
}
ACCENTS: dict[ItemKind, str] = {
    ItemKind.VISIT: "#2563eb",
    ItemKind.MEETING: "#4f46e5",
    ItemKind.B2B: "#7c3aed",
    ItemKind.WORKSHOP: "#16a34a",
    ItemKind.PRESENTATION: "#0891b2",
    ItemKind.MEAL: "#d97706",
    ItemKind.TRANSFER: "#6b7280",
    ItemKind.NETWORKING: "#db2777",
    ItemKind.FREE_TIME: "#94a3b8",
}
HOST_MARKS: dict[HostConfirmation, tuple[str, str, str]] = {
    HostConfirmation.CONFIRMED: ("✓", "confirmed", "#15803d"),
    HostConfirmation.REQUESTED: ("?", "asked", "#b45309"),
    HostConfirmation.DECLINED: ("✗", "declined", "#b91c1c"),
}
"""The host's answer on a card: symbol, word and colour."""
HOST_ANSWERS: dict[HostConfirmation | None, str] = {
    HostConfirmation.CONFIRMED: "confirmed",
    HostConfirmation.REQUESTED: "asked, no answer yet",
    HostConfirmation.DECLINED: "declined",
    None: "not asked yet",
}


@dataclass(frozen=True)
class Block:
    """An agenda item as the grid draws it, in local wall-clock time.

    Attributes:
        id: the agenda item's id.
        title: its title.
        kind: its kind (colour).
        status: tentative items have a dashed border; cancelled ones are faded.
        start: local start (naive wall-clock time in the delegation's zone).
        end: local end.
        venue: where, as one line (a transfer: "pick-up → drop-off").
        who: "Everyone" or how many attendees.
        lane: its column among parallel items.
        lanes: how many parallel columns its group needs.
        host: the host organisation's name, if any.
        host_confirmation: whether the host confirmed, was asked, or declined.
        problems: what the plan checks found, as (severity, message), errors first.
    """

    id: int
    title: str
    kind: ItemKind
    status: ItemStatus
    start: datetime
    end: datetime
    venue: str = ""
    who: str = ""
    lane: int = 0
    lanes: int = 1
    host: str = ""
    host_confirmation: HostConfirmation | None = None
    problems: tuple[tuple[Severity, str], ...] = ()

    @property
    def day(self) -> date:
        return self.start.date()

    def severity(self) -> Severity | None:
        """The worst of its problems (the mark's colour), or None."""
        return worst(severity for severity, _message in self.problems)

    def problem_lines(self) -> list[str]:
        """Each problem as "Error: …" or "Warning: …"."""
        return [f"{SEVERITY_WORDS[severity]}: {message}" for severity, message in self.problems]

    def mark(self) -> str:
        """The host's answer as the card shows it: "✓ confirmed", "? asked", "✗ declined"."""
        if self.host_confirmation is None:
            return ""
        symbol, word, _colour = HOST_MARKS[self.host_confirmation]
        return f"{symbol} {word}"

    def host_text(self) -> str:
        """Who hosts and their answer: "Host Barcelona Activa: confirmed" (or empty)."""
        if not self.host and self.host_confirmation is None:
            return ""
        who = f"Host {self.host}" if self.host else "Host"
        return f"{who}: {HOST_ANSWERS[self.host_confirmation]}"

    def describe(self) -> str:
        parts = [f"{self.start:%A %H:%M}–{self.end:%H:%M}", self.title]
        parts += [p for p in (self.venue, self.host_text()) if p]
        if self.status != ItemStatus.CONFIRMED:
            parts.append(ItemStatus(self.status).label.lower())
        text = ", ".join(parts)
        if self.problems:
            text += ". " + ". ".join(line.rstrip(".") for line in self.problem_lines()) + "."
        return text

    def tooltip(self) -> str:
        """What the card says, whole: time, title, kind and status, place, who, host."""
        lines = [
            f"{self.start:%a %H:%M}–{self.end:%H:%M}  {self.title}",
            f"{ItemKind(self.kind).label} · {ItemStatus(self.status).label}",
        ]
        lines += [p for p in (self.venue, self.who, self.host_text()) if p]
        if self.problems:
            lines += ["", *(f"⚠ {line}" for line in self.problem_lines())]
        return "\n".join(lines)


def blocks_for(delegation: Delegation) -> list[Block]:
    """The items of a loaded delegation as blocks in its local time, lanes assigned."""
    zone = ZoneInfo(delegation.timezone)
    blocks = [_block(item, zone) for item in delegation.items]
    return assign_lanes(blocks)


def place(item: AgendaItem) -> str:
    """Where an item happens, in one line: its venue, or a transfer's "pick-up → drop-off"."""
    venue = item.venue.name if item.venue else ""
    if item.is_transfer and item.dropoff_venue is not None:
        return f"{venue or '?'} → {item.dropoff_venue.name}"
    return venue


def _block(item: AgendaItem, zone: ZoneInfo) -> Block:
    start = item.starts_at.astimezone(zone).replace(tzinfo=None)
    end = item.ends_at.astimezone(zone).replace(tzinfo=None)
    venue = place(item)
    count = len(item.participants)
    who = "Everyone" if item.everyone else f"{count} attendee{'' if count == 1 else 's'}"
    host = item.host.display_name if item.host else ""
    return Block(
        item.id,
        item.title,
        item.kind,
        item.status,
        start,
        end,
        venue,
        who,
        host=host,
        host_confirmation=item.host_confirmation,
    )


def hour_range(blocks: Sequence[Block]) -> tuple[int, int]:
    """The hours a day column shows: the items' with ``HOUR_PAD`` around them, and at
    least ``FIRST_HOUR``–``LAST_HOUR``."""
    first, last = FIRST_HOUR, LAST_HOUR
    for block in blocks:
        early = block.start - HOUR_PAD
        first = min(first, early.hour if early.date() == block.day else 0)
        if block.end.date() == block.day:
            late = block.end + HOUR_PAD
            if late.date() != block.day:
                last = 24
            else:
                last = max(last, late.hour + (1 if late.minute or late.second else 0))
    return max(first, 0), min(last, 24)


def assign_lanes(blocks: Sequence[Block]) -> list[Block]:
    """Put overlapping items of a day side by side: a lane each, per overlapping group."""
    out: list[Block] = []
    ordered = sorted(blocks, key=lambda b: (b.day, b.start, b.end, b.id))
    group: list[Block] = []
    lane_ends: list[datetime] = []
    group_end: datetime | None = None
    group_day: date | None = None

    def flush() -> None:
        lanes = max(len(lane_ends), 1)
        out.extend(replace(b, lanes=lanes) for b in group)

    for block in ordered:
        same_group = group_day == block.day and group_end is not None and block.start < group_end
        if not same_group:
            if group:
                flush()
            group, lane_ends, group_end, group_day = [], [], None, block.day
        lane = next((i for i, end in enumerate(lane_ends) if end <= block.start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(block.end)
        else:
            lane_ends[lane] = block.end
        group.append(replace(block, lane=lane))
        group_end = block.end if group_end is None else max(group_end, block.end)
    if group:
        flush()
    return out


class AgendaGrid(QWidget):
    """Paints the agenda and turns mouse drags and key presses into requests.

    The grid changes nothing itself: it asks, and the workspace runs the
    undoable command and gives the grid the new agenda.

    Signals:
        selection_changed(object): the selected item id, or None.
        move_requested(int, object, object): item id, new start, new end (aware UTC).
        edit_requested(int): edit this item.
        create_requested(object): add an item starting at this instant (aware UTC).
        delete_requested(int): delete this item.
        duplicate_requested(int): duplicate this item.
    """

    selection_changed = Signal(object)
    move_requested = Signal(int, object, object)
    edit_requested = Signal(int)
    create_requested = Signal(object)
    delete_requested = Signal(int)
    duplicate_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Agenda time grid")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.zone = ZoneInfo("UTC")
        self.days: list[date] = []
        self.blocks: list[Block] = []
        self.first_hour = 8
        self.last_hour = 19
        self.selected: int | None = None
        self.problems: dict[int, tuple[tuple[Severity, str], ...]] = {}
        """What the plan checks found, per item id (``set_findings``)."""
        self.hour_px = HOUR_PX
        self.legend: QWidget | None = None
        self._viewport: QWidget | None = None
        self._drag: tuple[str, Block, QPointF] | None = None
        self._ghost: Block | None = None
        self._day_x: list[tuple[float, float]] = []

    # data ---------------------------------------------------------------------
    def set_agenda(self, days: Sequence[date], zone: str, blocks: Sequence[Block]) -> None:
        """Show ``blocks`` (local times in ``zone``) over ``days`` plus any day they use."""
        self.zone = ZoneInfo(zone)
        self.blocks = [replace(b, problems=self.problems.get(b.id, ())) for b in blocks]
        self.days = sorted(set(days) | {b.day for b in self.blocks})
        self.first_hour, self.last_hour = hour_range(self.blocks)
        if self._viewport is not None:
            self.fit_height(self._viewport.height())
        if self.selected is not None and self.block(self.selected) is None:
            self.selected = None
            self.selection_changed.emit(None)
        self._drag, self._ghost = None, None
        self._layout_days()
        self.updateGeometry()
        self.update()
        self._describe()

    def set_findings(self, report: Report | None) -> None:
        """Mark the items ``report`` has findings for (None: mark none)."""
        problems: dict[int, list[tuple[Severity, str]]] = {}
        for finding in report.findings if report is not None else ():
            for item_id in dict.fromkeys(finding.items):
                problems.setdefault(item_id, []).append((finding.severity, finding.message))
        self.problems = {
            item_id: tuple(sorted(found, key=lambda p: p[0] != Severity.ERROR))
            for item_id, found in problems.items()
        }
        self.blocks = [replace(b, problems=self.problems.get(b.id, ())) for b in self.blocks]
        self.update()
        self._describe()

    def fit_height(self, height: int) -> None:
        """Scale the hours so that the day fits ``height`` pixels, within readable limits.

        The grid does it itself whenever the scroll area's viewport it sits in
        changes size (shown, window resized, a scroll bar appears) and when its
        hours change; calling it again with the same height changes nothing.
        """
        hours = max(self.last_hour - self.first_hour, 1)
        wanted = (height - HEADER - TOP_PAD - 8) / hours
        hour_px = int(max(MIN_HOUR_PX, min(wanted, MAX_HOUR_PX)))
        if hour_px != self.hour_px:
            self.hour_px = hour_px
            self.updateGeometry()
            self.update()

    def make_legend(self) -> QWidget:
        """The legend of the grid's colours, borders and host marks, to show beside it."""
        from delegations.ui.agenda_legend import AgendaLegend

        self.legend = AgendaLegend()
        return self.legend

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange:
            self._follow_viewport()
        elif event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            block = self.block_at(QPointF(event.pos()))
            if block is None:
                QToolTip.hideText()
                event.ignore()
            else:
                rect = self.rect_for(block).toAlignedRect()
                QToolTip.showText(event.globalPos(), block.tooltip(), self, rect)
            return True
        return super().event(event)

    def _follow_viewport(self) -> None:
        """Watch the widget the grid sits in (a scroll area's viewport) to fit its height."""
        parent = self.parentWidget()
        if parent is self._viewport:
            return
        if self._viewport is not None:
            self._viewport.removeEventFilter(self)
        self._viewport = parent
        if parent is not None:
            parent.installEventFilter(self)
            self.fit_height(parent.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self.fit_height(self._viewport.height())
        return super().eventFilter(watched, event)

    def block(self, item_id: int | None) -> Block | None:
        return next((b for b in self.blocks if b.id == item_id), None)

    def select(self, item_id: int | None) -> None:
        if item_id is not None and self.block(item_id) is None:
            item_id = None
        if item_id != self.selected:
            self.selected = item_id
            self.selection_changed.emit(item_id)
        self._describe()
        self.update()

    def ordered(self) -> list[Block]:
        return sorted(self.blocks, key=lambda b: (b.start, b.lane, b.id))

    # geometry -----------------------------------------------------------------
    def _layout_days(self) -> None:
        available = max(self.width() - GUTTER, 0)
        needs = []
        for day in self.days:
            lanes = max([b.lanes for b in self.blocks if b.day == day] or [1])
            needs.append(max(MIN_DAY_PX, lanes * MIN_LANE_PX))
        extra = max(available - sum(needs), 0) / max(len(needs), 1)
        x = float(GUTTER)
        self._day_x = []
        for need in needs:
            self._day_x.append((x, need + extra))
            x += need + extra

    def sizeHint(self) -> QSize:
        lanes_width = sum(
            max(MIN_DAY_PX, max([b.lanes for b in self.blocks if b.day == d] or [1]) * MIN_LANE_PX)
            for d in self.days
        )
        return QSize(GUTTER + max(lanes_width, MIN_DAY_PX), self._y_for_minutes(self._span()) + 8)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout_days()
        super().resizeEvent(event)

    def _span(self) -> int:
        return (self.last_hour - self.first_hour) * 60

    def _y_for_minutes(self, minutes: float) -> int:
        return int(HEADER + TOP_PAD + minutes * self.hour_px / 60)

    def _minutes(self, moment: datetime) -> float:
        return (moment.hour - self.first_hour) * 60 + moment.minute

    def rect_for(self, block: Block) -> QRectF:
        """Where ``block`` is drawn."""
        if block.day not in self.days or not self._day_x:
            return QRectF()
        x, width = self._day_x[self.days.index(block.day)]
        lane_width = (width - 8) / block.lanes
        top = self._y_for_minutes(self._minutes(block.start))
        end_minutes = self._minutes(block.end) if block.end.date() == block.day else self._span()
        bottom = self._y_for_minutes(min(end_minutes, self._span()))
        return QRectF(
            x + 4 + block.lane * lane_width + 1, top + 1, lane_width - 3, max(bottom - top - 2, 12)
        )

    def block_at(self, point: QPointF) -> Block | None:
        if point.y() < self.visibleRegion().boundingRect().top() + HEADER:
            return None
        for block in reversed(self.ordered()):
            if self.rect_for(block).contains(point):
                return block
        return None

    def day_at(self, x: float) -> date | None:
        for day, (left, width) in zip(self.days, self._day_x, strict=False):
            if left <= x < left + width:
                return day
        return None

    def time_at(self, point: QPointF) -> datetime | None:
        """The local time under ``point``, snapped to 15 minutes."""
        day = self.day_at(point.x())
        if day is None or point.y() < self.visibleRegion().boundingRect().top() + HEADER:
            return None
        minutes = (point.y() - HEADER - TOP_PAD) * 60 / self.hour_px
        minutes = max(0, min(round(minutes / 15) * 15, self._span() - 15))
        return datetime.combine(day, datetime.min.time()) + timedelta(
            hours=self.first_hour, minutes=minutes
        )

    def to_utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    # painting -----------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), QColor("#ffffff"))
        self._paint_grid(painter)
        for block in self.ordered():
            if self._ghost is not None and block.id == self._ghost.id:
                self._paint_block(painter, block, faded=True)
                continue
            self._paint_block(painter, block)
        if self._ghost is not None:
            self._paint_block(painter, self._ghost, ghost=True)
        self._paint_header(painter)
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.visibleRegion().boundingRect().adjusted(1, 1, -1, -1))
        if not self.blocks:
            painter.setPen(palette.placeholderText().color())
            painter.drawText(
                QRectF(GUTTER, HEADER + 20, max(self.width() - GUTTER, 10), 60),
                Qt.AlignmentFlag.AlignHCenter,
                "No agenda items yet. Double-click a time or press “New item” to add one.",
            )
        painter.end()

    def _paint_grid(self, painter: QPainter) -> None:
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.9)
        bold = QFont(self.font())
        bold.setBold(True)
        bottom = self._y_for_minutes(self._span())
        for hour in range(self.first_hour, self.last_hour + 1):
            y = self._y_for_minutes((hour - self.first_hour) * 60)
            painter.setPen(QPen(QColor("#d1d5db"), 1))
            painter.drawLine(GUTTER - 6, y, self.width(), y)
            if hour < self.last_hour:
                half = self._y_for_minutes((hour - self.first_hour) * 60 + 30)
                painter.setPen(QPen(QColor("#eef0f3"), 1, Qt.PenStyle.DashLine))
                painter.drawLine(GUTTER, half, self.width(), half)
            painter.setPen(QColor("#4b5563"))
            painter.setFont(small)
            painter.drawText(
                QRectF(0, y - 9, GUTTER - 10, 18),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{hour:02d}:00",
            )
        for x, _width in self._day_x:
            painter.setPen(QPen(QColor("#d1d5db"), 1))
            painter.drawLine(int(x), 0, int(x), bottom)

    def _paint_header(self, painter: QPainter) -> None:
        """The day names, kept at the top of the visible part while the hours scroll."""
        top = float(self.visibleRegion().boundingRect().top())
        bold = QFont(self.font())
        bold.setBold(True)
        painter.fillRect(QRectF(0, top, self.width(), HEADER), QColor("#f8fafc"))
        for day, (x, width) in zip(self.days, self._day_x, strict=False):
            painter.setPen(QPen(QColor("#d1d5db"), 1))
            painter.drawLine(QPointF(x, top), QPointF(x, top + HEADER))
            painter.setFont(bold)
            painter.setPen(QColor("#111827"))
            painter.drawText(
                QRectF(x + 10, top, width - 20, HEADER),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{day:%A} {day.day} {day:%B}",
            )
        painter.setPen(QPen(QColor("#9ca3af"), 1))
        painter.drawLine(QPointF(0, top + HEADER), QPointF(self.width(), top + HEADER))

    def _paint_block(
        self, painter: QPainter, block: Block, faded: bool = False, ghost: bool = False
    ) -> None:
        rect = self.rect_for(block)
        if rect.isEmpty():
            return
        selected = block.id == self.selected and not faded
        painter.save()
        cancelled = block.status == ItemStatus.CANCELLED
        if faded or cancelled:
            painter.setOpacity(0.45)
        fill = QColor(COLOURS.get(block.kind, "#e5e7eb"))
        accent = QColor(ACCENTS.get(block.kind, "#6b7280"))
        border = QPen(
            accent.darker(130) if selected else accent.lighter(130), 2.5 if selected else 1
        )
        if block.status == ItemStatus.TENTATIVE or ghost:
            border.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 5, 5)
        painter.fillRect(QRectF(rect.left() + 1, rect.top() + 1, 4, rect.height() - 2), accent)
        text_rect = rect.adjusted(10, 3, -5, -3)
        painter.setClipRect(text_rect)
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.88)
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setStrikeOut(cancelled)
        small_h = QFontMetrics(small).height()
        title_h = QFontMetrics(title_font).height()
        extra = ", ".join(
            p for p in (block.venue, block.who if block.who != "Everyone" else "") if p
        )
        if text_rect.height() < small_h + title_h + 1:
            lines = [(title_font, f"{block.start:%H:%M}  {block.title}", "#111827")]
        else:
            lines = [(small, f"{block.start:%H:%M}–{block.end:%H:%M}", "#374151")]
            lines += [(title_font, t, "#111827") for t in self._title_lines(block, text_rect)]
            if extra:
                lines.append((small, extra, "#4b5563"))
        reserve = self._paint_problem(painter, block, text_rect)
        mark_width = self._paint_mark(painter, block, text_rect.adjusted(0, 0, -reserve, 0), small)
        mark_width += reserve
        y = text_rect.top()
        for index, (font, text, colour) in enumerate(lines):
            metrics = QFontMetrics(font)
            if y + metrics.height() > text_rect.bottom() + 2 and y > text_rect.top():
                break
            painter.setFont(font)
            painter.setPen(QColor(colour))
            width = int(text_rect.width()) - (mark_width if index == 0 else 0)
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(width, 0))
            painter.drawText(QPointF(text_rect.left(), y + metrics.ascent()), elided)
            y += metrics.height() + 1
        painter.restore()

    def problem_rect(self, block: Block) -> QRectF:
        """Where the card's problem mark is drawn: its top right corner (empty: none)."""
        rect = self.rect_for(block)
        if rect.isEmpty() or not block.problems:
            return QRectF()
        size = min(MARK_PX, rect.height() - 4)
        return QRectF(rect.right() - size - 3, rect.top() + 2, size, size)

    def _paint_problem(self, painter: QPainter, block: Block, text_rect: QRectF) -> int:
        """The mark of the worst problem at the card's top right corner; returns the width
        it takes from the first line of text."""
        severity = block.severity()
        mark = self.problem_rect(block)
        if severity is None or mark.isEmpty():
            return 0
        painter.save()
        painter.setClipping(False)
        paint_mark(painter, mark, severity)
        painter.restore()
        return max(int(text_rect.right() - mark.left()) + 4, 0)

    def _paint_mark(self, painter: QPainter, block: Block, text_rect: QRectF, font: QFont) -> int:
        """The host's answer at the card's top right ("✓ confirmed", or "✓" when narrow);
        returns the width it takes from the first line."""
        if block.host_confirmation is None:
            return 0
        symbol, word, colour = HOST_MARKS[block.host_confirmation]
        bold = QFont(font)
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        text = f"{symbol} {word}"
        if metrics.horizontalAdvance(text) > text_rect.width() * 0.4:
            text = symbol
        width = metrics.horizontalAdvance(text)
        painter.setFont(bold)
        painter.setPen(QColor(colour))
        painter.drawText(
            QPointF(text_rect.right() - width, text_rect.top() + metrics.ascent()), text
        )
        return width + 6

    def _title_lines(self, block: Block, text_rect: QRectF) -> list[str]:
        """The title on two lines when it is too wide for one and the item is tall enough."""
        font = QFont(self.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        width = int(text_rect.width())
        small_h = QFontMetrics(self.font()).height()
        room = text_rect.height() - small_h - 1
        if metrics.horizontalAdvance(block.title) <= width or room < 2 * metrics.height() + 1:
            return [block.title]
        words = block.title.split()
        first = ""
        for index, word in enumerate(words):
            candidate = f"{first} {word}".strip()
            if metrics.horizontalAdvance(candidate) > width and first:
                return [first, " ".join(words[index:])]
            first = candidate
        return [block.title]

    # mouse --------------------------------------------------------------------
    def begin_drag(self, point: QPointF) -> Block | None:
        """Press at ``point``: select the item there and start moving it, or resizing it
        when ``point`` is on its bottom edge. Returns the item, if any."""
        block = self.block_at(point)
        self.select(block.id if block else None)
        if block is not None:
            rect = self.rect_for(block)
            mode = "resize" if rect.bottom() - point.y() <= EDGE_PX else "move"
            self._drag = (mode, block, point)
        return block

    def drag_to(self, point: QPointF) -> Block | None:
        """Drag to ``point``: the item as it would be, snapped to 15 minutes (drawn dashed)."""
        if self._drag is None:
            return None
        mode, block, origin = self._drag
        steps = round((point.y() - origin.y()) * 60 / self.hour_px / 15)
        delta = STEP * steps
        if mode == "resize":
            end = max(block.end + delta, block.start + STEP)
            self._ghost = replace(block, end=end)
        else:
            day = self.day_at(point.x())
            shift = timedelta(days=(day - block.day).days) if day else timedelta(0)
            self._ghost = replace(
                block, start=block.start + delta + shift, end=block.end + delta + shift
            )
        self.update()
        return self._ghost

    def end_drag(self) -> None:
        """Release: ask to move or resize the item if the drag changed it."""
        ghost, drag = self._ghost, self._drag
        self._drag, self._ghost = None, None
        if ghost is not None and drag is not None:
            original = drag[1]
            if (ghost.start, ghost.end) != (original.start, original.end):
                self.move_requested.emit(ghost.id, self.to_utc(ghost.start), self.to_utc(ghost.end))
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() == Qt.MouseButton.LeftButton:
            self.begin_drag(event.position())
        else:
            block = self.block_at(event.position())
            self.select(block.id if block else None)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position()
        if self._drag is not None:
            self.drag_to(point)
            return
        block = self.block_at(point)
        near_edge = block is not None and self.rect_for(block).bottom() - point.y() <= EDGE_PX
        self.setCursor(Qt.CursorShape.SizeVerCursor if near_edge else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.end_drag()
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        block = self.block_at(event.position())
        if block is not None:
            self.edit_requested.emit(block.id)
            return
        moment = self.time_at(event.position())
        if moment is not None:
            self.create_requested.emit(self.to_utc(moment))

    # keyboard -----------------------------------------------------------------
    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.selected is None and event.reason() != Qt.FocusReason.MouseFocusReason:
            self.select_next(1)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers()
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        block = self.block(self.selected)
        vertical = key in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        sign = -1 if key in (Qt.Key.Key_Up, Qt.Key.Key_Left) else 1
        if alt and block is not None and vertical:
            if shift:
                self.resize_selected(STEP * sign)
            else:
                self.move_selected(STEP * sign)
            return
        if alt and block is not None and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.move_selected(timedelta(days=sign))
            return
        if (
            not alt
            and not ctrl
            and key
            in (
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
                Qt.Key.Key_Left,
                Qt.Key.Key_Right,
            )
        ):
            self.select_next(sign)
            return
        if block is not None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.edit_requested.emit(block.id)
            return
        if block is not None and key == Qt.Key.Key_Delete:
            self.delete_requested.emit(block.id)
            return
        if block is not None and ctrl and key == Qt.Key.Key_D:
            self.duplicate_requested.emit(block.id)
            return
        super().keyPressEvent(event)

    def select_next(self, step: int) -> None:
        ordered = self.ordered()
        if not ordered:
            return
        ids = [b.id for b in ordered]
        if self.selected not in ids:
            self.select(ids[0] if step > 0 else ids[-1])
            return
        index = max(0, min(ids.index(self.selected) + step, len(ids) - 1))
        self.select(ids[index])

    def move_selected(self, delta: timedelta) -> None:
        """Ask to move the selected item by ``delta`` (wall-clock time, keeps its length)."""
        block = self.block(self.selected)
        if block is not None:
            self.move_requested.emit(
                block.id, self.to_utc(block.start + delta), self.to_utc(block.end + delta)
            )

    def resize_selected(self, delta: timedelta) -> None:
        """Ask to move the selected item's end by ``delta`` (at least 15 minutes long)."""
        block = self.block(self.selected)
        if block is not None:
            end = max(block.end + delta, block.start + STEP)
            if end != block.end:
                self.move_requested.emit(block.id, self.to_utc(block.start), self.to_utc(end))

    def _describe(self) -> None:
        block = self.block(self.selected)
        self.setAccessibleDescription(
            block.describe() if block else f"{len(self.blocks)} items; Up and Down select one"
        )
