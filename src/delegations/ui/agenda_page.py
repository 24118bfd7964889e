"""The agenda page: the time grid, its buttons and the agenda item dialog."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from delegations.model import AgendaItem, Delegation, HostConfirmation, ItemKind, ItemStatus
from delegations.services import ValidationError, agenda, listings
from delegations.services import operations as ops
from delegations.services.checks import Report
from delegations.ui import actions
from delegations.ui.actions import agenda_hint
from delegations.ui.agenda_view import HEADER, AgendaGrid, blocks_for
from delegations.ui.forms import CheckList, ChoiceCombo, Field, RecordDialog
from delegations.ui.item_details import (
    detail_fields,
    new_item_details,
    saved_details,
    transfer_fields,
    wire_details,
)
from delegations.ui.records import new_record_dialog, with_new_buttons
from delegations.ui.runner import Runner

HINT = agenda_hint()


def local_parts(moment: datetime, zone: str) -> tuple[date, time]:
    local = moment.astimezone(ZoneInfo(zone))
    return local.date(), local.time().replace(second=0, microsecond=0)


def instant(day: date, clock: time, zone: str, fold: int = 0) -> datetime:
    """A wall-clock time in ``zone`` as an aware UTC instant.

    ``fold`` chooses between the two instants of a time that happens twice (when the
    clocks go back): 0 the first, 1 the second. A time that does not exist (when they
    go forward) comes out shifted by the change; ``gap_problem`` says so first.
    """
    local = datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).replace(fold=fold)
    return local.astimezone(UTC)


def _exists(naive: datetime, zone: ZoneInfo) -> bool:
    back = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == naive


def _twice(naive: datetime, zone: ZoneInfo) -> bool:
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    return _exists(naive, zone) and first.utcoffset() != second.utcoffset()


def _clock_change(naive: datetime, zone: ZoneInfo, inside: Callable[..., bool]) -> tuple[str, str]:
    """The wall-clock times a change of the clocks around ``naive`` starts and ends."""
    minute = timedelta(minutes=1)
    start = naive.replace(second=0, microsecond=0)
    for _ in range(24 * 60):
        if not inside(start - minute, zone):
            break
        start -= minute
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    offsets = [o for o in (first.utcoffset(), second.utcoffset()) if o is not None]
    length = abs(offsets[1] - offsets[0]) if len(offsets) == 2 else timedelta(0)
    return f"{start:%H:%M}", f"{start + length:%H:%M}"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%B}"


def gap_problem(day: date, clock: time, zone: str) -> str | None:
    """Why ``clock`` on ``day`` does not exist in ``zone`` (the clocks go forward over
    it), or None when it does: "02:30 does not exist on Sun 28 March in Europe/Madrid:
    clocks go forward from 02:00 to 03:00"."""
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, clock)
    if _exists(naive, tz):
        return None
    start, end = _clock_change(naive, tz, lambda moment, z: not _exists(moment, z))
    return (
        f"{clock:%H:%M} does not exist on {_day(day)} in {zone}: clocks go forward "
        f"from {start} to {end}"
    )


@dataclass(frozen=True)
class Twice:
    """A wall-clock time that happens twice (the clocks go back over it).

    Attributes:
        text: what happens, in words ("02:30 happens twice on Sun 31 October in
            Europe/Madrid: clocks go back from 03:00 to 02:00").
        options: how each instant reads ("the first, in summer time (CEST, UTC+02:00)").
        instants: the two instants (aware UTC), first then second.
    """

    text: str
    options: tuple[str, str]
    instants: tuple[datetime, datetime]


def twice(day: date, clock: time, zone: str) -> Twice | None:
    """The two instants of ``clock`` on ``day`` in ``zone`` when it happens twice, else None."""
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, clock)
    if not _twice(naive, tz):
        return None
    first, second = naive.replace(tzinfo=tz), naive.replace(tzinfo=tz, fold=1)
    seasons = ("summer time", "winter time") if first.dst() and not second.dst() else ("", "")
    options = []
    for ordinal, moment, season in zip(("first", "second"), (first, second), seasons, strict=True):
        offset = moment.strftime("%z")
        where = f"UTC{offset[:3]}:{offset[3:]}"
        name = moment.tzname() or ""
        if name and name[0] not in "+-":
            where = f"{name}, {where}"
        options.append(
            f"The {ordinal}, in {season} ({where})" if season else f"The {ordinal} ({where})"
        )
    back_from, back_to = _clock_change(naive, tz, _twice)
    text = (
        f"{clock:%H:%M} happens twice on {_day(day)} in {zone}: clocks go back "
        f"from {back_to} to {back_from}"
    )
    return Twice(text, (options[0], options[1]), (first.astimezone(UTC), second.astimezone(UTC)))


