"""Edit ▸ Preferences: the SMTP server is kept in the settings, its password in the
keyring only; wrong fields are refused; the connection test never blocks the window."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from delegations.services import sending
from delegations.services.sending import KEYRING_SERVICE, Security, SmtpSettings
from delegations.ui.preferences import PreferencesDialog
from delegations.ui.settings import ENV_SETTINGS_DIR, Settings
from mail_support import MemoryKeyring, Recorder, free_port, installed_keyring, local_smtp_server

PASSWORD = "s3cr3t-Pässwörd!"
TYPED = "s3cr3t-typed!"  # QTest types ASCII only
USER = "officer@example.org"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def no_keyring() -> Iterator[None]:
    with installed_keyring(fail.Keyring()):
        yield


@pytest.fixture
def settings_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings in an INI file of the test's folder, never the user's own."""
    folder = tmp_path / "settings"
    monkeypatch.setenv(ENV_SETTINGS_DIR, str(folder))
    return folder


@pytest.fixture
def settings(settings_dir: Path) -> Settings:
    return Settings()


def open_dialog(qtbot: QtBot, settings: Settings) -> PreferencesDialog:
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def saved(settings_dir: Path) -> SmtpSettings | None:
    """What a fresh start of the application reads."""
    return Settings().smtp()


@pytest.fixture
def smtp_port() -> Iterator[int]:
    """A real SMTP server on 127.0.0.1: no TLS, no login."""
    with local_smtp_server(Recorder()) as port:
        yield port


# ------------------------------------------------------------------ load and save


