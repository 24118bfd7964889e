"""Forms built from field descriptions, with each validation message under its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from functools import lru_cache
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, Qt, QTime, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractSpinBox,
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
        kind: the name of its kind in ``FIELD_KINDS``: text, float, multiline, enum,
            choice, checklist, bool, date, optional_date, time, datetime, timezone or
            section (a heading, not a value).
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


class WheelGuard(QObject):
    """Keeps the mouse wheel from changing combo boxes, spin boxes and date/time edits
    that do not have keyboard focus.

    Such editors take focus by click or Tab only; an unfocused one ignores the
    wheel, which then scrolls whatever is around the form instead of silently
    changing the value under the pointer.
    """

    GUARDED = (QComboBox, QAbstractSpinBox)

    def guard(self, editor: QWidget) -> None:
        """Guard ``editor`` if it is an editor the wheel changes (others are left alone)."""
        if isinstance(editor, self.GUARDED):
            editor.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            editor.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            # Ignored and filtered: the editor never sees it, Qt passes it to the parents.
            event.ignore()
            return True
        return super().eventFilter(watched, event)


# field kinds ------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """Why a field's text cannot be read: ``message``, shown under ``key`` (default: the field)."""

    message: str
    key: str | None = None


@dataclass(frozen=True)
class FieldContext:
    """What a field kind may need besides its editor.

    Attributes:
        spec: the field.
        form: the form holding the editor (other fields' editors are in ``form.editors``).
        values: the values being shown (``Form.set_values``); empty otherwise.
    """

    spec: Field
    form: Form
    values: Mapping[str, Any] = field(default_factory=dict)


EditorT = TypeVar("EditorT", bound=QWidget)


class FieldKind(Generic[EditorT]):
    """One kind of field (``Field.kind``): its editor and how values go in and out.

    A new kind is a subclass plus its entry in ``FIELD_KINDS``; ``Form`` needs no change.
    """

    has_value: bool = True
    """False for rows that only show something (section headings): no value, no editor."""

    def create(self, spec: Field, form: Form) -> EditorT:
        """A new editor for ``spec`` (its name, label and edited signal are set by the form)."""
        raise NotImplementedError

    def set(self, editor: EditorT, value: Any, context: FieldContext) -> None:
        """Show ``value``."""
        raise NotImplementedError

    def get(self, editor: EditorT, context: FieldContext) -> tuple[Any, Problem | None]:
        """(the value for the service, None) or (None, why the editor's text is not valid)."""
        raise NotImplementedError

    def raw(self, editor: EditorT, context: FieldContext) -> Any:
        """What the editor shows, comparable for dirty checks and never failing."""
        return self.get(editor, context)[0]

    def changed_signal(self, editor: EditorT) -> SignalInstance:
        """The editor's signal emitted when people change its value."""
        raise NotImplementedError


class SectionKind(FieldKind[QLabel]):
    """A bold heading between groups of fields; not a value."""

    has_value = False

    def create(self, spec: Field, form: Form) -> QLabel:
        heading = QLabel(spec.label)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setContentsMargins(0, 10, 0, 2)
        return heading


