"""Whether the window can be shown: a graphical session must be reachable.

Qt aborts the whole process (after advising to reinstall it) when it cannot
reach a display. This looks first, cheaply and without Qt, so that
``delegations`` can say in one line what is wrong and point to the command line.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")


def _x11_reachable(display: str) -> bool:
    host, _sep, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        if not Path(path).exists():
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            try:
                sock.connect(path)
            except OSError:
                return False
            return True
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=2):
            return True
    except OSError:
        return False


def _wayland_reachable(name: str) -> bool:
    path = Path(name)
    if not path.is_absolute():
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        if not runtime:
            return False
        path = Path(runtime) / name
    return path.exists()


def display_problem() -> str | None:
    """Why no window can be shown here, or None when a display looks reachable."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if platform in HEADLESS_PLATFORMS:
        return None
    wayland = os.environ.get("WAYLAND_DISPLAY")
    if wayland and platform in ("", "wayland") and _wayland_reachable(wayland):
        return None
    display = os.environ.get("DISPLAY")
    if display and platform in ("", "xcb") and _x11_reachable(display):
        return None
    if not display and not wayland:
        reason = "no display is set (neither DISPLAY nor WAYLAND_DISPLAY)"
    else:
        reason = f"the display {display or wayland} cannot be reached"
    return (
        f"the window needs a graphical session and {reason}; "
        "use the command line instead (delegations --help)"
    )
