"""The application's identity for the desktop: its icon and its desktop entry's name.

The icon is drawn once (``resources/icons/delegations.svg``) and rendered to PNGs by
``packaging/render_icons.py``; the window uses the PNGs, which need no SVG plugin.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QIcon

from delegations.resources import resource

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DESKTOP_ID = "delegations"  # packaging/linux/delegations.desktop


def application_icon() -> QIcon:
    """Every size of the application's icon (empty when the files are missing)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = resource("icons", f"delegations-{size}.png")
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


def identify(app: QGuiApplication) -> None:
    """Give ``app``'s windows the icon, and tell the desktop (Wayland) which entry is ours."""
    app.setWindowIcon(application_icon())
    app.setDesktopFileName(DESKTOP_ID)
