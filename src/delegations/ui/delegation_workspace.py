"""A delegation's workspace: overview, attendees, agenda, checks, exports and packs in tabs.

The plan checks (``services.checks``) run when a delegation opens and again after
every change that may alter their findings; the Checks tab lists them, the agenda
marks the items concerned and the exports page asks before exporting a plan with
errors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from delegations.model import Delegation
from delegations.model import count_of as plural
from delegations.services import (
    NotFound,
    ServiceError,
    ValidationError,
    checks,
    delegations,
    queries,
)
from delegations.services import operations as ops
from delegations.services.changes import Changes
from delegations.ui import actions
from delegations.ui.agenda_page import AgendaPage
from delegations.ui.attendees import AttendeesPage, status_counts
from delegations.ui.export_page import ExportPage
from delegations.ui.findings import FindingsPanel, severity_icon
from delegations.ui.forms import Form
from delegations.ui.pack_page import PackPage
from delegations.ui.pages import WORKSPACE_PAGES
from delegations.ui.records import delegation_fields
from delegations.ui.runner import ChangeEvent, Runner

PAGES = WORKSPACE_PAGES
CHECKS_TAB = "&Checks"


class OverviewPage(QWidget):
    """The delegation's own fields, edited in place and saved with "Save changes".

    Args:
        runner: runs the edits.
        parent: the Qt parent.
    """

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.delegation_id: int | None = None
        self.old: dict[str, object] = {}
        self._form: Form | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Delegation summary")
        self.save_button = QPushButton("Save changes")
        self.save_button.setAccessibleName("Save the delegation's changes")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setAccessibleName("Revert the delegation's changes")
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.save_button.setToolTip(f"Save the changes ({actions.keys('save_overview')})")
        save = QShortcut(actions.spec("save_overview").sequences()[0], self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save)
        inner = QWidget()
        self.column = QVBoxLayout(inner)
        self.column.addWidget(self.summary)
        self.column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.save_button.setEnabled(False)
        self.revert_button.setEnabled(False)

    @property
    def form(self) -> Form:
        """The form, built when first needed (its pickers read every person)."""
        if self._form is None:
            self._form = Form(delegation_fields(self.runner.db))
            self._form.setMaximumWidth(760)
            self._form.edited.connect(self._update_buttons)
            self.column.insertWidget(1, self._form)
        return self._form

    def set_delegation(self, delegation: Delegation) -> None:
        """Show ``delegation``; edits being typed are kept when it is the same one."""
        same = delegation.id == self.delegation_id
        self.delegation_id = delegation.id
        self.old = {name: getattr(delegation, name) for name in delegations.FIELDS}
        if not (same and self.form.is_dirty()):
            self.form.set_values(self.old)
        lead = delegation.lead_officer.full_name if delegation.lead_officer else "no lead officer"
        self.summary.setText(
            f"{delegation.day_count} day{'s' if delegation.day_count != 1 else ''}; "
            f"{status_counts(delegation)}; "
            f"{plural(len(delegation.items), 'agenda item')}; lead officer: {lead}."
        )
        self._update_buttons()

    def is_dirty(self) -> bool:
        return self._form is not None and self._form.is_dirty()

    def save(self) -> bool:
        """Save what was typed (one undoable edit); messages appear under their fields."""
        if self.delegation_id is None:
            return False
        values, problems = self.form.read()
        if problems:
            self.form.show_errors(problems)
            return False
        try:
            self.runner.run(
                ops.update("delegation", self.delegation_id, values), self, in_form=True
            )
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            return False
        except ServiceError as exc:
            self.form.show_general(str(exc))
            return False
        self.form.clear_errors()
        self.form.mark_clean()
        self._update_buttons()
        return True

    def revert(self) -> None:
        self.form.set_values(self.old)
        self._update_buttons()

    def _update_buttons(self) -> None:
        dirty = self.form.is_dirty()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)


class DelegationWorkspace(QWidget):
    """Everything about one delegation, in tabs.

    Args:
        runner: runs the edits.
        export_folder: where export files are suggested.
        confirm: asks a yes/no question (title, text) → yes?
        inform: shows a message (title, text).
        parent: the Qt parent.

    Signals:
        title_changed(str): the delegation's title as it now reads.
        closed(): the delegation no longer exists (deleted, or undo of its creation).
    """

    title_changed = Signal(str)
    closed = Signal()

    def __init__(
        self,
        runner: Runner,
        export_folder: Path,
        confirm: Callable[[str, str], bool],
        inform: Callable[[str, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.delegation: Delegation | None = None
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.heading.setFont(font)
        self.subheading = QLabel()
        self.subheading.setStyleSheet("color: #4b5563;")
        self.overview = OverviewPage(runner)
        self.attendees = AttendeesPage(runner, confirm)
        self.agenda = AgendaPage(runner, confirm, inform)
        self.findings = FindingsPanel()
        self.findings.chosen.connect(self.show_finding)
        self.report: checks.Report | None = None
        """The findings of the open delegation (None: not run, or they failed)."""
        self.exports = ExportPage(runner.db, export_folder, confirm=confirm)
        self.packs = PackPage(runner.db, export_folder, confirm=confirm)
        self.packs.folder_used.connect(self.exports.folder_used)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Delegation pages")
        self.tabs.addTab(self.overview, "&Overview")
        self.tabs.addTab(self.attendees, "&Attendees")
        self.tabs.addTab(self.agenda, "Agen&da")
        self.tabs.addTab(self.findings, CHECKS_TAB)
        self.tabs.addTab(self.exports, "E&xports")
        self.tabs.addTab(self.packs, "&Packs")
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        layout.addWidget(self.tabs, 1)
        self._actions: dict[str, dict[str, Callable[[], object]]] = {
            "new": {"attendees": self.attendees.open_add_existing, "agenda": self.agenda.open_new},
            "edit": {
                "attendees": self.attendees.open_edit,
                "agenda": self.agenda.open_edit_selected,
            },
            "delete": {
                "attendees": self.attendees.remove_selected,
                "agenda": self.agenda.delete_selected,
            },
            "filter": {"attendees": self.attendees.focus_filter},
        }

    @property
    def delegation_id(self) -> int | None:
        return self.delegation.id if self.delegation else None

    def open(self, delegation_id: int) -> None:
        """Load and show delegation ``delegation_id``, and check its plan."""
        self._load(delegation_id)
        self.run_checks()

    def _load(self, delegation_id: int) -> None:
        with self.runner.db.session() as session:
            delegation = queries.load_delegation(session, delegation_id)
        self.show_delegation(delegation)

    def show_delegation(self, delegation: Delegation) -> None:
        self.delegation = delegation
        self.heading.setText(delegation.title)
        days = f"{delegation.start_date:%a %d %b %Y}"
        if delegation.end_date != delegation.start_date:
            days += f" – {delegation.end_date:%a %d %b %Y}"
        where = ", ".join(
            p for p in (delegation.destination_city, delegation.destination_country) if p
        )
        self.subheading.setText(
            f"{days} · {where or 'destination not set'} · {delegation.status.label} · "
            f"times in {delegation.timezone}"
        )
        self.overview.set_delegation(delegation)
        self.attendees.set_delegation(delegation)
        self.agenda.set_delegation(delegation)
        self.exports.set_delegation(delegation)
        self.packs.set_delegation(delegation)
        self.title_changed.emit(delegation.title)

    def reload(self, check: bool = True) -> None:
        """Read the delegation again (and check it, with ``check``); closes when it is gone."""
        if self.delegation is None:
            return
        try:
            self._load(self.delegation.id)
        except NotFound:
            self.delegation = None
            self.closed.emit()
            return
        if check:
            self.run_checks()

    # checks ---------------------------------------------------------------------------
    def run_checks(self) -> None:
        """Check the open delegation's plan (in a session of its own; it takes a few
        milliseconds) and show the findings: the Checks tab, marks on the agenda, the
        question before an export."""
        if self.delegation is None:
            return
        failure = ""
        report: checks.Report | None
        try:
            with self.runner.db.session() as session:
                report = checks.check_delegation(session, self.delegation.id)
        except Exception as exc:  # a failing rule must not stop the editing; say why
            report, failure = None, str(exc) or type(exc).__name__
        self.report = report
        self.findings.set_report(report, failure)
        self.agenda.set_findings(report)
        self.exports.set_report(report)
        self.packs.set_report(report)
        self._update_checks_tab()

    def _update_checks_tab(self) -> None:
        index = self.tabs.indexOf(self.findings)
        count = self.findings.count()
        failed = bool(self.findings.failure)
        title = (
            f"{CHECKS_TAB} (?)" if failed else f"{CHECKS_TAB} ({count})" if count else CHECKS_TAB
        )
        self.tabs.setTabText(index, title)
        worst = checks.Severity.ERROR if failed else self.findings.worst()
        self.tabs.setTabIcon(index, severity_icon(worst) if worst is not None else QIcon())
        self.tabs.setTabToolTip(index, self.findings.summary.text())

    def show_finding(self, finding: checks.Finding) -> bool:
        """Show the records ``finding`` concerns: its agenda item selected in the agenda,
        else its attendees selected in the attendees table. False when neither shows."""
        item_id = next((i for i in finding.items if self.agenda.grid.block(i)), None)
        if item_id is not None:
            self.show_page("agenda")
            return self.agenda.show_item(item_id)
        shown = [p for p in finding.participations if self.attendees.participation(p)]
        if shown:
            self.show_page("attendees")
            table = self.attendees.table
            if any(self.attendees.model.row_of(p) is None for p in shown):
                self.attendees.filter.clear()  # a filtered-out attendee: show everyone
            table.select_ids(shown)
            table.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False

    def concerns(self, changes: Changes) -> bool:
        """Whether ``changes`` alter anything this delegation's pages show."""
        d = self.delegation
        if d is None:
            return False
        if d.id in changes.delegations or d.id in changes.ids("delegation"):
            return True
        people = {p.person_id for p in d.participations} | {
            c.id for item in d.items for c in item.host_contacts
        }
        if d.lead_officer_id is not None:
            people.add(d.lead_officer_id)
        venues = {
            venue
            for item in d.items
            for venue in (item.venue_id, item.dropoff_venue_id)
            if venue is not None
        }
        organisations = {item.host_organisation_id for item in d.items} | {
            p.person.organisation_id for p in d.participations
        }
        organisations.add(d.sending_organisation_id)
        return bool(
            changes.ids("person") & people
            or changes.ids("venue") & venues
            or changes.ids("organisation") & organisations
        )

    # the page protocol ----------------------------------------------------------------
    def activate(self) -> None:
        """Nothing to read: the workspace shows the delegation it was opened on."""

    def apply(self, event: ChangeEvent) -> None:
        """Redraw when the change concerns the open delegation; close when it is gone.

        The checks run again only when the change may alter their findings
        (``checks.concerned``: a venue, host or person is shared with other
        delegations, so their changes count too).
        """
        if self.delegation is None:
            return
        check = checks.concerned(event.changes, self.delegation.id)
        if self.concerns(event.changes):
            self.reload(check)
        elif check:
            self.run_checks()

    def _run(self, verb: str) -> None:
        action = self._actions[verb].get(self.current_page())
        if action is not None:
            action()

    def new(self) -> None:
        self._run("new")

    def edit(self) -> None:
        self._run("edit")

    def delete(self) -> None:
        self._run("delete")

    def focus_filter(self) -> None:
        self._run("filter")

    def _tab_changed(self, index: int) -> None:
        if PAGES[index] == "agenda":
            self.agenda.focus_grid()
        elif PAGES[index] == "checks":
            self.findings.focus_list()

    def show_page(self, name: str) -> None:
        """Switch to "overview", "attendees", "agenda", "checks", "exports" or "packs"."""
        self.tabs.setCurrentIndex(PAGES.index(name))

    def current_page(self) -> str:
        return PAGES[self.tabs.currentIndex()]

    def open_dialogs(self) -> list[QWidget]:
        return [*self.attendees.dialogs, *self.agenda.dialogs]

    def is_dirty(self) -> bool:
        return self.overview.is_dirty()
