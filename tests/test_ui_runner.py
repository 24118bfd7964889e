"""The runner in the window: one message for every database failure, screens redrawn from changes."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from delegations.services import listings
from delegations.services.storage import Database
from delegations.ui.main_window import MainWindow
from test_ui_flows import open_window
from ui_support import Answers


@pytest.fixture
def quick_db(demo_db: Database) -> Iterator[Database]:
    """The demo database with a short busy timeout (tests of a lock need not wait 5 s)."""
    db = Database.open(demo_db.path, busy_ms=150)
    yield db
    db.close()


@pytest.fixture
def window(qtbot, quick_db: Database, answers: Answers) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = open_window(qtbot, quick_db, answers)
    yield w
    w.close()


@pytest.fixture
def lock(quick_db: Database) -> Iterator[sqlite3.Connection]:
    """Another program holding the write lock until the test ends."""
    other = sqlite3.connect(quick_db.path, timeout=0)
    yield other
    other.rollback()
    other.close()


def _hold(other: sqlite3.Connection) -> None:
    other.execute("BEGIN IMMEDIATE")


def _attendee(window: MainWindow, family: str) -> int:
    workspace = window.workspace
    assert workspace.delegation is not None
    return next(p.id for p in workspace.delegation.participations if p.person.family_name == family)


def _open_demo(window: MainWindow) -> int:
    window.show_page("delegations")
    demo = window.pages["delegation"].model.id_at(0)
    window.open_delegation(demo)
    return demo


def test_the_reported_sequence_in_the_window(window: MainWindow, answers: Answers) -> None:
    demo = _open_demo(window)
    window.show_page("delegations")
    page = window.pages["delegation"]
    window.new_record()
    dialog = window.dialogs[-1]
    dialog.form.set_values(
        {"title": "Second", "start_date": date(2027, 5, 1), "end_date": date(2027, 5, 2)}
    )
    dialog.ok_button().click()
    window.open_delegation(demo)
    window.show_page("attendees")
    caron = _attendee(window, "Caron")
    assert window.workspace.attendees.remove([caron])
    window.show_page("delegations")
    page.select_ids([demo])
    window.delete_records()
    assert window.open_workspace() is None  # the workspace closed with its delegation
    messages = len(answers.messages)
    window.undo_action.trigger()
    window.undo_action.trigger()
    window.redo_action.trigger()
    assert len(answers.messages) == messages  # no error
    window.open_delegation(demo)
    names = {p.person.family_name for p in window.workspace.delegation.participations}  # type: ignore[union-attr]
    assert "Caron" not in names and "Delacroix" in names
    assert window.pages["delegation"].model.row_of(demo) is not None
    assert window.undo_action.text() == "&Undo remove Julien Caron"


def test_locked_database_during_a_delete_shows_one_message(
    window: MainWindow, answers: Answers, lock: sqlite3.Connection
) -> None:
    window.show_page("people")
    people = window.pages["person"]
    # a person nobody refers to
    window.new_record()
    dialog = window.dialogs[-1]
    dialog.form.set_values({"given_name": "Temp", "family_name": "Person"})
    dialog.ok_button().click()
    temp = people.selected_ids()[0]
    before = window.runner.history.undo_label()
    _hold(lock)
    assert people.delete_ids([temp]) is False
    title, message = answers.messages[-1]
    assert title == "Cannot delete Temp Person"
    assert "in use by another program" in message
    assert window.runner.history.undo_label() == before
    assert people.model.row_of(temp) is not None


def test_locked_database_during_duplicate_and_attendee_removal(
    window: MainWindow, answers: Answers, lock: sqlite3.Connection
) -> None:
    _open_demo(window)
    agenda = window.workspace.agenda
    item = window.workspace.delegation.items[0].id  # type: ignore[union-attr]
    caron = _attendee(window, "Caron")
    _hold(lock)
    assert agenda.duplicate_item(item) is None
    assert answers.messages[-1][0].startswith("Cannot duplicate “")
    assert window.workspace.attendees.remove([caron]) is False
    assert answers.messages[-1][0] == "Cannot remove Julien Caron"
    assert "in use by another program" in answers.messages[-1][1]
    assert not window.runner.history.can_undo()


def test_locked_database_during_undo_keeps_the_step(
    window: MainWindow, answers: Answers, lock: sqlite3.Connection
) -> None:
    _open_demo(window)
    caron = _attendee(window, "Caron")
    assert window.workspace.attendees.remove([caron])
    _hold(lock)
    window.undo_action.trigger()
    title, message = answers.messages[-1]
    assert title == "Cannot undo"
    assert "Could not undo “remove Julien Caron”" in message
    assert window.undo_action.isEnabled()
    assert window.undo_action.text() == "&Undo remove Julien Caron"
    lock.rollback()
    window.undo_action.trigger()
    assert "Caron" in {p.person.family_name for p in window.workspace.delegation.participations}  # type: ignore[union-attr]
    assert window.redo_action.text() == "&Redo remove Julien Caron"


def test_a_change_on_one_page_shows_on_the_others(window: MainWindow) -> None:
    _open_demo(window)
    caron = _attendee(window, "Caron")
    window.show_page("people")
    people = window.pages["person"]
    person = next(
        p.person_id
        for p in window.workspace.delegation.participations  # type: ignore[union-attr]
        if p.id == caron
    )
    people.select_ids([person])
    window.edit_record()
    dialog = window.dialogs[-1]
    dialog.form.set_values({"family_name": "Carron"})
    dialog.ok_button().click()
    attendees = window.workspace.attendees.model
    row = attendees.row_of(caron)
    assert row is not None and attendees.row_at(row).cells[0] == "Julien Carron"
    row = people.model.row_of(person)
    assert row is not None and people.model.row_at(row).cells[0] == "Carron"
    window.undo_action.trigger()
    row = attendees.row_of(caron)
    assert row is not None and attendees.row_at(row).cells[0] == "Julien Caron"


def test_editing_one_person_rereads_one_row(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.show_page("people")
    people = window.pages["person"]
    person = people.model.id_at(3)
    calls: list[tuple[Any, Any]] = []
    original = listings.people_rows

    def spy(session: Any, ids: Any = None, organisation_ids: Any = None) -> Any:
        calls.append((ids, organisation_ids))
        return original(session, ids, organisation_ids)

    monkeypatch.setattr(people, "kind", dataclasses.replace(people.kind, rows=spy))
    people.select_ids([person])
    window.edit_record()
    dialog = window.dialogs[-1]
    dialog.form.set_values({"job_title": "Head of cluster"})
    dialog.ok_button().click()
    assert calls == [(frozenset({person}), frozenset())]
    row = people.model.row_of(person)
    assert row is not None and people.model.row_at(row).cells[2] == "Head of cluster"


def test_import_and_demo_are_undoable_in_the_window(
    qtbot,
    tmp_path: Path,
    answers: Answers,  # type: ignore[no-untyped-def]
) -> None:
    db = Database.open(tmp_path / "empty.db")
    window = open_window(qtbot, db, answers)
    try:
        assert window.offer_demo()
        assert window.pages["delegation"].model.rowCount() == 1
        assert window.undo_action.text() == "&Undo load the demo study visit"
        window.undo_action.trigger()
        assert window.pages["delegation"].model.rowCount() == 0
        assert window.open_workspace() is None
        window.redo_action.trigger()
        assert window.pages["delegation"].model.rowCount() == 1
    finally:
        window.close()
        db.close()


def test_double_click_opens_one_dialog(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window.show_page("people")
    page = window.pages["person"]
    point = page.table.visualRect(page.model.index(0, 0)).center()
    viewport, left = page.table.viewport(), Qt.MouseButton.LeftButton
    # A real double-click: press, release, then the double-click event.
    qtbot.mousePress(viewport, left, pos=point)
    qtbot.mouseRelease(viewport, left, pos=point)
    qtbot.mouseDClick(viewport, left, pos=point)
    assert len(window.dialogs) == 1


def test_status_bar_says_what_was_done_undone_and_redone(window: MainWindow) -> None:
    _open_demo(window)
    caron = _attendee(window, "Caron")
    assert window.workspace.attendees.remove([caron])
    assert window.statusBar().currentMessage().startswith("Saved: remove Julien Caron.")
    window.undo_action.trigger()
    assert window.statusBar().currentMessage() == (
        "Undone: remove Julien Caron. Edit ▸ Redo (Ctrl+Shift+Z) does it again."
    )
    window.redo_action.trigger()
    assert window.statusBar().currentMessage().startswith("Redone: remove Julien Caron.")


def test_help_lists_every_declared_shortcut(window: MainWindow, answers: Answers) -> None:
    from delegations.ui import actions

    window.show_shortcuts()
    _title, text = answers.messages[-1]
    for specs in actions.MENUS.values():
        for spec in specs:
            if spec.help and spec.shortcuts:
                assert spec.help in text and spec.shortcut_text() in text
    for key, what in actions.AGENDA_KEYS:
        assert key in text and what in text
    assert actions.agenda_hint().count("Alt+") == 3


def test_export_page_refuses_the_database_itself(window: MainWindow) -> None:
    _open_demo(window)
    exports = window.workspace.exports
    before = window.db.path.read_bytes()
    exports.file.setText(str(window.db.path))
    exports.start()
    assert exports.task is None or not exports.busy()
    assert "database in use" in exports.status.text()
    assert window.db.path.read_bytes() == before


def test_tab_into_a_filtered_table_then_delete_acts_on_a_row(
    qtbot,
    window: MainWindow,
    answers: Answers,  # type: ignore[no-untyped-def]
) -> None:
    from PySide6.QtCore import Qt

    window.show_page("venues")
    page = window.pages["venue"]
    page.focus_filter()
    qtbot.keyClicks(page.filter, "Barcelona")
    assert page.model.rowCount() >= 1
    page.table.clearSelection()
    page.table.setFocus(Qt.FocusReason.TabFocusReason)
    assert page.selected_ids() == [page.model.id_at(0)]
    answers.yes = False
    window.delete_records()
    assert answers.questions or answers.messages  # the delete was asked about or refused


def test_tab_mnemonics_do_not_clash_with_the_menus(window: MainWindow) -> None:
    """Alt+G opened the Go menu instead of the Agenda tab."""

    def letter(text: str) -> str:
        return text[text.index("&") + 1].lower()

    menus = {letter(a.text()) for a in window.menuBar().actions()}
    tabs = window.workspace.tabs
    letters = [letter(tabs.tabText(i)) for i in range(tabs.count())]
    assert len(set(letters)) == len(letters)
    assert not menus & set(letters)


def test_quitting_with_an_open_filled_dialog_can_save_it(window: MainWindow) -> None:
    from PySide6.QtWidgets import QLineEdit

    def typed(name: str, text: str) -> None:
        editor = window.dialogs[-1].form.editors[name]
        assert isinstance(editor, QLineEdit)
        editor.setText(text)

    window.show_page("venues")
    window.new_record()
    typed("name", "Sala Apolo")
    assert window.unsaved()
    window.ask_save = lambda _title, _text: "save"  # type: ignore[method-assign]
    assert window.may_discard("quit")
    venues = window.pages["venue"].model
    assert "Sala Apolo" in {venues.row_at(r).cells[0] for r in range(venues.rowCount())}
    window.new_record()
    typed("city", "Barcelona")  # no name: saving is refused and the dialog stays
    assert not window.may_discard("quit")
    assert window.dialogs[-1].isVisible()


def test_a_change_that_cannot_be_undone_says_so(window: MainWindow) -> None:
    """An erasure or a purge: the status bar does not offer Undo, and redo is gone."""
    from delegations.services import operations
    from delegations.services.history import Operation

    def rename(session: Any) -> None:
        session.connection().exec_driver_sql("UPDATE delegation SET notes = 'kept'")

    window.runner.run(operations.custom("note the delegation", rename))
    assert window.runner.history.can_undo()
    window.runner.run(
        Operation(
            "remove old data",
            lambda s: s.connection().exec_driver_sql("UPDATE delegation SET notes = 'gone'"),
            action="purge",
            undoable=False,
        )
    )
    assert window.statusBar().currentMessage() == ("Done: remove old data. This cannot be undone.")
    assert window.runner.history.undo_label() == "note the delegation"
