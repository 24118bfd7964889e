"""Record dialogs: they fit the screen, focus the first field, ask before discarding,
clear a message once its field changes, and create a missing record on the spot."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from delegations.model import (
    AgendaItem,
    Delegation,
    ParticipationStatus,
    Person,
    Role,
    Venue,
)
from delegations.services.listings import Choice
from delegations.store import Database
from delegations.ui.agenda_page import AgendaPage
from delegations.ui.forms import CheckList, ChoiceCombo, EnumCombo, Field, RecordDialog
from delegations.ui.main_window import MainWindow
from ui_support import Answers


def set_text(dialog: RecordDialog, name: str, text: str) -> None:
    editor = dialog.form.editors[name]
    assert isinstance(editor, QLineEdit)
    editor.setText(text)


def combo(dialog: RecordDialog, name: str) -> ChoiceCombo:
    editor = dialog.form.editors[name]
    assert isinstance(editor, ChoiceCombo)
    return editor


def new_record(window: MainWindow, page: str) -> RecordDialog:
    window.show_page(page)
    window.new_record()
    return window.dialogs[-1]


class Asked:
    """Stands in for the Save / Discard / Cancel question."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.times = 0

    def __call__(self) -> str:
        self.times += 1
        return self.answer


# 1. the screen ----------------------------------------------------------------------
@pytest.mark.parametrize("height", [700, 480])
def test_the_item_dialog_fits_a_small_screen_with_ok_in_view(
    qtbot: QtBot, agenda: AgendaPage, monkeypatch: pytest.MonkeyPatch, height: int
) -> None:
    small = QRect(0, 0, 1024, height)
    monkeypatch.setattr(RecordDialog, "available_geometry", lambda self: small)
    dialog = agenda.open_new()
    assert dialog is not None and dialog.windowTitle() == "New agenda item"
    qtbot.waitExposed(dialog)
    room = small.height() - RecordDialog.SCREEN_MARGIN
    assert dialog.form.sizeHint().height() > room  # the form alone would not fit
    assert dialog.height() <= room
    assert dialog.width() <= small.width() - RecordDialog.SCREEN_MARGIN
    ok = dialog.ok_button()
    assert ok.isVisible()
    assert dialog.rect().contains(QRect(ok.mapTo(dialog, QPoint(0, 0)), ok.size()))
    if dialog.form.minimumSizeHint().height() > room:  # too small even squeezed: it scrolls
        assert dialog.scroller.verticalScrollBar().maximum() > 0


def test_a_short_form_is_not_stretched_to_the_screen(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RecordDialog, "available_geometry", lambda self: QRect(0, 0, 1920, 1040))
    dialog = RecordDialog("Short", [Field("name", "Name")], lambda values: 1)
    qtbot.addWidget(dialog)
    assert dialog.height() < 300


