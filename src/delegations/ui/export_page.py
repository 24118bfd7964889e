"""The exports page: every document and calendar, made on a worker thread.

A calendar (``ical``) is a publication: the worker reads what its audience (the
delegation, an attendee or a host) last received, writes the calendar with it
(``ExportOptions.published``), so that events now gone are cancelled, and once the
file is written records what it holds with ``history.perform`` (never on the undo
stack), as ``delegations export ical`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from delegations.exports.kinds import DEFAULT_BADGE_LAYOUT, EXPORT_KINDS, ExportKind
from delegations.exports.options import ExportCancelled, ExportError, ExportOptions
from delegations.model import Delegation, PublishedEvent, count_of, fold, utc_now
from delegations.services import ServiceError, audit, checks, publications, queries
from delegations.services.checks import Report
from delegations.services.storage import Database, output_refusal
from delegations.ui import prompts
from delegations.ui.workers import Progress, Task

KINDS = EXPORT_KINDS
Kind = ExportKind
DEFAULT_LAYOUT = DEFAULT_BADGE_LAYOUT


BADGE_WARNINGS_SHOWN = 8
"""How many badge warnings the question lists (then "… and N more")."""


@dataclass(frozen=True)
class BadgeWarnings:
    """Badges that would print below the minimum size: where they were to be written,
    with which options, and what the badges module says about them."""

    out: Path
    options: ExportOptions
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Written:
    """A file the export wrote; for a calendar, its audience, and why what it holds
    could not be recorded (one line; empty: it was)."""

    path: Path
    audience: str | None = None
    warning: str = ""
    audit: str = ""
    """Why the export could not be recorded in the audit log (empty: it was)."""


def badge_warnings(delegation: Delegation, options: ExportOptions) -> list[str]:
    """The badges module's warnings before printing (on the worker: it loads ReportLab)."""
    from delegations.exports.badges import badge_warnings as warnings

    return list(warnings(delegation, options))


def record_publication(
    db: Database, delegation_id: int, audience: str, delegation: Delegation, options: ExportOptions
) -> str:
    """Remember what the calendar just written holds (``history.perform``: not undoable),
    so that the next one for ``audience`` cancels what it no longer holds. Returns ""
    once recorded, else why not, one line (the file is written either way)."""
    from delegations.exports.ical import snapshot
    from delegations.services.history import perform

    held = snapshot(delegation, options)
    try:
        perform(db, publications.record(delegation_id, audience, held, at=options.generated_at))
    except ServiceError as exc:
        return (
            f"what it holds could not be recorded ({exc}); export it again before sending "
            "it, or a later calendar cannot cancel its events"
        )
    return ""


def errors_question(report: Report | None, delegation_id: int | None, ask: str) -> str | None:
    """What to ask before writing documents of a plan with errors (None: it has none,
    or its findings are not known): the first two errors, how many more, ``ask``."""
    if report is None or report.delegation_id != delegation_id or not report.errors:
        return None
    errors = report.errors
    shown = "; ".join(f.message.rstrip(". ") for f in errors[:2])
    more = f"; and {len(errors) - 2} more" if len(errors) > 2 else ""
    return (
        f"The plan has {count_of(len(errors), 'error')} ({shown}{more}). {ask}"
        "\n\nThe Checks tab lists every problem."
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60] or "export"