def test_fields_load_from_and_save_to_the_settings_password_to_the_keyring_only(
    qtbot: QtBot, settings: Settings, settings_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    settings.set_smtp(
        SmtpSettings(
            host="smtp.example.org",
            port=2525,
            security=Security.TLS,
            user=USER,
            sender="Visits <visits@example.org>",
        )
    )
    settings.sync()
    dialog = open_dialog(qtbot, settings)
    assert dialog.host.text() == "smtp.example.org"
    assert dialog.port.value() == 2525
    assert dialog.security.currentData() == Security.TLS
    assert dialog.user.text() == USER
    assert dialog.from_address.text() == "Visits <visits@example.org>"
    assert dialog.password.text() == ""
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert not dialog.forget_button.isVisible()  # nothing stored yet

    dialog.host.setText("mail.example.org")
    dialog.port.setValue(587)
    dialog.security.setCurrentIndex(dialog.security.findData(Security.STARTTLS))
    dialog.from_address.setText("")
    qtbot.keyClicks(dialog.password, TYPED)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter presses OK (the default)

    assert not dialog.isVisible()
    assert saved(settings_dir) == SmtpSettings(
        host="mail.example.org", port=587, security=Security.STARTTLS, user=USER, sender=""
    )
    assert memory_keyring.passwords == {(KEYRING_SERVICE, f"{USER}@mail.example.org"): TYPED}
    text = (settings_dir / "delegations.ini").read_text(encoding="utf-8")
    assert "mail.example.org" in text
    assert "s3cr3t" not in text


def test_security_moves_the_port_while_it_is_the_previous_default(
    qtbot: QtBot, settings: Settings, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, settings)
    assert dialog.port.value() == 587
    dialog.security.setCurrentIndex(dialog.security.findData(Security.TLS))
    assert dialog.port.value() == 465
    dialog.security.setCurrentIndex(dialog.security.findData(Security.NONE))
    assert dialog.port.value() == 25
    dialog.port.setValue(2525)  # the user's own port stays
    dialog.security.setCurrentIndex(dialog.security.findData(Security.STARTTLS))
    assert dialog.port.value() == 2525


@pytest.mark.parametrize(
    ("field", "host", "port", "security", "message"),
    [
        ("host", "mail server.example.org", 587, Security.STARTTLS, "host name or address"),
        ("port", "smtp.example.org", 0, Security.STARTTLS, "between 1 and 65535"),
        ("security", "smtp.example.org", 25, Security.NONE, "only to a server on this computer"),
    ],
)
def test_a_wrong_field_is_refused_with_a_message_beside_it(
    qtbot: QtBot,
    settings: Settings,
    settings_dir: Path,
    memory_keyring: MemoryKeyring,
    field: str,
    host: str,
    port: int,
    security: Security,
    message: str,
) -> None:
    dialog = open_dialog(qtbot, settings)
    dialog.host.setText(host)
    dialog.security.setCurrentIndex(dialog.security.findData(security))
    dialog.port.setValue(port)
    dialog.user.setText(USER)
    dialog.password.setText(PASSWORD)
    dialog.ok_button.click()

    assert dialog.isVisible()  # refused
    error = dialog.errors[field]
    assert error.isVisible() and message in error.text()
    assert saved(settings_dir) is None
    assert not memory_keyring.passwords  # nothing stored while refused

    # Fixed, it is accepted.
    dialog.host.setText("smtp.example.org")
    dialog.security.setCurrentIndex(dialog.security.findData(Security.STARTTLS))
    dialog.port.setValue(587)
    assert not error.isVisible()
    dialog.ok_button.click()
    assert not dialog.isVisible()
    stored = saved(settings_dir)
    assert stored is not None and stored.host == "smtp.example.org"


def test_none_security_is_allowed_for_this_computer(
    qtbot: QtBot, settings: Settings, settings_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, settings)
    dialog.host.setText("localhost")
    dialog.security.setCurrentIndex(dialog.security.findData(Security.NONE))
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert saved(settings_dir) == SmtpSettings(host="localhost", port=25, security=Security.NONE)


def test_escape_cancels_and_saves_nothing(
    qtbot: QtBot, settings: Settings, settings_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, settings)
    dialog.host.setText("smtp.example.org")
    dialog.user.setText(USER)
    dialog.password.setText(PASSWORD)
    qtbot.keyClick(dialog.host, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert saved(settings_dir) is None
    assert not memory_keyring.passwords


def test_a_stored_password_is_said_never_shown_and_can_be_forgotten(
    qtbot: QtBot, settings: Settings, memory_keyring: MemoryKeyring
) -> None:
    smtp = SmtpSettings(host="smtp.example.org", user=USER)
    settings.set_smtp(smtp)
    sending.store_password(smtp, PASSWORD)
    key = (KEYRING_SERVICE, smtp.keyring_user)

    dialog = open_dialog(qtbot, settings)
    assert "A password is stored in the system keyring" in dialog.stored_note.text()
    assert dialog.forget_button.isVisible()
    assert dialog.password.text() == ""
    assert PASSWORD not in dialog.password.placeholderText()

    dialog.forget_button.click()  # forgotten on OK only: Cancel keeps it
    assert not dialog.forget_button.isVisible()
    assert "forgotten when you press OK" in dialog.stored_note.text()
    dialog.reject()
    assert memory_keyring.passwords[key] == PASSWORD

    dialog = open_dialog(qtbot, settings)
    dialog.forget_button.click()
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert key not in memory_keyring.passwords


def test_without_a_keyring_the_note_is_shown_and_saving_still_works(
    qtbot: QtBot, settings: Settings, settings_dir: Path, no_keyring: None
) -> None:
    dialog = open_dialog(qtbot, settings)
    assert dialog.keyring_note.isVisible()
    assert dialog.keyring_note.text() == sending.NO_KEYRING
    assert not dialog.forget_button.isVisible()
    dialog.host.setText("smtp.example.org")
    dialog.user.setText(USER)
    dialog.password.setText(PASSWORD)  # used for a test only, never stored
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert saved(settings_dir) == SmtpSettings(host="smtp.example.org", user=USER)
    text = (settings_dir / "delegations.ini").read_text(encoding="utf-8")
    assert PASSWORD not in text


# ------------------------------------------------------------------ Test connection


def test_connection_to_a_local_server_succeeds_without_blocking(
    qtbot: QtBot, settings: Settings, memory_keyring: MemoryKeyring, smtp_port: int
) -> None:
    dialog = open_dialog(qtbot, settings)
    dialog.host.setText("127.0.0.1")
    dialog.security.setCurrentIndex(dialog.security.findData(Security.NONE))
    dialog.port.setValue(smtp_port)
    with qtbot.waitSignal(dialog.tested, timeout=20000) as signal:
        dialog.test_button.click()
        assert dialog.testing() and not dialog.test_button.isEnabled()
        assert dialog.busy.isVisible()
    assert signal.args == [True, f"Connected to 127.0.0.1:{smtp_port} (no encryption, no login)."]
    assert dialog.test_result.text() == signal.args[1]
    qtbot.waitUntil(lambda: not dialog.testing() and dialog.test_button.isEnabled())
    assert not dialog.busy.isVisible()


def test_connection_to_a_closed_port_fails_with_one_line(
    qtbot: QtBot, settings: Settings, memory_keyring: MemoryKeyring
) -> None:
    port = free_port()  # nothing listens there
    dialog = open_dialog(qtbot, settings)
    dialog.host.setText("127.0.0.1")
    dialog.security.setCurrentIndex(dialog.security.findData(Security.NONE))
    dialog.port.setValue(port)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "Connection test failed" in dialog.test_result.text(), timeout=20000)
    assert "connection refused" in dialog.test_result.text()
    assert "\n" not in dialog.test_result.text()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled())


