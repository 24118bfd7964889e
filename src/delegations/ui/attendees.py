"""The attendees of a delegation: add, create on the spot, edit, change several, remove."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from delegations.model import (
    Delegation,
    Participation,
    ParticipationStatus,
    Role,
    TravelDirection,
    TravelLeg,
    TravelMode,
    fold,
)
from delegations.model import count_of as plural
from delegations.services import ValidationError, listings, participations
from delegations.services import operations as ops
from delegations.ui import actions
from delegations.ui.forms import Field, RecordDialog
from delegations.ui.records import listing, person_fields, with_new_buttons
from delegations.ui.runner import Runner
from delegations.ui.table_models import Cell, Column, Row, RowTableModel
from delegations.ui.tables import RecordTable

COLUMNS = (
    Column("Name", stretch=True),
    Column("Organisation", stretch=True),
    Column("Role"),
    Column("Status"),
    Column("Arrival"),
    Column("Departure"),
    Column("Hotel", stretch=True),
)
DIRECTIONS = (TravelDirection.ARRIVAL, TravelDirection.DEPARTURE)


def _journey(leg: TravelLeg | None, arriving: bool) -> Cell:
    if leg is None:
        return Cell("", None)
    moment = leg.arrives_at if arriving else leg.departs_at
    zone = leg.destination_timezone if arriving else leg.origin_timezone
    local = moment.astimezone(ZoneInfo(zone))
    service = leg.number or leg.carrier
    mode = "" if service else f" · {leg.mode.label.lower()}"
    shown = f"{local:%a %H:%M}" + (f" · {service}" if service else mode)
    return Cell(shown, moment)


def name_order(participation: Participation) -> tuple[str, str]:
    """How an attendee sorts: family then given name, ignoring case and accents."""
    person = participation.person
    return fold(person.family_name), fold(person.given_name)


def attendee_rows(delegation: Delegation) -> list[tuple[Any, ...]]:
    """One row per participation: name, organisation, role, status, journeys, hotel.

    By family then given name, ignoring case and accents (the Name column sorts
    the same way).
    """
    rows = []
    ordered = sorted(delegation.participations, key=lambda p: (name_order(p), p.id))
    for p in ordered:
        person = p.person
        org = person.organisation.display_name if person.organisation else ""
        rows.append(
            (
                p.id,
                Cell(person.full_name, name_order(p)),
                org,
                p.role,
                p.status,
                _journey(p.arrival, True),
                _journey(p.departure, False),
                p.hotel,
            )
        )
    return rows


def _by_name(row: Row) -> Any:
    """The attendees table's own order (until a column is sorted): its Name keys."""
    name = row.values[0]
    return (name.key if isinstance(name, Cell) else name, row.id)


def status_counts(delegation: Delegation) -> str:
    """The counts as screens say them: "5 confirmed, 2 invited, 11 attendees listed".

    Only confirmed people are counted as coming: the invited have not answered
    yet, and the declined and cancelled are only listed. (Documents still include
    the invited: see ``ParticipationStatus.attending``.)
    """
    statuses = [p.status for p in delegation.participations]
    confirmed = statuses.count(ParticipationStatus.CONFIRMED)
    invited = statuses.count(ParticipationStatus.INVITED)
    return f"{confirmed} confirmed, {invited} invited, {plural(len(statuses), 'attendee')} listed"


def _same(day: date) -> date:
    return day


def hotel_dates(fields: list[Field], delegation: Delegation) -> list[Field]:
    """``fields`` with the hotel dates opening on the visit's days, check-out following check-in."""
    near = {"check_in": delegation.start_date, "check_out": delegation.end_date}
    out = []
    for spec in fields:
        if spec.name in near:
            day = near[spec.name]
            follows = "check_in" if spec.name == "check_out" else None
            spec = replace(spec, near=partial(_same, day), follows=follows)
        out.append(spec)
    return out


def travel_fields(direction: TravelDirection) -> list[Field]:
    d = direction.value
    return [
        Field(f"{d}.section", f"{direction.label} journey", "section"),
        Field(f"{d}.known", "Journey booked", "bool"),
        Field(f"{d}.mode", "Travel by", "enum", enum=TravelMode),
        Field(f"{d}.carrier", "Carrier", placeholder="e.g. Vueling, SNCF"),
        Field(f"{d}.number", "Flight or train number"),
        Field(f"{d}.origin", "From", placeholder="station or airport"),
        Field(f"{d}.origin_timezone", "Time zone there", "timezone"),
        Field(f"{d}.departs_at", "Departs", "datetime", zone=f"{d}.origin_timezone"),
        Field(f"{d}.destination", "To", placeholder="station or airport"),
        Field(f"{d}.destination_timezone", "Time zone there", "timezone"),
        Field(f"{d}.arrives_at", "Arrives", "datetime", zone=f"{d}.destination_timezone"),
        Field(f"{d}.notes", "Journey notes"),
    ]


