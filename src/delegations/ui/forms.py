"""Forms built from field descriptions, with each validation message under its field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from delegations.services import ServiceError, ValidationError
from delegations.services.listings import Choice

NOT_SET = QDate(1900, 1, 1)
ERROR_STYLE = "color: #b3261e;"


@dataclass(frozen=True)
class Field:
    """A form field.

    Attributes:
        name: the service field it edits (and the key of its validation message).
        label: what people read next to it.
        kind: text, multiline, enum, date, optional_date, bool, choice, float,
            timezone or datetime.
        enum: the enum of an ``enum`` field.
        choices: the entries of a ``choice`` field (called when the form is built).
        none_label: the entry meaning "none" of a ``choice`` field; "" for no such entry.
        placeholder: grey hint text.
        zone: for ``datetime``: the name of the field holding the time zone, or a zone.
        aliases: other error keys that belong to this field.
    """

    name: str
    label: str
    kind: str = "text"
    enum: type[Enum] | None = None
    choices: Callable[[], Sequence[Choice]] | None = None
    none_label: str = "(none)"
    placeholder: str = ""
    zone: str = "UTC"
    aliases: tuple[str, ...] = field(default_factory=tuple)


class ChoiceCombo(QComboBox):
    """A combo box of records: the index maps to an id kept in a Python list.

    Filling uses one ``addItems`` call, so 10,000 people load at once; typing
    narrows the list (the completer matches anywhere in the label).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ids: list[int | None] = []
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.completer()
        assert completer is not None
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(15)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)

    def set_choices(self, choices: Sequence[Choice], none_label: str = "(none)") -> None:
        keep = self.current_id()
        self.blockSignals(True)
        self.clear()
        self._ids = ([None] if none_label else []) + [c.id for c in choices]
        self.addItems(([none_label] if none_label else []) + [c.label for c in choices])
        self.blockSignals(False)
        self.set_current_id(keep)

    def current_id(self) -> int | None:
        index = self.currentIndex()
        if not 0 <= index < len(self._ids) or self.currentText() != self.itemText(index):
            return None
        return self._ids[index]

    def set_current_id(self, record_id: int | None) -> None:
        try:
            self.setCurrentIndex(self._ids.index(record_id))
        except ValueError:
            self.setCurrentIndex(0 if self._ids else -1)