class AgendaPage(QWidget):
    """The agenda of one delegation on a time grid, with add / edit / duplicate / delete.

    Args:
        runner: runs the edits.
        confirm: asks a yes/no question (title, text) → yes?
        inform: shows a message (title, text).
        parent: the Qt parent.
    """

    def __init__(
        self,
        runner: Runner,
        confirm: Callable[[str, str], bool],
        inform: Callable[[str, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.confirm = confirm
        self.inform = inform
        self.delegation: Delegation | None = None
        self.dialogs: list[RecordDialog] = []
        self.choose: Callable[[str, str, Sequence[str]], int | None] = self._choose
        """Asks a question with answers (title, text, answers) → the index chosen, or
        None (cancel); a message box by default."""
        self.grid = AgendaGrid()
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.grid)
        self.scroller.setWidgetResizable(True)
        self.scroller.setAccessibleName("Agenda")
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # The day names stay at the top: repaint rather than scroll the pixels.
        self.scroller.verticalScrollBar().valueChanged.connect(lambda _v: self.grid.update())
        self.zone_label = QLabel()
        self.zone_label.setAccessibleName("Time zone of the agenda")
        self.new_button = QPushButton("New item…")
        self.new_button.setAccessibleName("New agenda item")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setAccessibleName("Edit the selected agenda item")
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setAccessibleName("Duplicate the selected agenda item")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName("Delete the selected agenda item")
        self.new_button.clicked.connect(lambda: self.open_new())
        self.edit_button.clicked.connect(self.open_edit_selected)
        self.duplicate_button.clicked.connect(self.duplicate_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #4b5563;")
        bar = QHBoxLayout()
        bar.addWidget(self.zone_label, 1)
        for button in (self.new_button, self.edit_button, self.duplicate_button):
            bar.addWidget(button)
        bar.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.grid.make_legend())
        layout.addWidget(hint)
        self.grid.selection_changed.connect(self._update_buttons)
        self.grid.selection_changed.connect(self.reveal)
        self.grid.move_requested.connect(self.move_item)
        self.grid.edit_requested.connect(self.open_edit)
        self.grid.create_requested.connect(self.open_new)
        self.grid.delete_requested.connect(self.delete_item)
        self.grid.duplicate_requested.connect(self.duplicate_item)
        self._update_buttons()

    # data -------------------------------------------------------------------------
    def set_delegation(self, delegation: Delegation) -> None:
        self.delegation = delegation
        days = [delegation.start_date + timedelta(days=n) for n in range(delegation.day_count)]
        selected = self.grid.selected
        self.grid.set_agenda(days, delegation.timezone, blocks_for(delegation))
        self.grid.fit_height(self.scroller.viewport().height())
        if selected is not None:
            self.grid.select(selected)
        self.zone_label.setText(
            f"Times in {delegation.timezone} ({delegation.destination_city or 'destination'} "
            "local time)"
        )
        self._update_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.grid.fit_height(self.scroller.viewport().height())

    def set_findings(self, report: Report | None) -> None:
        """Mark the items the plan checks found problems with (None: mark none)."""
        self.grid.set_findings(report)

    def show_item(self, item_id: int) -> bool:
        """Select item ``item_id``, scroll it into view and focus the grid; False when
        the agenda does not show it."""
        if self.grid.block(item_id) is None:
            return False
        self.grid.select(item_id)
        layout = self.layout()
        if layout is not None:
            layout.activate()  # the page may never have been shown: size it first
        self.reveal(item_id)
        self.focus_grid()
        return True

    def reveal(self, item_id: int | None) -> None:
        """Scroll so that item ``item_id`` shows below the day names."""
        block = self.grid.block(item_id)
        if block is None:
            return
        rect = self.grid.rect_for(block)
        bar = self.scroller.verticalScrollBar()
        top = bar.value()
        visible = self.scroller.viewport().height()
        if rect.top() - HEADER < top:
            bar.setValue(int(rect.top() - HEADER - 8))
        elif rect.bottom() > top + visible:
            bar.setValue(int(min(rect.bottom() - visible + 8, rect.top() - HEADER - 8)))

    def item(self, item_id: int) -> AgendaItem | None:
        if self.delegation is None:
            return None
        return next((i for i in self.delegation.items if i.id == item_id), None)

    def _update_buttons(self, *_args: object) -> None:
        has = self.grid.selected is not None
        for button in (self.edit_button, self.duplicate_button, self.delete_button):
            button.setEnabled(has)

    def _show(self, dialog: RecordDialog) -> RecordDialog:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self.dialogs.remove(dialog))
        dialog.open()
        return dialog

    # dialogs ----------------------------------------------------------------------
    def item_dialog(
        self, item_id: int | None = None, start: datetime | None = None
    ) -> RecordDialog:
        """The agenda item dialog: a new item (at ``start``) or item ``item_id``."""
        assert self.delegation is not None
        delegation = self.delegation
        zone = delegation.timezone
        runner = self.runner
        db = runner.db

        def venues() -> list[listings.Choice]:
            with db.session() as session:
                return listings.venue_choices(session)

        def organisations() -> list[listings.Choice]:
            with db.session() as session:
                return listings.organisation_choices(session)

        def new_contact(parent: RecordDialog) -> RecordDialog | None:
            """A person of the chosen host organisation (none without a host)."""
            host = parent.form.editors["host_organisation_id"]
            org = host.current_id() if isinstance(host, ChoiceCombo) else None
            if org is None:
                return None
            return new_record_dialog(runner, "person", parent, {"organisation_id": org})

        attendees = [
            listings.Choice(p.id, f"{p.person.full_name} ({p.role.label.lower()})")
            for p in sorted(
                delegation.participations,
                key=lambda p: (p.person.family_name, p.person.given_name),
            )
            if p.status.attending
        ]
        fields = [
            Field("title", "Title"),
            Field("kind", "Kind", "enum", enum=ItemKind),
            Field("status", "Status", "enum", enum=ItemStatus),
            Field("day", "Day", "date"),
            Field("starts", "Starts", "time", aliases=("starts_at",)),
            Field("ends", "Ends", "time", aliases=("ends_at",)),
            Field("venue_id", "Venue", "choice", choices=venues),
            *transfer_fields(venues),
            Field("host_organisation_id", "Host", "choice", choices=organisations),
            Field(
                "host_confirmation",
                "Host confirmation",
                "choice",
                choices=lambda: [
                    listings.Choice(i, c.label) for i, c in enumerate(HostConfirmation)
                ],
                none_label="(not asked yet)",
            ),
            Field("host_contact_ids", "Host contacts", "checklist", create=new_contact),
            Field("everyone", "Everyone attending", "bool"),
            Field("participant_ids", "Participants", "checklist", choices=lambda: attendees),
            *detail_fields(delegation.dress_code),
            Field("description", "Description", "multiline"),
        ]
        confirmations = list(HostConfirmation)
        item = self.item(item_id) if item_id is not None else None
        if item is not None:
            old = agenda.values(item)
            day, starts = local_parts(item.starts_at, zone)
            _end_day, ends = local_parts(item.ends_at, zone)
        else:
            begin = start or instant(delegation.start_date, time(9), zone)
            day, starts = local_parts(begin, zone)
            _end_day, ends = local_parts(begin + timedelta(hours=1), zone)
            old = {
                "title": "",
                "kind": ItemKind.VISIT,
                "status": ItemStatus.TENTATIVE,
                "everyone": True,
                "participant_ids": [],
                "host_contact_ids": [],
                "venue_id": None,
                "host_organisation_id": None,
                "host_confirmation": None,
                "description": "",
                **new_item_details(),
            }
        values = dict(old)
        values.update(day=day, starts=starts, ends=ends)
        values["host_confirmation"] = (
            confirmations.index(old["host_confirmation"]) if old.get("host_confirmation") else None
        )

        def save(form: dict[str, Any]) -> Any:
            names = ("title", "kind", "status", "venue_id", "host_organisation_id", "everyone")
            fields_out = {k: form[k] for k in (*names, "description")}
            index = form["host_confirmation"]
            fields_out["host_confirmation"] = confirmations[index] if index is not None else None
            fields_out["participant_ids"] = [] if form["everyone"] else form["participant_ids"]
            fields_out["host_contact_ids"] = form["host_contact_ids"]
            fields_out.update(saved_details(form))
            fields_out["starts_at"], fields_out["ends_at"] = self._instants(
                form["day"], form["starts"], form["ends"], item
            )
            if item is None:
                operation = ops.create_item(delegation.id, fields_out)
            else:
                operation = ops.update_item(item.id, fields_out)
            outcome = self.runner.run(operation, self, in_form=True)
            assert outcome is not None
            return outcome.result

        title = f"Agenda item – {item.title}" if item else "New agenda item"
        dialog = RecordDialog(title, with_new_buttons(fields, runner), save, values, self)
        wire_details(dialog, new=item is None)
        self._wire_item_dialog(dialog, old.get("host_contact_ids") or [])
        dialog.fit_to_screen()
        return dialog

    def _instants(
        self, day: date, starts: time, ends: time, item: AgendaItem | None
    ) -> tuple[datetime, datetime]:
        """The item's start and end as instants, from the day and wall-clock times typed.

        A time the clocks skip is refused under its field; for a time that happens
        twice, ``choose`` asks which one is meant (unless it is the item's own,
        unchanged time: that keeps its instant).
        """
        assert self.delegation is not None
        zone = self.delegation.timezone
        wanted = {"starts": starts, "ends": ends}
        kept = {"starts": item.starts_at, "ends": item.ends_at} if item is not None else {}
        problems = {
            name: problem
            for name, clock in wanted.items()
            if (problem := gap_problem(day, clock, zone)) is not None
        }
        if problems:
            raise ValidationError(problems)
        out: dict[str, datetime] = {}
        for name, clock in wanted.items():
            old = kept.get(name)
            if old is not None and local_parts(old, zone) == (day, clock):
                out[name] = old
                continue
            both = twice(day, clock, zone)
            if both is None:
                out[name] = instant(day, clock, zone)
                continue
            what = "starts" if name == "starts" else "ends"
            answer = self.choose(
                f"Which {clock:%H:%M}?",
                f"{both.text}.\n\nThe item {what} at which {clock:%H:%M}?",
                both.options,
            )
            if answer is None or answer not in (0, 1):
                raise ValidationError({name: f"{both.text}: say which one you mean"})
            out[name] = both.instants[answer]
        return out["starts"], out["ends"]

    def _choose(self, title: str, text: str, answers: Sequence[str]) -> int | None:
        parent = self.dialogs[-1] if self.dialogs else self
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        buttons = [box.addButton(a, QMessageBox.ButtonRole.AcceptRole) for a in answers]
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return next((i for i, b in enumerate(buttons) if b is clicked), None)

    def _wire_item_dialog(self, dialog: RecordDialog, contact_ids: list[int]) -> None:
        editors = dialog.form.editors
        host = editors["host_organisation_id"]
        contacts = editors["host_contact_ids"]
        everyone = editors["everyone"]
        participants = editors["participant_ids"]
        assert isinstance(host, ChoiceCombo) and isinstance(contacts, CheckList)
        assert isinstance(everyone, QCheckBox)
        db = self.runner.db

        def host_changed(keep: list[int] | None = None) -> None:
            org = host.current_id()
            with db.session() as session:
                people = listings.person_choices(session, org) if org is not None else []
            contacts.set_choices(people, keep)
            contacts.setEnabled(org is not None)
            new_contact = dialog.new_buttons.get("host_contact_ids")
            if new_contact is not None:
                new_contact.setEnabled(org is not None)

        def created(name: str, record_id: Any) -> None:
            if name == "host_contact_ids":  # a new person of the host: tick them
                host_changed([*contacts.checked_ids(), record_id])

        host.currentIndexChanged.connect(lambda _i: host_changed())
        dialog.created.connect(created)
        host_changed(contact_ids)
        everyone.toggled.connect(lambda on: participants.setEnabled(not on))
        participants.setEnabled(not everyone.isChecked())
        dialog.form.mark_clean()

    def open_new(self, start: datetime | None = None) -> RecordDialog | None:
        if self.delegation is None:
            return None
        return self._show(self.item_dialog(None, start))

    def open_edit(self, item_id: int) -> RecordDialog | None:
        if self.item(item_id) is None:
            return None
        return self._show(self.item_dialog(item_id))

    def open_edit_selected(self) -> None:
        if self.grid.selected is not None:
            self.open_edit(self.grid.selected)

    # commands ---------------------------------------------------------------------
    def move_item(self, item_id: int, starts_at: datetime, ends_at: datetime) -> bool:
        """Move or resize an item (undoable); says why when it cannot."""
        item = self.item(item_id)
        if item is None or (item.starts_at, item.ends_at) == (starts_at, ends_at):
            return False
        return self.runner.run(ops.move_item(item_id, starts_at, ends_at), self) is not None

    def duplicate_item(self, item_id: int) -> int | None:
        """Add a copy of an item right after it (undoable); returns the copy's id."""
        if self.item(item_id) is None:
            return None
        outcome = self.runner.run(ops.duplicate_item(item_id), self)
        if outcome is None:
            return None
        self.grid.select(outcome.result)  # selects the copy and scrolls it into view
        return outcome.result

    def duplicate_selected(self) -> None:
        if self.grid.selected is not None:
            self.duplicate_item(self.grid.selected)

    def delete_item(self, item_id: int) -> bool:
        """Ask, then delete an item (undoable)."""
        item = self.item(item_id)
        if item is None or self.delegation is None:
            return False
        day, starts = local_parts(item.starts_at, self.delegation.timezone)
        text = (
            f"Delete “{item.title}” ({day:%a} {day.day} {day:%b}, {starts:%H:%M})?\n\n"
            f"You can undo this with {actions.hint('undo')}."
        )
        if not self.confirm("Delete agenda item", text):
            return False
        return self.runner.run(ops.delete_items([item_id]), self) is not None

    def delete_selected(self) -> None:
        if self.grid.selected is not None:
            self.delete_item(self.grid.selected)

    def focus_grid(self) -> None:
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
