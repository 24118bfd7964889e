"""The packs page: what changed for each attendee since their last pack, their packs
written into a folder, and the packs sent by e-mail (resumably).

The table lists the delegation's confirmed attendees with their e-mail address, when
they were last sent a calendar and what changed since (``services.publications``),
read in one session whenever the workspace shows the delegation again.

"Write packs" runs ``exports.pack.write_pack`` on a worker thread (``ui.workers.Task``)
with a progress bar and Cancel (or Escape); what each attendee's calendar holds is then
recorded with ``services.history.perform`` (never on the undo stack), also for the
complete packs of a cancelled run, so that a later calendar cancels what is gone.

"Send by e-mail" writes the packs with their ``.eml`` drafts, then sends the drafts of
that pack (``exports.mail.drafts``) through the SMTP server set in Preferences
(``services.sending.send_messages``, with a send log in the folder); the calendars of
the messages that went out are recorded then (not those of the attendees not reached). When sending
stops (the server dropped the connection, Cancel), the button becomes "Send the rest
(N)", which sends the same drafts again: the send log skips what went out, so each
message is sent once.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from delegations.exports.options import ExportCancelled, ExportError, ExportOptions
from delegations.model import Delegation, count_of, fold, utc_now
from delegations.services import ServiceError, publications, queries, sending
from delegations.services.checks import Report
from delegations.services.storage import Database, output_refusal
from delegations.ui import prompts
from delegations.ui.export_page import errors_question
from delegations.ui.settings import Settings
from delegations.ui.workers import Progress, Task
from delegations.workflows.packs import record

NEVER = "never"
NO_EMAIL = "⚠ no e-mail address"
SHOWN = 8
"""How many names of attendees not sent to the status line lists."""

Columns = ("Attendee", "E-mail", "Last sent", "Changes since")

RUNNING: set[Task] = set()
"""Pack and send workers still running: kept alive until they end, even when their
page is gone, and stopped (between two attendees) when the application quits."""


def wait_all(ms: int = 30000) -> None:
    """Cancel the running pack and send workers and wait for them (quitting)."""
    for task in list(RUNNING):
        task.cancel()
        task.wait(ms)


def _keep(task: Task) -> None:
    if not RUNNING:
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(wait_all, Qt.ConnectionType.UniqueConnection)
    RUNNING.add(task)
    task.finished.connect(lambda: RUNNING.discard(task))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60] or "delegation"


def when(at: datetime | None) -> str:
    """A publication's time in the computer's own zone, or "never"."""
    if at is None:
        return NEVER
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    local = at.astimezone()
    return f"{local.day} {local:%b %Y %H:%M}"


@dataclass(frozen=True)
class Row:
    """One attendee as the table shows them."""

    person_id: int
    name: str
    email: str
    published_at: datetime | None
    changes: tuple[str, ...]


@dataclass
class Outcome:
    """What a worker did, filled in as it goes (so that a cancelled run can tell).

    Attributes:
        result: the pack written (complete attendee packs only), if any.
        recording: why what the calendars hold could not be recorded (None: recorded).
        pack_id: the pack whose drafts are sent.
        messages: how many drafts with a recipient were to be sent.
        report: what the send did.
        error: the one-line reason sending stopped.
    """

    result: Any = None
    recording: str | None = None
    audit: str | None = None
    """Why the packs' export could not be recorded in the audit log (None: it was)."""
    pack_id: str = ""
    messages: int = 0
    report: sending.SendReport | None = None
    error: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    """Message key → the recipient's name, to say who was not sent to."""
    calendars: dict[str, Any] = field(default_factory=dict)
    """What each attendee's calendar in the pack holds, by audience (``person:ID``)."""
    audiences: dict[str, str] = field(default_factory=dict)
    """Message key (the attendee's participation) → audience."""
    at: datetime | None = None
    """When the pack was made (its publications are recorded at that time)."""


@dataclass
class Pending:
    """A send that stopped: the drafts of ``pack_id`` in ``folder`` are sent again
    (the send log skips what went out); the calendars of those sent then are recorded."""

    delegation_id: int
    folder: Path
    pack_id: str
    remaining: int
    only: tuple[int, ...] | None = None
    ask_password: bool = False
    calendars: dict[str, Any] = field(default_factory=dict)
    audiences: dict[str, str] = field(default_factory=dict)
    at: datetime | None = None


