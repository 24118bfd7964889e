"""File ▸ Back up now / Restore from backup…, the Preferences' backup settings, and the
offer to restore the latest good backup when the database cannot be opened."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from delegations.services import preferences
from delegations.store import Database, backups
from delegations.ui.backups import BackupActions, RestoreDialog, open_or_recover
from delegations.ui.preferences import PreferencesDialog


def holder(window: Any) -> BackupActions:
    return next(h for h in window.action_holders if isinstance(h, BackupActions))


def title_of(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("SELECT title FROM delegation").fetchone()[0])
    finally:
        connection.close()


def rename_in_window(window: Any, title: str) -> None:
    with window.db.transaction() as session:
        session.connection().exec_driver_sql("UPDATE delegation SET title = ?", (title,))


def damage(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek((size // 2) // 4096 * 4096)
        handle.write(os.urandom(4096))


def open_restore_dialog(qtbot: QtBot, window: Any) -> RestoreDialog:
    dialog = holder(window).restore_dialog()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_file_menu_has_the_backup_actions(main_window: Any) -> None:
    labels = [
        a.text().replace("&", "")
        for a in main_window.menuBar().actions()[0].menu().actions()
        if a.text()
    ]
    assert "Back up now" in labels and "Restore from backup…" in labels
    assert labels.index("Back up database…") < labels.index("Restore from backup…")


def test_restore_dialog_lists_the_backups_and_restores_the_chosen_one(
    qtbot: QtBot, main_window: Any, answers: Any
) -> None:
    path = main_window.db.path
    original = title_of(path)
    made = holder(main_window).backup_now()
    assert made is not None and made.parent == backups.backups_dir(path)
    rename_in_window(main_window, "Changed after the backup")
    dialog = open_restore_dialog(qtbot, main_window)
    listed = [dialog.list.topLevelItem(i) for i in range(dialog.list.topLevelItemCount())]
    assert len(listed) == len(backups.list_backups(path)) >= 2  # the daily one, and this one
    assert dialog.selected() == made  # the newest is selected
    assert listed[0] is not None and listed[0].text(1) == "made by hand"
    old_db = main_window.db
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: main_window.db is not old_db)
    question = answers.questions[-1][1]
    assert "will be replaced by the backup of" in question and "Undo history is cleared" in question
    assert title_of(path) == original
    assert main_window.windowTitle().startswith(path.name)
    assert not main_window.runner.history.can_undo()
    kept = [b for b in backups.list_backups(path) if b.reason == "before-restore"]
    assert len(kept) == 1 and title_of(kept[0].path) == "Changed after the backup"
    assert "Restored" in main_window.statusBar().currentMessage()


def test_escape_cancels_with_nothing_changed(qtbot: QtBot, main_window: Any, answers: Any) -> None:
    path = main_window.db.path
    holder(main_window).backup_now()
    rename_in_window(main_window, "Kept as it is")
    before = sorted(p.name for p in backups.backups_dir(path).iterdir())
    old_db = main_window.db
    dialog = open_restore_dialog(qtbot, main_window)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert main_window.db is old_db and title_of(path) == "Kept as it is"
    assert sorted(p.name for p in backups.backups_dir(path).iterdir()) == before
    assert answers.questions == []


def test_saying_no_changes_nothing(qtbot: QtBot, main_window: Any, answers: Any) -> None:
    path = main_window.db.path
    made = holder(main_window).backup_now()
    assert made is not None
    rename_in_window(main_window, "Not restored")
    answers.yes = False
    assert not holder(main_window).restore(made)
    assert title_of(path) == "Not restored" and len(answers.questions) == 1


def test_other_file_and_a_bad_backup_is_refused_in_one_message(
    qtbot: QtBot, main_window: Any, answers: Any, tmp_path: Path
) -> None:
    path = main_window.db.path
    bad = tmp_path / "notes.sqlite"
    bad.write_text("Julien Caron, +33 6 12 34 56 78\n")
    answers.files.append(str(bad))
    dialog = open_restore_dialog(qtbot, main_window)
    old_db = main_window.db
    dialog.other_button.click()
    qtbot.waitUntil(lambda: bool(answers.messages))
    title, text = answers.messages[-1]
    assert title == "Cannot restore this backup" and "not an SQLite file" in text
    assert "\n" not in text and "Julien" not in text
    assert main_window.db is old_db and answers.questions == []
    assert title_of(path) == title_of(old_db.path)


def test_restoring_an_older_copy_from_another_file(
    qtbot: QtBot, main_window: Any, answers: Any, tmp_path: Path
) -> None:
    copy = tmp_path / "elsewhere.sqlite"
    main_window.db.backup(copy)
    rename_in_window(main_window, "Newer")
    assert holder(main_window).restore(copy)
    assert title_of(main_window.db.path) != "Newer"
    assert f"the backup {copy}" in answers.questions[-1][1]


def test_back_up_database_proposes_the_folder(
    qtbot: QtBot, main_window: Any, answers: Any, tmp_path: Path
) -> None:
    target = tmp_path / "chosen.db"
    answers.files.append(str(target))
    assert holder(main_window).backup_dialog() == target
    assert backups.verify_backup(target)
    answers.files.append(str(main_window.db.path))  # the database itself: refused
    assert holder(main_window).backup_dialog() is None
    assert answers.messages[-1][0] == "Cannot back up the database"


def test_a_damaged_database_offers_the_latest_good_backup(
    qtbot: QtBot, tmp_path: Path, demo_db_template: Path
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    good = backups.make_backup(path, "manual")
    damage(path)
    offers: list[tuple[str, str]] = []
    told: list[tuple[str, str]] = []

    def decline(title: str, text: str) -> bool:
        offers.append((title, text))
        return False

    assert open_or_recover(path, decline, lambda t, x: told.append((t, x))) is None
    assert len(offers) == 1 and str(good) in offers[0][1] and told == []
    damaged = path.read_bytes()

    db = open_or_recover(path, lambda title, text: True, lambda t, x: told.append((t, x)))
    assert db is not None and told == []
    try:
        assert db.path == path.resolve()
        with db.session() as session:
            assert session.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        db.close()
    kept = [p for p in backups.kept_files(path) if p.name.endswith(".damaged")]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged


def test_without_a_backup_the_damage_is_only_told(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "work.db"
    path.write_text("not a database")
    told: list[tuple[str, str]] = []
    offered: list[str] = []

    def offer(title: str, text: str) -> bool:
        offered.append(text)
        return True

    assert open_or_recover(path, offer, lambda t, x: told.append((t, x))) is None
    assert offered == [] and len(told) == 1 and "not an SQLite file" in told[0][1]


def test_preferences_keep_and_retention_are_stored_in_the_database(
    qtbot: QtBot, main_window: Any
) -> None:
    dialog = PreferencesDialog(main_window.settings, main_window)
    qtbot.addWidget(dialog)
    assert dialog.backups_keep.value() == 10
    assert dialog.retention.text() == "never" and dialog.data_values() == (10, None)
    dialog.backups_keep.setValue(4)
    dialog.retention.setValue(24)
    dialog.accept()
    with main_window.db.session() as session:
        assert preferences.backups_keep(session) == 4
        assert preferences.retention_months(session) == 24
    assert not main_window.runner.history.can_undo()  # a setting, not an undoable edit
    again = PreferencesDialog(main_window.settings, main_window)
    qtbot.addWidget(again)
    assert again.data_values() == (4, 24)
    again.retention.setValue(again.retention.minimum())
    again.accept()
    with main_window.db.session() as session:
        assert preferences.retention_months(session) is None
    assert backups.read_keep(main_window.db.path) == 4


def test_preferences_without_a_window_hide_the_data_section(qtbot: QtBot, answers: Any) -> None:
    from delegations.ui.settings import Settings

    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.data_box.isHidden()


def test_a_failed_daily_backup_is_said_in_the_status_bar(
    qtbot: QtBot, demo_db: Database, answers: Any
) -> None:
    from ui_support import open_window

    demo_db.backup_warning = "no automatic backup was made today: the disk is full"
    window = open_window(qtbot, demo_db, answers)
    qtbot.waitUntil(lambda: "disk is full" in window.statusBar().currentMessage())
    window.close()


def test_opening_a_damaged_file_from_the_window_offers_its_backup(
    qtbot: QtBot, main_window: Any, answers: Any, tmp_path: Path, demo_db_template: Path
) -> None:
    path = tmp_path / "other.db"
    shutil.copyfile(demo_db_template, path)
    backups.make_backup(path, "manual")
    damage(path)
    answers.yes = False
    assert main_window.files.open_database(path) is False
    title, text = answers.questions[-1]
    assert title == "Cannot open the database" and "Restore the backup of" in text
    assert main_window.db.path != path.resolve()  # still on the database it had
    answers.yes = True
    assert main_window.files.open_database(path) is True
    assert main_window.db.path == path.resolve()
    assert title_of(path) == title_of(demo_db_template)


def test_restoring_over_an_unreadable_file_at_start_says_erasures_may_be_lost(
    qtbot: QtBot, tmp_path: Path, demo_db_template: Path
) -> None:
    """The erasures recorded in a file that cannot be read cannot be made again."""
    from delegations.services.backups import UNREADABLE_NOTICE

    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    backups.make_backup(path, "manual")
    path.write_bytes(b"garbage, not a database at all" * 100)
    told: list[tuple[str, str]] = []
    db = open_or_recover(path, lambda title, text: True, lambda t, x: told.append((t, x)))
    assert db is not None
    db.close()
    assert told == [("Backup restored", UNREADABLE_NOTICE)]
