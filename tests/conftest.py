"""Shared fixtures. GUI tests run offscreen; tests using Qt get the ``gui`` marker."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qt_screen import offscreen_platform

os.environ.setdefault("QT_QPA_PLATFORM", offscreen_platform())
os.environ.pop("DELEGATIONS_DB", None)

from delegations.model import Delegation
from delegations.services import queries
from delegations.services.demo import load_demo
from delegations.store import Database

QT_FIXTURES = {"qtbot", "qapp", "qtmodeltester", "main_window"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if QT_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated, empty database."""
    database = Database.open(tmp_path / "test.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file holding the demo delegation, built once per test run."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    database = Database.open(path)
    with database.transaction() as session:
        load_demo(session)
    database.close()
    return path


@pytest.fixture
def demo_db(tmp_path: Path, demo_db_template: Path) -> Iterator[Database]:
    """A private copy of a database holding the demo delegation."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_db_template, path)
    database = Database.open(path)
    yield database
    database.close()


@pytest.fixture
def demo(demo_db: Database) -> Delegation:
    """The demo delegation, fully loaded (usable after its session closed)."""
    with demo_db.session() as session:
        delegation_id = queries.list_delegations(session)[0].id
        return queries.load_delegation(session, delegation_id)


@pytest.fixture
def main_window(qtbot: Any, demo_db: Database, answers: Any) -> Iterator[Any]:
    """The main window on a copy of the demo database (tests may override it)."""
    from ui_support import open_window

    window = open_window(qtbot, demo_db, answers)
    yield window
    window.close()


@pytest.fixture
def agenda(main_window: Any) -> Any:
    """The demo delegation's agenda page."""
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    main_window.show_page("agenda")
    return main_window.workspace.agenda


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Delegation:
    """The 40-attendee, 120-item, 3-day visit of ``services.samples``, loaded from a
    database as the application loads it (once per test module)."""
    from pdf_support import large_visit

    return large_visit(tmp_path_factory.mktemp("large"))


@pytest.fixture
def answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Recorded questions and messages, with settings kept in the test's folder."""
    from ui_support import make_answers

    return make_answers(tmp_path, monkeypatch)
