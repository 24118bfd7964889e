"""Forms built from field descriptions, with each validation message under its field."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from functools import lru_cache
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QDate,
    QEvent,
    QObject,
    QRect,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QFocusEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from delegations.services import ServiceError, ValidationError
from delegations.services.listings import Choice
from delegations.services.places import zone_for
from delegations.ui.editors import DateEdit, DateTimeEdit, TimeEdit, ZoneCombo, text_of

NOT_SET = QDate(1900, 1, 1)
ERROR_STYLE = "color: #b3261e;"


@dataclass(frozen=True)
class Field:
    """A form field.

    Attributes:
        name: the service field it edits (and the key of its validation message).
        label: what people read next to it.
        kind: the name of its kind in ``FIELD_KINDS``: text, float, int, multiline, enum,
            choice, checklist, bool, date, optional_date, time, datetime, timezone or
            section (a heading, not a value).
        enum: the enum of an ``enum`` field.
        choices: the entries of a ``choice`` field (called when the form is built).
        none_label: the entry meaning "none" of a ``choice`` field; "" for no such entry.
        placeholder: grey hint text.
        zone: for ``datetime``: the name of the field holding the time zone, or a zone.
        aliases: other error keys that belong to this field.
        create: makes a record for a ``choice`` or ``checklist`` field without leaving
            the dialog: called with the dialog, it returns a new dialog (not shown yet)
            whose ``saved`` signal carries the new record's id, or None. A
            ``RecordDialog`` shows a "New…" button beside such a field; after creation
            the field's choices are reloaded and the new record chosen.
        follows: what the field follows. A ``date`` or ``optional_date`` field: an
            earlier date field; when that day moves, this one keeps its distance to
            it (never ending before it). A ``timezone`` field: the country field, or
            the (country, city) fields, of a place; the zone is the place's until
            people choose one (``places.zone_for``).
        near: the day a ``date``, ``optional_date`` or ``datetime`` field is about
            while it has none: a new required one starts on it (default today); an
            unset optional one's calendar opens on it and ↑/↓ first set it to it.
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
    create: Callable[[RecordDialog], RecordDialog | None] | None = None
    follows: str | tuple[str, ...] | None = None
    near: Callable[[], date | None] | None = None


