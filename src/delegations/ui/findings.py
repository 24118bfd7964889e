"""The findings panel: what the plan checks found in the open delegation.

The delegation workspace shows it as its "Checks" tab. Each finding reads as a
severity mark (a red "!" for an error, an amber one for a warning: the same
mark the agenda draws on a card's corner), its day and its message; a filter
shows all, errors only or warnings only. Choosing a finding (a click, or Enter)
emits ``chosen``: the workspace then selects the records concerned. The panel
runs nothing itself: the workspace gives it a ``checks.Report`` after every
change that may alter it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from delegations.model import count_of
from delegations.services.checks import Finding, Report, Severity

SEVERITY_COLOURS: dict[Severity, str] = {
    Severity.ERROR: "#b91c1c",
    Severity.WARNING: "#d97706",
}
"""The mark's colour: red for an error, amber for a warning."""
SEVERITY_WORDS: dict[Severity, str] = {Severity.ERROR: "Error", Severity.WARNING: "Warning"}
FILTERS: tuple[tuple[str, Severity | None], ...] = (
    ("All", None),
    ("Errors", Severity.ERROR),
    ("Warnings", Severity.WARNING),
)
"""The severity filter's entries."""
FINDING_ROLE = Qt.ItemDataRole.UserRole


def worst(severities: Iterable[Severity]) -> Severity | None:
    """The most serious of ``severities``, or None when there is none."""
    found = set(severities)
    if Severity.ERROR in found:
        return Severity.ERROR
    return Severity.WARNING if Severity.WARNING in found else None


def paint_mark(painter: QPainter, rect: QRectF, severity: Severity) -> None:
    """A round mark with a white "!" in ``rect``, in the severity's colour."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setOpacity(1.0)
    painter.setPen(QPen(QColor("#ffffff"), 1))
    painter.setBrush(QColor(SEVERITY_COLOURS[severity]))
    painter.drawEllipse(rect)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(int(rect.height() * 0.75), 6))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "!")
    painter.restore()


def severity_icon(severity: Severity, size: int = 16) -> QIcon:
    """The severity's mark as an icon (the findings list, the tab)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_mark(painter, QRectF(QPointF(0.5, 0.5), QPointF(size - 0.5, size - 0.5)), severity)
    painter.end()
    return QIcon(pixmap)


def day_text(day: date | None) -> str:
    """The day a finding concerns, short: "Thu 1 Jul"; "Whole visit" when none."""
    return f"{day:%a} {day.day} {day:%b}" if day is not None else "Whole visit"


def describe(finding: Finding) -> str:
    """A finding in words, for screen readers and tooltips: "Error, Thu 1 Jul: …"."""
    return f"{SEVERITY_WORDS[finding.severity]}, {day_text(finding.day)}: {finding.message}"


