"""The plan checks in the window: the Checks tab, marks on the agenda, the export question,
and wall-clock times the clocks skip or repeat.

``checks.check_delegation`` is replaced by a stand-in returning a chosen report, so
these tests do not depend on the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit

from delegations.model import AgendaItem
from delegations.services import checks, queries
from delegations.services import operations as ops
from delegations.services.checks import Finding, Report, Severity
from delegations.store import Database
from delegations.ui.agenda_page import gap_problem, twice
from delegations.ui.delegation_workspace import DelegationWorkspace
from delegations.ui.findings import SEVERITY_COLOURS
from delegations.ui.forms import RecordDialog
from delegations.ui.main_window import MainWindow
from delegations.ui.settings import Settings


class Checker:
    """Stands in for ``checks.check_delegation``: returns ``findings``, counts its runs."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.runs = 0

    def __call__(self, session: Any, delegation_id: int, settings: Any = None) -> Report:
        self.runs += 1
        return Report(delegation_id, list(self.findings))


@pytest.fixture
def checker(monkeypatch: pytest.MonkeyPatch) -> Checker:
    stand_in = Checker()
    monkeypatch.setattr(checks, "check_delegation", stand_in)
    return stand_in


@pytest.fixture
def window(qtbot, demo_db: Database, answers, checker: Checker) -> Iterator[MainWindow]:
    main = MainWindow(demo_db, Settings(), confirm=answers.confirm, inform=answers.inform)
    qtbot.addWidget(main)
    main.resize(1024, 700)
    main.show()
    yield main
    main.close()


def open_with(window: MainWindow, checker: Checker, findings: list[Finding]) -> DelegationWorkspace:
    """Open the demo delegation with the checks finding ``findings``."""
    checker.findings = findings
    window.open_delegation(window.pages["delegation"].model.id_at(0))
    return window.workspace


def loaded(db: Database, workspace: DelegationWorkspace):
    assert workspace.delegation is not None
    with db.session() as session:
        return queries.load_delegation(session, workspace.delegation.id)


def late_item(workspace: DelegationWorkspace) -> int:
    """The item starting latest in the day (below the fold of a 700-pixel window)."""
    return max(workspace.agenda.grid.blocks, key=lambda b: (b.start.time(), b.id)).id


def sample(workspace: DelegationWorkspace) -> list[Finding]:
    """Two errors and a warning on the demo's records."""
    delegation = workspace.delegation
    assert delegation is not None
    item = late_item(workspace)
    attendee = sorted(delegation.participations, key=lambda p: p.id)[-1]
    day = delegation.start_date
    return [
        Finding(
            "attendee.overlap",
            Severity.ERROR,
            "Ana is at two items at once",
            day,
            items=(item,),
            participations=(attendee.id,),
        ),
        Finding(
            "travel.late",
            Severity.ERROR,
            f"{attendee.person.full_name} arrives after the first item",
            day,
            participations=(attendee.id,),
        ),
        Finding("venue.far", Severity.WARNING, "Too far to walk in 10 min", None, items=(item,)),
    ]


def tab_text(workspace: DelegationWorkspace) -> str:
    return workspace.tabs.tabText(workspace.tabs.indexOf(workspace.findings))


# ------------------------------------------------------------------ the Checks tab


def test_checks_tab_lists_findings_with_a_count_and_a_severity_filter(
    window: MainWindow, checker: Checker
) -> None:
    workspace = open_with(window, checker, [])
    assert checker.runs == 1  # opening checks the plan
    assert tab_text(workspace) == "&Checks"
    assert "No problems" in workspace.findings.summary.text()
    checker.findings = sample(workspace)
    workspace.run_checks()
    assert tab_text(workspace) == "&Checks (3)"
    assert not workspace.tabs.tabIcon(workspace.tabs.indexOf(workspace.findings)).isNull()
    window.show_page("checks")
    assert workspace.current_page() == "checks"
    panel = workspace.findings
    rows = panel.list
    assert rows.topLevelItemCount() == 3
    first = rows.topLevelItem(0)
    assert first is not None
    day = workspace.delegation.start_date
    assert first.text(0) == f"{day:%a} {day.day} {day:%b}"
    assert first.text(1) == "Ana is at two items at once"
    assert not first.icon(0).isNull()
    assert first.toolTip(1).startswith("Error, ")
    last = rows.topLevelItem(2)
    assert last is not None and last.text(0) == "Whole visit"
    assert "2 errors and 1 warning" in panel.summary.text()

    panel.set_severity_filter(Severity.ERROR)
    assert rows.topLevelItemCount() == 2
    panel.filter.setCurrentIndex(panel.filter.findText("Warnings"))
    assert [f.code for f in panel.findings()] == ["venue.far"]
    assert tab_text(workspace) == "&Checks (3)"  # the count is of every finding
    panel.set_severity_filter(None)
    assert rows.topLevelItemCount() == 3


