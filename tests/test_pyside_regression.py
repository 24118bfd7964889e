"""PySide6 6.12.0 on Python 3.11 lowers None's reference count on every void Qt call.

After ~5,000 such calls Python aborts (``Fatal Python error: none_dealloc``). The
dependency excludes that version; this test fails if a broken build comes back.
"""

from __future__ import annotations

import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject


def test_void_qt_calls_keep_none_alive() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        obj.setObjectName("x")
    assert sys.getrefcount(None) - before > -100, f"PySide6 {pyside_version} leaks None references"


def test_the_known_broken_version_is_not_installed() -> None:
    if sys.version_info < (3, 12):
        assert pyside_version != "6.12.0"