def summary(report: Report | None, failure: str = "") -> str:
    """One line over the list: the counts, or why there are none."""
    if failure:
        return f"The checks could not run: {failure}"
    if report is None:
        return ""
    errors, warnings = len(report.errors), len(report.warnings)
    if not errors and not warnings:
        return "No problems found."
    parts = [count_of(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    verdict = "the plan cannot work as it is" if errors else "worth a look"
    return f"{' and '.join(parts)}: {verdict}."


class FindingsPanel(QWidget):
    """The findings of one delegation, with a severity filter.

    Signals:
        chosen(object): a ``Finding`` was clicked or activated with Enter.
    """

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: Report | None = None
        self.failure = ""
        self.filter = QComboBox()
        self.filter.setAccessibleName("Show findings")
        for label, severity in FILTERS:
            self.filter.addItem(label, severity)
        self.filter.currentIndexChanged.connect(lambda _i: self._fill())
        show = QLabel("&Show:")
        show.setBuddy(self.filter)
        self.summary = QLabel()
        self.summary.setAccessibleName("Summary of the checks")
        self.summary.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setAccessibleName("Findings")
        self.list.setColumnCount(2)
        self.list.setHeaderLabels(["Day", "Problem"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.list.itemClicked.connect(lambda item, _column: self._choose(item))
        self.list.itemActivated.connect(lambda item, _column: self._choose(item))
        self.list.currentItemChanged.connect(lambda item, _old: self._show_detail(item))
        self.detail = QLabel()
        self.detail.setAccessibleName("The selected finding")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 2)
        hint = QLabel(
            "Click a problem, or select it and press Enter, to see the agenda item or "
            "attendee it concerns. The checks run again after every change."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #4b5563;")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(show)
        bar.addWidget(self.filter)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.detail)
        layout.addWidget(hint)

    # data -------------------------------------------------------------------------
    def set_report(self, report: Report | None, failure: str = "") -> None:
        """Show ``report`` (None with ``failure``: the checks could not run)."""
        self.report = report
        self.failure = failure
        self.summary.setText(summary(report, failure))
        colour = SEVERITY_COLOURS[Severity.ERROR] if failure or (report and report.errors) else ""
        self.summary.setStyleSheet(f"color: {colour};" if colour else "")
        self._fill()

    def severity_filter(self) -> Severity | None:
        """The severity shown (None: all)."""
        data = self.filter.currentData()
        return Severity(data) if data is not None else None

    def set_severity_filter(self, severity: Severity | None) -> None:
        index = self.filter.findData(severity)
        self.filter.setCurrentIndex(max(index, 0))

    def findings(self) -> list[Finding]:
        """The findings the list shows, in its order (the filter applied)."""
        if self.report is None:
            return []
        wanted = self.severity_filter()
        return [f for f in self.report.findings if wanted is None or f.severity == wanted]

    def count(self) -> int:
        """How many findings there are (whatever the filter)."""
        return len(self.report.findings) if self.report is not None else 0

    def worst(self) -> Severity | None:
        if self.report is None:
            return None
        return worst(f.severity for f in self.report.findings)

    def item_of(self, finding: Finding) -> QTreeWidgetItem | None:
        """The list's row of ``finding`` (None when filtered out)."""
        for row in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(row)
            if item is not None and item.data(0, FINDING_ROLE) == finding:
                return item
        return None

    def _fill(self) -> None:
        current = self.list.currentItem()
        keep = current.data(0, FINDING_ROLE) if current is not None else None
        self.list.clear()
        items = []
        for finding in self.findings():
            item = QTreeWidgetItem([day_text(finding.day), finding.message])
            item.setData(0, FINDING_ROLE, finding)
            item.setIcon(0, severity_icon(finding.severity))
            words = describe(finding)
            for column in (0, 1):
                item.setToolTip(column, words)
                item.setData(column, Qt.ItemDataRole.AccessibleTextRole, words)
            items.append(item)
        self.list.addTopLevelItems(items)
        again = self.item_of(keep) if keep is not None else None
        if again is not None:
            self.list.setCurrentItem(again)
        self._show_detail(self.list.currentItem())

    def _show_detail(self, item: QTreeWidgetItem | None) -> None:
        finding = item.data(0, FINDING_ROLE) if item is not None else None
        self.detail.setText(describe(finding) if isinstance(finding, Finding) else "")

    # choosing ---------------------------------------------------------------------
    def _choose(self, item: QTreeWidgetItem | None) -> None:
        finding = item.data(0, FINDING_ROLE) if item is not None else None
        if isinstance(finding, Finding):
            self.chosen.emit(finding)

    def choose(self, finding: Finding) -> None:
        """Select ``finding`` in the list and act on it as a click would."""
        item = self.item_of(finding)
        if item is not None:
            self.list.setCurrentItem(item)
        self.chosen.emit(finding)

    def focus_list(self) -> None:
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)
        first = self.list.topLevelItem(0)
        if self.list.currentItem() is None and first is not None:
            self.list.setCurrentItem(first)
