"""A delegation's workspace: overview, attendees, agenda grid and exports."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QPointF, Qt, QTime
from PySide6.QtWidgets import QCheckBox, QLineEdit

from delegations.model import AgendaItem, ItemKind, Participation, ParticipationStatus
from delegations.services import queries
from delegations.store import Database
from delegations.ui.agenda_view import Block, assign_lanes
from delegations.ui.delegation_workspace import DelegationWorkspace
from delegations.ui.forms import CheckList, ChoiceCombo, EnumCombo, RecordDialog
from delegations.ui.main_window import MainWindow
from delegations.ui.settings import ENV_SETTINGS_DIR, Settings


class Answers:
    """Stands in for message boxes: records questions and messages, says yes."""

    def __init__(self) -> None:
        self.questions: list[tuple[str, str]] = []
        self.messages: list[tuple[str, str]] = []
        self.opened: list[str] = []

    def confirm(self, title: str, text: str) -> bool:
        self.questions.append((title, text))
        return True

    def inform(self, title: str, text: str) -> None:
        self.messages.append((title, text))


@pytest.fixture
def answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Answers:
    monkeypatch.setenv(ENV_SETTINGS_DIR, str(tmp_path / "settings"))
    return Answers()


@pytest.fixture
def main_window(qtbot, demo_db: Database, answers: Answers) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    window = MainWindow(demo_db, Settings(), confirm=answers.confirm, inform=answers.inform)
    qtbot.addWidget(window)
    window.show()
    window.open_delegation(window.pages["delegation"].model.id_at(0))
    yield window
    window.close()


@pytest.fixture
def workspace(main_window: MainWindow) -> DelegationWorkspace:
    return main_window.workspace


def text(dialog: RecordDialog, name: str, value: str) -> None:
    editor = dialog.form.editors[name]
    assert isinstance(editor, QLineEdit)
    editor.setText(value)


def load(db: Database, workspace: DelegationWorkspace):  # type: ignore[no-untyped-def]
    assert workspace.delegation is not None
    with db.session() as session:
        return queries.load_delegation(session, workspace.delegation.id)


# ------------------------------------------------------------------ overview


def test_overview_edit_shows_errors_and_undoes(
    main_window: MainWindow, workspace: DelegationWorkspace, demo_db: Database
) -> None:
    main_window.show_page("overview")
    overview = workspace.overview
    title = overview.form.editors["title"]
    assert isinstance(title, QLineEdit)
    old_title = title.text()
    title.setText("")
    assert main_window.unsaved()
    assert overview.save() is False
    assert "required" in overview.form.error_text("title")
    title.setText("Study visit: Barcelona creative clusters")
    assert overview.save() is True
    assert load(demo_db, workspace).title == "Study visit: Barcelona creative clusters"
    assert "Barcelona creative clusters" in workspace.heading.text()
    main_window.undo_action.trigger()
    assert load(demo_db, workspace).title == old_title
    assert title.text() == old_title


# ------------------------------------------------------------------ attendees


def test_add_an_existing_person_and_create_one_on_the_spot(
    main_window: MainWindow, workspace: DelegationWorkspace, demo_db: Database
) -> None:
    main_window.show_page("attendees")
    page = workspace.attendees
    before = page.model.rowCount()
    with demo_db.transaction() as session:
        from delegations.services import people

        outsider = people.create(session, given_name="Μαρία", family_name="Οικονομίδη")
        outsider_id = outsider.id
    page.open_add_existing()
    dialog = page.dialogs[-1]
    picker = dialog.form.editors["person_id"]
    assert isinstance(picker, ChoiceCombo)
    dialog.ok_button().click()
    assert "Choose" in dialog.form.error_text("person_id")
    picker.set_current_id(outsider_id)
    dialog.ok_button().click()
    assert not dialog.isVisible()
    assert page.model.rowCount() == before + 1

    main_window.new_record()  # Ctrl+N on the attendees tab adds a person
    page.dialogs[-1].reject()
    page.open_new_person()
    dialog = page.dialogs[-1]
    text(dialog, "given_name", "Jiří")
    dialog.ok_button().click()
    assert "required" in dialog.form.error_text("family_name")
    text(dialog, "family_name", "Dvořák")
    dialog.ok_button().click()
    assert not dialog.isVisible()
    assert page.model.rowCount() == before + 2
    page.filter.setText("dvorak")
    assert page.model.rowCount() == 1
    page.filter.clear()
    # One undo removes the attendee and the person created with them.
    main_window.undo_action.trigger()
    assert page.model.rowCount() == before + 1
    main_window.redo_action.trigger()
    assert page.model.rowCount() == before + 2


def test_change_several_attendees_at_once_and_undo(
    main_window: MainWindow, workspace: DelegationWorkspace, demo_db: Database
) -> None:
    main_window.show_page("attendees")
    page = workspace.attendees
    ids = page.model.ids()[:3]
    page.table.select_ids(ids)
    page.open_change_selected()
    dialog = page.dialogs[-1]
    switch = dialog.form.editors["apply_status"]
    status = dialog.form.editors["status"]
    assert isinstance(switch, QCheckBox) and isinstance(status, EnumCombo)
    assert not status.isEnabled()
    switch.setChecked(True)
    status.set_value(ParticipationStatus.DECLINED)
    dialog.ok_button().click()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        assert {session.get(Participation, i).status for i in ids} == {ParticipationStatus.DECLINED}
    main_window.undo_action.trigger()
    with demo_db.session() as session:
        assert ParticipationStatus.DECLINED not in {
            session.get(Participation, i).status for i in ids
        }


def test_edit_attendee_travel_shows_errors_under_fields(
    main_window: MainWindow, workspace: DelegationWorkspace, demo_db: Database
) -> None:
    main_window.show_page("attendees")
    page = workspace.attendees
    pid = page.model.id_at(0)
    page.table.select_ids([pid])
    page.open_edit()
    dialog = page.dialogs[-1]
    known = dialog.form.editors["arrival.known"]
    assert isinstance(known, QCheckBox)
    known.setChecked(True)
    text(dialog, "arrival.origin", "")
    dialog.ok_button().click()
    assert "required" in dialog.form.error_text("arrival.origin")
    text(dialog, "arrival.origin", "Lille-Europe")
    text(dialog, "hotel", "Hotel Casa Fuster")
    dialog.ok_button().click()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        p = session.get(Participation, pid)
        assert p.hotel == "Hotel Casa Fuster"
        assert p.arrival is not None and p.arrival.origin == "Lille-Europe"
    main_window.undo_action.trigger()
    with demo_db.session() as session:
        assert session.get(Participation, pid).hotel != "Hotel Casa Fuster"


def test_remove_attendee_and_undo_restores_their_agenda_places(
    main_window: MainWindow, workspace: DelegationWorkspace, demo_db: Database, answers: Answers
) -> None:
    delegation = load(demo_db, workspace)
    subset_item = next(i for i in delegation.items if not i.everyone and i.participants)
    member = subset_item.participants[0]
    page = workspace.attendees
    before = page.model.rowCount()
    assert page.remove([member.id]) is True
    assert "Remove 1 attendee" in answers.questions[-1][0]
    assert page.model.rowCount() == before - 1
    main_window.undo_action.trigger()
    assert page.model.rowCount() == before
    restored = load(demo_db, workspace)
    item = next(i for i in restored.items if i.id == subset_item.id)
    assert member.person_id in {p.person_id for p in item.participants}
    assert member.uuid in {p.uuid for p in restored.participations}


# ------------------------------------------------------------------ agenda


def test_parallel_items_get_lanes_side_by_side() -> None:
    day = datetime(2027, 7, 1, 10, 0)
    blocks = [
        Block(1, "A", ItemKind.B2B, "confirmed", day, day + timedelta(hours=1)),  # type: ignore[arg-type]
        Block(2, "B", ItemKind.B2B, "confirmed", day, day + timedelta(minutes=30)),  # type: ignore[arg-type]
        Block(
            3, "C", ItemKind.B2B, "confirmed", day + timedelta(minutes=30), day + timedelta(hours=2)
        ),  # type: ignore[arg-type]
        Block(
            4, "D", ItemKind.MEAL, "confirmed", day + timedelta(hours=3), day + timedelta(hours=4)
        ),  # type: ignore[arg-type]
    ]
    laid = {b.id: b for b in assign_lanes(blocks)}
    assert (laid[2].lane, laid[1].lane, laid[3].lane) == (0, 1, 0)
    assert laid[1].lanes == laid[2].lanes == 2
    assert (laid[4].lane, laid[4].lanes) == (0, 1)


def test_demo_agenda_shows_parallel_meetings_side_by_side(
    main_window: MainWindow, workspace: DelegationWorkspace
) -> None:
    main_window.show_page("agenda")
    grid = workspace.agenda.grid
    assert len(grid.blocks) == 14
    parallel = [b for b in grid.blocks if b.lanes > 1]
    assert len(parallel) >= 2
    rects = [grid.rect_for(b) for b in parallel if b.lanes > 1][:2]
    assert not rects[0].intersects(rects[1])
    grid.repaint()


def test_add_an_item_then_move_it_with_the_keyboard_and_mouse(
    qtbot,
    main_window: MainWindow,
    workspace: DelegationWorkspace,
    demo_db: Database,  # type: ignore[no-untyped-def]
) -> None:
    main_window.show_page("agenda")
    agenda = workspace.agenda
    delegation = load(demo_db, workspace)
    zone = ZoneInfo(delegation.timezone)
    start = datetime.combine(delegation.start_date, datetime.min.time()).replace(
        hour=18, tzinfo=zone
    )
    agenda.open_new(start.astimezone(UTC))
    dialog = agenda.dialogs[-1]
    text(dialog, "title", "Evening at Sala Apolo")
    kind = dialog.form.editors["kind"]
    assert isinstance(kind, EnumCombo)
    kind.set_value(ItemKind.NETWORKING)
    everyone = dialog.form.editors["everyone"]
    participants = dialog.form.editors["participant_ids"]
    assert isinstance(everyone, QCheckBox) and isinstance(participants, CheckList)
    everyone.setChecked(False)
    dialog.ok_button().click()
    assert "Tick the attendees" in dialog.form.error_text("participant_ids")
    participants.set_checked(participants.all_ids()[:2])
    venue = dialog.form.editors["venue_id"]
    host = dialog.form.editors["host_organisation_id"]
    contacts = dialog.form.editors["host_contact_ids"]
    assert isinstance(venue, ChoiceCombo) and isinstance(host, ChoiceCombo)
    assert isinstance(contacts, CheckList)
    venue.setCurrentIndex(1)
    host.setCurrentIndex(1)
    dialog.ok_button().click()
    assert not dialog.isVisible()
    item = next(i for i in load(demo_db, workspace).items if i.title == "Evening at Sala Apolo")
    assert item.starts_at == start.astimezone(UTC)
    assert item.ends_at - item.starts_at == timedelta(hours=1)
    assert not item.everyone and len(item.participants) == 2
    assert item.venue_id is not None

    grid = agenda.grid
    grid.select(item.id)
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    moved = _item(demo_db, item.id)
    assert moved.starts_at == item.starts_at + timedelta(minutes=15)
    assert moved.ends_at == item.ends_at + timedelta(minutes=15)
    qtbot.keyClick(
        grid,
        Qt.Key.Key_Down,
        Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    resized = _item(demo_db, item.id)
    assert resized.starts_at == moved.starts_at
    assert resized.ends_at == moved.ends_at + timedelta(minutes=15)
    main_window.undo_action.trigger()
    main_window.undo_action.trigger()
    assert _item(demo_db, item.id).starts_at == item.starts_at
    main_window.redo_action.trigger()
    assert _item(demo_db, item.id).starts_at == moved.starts_at

    # The grid's own move request (what a mouse drag ends with) moves it too.
    block = grid.block(item.id)
    assert block is not None
    with qtbot.waitSignal(grid.move_requested):
        grid.move_selected(timedelta(minutes=-30))
    assert _item(demo_db, item.id).starts_at == moved.starts_at - timedelta(minutes=30)
    assert grid.time_at(QPointF(grid.rect_for(block).center())) is not None


def test_drag_an_item_to_move_and_resize_it(
    main_window: MainWindow, workspace: DelegationWorkspace, demo_db: Database
) -> None:
    main_window.show_page("agenda")
    grid = workspace.agenda.grid
    block = next(b for b in grid.ordered() if b.lanes == 1 and b.start.hour >= 10)
    before = _item(demo_db, block.id)
    rect = grid.rect_for(block)
    hour = float(grid.hour_px)
    # Drag the body one hour down and onto the next day.
    assert grid.begin_drag(rect.center()) == block
    next_day_x = rect.center().x() + rect.width() + 20
    ghost = grid.drag_to(QPointF(next_day_x, rect.center().y() + hour))
    assert ghost is not None and ghost.start == block.start + timedelta(days=1, hours=1)
    grid.end_drag()
    moved = _item(demo_db, block.id)
    assert moved.starts_at == before.starts_at + timedelta(days=1, hours=1)
    assert moved.ends_at - moved.starts_at == before.ends_at - before.starts_at
    # Drag its bottom edge half an hour down.
    moved_block = grid.block(block.id)
    assert moved_block is not None
    bottom = grid.rect_for(moved_block)
    grid.begin_drag(QPointF(bottom.center().x(), bottom.bottom() - 2))
    grid.drag_to(QPointF(bottom.center().x(), bottom.bottom() - 2 + hour / 2))
    grid.end_drag()
    resized = _item(demo_db, block.id)
    assert resized.starts_at == moved.starts_at
    assert resized.ends_at == moved.ends_at + timedelta(minutes=30)
    main_window.undo_action.trigger()
    main_window.undo_action.trigger()
    assert _item(demo_db, block.id).starts_at == before.starts_at


def test_duplicate_and_delete_an_item_with_undo(
    main_window: MainWindow, workspace: DelegationWorkspace, demo_db: Database, answers: Answers
) -> None:
    main_window.show_page("agenda")
    agenda = workspace.agenda
    first = agenda.grid.ordered()[0]
    count = len(agenda.grid.blocks)
    copy_id = agenda.duplicate_item(first.id)
    assert copy_id is not None and len(agenda.grid.blocks) == count + 1
    copy = _item(demo_db, copy_id)
    original = _item(demo_db, first.id)
    assert copy.starts_at == original.ends_at and copy.title == original.title
    agenda.grid.select(first.id)
    uuid = original.uuid
    main_window.delete_records()  # the Delete key on the agenda tab
    assert "Delete “" in answers.questions[-1][1]
    assert len(agenda.grid.blocks) == count
    main_window.undo_action.trigger()
    assert len(agenda.grid.blocks) == count + 1
    restored = [i for i in load(demo_db, workspace).items if i.uuid == uuid]
    assert restored


def test_edit_an_item_and_see_the_end_time_error(
    main_window: MainWindow, workspace: DelegationWorkspace
) -> None:
    main_window.show_page("agenda")
    agenda = workspace.agenda
    block = agenda.grid.ordered()[0]
    dialog = agenda.open_edit(block.id)
    assert dialog is not None
    dialog.form.editors["ends"].setTime(QTime(block.start.hour, 0).addSecs(-3600))  # type: ignore[attr-defined]
    dialog.ok_button().click()
    assert "before it starts" in dialog.form.error_text("ends")
    dialog.form.editors["day"].setDate(QDate(block.start.date()))  # type: ignore[attr-defined]
    dialog.reject()


def _item(db: Database, item_id: int) -> AgendaItem:
    with db.session() as session:
        item = session.get(AgendaItem, item_id)
        assert item is not None
        return item


# ------------------------------------------------------------------ exports


def test_export_badges_from_the_exports_page(
    qtbot,
    main_window: MainWindow,
    workspace: DelegationWorkspace,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    main_window.show_exports()  # Ctrl+E
    assert workspace.current_page() == "exports"
    page = workspace.exports
    page.select_kind("badges")
    with qtbot.waitSignal(page.layouts_loaded, timeout=30000):
        pass
    assert page.layout_combo.count() >= 2
    page.layout_combo.setCurrentIndex(page.layout_combo.findData("avery-l7418"))
    target = tmp_path / "out" / "badges.pdf"
    page.file.setText(str(target))
    opened: list[str] = []
    page.open_url = lambda url: opened.append(url.toLocalFile())  # type: ignore[assignment]
    with qtbot.waitSignal(page.finished, timeout=60000):
        page.export_button.click()
        assert page.cancel_button.isVisible()
    assert target.exists() and target.read_bytes().startswith(b"%PDF")
    assert "Wrote" in page.status.text()
    page.open_file_button.click()
    page.open_folder_button.click()
    assert opened == [str(target), str(target.parent)]
    qtbot.waitUntil(lambda: page.export_button.isEnabled())


def test_export_shows_progress_and_can_be_cancelled(
    qtbot,
    workspace: DelegationWorkspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    steps = 100_000

    def endless_export(kind, delegation, out, options):  # type: ignore[no-untyped-def]
        for done in range(steps):
            options.progress(done, steps)
            time.sleep(0.001)
        raise AssertionError("the export was not cancelled")

    monkeypatch.setattr("delegations.exports.run_export", endless_export)
    page = workspace.exports
    page.select_kind("itinerary")
    target = tmp_path / "itinerary.pdf"
    page.file.setText(str(target))
    page.export_button.click()
    qtbot.waitUntil(lambda: page.progress.maximum() == steps and page.progress.value() > 0)
    assert not page.export_button.isEnabled()
    page.cancel_button.click()
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=20000)
    assert "cancelled" in page.status.text()
    assert not target.exists()
    assert not page.open_file_button.isVisible()


def test_personal_calendar_file_name_and_export(
    qtbot,
    workspace: DelegationWorkspace,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    page = workspace.exports
    page.folder = tmp_path
    page.select_kind("ical")
    page.attendee.setCurrentIndex(1)
    assert page.file.text().endswith(".ics")
    assert page.options().attendee_id is not None
    with qtbot.waitSignal(page.finished, timeout=60000):
        page.start()
    assert Path(page.file.text()).read_bytes().startswith(b"BEGIN:VCALENDAR")