def test_the_window_stays_responsive_while_the_server_is_silent(
    qtbot: QtBot, settings: Settings, memory_keyring: MemoryKeyring
) -> None:
    """A server that accepts the connection and says nothing: the test waits on its
    thread while the event loop runs; the server then hangs up and it fails."""
    release = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def serve() -> None:
        connection, _ = listener.accept()
        release.wait(20)
        connection.close()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        dialog = open_dialog(qtbot, settings)
        dialog.host.setText("127.0.0.1")
        dialog.security.setCurrentIndex(dialog.security.findData(Security.NONE))
        dialog.port.setValue(port)
        dialog.test_button.click()
        ticks: list[int] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(10)
        qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)  # the event loop runs
        assert dialog.testing() and dialog.busy.isVisible()
        assert dialog.test_result.text().startswith("Connecting to 127.0.0.1")
        timer.stop()
        release.set()
        qtbot.waitUntil(lambda: not dialog.testing(), timeout=20000)
        assert "Connection test failed" in dialog.test_result.text()
    finally:
        release.set()
        server.join(5)
        listener.close()


# ------------------------------------------------------------------ the window


def test_edit_menu_opens_preferences_with_its_shortcut(
    qtbot: QtBot, main_window: Any, memory_keyring: MemoryKeyring
) -> None:
    edit = next(a.menu() for a in main_window.menuBar().actions() if a.text() == "&Edit")
    action = next(a for a in edit.actions() if a.text() == "&Preferences…")
    assert QKeySequence("Ctrl+,") in action.shortcuts()
    action.trigger()
    dialog = main_window.preferences_dialog
    assert isinstance(dialog, PreferencesDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.host.hasFocus() or not dialog.isActiveWindow())
    action.trigger()  # a second time: the same dialog
    assert main_window.preferences_dialog is dialog
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: main_window.preferences_dialog is None)
    assert main_window.settings.smtp() is None


def test_the_dialog_fits_the_screen_and_nothing_is_squeezed(
    qtbot: QtBot, settings: Settings, no_keyring: None
) -> None:
    dialog = open_dialog(qtbot, settings)
    screen = dialog.screen().availableGeometry()
    assert dialog.height() <= screen.height() and dialog.width() <= screen.width()
    for field in (dialog.host, dialog.port, dialog.security, dialog.user, dialog.from_address):
        assert field.height() >= field.minimumSizeHint().height(), field.accessibleName()
    note = dialog.keyring_note
    assert note.wordWrap() and note.text()
    assert note.height() >= note.heightForWidth(note.width())  # every line shown
    assert note.geometry().right() <= note.parentWidget().contentsRect().right()
    # a low screen: the groups scroll, the buttons stay visible
    dialog.resize(dialog.width(), 300)
    qtbot.waitUntil(lambda: dialog.scroll_area.verticalScrollBar().maximum() > 0)
    assert dialog.port.height() >= dialog.port.minimumSizeHint().height()
    assert dialog.ok_button.isVisible()
