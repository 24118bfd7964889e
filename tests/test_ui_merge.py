"""Importing a package in the window: the merge preview, conflicts decided, one undo step.

The two-laptop scenario of issue 14 with real packages: the window's database (laptop
A) writes a package; a second database (laptop B) imports it; each side edits; B's
package is imported in the window.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyle

from delegations.services import exchange, history, package, queries
from delegations.services import operations as ops
from delegations.store import Database
from delegations.ui.main_window import MainWindow
from delegations.ui.merge_dialog import HERE, THEIRS, MergeDialog, conflict_values

WAIT = 20000


@dataclass
class Scenario:
    delegation_id: int
    first: Path  # the package A wrote, B started from
    theirs: Path  # the package B wrote after its edits
    x: str  # renamed here
    y: str  # renamed there
    z: str  # renamed on both sides: a conflict
    w: str  # deleted here, edited there: a conflict
    originals: dict[str, str]


def titles(db: Database, delegation_id: int) -> dict[str, str]:
    with db.session() as session:
        delegation = queries.load_delegation(session, delegation_id)
        return {i.uuid.lower(): i.title for i in delegation.items}


def item_ids(db: Database, delegation_id: int) -> dict[str, int]:
    with db.session() as session:
        delegation = queries.load_delegation(session, delegation_id)
        return {i.uuid.lower(): i.id for i in delegation.items}


@pytest.fixture
def scenario(main_window: MainWindow, tmp_path: Path) -> Scenario:
    db = main_window.db
    delegation_id = main_window.pages["delegation"].model.id_at(0)
    first = tmp_path / "first.json"
    exchange.write_package(db, delegation_id, first)
    other = Database.open(tmp_path / "other.db")
    try:
        with other.session() as session:
            plan = exchange.plan_import(session, package.read_package(first))
        theirs_id, _title = history.perform(other, exchange.apply_import(plan)).result
        originals = titles(db, delegation_id)
        order = list(originals)
        x, y, z, w = order[1], order[2], order[4], order[5]
        ours, there = item_ids(db, delegation_id), item_ids(other, theirs_id)
        # Laptop A (the window): through its runner, as the screens do.
        for operation in (
            ops.update_item(ours[x], {"title": "Welcome (edited on laptop A)"}),
            ops.update_item(ours[z], {"title": "Kids Cluster (renamed on A)"}),
            ops.delete_items([ours[w]]),
        ):
            assert main_window.runner.run(operation) is not None
        # Laptop B.
        for operation in (
            ops.update_item(there[y], {"title": "Barcelona Media (edited on laptop B)"}),
            ops.update_item(there[z], {"title": "Kids Cluster (renamed on B)"}),
            ops.update_item(there[w], {"title": "Lunch moved to La Rambla (B)"}),
        ):
            history.perform(other, operation)
        theirs = tmp_path / "from-laptop-b.json"
        exchange.write_package(other, theirs_id, theirs)
    finally:
        other.close()
    return Scenario(delegation_id, first, theirs, x, y, z, w, originals)


def open_merge(qtbot: Any, window: MainWindow, path: Path, answers: Any = None) -> MergeDialog:
    if answers is not None:
        answers.files.append(str(path))
        window.files.import_package_dialog()
    else:
        window.files.import_package(path)
    qtbot.waitUntil(lambda: window.files.merge_dialog is not None, timeout=WAIT)
    dialog = window.files.merge_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def wait_idle(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.runner.busy(), timeout=WAIT)


def test_the_dialog_previews_and_the_chosen_side_is_imported_in_one_undo_step(
    qtbot: Any, main_window: MainWindow, scenario: Scenario, answers: Any
) -> None:
    s = scenario
    dialog = open_merge(qtbot, main_window, s.theirs, answers)
    assert dialog.windowTitle() == "Import from-laptop-b.json"
    assert dialog.heading.text() == "1 change, 0 additions, 0 removals, 2 conflicts"
    tree = dialog.changes
    changed = tree.topLevelItem(0)
    assert changed.text(0) == "Changed (1 record)"
    assert changed.child(0).text(0).startswith("agenda item “Barcelona Media")
    assert changed.child(0).child(0).text(0) == (
        "title: Barcelona Media: media and ICT innovation → Barcelona Media (edited on laptop B)"
    )
    model = dialog.model
    assert model.rowCount() == 2
    rows = {model.conflicts[r].record.uuid: r for r in range(2)}
    z, w = rows[s.z], rows[s.w]
    assert model.index(z, HERE).data() == "Kids Cluster (renamed on A)"
    assert model.index(z, THEIRS).data() == "Kids Cluster (renamed on B)"
    assert "From the package written" in model.index(z, THEIRS).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(w, HERE).data() == "deleted"
    assert model.index(w, THEIRS).data() == "edited title: Lunch moved to La Rambla (B)"
    # Nothing can be imported before every conflict is decided.
    assert not dialog.import_button.isEnabled()
    assert dialog.remaining.text().startswith("2 conflicts left to decide")
    model.choose([z], "ours")
    assert not dialog.import_button.isEnabled()
    assert dialog.remaining.text().startswith("1 conflict left")
    qtbot.mouseClick(dialog.take_all_button, Qt.MouseButton.LeftButton)
    assert dialog.import_button.isEnabled()
    assert dialog.choices() == {c.key: "theirs" for c in model.conflicts}
    undo_before = main_window.runner.history.undo_label()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    qtbot.waitUntil(lambda: main_window.files.merge_dialog is None, timeout=WAIT)

    now = titles(main_window.db, s.delegation_id)
    assert now[s.x] == "Welcome (edited on laptop A)"  # ours survives
    assert now[s.y] == "Barcelona Media (edited on laptop B)"  # theirs arrives
    assert now[s.z] == "Kids Cluster (renamed on B)"  # the conflict, as decided
    assert now[s.w] == "Lunch moved to La Rambla (B)"  # their edit wins over our deletion
    assert (
        main_window.statusBar()
        .currentMessage()
        .startswith(
            "Imported “" + main_window.workspace.delegation.title + "” from from-laptop-b.json: "
            "0 added, 1 changed, 0 removed, 2 conflicts decided"
        )
    )
    assert main_window.workspace.delegation.id == s.delegation_id
    assert main_window.runner.history.undo_label() == "import from-laptop-b.json"
    assert "Undo import from-laptop-b.json" in main_window.undo_action.text().replace("&", "")

    main_window.undo_action.trigger()  # one Ctrl+Z takes the whole import back
    back = titles(main_window.db, s.delegation_id)
    assert back[s.x] == "Welcome (edited on laptop A)"
    assert back[s.y] == s.originals[s.y]
    assert back[s.z] == "Kids Cluster (renamed on A)"
    assert s.w not in back
    assert main_window.runner.history.undo_label() == undo_before


def test_cancel_writes_nothing_and_the_table_works_from_the_keyboard(
    qtbot: Any, main_window: MainWindow, scenario: Scenario
) -> None:
    s = scenario
    before = titles(main_window.db, s.delegation_id)
    undo_before = main_window.runner.history.undo_label()
    dialog = open_merge(qtbot, main_window, s.theirs)
    view = dialog.conflicts_view
    assert view.hasFocus()
    assert view.currentIndex().row() == 0 and view.currentIndex().column() == HERE
    model = dialog.model
    QTest.keyClick(view, Qt.Key.Key_Space)  # on "Here": keep ours
    assert model.choice(0) == "ours"
    assert model.index(0, HERE).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    QTest.keyClick(view, Qt.Key.Key_Space)  # toggles
    assert model.choice(0) == "theirs"
    assert model.index(0, HERE).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    QTest.keyClick(view, Qt.Key.Key_Down)
    QTest.keyClick(view, Qt.Key.Key_Right)  # to "In the package"
    QTest.keyClick(view, Qt.Key.Key_Space)
    assert model.choice(1) == "theirs"
    assert dialog.import_button.isEnabled()
    # A click on a value's box checks it (and unchecks the other side).
    rect = view.visualRect(model.index(1, HERE))
    box = rect.topLeft() + QPoint(
        view.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) // 2 + 4, rect.height() // 2
    )
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, box
    )
    assert model.choice(1) == "ours"
    assert model.index(1, THEIRS).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    # Mnemonics reach every control.
    texts = [
        dialog.changes_label.text(),
        dialog.conflicts_label.text(),
        dialog.keep_all_button.text(),
        dialog.take_all_button.text(),
        dialog.import_button.text(),
    ]
    keys = [t[t.index("&") + 1].lower() for t in texts]
    assert len(set(keys)) == len(keys)
    assert dialog.changes_label.buddy() is dialog.changes
    assert dialog.conflicts_label.buddy() is view

    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: main_window.files.merge_dialog is None, timeout=WAIT)
    assert not main_window.runner.busy()
    assert titles(main_window.db, s.delegation_id) == before
    assert main_window.runner.history.undo_label() == undo_before


def test_a_reimport_has_nothing_to_import_and_a_new_delegation_needs_no_dialog(
    qtbot: Any, main_window: MainWindow, scenario: Scenario, answers: Any, tmp_path: Path
) -> None:
    s = scenario
    dialog = open_merge(qtbot, main_window, s.theirs)
    dialog.keep_all_button.click()
    dialog.import_button.click()
    wait_idle(qtbot, main_window)
    undo_label = main_window.runner.history.undo_label()
    assert undo_label == "import from-laptop-b.json"

    main_window.import_package(s.theirs)
    assert main_window.runner.busy()  # read and planned off the UI thread
    wait_idle(qtbot, main_window)
    assert main_window.files.merge_dialog is None
    assert answers.messages[-1] == (
        "Nothing to import",
        "Nothing to import: from-laptop-b.json holds nothing that is not already here.",
    )
    assert main_window.runner.history.undo_label() == undo_label  # nothing recorded

    # A fresh database: the package is a new delegation, imported at once.
    answers.yes = False  # no demo
    assert main_window.open_database(tmp_path / "fresh.db")
    main_window.import_package(s.first)
    wait_idle(qtbot, main_window)
    assert main_window.files.merge_dialog is None
    assert main_window.pages["delegation"].model.rowCount() == 1
    assert main_window.statusBar().currentMessage().startswith("Imported “")
    assert main_window.runner.history.undo_label() == "import first.json"


def test_a_bad_file_fails_in_one_line_and_an_edit_meanwhile_plans_again(
    qtbot: Any, main_window: MainWindow, scenario: Scenario, answers: Any, tmp_path: Path
) -> None:
    s = scenario
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    main_window.import_package(bad)
    wait_idle(qtbot, main_window)
    title, text = answers.messages[-1]
    assert title == "Cannot import bad.json"
    assert "bad.json" in text and "\n" not in text.strip()
    assert main_window.files.merge_dialog is None

    dialog = open_merge(qtbot, main_window, s.theirs)
    ids = item_ids(main_window.db, s.delegation_id)
    main_window.runner.run(ops.update_item(ids[s.x], {"title": "Welcome (again on A)"}))
    undo_label = main_window.runner.history.undo_label()
    dialog.take_all_button.click()
    dialog.import_button.click()
    wait_idle(qtbot, main_window)
    assert answers.messages[-1][0] == "Changed since the preview"
    # The package is planned again and shown with the fresh plan; nothing was written.
    qtbot.waitUntil(lambda: main_window.files.merge_dialog not in (None, dialog), timeout=WAIT)
    assert main_window.runner.history.undo_label() == undo_label
    assert titles(main_window.db, s.delegation_id)[s.y] == s.originals[s.y]
    fresh = main_window.files.merge_dialog
    assert fresh is not None and fresh.model.rowCount() == 2


def test_an_older_package_asks_to_replace(
    qtbot: Any, main_window: MainWindow, scenario: Scenario, tmp_path: Path
) -> None:
    import json

    document = json.loads(scenario.theirs.read_text(encoding="utf-8"))
    document.pop("exchange")
    older = tmp_path / "older.json"
    older.write_text(json.dumps(document), encoding="utf-8")
    dialog = open_merge(qtbot, main_window, older)
    assert dialog.notice.isVisible() and "older version" in dialog.notice.text()
    assert dialog.heading.text().startswith("Replace “")
    assert dialog.import_button.isEnabled()
    assert not dialog.conflicts_box.isVisible()
    dialog.import_button.click()
    wait_idle(qtbot, main_window)
    now = titles(main_window.db, scenario.delegation_id)
    assert now[scenario.x] == scenario.originals[scenario.x]  # replaced, as announced


def test_deleted_and_edited_values_read_as_such(
    scenario: Scenario, main_window: MainWindow
) -> None:
    with main_window.db.session() as session:
        plan = exchange.plan_import(session, package.read_package(scenario.theirs))
    assert plan.preview is not None
    conflict = next(c for c in plan.preview.conflicts if c.field is None)
    values = conflict_values(conflict, plan.preview.names)
    assert values["ours"][0] == "deleted"
    assert values["theirs"][0] == "edited title: Lunch moved to La Rambla (B)"
    assert "Lunch moved to La Rambla (B)" in values["theirs"][1]


def test_the_dialog_fits_a_small_screen_and_looks_right(
    qtbot: Any, main_window: MainWindow, scenario: Scenario, tmp_path: Path
) -> None:
    dialog = open_merge(qtbot, main_window, scenario.theirs)
    assert dialog.width() <= 1024 and dialog.height() <= 700
    image = dialog.grab()
    target = Path(os.environ.get("MERGE_SCREENSHOT") or tmp_path / "merge.png")
    assert image.save(str(target))
    # Nothing cramped: the table shows both rows whole, the buttons their text.
    view = dialog.conflicts_view
    assert view.viewport().height() >= view.rowHeight(0) * 2
    for button in (dialog.import_button, dialog.take_all_button, dialog.keep_all_button):
        assert button.width() >= button.sizeHint().width()


def test_a_package_dropped_on_the_window_opens_its_merge_preview(
    qtbot: Any, main_window: MainWindow, scenario: Scenario
) -> None:
    from ui_support import drag_and_drop

    assert drag_and_drop(main_window, scenario.theirs)
    qtbot.waitUntil(lambda: main_window.files.merge_dialog is not None, timeout=WAIT)
    dialog = main_window.files.merge_dialog
    assert dialog is not None
    dialog.reject()
    assert titles(main_window.db, scenario.delegation_id) != {}