ATTENDEE_FIELDS = [
    Field("role", "Role", "enum", enum=Role),
    Field("status", "Status", "enum", enum=ParticipationStatus),
    Field("badge_name", "Name on badge", placeholder="leave empty to print the full name"),
    Field("hotel_section", "Hotel", "section"),
    Field("hotel", "Hotel"),
    Field("hotel_address", "Hotel address"),
    Field("hotel_phone", "Hotel phone", placeholder="the reception, e.g. +34 932 21 10 00"),
    Field("check_in", "Check-in", "optional_date"),
    Field("check_out", "Check-out", "optional_date"),
    Field("booking_reference", "Booking reference", placeholder="the hotel's confirmation number"),
    Field("room_type", "Room type", placeholder="e.g. Single, Twin, Double for single use"),
    Field("room_sharing", "Sharing with", placeholder="who shares the room (empty: nobody)"),
    Field("room_notes", "Room notes", placeholder="e.g. ground floor, quiet room"),
    Field("notes", "Notes", "multiline"),
]


class AttendeesPage(QWidget):
    """The attendees table of one delegation, with its actions.

    Args:
        runner: runs the edits.
        confirm: asks a yes/no question (title, text) → yes?
        parent: the Qt parent.

    Signals:
        import_requested(object): import people from a spreadsheet into this delegation (id).
        export_requested(object): export this delegation's attendees (id) to a spreadsheet.
    """

    import_requested = Signal(object)
    export_requested = Signal(object)

    def __init__(
        self,
        runner: Runner,
        confirm: Callable[[str, str], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.confirm = confirm
        self.delegation: Delegation | None = None
        self.dialogs: list[RecordDialog] = []
        self.model = RowTableModel(COLUMNS, self)
        self.model.tooltip = self._tooltip
        self.table = RecordTable(self.model)
        self.table.setAccessibleName("Attendees table")
        self.table.activated.connect(lambda _i: self.open_edit())
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(f"Filter attendees ({actions.keys('focus_filter')})")
        self.filter.setAccessibleName("Filter attendees")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.count = QLabel()
        buttons = []
        for text, name, slot in (
            ("Add person…", "Add an existing person", self.open_add_existing),
            ("New person…", "Create a person and add them", self.open_new_person),
            ("Edit…", "Edit the selected attendee", self.open_edit),
            ("Change selected…", "Change several attendees at once", self.open_change_selected),
            ("Remove…", "Remove the selected attendees", self.remove_selected),
        ):
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.clicked.connect(slot)
            buttons.append(button)
        (
            self.add_button,
            self.new_button,
            self.edit_button,
            self.change_button,
            self.remove_button,
        ) = buttons
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        for button in buttons:
            bar.addWidget(button)
        self.import_button = QPushButton("Import people…")
        self.import_button.setAccessibleName(
            "Import people from a spreadsheet into this delegation"
        )
        self.import_button.setToolTip(self.import_button.accessibleName())
        self.import_button.clicked.connect(lambda: self._request(self.import_requested))
        self.export_button = QPushButton("Export attendees…")
        self.export_button.setAccessibleName("Export the attendees to a spreadsheet")
        self.export_button.setToolTip(self.export_button.accessibleName())
        self.export_button.clicked.connect(lambda: self._request(self.export_requested))
        below = QHBoxLayout()
        below.addWidget(self.count, 1)
        below.addWidget(self.import_button)
        below.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(below)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._sized = False
        self._update_buttons()

    # data ---------------------------------------------------------------------
    def set_delegation(self, delegation: Delegation) -> None:
        self.delegation = delegation
        keep = self.table.selected_ids()
        # By name unless the user sorted by a column (the model keeps that sort).
        self.model.natural = _by_name
        self.model.set_records(attendee_rows(delegation))
        if not self._sized and self.model.rowCount():
            self.table.size_columns()
            self._sized = True
        self.table.select_ids(keep)
        self.count.setText(status_counts(delegation))
        self._update_buttons()

    def _tooltip(self, row: Row, column: int) -> str | None:
        p = self.participation(row.id)
        if p is None or column not in (4, 5):
            return None
        leg = p.arrival if column == 4 else p.departure
        if leg is None:
            return None
        depart = leg.departs_at.astimezone(ZoneInfo(leg.origin_timezone))
        arrive = leg.arrives_at.astimezone(ZoneInfo(leg.destination_timezone))
        return (
            f"{leg.mode.label} {leg.service}\n"
            f"{leg.origin}: {depart:%a} {depart.day} {depart:%b %H:%M}\n"
            f"{leg.destination}: {arrive:%a} {arrive.day} {arrive:%b %H:%M}"
        )

    def _request(self, signal: Any) -> None:
        if self.delegation is not None:
            signal.emit(self.delegation.id)

    def participation(self, pid: int) -> Participation | None:
        if self.delegation is None:
            return None
        return next((p for p in self.delegation.participations if p.id == pid), None)

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _filter(self, text: str) -> None:
        self.model.set_filter(text)

    def _update_buttons(self, *_args: object) -> None:
        count = len(self.table.selected_ids())
        self.edit_button.setEnabled(count == 1)
        self.change_button.setEnabled(count >= 1)
        self.remove_button.setEnabled(count >= 1)

    def _show(self, dialog: RecordDialog) -> RecordDialog:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self.dialogs.remove(dialog))
        dialog.open()
        return dialog

    # add ---------------------------------------------------------------------
    def add_existing_dialog(self) -> RecordDialog:
        """A dialog adding an existing person (not shown yet)."""
        assert self.delegation is not None
        delegation = self.delegation
        present = {p.person_id for p in delegation.participations}
        with self.runner.db.session() as session:
            choices = [c for c in listings.person_choices(session) if c.id not in present]
        fields = [
            Field(
                "person_id",
                "Person",
                "choice",
                choices=lambda: choices,
                none_label="(type to search)",
            ),
            Field("role", "Role", "enum", enum=Role),
            Field("status", "Status", "enum", enum=ParticipationStatus),
        ]

        def save(values: dict[str, Any]) -> Any:
            person_id = values.pop("person_id")
            if person_id is None:
                raise ValidationError({"person_id": "choose the person to add"})
            outcome = self.runner.run(
                ops.add_attendee(delegation.id, values, person_id=person_id), self, in_form=True
            )
            assert outcome is not None
            return outcome.result

        start = {"role": Role.DELEGATE, "status": ParticipationStatus.INVITED}
        return RecordDialog(f"Add a person to “{delegation.title}”", fields, save, start, self)

    def new_person_dialog(self) -> RecordDialog:
        """A dialog creating a person and adding them at once (not shown yet)."""
        assert self.delegation is not None
        delegation = self.delegation
        # Everything about the person but their notes (the attendee has their own).
        person = [f for f in person_fields(self.runner.db) if f.name != "notes"]
        fields = [
            *with_new_buttons(person, self.runner),
            Field("attendance_section", "In this delegation", "section"),
            Field("role", "Role", "enum", enum=Role),
            Field("status", "Status", "enum", enum=ParticipationStatus),
        ]

        def save(values: dict[str, Any]) -> Any:
            attendance = {"role": values.pop("role"), "status": values.pop("status")}
            operation = ops.add_attendee(delegation.id, attendance, new_person=values)
            outcome = self.runner.run(operation, self, in_form=True)
            assert outcome is not None
            return outcome.result

        start = {"role": Role.DELEGATE, "status": ParticipationStatus.INVITED}
        return RecordDialog("New person in the delegation", fields, save, start, self)

    def open_add_existing(self) -> None:
        if self.delegation is not None:
            self._show(self.add_existing_dialog())

    def open_new_person(self) -> None:
        if self.delegation is not None:
            self._show(self.new_person_dialog())

    # edit ---------------------------------------------------------------------
    def edit_dialog(self, pid: int) -> RecordDialog:
        """A dialog editing one attendee with their journeys (not shown yet)."""
        assert self.delegation is not None
        delegation = self.delegation
        p = self.participation(pid)
        assert p is not None
        fields = hotel_dates(ATTENDEE_FIELDS, delegation)
        for direction in DIRECTIONS:
            fields += travel_fields(direction)
        old = {name: getattr(p, name) for name in participations.FIELDS}
        old_travel = {d: participations.leg_values(p.leg(d)) for d in DIRECTIONS}
        values: dict[str, Any] = dict(old)
        for direction in DIRECTIONS:
            leg = old_travel[direction] or participations.default_leg(delegation, direction)
            values[f"{direction.value}.known"] = old_travel[direction] is not None
            for name, value in leg.items():
                values[f"{direction.value}.{name}"] = value
        label = p.person.full_name

        def save(form_values: dict[str, Any]) -> Any:
            new = {n: form_values[n] for n in participations.FIELDS}
            travel: dict[TravelDirection, dict[str, Any] | None] = {}
            for direction in DIRECTIONS:
                d = direction.value
                travel[direction] = None
                if form_values[f"{d}.known"]:
                    travel[direction] = {
                        n: form_values[f"{d}.{n}"] for n in participations.TRAVEL_FIELDS
                    }
            self.runner.run(ops.edit_attendee(pid, new, travel), self, in_form=True)
            return pid

        dialog = RecordDialog(f"Attendee – {label}", fields, save, values, self)
        for direction in DIRECTIONS:
            _link_known(dialog, direction.value)
        return dialog

    def open_edit(self) -> None:
        pid = self.table.current_id()
        if pid is not None and self.delegation is not None:
            self._show(self.edit_dialog(pid))

    def change_selected_dialog(self, ids: list[int]) -> RecordDialog:
        """A dialog changing role, status or hotel of several attendees (not shown yet)."""
        assert self.delegation is not None
        chosen = [p for p in (self.participation(i) for i in ids) if p is not None]
        fields = [
            Field("apply_role", "Change the role", "bool"),
            Field("role", "Role", "enum", enum=Role),
            Field("apply_status", "Change the status", "bool"),
            Field("status", "Status", "enum", enum=ParticipationStatus),
            Field("apply_hotel", "Change the hotel", "bool"),
            Field("hotel", "Hotel"),
            Field("hotel_address", "Hotel address"),
            Field("hotel_phone", "Hotel phone"),
            Field("apply_dates", "Change the hotel dates", "bool"),
            Field("check_in", "Check-in", "optional_date"),
            Field("check_out", "Check-out", "optional_date"),
        ]
        fields = hotel_dates(fields, self.delegation)
        first = chosen[0] if chosen else None
        start = {
            "role": first.role if first else Role.DELEGATE,
            "status": first.status if first else ParticipationStatus.INVITED,
            "hotel": first.hotel if first else "",
            "hotel_address": first.hotel_address if first else "",
            "hotel_phone": first.hotel_phone if first else "",
            "check_in": first.check_in if first else None,
            "check_out": first.check_out if first else None,
        }
        groups = {
            "apply_role": ("role",),
            "apply_status": ("status",),
            "apply_hotel": ("hotel", "hotel_address", "hotel_phone"),
            "apply_dates": ("check_in", "check_out"),
        }

        def save(values: dict[str, Any]) -> Any:
            new: dict[str, Any] = {}
            for switch, names in groups.items():
                if values[switch]:
                    new.update({n: values[n] for n in names})
            if not new:
                raise ValidationError({"apply_role": "tick what to change"})
            ids = [p.id for p in chosen]
            self.runner.run(ops.update_attendees(ids, new), self, in_form=True)
            return ids

        dialog = RecordDialog(
            f"Change {plural(len(chosen), 'attendee')}", fields, save, start, self
        )
        for switch, names in groups.items():
            box = dialog.form.editors[switch]
            assert isinstance(box, QCheckBox)
            for name in names:
                editor = dialog.form.editors[name]
                editor.setEnabled(False)
                box.toggled.connect(editor.setEnabled)
        return dialog

    def open_change_selected(self) -> None:
        ids = self.table.selected_ids()
        if ids and self.delegation is not None:
            self._show(self.change_selected_dialog(ids))

    # remove -------------------------------------------------------------------
    def remove(self, ids: list[int]) -> bool:
        """Ask, then remove these attendees (undoable)."""
        chosen = [p for p in (self.participation(i) for i in ids) if p is not None]
        if not chosen:
            return False
        names = [p.person.full_name for p in chosen]
        what = plural(len(chosen), "attendee")
        text = (
            f"Remove {what} from the delegation?\n\n{listing(names)}\n\n"
            "Their role, travel and hotel details and their places in agenda items are "
            "removed too; the people stay in the address book. You can undo this with "
            f"{actions.hint('undo')}."
        )
        if not self.confirm(f"Remove {what}", text):
            return False
        return self.runner.run(ops.remove_attendees([p.id for p in chosen]), self) is not None

    def remove_selected(self) -> None:
        ids = self.table.selected_ids()
        if ids:
            self.remove(ids)


def _link_known(dialog: RecordDialog, prefix: str) -> None:
    """Enable a journey's fields only while "Journey booked" is ticked."""
    box = dialog.form.editors[f"{prefix}.known"]
    assert isinstance(box, QCheckBox)
    editors = [
        editor
        for name, editor in dialog.form.editors.items()
        if name.startswith(f"{prefix}.") and name != f"{prefix}.known"
    ]

    def toggle(on: bool) -> None:
        for editor in editors:
            editor.setEnabled(on)

    box.toggled.connect(toggle)
    toggle(box.isChecked())