def test_checks_tab_mnemonic_is_its_own(window: MainWindow, checker: Checker) -> None:
    workspace = open_with(window, checker, [])

    def letter(text: str) -> str:
        return text[text.index("&") + 1].lower()

    menus = {letter(a.text()) for a in window.menuBar().actions()}
    tabs = [letter(workspace.tabs.tabText(i)) for i in range(workspace.tabs.count())]
    assert "c" in tabs and len(set(tabs)) == len(tabs) and not menus & set(tabs)


def test_a_failing_check_is_said_in_the_tab_not_raised(
    window: MainWindow, checker: Checker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Any, delegation_id: int, settings: Any = None) -> Report:
        raise RuntimeError("rule exploded")

    monkeypatch.setattr(checks, "check_delegation", broken)
    workspace = open_with(window, checker, [])
    assert tab_text(workspace) == "&Checks (?)"
    assert "could not run: rule exploded" in workspace.findings.summary.text()
    assert workspace.report is None


# ------------------------------------------------------------------ choosing a finding


def test_clicking_an_item_finding_selects_and_reveals_the_item(
    qtbot,
    window: MainWindow,
    checker: Checker,
) -> None:
    workspace = open_with(window, checker, [])
    checker.findings = sample(workspace)
    workspace.run_checks()
    item_id = late_item(workspace)
    window.show_page("agenda")
    agenda = workspace.agenda
    agenda.grid.select(None)
    agenda.scroller.verticalScrollBar().setValue(0)
    window.show_page("checks")
    rows = workspace.findings.list
    first = rows.topLevelItem(0)
    assert first is not None
    point = rows.visualItemRect(first).center()
    qtbot.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert workspace.current_page() == "agenda"
    assert agenda.grid.selected == item_id
    assert agenda.grid.hasFocus()
    block = agenda.grid.block(item_id)
    assert block is not None
    rect = agenda.grid.rect_for(block)
    top = agenda.scroller.verticalScrollBar().value()
    visible = agenda.scroller.viewport().height()
    assert top <= rect.top() and rect.bottom() <= top + visible


def test_enter_on_an_attendee_finding_selects_the_attendee(
    qtbot,
    window: MainWindow,
    checker: Checker,
) -> None:
    workspace = open_with(window, checker, [])
    findings = sample(workspace)
    checker.findings = findings
    workspace.run_checks()
    attendee = findings[1].participations[0]
    workspace.attendees.filter.setText("nobody is called this")  # the row is filtered out
    window.show_page("checks")
    rows = workspace.findings.list
    second = rows.topLevelItem(1)
    assert second is not None
    rows.setCurrentItem(second)
    assert workspace.current_page() == "checks"  # moving through the list stays
    assert "arrives after the first item" in workspace.findings.detail.text()
    qtbot.keyClick(rows, Qt.Key.Key_Return)
    assert workspace.current_page() == "attendees"
    assert workspace.attendees.filter.text() == ""
    assert workspace.attendees.table.selected_ids() == [attendee]


# ------------------------------------------------------------------ marks on the agenda


def test_agenda_marks_items_with_findings(window: MainWindow, checker: Checker) -> None:
    workspace = open_with(window, checker, [])
    item_id = late_item(workspace)
    checker.findings = [
        Finding("venue.far", Severity.WARNING, "Too far to walk in 10 min", items=(item_id,))
    ]
    workspace.run_checks()
    window.show_page("agenda")
    grid = workspace.agenda.grid
    workspace.agenda.show_item(item_id)
    block = grid.block(item_id)
    assert block is not None and block.severity() == Severity.WARNING
    assert "Warning: Too far to walk in 10 min" in block.tooltip()
    assert "Too far to walk in 10 min" in grid.accessibleDescription()
    others = [b for b in grid.blocks if b.id != item_id]
    assert others and all(b.severity() is None for b in others)

    def mark_colour() -> QColor:
        mark = grid.problem_rect(block)
        image = grid.grab().toImage()
        return image.pixelColor(int(mark.left() + 3), int(mark.center().y()))

    assert mark_colour() == QColor(SEVERITY_COLOURS[Severity.WARNING])

    checker.findings = [
        *checker.findings,
        Finding("host.closed", Severity.ERROR, "The host is closed", items=(item_id,)),
    ]
    workspace.run_checks()
    block = grid.block(item_id)
    assert block is not None and block.severity() == Severity.ERROR
    assert block.problem_lines()[0] == "Error: The host is closed"  # errors first
    assert mark_colour() == QColor(SEVERITY_COLOURS[Severity.ERROR])

    checker.findings = []
    workspace.run_checks()
    block = grid.block(item_id)
    assert block is not None and not block.problems
    assert grid.problem_rect(block).isEmpty()


