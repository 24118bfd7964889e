"""The composition root: ``delegations`` opens the window; settings and start pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from delegations.cli import main
from delegations.store import Database
from delegations.store.paths import default_db_path
from delegations.ui.app import ENV_START_PAGE, ENV_STARTUP_PROBE, choose_database
from delegations.ui.main_window import MainWindow
from delegations.ui.settings import ENV_SETTINGS_DIR, Settings


@pytest.fixture
def settings_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "settings"
    monkeypatch.setenv(ENV_SETTINGS_DIR, str(folder))
    return folder


def test_delegations_without_a_command_opens_the_window(
    qapp: QApplication, tmp_path: Path, settings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = tmp_path / "shown"
    monkeypatch.setenv(ENV_STARTUP_PROBE, str(probe))
    monkeypatch.setenv(ENV_START_PAGE, "people")
    db_path = tmp_path / "new.db"
    assert main(["--db", str(db_path)]) == 0
    assert probe.read_text().strip()
    assert db_path.exists()
    windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
    assert windows and windows[-1].current_list_page() is windows[-1].pages["person"]
    for window in windows:
        window.close()
    assert (settings_dir / "delegations.ini").exists()
    assert Settings().last_database() == db_path.resolve()


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
