"""Privacy ▸ Audit log: the window's view of the audit log (issue 15)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from delegations.services import audit
from delegations.services import operations as ops
from delegations.ui import actions
from delegations.ui.audit_view import PAGE, AuditActions, AuditDialog

pytestmark = pytest.mark.gui


def holder(window: Any) -> AuditActions:
    return next(h for h in window.action_holders if isinstance(h, AuditActions))


def open_log(window: Any) -> AuditDialog:
    dialog = holder(window).show_audit_log()
    assert dialog.isVisible()
    return dialog


def shown(dialog: AuditDialog, column: int) -> list[str]:
    model = dialog.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def add_person(window: Any, given: str = "Inès", **fields: Any) -> int:
    outcome = window.runner.run(
        ops.create("person", {"given_name": given, "family_name": "Ødegård", **fields})
    )
    assert outcome is not None
    return int(outcome.result)


def test_the_menu_opens_one_dialog_that_follows_the_edits(main_window: Any) -> None:
    [menu] = [m for m, specs in actions.MENUS.items() if "show_audit_log" in [s.key for s in specs]]
    assert menu.replace("&", "") == "Privacy"
    assert main_window._slot("show_audit_log") == holder(main_window).show_audit_log
    dialog = open_log(main_window)
    assert dialog.model.rowCount() == 0 and dialog.status.text() == "No entries."
    assert not dialog.isModal()
    person = add_person(main_window, phone="+34 600 000 000")
    assert dialog.model.rowCount() == 1  # read again when the runner reports the change
    assert shown(dialog, 1) == ["create"]
    assert shown(dialog, 2) == ["person"] and shown(dialog, 3) == [str(person)]
    assert "phone" in shown(dialog, 5)[0] and "+34" not in shown(dialog, 5)[0]
    main_window.runner.undo()
    assert shown(dialog, 1) == ["undo", "create"]
    assert open_log(main_window) is dialog  # reused, not a second window


def test_filters(main_window: Any) -> None:
    first = add_person(main_window, "Ana")
    second = add_person(main_window, "Bea")
    main_window.runner.run(ops.update("person", second, {"notes": "x"}))
    dialog = open_log(main_window)
    assert dialog.model.rowCount() == 3
    dialog.action.setCurrentIndex(dialog.action.findData("update"))
    assert shown(dialog, 1) == ["update"] and shown(dialog, 5) == ["notes"]
    dialog.action.setCurrentIndex(0)
    dialog.record_id.setText(str(first))
    assert shown(dialog, 3) == [str(first)]
    dialog.record_id.clear()
    assert dialog.record.findData("person") > 0
    dialog.record.setCurrentIndex(dialog.record.findData("person"))
    assert dialog.model.rowCount() == 3
    tomorrow = QDate.currentDate().addDays(1)
    dialog.since_check.setChecked(True)
    dialog.since.setDate(tomorrow)
    assert dialog.model.rowCount() == 0
    dialog.since.setDate(QDate.currentDate().addDays(-1))
    assert dialog.model.rowCount() == 3
    dialog.until_check.setChecked(True)
    dialog.until.setDate(QDate.currentDate().addDays(-1))
    assert dialog.model.rowCount() == 0


def test_a_long_log_is_read_a_page_at_a_time(main_window: Any) -> None:
    with main_window.db.transaction() as session:
        for number in range(PAGE * 2 + 5):
            audit.note(session, "export", "itinerary", number)
    dialog = open_log(main_window)
    assert dialog.model.rowCount() == PAGE
    assert dialog.model.canFetchMore()
    dialog.table.scrollToBottom()
    while dialog.model.canFetchMore():
        dialog.model.fetchMore()
    assert dialog.model.rowCount() == PAGE * 2 + 5
    ids = [int(v) for v in shown(dialog, 3)]
    assert ids == sorted(ids, reverse=True)  # newest first, nothing twice


def test_export_csv_writes_what_the_filters_select(
    main_window: Any, answers: Any, tmp_path: Path
) -> None:
    add_person(main_window, "Ana", phone="+351 900 000 000")
    dialog = open_log(main_window)
    out = tmp_path / "log.csv"
    answers.files.append(str(out))
    assert dialog.export_csv() == out
    assert str(out) in dialog.status.text()
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert rows[0] == list(audit.CSV_HEADER) and len(rows) == 2
    assert "+351" not in out.read_text("utf-8-sig")
    # never onto the database
    answers.files.append(str(main_window.db.path))
    assert dialog.export_csv() is None
    assert answers.messages[-1][0] == "Cannot export the audit log"
    # cancelled
    assert dialog.export_csv() is None


def test_escape_closes_and_the_keyboard_reaches_the_filters(main_window: Any, qtbot: Any) -> None:
    dialog = open_log(main_window)
    qtbot.waitExposed(dialog)
    assert dialog.table.hasFocus() or dialog.focusWidget() is dialog.table
    labels = [w.text() for w in dialog.findChildren(type(dialog.status)) if w.buddy()]
    assert {"&Action", "&Record", "&Id"} <= set(labels)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert open_log(main_window) is dialog


def test_the_count_is_right_once_everything_is_read(main_window: Any) -> None:
    with main_window.db.transaction() as session:
        for number in range(PAGE + 5):
            audit.note(session, "export", "itinerary", number)
    dialog = open_log(main_window)
    assert "more as you scroll" in dialog.status.text()
    while dialog.model.canFetchMore():
        dialog.model.fetchMore()
    total = dialog.model.rowCount()
    assert total > PAGE
    assert dialog.status.text() == f"{total} entries."


def test_the_log_is_active_again_after_a_message(
    main_window: Any, answers: Any, qtbot: Any
) -> None:
    dialog = open_log(main_window)
    qtbot.waitExposed(dialog)

    def refuse(title: str, text: str) -> None:
        answers.messages.append((title, text))
        main_window.activateWindow()  # as a message box leaves it: the window active

    main_window.warn = refuse
    answers.files.append(str(main_window.db.path))
    assert dialog.export_csv() is None
    assert answers.messages[-1][0] == "Cannot export the audit log"
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.table.hasFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_buttons_have_mnemonics_that_do_not_clash(main_window: Any) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    dialog = open_log(main_window)
    assert dialog.refresh_button.text() == "Refres&h"
    assert dialog.export_button.text() == "&Export CSV…"
    texts = [b.text() for b in dialog.findChildren(QAbstractButton) if "&" in b.text()]
    texts += [w.text() for w in dialog.findChildren(QLabel) if w.buddy()]
    keys = [t[t.index("&") + 1].lower() for t in texts]
    assert len(keys) == len(set(keys)), texts
