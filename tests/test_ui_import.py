"""The attendee-list import wizard in the window: entry points, every step, undo,
failures and Cancel; and people exported from the File menu and the Attendees tab."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QPushButton, QWidget
from sqlalchemy import func, select

from delegations.model import Organisation, Person
from delegations.services import queries
from delegations.services.spreadsheets.people_import import refusal
from delegations.services.spreadsheets.preview import OnMatch
from delegations.services.spreadsheets.reading import read_table
from delegations.services.spreadsheets.values import DateOrder
from delegations.services.storage import Database
from delegations.ui.import_tables import ERROR_BACKGROUND, MappingModel
from delegations.ui.import_wizard import ImportWizard
from delegations.ui.main_window import MainWindow
from spreadsheet_support import make_xlsx
from test_ui_flows import open_window
from ui_support import Answers

FRENCH = (
    "Prénom;Nom;Courriel;Structure;Téléphone;Remarques\r\n"
    "Hélène;Dupré;helene.dupre@exemple.fr;Société Générale;06 01 02 03 04;végétarienne\r\n"
    "Zoé;Lefèvre;zoe.lefevre@maisonsdemode.example;Maisons de Mode;06 99 88 77 66;\r\n"
    "Thomas;Leroy;t.leroy@grand-lille.cci.example;CCI Grand Lille;03 20 00 00 00;\r\n"
    "María;Gómez;maria@;Ayuntamiento de Gijón;;arrive en retard\r\n"
    "François;Moreau;f.moreau@exemple.fr;Société Générale;;\r\n"
)


@pytest.fixture
def quick_db(demo_db: Database) -> Iterator[Database]:
    """The demo database with a short busy timeout (a lock need not wait 5 s)."""
    db = Database.open(demo_db.path, busy_ms=150)
    yield db
    db.close()


@pytest.fixture
def window(qtbot, quick_db: Database, answers: Answers) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = open_window(qtbot, quick_db, answers)
    yield w
    wizard = w.files.wizard
    if wizard is not None:
        wizard.done(0)
    w.close()


def french_csv(folder: Path) -> Path:
    path = folder / "liste-partenaires.csv"
    path.write_bytes(FRENCH.encode("cp1252"))
    return path


def people(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Person.id))) or 0


def menu_action(window: MainWindow, text: str) -> QAction:
    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is None:
            continue
        for action in menu.actions():
            if action.text() == text:
                return action
    raise LookupError(text)


def wizard_of(window: MainWindow) -> ImportWizard:
    wizard = window.files.wizard
    assert wizard is not None and wizard.isVisible()
    return wizard


def button(widget: QWidget, text: str) -> QPushButton:
    found = [b for b in widget.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1, text
    return found[0]


def field_editor(wizard: ImportWizard, header: str) -> QComboBox:
    row = wizard.mapping_page.model.header.index(header)
    editor = wizard.mapping_page.view.indexWidget(
        wizard.mapping_page.model.index(row, MappingModel.FIELD)
    )
    assert isinstance(editor, QComboBox)
    return editor


def choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def to_preview(wizard: ImportWizard, path: Path) -> None:
    wizard.file_page.path_edit.setText(str(path))
    wizard.next_button.click()
    assert wizard.step() == "sheet"
    wizard.next_button.click()
    assert wizard.step() == "mapping"
    wizard.next_button.click()
    assert wizard.step() == "preview"


def row_of_name(wizard: ImportWizard, name: str) -> int:
    model = wizard.preview_page.model
    return next(r for r in range(model.rowCount()) if model.plan_at(r).name == name)


# ------------------------------------------------------------------ entry points


def test_the_file_menu_the_people_page_and_the_attendees_tab_open_the_wizard(
    window: MainWindow,
) -> None:
    action = menu_action(window, "Import &people…")
    assert action.shortcut().toString() == "Ctrl+Shift+I"
    action.trigger()
    wizard = wizard_of(window)
    assert wizard.step() == "file"
    assert wizard.delegation_id() is None
    assert wizard.focusWidget() is wizard.file_page.path_edit
    assert not wizard.next_button.isEnabled()  # no file yet
    wizard.reject()
    assert not wizard.isVisible()

    window.show_page("people")
    button(window.pages["person"], "Import people…").click()
    wizard = wizard_of(window)
    assert wizard.delegation_id() is None
    wizard.reject()

    window.show_page("delegations")
    demo = window.pages["delegation"].model.id_at(0)
    window.open_delegation(demo)
    window.show_page("attendees")
    window.workspace.attendees.import_button.click()
    wizard = wizard_of(window)
    assert wizard.delegation_id() == demo
    wizard.reject()
    # File ▸ Import people… on the Attendees tab adds them to that delegation too.
    action.trigger()
    assert wizard_of(window).delegation_id() == demo


def test_a_spreadsheet_dropped_on_the_window_opens_the_wizard_on_it(
    window: MainWindow, tmp_path: Path
) -> None:
    from ui_support import drag_and_drop

    path = french_csv(tmp_path)
    assert drag_and_drop(window, path)
    wizard = wizard_of(window)
    assert Path(wizard.file_page.path_edit.text()) == path
    assert wizard.next_button.isEnabled()
    assert not drag_and_drop(window, tmp_path / "photo.png")


# ------------------------------------------------------------------ the whole flow


def test_a_french_cp1252_list_goes_through_every_step_and_undoes_in_one(
    window: MainWindow, answers: Answers, tmp_path: Path, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    db = window.db
    before = people(db)
    path = french_csv(tmp_path)
    menu_action(window, "Import &people…").trigger()
    wizard = wizard_of(window)

    # 1. The file.
    answers.files.append(str(path))
    wizard.file_page.browse_button.click()
    assert wizard.file_page.path_edit.text() == str(path)
    wizard.next_button.click()

    # 2. The encoding detected, and another one changing what the first rows show.
    assert wizard.step() == "sheet"
    assert wizard.sheet_page.encoding_combo.currentText() == "Windows-1252 (Western) (detected)"
    assert wizard.sheet_page.delimiter_combo.currentText() == "semicolon “;” (detected)"
    assert not wizard.sheet_page.sheet_combo.isVisibleTo(wizard)
    assert wizard.sheet_page.sample_model.header[0] == "Prénom"
    qtmodeltester.check(wizard.sheet_page.sample_model)
    choose(wizard.sheet_page.encoding_combo, "mac_roman")
    assert wizard.sheet_page.sample_model.header[0] == "Prénom".encode("cp1252").decode("mac_roman")
    choose(wizard.sheet_page.encoding_combo, "utf-8")  # not UTF-8: said, and Next waits
    assert "cannot be read as UTF-8" in wizard.sheet_page.error.text()
    assert not wizard.next_button.isEnabled()
    choose(wizard.sheet_page.encoding_combo, None)
    assert wizard.sheet_page.sample_model.header[0] == "Prénom"
    assert wizard.sheet_page.error.isHidden()
    wizard.next_button.click()

    # 3. The mapping: guessed, one column changed, saved, spoiled, reapplied.
    assert wizard.step() == "mapping"
    qtmodeltester.check(wizard.mapping_page.model)
    assert dict(wizard.mapping().columns) == {
        "Prénom": "given_name",
        "Nom": "family_name",
        "Courriel": "email",
        "Structure": "organisation",
        "Téléphone": "phone",
        "Remarques": "notes",
    }
    assert wizard.mapping_page.model.index(0, 1).data() == "Hélène · Zoé · Thomas"
    # A field already used moves to the column that now asks for it.
    choose(field_editor(wizard, "Remarques"), "email")
    assert wizard.mapping().field_for("Courriel") is None
    assert field_editor(wizard, "Courriel").currentData() is None
    assert "E-mail now comes from “Remarques”" in wizard.mapping_page.notices.text()
    choose(field_editor(wizard, "Courriel"), "email")
    choose(field_editor(wizard, "Remarques"), None)
    assert wizard.mapping().field_for("Remarques") is None
    choose(wizard.mapping_page.date_order_combo, DateOrder.MONTH_FIRST.value)
    assert wizard.mapping().date_order is DateOrder.MONTH_FIRST
    wizard.ask_text = lambda _title, _label, _start: "Partenaires FR"  # type: ignore[method-assign]
    assert wizard.save_mapping()
    choose(wizard.mapping_page.date_order_combo, DateOrder.DAY_FIRST.value)
    assert window.undo_action.text() == "&Undo save the import mapping “Partenaires FR”"
    assert wizard.mapping_page.saved_names() == ["Partenaires FR"]
    choose(field_editor(wizard, "Prénom"), None)
    choose(field_editor(wizard, "Nom"), "job_title")
    assert "No column gives the names" in wizard.mapping_page.problems.text()
    assert not wizard.next_button.isEnabled()
    wizard.mapping_page.saved_combo.setCurrentIndex(
        wizard.mapping_page.saved_combo.findText("Partenaires FR")
    )
    assert wizard.mapping().field_for("Prénom") == "given_name"
    assert wizard.mapping().field_for("Remarques") is None
    assert wizard.mapping().date_order is DateOrder.MONTH_FIRST
    assert wizard.mapping_page.date_order() is DateOrder.MONTH_FIRST
    assert "Applied the saved mapping “Partenaires FR”" in wizard.mapping_page.notices.text()
    assert field_editor(wizard, "Nom").currentData() == "family_name"
    assert wizard.mapping_page.problems.isHidden()
    assert wizard.next_button.isEnabled()
    wizard.next_button.click()

    # 4. The preview: counts, the error row, decisions.
    assert wizard.step() == "preview"
    model = wizard.preview_page.model
    qtmodeltester.check(model)
    assert wizard.preview is not None
    assert str(wizard.preview.counts) == (
        "2 new, 2 to update, 0 unchanged, 0 skipped, 1 with errors"
    )
    assert wizard.preview_page.summary.text().startswith("2 new, 2 to update")
    assert "Société Générale" in wizard.preview_page.details.text()
    error = row_of_name(wizard, "María Gómez")
    assert model.index(error, 1).data() == "Error"
    assert "'maria@' is not an e-mail address" in model.index(error, 5).data()
    assert model.index(error, 0).data(Qt.ItemDataRole.BackgroundRole) == ERROR_BACKGROUND
    zoe = row_of_name(wizard, "Zoé Lefèvre")
    assert model.index(zoe, 4).data() == "Zoé Lefèvre (same e-mail)"
    assert "Remarques" not in model.index(zoe, 5).data()
    assert not wizard.import_button.isEnabled()
    assert wizard.preview_page.refusal.text() == refusal(wizard.preview)
    wizard.show_rows("Errors")
    assert model.rowCount() == 1
    wizard.show_rows("All rows")

    wizard.preview_page.view.selectRow(row_of_name(wizard, "Zoé Lefèvre"))
    assert wizard.preview_page.decision_buttons[OnMatch.SKIP].isEnabled()
    wizard.preview_page.decision_buttons[OnMatch.SKIP].click()
    assert str(wizard.preview.counts) == "2 new, 1 to update, 0 unchanged, 1 skipped, 1 with errors"
    assert model.index(row_of_name(wizard, "Zoé Lefèvre"), 1).data() == "Skipped"
    assert wizard.preview_page.selected_numbers() == [3]  # the selection stays on the row
    wizard.set_on_match(OnMatch.CREATE)
    assert str(wizard.preview.counts) == "4 new, 0 to update, 0 unchanged, 0 skipped, 1 with errors"

    wizard.preview_page.skip_errors.setChecked(True)
    assert wizard.import_button.isEnabled()
    assert wizard.preview_page.refusal.text().startswith("Ready: 4 rows will be written")

    # 5. The import: one step, every page redrawn.
    wizard.import_button.click()
    assert wizard.step() == "done"
    assert wizard.import_result is not None
    assert str(wizard.import_result) in wizard.done_page.result.text()
    assert "4 people added" in wizard.done_page.result.text()
    assert "Edit ▸ Undo (Ctrl+Z)" in wizard.done_page.undo_note.text()
    assert wizard.close_button.isVisible() and wizard.close_button.isDefault()
    assert people(db) == before + 4
    page = window.pages["person"]
    assert window.current_list_page() is page
    names = {page.model.row_at(r).cells[0] for r in range(page.model.rowCount())}
    assert {"Dupré", "Moreau"} <= names
    assert len(page.selected_ids()) == 4
    wizard.close_button.click()
    assert not wizard.isVisible()

    assert window.undo_action.text() == "&Undo import 5 rows from liste-partenaires.csv"
    window.undo_action.trigger()
    assert people(db) == before
    names = {page.model.row_at(r).cells[0] for r in range(page.model.rowCount())}
    assert "Dupré" not in names and "Moreau" not in names
    with db.session() as session:
        assert (
            session.scalar(select(Organisation).where(Organisation.name == "Société Générale"))
            is None
        )
    assert window.undo_action.text() == "&Undo save the import mapping “Partenaires FR”"
    assert not answers.messages


def test_the_second_sheet_of_a_workbook_into_a_delegation(
    window: MainWindow, tmp_path: Path
) -> None:
    path = make_xlsx(
        tmp_path / "registrations.xlsx",
        {
            "Read me": [["Registrations exported on 3 May"], ["Do not edit"]],
            "Participants": [
                ["First name", "Last name", "Email", "Role"],
                ["Ana", "Lima", "ana.lima@example.org", "Guest"],
                ["Bruno", "Costa", "bruno.costa@example.org", "Delegate"],
            ],
        },
    )
    window.show_page("delegations")
    demo = window.pages["delegation"].model.id_at(0)
    with window.db.session() as session:
        attendees = len(queries.load_delegation(session, demo).participations)
    wizard = window.files.import_people_dialog(demo, path)
    wizard.next_button.click()
    assert wizard.step() == "sheet"
    assert wizard.sheet_page.sheet_combo.isVisibleTo(wizard)
    assert not wizard.sheet_page.encoding_combo.isVisibleTo(wizard)
    assert [wizard.sheet_page.sheet_combo.itemText(i) for i in range(2)] == [
        "Read me",
        "Participants",
    ]
    assert wizard.sheet_page.sample_model.header[0] == "Registrations exported on 3 May"
    wizard.sheet_page.sheet_combo.setCurrentIndex(1)
    assert wizard.sheet_page.sample_model.header == ("First name", "Last name", "Email", "Role")
    assert "sheet “Participants”" in wizard.sheet_page.summary.text()
    wizard.next_button.click()
    assert wizard.mapping().field_for("Role") == "attendee.role"
    wizard.next_button.click()
    assert wizard.preview is not None
    assert str(wizard.preview.counts).startswith("2 new")
    assert "attendees of" in wizard.preview_page.summary.text()
    wizard.import_button.click()
    assert wizard.step() == "done"
    with window.db.session() as session:
        assert len(queries.load_delegation(session, demo).participations) == attendees + 2
    # The delegation's attendees are shown behind the wizard, Ana among them.
    assert window.workspace.delegation_id == demo
    assert window.workspace.current_page() == "attendees"
    shown = window.workspace.attendees.model
    assert "Ana Lima" in {str(shown.row_at(r).cells[0]) for r in range(shown.rowCount())}


# ------------------------------------------------------------------ failures and Cancel


def test_a_locked_database_leaves_the_wizard_open_and_writes_nothing(
    window: MainWindow, answers: Answers, tmp_path: Path, quick_db: Database
) -> None:
    before = people(quick_db)
    window.files.import_people_dialog()
    wizard = wizard_of(window)
    to_preview(wizard, french_csv(tmp_path))
    wizard.preview_page.skip_errors.setChecked(True)
    other = sqlite3.connect(quick_db.path, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        wizard.import_button.click()
        title, text = answers.messages[-1]
        assert title == "Cannot import 5 rows from liste-partenaires.csv"
        assert "in use by another program" in text and "Nothing was changed" in text
        assert wizard.isVisible() and wizard.step() == "preview"
        assert wizard.import_button.isEnabled()
        assert people(quick_db) == before
        assert not window.undo_action.text().startswith("&Undo import")
    finally:
        other.rollback()
        other.close()
    wizard.import_button.click()  # once the other program let go, it works
    assert wizard.step() == "done"
    assert people(quick_db) == before + 2  # two new, two updated


def big_csv(folder: Path, rows: int = 5_000) -> Path:
    path = folder / "big.csv"
    lines = ["Given name,Family name,E-mail"]
    lines += [f"Person{n},Family{n},person{n}@example.org" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_stopping_a_long_preview_or_import_writes_nothing(
    qtbot, window: MainWindow, answers: Answers, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    before = people(window.db)
    window.files.import_people_dialog()
    wizard = wizard_of(window)
    wizard.file_page.path_edit.setText(str(big_csv(tmp_path)))
    wizard.next_button.click()
    wizard.next_button.click()
    assert wizard.step() == "mapping"

    wizard.next_button.click()  # 5,000 rows: previewed on a worker thread
    assert wizard.busy() and wizard.cancel_button.text() == "Stop"
    assert not wizard.next_button.isEnabled() and not wizard.back_button.isEnabled()
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)  # Escape stops the work, not the wizard
    qtbot.waitUntil(lambda: not wizard.busy(), timeout=10_000)
    assert wizard.isVisible() and wizard.step() == "mapping"
    assert "nothing was changed" in wizard.mapping_page.error.text()

    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.step() == "preview", timeout=20_000)
    assert wizard.preview is not None and wizard.preview.counts.new == 5_000
    wizard.import_button.click()
    assert wizard.busy() and window.runner.busy()
    wizard.cancel_button.click()
    qtbot.waitUntil(lambda: not window.runner.busy(), timeout=20_000)
    assert not wizard.busy()
    assert wizard.isVisible() and wizard.step() == "preview"
    assert "nothing was written" in wizard.preview_page.error.text()
    assert people(window.db) == before
    assert not window.undo_action.isEnabled()
    assert not answers.messages


# ------------------------------------------------------------------ exports


def test_people_and_attendees_exported_and_the_database_refused(
    qtbot, window: MainWindow, answers: Answers, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    everybody = people(window.db)
    answers.files.append(str(tmp_path / "people"))  # no suffix: a workbook
    menu_action(window, "Expor&t people…").trigger()
    qtbot.waitUntil(lambda: not window.files.tasks, timeout=10_000)
    table = read_table(tmp_path / "people.xlsx")
    assert table.header[0] == "Person ID" and len(table.rows) == everybody

    window.show_page("delegations")
    demo = window.pages["delegation"].model.id_at(0)
    window.open_delegation(demo)
    window.show_page("attendees")
    answers.files.append(str(tmp_path / "attendees.csv"))
    window.workspace.attendees.export_button.click()
    qtbot.waitUntil(lambda: not window.files.tasks, timeout=10_000)
    attendees = read_table(tmp_path / "attendees.csv")
    assert len(attendees.rows) == window.workspace.attendees.model.total_count()
    assert "Role" in attendees.header

    before = window.db.path.read_bytes()
    answers.files.append(str(window.db.path))
    menu_action(window, "Expor&t people…").trigger()
    title, text = answers.messages[-1]
    assert title == "Cannot export people" and "the database in use" in text
    assert window.db.path.read_bytes() == before