# ------------------------------------------------------------------ refreshing


def test_findings_refresh_after_edits_that_concern_the_delegation_only(
    window: MainWindow, checker: Checker, demo_db: Database
) -> None:
    workspace = open_with(window, checker, [])
    assert workspace.delegation is not None
    item_id = late_item(workspace)
    runs = checker.runs
    checker.findings = [Finding("x", Severity.ERROR, "Now wrong", items=(item_id,))]
    window.runner.run(ops.update("delegation", workspace.delegation.id, {"notes": "checked"}))
    assert checker.runs == runs + 1
    assert tab_text(workspace) == "&Checks (1)"
    grid_block = workspace.agenda.grid.block(item_id)
    assert grid_block is not None and grid_block.severity() == Severity.ERROR

    # Another delegation's own fields: nothing this plan's checks read.
    values = {
        "title": "Another visit",
        "timezone": "Europe/Paris",
        "start_date": date(2027, 9, 1),
        "end_date": date(2027, 9, 2),
        "sending_organisation_id": loaded(demo_db, workspace).sending_organisation_id,
    }
    runs = checker.runs
    window.runner.run(ops.create("delegation", values))
    assert checker.runs == runs
    window.runner.undo()
    assert checker.runs == runs

    # A venue is shared with every delegation: its change is checked again.
    checker.findings = []
    venue = next(i.venue_id for i in loaded(demo_db, workspace).items if i.venue_id)
    window.runner.run(ops.update("venue", venue, {"access_notes": "Lift at the back"}))
    assert checker.runs == runs + 1
    assert tab_text(workspace) == "&Checks"
    window.runner.undo()
    assert checker.runs == runs + 2


# ------------------------------------------------------------------ exports