class ExportPage(QWidget):
    """Choose a document, its options and a file; export with progress and cancel.

    Args:
        db: the open database (the worker opens its own session on it).
        folder: where files are suggested by default.
        confirm: asks a yes/no question (title, text) → yes? (replacing a file,
            exporting a plan with errors); by default a message box. ``open_url`` and
            ``choose_file`` are hooks too.
        parent: the Qt parent.

    Signals:
        finished(object): the export wrote this Path.
        published(str): a calendar was written and recorded for this audience
            (``publications.audience_key``).
        failed(str): the export failed; the message says why.
        folder_used(object): the user exported into this folder (remember it).
        layouts_loaded(): the badge layouts are listed.
    """

    finished = Signal(object)
    published = Signal(str)
    failed = Signal(str)
    folder_used = Signal(object)
    layouts_loaded = Signal()

    def __init__(
        self,
        db: Database,
        folder: Path,
        parent: QWidget | None = None,
        confirm: Callable[[str, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.folder = folder
        self.delegation_id: int | None = None
        self.title = ""
        self.task: Task | None = None
        self.layout_task: Task | None = None
        self.last_written: Path | None = None
        self.report: Report | None = None
        """The plan checks' findings for the delegation (``set_report``)."""
        self.open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl
        self.choose_file: Callable[[str, str], str] = self._choose_file
        self.choose_logo: Callable[[str, str], str] = self._choose_logo
        self.confirm: Callable[[str, str], bool] = confirm or partial(prompts.ask, self)
        self._typed: dict[str, str] = {}
        """The file name the user typed or chose, per document (kind key)."""
        self._layout_descriptions: dict[str, str] = {}
        self._warned: BadgeWarnings | None = None
        """Badge warnings found by the last run, asked about once it is done."""
        self.badge_box: QMessageBox | None = None
        """The question about badges below the minimum size, while it is open."""
        self._build()

    # building -------------------------------------------------------------------
    def _build(self) -> None:
        self.kind = QComboBox()
        self.kind.setAccessibleName("Document to export")
        for kind in KINDS:
            self.kind.addItem(kind.label, kind.key)
        self.paper = QComboBox()
        self.paper.addItem("A4", "a4")
        self.paper.addItem("US Letter", "letter")
        self.paper.setAccessibleName("Paper size")
        self.attendee = QComboBox()
        self.attendee.setAccessibleName("Attendee")
        self.host = QComboBox()
        self.host.setAccessibleName("Host organisation")
        self.layout_combo = QComboBox()
        self.layout_combo.setAccessibleName("Badge layout")
        self.layout_combo.addItem(DEFAULT_LAYOUT, DEFAULT_LAYOUT)
        self.layout_note = QLabel()
        self.layout_note.setWordWrap(True)
        self.order = QComboBox()
        self.order.setAccessibleName("Badge order")
        for key, label in (("name", "Name"), ("organisation", "Organisation"), ("role", "Role")):
            self.order.addItem(label, key)
        self.qr = QCheckBox("Print a QR code on each badge")
        self.qr.setAccessibleName("QR codes on badges")
        self.offset_x = QDoubleSpinBox()
        self.offset_y = QDoubleSpinBox()
        for spin, axis in ((self.offset_x, "right"), (self.offset_y, "down")):
            spin.setRange(-20, 20)
            spin.setSingleStep(0.5)
            spin.setSuffix(" mm")
            spin.setAccessibleName(f"Printer offset {axis}")
        self.calibration = QCheckBox("Print the calibration page instead of badges")
        self.calibration.setAccessibleName("Calibration page")
        self.unconfirmed = QCheckBox("Include attendees who have not confirmed (marked)")
        self.unconfirmed.setAccessibleName("Include attendees who have not confirmed")
        self.unconfirmed.setToolTip(
            "By default only confirmed attendees are listed; with this, invited ones "
            "too, marked as not confirmed"
        )
        self.email = QCheckBox("Print e-mail addresses")
        self.email.setAccessibleName("Print e-mail addresses on the sheets")
        self.logo = QLineEdit()
        self.logo.setAccessibleName("Logo image")
        self.logo.setPlaceholderText("none (a PNG or JPEG image, e.g. the programme's logo)")
        self.logo.setClearButtonEnabled(True)
        self.logo_button = QPushButton("Choose…")
        self.logo_button.setAccessibleName("Choose the logo image")
        self.logo_button.clicked.connect(self.browse_logo)
        self.list_format = QComboBox()
        self.list_format.addItem("PDF", "pdf")
        self.list_format.addItem("CSV (spreadsheet)", "csv")
        self.list_format.setAccessibleName("List format")
        self.per = QComboBox()
        self.per.addItem("One sheet per agenda item", "item")
        self.per.addItem("One sheet per day", "day")
        self.per.setAccessibleName("Attendance sheets per")
        self.file = QLineEdit()
        self.file.setAccessibleName("File to write")
        self.file.textEdited.connect(self._file_touched)
        self.browse = QPushButton("Browse…")
        self.browse.setAccessibleName("Choose the file to write")
        self.browse.clicked.connect(self.browse_file)

        offsets = QHBoxLayout()
        offsets.addWidget(QLabel("right"))
        offsets.addWidget(self.offset_x)
        offsets.addWidget(QLabel("down"))
        offsets.addWidget(self.offset_y)
        offsets.addStretch(1)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo, 1)
        logo_row.addWidget(self.logo_button)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)

        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: #4b5563;")
        self.form = QFormLayout()
        self.form.addRow("Document:", self.kind)
        self.form.addRow("", self.description)
        self.rows: dict[str, Any] = {}
        for key, label, widget in (
            ("paper", "Paper:", self.paper),
            ("attendee", "For:", self.attendee),
            ("host", "Host calendar:", self.host),
            ("layout", "Layout:", self.layout_combo),
            ("layout_note", "", self.layout_note),
            ("order", "Order:", self.order),
            ("qr", "", self.qr),
            ("per", "Sheets:", self.per),
            ("logo", "Logo:", logo_row),
            ("unconfirmed", "", self.unconfirmed),
            ("email", "", self.email),
            ("offset", "Printer offset:", offsets),
            ("calibration", "", self.calibration),
            ("format", "Format:", self.list_format),
        ):
            self.form.addRow(label, widget)
            self.rows[key] = widget
        self.form.addRow("Save as:", file_row)

        self.export_button = QPushButton("Export")
        self.export_button.setAccessibleName("Export the document")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the export")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Export result")
        self.open_file_button = QPushButton("Open file")
        self.open_file_button.clicked.connect(self.open_file)
        self.open_folder_button = QPushButton("Open folder")
        self.open_folder_button.clicked.connect(self.open_folder)
        for button in (self.open_file_button, self.open_folder_button):
            button.hide()

        actions = QHBoxLayout()
        actions.addWidget(self.export_button)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.cancel_button)
        actions.addStretch(0)
        done = QHBoxLayout()
        done.addWidget(self.status, 1)
        done.addWidget(self.open_file_button)
        done.addWidget(self.open_folder_button)

        intro = QLabel("Documents and calendars are made from the delegation as it is saved now.")
        intro.setWordWrap(True)
        box = QWidget()
        box.setMaximumWidth(760)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(intro)
        column.addSpacing(8)
        column.addLayout(self.form)
        column.addSpacing(8)
        column.addLayout(actions)
        column.addLayout(done)
        outer = QVBoxLayout(self)
        outer.addWidget(box)
        outer.addStretch(1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        for combo in (self.attendee, self.host, self.list_format):
            combo.currentIndexChanged.connect(self._suggest_file)
        self.attendee.currentIndexChanged.connect(self._who_changed)
        self.host.currentIndexChanged.connect(self._host_changed)
        self.layout_combo.currentIndexChanged.connect(self._layout_changed)
        self._kind_changed()

    # data -----------------------------------------------------------------------
    def set_delegation(self, delegation: Delegation) -> None:
        """Offer exports of ``delegation`` (a loaded one: attendees and hosts are listed)."""
        if delegation.id != self.delegation_id:
            self._typed.clear()  # names typed for another delegation's documents
        self.delegation_id = delegation.id
        self.title = delegation.title
        keep_attendee, keep_host = self.attendee.currentData(), self.host.currentData()
        self.attendee.blockSignals(True)
        self.attendee.clear()
        self.attendee.addItem("The whole delegation", None)
        for p in sorted(
            delegation.participations, key=lambda p: (p.person.family_name, p.person.given_name)
        ):
            self.attendee.addItem(f"{p.person.full_name} (personal)", p.person_id)
        self._reselect(self.attendee, keep_attendee)
        self.attendee.blockSignals(False)
        self.host.blockSignals(True)
        self.host.clear()
        self.host.addItem("No host (delegation or personal calendar)", None)
        hosts = {item.host.id: item.host.display_name for item in delegation.items if item.host}
        for host_id, name in sorted(hosts.items(), key=lambda h: fold(h[1])):
            self.host.addItem(name, host_id)
        self._reselect(self.host, keep_host)
        self.host.blockSignals(False)
        self._suggest_file()

    def set_report(self, report: Report | None) -> None:
        """The findings of the delegation's plan, to ask about before exporting one with
        errors (None: not known)."""
        self.report = report

    def errors_question(self) -> str | None:
        """What to ask before exporting a plan with errors (None: it has none)."""
        return errors_question(self.report, self.delegation_id, "Export anyway?")

    @staticmethod
    def _reselect(combo: QComboBox, data: Any) -> None:
        index = combo.findData(data)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def current_kind(self) -> Kind:
        return KINDS[max(self.kind.currentIndex(), 0)]

    def select_kind(self, key: str) -> None:
        index = self.kind.findData(key)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        self.description.setText(kind.description)
        shown = set(kind.options)
        if "layout" in shown:
            shown.add("layout_note")
            self.load_layouts()
        for key, widget in self.rows.items():
            self.form.setRowVisible(widget, key in shown)
        self._suggest_file()

    def _who_changed(self) -> None:
        if self.attendee.currentData() is not None and self.host.currentIndex() > 0:
            self.host.setCurrentIndex(0)

    def _host_changed(self) -> None:
        """A host calendar is not personal: choosing a host resets the attendee."""
        if self.host.currentData() is not None and self.attendee.currentIndex() > 0:
            self.attendee.setCurrentIndex(0)

    def _layout_changed(self) -> None:
        self.layout_note.setText(self._layout_descriptions.get(self.layout_combo.currentData(), ""))

    def load_layouts(self) -> None:
        """List the badge layouts on a worker (the badge module loads ReportLab)."""
        if self.layout_task is not None:
            return

        def work(progress: Progress) -> list[tuple[str, str]]:
            from delegations.exports.badges import list_layouts

            return [(layout.name, layout.description) for layout in list_layouts()]

        self.layout_task = Task(work, parent=self)
        self.layout_task.succeeded.connect(self._layouts_ready)
        self.layout_task.start()

    def _layouts_ready(self, layouts: list[tuple[str, str]]) -> None:
        keep = self.layout_combo.currentData()
        self._layout_descriptions = dict(layouts)
        self.layout_combo.blockSignals(True)
        self.layout_combo.clear()
        for name, _description in layouts:
            self.layout_combo.addItem(name, name)
        self._reselect(self.layout_combo, keep)
        self.layout_combo.blockSignals(False)
        self._layout_changed()
        self.layouts_loaded.emit()

    # file -------------------------------------------------------------------------
    def suffix(self) -> str:
        kind = self.current_kind()
        if kind.key == "ical":
            return ".ics"
        if "format" in kind.options and self.list_format.currentData() == "csv":
            return ".csv"
        return ".pdf"

    def suggested_name(self) -> str:
        kind = self.current_kind()
        parts = [slug(self.title), kind.key]
        if "attendee" in kind.options and self.attendee.currentData() is not None:
            parts.append(slug(self.attendee.currentText().replace("(personal)", "")))
        if kind.key == "ical" and self.host.currentData() is not None:
            parts.append(slug(self.host.currentText()))
        return "-".join(parts) + self.suffix()

    def _suggest_file(self) -> None:
        """Save as: the name the user gave this document (with the right suffix), else
        the suggested name for it in the export folder."""
        typed = self._typed.get(self.current_kind().key, "").strip()
        if typed:
            self.file.setText(str(Path(typed).with_suffix(self.suffix())))
            return
        self.file.setText(str(self.folder / self.suggested_name()))

    def _file_touched(self) -> None:
        """The user typed in "Save as": keep that name for this document."""
        self._typed[self.current_kind().key] = self.file.text()

    def _choose_file(self, suggestion: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", suggestion, filters)
        return path

    def browse_file(self) -> None:
        filters = {
            ".pdf": "PDF documents (*.pdf)",
            ".csv": "CSV files (*.csv)",
            ".ics": "Calendars (*.ics)",
        }[self.suffix()]
        path = self.choose_file(self.file.text(), filters)
        if path:
            self.file.setText(path)
            self._typed[self.current_kind().key] = path

    # exporting -------------------------------------------------------------------
    def browse_logo(self) -> None:
        start = self.logo.text().strip() or str(self.folder)
        path = self.choose_logo(start, "Images (*.png *.jpg *.jpeg)")
        if path:
            self.logo.setText(path)

    def _choose_logo(self, start: str, filters: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Logo image", start, filters)
        return path

    def logo_path(self) -> Path | None:
        """The logo image for the current document (None: none, or it takes none)."""
        text = self.logo.text().strip()
        if "logo" not in self.current_kind().options or not text:
            return None
        return Path(text).expanduser()

    def options(self) -> ExportOptions:
        kind = self.current_kind()
        attendee = self.attendee.currentData() if "attendee" in kind.options else None
        host = self.host.currentData() if kind.key == "ical" else None
        if kind.key == "ical" and attendee is not None:
            host = None
        return ExportOptions(
            paper=self.paper.currentData(),
            attendee_id=attendee,
            host_id=host,
            layout=self.layout_combo.currentData() or DEFAULT_LAYOUT,
            list_format=self.list_format.currentData(),
            per=self.per.currentData(),
            qr=self.qr.isChecked(),
            offset_mm=(self.offset_x.value(), self.offset_y.value()),
            calibration=self.calibration.isChecked(),
            order=self.order.currentData(),
            logo=self.logo_path(),
            include_unconfirmed="unconfirmed" in kind.options and self.unconfirmed.isChecked(),
            email_column="email" in kind.options and self.email.isChecked(),
        )

    def busy(self) -> bool:
        return self.task is not None and self.task.isRunning()

    def start(self) -> None:
        """Export the chosen document to the chosen file on a worker thread."""
        if self.busy() or self.delegation_id is None:
            return
        text = self.file.text().strip()
        if not text:
            self._show_failure("Choose the file to write.")
            return
        out = Path(text).expanduser()
        if not out.suffix:
            out = out.with_suffix(self.suffix())
        refused = output_refusal(out, self.db.path)
        if refused is not None:
            self._show_failure(f"{out.name} is {refused}; choose another file.")
            return
        logo = self.logo_path()
        if logo is not None and not logo.is_file():
            self._show_failure(
                f"the logo {logo} is not a file; choose an image or clear the field."
            )
            return
        question = self.errors_question()
        if question is not None and not self.confirm("Export a plan with errors?", question):
            self.status.setText("Not exported: fix the errors first (see the Checks tab).")
            return
        if out.exists() and not self.confirm(
            "Replace the file?",
            f"{out.name} already exists in {out.parent}.\n\nReplace it with the new "
            f"{self.current_kind().label.lower()}?",
        ):
            self.status.setText(f"Not exported: {out.name} was kept as it was.")
            return
        options = self.options()
        self._run(out, options, check_badges=self.current_kind().key == "badges")

    def _run(self, out: Path, options: ExportOptions, check_badges: bool) -> None:
        """Export to ``out`` on a worker; badges are checked first when ``check_badges``
        (the worker then returns ``BadgeWarnings`` instead of writing, when there are any)."""
        kind, db, delegation_id = self.current_kind().key, self.db, self.delegation_id
        assert delegation_id is not None
        check_badges = check_badges and not options.calibration

        def work(progress: Progress) -> Written | BadgeWarnings:
            from dataclasses import replace

            from delegations.exports import Ways, run_export

            audience: str | None = None
            published: dict[str, PublishedEvent] | None = None
            with db.session() as session:
                delegation = queries.load_delegation(session, delegation_id)
                ways = Ways.of(*checks.way_knowledge(session))
                if kind == "ical":
                    audience = publications.audience_key(
                        person_id=options.attendee_id, host_id=options.host_id
                    )
                    published = publications.last_published(session, delegation_id, audience)
            if check_badges:
                warnings = badge_warnings(delegation, replace(options, ways=ways))
                if warnings:
                    return BadgeWarnings(out, options, tuple(warnings))
            progress(0, 1)
            chosen = replace(options, progress=progress, ways=ways)
            if audience is not None:
                chosen = replace(chosen, published=published, generated_at=utc_now())
            path = run_export(kind, delegation, out, chosen)
            who = audit.attendee_ids(delegation, [options.attendee_id])
            audited = audit.exported(db, kind, delegation_id, who) or ""
            if audience is None:
                return Written(path, audit=audited)
            warning = record_publication(db, delegation_id, audience, delegation, chosen)
            return Written(path, audience, warning, audited)

        self.task = Task(
            work, cancel_error=ExportCancelled, expected=(ExportError, ServiceError, OSError)
        )
        self.task.progressed.connect(self._progressed)
        self.task.succeeded.connect(self._succeeded)
        self.task.failed.connect(self._show_failure)
        self.task.was_cancelled.connect(self._cancelled)
        self.task.finished.connect(self._idle)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.export_button.setEnabled(False)
        self.open_file_button.hide()
        self.open_folder_button.hide()
        self.status.setText(f"Exporting {self.current_kind().label.lower()}…")
        self.task.start()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling…")

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _succeeded(self, result: Written | BadgeWarnings) -> None:
        if isinstance(result, BadgeWarnings):
            self._warned = result  # asked once the worker is done (``_idle``)
            return
        self.last_written = Path(result.path)
        self.folder = self.last_written.parent  # later suggestions go beside it
        if result.warning:
            self.status.setText(f"Wrote {self.last_written}, but {result.warning}.")
        else:
            self.status.setText(f"Wrote {self.last_written}")
        if result.audit:
            self.status.setText(f"{self.status.text()} Note: {result.audit}.")
        self.open_file_button.show()
        self.open_folder_button.show()
        self.folder_used.emit(self.last_written.parent)
        if result.audience is not None and not result.warning:
            self.published.emit(result.audience)
        self.finished.emit(self.last_written)

    def _show_failure(self, message: str) -> None:
        self.status.setText(f"Export failed: {message}")
        self.failed.emit(message)

    def _cancelled(self) -> None:
        self.status.setText("Export cancelled; no file was written.")

    def _idle(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.export_button.setEnabled(True)
        if self.task is not None:
            self.task.deleteLater()
        self.task = None
        warned, self._warned = self._warned, None
        if warned is not None:
            self.ask_badges(warned)

    def ask_badges(self, warned: BadgeWarnings) -> QMessageBox:
        """Ask whether to print badges below the minimum size (Cancel is the default).

        The question does not block: "Print anyway" writes the badges when it is
        clicked; Cancel (or Escape, or Enter) writes nothing. The box is
        ``badge_box`` while it is open.
        """
        shown = "\n".join(f"• {line}" for line in warned.warnings[:BADGE_WARNINGS_SHOWN])
        more = len(warned.warnings) - BADGE_WARNINGS_SHOWN
        if more > 0:
            shown += f"\n… and {more} more"
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Badges below the minimum size",
            f"These badges will print below the minimum size:\n\n{shown}",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText("Print anyway, or Cancel to change them first.")
        print_button = box.addButton("Print anyway", QMessageBox.ButtonRole.AcceptRole)
        cancel_button = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel_button)
        box.setEscapeButton(cancel_button)

        def finished(_result: int) -> None:
            self.badge_box = None
            chosen = box.clickedButton() is print_button
            box.deleteLater()
            if chosen:
                self._run(warned.out, warned.options, check_badges=False)
            else:
                self.status.setText("Not exported: no badges were printed.")

        box.finished.connect(finished)
        self.badge_box = box
        self.status.setText("Some badges would print below the minimum size.")
        box.open()
        return box

    def open_file(self) -> None:
        if self.last_written is not None:
            self._open(self.last_written, "file")

    def open_folder(self) -> None:
        if self.last_written is not None:
            self._open(self.last_written.parent, "folder")

    def _open(self, path: Path, what: str) -> None:
        """Open ``path`` with the system's application; say so when none could."""
        if self.open_url(QUrl.fromLocalFile(str(path))) is False:
            self.status.setText(
                f"No application could open the {what} {path}. Open it from your file "
                "manager, or install an application for it."
            )

    def wait(self, ms: int = 30000) -> None:
        """Wait for a running export (used when the window closes)."""
        if self.task is not None:
            self.task.cancel()
            self.task.wait(ms)
        if self.layout_task is not None:
            self.layout_task.wait(ms)
