"""The composition root: ``delegations`` opens the window; settings and start pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from delegations.store import Database
from delegations.store.paths import default_db_path
from delegations.ui.app import choose_database
from delegations.ui.main_window import MainWindow
from delegations.ui.pages import LIST_PAGES as PAGE_NAMES
from delegations.ui.settings import ENV_SETTINGS_DIR, Settings


@pytest.fixture
def settings_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "settings"
    monkeypatch.setenv(ENV_SETTINGS_DIR, str(folder))
    return folder


def test_delegations_without_a_command_opens_the_window(tmp_path: Path, settings_dir: Path) -> None:
    """A real start in its own process: the window shows on the asked page, then quits."""
    probe = tmp_path / "shown"
    db_path = tmp_path / "new.db"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        DELEGATIONS_SETTINGS_DIR=str(settings_dir),
        DELEGATIONS_STARTUP_PROBE=str(probe),
        DELEGATIONS_START_PAGE="people",
    )
    env.pop("DELEGATIONS_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "delegations", "--db", str(db_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert float(probe.read_text()) > 0
    assert db_path.exists()
    assert "no page" not in done.stderr
    assert "databases" in (settings_dir / "delegations.ini").read_text()


def test_unknown_start_page_is_reported(tmp_path: Path, settings_dir: Path) -> None:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        DELEGATIONS_SETTINGS_DIR=str(settings_dir),
        DELEGATIONS_STARTUP_PROBE=str(tmp_path / "shown"),
        DELEGATIONS_START_PAGE="calendar",
    )
    done = subprocess.run(
        [sys.executable, "-m", "delegations", "--db", str(tmp_path / "x.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert "no page 'calendar'" in done.stderr


def test_start_pages_reach_every_screen(qtbot, demo_db: Database, settings_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(demo_db, Settings(), confirm=lambda t, x: True, inform=lambda t, x: None)
    qtbot.addWidget(window)
    window.show()
    for name in ("delegations", "people", "organisations", "venues"):
        window.show_page(name)
        assert window.current_list_page() is window.pages[PAGE_NAMES[name]]
    for name in ("overview", "attendees", "agenda", "exports"):
        window.show_page(name)
        assert window.workspace.current_page() == name
    window.show_page("exports:badges")
    assert window.workspace.exports.current_kind().key == "badges"
    window.close()


def test_last_database_is_reopened_when_none_is_asked_for(
    qapp: QApplication, tmp_path: Path, settings_dir: Path, demo_db: Database
) -> None:
    settings = Settings()
    settings.remember_database(demo_db.path)
    assert choose_database(default_db_path(), settings) == demo_db.path
    explicit = tmp_path / "other.db"
    assert choose_database(explicit, settings) == explicit


def test_recent_databases_are_kept_in_order_without_duplicates(
    qapp: QApplication, tmp_path: Path, settings_dir: Path
) -> None:
    settings = Settings()
    for name in ("a.db", "b.db", "a.db", "c.db"):
        settings.remember_database(tmp_path / name)
    assert [p.name for p in settings.recent_databases()] == ["c.db", "a.db", "b.db"]


STARTUP_IMPORTS = """
import os, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from delegations.store import Database
from delegations.ui.main_window import MainWindow
from delegations.ui.settings import Settings
window = MainWindow(Database.open(sys.argv[1]), Settings())
window.show()
for page in ("people", "organisations", "venues", "overview", "attendees", "agenda", "exports"):
    window.show_page(page)
app.processEvents()
heavy = sorted(m for m in ("reportlab", "icalendar", "segno") if m in sys.modules)
print(",".join(heavy) or "none")
window.close()
"""


def test_export_libraries_are_not_imported_to_show_the_window(
    tmp_path: Path, settings_dir: Path
) -> None:
    db_path = tmp_path / "demo.db"
    subprocess.run(
        [sys.executable, "-m", "delegations", "--db", str(db_path), "demo"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DELEGATIONS_SETTINGS_DIR=str(settings_dir))
    done = subprocess.run(
        [sys.executable, "-c", STARTUP_IMPORTS, str(db_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"