# 2. focus ---------------------------------------------------------------------------
def test_a_new_record_dialog_opens_with_its_first_field_focused(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    dialog = new_record(main_window, "people")
    qtbot.waitExposed(dialog)
    first = dialog.form.editors["given_name"]
    assert dialog.focusWidget() is first
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    qtbot.keyClicks(first, "Zoe")
    assert dialog.form.read()[0]["given_name"] == "Zoe"


def test_the_item_dialog_focuses_the_title(qtbot: QtBot, agenda: AgendaPage) -> None:
    dialog = agenda.open_new()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.form.editors["title"]


def test_focus_skips_headings_and_disabled_fields(qtbot: QtBot) -> None:
    fields = [
        Field("section", "About", "section"),
        Field("known", "Known", "bool"),
        Field("name", "Name"),
    ]
    dialog = RecordDialog("Focus", fields, lambda values: 1)
    qtbot.addWidget(dialog)
    dialog.form.editors["known"].setEnabled(False)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.form.editors["name"]


# 3. discarding ----------------------------------------------------------------------
def venue_dialog(qtbot: QtBot, main_window: MainWindow) -> RecordDialog:
    dialog = new_record(main_window, "venues")
    qtbot.waitExposed(dialog)
    return dialog


def test_cancel_without_changes_closes_without_asking(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    dialog = venue_dialog(qtbot, main_window)
    asked = dialog.ask_discard = Asked("cancel")
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert not dialog.isVisible() and asked.times == 0


def test_escape_after_typing_asks_and_cancel_keeps_editing(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    dialog = venue_dialog(qtbot, main_window)
    set_text(dialog, "name", "Sala Apolo")
    asked = dialog.ask_discard = Asked("cancel")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked.times == 1
    assert dialog.isVisible()
    assert dialog.form.read()[0]["name"] == "Sala Apolo"


def test_discard_closes_without_saving(
    qtbot: QtBot, main_window: MainWindow, demo_db: Database
) -> None:
    dialog = venue_dialog(qtbot, main_window)
    set_text(dialog, "name", "Sala Apolo")
    dialog.ask_discard = Asked("discard")
    dialog.reject()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        assert session.query(Venue).filter_by(name="Sala Apolo").count() == 0


def test_save_saves_or_stays_open_on_errors(
    qtbot: QtBot, main_window: MainWindow, demo_db: Database
) -> None:
    dialog = venue_dialog(qtbot, main_window)
    set_text(dialog, "name", "Sala Apolo")
    set_text(dialog, "latitude", "north")
    dialog.ask_discard = Asked("save")
    dialog.reject()
    assert dialog.isVisible()
    assert "not a number" in dialog.form.error_text("latitude")
    set_text(dialog, "latitude", "41.37")
    set_text(dialog, "longitude", "2.17")
    dialog.reject()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        assert session.query(Venue).filter_by(name="Sala Apolo").one().latitude == 41.37


def test_the_default_question_is_a_message_box_that_does_not_block(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    dialog = venue_dialog(qtbot, main_window)
    set_text(dialog, "name", "Sala Apolo")
    dialog.reject()  # returns at once; the box waits for an answer
    box = dialog.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert dialog.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert dialog.isVisible()
    dialog.reject()
    box = dialog.findChild(QMessageBox)
    assert box is not None
    box.button(QMessageBox.StandardButton.Discard).click()
    assert not dialog.isVisible()


def test_closing_the_window_does_not_ask_each_dialog_again(
    qtbot: QtBot, main_window: MainWindow, answers: Answers
) -> None:
    dialog = venue_dialog(qtbot, main_window)
    set_text(dialog, "name", "Sala Apolo")
    asked = dialog.ask_discard = Asked("cancel")
    answers.yes = True
    assert main_window.close() is True
    assert asked.times == 0
    assert not dialog.isVisible()


# 4. messages ------------------------------------------------------------------------
def test_a_message_goes_once_its_field_is_edited(qtbot: QtBot, main_window: MainWindow) -> None:
    dialog = new_record(main_window, "people")
    set_text(dialog, "email", "not-an-address")
    dialog.ok_button().click()
    assert "not an e-mail address" in dialog.form.error_text("email")
    assert dialog.form.error_text("family_name")
    set_text(dialog, "email", "zoe@example.dk")
    assert dialog.form.error_text("email") == ""
    assert dialog.form.editors["email"].accessibleDescription() == ""
    assert dialog.form.error_text("family_name")  # not edited: still shown
    set_text(dialog, "family_name", "Ørsted")
    assert dialog.form.error_text("family_name") == ""


def test_the_general_message_goes_on_any_edit(qtbot: QtBot) -> None:
    dialog = RecordDialog("General", [Field("name", "Name")], lambda values: 1)
    qtbot.addWidget(dialog)
    dialog.form.show_general("Not saved yet")
    assert not dialog.form.general.isHidden()
    set_text(dialog, "name", "x")
    assert dialog.form.general.isHidden()


# 5. creating from a field -----------------------------------------------------------
def test_new_venue_from_the_item_dialog_keeps_what_was_typed(
    qtbot: QtBot, agenda: AgendaPage, demo_db: Database
) -> None:
    dialog = agenda.open_new()
    assert dialog is not None
    set_text(dialog, "title", "Studio visit")
    dialog.new_buttons["venue_id"].click()
    nested = dialog.nested[-1]
    assert nested.windowTitle() == "New venue" and nested.isVisible()
    assert dialog.is_dirty()
    set_text(nested, "name", "Fabra i Coats")
    set_text(nested, "city", "Barcelona")
    nested.ok_button().click()
    assert not nested.isVisible() and dialog.nested == []
    with demo_db.session() as session:
        venue_id = session.query(Venue).filter_by(name="Fabra i Coats").one().id
    venue = combo(dialog, "venue_id")
    assert venue.current_id() == venue_id
    assert venue.currentText() == "Fabra i Coats, Barcelona"
    assert dialog.form.read()[0]["title"] == "Studio visit"
    assert dialog.isVisible()
    dialog.ok_button().click()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        item = session.query(AgendaItem).filter_by(title="Studio visit").one()
        assert item.venue_id == venue_id


def test_new_host_then_a_new_contact_of_that_host(
    qtbot: QtBot, agenda: AgendaPage, demo_db: Database
) -> None:
    dialog = agenda.open_new()
    assert dialog is not None
    set_text(dialog, "title", "Meeting the makers")
    host = combo(dialog, "host_organisation_id")
    host.set_current_id(None)
    assert not dialog.new_buttons["host_contact_ids"].isEnabled()  # no host, no contact
    dialog.new_buttons["host_organisation_id"].click()
    nested = dialog.nested[-1]
    set_text(nested, "name", "Hangar")
    nested.ok_button().click()
    assert host.currentText() == "Hangar"
    org_id = host.current_id()
    assert org_id is not None
    assert dialog.new_buttons["host_contact_ids"].isEnabled()

    dialog.new_buttons["host_contact_ids"].click()
    person_dialog = dialog.nested[-1]
    assert combo(person_dialog, "organisation_id").current_id() == org_id
    set_text(person_dialog, "given_name", "Núria")
    set_text(person_dialog, "family_name", "Serra")
    person_dialog.ok_button().click()
    with demo_db.session() as session:
        person_id = session.query(Person).filter_by(family_name="Serra").one().id
    contacts = dialog.form.editors["host_contact_ids"]
    assert isinstance(contacts, CheckList)
    assert contacts.checked_ids() == [person_id]
    assert dialog.form.read()[0]["title"] == "Meeting the makers"
    dialog.ok_button().click()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        item = session.query(AgendaItem).filter_by(title="Meeting the makers").one()
        assert item.host_organisation_id == org_id
        assert [p.id for p in item.host_contacts] == [person_id]


def test_new_organisation_from_the_person_and_venue_dialogs(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    for page, name in (("people", "organisation_id"), ("venues", "organisation_id")):
        dialog = new_record(main_window, page)
        dialog.new_buttons[name].click()
        nested = dialog.nested[-1]
        assert nested.windowTitle() == "New organisation"
        set_text(nested, "name", f"Made for {page}")
        nested.ok_button().click()
        assert combo(dialog, name).currentText() == f"Made for {page}"
        dialog.form.mark_clean()
        dialog.reject()


def test_new_organisation_and_lead_officer_from_the_delegation_dialog(
    qtbot: QtBot, main_window: MainWindow, demo_db: Database
) -> None:
    dialog = new_record(main_window, "delegations")
    assert set(dialog.new_buttons) == {"sending_organisation_id", "lead_officer_id"}
    dialog.new_buttons["lead_officer_id"].click()
    nested = dialog.nested[-1]
    assert nested.windowTitle() == "New person"
    set_text(nested, "given_name", "Iker")
    set_text(nested, "family_name", "Zubiri")
    nested.ok_button().click()
    lead = combo(dialog, "lead_officer_id")
    assert lead.currentText() == "Zubiri, Iker"
    with demo_db.session() as session:
        assert session.query(Person).filter_by(family_name="Zubiri").one().id == lead.current_id()
        assert session.query(Delegation).count() == 1  # the delegation is not saved yet
    dialog.form.mark_clean()
    dialog.reject()


def test_closing_the_window_closes_a_nested_dialog_too(
    qtbot: QtBot, main_window: MainWindow, answers: Answers
) -> None:
    dialog = new_record(main_window, "people")
    dialog.new_buttons["organisation_id"].click()
    nested = dialog.nested[-1]
    set_text(nested, "name", "Half typed")
    assert dialog.is_dirty()  # the nested dialog's typing counts
    assert main_window.unsaved() == ["New person"]
    nested.ask_discard = dialog.ask_discard = Asked("cancel")
    assert main_window.close() is True
    assert not nested.isVisible() and not dialog.isVisible()


# 6. the new attendee and long names --------------------------------------------------
def test_new_person_in_the_delegation_has_needs_and_consents(
    qtbot: QtBot, main_window: MainWindow, demo_db: Database
) -> None:
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    main_window.show_page("attendees")
    page = main_window.workspace.attendees
    page.open_new_person()
    dialog = page.dialogs[-1]
    for name in ("dietary_needs", "accessibility_needs", "consent_data", "consent_photos"):
        assert name in dialog.form.editors
    role, status = dialog.form.editors["role"], dialog.form.editors["status"]
    assert isinstance(role, EnumCombo) and isinstance(status, EnumCombo)
    assert role.value() is Role.DELEGATE
    assert status.value() is ParticipationStatus.INVITED
    assert not dialog.form.is_dirty()
    assert "organisation_id" in dialog.new_buttons
    set_text(dialog, "given_name", "Aino")
    set_text(dialog, "family_name", "Virtanen")
    set_text(dialog, "dietary_needs", "vegan")
    consent = dialog.form.editors["consent_photos"]
    assert isinstance(consent, QCheckBox)
    consent.setChecked(True)
    dialog.ok_button().click()
    assert not dialog.isVisible()
    with demo_db.session() as session:
        person = session.query(Person).filter_by(family_name="Virtanen").one()
        assert person.dietary_needs == "vegan" and person.consent_photos
        (attendance,) = person.participations
        assert attendance.role is Role.DELEGATE
        assert attendance.status is ParticipationStatus.INVITED


def test_add_an_existing_person_starts_as_an_invited_delegate(main_window: MainWindow) -> None:
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    page = main_window.workspace.attendees
    page.open_add_existing()
    dialog = page.dialogs[-1]
    values = dialog.form.read()[0]
    assert values["role"] is Role.DELEGATE
    assert values["status"] is ParticipationStatus.INVITED


LONG = "Institut Municipal de Cultura i Patrimoni Audiovisual de la Ciutat de Barcelona"


def test_a_long_name_shows_from_its_start(qtbot: QtBot) -> None:
    picker = ChoiceCombo()
    qtbot.addWidget(picker)
    picker.resize(160, picker.sizeHint().height())
    picker.set_choices([Choice(1, "Short"), Choice(2, LONG)])
    picker.show()
    line = picker.lineEdit()
    assert line is not None
    picker.set_current_id(2)
    assert picker.currentText() == LONG
    assert line.cursorPosition() == 0
    picker.setCurrentIndex(1)
    picker.setCurrentIndex(2)  # as a selection from the list does
    assert line.cursorPosition() == 0
    # While typing the text scrolls with the cursor; leaving shows the start again.
    line.end(False)
    assert line.cursorPosition() == len(LONG)
    QApplication.sendEvent(picker, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))
    assert line.cursorPosition() == 0