@dataclass
class _Request:
    folder: Path
    only: tuple[int, ...] | None
    zip: bool
    eml: bool
    organiser: bool
    names: dict[int, str] = field(default_factory=dict)


class PasswordDialog(QDialog):
    """Asks for the SMTP password; "Remember" keeps it in the system keyring."""

    def __init__(self, account: str, can_remember: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("SMTP password")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("SMTP password")
        self.remember = QCheckBox("&Remember it in the system keyring")
        self.remember.setEnabled(can_remember)
        if not can_remember:
            self.remember.setToolTip(sending.NO_KEYRING)
        label = QLabel(f"Password for {account}:")
        label.setBuddy(self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.password)
        layout.addWidget(self.remember)
        layout.addWidget(buttons)
        self.password.setFocus()


def ask_password(parent: QWidget, settings: sending.SmtpSettings) -> tuple[str, bool] | None:
    """The password typed and whether to remember it; None when cancelled."""
    dialog = PasswordDialog(settings.keyring_user, sending.keyring_available(), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.password.text(), dialog.remember.isChecked()


class PackPage(QWidget):
    """Changes since last sent, attendee packs written into a folder, packs sent by e-mail.

    Args:
        db: the open database (workers open their own sessions on it).
        folder: the export folder; packs are suggested in a folder inside it.
        confirm: asks a yes/no question (title, text) → yes?; by default a message box.
        parent: the Qt parent.

    Hooks (tests replace them): ``open_url``, ``choose_folder``, ``ask_password``,
    ``open_preferences`` and ``settings`` (a callable giving ``Settings``).

    Signals:
        folder_used(object): packs were written in this folder (its parent is
            remembered as the export folder).
        written(object): the ``PackResult`` of a run (also a cancelled one).
        sent(object): the ``SendReport`` of a send that ended (sent everything, or not).
    """

    folder_used = Signal(object)
    written = Signal(object)
    sent = Signal(object)

    def __init__(
        self,
        db: Database,
        folder: Path,
        parent: QWidget | None = None,
        confirm: Callable[[str, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.export_folder = folder
        self.delegation_id: int | None = None
        self.title = ""
        self.rows: list[Row] = []
        self.report: Report | None = None
        self.former = 0
        """People no longer attending who are owed a final calendar."""
        self.task: Task | None = None
        self.outcome: Outcome | None = None
        self.pending: Pending | None = None
        self.last_folder: Path | None = None
        self._typed: dict[int, str] = {}
        """The folder the user typed or chose, per delegation."""
        self._mode = ""
        self._request: _Request | None = None
        self._note = ""
        """Said after the run's result (the keyring did not keep the password)."""
        self.confirm: Callable[[str, str], bool] = confirm or partial(prompts.ask, self)
        self.open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl
        self.choose_folder: Callable[[str], str] = self._choose_folder
        self.ask_password: Callable[[sending.SmtpSettings], tuple[str, bool] | None] = lambda s: (
            ask_password(self, s)
        )
        self.open_preferences: Callable[[], Any] = self._open_preferences
        self.settings: Callable[[], Settings] = Settings
        self._build()

    # building -------------------------------------------------------------------
    def _build(self) -> None:
        heading = QLabel("Changes s&ince last sent")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.table = QTableWidget(0, len(Columns))
        self.table.setAccessibleName("Attendees and what changed since their last pack")
        self.table.setHorizontalHeaderLabels(list(Columns))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        for c in (0, 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        heading.setBuddy(self.table)
        self.summary = QLabel()
        self.summary.setAccessibleName("Changes summary")
        self.summary.setStyleSheet("color: #4b5563;")
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("What changed for the selected attendee")
        self.details.setPlaceholderText("Select an attendee to read what changed for them.")
        self.details.setMaximumHeight(96)
        self.details.setTabChangesFocus(True)

        self.folder = QLineEdit()
        self.folder.setAccessibleName("Folder to write the packs into")
        self.folder.textEdited.connect(self._folder_touched)
        self.folder.textChanged.connect(self._folder_changed)
        self.browse = QPushButton("&Browse…")
        self.browse.setAccessibleName("Choose the folder to write the packs into")
        self.browse.clicked.connect(self.browse_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        folder_label = QLabel("Sa&ve to:")
        folder_label.setBuddy(self.folder)

        self.zip = QCheckBox("One &zip per attendee (instead of a folder)")
        self.eml = QCheckBox("E-&mail drafts (.eml) to send from your mail program")
        self.eml.setChecked(True)
        self.organiser = QCheckBox("Organiser documents &too (badges, lists, sheets)")
        options = QVBoxLayout()
        for check in (self.zip, self.eml, self.organiser):
            options.addWidget(check)

        self.everyone = QRadioButton("A&ll confirmed attendees")
        self.selected = QRadioButton("Only the selected &rows")
        self.everyone.setChecked(True)
        self.whom_group = QButtonGroup(self)
        self.whom_group.addButton(self.everyone)
        self.whom_group.addButton(self.selected)
        self.whom_group.buttonToggled.connect(self._update_buttons)
        whom = QHBoxLayout()
        whom.addWidget(self.everyone)
        whom.addWidget(self.selected)
        whom.addStretch(1)

        form = QFormLayout()
        form.addRow(folder_label, folder_row)
        form.addRow("Include:", options)
        form.addRow("For:", whom)

        self.write_button = QPushButton("&Write packs")
        self.write_button.setAccessibleName("Write the attendee packs")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.start_writing)
        self.send_button = QPushButton("&Send by e-mail…")
        self.send_button.setAccessibleName("Send the packs by e-mail")
        self.send_button.clicked.connect(self.start_sending)
        self.setup_button = QPushButton("Set &up sending in Preferences…")
        self.setup_button.setAccessibleName("Set up sending by e-mail in Preferences")
        self.setup_button.clicked.connect(self.setup_sending)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Pack progress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel writing or sending the packs")
        self.cancel_button.setToolTip("Stop after the attendee being done (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.cancel)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Pack result")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton("Ope&n folder")
        self.open_folder_button.setAccessibleName("Open the folder of the packs")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.open_folder_button.hide()

        actions = QHBoxLayout()
        actions.addWidget(self.write_button)
        actions.addWidget(self.send_button)
        actions.addWidget(self.setup_button)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.cancel_button)
        actions.addStretch(0)
        done = QHBoxLayout()
        done.addWidget(self.status, 1)
        done.addWidget(self.open_folder_button, 0, Qt.AlignmentFlag.AlignTop)

        box = QWidget()
        box.setMaximumWidth(760)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addSpacing(4)
        column.addLayout(actions)
        column.addLayout(done)

        outer = QVBoxLayout(self)
        outer.addWidget(heading)
        outer.addWidget(self.summary)
        outer.addWidget(self.table, 1)
        outer.addWidget(self.details)
        outer.addSpacing(8)
        outer.addWidget(box)

        self.setTabOrder(self.table, self.details)
        self.setTabOrder(self.details, self.folder)
        self.setTabOrder(self.folder, self.browse)
        self.setTabOrder(self.browse, self.zip)
        self.setTabOrder(self.zip, self.eml)
        self.setTabOrder(self.eml, self.organiser)
        self.setTabOrder(self.organiser, self.everyone)
        self.setTabOrder(self.everyone, self.selected)
        self.setTabOrder(self.selected, self.write_button)
        self.setTabOrder(self.write_button, self.send_button)
        self.setTabOrder(self.send_button, self.setup_button)
        self.setTabOrder(self.setup_button, self.cancel_button)
        self.setTabOrder(self.cancel_button, self.open_folder_button)
        self._update_buttons()

    # data -------------------------------------------------------------------------
    def set_delegation(self, delegation: Delegation) -> None:
        """Show ``delegation``'s confirmed attendees and what changed for them (it is
        loaded; the publications are read in one session)."""
        other = delegation.id != self.delegation_id
        if other:
            self.pending = None
            self.last_folder = None
            self.open_folder_button.hide()
            self.status.clear()
        self.delegation_id = delegation.id
        self.title = delegation.title
        people = sorted(
            (p for p in delegation.participations if p.confirmed),
            key=lambda p: (p.person.sort_name.casefold(), p.person_id),
        )
        with self.db.session() as session:
            got = publications.received(session, delegation.id, [p.person_id for p in people])
            self.former = len(publications.former_attendees(session, delegation.id))
        self.rows = [
            Row(
                person_id=p.person_id,
                name=p.person.full_name,
                email=(p.person.email or "").strip(),
                published_at=got[p.person_id].published_at,
                changes=tuple(line.text for line in got[p.person_id].changes),
            )
            for p in people
        ]
        self._fill()
        if other or not self.folder.text().strip():
            self._suggest_folder()  # else keep the folder shown (chosen, or typed)
        self._update_buttons()

    def refresh(self) -> None:
        """Read the delegation and its publications again."""
        if self.delegation_id is None:
            return
        with self.db.session() as session:
            delegation = queries.load_delegation(session, self.delegation_id)
        self.set_delegation(delegation)

    def _fill(self) -> None:
        chosen = set(self.selected_ids())
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            if row.published_at is None:
                change = "nothing sent yet"
            elif not row.changes:
                change = "no changes"
            else:
                change = f"{count_of(len(row.changes), 'change')}: {row.changes[0]}"
            cells = (row.name, row.email or NO_EMAIL, when(row.published_at), change)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.person_id)
                if c == 1 and not row.email:
                    item.setForeground(Qt.GlobalColor.darkRed)
                    item.setToolTip("Their draft has no recipient: add their e-mail address.")
                if c == 3 and row.changes:
                    item.setToolTip("\n".join(row.changes))
                self.table.setItem(r, c, item)
        for c, widest in ((0, 220), (1, 240)):  # the changes take the room left
            self.table.resizeColumnToContents(c)
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), widest))
        self.table.clearSelection()
        for r, row in enumerate(self.rows):
            if row.person_id in chosen:
                self._add_row(r)
        changed = sum(1 for row in self.rows if row.changes)
        never = sum(1 for row in self.rows if row.published_at is None)
        missing = sum(1 for row in self.rows if not row.email)
        parts = [count_of(len(self.rows), "confirmed attendee")]
        if changed:
            parts.append(f"{changed} with changes since their last pack")
        if never:
            parts.append(f"{never} never sent a pack")
        if missing:
            parts.append(f"{missing} without an e-mail address")
        text = "; ".join(parts) + "."
        if self.former:
            text += (
                f" {count_of(self.former, 'person')} no longer attending will get a final "
                "calendar that cancels the events they were sent."
            )
        self.summary.setText(text)
        self._selection_changed()

    def _add_row(self, r: int) -> None:
        model = self.table.selectionModel()
        index = self.table.model().index(r, 0)
        model.select(
            index,
            model.SelectionFlag.Select | model.SelectionFlag.Rows,
        )

    def row_of(self, person_id: int) -> Row | None:
        return next((row for row in self.rows if row.person_id == person_id), None)

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.rows[r].person_id for r in rows if r < len(self.rows)]

    def select_ids(self, ids: Sequence[int]) -> None:
        self.table.clearSelection()
        for r, row in enumerate(self.rows):
            if row.person_id in ids:
                self._add_row(r)

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            row = self.row_of(ids[0])
            assert row is not None
            if row.published_at is None:
                text = f"Nothing was sent to {row.name} yet: their first pack holds everything."
            elif not row.changes:
                text = f"Nothing changed for {row.name} since {when(row.published_at)}."
            else:
                text = "\n".join(f"• {line}" for line in row.changes)
            self.details.setPlainText(text)
        elif ids:
            self.details.setPlainText(f"{len(ids)} attendees selected.")
        else:
            self.details.clear()
        self.selected.setText(f"Only the selected &rows ({len(ids)})")
        self._update_buttons()

    # the folder -------------------------------------------------------------------
    def suggested_folder(self) -> Path:
        return self.export_folder / f"{slug(self.title)}-packs"

    def _suggest_folder(self) -> None:
        if self.delegation_id is None:
            return
        typed = self._typed.get(self.delegation_id, "").strip()
        text = typed or str(self.suggested_folder())
        if self.folder.text() != text:
            self.folder.setText(text)

    def _folder_touched(self) -> None:
        if self.delegation_id is not None:
            self._typed[self.delegation_id] = self.folder.text()

    def _folder_changed(self) -> None:
        pending = self.pending
        if pending is not None and self.chosen_folder() != pending.folder:
            self.pending = None
            self._update_buttons()

    def _choose_folder(self, start: str) -> str:
        return QFileDialog.getExistingDirectory(self, "Write the packs into", start)

    def browse_folder(self) -> None:
        path = self.choose_folder(self.folder.text())
        if path:
            self.folder.setText(path)
            self._folder_touched()

    def chosen_folder(self) -> Path | None:
        text = self.folder.text().strip()
        return Path(text).expanduser() if text else None

    def folder_refusal(self, folder: Path | None) -> str | None:
        """Why the packs cannot be written into ``folder`` (None: they can)."""
        if folder is None:
            return "Choose the folder to write the packs into."
        refused = output_refusal(folder, self.db.path)
        if refused is not None:
            return f"{folder} is {refused}; choose another folder."
        if folder.exists() and not folder.is_dir():
            return f"{folder} is a file; choose a folder to write the packs into."
        if self.db.path.parent.resolve() == folder.resolve():
            return f"{folder} holds the database; choose another folder for the packs."
        return None

    # state ------------------------------------------------------------------------
    def busy(self) -> bool:
        return self.task is not None

    def smtp(self) -> sending.SmtpSettings | None:
        return self.settings().smtp()

    def _update_buttons(self, *_args: object) -> None:
        busy = self.busy()
        has = self.delegation_id is not None and bool(self.rows)
        configured = self.smtp() is not None
        self.write_button.setEnabled(has and not busy)
        self.send_button.setVisible(configured)
        self.send_button.setEnabled(has and configured and not busy)
        self.setup_button.setVisible(not configured)
        self.setup_button.setEnabled(not busy)
        pending = self.pending
        if pending is not None and pending.delegation_id == self.delegation_id:
            self.send_button.setText(f"&Send the rest ({pending.remaining})")
            self.send_button.setAccessibleName("Send the messages that were not sent")
        else:
            self.send_button.setText("&Send by e-mail…")
            self.send_button.setAccessibleName("Send the packs by e-mail")
        for widget in (self.folder, self.browse, self.zip, self.eml, self.organiser):
            widget.setEnabled(not busy)
        self.everyone.setEnabled(not busy)
        self.selected.setEnabled(not busy)

    def whom(self) -> tuple[int, ...] | None:
        """The person ids chosen (None: every confirmed attendee)."""
        if self.everyone.isChecked():
            return None
        return tuple(self.selected_ids())

    def _names(self) -> dict[int, str]:
        return {row.person_id: row.name for row in self.rows}

    # writing ----------------------------------------------------------------------
    def _checked_request(self, eml: bool) -> _Request | None:
        if self.busy() or self.delegation_id is None:
            return None
        folder = self.chosen_folder()
        refused = self.folder_refusal(folder)
        if refused is not None:
            self._say(refused)
            return None
        assert folder is not None
        only = self.whom()
        if only is not None and not only:
            self._say("Select the attendees in the table first, or choose all confirmed attendees.")
            return None
        return _Request(
            folder=folder,
            only=only,
            zip=self.zip.isChecked(),
            eml=eml,
            organiser=self.organiser.isChecked(),
            names=self._names(),
        )

    def set_report(self, report: Report | None) -> None:
        """The findings of the delegation's plan, to ask about before writing packs of
        a plan with errors (None: not known)."""
        self.report = report

    def _errors_accepted(self, ask: str) -> bool:
        question = errors_question(self.report, self.delegation_id, ask)
        if question is None or self.confirm("Plan has errors", question):
            return True
        self._say("Nothing was written: fix the errors first (see the Checks tab).")
        return False

    def start_writing(self) -> None:
        """Write the packs chosen into the folder, on a worker thread."""
        request = self._checked_request(self.eml.isChecked())
        if request is None or not self._errors_accepted("Write the packs anyway?"):
            return
        self._start("write", request, self._write_work(request))

    def _write_work(self, request: _Request) -> Callable[[Progress, Outcome], Any]:
        db, delegation_id = self.db, self.delegation_id
        assert delegation_id is not None

        def work(progress: Progress, outcome: Outcome) -> Outcome:
            outcome.result = write(db, delegation_id, request, progress, outcome)
            return outcome

        return work

    # sending ----------------------------------------------------------------------
    def start_sending(self) -> None:
        """Write the packs with their drafts and send them (or send the rest of a send
        that stopped), after asking."""
        settings = self.smtp()
        if settings is None:
            self.setup_sending()
            return
        if self.busy() or self.delegation_id is None:
            return
        pending = self.pending
        if pending is not None and pending.delegation_id != self.delegation_id:
            pending = self.pending = None
        request = self._checked_request(eml=True)
        if request is None:
            return
        if pending is None and not self._errors_accepted("Send the packs anyway?"):
            return
        if pending is not None:
            request.only = pending.only
            question = (
                f"Send the {count_of(pending.remaining, 'remaining e-mail')} to the "
                f"attendees of “{self.title}”?\n\nThe messages already sent are not sent again."
            )
            title = "Send the rest?"
        else:
            ids = request.only if request.only is not None else [r.person_id for r in self.rows]
            with_email = sum(1 for i in ids if (row := self.row_of(i)) and row.email)
            without = len(ids) - with_email
            if not with_email:
                self._say(
                    "None of these attendees has an e-mail address; add them, or write the "
                    "packs and hand them out."
                )
                return
            question = (
                f"Send {count_of(with_email, 'e-mail')} to the attendees of “{self.title}”?"
                "\n\nEach gets their itinerary and calendar, with what changed since their "
                "last pack."
            )
            if without:
                question += f" {count_of(without, 'attendee')} without an e-mail address get none."
            title = "Send the packs?"
        if not self.confirm(title, question):
            self._say("Nothing was sent.")
            return
        password = self._password(settings, pending is not None and pending.ask_password)
        if password is False:
            self._say("Nothing was sent: the SMTP password is needed to send.")
            return
        assert not isinstance(password, bool)
        self._start(
            "send",
            request,
            self._send_work(request, settings, password, pending),
        )

    def _password(self, settings: sending.SmtpSettings, ask: bool) -> str | bool | None:
        """The password to log in with: None without a user, the keyring's, else asked
        (False: the user cancelled)."""
        if not settings.user:
            return None
        if not ask:
            stored = sending.stored_password(settings)
            if stored:
                return stored
        answer = self.ask_password(settings)
        if answer is None:
            return False
        password, remember = answer
        if remember:
            try:
                sending.store_password(settings, password)
            except sending.KeyringUnavailable as exc:
                self._note = str(exc)
        return password

    def _send_work(
        self,
        request: _Request,
        settings: sending.SmtpSettings,
        password: str | None,
        pending: Pending | None,
    ) -> Callable[[Progress, Outcome], Any]:
        db, delegation_id = self.db, self.delegation_id
        assert delegation_id is not None

        def work(progress: Progress, outcome: Outcome) -> Outcome:
            from delegations.exports.mail import drafts

            if pending is not None:  # the rest of a send: the same drafts, not rewritten
                outcome.pack_id, outcome.at = pending.pack_id, pending.at
                outcome.calendars, outcome.audiences = pending.calendars, pending.audiences
            else:  # recorded once sent (below), not when written
                outcome.pack_id = write(
                    db, delegation_id, request, progress, outcome, False
                ).pack_id
            marker = f"<pack-{outcome.pack_id}."
            messages = [
                (key, message)
                for key, message in drafts(request.folder)
                if str(message.get("Message-ID", "")).startswith(marker) and _has_recipient(message)
            ]
            outcome.messages = len(messages)
            outcome.names = {key: _recipient(message) for key, message in messages}

            def step(done: int, total: int) -> None:
                with contextlib.suppress(ExportCancelled):  # Cancel: ``cancelled``
                    progress(done, total)

            try:
                outcome.report = sending.send_messages(
                    messages,
                    settings,
                    password,
                    log_path=sending.send_log_path(request.folder),
                    progress=step,
                    cancelled=cancelled,
                )
            except sending.SendError as exc:
                outcome.report = exc.report
                outcome.error = str(exc)
            report = outcome.report
            if report is not None and outcome.at is not None:
                went = [*report.sent, *report.already_sent, *report.unconfirmed]
                audiences = [outcome.audiences.get(key, "") for key in went]
                held = {a: outcome.calendars[a] for a in audiences if a in outcome.calendars}
                outcome.recording = record(db, delegation_id, held, outcome.at)
            return outcome

        def cancelled() -> bool:
            return self.task is not None and self.task.cancelled()

        return work

    # running ----------------------------------------------------------------------
    def _start(
        self, mode: str, request: _Request, work: Callable[[Progress, Outcome], Any]
    ) -> None:
        outcome = Outcome()
        self.outcome = outcome
        self._mode = mode
        self._request = request
        self.task = Task(
            lambda progress: work(progress, outcome),
            cancel_error=ExportCancelled,
            expected=(ExportError, ServiceError, OSError),
        )
        self.task.progressed.connect(self._progressed)
        self.task.succeeded.connect(self._ended)
        self.task.was_cancelled.connect(self._ended)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(self._idle)
        _keep(self.task)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.open_folder_button.hide()
        self.status.setText("Writing the packs…" if mode == "write" else "Preparing the e-mails…")
        self._update_buttons()
        self.task.start()

    def cancel(self) -> None:
        if self.task is not None and not self.task.cancelled():
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling after the attendee being done…")

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if self._mode == "send" and self.outcome is not None and self.outcome.pack_id:
            self.status.setText(f"Sending… {done} of {total}")

    def _failed(self, message: str) -> None:
        self._say(f"{'Not sent' if self._mode == 'send' else 'Packs not written'}: {message}")

    def _ended(self, *_args: object) -> None:
        """The worker ended (done or cancelled): say what it did from its outcome."""
        outcome, request = self.outcome, self._request
        if outcome is None or request is None:
            return
        lines: list[str] = []
        result = outcome.result
        cancelled = self.task is not None and self.task.cancelled()
        if result is not None:
            self.last_folder = Path(result.folder)
            self.folder_used.emit(self.last_folder.parent)
            self.written.emit(result)
            finals = sum(1 for a in result.attendees if a.final)
            written = count_of(len(result.attendees) - finals, "attendee pack")
            if finals:
                written += (
                    f" and {count_of(finals, 'final calendar')} for people no longer attending"
                )
            if self._mode == "write" and cancelled:
                lines.append(f"Cancelled: {written} written complete in {result.folder}.")
            elif self._mode == "write":
                lines.append(f"Wrote {written} in {result.folder}.")
            missing = len(result.missing_email)
            if missing and request.eml and self._mode == "write":
                lines.append(
                    f"{count_of(missing, 'draft')} without a recipient (no e-mail address): "
                    "add it in your mail program, or to the person, and write the packs again."
                )
            self.open_folder_button.show()
        elif self._mode == "write" and cancelled:
            lines.append("Cancelled: no attendee pack was written.")
        if outcome.recording:
            lines.append(outcome.recording)
        if outcome.audit:
            lines.append(f"Note: {outcome.audit}.")
        if self._mode == "send":
            lines.extend(self._send_lines(outcome, request, cancelled))
        if self._note:
            lines.append(self._note)
            self._note = ""
        self.status.setText(" ".join(lines))
        if self._mode == "send" and outcome.report is not None:
            self.sent.emit(outcome.report)

    def _send_lines(self, outcome: Outcome, request: _Request, cancelled: bool) -> list[str]:
        report = outcome.report
        assert self.delegation_id is not None
        if outcome.pack_id and request.folder is not None:
            self.last_folder = request.folder
            self.open_folder_button.show()
        if report is not None and report.complete and not outcome.error and not report.cancelled:
            self.pending = None
            sent = len(report.sent)
            text = f"Sent {count_of(sent, 'message')}."
            if report.already_sent:
                text += f" ({len(report.already_sent)} had been sent before.)"
            if not report.sent and not report.already_sent:
                text = "Nothing to send: no attendee of this pack has an e-mail address."
            return [text]
        if not outcome.pack_id:
            return []  # the packs were not written: nothing was sent
        remaining = len(report.remaining) if report is not None else outcome.messages
        auth = bool(outcome.error and "authentication failed" in outcome.error)
        if remaining:
            self.pending = Pending(
                self.delegation_id,
                request.folder,
                outcome.pack_id,
                remaining,
                request.only,
                ask_password=auth,
                calendars=outcome.calendars,
                audiences=outcome.audiences,
                at=outcome.at,
            )
        else:
            self.pending = None
        lines = []
        if outcome.error:
            lines.append(outcome.error)
        elif report is not None:
            lines.append(
                f"Sending cancelled: {report.summary()}." if cancelled else report.summary()
            )
        if report is not None and report.remaining:
            names = [outcome.names.get(key, "?") for key in report.remaining]
            shown = ", ".join(names[:SHOWN])
            more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
            lines.append(f"Not sent yet: {shown}{more}.")
        if remaining and not outcome.error:  # the error says so already
            lines.append(f"“Send the rest ({remaining})” sends only what was not sent.")
        if report is not None and report.unconfirmed:
            lines.append(
                f"{count_of(len(report.unconfirmed), 'message')} may have arrived (the server "
                "did not confirm): ask those attendees before sending them again."
            )
        return lines

    def _idle(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        if self.task is not None:
            self.task.deleteLater()
        self.task = None
        self._update_buttons()
        if self.delegation_id is not None and self.outcome is not None:
            with contextlib.suppress(ServiceError):  # gone: the workspace closes
                self.refresh()

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # preferences ------------------------------------------------------------------
    def setup_sending(self) -> None:
        """Open Preferences (where the SMTP server is set); the buttons follow."""
        if self.open_preferences() is False:
            self._say(
                "Set the SMTP server in Preferences (Edit menu), then come back to send the packs."
            )
        self._update_buttons()

    def _open_preferences(self) -> Any:
        """The window's Preferences (Edit ▸ Preferences…), else a dialog of its own;
        the buttons follow once it closes."""
        from delegations.ui.preferences import PreferencesDialog

        window = self.window()
        show = getattr(window, "show_preferences", None)
        if callable(show):
            show()
            dialog = getattr(window, "preferences_dialog", None)
        else:
            dialog = PreferencesDialog(self.settings(), self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()
        if isinstance(dialog, QDialog):
            dialog.finished.connect(self._update_buttons)
            return dialog
        return False

    def showEvent(self, event: QShowEvent) -> None:
        """Preferences may have changed while another page was shown."""
        super().showEvent(event)
        self._update_buttons()

    # opening ----------------------------------------------------------------------
    def open_folder(self) -> None:
        if self.last_folder is None:
            return
        if self.open_url(QUrl.fromLocalFile(str(self.last_folder))) is False:
            self._say(
                f"No application could open the folder {self.last_folder}. Open it from "
                "your file manager."
            )

    def wait(self, ms: int = 30000) -> None:
        """Stop and wait for a running pack or send (used when the window closes)."""
        if self.task is not None:
            self.task.cancel()
            self.task.wait(ms)


def _recipient(message: EmailMessage) -> str:
    """The name (else the address) the message is to, for the user's own screen."""
    name, address = parseaddr(str(message.get("To", "")))
    return name or address


def _has_recipient(message: EmailMessage) -> bool:
    return any(str(v).strip() for h in ("To", "Cc", "Bcc") for v in message.get_all(h, []))


def write(
    db: Database,
    delegation_id: int,
    request: _Request,
    progress: Progress,
    outcome: Outcome,
    record_now: bool = True,
) -> Any:
    """Write the packs (on the worker) and, with ``record_now``, record what each
    calendar holds (a send records those sent only).

    Returns the ``PackResult``; on Cancel, records the complete packs, keeps their
    result in ``outcome`` and raises ``PackCancelled``.
    """
    from delegations.exports.pack import PackRequest
    from delegations.model.publications import person_audience
    from delegations.workflows.packs import PackRun, PackRunCancelled, write_packs

    pack_request = PackRequest(
        options=ExportOptions(generated_at=utc_now()),
        only=request.only,
        zip=request.zip,
        eml=request.eml,
        organiser=request.organiser,
    )

    def guard(path: Path) -> Path:
        refused = output_refusal(path, db.path)
        if refused is not None:
            raise ExportError(f"{path.name} is {refused}; choose another folder")
        return path

    def step(done: int, total: int, _what: str) -> None:
        progress(done, total)

    def keep(run: PackRun) -> None:
        outcome.at = run.at
        outcome.result, outcome.calendars = run.result, run.result.calendars
        outcome.audiences = {a.key: person_audience(a.person_id) for a in run.result.attendees}
        outcome.recording = run.recording
        outcome.audit = run.audit

    try:
        run = write_packs(
            db,
            delegation_id,
            request.folder,
            pack_request,
            guard=guard,
            progress=step,
            record_now=record_now,
        )
    except PackRunCancelled as exc:
        keep(exc.run)
        raise
    keep(run)
    return run.result
