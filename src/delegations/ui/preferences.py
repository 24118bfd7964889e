"""Edit ▸ Preferences: the SMTP server that attendees' messages are sent through.

The server, port, security, user name and optional "From" address are kept in
the application's settings (``Settings.set_smtp``). The password is kept in the
system keyring only (``services.sending.store_password``), never in the settings
or the database, and never shown: the dialog only says whether one is stored and
offers to forget it. Without a keyring the password is not stored (it is asked
when sending); what is typed is then used only to test the connection.

"Test connection" runs ``sending.check_connection`` on a worker thread, so the
window stays responsive however long the server takes to answer. OK is refused
while a field is wrong (``SmtpSettings.problems``); Escape or Cancel saves nothing.

"Backups and privacy" holds two settings of the open database, stored in it
(``services.preferences``, read by the command line too): how many automatic
backups to keep, and after how many months past a visit its attendees' sensitive
data is proposed for deletion ("never" by default). OK saves them through the
window's runner (settings, not an undoable step).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from delegations.services import ServiceError, sending
from delegations.services import preferences as data_preferences
from delegations.services.sending import Security, SendError, SmtpSettings
from delegations.ui.settings import Settings
from delegations.ui.workers import Progress, Task

if TYPE_CHECKING:
    from delegations.ui.runner import Runner

ERROR_STYLE = "color: #b3261e;"
QUIET_STYLE = "color: #4b5563;"
GOOD_STYLE = "color: #1b6e2d;"

SECURITY_LABELS = (
    (Security.STARTTLS, "STARTTLS (recommended, port 587)"),
    (Security.TLS, "TLS (port 465)"),
    (Security.NONE, "None (a server on this computer only, port 25)"),
)

_running: set[Task] = set()
"""Connection tests still running after their dialog closed (kept until they end)."""


def _note(text: str = "", style: str = QUIET_STYLE) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def count_months(spin: QSpinBox) -> None:
    """Give ``spin`` the suffix " month" at 1 and " months" otherwise, as its value changes."""

    def follow(value: int) -> None:
        suffix = " month" if value == 1 else " months"
        if spin.suffix() != suffix:
            spin.setSuffix(suffix)

    follow(spin.value())
    spin.valueChanged.connect(follow)


class PreferencesDialog(QDialog):
    """The Preferences dialog: the "Sending e-mail" settings.

    Args:
        settings: where the SMTP settings are loaded from and saved to on OK.
        parent: the window.

    Attributes:
        errors: the message label under each field (host, port, security, sender,
            password), empty when the field is right.
        test_task: the connection test while it runs.

    Signals:
        tested(bool, str): a connection test ended: did it work, its one-line result.
    """

    tested = Signal(bool, str)

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, *, runner: Runner | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runner: Runner | None = runner or getattr(parent, "runner", None)
        """Where the "Data" settings are read and saved: the window's database."""
        self.test_task: Task | None = None
        self.keyring = sending.keyring_available()
        self._forget: SmtpSettings | None = None
        """The account whose stored password OK forgets (the Forget button was pressed)."""
        self._stored = False
        self._show_all = False
        """Show every field's problem (after OK or Test was pressed), not only edited ones."""
        self._touched: set[str] = set()
        self.setWindowTitle("Preferences")
        self.setObjectName("preferences")
        self._build()
        self._load(settings.smtp())
        self.fit_screen()
        self.host.setFocus()

    def fit_screen(self) -> None:
        """As large as the groups need, but no higher than the screen's free height
        (they then scroll); Qt alone would stop at 2/3 of the screen and squeeze them."""
        content, layout = self.content, self.outer
        margins = layout.contentsMargins()
        width = max(content.sizeHint().width(), content.minimumSizeHint().width())
        needed = (
            content.heightForWidth(width)
            if content.hasHeightForWidth()
            else content.sizeHint().height()
        )
        chrome = margins.top() + margins.bottom() + layout.spacing()
        height = max(needed, content.minimumSizeHint().height()) + chrome
        height += self.buttons.sizeHint().height()
        screen = self.screen()
        room = screen.availableGeometry().height() - 48 if screen is not None else height
        bar = 0
        if height > room:
            bar = self.scroll_area.verticalScrollBar().sizeHint().width()
            height = max(room, 240)
        self.resize(width + margins.left() + margins.right() + bar, height)

    def showEvent(self, event: QShowEvent) -> None:
        if not getattr(self, "_fitted", False):
            self._fitted = True
            self.fit_screen()  # on the screen it is shown on
        super().showEvent(event)

    # building -------------------------------------------------------------------
    def _build(self) -> None:
        self.host = QLineEdit()
        self.host.setAccessibleName("SMTP server")
        self.host.setPlaceholderText("e.g. smtp.example.org")
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setAccessibleName("Port")
        self.port.setMinimumWidth(90)
        self.security = QComboBox()
        self.security.setAccessibleName("Security")
        for value, label in SECURITY_LABELS:
            self.security.addItem(label, value)
        self.user = QLineEdit()
        self.user.setAccessibleName("User name")
        self.user.setPlaceholderText("empty: the server needs no login")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.forget_button = QPushButton("F&orget")
        self.forget_button.setAccessibleName("Forget the stored password")
        self.forget_button.setAutoDefault(False)
        self.forget_button.clicked.connect(self.forget_password)
        self.stored_note = _note()
        self.keyring_note = _note()
        self.from_address = QLineEdit()
        self.from_address.setAccessibleName("From address")
        self.from_address.setPlaceholderText("optional, e.g. Visits Office <visits@example.org>")
        sender_hint = _note(
            "Leave empty to send each message from the address it was written with. Fill "
            "it in when your server lets this account send only as its own address: "
            "messages then come from it, and replies still go to the original sender."
        )

        self.errors: dict[str, QLabel] = {}
        for key in ("host", "port", "security", "sender", "password"):
            self.errors[key] = _note(style=ERROR_STYLE)
            self.errors[key].hide()

        stored_row = QHBoxLayout()
        stored_row.addWidget(self.stored_note, 1)
        stored_row.addWidget(self.forget_button)

        self.test_button = QPushButton("&Test connection")
        self.test_button.setAccessibleName("Test the connection to the SMTP server")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setAccessibleName("Testing the connection")
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.test_result = _note()
        self.test_result.setAccessibleName("Connection test result")
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.busy)
        test_row.addWidget(self.test_result, 1)

        # A grid, not a QFormLayout: its wrapped notes get the height their text needs.
        form = QGridLayout()
        form.setColumnStretch(1, 1)
        form.setColumnMinimumWidth(1, 420)
        form.setHorizontalSpacing(10)
        rows: tuple[tuple[str, QWidget | QHBoxLayout], ...] = (
            ("SMTP &server:", self.host),
            ("", self.errors["host"]),
            ("&Port:", self.port),
            ("", self.errors["port"]),
            ("Se&curity:", self.security),
            ("", self.errors["security"]),
            ("&User name:", self.user),
            ("Pass&word:", self.password),
            ("", self.keyring_note),
            ("", stored_row),
            ("", self.errors["password"]),
            ("&From address:", self.from_address),
            ("", self.errors["sender"]),
            ("", sender_hint),
        )
        for row, (label, widget) in enumerate(rows):
            if isinstance(widget, QHBoxLayout):
                form.addLayout(widget, row, 1)
                continue
            if label:
                buddy = QLabel(label)
                buddy.setBuddy(widget)
                form.addWidget(buddy, row, 0)
            align = Qt.AlignmentFlag.AlignLeft if widget is self.port else Qt.AlignmentFlag(0)
            form.addWidget(widget, row, 1, align)
        self.form = form
        self.stored_row = stored_row

        box = QGroupBox("Sending e-mail")
        column = QVBoxLayout(box)
        intro = _note(
            "The server that attendees' packs and calendars are sent through: your "
            "organisation's outgoing mail (SMTP) server, as set in your e-mail program."
        )
        column.addWidget(intro)
        column.addLayout(form)
        column.addSpacing(6)
        column.addLayout(test_row)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        # The two groups scroll above the buttons when the screen is too low for them
        # (1024×700): every field keeps its height, every note wraps.
        content = QWidget()
        content.setObjectName("preferences_content")
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(box)
        self.data_box = self._build_data()
        inner.addWidget(self.data_box)
        inner.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(content)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        self.content, self.outer = content, outer
        outer.addWidget(self.scroll_area, 1)
        outer.addWidget(self.buttons)

        for widget in (
            self.host,
            self.port,
            self.security,
            self.user,
            self.password,
            self.forget_button,
            self.from_address,
            self.test_button,
        ):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        QWidget.setTabOrder(self.host, self.port)
        QWidget.setTabOrder(self.port, self.security)
        QWidget.setTabOrder(self.security, self.user)
        QWidget.setTabOrder(self.user, self.password)
        QWidget.setTabOrder(self.password, self.forget_button)
        QWidget.setTabOrder(self.forget_button, self.from_address)
        QWidget.setTabOrder(self.from_address, self.test_button)
        QWidget.setTabOrder(self.test_button, self.backups_keep)
        QWidget.setTabOrder(self.backups_keep, self.retention)
        QWidget.setTabOrder(self.retention, self.ok_button)

        self._security_was = Security.STARTTLS
        self.security.currentIndexChanged.connect(self._security_changed)
        for key, signal in (
            ("host", self.host.textChanged),
            ("sender", self.from_address.textChanged),
            ("user", self.user.textChanged),
        ):
            signal.connect(lambda _text, key=key: self._edited(key))
        self.port.valueChanged.connect(lambda _value: self._edited("port"))
        self.password.textChanged.connect(lambda _text: self._password_edited())
        self.host.editingFinished.connect(self._refresh_stored)
        self.user.editingFinished.connect(self._refresh_stored)

    def _build_data(self) -> QGroupBox:
        """Backups and privacy: stored in the database (both windows and the command
        line read them), not in this computer's settings."""
        self.backups_keep = QSpinBox()
        self.backups_keep.setRange(*data_preferences.BACKUPS_KEEP_RANGE)
        self.backups_keep.setAccessibleName("Automatic backups to keep")
        self.backups_keep.setMinimumWidth(90)
        self.retention = QSpinBox()
        low, high = data_preferences.RETENTION_RANGE
        self.retention.setRange(low - 1, high)
        self.retention.setSpecialValueText("never")
        count_months(self.retention)
        self.retention.setAccessibleName(
            "Delete sensitive data of visits that ended more than this many months ago"
        )
        self.retention.setMinimumWidth(120)
        self.data_error = _note(style=ERROR_STYLE)
        self.data_error.hide()
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(10)
        rows = (
            ("Automatic &backups to keep:", self.backups_keep),
            ("Delete sensitive data of visits\nthat &ended more than:", self.retention),
        )
        for row, (label, widget) in enumerate(rows):
            buddy = QLabel(label)
            buddy.setBuddy(widget)
            grid.addWidget(buddy, row, 0)
            grid.addWidget(widget, row, 1, Qt.AlignmentFlag.AlignLeft)
        box = QGroupBox("Backups and privacy (this database)")
        column = QVBoxLayout(box)
        column.addWidget(
            _note(
                "A backup is made in a folder beside the database each day it is opened, "
                "and before each upgrade; the oldest beyond this number are deleted. "
                "Sensitive data (dietary and accessibility needs, travel documents, phone "
                "numbers) of visits that ended longer ago is proposed for deletion at start."
            )
        )
        column.addLayout(grid)
        column.addWidget(self.data_error)
        for widget in (self.backups_keep, self.retention):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._data_loaded: tuple[int, int | None] | None = None
        if self.runner is None:
            box.hide()
        else:
            self._load_data()
        return box

    def _load_data(self) -> None:
        assert self.runner is not None
        try:
            with self.runner.db.session() as session:
                keep = data_preferences.backups_keep(session)
                months = data_preferences.retention_months(session)
        except Exception:  # an unreadable database: the section says so, OK still works
            self.data_box_error("The backup and privacy settings cannot be read now.")
            self.backups_keep.setEnabled(False)
            self.retention.setEnabled(False)
            return
        self.backups_keep.setValue(keep)
        self.retention.setValue(months if months is not None else self.retention.minimum())
        self._data_loaded = (keep, months)

    def data_box_error(self, text: str) -> None:
        self.data_error.setText(text)
        self.data_error.setVisible(bool(text))

    def data_values(self) -> tuple[int, int | None]:
        """The backups to keep, and the retention in months (None: never), as shown."""
        months = self.retention.value()
        return self.backups_keep.value(), (None if months == self.retention.minimum() else months)

    def _save_data(self) -> bool:
        """Save the "Data" settings when changed (a setting, not an undoable edit);
        False, saying why, when they could not be saved."""
        if self.runner is None or self._data_loaded is None:
            return True
        keep, months = self.data_values()
        if (keep, months) == self._data_loaded:
            return True
        from delegations.services import operations

        def save(session: Any) -> None:
            data_preferences.set_backups_keep(session, keep)
            data_preferences.set_retention_months(session, months)

        if self.runner.run(operations.custom("change the backup and privacy settings", save)):
            self._data_loaded = (keep, months)
            return True
        self.data_box_error("The backup and privacy settings were not saved; try again.")
        return False

    def _load(self, smtp: SmtpSettings | None) -> None:
        smtp = smtp or SmtpSettings(host="")
        self.host.setText(smtp.host)
        self.security.blockSignals(True)
        self.security.setCurrentIndex(max(self.security.findData(smtp.security), 0))
        self.security.blockSignals(False)
        self._security_was = smtp.security
        self.port.blockSignals(True)
        self.port.setValue(smtp.port)
        self.port.blockSignals(False)
        self.user.setText(smtp.user)
        self.from_address.setText(smtp.sender)
        if self.keyring:
            self.keyring_note.setText(
                "Remember the password in the system keyring: it is kept there only, "
                "never in Delegations' settings or database."
            )
        else:
            self.keyring_note.setText(sending.NO_KEYRING)
            self.keyring_note.setStyleSheet(ERROR_STYLE)
            self.password.setPlaceholderText("not stored: used only to test the connection")
        self._refresh_stored()
        self._touched.clear()  # loaded, not edited
        self._validate()

    # the fields -----------------------------------------------------------------
    def current(self) -> SmtpSettings:
        """The settings as typed (not yet checked)."""
        return SmtpSettings(
            host=self.host.text().strip(),
            port=self.port.value(),
            security=Security(self.security.currentData()),
            user=self.user.text().strip(),
            sender=self.from_address.text().strip(),
        )

    def blank(self) -> bool:
        """Nothing is filled in: OK then saves "no server" (sending asks for one)."""
        return not (
            self.host.text().strip() or self.user.text().strip() or self.from_address.text().strip()
        )

    def _security_changed(self) -> None:
        """The port follows the security while it is still the previous one's default."""
        chosen = Security(self.security.currentData())
        if self.port.value() == self._security_was.default_port:
            self.port.setValue(chosen.default_port)
        self._security_was = chosen
        self._edited("security")

    def _edited(self, key: str) -> None:
        self._touched.add(key)
        if key == "user":
            self._update_password_state()
        self._validate()

    def _password_edited(self) -> None:
        self.errors["password"].hide()

    def _refresh_stored(self) -> None:
        """Whether the keyring holds a password for this user and server (never shown)."""
        smtp = self.current()
        self._stored = bool(
            self.keyring and smtp.user and smtp.host and sending.stored_password(smtp)
        )
        self._update_password_state()

    def _update_password_state(self) -> None:
        has_user = bool(self.user.text().strip())
        self.password.setEnabled(has_user)
        stored = self._stored and not self._forgotten()
        if not has_user:
            self.password.setPlaceholderText("no user name: the server needs no login")
        elif not self.keyring:
            self.password.setPlaceholderText("not stored: used only to test the connection")
        elif stored:
            self.password.setPlaceholderText("stored; type a new one to replace it")
        else:
            self.password.setPlaceholderText("")
        if stored:
            self.stored_note.setText("A password is stored in the system keyring.")
        elif self._stored:
            self.stored_note.setText("The stored password will be forgotten when you press OK.")
        else:
            self.stored_note.setText("")
        self.stored_note.setVisible(bool(self.stored_note.text()))
        self.forget_button.setVisible(stored)

    def _forgotten(self) -> bool:
        """Forget was pressed for the account now typed."""
        return self._forget is not None and self._forget.keyring_user == self.current().keyring_user

    def forget_password(self) -> None:
        """Forget the stored password when OK is pressed (Cancel keeps it)."""
        self._forget = self.current()
        self.password.clear()
        self._update_password_state()
        self.password.setFocus()

    def problems(self) -> dict[str, str]:
        """Field → what is wrong (none when nothing is filled in)."""
        if self.blank():
            return {}
        return {k: v for k, v in self.current().problems().items() if k in self.errors}

    def _validate(self) -> dict[str, str]:
        found = self.problems()
        for key in ("host", "port", "security", "sender"):
            label = self.errors[key]
            shown = key in found and (self._show_all or key in self._touched)
            label.setText(_sentence(found[key]) if shown else "")
            label.setVisible(shown)
        return found

    # OK -------------------------------------------------------------------------
    def accept(self) -> None:
        """Save and close; stay open, saying what is wrong, while a field is wrong."""
        self._show_all = True
        found = self._validate()
        if found:
            first = next(k for k in ("host", "port", "security", "sender") if k in found)
            {"host": self.host, "port": self.port, "security": self.security}.get(
                first, self.from_address
            ).setFocus()
            return
        smtp = self.current()
        if not self._save_password(smtp):
            return
        if not self._save_data():
            return
        self.settings.set_smtp(smtp)
        self.settings.sync()
        super().accept()

    def _save_password(self, smtp: SmtpSettings) -> bool:
        """Keep the typed password in the keyring (or forget the stored one); False,
        saying why, when the keyring refused."""
        typed = self.password.text()
        if not self.keyring:
            return True
        try:
            if self._forget is not None:
                sending.store_password(self._forget, "")
            if typed and smtp.user and smtp.host:
                sending.store_password(smtp, typed)
        except ServiceError as exc:
            self.errors["password"].setText(str(exc))
            self.errors["password"].show()
            self.password.setFocus()
            return False
        return True

    def done(self, result: int) -> None:
        self._detach_test()
        super().done(result)

    # Test connection -----------------------------------------------------------
    def testing(self) -> bool:
        return self.test_task is not None

    def test_connection(self) -> None:
        """Connect, log in and leave, on a worker thread; say how it went."""
        if self.testing():
            return
        self._show_all = True
        if self.blank() or self._validate():
            self._tested(False, "Fill in the SMTP server first, then test the connection.")
            return
        smtp = self.current()
        typed = self.password.text()
        use_stored = self._stored and not self._forgotten()

        def work(_progress: Progress) -> str:
            password = typed or (sending.stored_password(smtp) if use_stored else None)
            return sending.check_connection(smtp, password)

        task = Task(work, expected=(SendError, ServiceError, OSError))
        task.succeeded.connect(self._test_succeeded)
        task.failed.connect(self._test_failed)
        task.finished.connect(self._test_done)
        self.test_task = task
        _running.add(task)
        task.finished.connect(partial(_finished, task))
        self.test_button.setEnabled(False)
        self.busy.show()
        self.test_result.setStyleSheet(QUIET_STYLE)
        self.test_result.setText(f"Connecting to {smtp.host}:{smtp.port}…")
        task.start()

    def _test_succeeded(self, line: object) -> None:
        self._tested(True, str(line))

    def _test_failed(self, line: str) -> None:
        self._tested(False, line)

    def _tested(self, ok: bool, line: str) -> None:
        self.test_result.setStyleSheet(GOOD_STYLE if ok else ERROR_STYLE)
        self.test_result.setText(line)
        self.tested.emit(ok, line)

    def _test_done(self) -> None:
        self.test_task = None
        self.busy.hide()
        self.test_button.setEnabled(True)

    def _detach_test(self) -> None:
        """The dialog closes: a running test goes on alone and reports to no one."""
        task, self.test_task = self.test_task, None
        if task is not None:
            task.succeeded.disconnect(self._test_succeeded)
            task.failed.disconnect(self._test_failed)
            task.finished.disconnect(self._test_done)


def _finished(task: Task) -> None:
    if task in _running:
        _running.discard(task)
        task.deleteLater()


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else ""