def test_export_asks_first_when_the_plan_has_errors(
    qtbot,
    window: MainWindow,
    checker: Checker,
    answers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def quick_export(kind, delegation, out, options):
        out.write_bytes(b"%PDF-1.4 stand-in")
        return out

    monkeypatch.setattr("delegations.exports.run_export", quick_export)
    workspace = open_with(window, checker, [])
    findings = sample(workspace)
    checker.findings = [
        *findings,
        Finding("host.closed", Severity.ERROR, "The host is closed on Sunday."),
    ]
    workspace.run_checks()
    window.show_exports()
    page = workspace.exports
    page.select_kind("programme")
    target = tmp_path / "programme.pdf"
    page.file.setText(str(target))
    answers.yes = False
    page.export_button.click()
    title, text = answers.questions[-1]
    assert title == "Export a plan with errors?"
    assert text.startswith(
        "The plan has 3 errors (Ana is at two items at once; "
        f"{findings[1].message}; and 1 more). Export anyway?"
    )
    assert page.task is None and not target.exists()
    assert "Not exported" in page.status.text()

    answers.yes = True
    with qtbot.waitSignal(page.finished, timeout=20000):
        page.export_button.click()
    assert target.exists()
    qtbot.waitUntil(lambda: page.export_button.isEnabled())

    # Warnings only: no question.
    checker.findings = [f for f in findings if f.severity == Severity.WARNING]
    workspace.run_checks()
    asked = len(answers.questions)
    target.unlink()
    with qtbot.waitSignal(page.finished, timeout=20000):
        page.export_button.click()
    assert len(answers.questions) == asked
    qtbot.waitUntil(lambda: page.export_button.isEnabled())


# ------------------------------------------------------------------ clock changes


def test_clock_changes_in_words() -> None:
    assert gap_problem(date(2027, 3, 28), time(2, 30), "Europe/Madrid") == (
        "02:30 does not exist on Sun 28 March in Europe/Madrid: clocks go forward "
        "from 02:00 to 03:00"
    )
    assert gap_problem(date(2027, 3, 28), time(3, 0), "Europe/Madrid") is None
    assert gap_problem(date(2027, 3, 28), time(1, 59), "Europe/Madrid") is None
    both = twice(date(2027, 10, 31), time(2, 30), "Europe/Madrid")
    assert both is not None
    assert both.text.startswith("02:30 happens twice on Sun 31 October in Europe/Madrid")
    assert both.options == (
        "The first, in summer time (CEST, UTC+02:00)",
        "The second, in winter time (CET, UTC+01:00)",
    )
    assert both.instants == (
        datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
        datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
    )
    assert twice(date(2027, 10, 31), time(3, 0), "Europe/Madrid") is None
    assert twice(date(2027, 7, 1), time(2, 30), "Europe/Madrid") is None


def _times(dialog: RecordDialog, day: date, starts: time, ends: time) -> None:
    dialog.form.editors["day"].setDate(QDate(day.year, day.month, day.day))
    dialog.form.editors["starts"].setTime(QTime(starts.hour, starts.minute))
    dialog.form.editors["ends"].setTime(QTime(ends.hour, ends.minute))


def _title(dialog: RecordDialog, text: str) -> None:
    editor = dialog.form.editors["title"]
    assert isinstance(editor, QLineEdit)
    editor.setText(text)


def test_agenda_dialog_refuses_a_skipped_time_and_asks_about_a_repeated_one(
    window: MainWindow, checker: Checker, demo_db: Database
) -> None:
    workspace = open_with(window, checker, [])
    assert workspace.delegation is not None
    assert workspace.delegation.timezone == "Europe/Madrid"
    agenda = workspace.agenda
    asked: list[tuple[str, str, list[str]]] = []
    answer: list[int | None] = [None]

    def choose(title: str, text: str, options: Any) -> int | None:
        asked.append((title, text, list(options)))
        return answer[0]

    agenda.choose = choose
    window.show_page("agenda")
    dialog = agenda.open_new()
    assert dialog is not None
    _title(dialog, "Night walk")
    _times(dialog, date(2027, 3, 28), time(2, 30), time(3, 30))
    dialog.ok_button().click()
    assert dialog.isVisible()
    assert dialog.form.error_text("starts") == (
        "02:30 does not exist on Sun 28 March in Europe/Madrid: clocks go forward "
        "from 02:00 to 03:00"
    )
    assert not asked

    _times(dialog, date(2027, 10, 31), time(2, 30), time(3, 30))
    dialog.ok_button().click()  # asked, then cancelled: nothing saved, the dialog stays
    assert dialog.isVisible()
    title, text, options = asked[-1]
    assert title == "Which 02:30?"
    assert "02:30 happens twice on Sun 31 October in Europe/Madrid" in text
    assert options[0].startswith("The first, in summer time")
    assert options[1].startswith("The second, in winter time")
    assert "say which one you mean" in dialog.form.error_text("starts")
    assert "Night walk" not in {i.title for i in loaded(demo_db, workspace).items}

    answer[0] = 1  # the second 02:30: winter time
    dialog.ok_button().click()
    assert not dialog.isVisible()
    item = next(i for i in loaded(demo_db, workspace).items if i.title == "Night walk")
    assert item.starts_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert item.ends_at == datetime(2027, 10, 31, 2, 30, tzinfo=UTC)

    # Editing something else keeps the time chosen, without asking again.
    count = len(asked)
    again = agenda.open_edit(item.id)
    assert again is not None
    _title(again, "Night walk by the sea")
    again.ok_button().click()
    assert not again.isVisible()
    assert len(asked) == count
    with demo_db.session() as session:
        saved = session.get(AgendaItem, item.id)
        assert saved is not None and saved.starts_at == item.starts_at


# ------------------------------------------------------------------ record fields


def test_organisation_and_venue_forms_edit_the_fields_the_checks_read(
    window: MainWindow, checker: Checker, demo_db: Database
) -> None:
    org_fields = ("region", "opening_hours", "closed_dates")
    window.show_page("organisations")
    window.new_record()
    dialog = window.dialogs[-1]
    editors = dialog.form.editors
    for name in ("name", *org_fields):
        assert isinstance(editors[name], QLineEdit)
    assert "Mon-Fri 09:00-18:00" in editors["opening_hours"].placeholderText()
    assert "2027-08-01..2027-08-31, 2027-12-24" in editors["closed_dates"].placeholderText()
    editors["name"].setText("Fabra i Coats")
    editors["region"].setText("CT")
    editors["opening_hours"].setText("Mon-Fri 09:00-18:00")
    editors["closed_dates"].setText("2027-08-01..2027-08-31")
    dialog.ok_button().click()
    assert not dialog.isVisible()

    window.show_page("venues")
    window.new_record()
    dialog = window.dialogs[-1]
    capacity = dialog.form.editors["capacity"]
    assert isinstance(capacity, QLineEdit)
    dialog.form.editors["name"].setText("Sala Apolo")
    capacity.setText("40.5")
    dialog.ok_button().click()
    assert dialog.isVisible()
    assert dialog.form.error_text("capacity") == "'40.5' is not a whole number"
    capacity.setText("0")  # the service's refusal shows under the field too
    dialog.ok_button().click()
    assert dialog.isVisible() and "whole number" in dialog.form.error_text("capacity")
    capacity.setText("1,200")
    dialog.ok_button().click()
    assert not dialog.isVisible()

    from delegations.model import Organisation, Venue

    with demo_db.session() as session:
        org = next(o for o in session.query(Organisation) if o.name == "Fabra i Coats")
        assert (org.region, org.opening_hours, org.closed_dates) == (
            "CT",
            "Mon-Fri 09:00-18:00",
            "2027-08-01..2027-08-31",
        )
        venue = next(v for v in session.query(Venue) if v.name == "Sala Apolo")
        assert venue.capacity == 1200
