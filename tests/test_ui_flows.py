"""The main window driven as a project officer would: pages, dialogs, undo, delete."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from delegations.model import Organisation, Person, fold
from delegations.services import organisations, queries
from delegations.store import Database
from delegations.ui.forms import RecordDialog
from delegations.ui.main_window import MainWindow
from ui_support import Answers, open_window


def set_text(dialog: RecordDialog, name: str, text: str) -> None:
    editor = dialog.form.editors[name]
    assert isinstance(editor, QLineEdit)
    editor.setText(text)


def test_empty_database_offers_the_demo(qtbot, db: Database, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, db, answers)
    assert window.offer_demo() is True
    _title, text = answers.questions[0]
    assert "empty" in text and "demo" in text
    assert window.pages["delegation"].model.rowCount() == 1
    assert window.workspace.delegation is not None
    assert window.stack.currentWidget() is window.workspace
    # Not offered again once the database holds something.
    assert window.offer_demo() is False
    assert len(answers.questions) == 1
    window.close()


def test_declining_the_demo_leaves_the_database_empty(
    qtbot, db: Database, answers: Answers
) -> None:  # type: ignore[no-untyped-def]
    answers.yes = False
    window = open_window(qtbot, db, answers)
    assert window.offer_demo() is False
    assert window.pages["delegation"].model.rowCount() == 0
    window.close()


def test_filter_ignores_case_and_accents(main_window: MainWindow) -> None:
    main_window.show_page("people")
    page = main_window.pages["person"]
    total = page.model.rowCount()
    names = [page.model.row_at(r).cells for r in range(total)]
    accented = next(cells for cells in names if fold(cells[0]) != cells[0].lower())
    plain = fold(accented[0]).upper()
    page.filter.setText(plain)
    assert 0 < page.model.rowCount() < total
    shown = [page.model.row_at(r).cells[0] for r in range(page.model.rowCount())]
    assert accented[0] in shown
    assert "of" in page.count.text()
    page.filter.clear()
    assert page.model.rowCount() == total


def test_create_a_delegation_then_undo_and_redo(main_window: MainWindow, demo_db: Database) -> None:
    main_window.show_page("delegations")
    main_window.new_record()
    dialog = main_window.dialogs[-1]
    set_text(dialog, "title", "Design week in Łódź")
    dialog.form.editors["timezone"].setCurrentText("Europe/Warsaw")  # type: ignore[attr-defined]
    dialog.form.editors["start_date"].setDate(QDate(2027, 9, 14))  # type: ignore[attr-defined]
    dialog.form.editors["end_date"].setDate(QDate(2027, 9, 16))  # type: ignore[attr-defined]
    dialog.ok_button().click()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        titles = [r.title for r in queries.list_delegations(session)]
    assert "Design week in Łódź" in titles
    # A new delegation opens in its workspace.
    assert main_window.workspace.delegation is not None
    assert main_window.workspace.delegation.title == "Design week in Łódź"
    main_window.undo_action.trigger()
    with demo_db.session() as session:
        assert "Design week in Łódź" not in [r.title for r in queries.list_delegations(session)]
    assert main_window.workspace.delegation is None
    main_window.redo_action.trigger()
    with demo_db.session() as session:
        assert "Design week in Łódź" in [r.title for r in queries.list_delegations(session)]
    assert main_window.pages["delegation"].model.rowCount() == 2


def test_validation_message_is_shown_next_to_the_field(main_window: MainWindow) -> None:
    main_window.show_page("delegations")
    main_window.new_record()
    dialog = main_window.dialogs[-1]
    set_text(dialog, "title", "Backwards visit")
    dialog.form.editors["timezone"].setCurrentText("Europe/Madrid")  # type: ignore[attr-defined]
    dialog.form.editors["start_date"].setDate(QDate(2027, 5, 10))  # type: ignore[attr-defined]
    dialog.form.editors["end_date"].setDate(QDate(2027, 5, 8))  # type: ignore[attr-defined]
    dialog.ok_button().click()
    assert dialog.isVisible()
    assert "before it starts" in dialog.form.error_text("end_date")
    assert dialog.form.error_text("title") == ""
    dialog.form.editors["end_date"].setDate(QDate(2027, 5, 11))  # type: ignore[attr-defined]
    dialog.ok_button().click()
    assert not dialog.isVisible()


def test_edit_a_person_and_undo(main_window: MainWindow, demo_db: Database) -> None:
    main_window.show_page("people")
    page = main_window.pages["person"]
    page.select_ids([page.model.id_at(0)])
    person_id = page.model.id_at(0)
    main_window.edit_record()
    dialog = main_window.dialogs[-1]
    set_text(dialog, "job_title", "Head of international affairs")
    dialog.ok_button().click()
    with demo_db.session() as session:
        assert session.get(Person, person_id).job_title == "Head of international affairs"
    assert main_window.runner.history.can_undo()
    main_window.runner.undo()
    with demo_db.session() as session:
        assert session.get(Person, person_id).job_title != "Head of international affairs"


def test_bad_email_is_shown_under_the_email_field(main_window: MainWindow) -> None:
    main_window.show_page("people")
    main_window.new_record()
    dialog = main_window.dialogs[-1]
    set_text(dialog, "given_name", "Zoë")
    set_text(dialog, "family_name", "Ørsted")
    set_text(dialog, "email", "not-an-address")
    dialog.ok_button().click()
    assert "not an e-mail address" in dialog.form.error_text("email")
    set_text(dialog, "email", "zoe@example.dk")
    dialog.ok_button().click()
    assert not dialog.isVisible()
    page = main_window.pages["person"]
    page.filter.setText("orsted")
    assert page.model.rowCount() == 1


def test_delete_refused_shows_why(main_window: MainWindow, demo_db: Database) -> None:
    main_window.show_page("organisations")
    page = main_window.pages["organisation"]
    with demo_db.session() as session:
        org = next(o for o in session.scalars(select(Organisation)) if o.people)
        org_id, name = org.id, org.name
    page.select_ids([org_id])
    main_window.delete_records()
    title, text = main_window_messages(main_window)[-1]
    assert "Cannot delete" in title
    assert "cannot be deleted" in text and name in text
    with demo_db.session() as session:
        assert session.get(Organisation, org_id) is not None


def main_window_messages(window: MainWindow) -> list[tuple[str, str]]:
    inform = window.inform
    return inform.__self__.messages  # type: ignore[attr-defined]


def test_delete_with_confirmation_then_undo_keeps_the_uuid(
    main_window: MainWindow, demo_db: Database, answers: Answers
) -> None:
    with demo_db.transaction() as session:
        org = organisations.create(session, name="Ørestad Media Lab", city="København")
        org_id, uuid = org.id, org.uuid
    main_window.reload_lists()
    main_window.show_page("organisations")
    page = main_window.pages["organisation"]
    page.select_ids([org_id])
    main_window.delete_records()
    _title, text = answers.questions[-1]
    assert "Ørestad Media Lab" in text and "undo" in text.lower()
    with demo_db.session() as session:
        assert session.get(Organisation, org_id) is None
    main_window.runner.undo()
    with demo_db.session() as session:
        restored = session.scalars(select(Organisation).where(Organisation.uuid == uuid)).one()
        assert restored.name == "Ørestad Media Lab"
    assert "Ørestad Media Lab" in [
        page.model.row_at(r).cells[0] for r in range(page.model.rowCount())
    ]


def test_closing_with_an_open_edited_dialog_asks_first(
    main_window: MainWindow, answers: Answers
) -> None:
    main_window.show_page("venues")
    main_window.new_record()
    dialog = main_window.dialogs[-1]
    set_text(dialog, "name", "Sala Apolo")
    answers.yes = False
    assert main_window.close() is False
    assert "Sala Apolo" not in answers.questions[-1][1]
    assert "New venue" in answers.questions[-1][1]
    answers.yes = True
    assert main_window.close() is True


def test_open_create_and_switch_databases(
    main_window: MainWindow, tmp_path: Path, answers: Answers
) -> None:
    other = tmp_path / "second.db"
    answers.files.append(str(other))
    answers.yes = False  # decline the demo on the new, empty database
    main_window.files.new_database_dialog()
    assert main_window.db.path == other.resolve()
    assert main_window.pages["delegation"].model.rowCount() == 0
    recent = main_window.settings.recent_databases()
    assert recent[0] == other.resolve()
    main_window.open_database(recent[1])
    assert main_window.pages["delegation"].model.rowCount() == 1


def test_settings_remember_the_window(qtbot, demo_db: Database, answers: Answers) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_db, answers)
    window.resize(1111, 777)
    window.splitter.setSizes([250, 861])
    window.close()
    again = open_window(qtbot, demo_db, answers)
    assert again.size().width() == 1111
    assert again.splitter.sizes()[0] == 250
    assert again.settings.last_database() == demo_db.path
    again.close()


def test_package_export_and_import_run_off_the_ui_thread(
    qtbot,
    main_window: MainWindow,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    delegation_id = main_window.pages["delegation"].model.id_at(0)
    target = tmp_path / "visit.json"
    main_window.files.export_package(delegation_id, target)
    qtbot.waitUntil(lambda: not main_window.files.tasks, timeout=20000)
    assert target.exists()
    main_window.import_package(target)
    assert main_window.runner.busy()
    qtbot.waitUntil(lambda: not main_window.runner.busy(), timeout=20000)
    qtbot.waitUntil(lambda: main_window.workspace.delegation is not None, timeout=5000)
    assert main_window.pages["delegation"].model.rowCount() == 1
    # The import is a step of the history like any edit (nothing changed: same package).
    assert main_window.undo_action.text().startswith("&Undo")


def test_models_pass_the_model_tester(qtmodeltester, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    for page in main_window.pages.values():
        qtmodeltester.check(page.model)
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    qtmodeltester.check(main_window.workspace.attendees.model)


def test_keyboard_shortcuts_and_accessible_names(main_window: MainWindow) -> None:
    shortcuts = {
        a.shortcut().toString() for a in main_window.findChildren(type(main_window.undo_action))
    }
    for key in ("Ctrl+N", "Ctrl+F", "Del", "F2", "Ctrl+E", "Ctrl+Z", "Ctrl+Shift+Z"):
        assert key in shortcuts
    main_window.show_page("people")
    main_window.focus_filter()
    assert main_window.pages["person"].filter.accessibleName() == "Filter people"
    assert main_window.sidebar.accessibleName()


def test_sorting_keeps_the_selection_and_the_model_valid(
    qtmodeltester,
    main_window: MainWindow,  # type: ignore[no-untyped-def]
) -> None:
    main_window.show_page("people")
    page = main_window.pages["person"]
    chosen = page.model.id_at(3)
    page.select_ids([chosen])
    page.table.sort_by(4)  # e-mail
    emails = [page.model.row_at(r).cells[4] for r in range(page.model.rowCount())]
    assert emails == sorted(emails, key=fold)
    assert page.selected_ids() == [chosen]
    page.table.sort_by(0, Qt.SortOrder.DescendingOrder)
    families = [page.model.row_at(r).cells[0] for r in range(page.model.rowCount())]
    assert families == sorted(families, key=fold, reverse=True)
    row = page.model.row_of(chosen)
    assert row is not None
    page.filter.setText(page.model.row_at(row).cells[4])  # its e-mail: the row stays shown
    qtmodeltester.check(page.model)
    assert page.selected_ids() == [chosen]
    page.filter.setText("no such person anywhere")  # the row is filtered out
    qtmodeltester.check(page.model)
    assert page.selected_ids() == []


def test_ctrl_e_from_the_list_opens_the_exports_page(main_window: MainWindow) -> None:
    main_window.show_page("delegations")
    page = main_window.pages["delegation"]
    page.select_ids([page.model.id_at(0)])
    main_window.show_exports()
    assert main_window.workspace.current_page() == "exports"
    assert main_window.stack.currentWidget() is main_window.workspace


def test_a_database_failure_is_shown_and_the_dialog_stays_open(
    main_window: MainWindow, demo_db: Database, monkeypatch: pytest.MonkeyPatch, answers: Answers
) -> None:
    main_window.show_page("venues")
    main_window.new_record()
    dialog = main_window.dialogs[-1]
    set_text(dialog, "name", "Sala Apolo")

    @contextmanager
    def locked() -> Iterator[None]:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        yield

    monkeypatch.setattr(demo_db, "transaction", locked)
    dialog.ok_button().click()
    assert dialog.isVisible()
    assert "what you typed is kept" in dialog.form.general.text()
    title, message = answers.messages[-1]
    assert title == "Cannot add Sala Apolo"
    assert "in use by another program" in message and "Nothing was changed" in message
    assert not main_window.runner.history.can_undo()


def test_escape_clears_the_filter_and_down_enters_the_table(qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    main_window.show_page("people")
    page = main_window.pages["person"]
    page.focus_filter()
    page.filter.setText("zzzz-nobody")
    assert page.model.rowCount() == 0
    page.table.repaint()  # paints the "nothing matches" hint
    qtbot.keyClick(page.filter, Qt.Key.Key_Escape)
    assert page.filter.text() == "" and page.model.rowCount() > 0
    qtbot.keyClick(page.filter, Qt.Key.Key_Down)
    assert page.selected_ids() == [page.model.id_at(0)]