class EnumCombo(QComboBox):
    """A combo of an enum's members, shown by their labels."""

    def __init__(self, enum: type[Enum], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.members = list(enum)
        self.addItems([str(getattr(m, "label", m.value)) for m in self.members])

    def value(self) -> Enum:
        return self.members[max(self.currentIndex(), 0)]

    def set_value(self, value: Any) -> None:
        for i, member in enumerate(self.members):
            if member == value or member.value == value:
                self.setCurrentIndex(i)
                return


class CheckList(QListWidget):
    """A list of records with a check box each; the value is the checked ids."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(110)
        self.setMaximumHeight(170)

    def set_choices(self, choices: Sequence[Choice], keep: Sequence[int] | None = None) -> None:
        """Offer ``choices``; the ids in ``keep`` (default: those checked now) stay checked."""
        checked = set(self.checked_ids() if keep is None else keep)
        self.blockSignals(True)
        self.clear()
        for choice in choices:
            item = QListWidgetItem(choice.label)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            state = Qt.CheckState.Checked if choice.id in checked else Qt.CheckState.Unchecked
            item.setCheckState(state)
            self.addItem(item)
        self.blockSignals(False)

    def set_checked(self, ids: Sequence[int]) -> None:
        wanted = set(ids)
        for row in range(self.count()):
            item = self.item(row)
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def checked_ids(self) -> list[int]:
        return [
            int(self.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        ]

    def all_ids(self) -> list[int]:
        return [int(self.item(r).data(Qt.ItemDataRole.UserRole)) for r in range(self.count())]


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


@lru_cache(maxsize=1)
def timezone_names() -> list[str]:
    from delegations.services.validation import _zones

    return sorted(z for z in _zones() if "/" in z and not z.startswith(("Etc/", "SystemV")))


class Form(QWidget):
    """Editors for ``fields`` in a form layout, each with its message label.

    Args:
        fields: what to edit.
        parent: the Qt parent.

    Signals:
        edited(): any editor changed.
    """

    edited = Signal()

    def __init__(self, fields: Sequence[Field], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = list(fields)
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._baseline: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.general = QLabel()
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.general.hide()
        layout.addWidget(self.general)
        self.layout_form = QFormLayout()
        self.layout_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.layout_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addLayout(self.layout_form)
        layout.addStretch(1)
        for spec in self.fields:
            self._add(spec)
        self.fields = [f for f in self.fields if f.kind != "section"]
        self._baseline = self.raw_values()

    # building ---------------------------------------------------------------
    def _add(self, spec: Field) -> None:
        if spec.kind == "section":
            heading = QLabel(spec.label)
            heading.setObjectName(spec.name)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setContentsMargins(0, 10, 0, 2)
            self.layout_form.addRow(heading)
            return
        editor = self._editor(spec)
        editor.setObjectName(spec.name)
        editor.setAccessibleName(spec.label)
        error = QLabel()
        error.setObjectName(f"{spec.name}_error")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        column.addWidget(error)
        label = QLabel(f"{spec.label}:")
        label.setBuddy(editor)
        self.layout_form.addRow(label, box)
        self.editors[spec.name] = editor
        self.errors[spec.name] = error

    def _editor(self, spec: Field) -> QWidget:
        kind = spec.kind
        if kind == "multiline":
            text = QPlainTextEdit()
            text.setTabChangesFocus(True)
            text.setFixedHeight(72)
            text.setPlaceholderText(spec.placeholder)
            text.textChanged.connect(self.edited)
            return text
        if kind == "enum":
            assert spec.enum is not None
            combo = EnumCombo(spec.enum)
            combo.currentIndexChanged.connect(self.edited)
            return combo
        if kind in ("date", "optional_date"):
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
            if kind == "optional_date":
                edit.setMinimumDate(NOT_SET)
                edit.setSpecialValueText("Not set")
                edit.setDate(NOT_SET)
            else:
                edit.setDate(QDate.currentDate())
            edit.dateChanged.connect(self.edited)
            return edit
        if kind == "datetime":
            dt = QDateTimeEdit()
            dt.setCalendarPopup(True)
            dt.setDisplayFormat("ddd d MMM yyyy  HH:mm")
            dt.dateTimeChanged.connect(self.edited)
            return dt
        if kind == "time":
            clock = QTimeEdit()
            clock.setDisplayFormat("HH:mm")
            clock.timeChanged.connect(self.edited)
            return clock
        if kind == "checklist":
            checklist = CheckList()
            checklist.set_choices(spec.choices() if spec.choices else [])
            checklist.itemChanged.connect(self.edited)
            return checklist
        if kind == "bool":
            check = QCheckBox()
            check.toggled.connect(self.edited)
            return check
        if kind == "choice":
            picker = ChoiceCombo()
            picker.set_choices(spec.choices() if spec.choices else [], spec.none_label)
            picker.currentIndexChanged.connect(self.edited)
            return picker
        if kind == "timezone":
            tz = QComboBox()
            tz.setEditable(True)
            tz.addItems(timezone_names())
            tz_completer = tz.completer()
            assert tz_completer is not None
            tz_completer.setFilterMode(Qt.MatchFlag.MatchContains)
            tz.setCurrentText("")
            tz.currentTextChanged.connect(self.edited)
            return tz
        line = QLineEdit()
        line.setPlaceholderText(spec.placeholder)
        line.textChanged.connect(self.edited)
        return line

    # values -----------------------------------------------------------------
    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (missing fields keep their editors' defaults); not dirty after."""
        for spec in self.fields:
            if spec.name in values:
                self._set(spec, values[spec.name], values)
        self.clear_errors()
        self._baseline = self.raw_values()

    def _set(self, spec: Field, value: Any, values: dict[str, Any]) -> None:
        editor = self.editors[spec.name]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value or "")
        elif isinstance(editor, EnumCombo):
            editor.set_value(value)
        elif isinstance(editor, QTimeEdit) and not isinstance(editor, QDateEdit):
            if isinstance(value, time):
                editor.setTime(QTime(value.hour, value.minute))
        elif isinstance(editor, CheckList):
            editor.set_checked(value or [])
        elif isinstance(editor, QDateEdit):
            editor.setDate(qdate(value) if isinstance(value, date) else NOT_SET)
        elif isinstance(editor, QDateTimeEdit):
            if isinstance(value, datetime):
                local = value.astimezone(ZoneInfo(self._zone(spec, values)))
                editor.setDateTime(QDateTime(qdate(local.date()), QTime(local.hour, local.minute)))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, ChoiceCombo):
            editor.set_current_id(value)
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(value or "")
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))

    def _zone(self, spec: Field, values: dict[str, Any] | None = None) -> str:
        if values and spec.zone in values and values[spec.zone]:
            return str(values[spec.zone])
        editor = self.editors.get(spec.zone)
        if isinstance(editor, QComboBox):
            return editor.currentText().strip() or "UTC"
        return spec.zone if "/" in spec.zone or spec.zone == "UTC" else "UTC"

    def raw_values(self) -> dict[str, Any]:
        """What the editors show, as text where parsing could fail (for dirty checks)."""
        out: dict[str, Any] = {}
        for spec in self.fields:
            editor = self.editors[spec.name]
            if isinstance(editor, QLineEdit):
                out[spec.name] = editor.text()
            elif isinstance(editor, CheckList):
                out[spec.name] = sorted(editor.checked_ids())
            elif isinstance(editor, QDateTimeEdit) and not isinstance(editor, QDateEdit):
                out[spec.name] = editor.dateTime().toString(Qt.DateFormat.ISODate)
            else:
                out[spec.name] = self._value(spec)
        return out

    def _value(self, spec: Field) -> Any:
        editor = self.editors[spec.name]
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        if isinstance(editor, EnumCombo):
            return editor.value()
        if isinstance(editor, CheckList):
            return editor.checked_ids()
        if isinstance(editor, QTimeEdit):
            return editor.time().toPython()
        if isinstance(editor, QDateEdit):
            if spec.kind == "optional_date" and editor.date() == NOT_SET:
                return None
            return editor.date().toPython()
        if isinstance(editor, QDateTimeEdit):
            qdt = editor.dateTime()
            day, clock = qdt.date().toPython(), qdt.time().toPython()
            assert isinstance(day, date) and isinstance(clock, time)
            return datetime.combine(day, clock.replace(second=0, microsecond=0)).replace(
                tzinfo=ZoneInfo(self._zone(spec))
            )
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, ChoiceCombo):
            return editor.current_id()
        if isinstance(editor, QComboBox):
            return editor.currentText().strip()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def read(self) -> tuple[dict[str, Any], dict[str, str]]:
        """(values for the service, messages for fields whose text is not understood)."""
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for spec in self.fields:
            if spec.kind == "float":
                text = str(self._value(spec)).strip().replace(",", ".")
                if not text:
                    values[spec.name] = None
                    continue
                try:
                    values[spec.name] = float(text)
                except ValueError:
                    problems[spec.name] = f"'{text}' is not a number"
                continue
            if spec.kind == "datetime":
                try:
                    values[spec.name] = self._value(spec)
                except (KeyError, ValueError):
                    problems[spec.zone] = "choose a time zone from the list"
                continue
            values[spec.name] = self._value(spec)
        return values, problems

    def is_dirty(self) -> bool:
        return self.raw_values() != self._baseline

    def mark_clean(self) -> None:
        self._baseline = self.raw_values()

    # messages ---------------------------------------------------------------
    def clear_errors(self) -> None:
        self.general.hide()
        for label in self.errors.values():
            label.clear()
            label.hide()
        for editor in self.editors.values():
            editor.setAccessibleDescription("")

    def show_errors(self, errors: dict[str, str], prefix: str = "") -> None:
        """Show each message under its field; others at the top of the form."""
        self.clear_errors()
        unplaced = []
        first: QWidget | None = None
        for key, message in errors.items():
            name = key[len(prefix) :] if prefix and key.startswith(prefix) else key
            target = self._field_for(name)
            if target is None:
                unplaced.append(f"{key.replace('_', ' ')}: {message}")
                continue
            label = self.errors[target]
            message = message[:1].upper() + message[1:]
            label.setText(message)
            label.show()
            self.editors[target].setAccessibleDescription(message)
            first = first or self.editors[target]
        if unplaced:
            self.show_general("\n".join(unplaced))
        if first is not None:
            first.setFocus()

    def show_general(self, message: str) -> None:
        self.general.setText(message)
        self.general.show()

    def _field_for(self, key: str) -> str | None:
        for spec in self.fields:
            if key == spec.name or key in spec.aliases:
                return spec.name
        return None

    def error_text(self, name: str) -> str:
        """The message shown under field ``name`` ("" when none)."""
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""


class RecordDialog(QDialog):
    """A dialog around a ``Form``: OK saves through ``save`` and stays open on errors.

    Args:
        title: the window title.
        fields: the form's fields.
        save: called with the form's values; may raise ``ValidationError``.
        values: the values to start from.
        parent: the parent window.

    Signals:
        saved(object): ``save`` succeeded; carries what it returned.
    """

    saved = Signal(object)

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        save: Callable[[dict[str, Any]], Any],
        values: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.save = save
        self.form = Form(fields)
        if values:
            self.form.set_values(values)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.buttons)
        width = max(520, self.form.sizeHint().width() + 60)
        height = min(self.form.sizeHint().height() + 90, 760)
        self.resize(width, height)

    def ok_button(self) -> Any:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        return self.form.read()

    def accept(self) -> None:
        values, problems = self.values()
        if problems:
            self.form.show_errors(problems)
            return
        try:
            result = self.save(values)
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            return
        except ServiceError as exc:
            self.form.show_general(str(exc))
            return
        self.form.mark_clean()
        self.saved.emit(result)
        super().accept()

    def is_dirty(self) -> bool:
        return self.isVisible() and self.form.is_dirty()