class TextKind(FieldKind[QLineEdit]):
    """One line of text."""

    def create(self, spec: Field, form: Form) -> QLineEdit:
        line = QLineEdit()
        line.setPlaceholderText(spec.placeholder)
        return line

    def set(self, editor: QLineEdit, value: Any, context: FieldContext) -> None:
        editor.setText("" if value is None else str(value))

    def get(self, editor: QLineEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.text(), None

    def changed_signal(self, editor: QLineEdit) -> SignalInstance:
        return editor.textChanged


class FloatKind(TextKind):
    """A number typed as text ("," works as the decimal point); empty means None."""

    def get(self, editor: QLineEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        text = editor.text().strip().replace(",", ".")
        if not text:
            return None, None
        try:
            return float(text), None
        except ValueError:
            return None, Problem(f"'{text}' is not a number")

    def raw(self, editor: QLineEdit, context: FieldContext) -> Any:
        return editor.text()


class MultilineKind(FieldKind[QPlainTextEdit]):
    """A few lines of text."""

    def create(self, spec: Field, form: Form) -> QPlainTextEdit:
        text = QPlainTextEdit()
        text.setTabChangesFocus(True)
        text.setFixedHeight(72)
        text.setPlaceholderText(spec.placeholder)
        return text

    def set(self, editor: QPlainTextEdit, value: Any, context: FieldContext) -> None:
        editor.setPlainText(value or "")

    def get(self, editor: QPlainTextEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.toPlainText(), None

    def changed_signal(self, editor: QPlainTextEdit) -> SignalInstance:
        return editor.textChanged


class EnumKind(FieldKind[EnumCombo]):
    """A member of ``Field.enum``."""

    def create(self, spec: Field, form: Form) -> EnumCombo:
        assert spec.enum is not None
        return EnumCombo(spec.enum)

    def set(self, editor: EnumCombo, value: Any, context: FieldContext) -> None:
        editor.set_value(value)

    def get(self, editor: EnumCombo, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.value(), None

    def changed_signal(self, editor: EnumCombo) -> SignalInstance:
        return editor.currentIndexChanged


class ChoiceKind(FieldKind[ChoiceCombo]):
    """The id of one of ``Field.choices`` (or None for ``Field.none_label``)."""

    def create(self, spec: Field, form: Form) -> ChoiceCombo:
        picker = ChoiceCombo()
        picker.set_choices(spec.choices() if spec.choices else [], spec.none_label)
        return picker

    def set(self, editor: ChoiceCombo, value: Any, context: FieldContext) -> None:
        editor.set_current_id(value)

    def get(self, editor: ChoiceCombo, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.current_id(), None

    def changed_signal(self, editor: ChoiceCombo) -> SignalInstance:
        return editor.currentIndexChanged


class CheckListKind(FieldKind[CheckList]):
    """The ids of the checked entries of ``Field.choices``."""

    def create(self, spec: Field, form: Form) -> CheckList:
        checklist = CheckList()
        checklist.set_choices(spec.choices() if spec.choices else [])
        return checklist

    def set(self, editor: CheckList, value: Any, context: FieldContext) -> None:
        editor.set_checked(value or [])

    def get(self, editor: CheckList, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.checked_ids(), None

    def raw(self, editor: CheckList, context: FieldContext) -> Any:
        return sorted(editor.checked_ids())

    def changed_signal(self, editor: CheckList) -> SignalInstance:
        return editor.itemChanged


class BoolKind(FieldKind[QCheckBox]):
    """Yes or no."""

    def create(self, spec: Field, form: Form) -> QCheckBox:
        return QCheckBox()

    def set(self, editor: QCheckBox, value: Any, context: FieldContext) -> None:
        editor.setChecked(bool(value))

    def get(self, editor: QCheckBox, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.isChecked(), None

    def changed_signal(self, editor: QCheckBox) -> SignalInstance:
        return editor.toggled


class DateKind(FieldKind[QDateEdit]):
    """A day (today when new); with ``optional``, "Not set" (None) is a value too."""

    def __init__(self, optional: bool = False) -> None:
        self.optional = optional

    def create(self, spec: Field, form: Form) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("ddd d MMM yyyy")
        if self.optional:
            edit.setMinimumDate(NOT_SET)
            edit.setSpecialValueText("Not set")
            edit.setDate(NOT_SET)
        else:
            edit.setDate(QDate.currentDate())
        return edit

    def set(self, editor: QDateEdit, value: Any, context: FieldContext) -> None:
        editor.setDate(qdate(value) if isinstance(value, date) else NOT_SET)

    def get(self, editor: QDateEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        if self.optional and editor.date() == NOT_SET:
            return None, None
        return editor.date().toPython(), None

    def changed_signal(self, editor: QDateEdit) -> SignalInstance:
        return editor.dateChanged


class TimeKind(FieldKind[QTimeEdit]):
    """A time of day, to the minute."""

    def create(self, spec: Field, form: Form) -> QTimeEdit:
        clock = QTimeEdit()
        clock.setDisplayFormat("HH:mm")
        return clock

    def set(self, editor: QTimeEdit, value: Any, context: FieldContext) -> None:
        if isinstance(value, time):
            editor.setTime(QTime(value.hour, value.minute))

    def get(self, editor: QTimeEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.time().toPython(), None

    def raw(self, editor: QTimeEdit, context: FieldContext) -> Any:
        return editor.dateTime().toString(Qt.DateFormat.ISODate)

    def changed_signal(self, editor: QTimeEdit) -> SignalInstance:
        return editor.timeChanged


class DateTimeKind(FieldKind[QDateTimeEdit]):
    """An aware datetime, edited as wall-clock time in the zone ``Field.zone`` names.

    ``Field.zone`` is the name of the field holding the zone (its value while
    values are shown, else its editor's text), or a zone itself.
    """

    def create(self, spec: Field, form: Form) -> QDateTimeEdit:
        dt = QDateTimeEdit()
        dt.setCalendarPopup(True)
        dt.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        return dt

    def set(self, editor: QDateTimeEdit, value: Any, context: FieldContext) -> None:
        if isinstance(value, datetime):
            local = value.astimezone(ZoneInfo(self.zone(context)))
            editor.setDateTime(QDateTime(qdate(local.date()), QTime(local.hour, local.minute)))

    def get(self, editor: QDateTimeEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        qdt = editor.dateTime()
        day, clock = qdt.date().toPython(), qdt.time().toPython()
        assert isinstance(day, date) and isinstance(clock, time)
        try:
            zone = ZoneInfo(self.zone(context))
        except (KeyError, ValueError):
            return None, Problem("choose a time zone from the list", context.spec.zone)
        return datetime.combine(day, clock.replace(second=0, microsecond=0)).replace(
            tzinfo=zone
        ), None

    def raw(self, editor: QDateTimeEdit, context: FieldContext) -> Any:
        return editor.dateTime().toString(Qt.DateFormat.ISODate)

    def changed_signal(self, editor: QDateTimeEdit) -> SignalInstance:
        return editor.dateTimeChanged

    @staticmethod
    def zone(context: FieldContext) -> str:
        spec, values = context.spec, context.values
        if values and spec.zone in values and values[spec.zone]:
            return str(values[spec.zone])
        editor = context.form.editors.get(spec.zone)
        if isinstance(editor, QComboBox):
            return editor.currentText().strip() or "UTC"
        return spec.zone if "/" in spec.zone or spec.zone == "UTC" else "UTC"


class TimezoneKind(FieldKind[QComboBox]):
    """An IANA time zone name, picked from the list (typing narrows it)."""

    def create(self, spec: Field, form: Form) -> QComboBox:
        tz = QComboBox()
        tz.setEditable(True)
        tz.addItems(timezone_names())
        tz_completer = tz.completer()
        assert tz_completer is not None
        tz_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        tz.setCurrentText("")
        return tz

    def set(self, editor: QComboBox, value: Any, context: FieldContext) -> None:
        editor.setCurrentText(value or "")

    def get(self, editor: QComboBox, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.currentText().strip(), None

    def changed_signal(self, editor: QComboBox) -> SignalInstance:
        return editor.currentTextChanged


FIELD_KINDS: dict[str, FieldKind[Any]] = {
    "text": TextKind(),
    "float": FloatKind(),
    "multiline": MultilineKind(),
    "enum": EnumKind(),
    "choice": ChoiceKind(),
    "checklist": CheckListKind(),
    "bool": BoolKind(),
    "date": DateKind(),
    "optional_date": DateKind(optional=True),
    "time": TimeKind(),
    "datetime": DateTimeKind(),
    "timezone": TimezoneKind(),
    "section": SectionKind(),
}
"""Every field kind by its ``Field.kind`` name."""


def field_kind(name: str) -> FieldKind[Any]:
    """The kind called ``name``; an unknown name is edited as one line of text."""
    return FIELD_KINDS.get(name, FIELD_KINDS["text"])


class Form(QWidget):
    """Editors for ``fields`` in a form layout, each with its message label.

    Each field's kind (``Field.kind``) is looked up once in ``FIELD_KINDS``; the
    kind builds the editor and reads and writes its value.

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
        self._kinds: dict[str, FieldKind[Any]] = {}
        self._baseline: dict[str, Any] = {}
        self._wheel_guard = WheelGuard(self)
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
        self.fields = [f for f in self.fields if field_kind(f.kind).has_value]
        self._baseline = self.raw_values()

    # building ---------------------------------------------------------------
    def _add(self, spec: Field) -> None:
        kind = field_kind(spec.kind)
        widget = kind.create(spec, self)
        widget.setObjectName(spec.name)
        if not kind.has_value:
            self.layout_form.addRow(widget)
            return
        editor = widget
        editor.setAccessibleName(spec.label)
        kind.changed_signal(editor).connect(self.edited)
        self._wheel_guard.guard(editor)
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
        self._kinds[spec.name] = kind

    # values -----------------------------------------------------------------
    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (missing fields keep their editors' defaults); not dirty after."""
        for spec in self.fields:
            if spec.name in values:
                context = FieldContext(spec, self, values)
                self._kinds[spec.name].set(self.editors[spec.name], values[spec.name], context)
        self.clear_errors()
        self._baseline = self.raw_values()

    def raw_values(self) -> dict[str, Any]:
        """What the editors show, as text where parsing could fail (for dirty checks)."""
        return {
            spec.name: self._kinds[spec.name].raw(self.editors[spec.name], FieldContext(spec, self))
            for spec in self.fields
        }

    def read(self) -> tuple[dict[str, Any], dict[str, str]]:
        """(values for the service, messages for fields whose text is not understood)."""
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for spec in self.fields:
            context = FieldContext(spec, self)
            value, problem = self._kinds[spec.name].get(self.editors[spec.name], context)
            if problem is None:
                values[spec.name] = value
            else:
                problems[problem.key or spec.name] = problem.message
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
