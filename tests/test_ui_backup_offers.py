"""File ▸ Back up database… proposes the export folder and asks again after a refusal; the damaged-file offer (no command-line hint, the same buttons);
mnemonics, tab order and "1 month" in the Restore and Remove-old-data dialogs."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from delegations.store import backups
from delegations.ui import prompts
from delegations.ui.backups import (
    BackupActions,
    RestoreDialog,
    offer_restore,
    open_or_recover,
    without_restore_hint,
)
from delegations.ui.preferences import PreferencesDialog, count_months
from test_ui_backups import damage


def holder(window: Any) -> BackupActions:
    return next(h for h in window.action_holders if isinstance(h, BackupActions))


def mnemonics(texts: list[str]) -> list[str]:
    """The letter after "&" in each text that has one, lower case."""
    found = []
    for text in texts:
        at = text.replace("&&", "").find("&")
        if at >= 0:
            found.append(text.replace("&&", "")[at + 1].lower())
    return found


# A. Back up database… ----------------------------------------------------------------
def test_back_up_database_proposes_the_export_folder_and_a_dated_name(
    main_window: Any, answers: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    main_window.settings.set_export_folder(folder)
    starts: list[str] = []

    def choose(caption: str, start: str, filters: str, save: bool) -> str:
        starts.append(start)
        return answers.files.pop(0) if answers.files else ""

    main_window.choose_file = choose
    target = folder / "copy.db"
    answers.files.append(str(target))
    assert holder(main_window).backup_dialog() == target
    stem = main_window.db.path.stem
    assert starts[0] == str(folder / f"{stem} backup {date.today():%Y-%m-%d}.db")
    assert ".backups" not in starts[0]
    assert backups.verify_backup(target)


def test_a_refused_place_asks_again(main_window: Any, answers: Any, tmp_path: Path) -> None:
    main_window.settings.set_export_folder(tmp_path)
    starts: list[str] = []

    def choose(caption: str, start: str, filters: str, save: bool) -> str:
        starts.append(start)
        return answers.files.pop(0) if answers.files else ""

    main_window.choose_file = choose
    in_backups = backups.backups_dir(main_window.db.path) / "x.backup.db"
    good = tmp_path / "good.db"
    answers.files += [str(in_backups), str(good)]
    assert holder(main_window).backup_dialog() == good
    assert len(starts) == 2  # asked again after the refusal
    title, text = answers.messages[-1]
    assert title == "Cannot back up the database" and "automatic backups folder" in text
    assert ".backups" not in starts[1]  # not proposed there again
    assert not in_backups.exists()
    # refused, then cancelled: nothing written
    answers.files.append(str(main_window.db.path))
    assert holder(main_window).backup_dialog() is None
    assert len(starts) == 4


# E. The damaged-file offer ----------------------------------------------------------
def test_the_offer_names_the_problem_and_the_backup_without_the_command_line(
    qtbot: QtBot, tmp_path: Path, demo_db_template: Path
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    good = backups.make_backup(path, "manual")
    damage(path)
    offers: list[str] = []
    told: list[str] = []
    assert open_or_recover(path, lambda t, x: offers.append(x) or False, told.append) is None
    [text] = offers
    assert str(good) in text and "damaged" in text
    assert "delegations --db" not in text and "restore --latest" not in text
    assert "File ▸" not in text and "Restore the backup of" in text


def test_the_hint_is_removed_from_the_store_message() -> None:
    message = (
        "/d/x.db is damaged (SQLite's integrity check failed): the latest good backup is "
        "/d/x.db.backups/a.db (made 2026-01-01 10:00); restore it with File ▸ Restore from "
        "backup… or: delegations --db /d/x.db restore --latest (the damaged file is kept)."
    )
    assert without_restore_hint(message) == (
        "/d/x.db is damaged (SQLite's integrity check failed): the latest good backup is "
        "/d/x.db.backups/a.db (made 2026-01-01 10:00)."
    )


def _answer_box(pick: Any, seen: list[QMessageBox]) -> None:
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox):
        QTimer.singleShot(20, lambda: _answer_box(pick, seen))
        return
    seen.append(box)
    pick(box).click()


def test_the_offer_has_restore_and_cancel_with_cancel_the_default(qtbot: QtBot) -> None:
    seen: list[QMessageBox] = []
    QTimer.singleShot(0, lambda: _answer_box(lambda box: box.defaultButton(), seen))
    assert offer_restore(None, "Cannot open the database", "x is damaged") is False
    [box] = seen
    texts = [b.text() for b in box.buttons()]
    assert "&Restore latest good backup" in texts
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert cancel is not None and box.defaultButton() is cancel and box.escapeButton() is cancel
    assert box.icon() == QMessageBox.Icon.Warning
    seen.clear()

    def restore(box: QMessageBox) -> QPushButton:
        return next(b for b in box.buttons() if "Restore" in b.text())

    QTimer.singleShot(0, lambda: _answer_box(restore, seen))
    assert offer_restore(None, "Cannot open the database", "x is damaged") is True


def test_the_window_uses_the_same_offer(qtbot: QtBot, demo_db: Any) -> None:
    from delegations.ui.backups import offer_restore as offered
    from delegations.ui.main_window import MainWindow
    from delegations.ui.settings import Settings

    window = MainWindow(demo_db, Settings())
    qtbot.addWidget(window)
    assert window.offer_restore.func is offered  # type: ignore[attr-defined]
    assert window.offer_restore.args == (window,)  # type: ignore[attr-defined]
    assert window.warn.func is prompts.warn  # type: ignore[attr-defined]


def test_warn_uses_the_warning_icon(qtbot: QtBot) -> None:
    seen: list[QMessageBox] = []
    QTimer.singleShot(
        0, lambda: _answer_box(lambda box: box.defaultButton() or box.buttons()[0], seen)
    )
    prompts.warn(None, "Cannot back up the database", "x is refused")
    assert seen and seen[0].icon() == QMessageBox.Icon.Warning


# C. Mnemonics, tab order, "1 month" --------------------------------------------------
def test_the_restore_dialog_has_mnemonics_without_clashes(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = RestoreDialog([], tmp_path, lambda: "")
    qtbot.addWidget(dialog)
    texts = [b.text() for b in dialog.findChildren(QPushButton)]
    assert "&Restore" in texts and "&Other file…" in texts
    keys = mnemonics(texts)
    assert len(keys) == len(set(keys))


def test_the_purge_dialog_tab_order_and_mnemonics(main_window: Any, qtbot: QtBot) -> None:
    from delegations.ui.privacy import PrivacyActions

    privacy = next(h for h in main_window.action_holders if isinstance(h, PrivacyActions))
    dialog = privacy.remove_old_data()
    qtbot.waitExposed(dialog)
    try:
        assert dialog.remove_button.text() == "&Remove…"
        cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
        dialog.spin.setValue(2)  # something to remove or not: Remove… may be disabled
        dialog.remove_button.setEnabled(True)
        dialog.activateWindow()
        dialog.spin.setFocus()
        qtbot.waitUntil(lambda: dialog.spin.hasFocus())
        order = []
        for _ in range(3):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            order.append(QApplication.focusWidget())
        assert order[:2] == [dialog.remove_button, cancel]
        from PySide6.QtWidgets import QLabel

        texts = [b.text() for b in dialog.findChildren(QPushButton)]
        texts += [label.text() for label in dialog.findChildren(QLabel) if label.buddy()]
        keys = mnemonics(texts)
        assert len(keys) == len(set(keys)), texts
        dialog.spin.setValue(1)
        assert dialog.spin.text() == "1 month"
        dialog.spin.setValue(2)
        assert dialog.spin.text() == "2 months"
    finally:
        dialog.reject()


def test_the_months_suffix_follows_the_value_as_typed(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QSpinBox

    spin = QSpinBox()
    qtbot.addWidget(spin)
    spin.setRange(1, 120)
    spin.setValue(1)
    count_months(spin)
    assert spin.text() == "1 month"
    spin.show()
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "12")
    assert spin.value() == 12 and spin.text() == "12 months"
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert spin.text() == "11 months"


def test_the_preferences_retention_says_1_month(main_window: Any, qtbot: QtBot) -> None:
    dialog = PreferencesDialog(main_window.settings, main_window)
    qtbot.addWidget(dialog)
    assert dialog.retention.text() == "never"
    dialog.retention.setValue(1)
    assert dialog.retention.text() == "1 month"
    dialog.retention.setValue(24)
    assert dialog.retention.text() == "24 months"
