"""The Exports tab records each calendar it writes, so that the next one for the same
audience cancels what that audience received and no longer has (as the command
line does); other documents record nothing, and nothing goes on the undo stack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from pytestqt.qtbot import QtBot

from delegations.model import Delegation, ItemStatus
from delegations.services import operations as ops
from delegations.services import publications, queries
from delegations.services.history import StorageError, perform
from delegations.store import Database
from delegations.ui.export_page import ExportPage
from delegations.ui.main_window import MainWindow
from ics_support import check_ics

FIRST = datetime(2027, 5, 20, 8, 30, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The export's time: a day later at each export (the demo visit is in July 2027)."""
    used: list[datetime] = []

    def now() -> datetime:
        used.append(FIRST + timedelta(days=len(used)))
        return used[-1]

    monkeypatch.setattr("delegations.ui.export_page.utc_now", now)
    yield used


@pytest.fixture
def exports(main_window: MainWindow) -> ExportPage:
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    main_window.show_exports()
    page = main_window.workspace.exports
    page.select_kind("ical")
    return page


def load(db: Database) -> Delegation:
    with db.session() as session:
        return queries.load_delegation(session, queries.list_delegations(session)[0].id)


def idle(qtbot: QtBot, page: ExportPage) -> None:
    """The worker is done and the page ready for another export (Export enabled)."""
    qtbot.waitUntil(lambda: page.task is None and page.export_button.isEnabled(), timeout=30000)


def export(qtbot: QtBot, page: ExportPage, out: Path) -> dict[str, Any]:
    """Export what the page shows to ``out`` with the Export button; its events by UID."""
    page.file.setText(str(out))
    with qtbot.waitSignal(page.finished, timeout=30000):
        page.export_button.click()
    idle(qtbot, page)
    assert page.status.text() == f"Wrote {out}"
    calendar = Calendar.from_ical(out.read_bytes())
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def cancelled_later(before: Any, after: Any) -> bool:
    return str(after["STATUS"]) == "CANCELLED" and int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_delegation_calendar_cancels_a_deleted_item(
    qtbot: QtBot,
    main_window: MainWindow,
    exports: ExportPage,
    clock: list[datetime],
    tmp_path: Path,
) -> None:
    db = main_window.db
    delegation = load(db)
    gone = next(i for i in delegation.items if i.everyone and i.status != ItemStatus.CANCELLED)
    audiences: list[str] = []
    exports.published.connect(audiences.append)

    old, new = tmp_path / "visit-1.ics", tmp_path / "visit-2.ics"
    before = export(qtbot, exports, old)
    assert gone.uuid in before and str(before[gone.uuid].get("STATUS")) != "CANCELLED"
    assert audiences == ["delegation"]
    with db.session() as session:
        recorded = publications.last_publication(session, delegation.id, "delegation")
        assert recorded is not None and recorded.published_at == clock[0]
    assert not main_window.runner.history.can_undo()  # never on the undo stack

    perform(db, ops.delete_items([gone.id]))
    after = export(qtbot, exports, new)
    assert cancelled_later(before[gone.uuid], after[gone.uuid])
    assert str(after[gone.uuid]["SUMMARY"]) == gone.title
    assert audiences == ["delegation", "delegation"]
    assert not main_window.runner.history.can_undo()
    check_ics(new, old)


def test_personal_calendar_cancels_an_item_the_attendee_was_taken_off(
    qtbot: QtBot,
    main_window: MainWindow,
    exports: ExportPage,
    clock: list[datetime],
    tmp_path: Path,
) -> None:
    db = main_window.db
    delegation = load(db)
    item = next(i for i in delegation.items if not i.everyone and len(i.participants) > 1)
    participation = sorted(item.participants, key=lambda p: p.id)[0]
    person = participation.person_id
    exports.attendee.setCurrentIndex(exports.attendee.findData(person))
    assert exports.options().attendee_id == person

    old, new = tmp_path / "mine-1.ics", tmp_path / "mine-2.ics"
    before = export(qtbot, exports, old)
    assert item.uuid in before
    others = [p.id for p in item.participants if p.id != participation.id]
    perform(db, ops.update_item(item.id, {"participant_ids": others}))
    after = export(qtbot, exports, new)
    assert cancelled_later(before[item.uuid], after[item.uuid])
    with db.session() as session:
        audience = publications.audience_key(person_id=person)
        assert set(publications.last_published(session, delegation.id, audience)) == set(after)
        # the delegation calendar was not published by these exports
        assert publications.last_publication(session, delegation.id, "delegation") is None
    check_ics(new, old)


def test_a_calendar_written_but_not_recorded_is_said_in_one_line(
    qtbot: QtBot,
    exports: ExportPage,
    clock: list[datetime],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def locked(*_args: Any) -> None:
        raise StorageError("the database is locked by another program")

    monkeypatch.setattr("delegations.services.history.perform", locked)
    audiences: list[str] = []
    exports.published.connect(audiences.append)
    out = tmp_path / "visit.ics"
    exports.file.setText(str(out))
    with qtbot.waitSignal(exports.finished, timeout=30000):
        exports.export_button.click()
    idle(qtbot, exports)
    assert out.is_file()
    status = exports.status.text()
    assert status.startswith(f"Wrote {out}, but what it holds could not be recorded")
    assert "locked by another program" in status and "export it again" in status
    assert "\n" not in status
    assert audiences == []
    assert exports.open_file_button.isVisible()


def test_other_documents_record_no_publication(
    qtbot: QtBot, main_window: MainWindow, exports: ExportPage, tmp_path: Path
) -> None:
    exports.select_kind("programme")
    out = tmp_path / "programme.pdf"
    exports.file.setText(str(out))
    with qtbot.waitSignal(exports.finished, timeout=60000):
        exports.export_button.click()
    idle(qtbot, exports)
    assert out.is_file()
    delegation_id = exports.delegation_id
    assert delegation_id is not None
    with main_window.db.session() as session:
        assert publications.last_publication(session, delegation_id, "delegation") is None
