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
def answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Recorded questions and messages, with settings kept in the test's folder."""
    from ui_support import make_answers

    return make_answers(tmp_path, monkeypatch)
