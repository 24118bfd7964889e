"""Every remembered setting, declared once with its default.

Settings live in Qt's usual place for the organisation ``Delegations`` and the
application ``delegations``. Set ``DELEGATIONS_SETTINGS_DIR`` to keep them in an
INI file in that folder instead (tests, portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from delegations.services.sending import Security, SmtpSettings

ORGANISATION = "Delegations"
APPLICATION = "delegations"
ENV_SETTINGS_DIR = "DELEGATIONS_SETTINGS_DIR"
MAX_RECENT = 8
VERSION = 1


class Settings:
    """Typed access to the application's QSettings.

    Args:
        store: the QSettings to use; by default the one ``open_settings`` returns.
    """

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else open_settings()
        if self.store.value("version") is None:
            self.store.setValue("version", VERSION)

    # window ---------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_geometry(self, value: QByteArray) -> None:
        self.store.setValue("window/geometry", value)

    def window_size(self) -> QSize | None:
        value = self.store.value("window/size")
        return value if isinstance(value, QSize) and value.isValid() else None

    def set_window_size(self, value: QSize) -> None:
        self.store.setValue("window/size", value)

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_window_state(self, value: QByteArray) -> None:
        self.store.setValue("window/state", value)

    def splitter(self, name: str) -> QByteArray | None:
        return self._bytes(f"splitters/{name}")

    def set_splitter(self, name: str, value: QByteArray) -> None:
        self.store.setValue(f"splitters/{name}", value)

    # databases ------------------------------------------------------------
    def last_database(self) -> Path | None:
        value = self.store.value("databases/last")
        return Path(str(value)) if value else None

    def recent_databases(self) -> list[Path]:
        value = self.store.value("databases/recent")
        if not value:
            return []
        items = [value] if isinstance(value, str) else list(value)
        return [Path(str(v)) for v in items if v]

    def remember_database(self, path: Path) -> None:
        """Make ``path`` the last database and the first of the recent ones."""
        path = Path(path)
        recent = [p for p in self.recent_databases() if p != path]
        recent.insert(0, path)
        self.store.setValue("databases/last", str(path))
        self.store.setValue("databases/recent", [str(p) for p in recent[:MAX_RECENT]])

    # exports --------------------------------------------------------------
    def export_folder(self) -> Path:
        value = self.store.value("exports/folder")
        return Path(str(value)) if value else Path.home()

    def set_export_folder(self, folder: Path) -> None:
        self.store.setValue("exports/folder", str(folder))

    # imports --------------------------------------------------------------
    def import_folder(self) -> Path:
        """Where the last spreadsheet of people was chosen (home at first)."""
        value = self.store.value("imports/folder")
        return Path(str(value)) if value else Path.home()

    def set_import_folder(self, folder: Path) -> None:
        self.store.setValue("imports/folder", str(folder))

    # sending (the password is in the system keyring, never here) ------------
    def smtp(self) -> SmtpSettings | None:
        """The SMTP server set in Preferences; None until one is set."""
        host = str(self.store.value("smtp/host") or "").strip()
        if not host:
            return None
        try:
            security = Security(str(self.store.value("smtp/security") or Security.STARTTLS))
        except ValueError:
            security = Security.STARTTLS
        try:
            port = int(str(self.store.value("smtp/port") or security.default_port))
        except ValueError:
            port = security.default_port
        return SmtpSettings(
            host=host,
            port=port,
            security=security,
            user=str(self.store.value("smtp/user") or ""),
            sender=str(self.store.value("smtp/from") or ""),
        )

    def set_smtp(self, value: SmtpSettings) -> None:
        self.store.setValue("smtp/host", value.host.strip())
        self.store.setValue("smtp/port", value.port)
        self.store.setValue("smtp/security", value.security.value)
        self.store.setValue("smtp/user", value.user.strip())
        self.store.setValue("smtp/from", value.sender.strip())

    def sync(self) -> None:
        self.store.sync()

    def restore_window(self, window: Any) -> None:
        """Size, position, state and side-bar width as last left, within the screen.

        Whatever was saved (a larger monitor since unplugged, another resolution),
        the window is never larger than the screen's available area and lies
        inside it (``fit_to_screen``).
        """
        window.resize(*first_size(window))
        geometry = self.geometry()
        if geometry is not None:
            window.restoreGeometry(geometry)
        size = self.window_size()
        if size is not None:
            window.resize(size)
        state = self.window_state()
        if state is not None:
            window.restoreState(state)
        splitter = self.splitter("main")
        if splitter is not None:
            window.splitter.restoreState(splitter)
        fit_to_screen(window)

    def save_window(self, window: Any) -> None:
        self.set_geometry(window.saveGeometry())
        self.set_window_size(window.size())
        self.set_window_state(window.saveState())
        self.set_splitter("main", window.splitter.saveState())
        self.remember_database(window.db.path)
        self.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move ``window`` so that it lies within its screen's available area.

    The screen is the one under the window's centre, else the window's own, else
    the primary one. The window's minimum size is lowered on a screen smaller
    than it, and its frame (title bar, borders, once known) is counted. A
    maximised or full-screen window is left to the window manager.
    """
    if window.isMaximized() or window.isFullScreen():
        return
    screen = (
        QGuiApplication.screenAt(window.frameGeometry().center())
        or window.screen()
        or QGuiApplication.primaryScreen()
    )
    if screen is None:
        return
    available = screen.availableGeometry()
    frame, inner = window.frameGeometry(), window.geometry()
    extra_w = max(frame.width() - inner.width(), 0)
    extra_h = max(frame.height() - inner.height(), 0)
    room_w, room_h = available.width() - extra_w, available.height() - extra_h
    minimum = window.minimumSize()
    if minimum.width() > room_w or minimum.height() > room_h:
        window.setMinimumSize(min(minimum.width(), room_w), min(minimum.height(), room_h))
    if window.width() > room_w or window.height() > room_h:
        window.resize(min(window.width(), room_w), min(window.height(), room_h))
    width, height = window.width() + extra_w, window.height() + extra_h
    x = min(max(frame.x(), available.left()), available.left() + available.width() - width)
    y = min(max(frame.y(), available.top()), available.top() + available.height() - height)
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


def first_size(window: Any) -> tuple[int, int]:
    """The size of a first start: most of a large screen, 1280 × 820 at least where it fits."""
    screen = window.screen()
    if screen is None:
        return 1280, 820
    available = screen.availableGeometry()
    width = max(min(1280, available.width()), int(available.width() * 0.85))
    height = max(min(820, available.height()), int(available.height() * 0.85))
    return min(width, available.width()), min(height, available.height())


def open_settings() -> QSettings:
    """The QSettings store: an INI file under $DELEGATIONS_SETTINGS_DIR, else Qt's default."""
    folder = os.environ.get(ENV_SETTINGS_DIR)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(folder) / "delegations.ini"), QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)
