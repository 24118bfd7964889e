"""The composition root: paths → Database → main window.

``run(db_path)`` is what ``delegations`` (or ``delegations gui``) calls.

Environment variables:
    DELEGATIONS_SETTINGS_DIR: keep settings in ``delegations.ini`` in this folder
        instead of Qt's usual place (tests, portable installs).
    DELEGATIONS_START_PAGE: open on this page: ``delegations``, ``people``,
        ``organisations``, ``venues``, or a page of the most recent delegation:
        ``overview``, ``attendees``, ``agenda``, ``exports`` or ``exports:KIND``
        (e.g. ``exports:badges``) (screenshots, demos).
    DELEGATIONS_STARTUP_PROBE: a file; when the window is first shown its time
        (``time.time()``) is written there and the application quits. The start-up
        benchmark uses it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from delegations.services.history import failure_message
from delegations.services.storage import ENV_DB, Database, default_db_path
from delegations.ui.about import identify
from delegations.ui.backups import open_or_recover
from delegations.ui.main_window import MainWindow
from delegations.ui.settings import APPLICATION, ORGANISATION, Settings

ENV_START_PAGE = "DELEGATIONS_START_PAGE"
ENV_STARTUP_PROBE = "DELEGATIONS_STARTUP_PROBE"


def choose_database(db_path: Path, settings: Settings) -> Path:
    """The database to open: the one asked for, else the last one used.

    ``db_path`` is what the command line resolved; when nothing was asked for
    (no ``--db``, no ``$DELEGATIONS_DB``) it is the default path, and the last
    database the user opened wins if it still exists.
    """
    asked = Path(db_path).expanduser()
    if asked == default_db_path() and not os.environ.get(ENV_DB):
        last = settings.last_database()
        if last is not None and last.exists():
            return last
    return asked


def make_application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Delegations")
    identify(app)
    return app


def build_window(db: Database, settings: Settings) -> MainWindow:
    """The main window over ``db`` (tests build theirs with injected dialogs)."""
    return MainWindow(db, settings)


def run(db_path: Path) -> int:
    """Open the main window on ``db_path`` (or the last database); the exit code."""
    app = make_application()
    settings = Settings()
    path = choose_database(db_path, settings)
    # A damaged file: the message offers to restore the latest good backup.
    db = open_or_recover(path)
    if db is None:
        return 1
    settings.remember_database(db.path)
    window = build_window(db, settings)
    install_excepthook(window)
    probe = os.environ.get(ENV_STARTUP_PROBE)
    if probe:
        window.first_shown.connect(lambda: _probe(Path(probe), app))
    window.show()
    start_page = os.environ.get(ENV_START_PAGE)
    if start_page:
        try:
            window.show_page(start_page.strip().lower())
        except ValueError:
            print(f"delegations: no page '{start_page}' ({ENV_START_PAGE})", file=sys.stderr)
    elif not probe:
        QTimer.singleShot(0, window.offer_demo)
    code = app.exec()
    window.db.close()
    return code


def install_excepthook(window: MainWindow) -> None:
    """Show an error that escaped a slot in a message box (and log it), never only on stderr."""

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        if isinstance(exc, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        message = failure_message(exc, window.db.path)
        print(f"delegations: error: {message}", file=sys.stderr)
        QMessageBox.critical(window, "Something went wrong", message)

    sys.excepthook = hook


def _probe(path: Path, app: QApplication) -> None:
    path.write_text(f"{time.time():.6f}\n")
    QTimer.singleShot(0, app.quit)