class ChoiceCombo(QComboBox):
    """A combo box of records: the index maps to an id kept in a Python list.

    Filling uses one ``addItems`` call, so 10,000 people load at once; typing
    narrows the list (the completer matches anywhere in the label). A name longer
    than the box shows from its start; only while typing does the text scroll to
    keep the cursor in view.
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
        self.currentIndexChanged.connect(lambda _i: self.show_start())
        self.activated.connect(lambda _i: self.show_start())

    def show_start(self) -> None:
        """Show the text from its beginning (a long name is cut on the right)."""
        line = self.lineEdit()
        if line is not None:
            line.setCursorPosition(0)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.show_start()

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
        self.show_start()


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


class IntKind(TextKind):
    """A whole number typed as text ("1 200" and "1,200" read as 1200, "1,5" does not);
    empty means None."""

    def get(self, editor: QLineEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        text = editor.text().strip()
        if not text:
            return None, None
        digits = "".join(text.split())
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", digits):
            digits = digits.replace(",", "")
        try:
            return int(digits), None
        except ValueError:
            return None, Problem(f"'{text}' is not a whole number")

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


class DateKind(FieldKind[DateEdit]):
    """A day, typed ("1/7/2027", "1 July", "2027-07-01") or picked in the calendar
    (Alt+↓, F4); ↑/↓ change it by a day.

    A new one shows ``Field.near`` (default today). With ``optional``, empty ("Not
    set", None) is a value too, and ``Field.near`` is where its calendar opens and
    what ↑/↓ first set. With ``Field.follows`` (an earlier date field), it keeps its
    distance to that day when that day moves, never ending before it.
    """

    def __init__(self, optional: bool = False) -> None:
        self.optional = optional

    def create(self, spec: Field, form: Form) -> DateEdit:
        edit = DateEdit(self.optional, spec.near)
        if spec.follows:
            leader = form.editors.get(spec.follows) if isinstance(spec.follows, str) else None
            if not isinstance(leader, DateEdit):
                raise ValueError(f"{spec.name} follows {spec.follows!r}: not an earlier date field")
            edit.follow(leader)
        return edit

    def set(self, editor: DateEdit, value: Any, context: FieldContext) -> None:
        editor.set_value(value if isinstance(value, date) else None)

    def get(self, editor: DateEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        editor.commit()
        day, problem = editor.read()
        return (None, Problem(problem)) if problem else (day, None)

    def raw(self, editor: DateEdit, context: FieldContext) -> Any:
        return editor.raw()

    def changed_signal(self, editor: DateEdit) -> SignalInstance:
        return editor.textChanged


class TimeKind(FieldKind[TimeEdit]):
    """A time of day, to the minute: "930", "9:30", "09h30", "9h" or "14" (14:00);
    ↑/↓ change it by 15 minutes."""

    def create(self, spec: Field, form: Form) -> TimeEdit:
        return TimeEdit()

    def set(self, editor: TimeEdit, value: Any, context: FieldContext) -> None:
        editor.set_value(value if isinstance(value, time) else None)

    def get(self, editor: TimeEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        editor.commit()
        clock, problem = editor.read()
        return (None, Problem(problem)) if problem else (clock, None)

    def raw(self, editor: TimeEdit, context: FieldContext) -> Any:
        return editor.raw()

    def changed_signal(self, editor: TimeEdit) -> SignalInstance:
        return editor.textChanged


class DateTimeKind(FieldKind[DateTimeEdit]):
    """An aware datetime, edited as a day and a wall-clock time (typed as in ``date``
    and ``time`` fields) in the zone ``Field.zone`` names.

    ``Field.zone`` is the name of the field holding the zone (its value while
    values are shown, else its editor's text), or a zone itself.
    """

    def create(self, spec: Field, form: Form) -> DateTimeEdit:
        edit = DateTimeEdit(spec.near)
        guard = WheelGuard(edit)
        for part, what in zip(edit.parts(), ("day", "time"), strict=True):
            guard.guard(part)
            part.setAccessibleName(f"{spec.label} ({what})")
        return edit

    def set(self, editor: DateTimeEdit, value: Any, context: FieldContext) -> None:
        if isinstance(value, datetime):
            local = value.astimezone(ZoneInfo(self.zone(context)))
            editor.set_value(local.date(), local.time())

    def get(self, editor: DateTimeEdit, context: FieldContext) -> tuple[Any, Problem | None]:
        editor.commit()
        moment, problem = editor.read()
        if problem or moment is None:
            return None, Problem(problem or "enter a day")
        try:
            zone = ZoneInfo(self.zone(context))
        except (KeyError, ValueError):
            return None, Problem("choose a time zone from the list", context.spec.zone)
        return moment.replace(tzinfo=zone), None

    def raw(self, editor: DateTimeEdit, context: FieldContext) -> Any:
        return editor.raw()

    def changed_signal(self, editor: DateTimeEdit) -> SignalInstance:
        return editor.textChanged

    @staticmethod
    def zone(context: FieldContext) -> str:
        spec, values = context.spec, context.values
        if values and spec.zone in values and values[spec.zone]:
            return str(values[spec.zone])
        editor = context.form.editors.get(spec.zone)
        if isinstance(editor, QComboBox):
            return editor.currentText().strip() or "UTC"
        return spec.zone if "/" in spec.zone or spec.zone == "UTC" else "UTC"


class TimezoneKind(FieldKind[ZoneCombo]):
    """An IANA time zone name, picked from the list (typing narrows it; "paris",
    "Paris" or "France" becomes "Europe/Paris" on leaving the field).

    With ``Field.follows`` (the country field, or the country and city fields, listed
    before it), the zone is the place's (``places.zone_for``) while nobody has chosen
    one: shown values follow when their zone is the place's or the place is unknown.
    """

    def create(self, spec: Field, form: Form) -> ZoneCombo:
        combo = ZoneCombo(timezone_names())
        sources = [form.editors.get(name) for name in self.place_fields(spec)]
        if not all(isinstance(s, QLineEdit | QComboBox) for s in sources):
            raise ValueError(f"{spec.name} follows {spec.follows!r}: not earlier text fields")

        def place_changed(*_args: object) -> None:
            combo.follow_place(zone_for(*(text_of(source) for source in sources[:2])))

        for source in sources:
            if isinstance(source, QLineEdit):
                source.textChanged.connect(place_changed)
            elif isinstance(source, QComboBox):
                source.currentTextChanged.connect(place_changed)
        return combo

    @staticmethod
    def place_fields(spec: Field) -> tuple[str, ...]:
        """The names of the (country, city) fields the zone follows."""
        follows = spec.follows
        return (follows,) if isinstance(follows, str) else tuple(follows or ())

    def place_zone(self, context: FieldContext) -> str | None:
        """The zone of the place being shown (None when unknown or not followed)."""
        names = self.place_fields(context.spec)[:2]
        if not names:
            return None
        texts = [
            str(context.values.get(name) or "")
            if name in context.values
            else text_of(context.form.editors.get(name))
            for name in names
        ]
        return zone_for(*texts)

    def set(self, editor: ZoneCombo, value: Any, context: FieldContext) -> None:
        zone = str(value or "")
        place = self.place_zone(context)
        editor.set_zone(zone, following=not zone or place is None or place == zone)

    def get(self, editor: ZoneCombo, context: FieldContext) -> tuple[Any, Problem | None]:
        return editor.zone(), None

    def raw(self, editor: ZoneCombo, context: FieldContext) -> Any:
        return editor.currentText().strip()

    def changed_signal(self, editor: ZoneCombo) -> SignalInstance:
        return editor.currentTextChanged


FIELD_KINDS: dict[str, FieldKind[Any]] = {
    "text": TextKind(),
    "float": FloatKind(),
    "int": IntKind(),
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

    def label(self, name: str) -> QLabel | None:
        """The label beside field ``name`` (None for a heading or an unknown name)."""
        editor = self.editors.get(name)
        box = editor.parentWidget() if editor is not None else None
        label = self.layout_form.labelForField(box) if box is not None else None
        return label if isinstance(label, QLabel) else None

    def set_label(self, name: str, text: str) -> None:
        """Call field ``name`` ``text`` (its label and its accessible name)."""
        label = self.label(name)
        if label is not None:
            label.setText(f"{text}:")
        self.editors[name].setAccessibleName(text)

    def show_field(self, name: str, shown: bool) -> None:
        """Show or hide field ``name`` with its label and message (it keeps its value)."""
        box = self.editors[name].parentWidget()
        if box is not None:
            self.layout_form.setRowVisible(box, shown)

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
    _shown_with: dict[str, Any] | None = None
    """What each field with a message held when it was shown; None until a message is."""

    def clear_errors(self) -> None:
        self.general.hide()
        for label in self.errors.values():
            label.clear()
            label.hide()
        for editor in self.editors.values():
            editor.setAccessibleDescription("")
        if self._shown_with is not None:
            self._shown_with.clear()

    def clear_error(self, name: str) -> None:
        """Take away the message under field ``name``."""
        self.errors[name].clear()
        self.errors[name].hide()
        self.editors[name].setAccessibleDescription("")
        if self._shown_with is not None:
            self._shown_with.pop(name, None)

    def _watch_edits(self) -> None:
        """From now on an edit takes away the messages it may have answered."""
        if self._shown_with is None:
            self._shown_with = {}
            self.edited.connect(self._clear_answered)

    def _clear_answered(self) -> None:
        """A field's message goes once the field changes; the general one on any edit."""
        self.general.hide()
        if not self._shown_with:
            return
        now = self.raw_values()
        for name, before in list(self._shown_with.items()):
            if now.get(name) != before:
                self.clear_error(name)

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
        self._watch_edits()
        if self._shown_with is not None:
            shown = self.raw_values()
            self._shown_with.update(
                {name: shown.get(name) for name, label in self.errors.items() if label.text()}
            )
        if unplaced:
            self.show_general("\n".join(unplaced))
        if first is not None:
            first.setFocus()

    def show_general(self, message: str) -> None:
        """Show ``message`` at the top of the form (until the next edit)."""
        self._watch_edits()
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

    The dialog fits the screen: the form scrolls while OK and Cancel stay in view.
    It opens with the first field focused. Escape or Cancel after typing asks
    whether to save, discard or keep editing (``ask_discard``). A field with
    ``Field.create`` gets a "New…" button that opens a nested dialog; the record
    it creates is then chosen in the field, and what was typed here stays.

    Args:
        title: the window title.
        fields: the form's fields.
        save: called with the form's values; may raise ``ValidationError``.
        values: the values to start from.
        parent: the parent window.

    Attributes:
        ask_discard: asks what to do with typed changes on Escape or Cancel and
            returns "save", "discard" or "cancel" (keep editing). None (the default)
            asks with a window-modal message box (Save, Discard, Cancel) that does
            not block: the answer is acted on when it is given.
        new_buttons: the "New…" button of each field with ``Field.create``.
        nested: the dialogs opened by those buttons that are still open.

    Signals:
        saved(object): ``save`` succeeded; carries what it returned.
        created(str, object): a nested dialog created a record for a field (name, id).
    """

    saved = Signal(object)
    created = Signal(str, object)

    SCREEN_MARGIN = 48
    """Pixels of the available screen left around the dialog (its frame, some air)."""

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
        self.ask_discard: Callable[[], str] | None = None
        self._asking: QMessageBox | None = None
        self.nested: list[RecordDialog] = []
        self.new_buttons: dict[str, QToolButton] = {}
        self._focused = False
        self.form = Form(fields)
        if values:
            self.form.set_values(values)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setWidget(self.form)
        for spec in self.form.fields:
            if spec.create is not None:
                self._add_new_button(spec)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.buttons)
        self.fit_to_screen()

    # size and focus -----------------------------------------------------------
    def available_geometry(self) -> QRect:
        """The part of the dialog's screen windows may use (without task bars)."""
        screen = self.screen()
        if screen is None:
            parent = self.parentWidget()
            screen = parent.screen() if parent is not None else None
        if screen is None:
            screen = QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 700)

    def fit_to_screen(self) -> None:
        """As large as the form asks, but never larger than the screen allows."""
        area = self.available_geometry()
        hint = self.form.sizeHint()
        layout = self.layout()
        assert layout is not None
        margins = layout.contentsMargins()
        chrome = (
            margins.top()
            + margins.bottom()
            + max(layout.spacing(), 0)
            + self.buttons.sizeHint().height()
            + 12
        )
        room_width = max(area.width() - self.SCREEN_MARGIN, 200)
        room_height = max(area.height() - self.SCREEN_MARGIN, 200)
        width = min(max(520, hint.width() + 60), room_width)
        height = min(hint.height() + chrome, room_height)
        self.resize(width, height)

    def first_editor(self) -> QWidget | None:
        """The first field people can type into (headings and disabled fields skipped)."""
        for spec in self.form.fields:
            editor = self.form.editors[spec.name]
            if (
                editor.isEnabled()
                and editor.isVisibleTo(self)
                and editor.focusPolicy() != Qt.FocusPolicy.NoFocus
            ):
                return editor
        return None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._focused:
            self._focused = True
            editor = self.first_editor()
            if editor is not None:
                editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # creating a record from a field ----------------------------------------------
    def _spec(self, name: str) -> Field:
        return next(spec for spec in self.form.fields if spec.name == name)

    def _add_new_button(self, spec: Field) -> None:
        """Put a "New…" button beside the field's editor."""
        editor = self.form.editors[spec.name]
        box = editor.parentWidget()
        column = box.layout() if box is not None else None
        if not isinstance(column, QBoxLayout):
            return
        index = column.indexOf(editor)
        column.removeWidget(editor)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(editor, 1)
        button = QToolButton()
        button.setText("New…")
        button.setObjectName(f"{spec.name}_new")
        button.setAccessibleName(f"New… for {spec.label}")
        button.setToolTip(f"Create one for “{spec.label}” without leaving this dialog")
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        column.insertLayout(max(index, 0), row)
        QWidget.setTabOrder(editor, button)
        button.clicked.connect(lambda _checked=False, name=spec.name: self.create_for(name))
        self.new_buttons[spec.name] = button

    def create_for(self, name: str) -> RecordDialog | None:
        """Open the nested dialog creating a record for field ``name`` (None if none)."""
        spec = self._spec(name)
        if spec.create is None:
            return None
        nested = spec.create(self)
        if nested is None:
            return None
        self.nested.append(nested)
        nested.saved.connect(lambda record_id: self._created(name, record_id))
        nested.finished.connect(lambda _result: self._nested_closed(nested))
        nested.open()
        return nested

    def _nested_closed(self, nested: RecordDialog) -> None:
        if nested in self.nested:
            self.nested.remove(nested)
        nested.deleteLater()

    def _created(self, name: str, record_id: Any) -> None:
        """Offer the new record in field ``name`` and choose it."""
        spec = self._spec(name)
        editor = self.form.editors[name]
        if spec.choices is not None and isinstance(editor, ChoiceCombo):
            editor.set_choices(spec.choices(), spec.none_label)
            editor.set_current_id(record_id)
        elif spec.choices is not None and isinstance(editor, CheckList):
            editor.set_choices(spec.choices(), [*editor.checked_ids(), record_id])
        self.created.emit(name, record_id)
        editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # saving and closing ----------------------------------------------------------
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

    def reject(self) -> None:
        """Cancel or Escape: asks first when something was typed (see ``ask_discard``)."""
        if not (self.isVisible() and self.form.is_dirty()):
            super().reject()
        elif self.ask_discard is not None:
            self._answered(self.ask_discard())
        else:
            self._ask_in_box()

    def _answered(self, answer: str) -> None:
        if answer == "save":
            self.accept()
        elif answer == "discard":
            super().reject()

    def _ask_in_box(self) -> None:
        """Ask Save / Discard / Cancel in a message box; act when it is answered."""
        if self._asking is not None:
            self._asking.raise_()
            return
        buttons = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"Save the changes in “{self.windowTitle()}”?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            self,
        )
        box.setInformativeText("Discard throws away what you typed; Cancel keeps editing.")
        box.setDefaultButton(buttons.Save)
        box.setEscapeButton(buttons.Cancel)
        answers = {buttons.Save: "save", buttons.Discard: "discard"}

        def finished(_result: int) -> None:
            self._asking = None
            clicked = box.clickedButton()
            chosen = box.standardButton(clicked) if clicked is not None else buttons.Cancel
            box.deleteLater()
            self._answered(answers.get(chosen, "cancel"))

        box.finished.connect(finished)
        self._asking = box
        box.open()

    def done(self, result: int) -> None:
        if self._asking is not None:
            asking, self._asking = self._asking, None
            asking.finished.disconnect()
            asking.reject()
            asking.deleteLater()
        for nested in list(self.nested):
            nested.form.mark_clean()
            nested.reject()
        super().done(result)

    def is_dirty(self) -> bool:
        """Typed changes not saved yet, here or in a dialog opened from here."""
        return self.isVisible() and (
            self.form.is_dirty() or any(nested.is_dirty() for nested in self.nested)
        )
