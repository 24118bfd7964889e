"""Field-ready documents in the window: the new fields are edited and saved, the
exports page passes its new options, and badges below the minimum size are asked
about before anything is written. Also the attendee spreadsheet's new columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from delegations.exports.options import ExportOptions
from delegations.model import AgendaItem, Delegation, ItemKind, Organisation, Participation
from delegations.services import queries
from delegations.services.history import perform
from delegations.services.spreadsheets import people_export
from delegations.services.spreadsheets.columns import NAMES, header_key
from delegations.services.spreadsheets.mapping import guess
from delegations.services.spreadsheets.people_import import import_people
from delegations.services.spreadsheets.preview import Options
from delegations.services.spreadsheets.reading import read_table
from delegations.services.spreadsheets.table import Row, Table
from delegations.store import Database
from delegations.ui.agenda_page import AgendaPage
from delegations.ui.agenda_view import blocks_for
from delegations.ui.export_page import ExportPage
from delegations.ui.forms import ChoiceCombo, EnumCombo, RecordDialog
from delegations.ui.main_window import MainWindow


@pytest.fixture
def exports(main_window: MainWindow) -> ExportPage:
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    main_window.show_exports()
    return main_window.workspace.exports


def loaded(db: Database) -> Delegation:
    with db.session() as session:
        return queries.load_delegation(session, queries.list_delegations(session)[0].id)


def item_named(db: Database, title: str) -> AgendaItem:
    return next(i for i in loaded(db).items if i.title == title)


def text(dialog: RecordDialog, name: str, value: str) -> None:
    editor = dialog.form.editors[name]
    assert isinstance(editor, QLineEdit)
    editor.setText(value)


def choose_kind(dialog: RecordDialog, kind: ItemKind) -> None:
    combo = dialog.form.editors["kind"]
    assert isinstance(combo, EnumCombo)
    combo.set_value(kind)


def food(dialog: RecordDialog) -> QCheckBox:
    box = dialog.form.editors["serves_food"]
    assert isinstance(box, QCheckBox)
    return box


def label(dialog: RecordDialog, name: str) -> str:
    found = dialog.form.label(name)
    assert found is not None
    return found.text()


def shown(dialog: RecordDialog, name: str) -> bool:
    return dialog.form.editors[name].isVisibleTo(dialog)


TRANSFER_ONLY = ("dropoff_venue_id", "transport_company", "vehicle", "driver_phone")


# ------------------------------------------------------------------ agenda items


def test_a_transfers_drop_off_company_and_driver_are_edited_and_saved(
    agenda: AgendaPage, demo_db: Database
) -> None:
    transfer = item_named(demo_db, "Coach transfer: hotel to airport")
    dialog = agenda.open_edit(transfer.id)
    assert dialog is not None
    assert label(dialog, "venue_id") == "Pick-up:"
    assert dialog.form.editors["venue_id"].accessibleName() == "Pick-up"
    assert all(shown(dialog, name) for name in TRANSFER_ONLY)
    assert label(dialog, "driver_phone") == "Driver's phone:"
    assert "dropoff_venue_id" in dialog.new_buttons  # a missing place can be made on the spot
    dropoff = dialog.form.editors["dropoff_venue_id"]
    assert isinstance(dropoff, ChoiceCombo)
    assert dropoff.current_id() == transfer.dropoff_venue_id
    other = next(v.id for v in (i.venue for i in loaded(demo_db).items) if v is not None)
    assert other != transfer.dropoff_venue_id
    dropoff.set_current_id(other)
    text(dialog, "transport_company", "Sagalés")
    text(dialog, "vehicle", "30-seat minibus")
    text(dialog, "driver_phone", "+34 600 11 22 33")
    dialog.accept()
    assert not dialog.isVisible()

    saved = item_named(demo_db, "Coach transfer: hotel to airport")
    assert saved.dropoff_venue_id == other
    assert (saved.transport_company, saved.vehicle, saved.driver_phone) == (
        "Sagalés",
        "30-seat minibus",
        "+34 600 11 22 33",
    )
    assert saved.venue_id == transfer.venue_id  # the pick-up stays
    # The agenda shows where it goes from and to.
    block = next(b for b in blocks_for(loaded(demo_db)) if b.id == transfer.id)
    assert saved.venue is not None and saved.dropoff_venue is not None
    assert block.venue == f"{saved.venue.name} → {saved.dropoff_venue.name}"
    assert block.venue in block.tooltip()


def test_transfer_fields_show_for_transfers_only_and_are_not_kept_for_other_kinds(
    agenda: AgendaPage, demo_db: Database
) -> None:
    dialog = agenda.item_dialog()
    dialog.show()
    assert label(dialog, "venue_id") == "Venue:"
    assert not any(shown(dialog, name) for name in TRANSFER_ONLY)
    choose_kind(dialog, ItemKind.TRANSFER)
    assert label(dialog, "venue_id") == "Pick-up:"
    assert all(shown(dialog, name) for name in TRANSFER_ONLY)
    text(dialog, "title", "Walk to the museum")
    text(dialog, "transport_company", "Autocars Montseny")
    choose_kind(dialog, ItemKind.VISIT)  # changed their mind: not a transfer after all
    assert label(dialog, "venue_id") == "Venue:"
    assert not shown(dialog, "transport_company")
    dialog.accept()
    assert not dialog.isVisible()
    saved = item_named(demo_db, "Walk to the museum")
    assert (saved.kind, saved.transport_company, saved.dropoff_venue_id) == (
        ItemKind.VISIT,
        "",
        None,
    )


def test_tab_goes_from_the_pick_up_through_the_transfer_fields(agenda: AgendaPage) -> None:
    dialog = agenda.item_dialog()
    choose_kind(dialog, ItemKind.TRANSFER)
    owners = {editor: name for name, editor in dialog.form.editors.items()}
    for name, editor in dialog.form.editors.items():
        for child in editor.findChildren(QWidget):
            owners.setdefault(child, name)
    order: list[str] = []
    widget: QWidget | None = dialog.new_buttons["venue_id"]
    while widget is not None and len(order) < 4:
        widget = widget.nextInFocusChain()
        if widget is None or not widget.isVisibleTo(dialog):
            continue
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        owner = owners.get(widget)
        if owner is not None and owner not in order:
            order.append(owner)
    assert order == list(TRANSFER_ONLY)


def test_serves_food_follows_the_kind_until_people_choose(agenda: AgendaPage) -> None:
    dialog = agenda.item_dialog()
    dialog.show()
    box = food(dialog)
    assert not box.isChecked()
    choose_kind(dialog, ItemKind.MEAL)
    assert box.isChecked()
    choose_kind(dialog, ItemKind.VISIT)
    assert not box.isChecked()
    # A networking item serves food when its title says so.
    choose_kind(dialog, ItemKind.NETWORKING)
    assert not box.isChecked()
    text(dialog, "title", "Networking dinner")
    assert box.isChecked()
    # Once people tick or untick it, the kind no longer changes it.
    box.click()
    assert not box.isChecked()
    choose_kind(dialog, ItemKind.MEAL)
    assert not box.isChecked()


def test_an_items_own_food_answer_stays_until_its_kind_changes(
    agenda: AgendaPage, demo_db: Database
) -> None:
    dinner = next(i for i in loaded(demo_db).items if i.serves_food and i.kind != ItemKind.MEAL)
    dialog = agenda.open_edit(dinner.id)
    assert dialog is not None
    box = food(dialog)
    assert box.isChecked()
    assert not dialog.form.is_dirty()
    text(dialog, "title", "Networking drinks, no food")  # the title alone changes nothing
    assert box.isChecked()
    choose_kind(dialog, ItemKind.VISIT)
    assert not box.isChecked()
    choose_kind(dialog, dinner.kind)
    assert box.isChecked()  # its own answer is back
    box.click()
    dialog.accept()
    assert not item_named(demo_db, "Networking drinks, no food").serves_food


def test_an_items_dress_code_and_wifi_are_saved(agenda: AgendaPage, demo_db: Database) -> None:
    item = next(i for i in loaded(demo_db).items if i.kind == ItemKind.VISIT)
    dialog = agenda.open_edit(item.id)
    assert dialog is not None
    dress = dialog.form.editors["dress_code"]
    assert isinstance(dress, QLineEdit)
    assert "Business casual" in dress.placeholderText()  # the delegation's, when empty
    text(dialog, "dress_code", "Closed shoes (factory floor)")
    text(dialog, "wifi", "Guest / visit2027")
    dialog.accept()
    saved = item_named(demo_db, item.title)
    assert (saved.dress_code, saved.wifi) == ("Closed shoes (factory floor)", "Guest / visit2027")


# ------------------------------------------------------------------ organisation, delegation


def test_an_organisations_short_name_is_saved(main_window: MainWindow, demo_db: Database) -> None:
    with demo_db.session() as session:
        org = session.scalars(select(Organisation).order_by(Organisation.id)).first()
        assert org is not None
        org_id = org.id
    page = main_window.pages["organisation"]
    page.activate()
    dialog = page.edit_dialog(org_id)
    assert label(dialog, "short_name") == "Short name (badges):"
    order = [spec.name for spec in dialog.form.fields]
    assert order.index("short_name") == order.index("acronym") + 1
    text(dialog, "short_name", "BCN Activa")
    dialog.accept()
    with demo_db.session() as session:
        saved = session.get(Organisation, org_id)
        assert saved is not None and saved.short_name == "BCN Activa"


def test_the_delegations_dress_code_is_saved_from_the_overview(
    main_window: MainWindow, demo_db: Database
) -> None:
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    overview = main_window.workspace.overview
    editor = overview.form.editors["dress_code"]
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "Business casual"
    editor.setText("Smart casual; suits for the reception")
    assert overview.save()
    assert loaded(demo_db).dress_code == "Smart casual; suits for the reception"


def test_the_hotel_section_holds_the_new_attendee_fields(main_window: MainWindow) -> None:
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    attendees = main_window.workspace.attendees
    dialog = attendees.edit_dialog(attendees.model.id_at(0))
    names = [spec.name for spec in dialog.form.fields]
    hotel = names.index("hotel")
    assert names[hotel : hotel + 9] == [
        "hotel",
        "hotel_address",
        "hotel_phone",
        "check_in",
        "check_out",
        "booking_reference",
        "room_type",
        "room_sharing",
        "room_notes",
    ]
    phone = dialog.form.editors["hotel_phone"]
    assert isinstance(phone, QLineEdit) and phone.placeholderText()


# ------------------------------------------------------------------ exports page


def test_the_exports_page_offers_the_new_options_where_they_apply(
    exports: ExportPage, tmp_path: Path
) -> None:
    def visible(key: str) -> bool:
        return exports.form.isRowVisible(exports.rows[key])

    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG stand-in")
    exports.select_kind("badges")
    assert visible("unconfirmed") and visible("logo") and not visible("email")
    exports.unconfirmed.setChecked(True)
    exports.email.setChecked(True)
    exports.logo.setText(str(logo))
    options = exports.options()
    assert (options.include_unconfirmed, options.email_column, options.logo) == (True, False, logo)
    assert options.zone is None

    exports.select_kind("attendance")
    assert visible("email") and visible("logo") and visible("unconfirmed")
    assert exports.options().email_column and exports.options().logo == logo

    exports.select_kind("rooming")
    assert visible("unconfirmed") and not visible("logo")
    assert exports.options().include_unconfirmed and exports.options().logo is None

    exports.select_kind("dietary")
    assert not visible("unconfirmed")
    assert not exports.options().include_unconfirmed

    exports.select_kind("attendance")
    exports.email.setChecked(False)
    assert not exports.options().email_column  # off unless asked for


def test_the_logo_is_chosen_with_a_file_picker(exports: ExportPage, tmp_path: Path) -> None:
    asked: list[tuple[str, str]] = []

    def choose(start: str, filters: str) -> str:
        asked.append((start, filters))
        return str(tmp_path / "logo.png")

    exports.choose_logo = choose
    exports.select_kind("badges")
    exports.logo_button.click()
    assert exports.logo.text() == str(tmp_path / "logo.png")
    assert "*.png" in asked[0][1]


def test_the_chosen_options_reach_the_export(
    qtbot: QtBot, exports: ExportPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[ExportOptions] = []

    def quick_export(kind: str, delegation: Any, out: Path, options: ExportOptions) -> Path:
        received.append(options)
        out.write_bytes(b"%PDF-1.4 stand-in")
        return out

    monkeypatch.setattr("delegations.exports.run_export", quick_export)
    exports.select_kind("attendance")
    exports.email.setChecked(True)
    exports.unconfirmed.setChecked(True)
    exports.file.setText(str(tmp_path / "sheets.pdf"))
    with qtbot.waitSignal(exports.finished, timeout=20000):
        exports.export_button.click()
    assert received[-1].email_column and received[-1].include_unconfirmed
    assert received[-1].zone is None


def test_a_missing_logo_is_said_before_exporting(exports: ExportPage, tmp_path: Path) -> None:
    exports.select_kind("attendance")
    exports.logo.setText(str(tmp_path / "nowhere.png"))
    exports.file.setText(str(tmp_path / "sheets.pdf"))
    exports.export_button.click()
    assert exports.task is None
    assert "nowhere.png is not a file" in exports.status.text()
    assert not (tmp_path / "sheets.pdf").exists()


# ------------------------------------------------------------------ badge warnings


@pytest.fixture
def warned(monkeypatch: pytest.MonkeyPatch) -> list[ExportOptions]:
    """Badges that warn about two people; records the options each check received."""
    from delegations.exports import badges

    checked: list[ExportOptions] = []

    def badge_warnings(delegation: Delegation, options: ExportOptions) -> list[str]:
        checked.append(options)
        return [
            "Maximilian Alexander von Hohenzollern-Sigmaringen: name at 9.5 pt (minimum 12 pt)",
            "Fundació Privada per a la Innovació: organisation at 5.8 pt (minimum 7 pt)",
        ]

    monkeypatch.setattr(badges, "badge_warnings", badge_warnings)
    return checked


def test_badges_below_the_minimum_size_are_asked_about_and_cancel_writes_nothing(
    qtbot: QtBot,
    exports: ExportPage,
    warned: list[ExportOptions],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written: list[Path] = []

    def quick_export(kind: str, delegation: Any, out: Path, options: ExportOptions) -> Path:
        written.append(out)
        out.write_bytes(b"%PDF-1.4 stand-in")
        return out

    monkeypatch.setattr("delegations.exports.run_export", quick_export)
    target = tmp_path / "badges.pdf"
    exports.select_kind("badges")
    exports.unconfirmed.setChecked(True)
    exports.file.setText(str(target))
    exports.export_button.click()
    qtbot.waitUntil(lambda: exports.badge_box is not None, timeout=20000)
    box = exports.badge_box
    assert box is not None
    assert box.text().startswith("These badges will print below the minimum size:")
    assert "Hohenzollern" in box.text() and "5.8 pt" in box.text()
    assert warned[-1].include_unconfirmed  # the check sees the badges that would print
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert box.defaultButton() is cancel  # Enter does not print
    assert [b.text() for b in box.buttons() if b is not cancel] == ["Print anyway"]
    cancel.click()
    assert exports.badge_box is None
    assert written == [] and not target.exists()
    assert "Not exported" in exports.status.text()
    assert exports.export_button.isEnabled()

    # Print anyway writes them, without checking again.
    exports.export_button.click()
    qtbot.waitUntil(lambda: exports.badge_box is not None, timeout=20000)
    box = exports.badge_box
    assert box is not None
    checks = len(warned)
    with qtbot.waitSignal(exports.finished, timeout=20000):
        next(b for b in box.buttons() if b.text() == "Print anyway").click()
    assert written == [target] and target.exists()
    assert len(warned) == checks


def test_the_calibration_page_is_printed_without_badge_warnings(
    qtbot: QtBot,
    exports: ExportPage,
    warned: list[ExportOptions],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def quick_export(kind: str, delegation: Any, out: Path, options: ExportOptions) -> Path:
        out.write_bytes(b"%PDF-1.4 stand-in")
        return out

    monkeypatch.setattr("delegations.exports.run_export", quick_export)
    exports.select_kind("badges")
    exports.calibration.setChecked(True)
    exports.file.setText(str(tmp_path / "calibration.pdf"))
    with qtbot.waitSignal(exports.finished, timeout=20000):
        exports.export_button.click()
    assert warned == [] and exports.badge_box is None


def test_a_badge_name_too_long_for_the_layout_is_asked_about(
    qtbot: QtBot, main_window: MainWindow, tmp_path: Path
) -> None:
    from delegations.services import operations as ops

    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    attendees = main_window.workspace.attendees
    first = attendees.model.id_at(0)
    long_name = "Maximilian-Alexander Friedrich Wilhelm von Hohenzollern-Sigmaringen-Württemberg"
    main_window.runner.run(ops.update_attendees([first], {"badge_name": long_name}))
    name = attendees.participation(first).person.full_name  # type: ignore[union-attr]
    main_window.show_exports()
    exports = main_window.workspace.exports
    exports.select_kind("badges")
    target = tmp_path / "badges.pdf"
    exports.file.setText(str(target))
    exports.export_button.click()
    qtbot.waitUntil(lambda: exports.badge_box is not None, timeout=20000)
    box = exports.badge_box
    assert box is not None and name in box.text()
    box.reject()  # Escape
    assert not target.exists()


# ------------------------------------------------------------------ attendee spreadsheets


def test_hotel_and_room_columns_round_trip_through_a_spreadsheet(
    demo_db: Database, tmp_path: Path
) -> None:
    delegation = loaded(demo_db)
    target = tmp_path / "attendees.xlsx"
    with demo_db.session() as session:
        people_export.export_people(session, target, delegation.id)
    exported = read_table(target)
    header = list(exported.header)
    for column in ("Hotel phone", "Booking reference", "Room type", "Room shared with"):
        assert column in header
    mapping = guess(exported.header)
    rows = [list(r.cells) + [None] * (len(header) - len(r.cells)) for r in exported.rows]
    rows[0][header.index("Hotel phone")] = "+34 930 00 00 01"
    rows[0][header.index("Booking reference")] = "ABC-123"
    rows[0][header.index("Room type")] = "Double for single use"
    rows[0][header.index("Room shared with")] = "Marta"
    edited = Table(
        exported.source,
        exported.sheet,
        exported.header,
        [Row(r.number, tuple(cells)) for r, cells in zip(exported.rows, rows, strict=True)],
    )
    result = perform(
        demo_db, import_people(edited, mapping, Options(delegation_id=delegation.id))
    ).result
    assert result.updated == 1
    with demo_db.session() as session:
        first = session.scalars(
            select(Participation).where(Participation.delegation_id == delegation.id)
        ).all()
        changed = [p for p in first if p.booking_reference == "ABC-123"]
        assert len(changed) == 1
        p = changed[0]
        assert (p.hotel_phone, p.room_type, p.room_sharing) == (
            "+34 930 00 00 01",
            "Double for single use",
            "Marta",
        )


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Téléphone de l'hôtel", "attendee.hotel_phone"),
        ("Teléfono del hotel", "attendee.hotel_phone"),
        ("N° de réservation", "attendee.booking_reference"),
        ("Localizador", "attendee.booking_reference"),
        ("Type de chambre", "attendee.room_type"),
        ("Tipo de habitación", "attendee.room_type"),
        ("Chambre partagée avec", "attendee.room_sharing"),
        ("Comparte habitación con", "attendee.room_sharing"),
        ("Roommate", "attendee.room_sharing"),
        ("Room", "attendee.room_notes"),
    ],
)
def test_the_new_columns_are_recognised_in_three_languages(header: str, key: str) -> None:
    assert NAMES[header_key(header)] == key
