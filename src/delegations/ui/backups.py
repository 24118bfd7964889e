"""File ▸ Back up now, Back up database…, Restore from backup…, and the damaged-file offer.

``BackupActions`` holds the window's slots (it is one of ``window.action_holders``).
A restore says what will happen and asks first; then the window lets go of its
database, the backup replaces it (the current file is kept in the backups folder),
and the window opens the restored file, with an empty undo history. People erased
since the backup was made are erased again (the question says how many beforehand, a
message afterwards). A failure says why in one line and changes nothing.

``open_or_recover`` is the opening of the application: when the file is damaged
and a good backup exists, the error message offers to restore it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from delegations.services import backups
from delegations.services.backups import BackupInfo
from delegations.services.storage import Database, DatabaseCorrupt, StoreError, output_refusal
from delegations.ui import prompts

if TYPE_CHECKING:
    from delegations.ui.main_window import MainWindow

PATH_ROLE = Qt.ItemDataRole.UserRole


def backup_name(database: Path) -> str:
    """The name proposed for a copy made today: ``<database stem> backup YYYY-MM-DD.db``."""
    return f"{database.stem} backup {date.today():%Y-%m-%d}.db"


@contextmanager
def busy_cursor() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class RestoreDialog(QDialog):
    """The automatic backups (date, reason, size), newest selected; Restore, Other file…

    Args:
        found: the backups, newest first.
        choose_other: asks for any file to restore ("" when cancelled).
        parent: the window.

    Attributes:
        chosen: the file to restore once accepted.
    """

    def __init__(
        self,
        found: list[BackupInfo],
        folder: Path,
        choose_other: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setObjectName("restore_dialog")
        self.chosen: Path | None = None
        self.choose_other = choose_other
        intro = QLabel(
            f"Automatic backups in {folder}. The one you choose replaces the database; "
            "the current file is kept in that folder."
            if found
            else f"No automatic backups yet in {folder}. Choose a backup file with Other file…"
        )
        intro.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setAccessibleName("Backups")
        self.list.setHeaderLabels(["Date", "Made", "Size"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAllColumnsShowFocus(True)
        for info in found:
            item = QTreeWidgetItem(
                [
                    backups.local_time(info.made_at),
                    backups.reason_label(info.reason),
                    backups.describe_size(info.size),
                ]
            )
            item.setData(0, PATH_ROLE, str(info.path))
            item.setToolTip(0, str(info.path))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(item)
        for column in range(3):
            self.list.resizeColumnToContents(column)
        newest = self.list.topLevelItem(0)
        if newest is not None:
            self.list.setCurrentItem(newest)
        self.list.itemActivated.connect(lambda _item, _column: self.accept())

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = QPushButton("&Restore")
        self.restore_button.setDefault(True)
        self.restore_button.setEnabled(bool(found))
        self.other_button = QPushButton("&Other file…")
        self.other_button.setAutoDefault(False)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.other_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.other_button.clicked.connect(self.other_file)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 360)
        self.list.setFocus()

    def selected(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(0, PATH_ROLE)) if item is not None else None

    def other_file(self) -> None:
        path = self.choose_other()
        if path:
            self.chosen = Path(path)
            super().accept()

    def accept(self) -> None:
        if self.chosen is None:
            self.chosen = self.selected()
        if self.chosen is not None:
            super().accept()


class BackupActions:
    """File ▸ Back up now / Back up database… / Restore from backup…, for one window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: RestoreDialog | None = None
        window.database_changed.connect(lambda _path: self.show_backup_warning())
        QTimer.singleShot(0, self.show_backup_warning)

    def show_backup_warning(self) -> None:
        """Say in the status bar when the day's automatic backup could not be made."""
        warning = getattr(self.window.db, "backup_warning", None)
        if warning:
            self.window.statusBar().showMessage(f"Warning: {warning}", 15000)

    # backing up -------------------------------------------------------------------
    def backup_now(self) -> Path | None:
        """A backup into the automatic backups folder (kept with the others)."""
        w = self.window
        try:
            with busy_cursor():
                written = backups.make_backup(w.db.path, "manual")
        except (OSError, StoreError) as exc:
            w.warn("Cannot back up the database", str(exc))
            return None
        w.statusBar().showMessage(f"Backed up to {written}", 8000)
        return written

    def backup_dialog(self) -> Path | None:
        """A copy anywhere: the remembered export folder and a dated name are proposed.
        A place that is refused (the database itself, its automatic backups folder, a
        folder) is said, and the file is asked again."""
        w = self.window
        start = w.settings.export_folder() / backup_name(w.db.path)
        while True:
            path = w.choose_file("Back up database", str(start), "Databases (*.db *.sqlite)", True)
            if not path:
                return None
            chosen = Path(path).expanduser()
            refused = output_refusal(chosen, w.db.path) or ("a folder" if chosen.is_dir() else None)
            if refused is None:
                break
            w.warn(
                "Cannot back up the database", f"{chosen.name} is {refused}; choose another file."
            )
            start = (chosen.parent if not chosen.is_dir() else chosen) / backup_name(w.db.path)
            if output_refusal(start, w.db.path) is not None:
                start = w.settings.export_folder() / backup_name(w.db.path)
        try:
            # A failure (OutputError) leaves nothing behind.
            with busy_cursor():
                written = w.db.backup(chosen)
        except (OSError, StoreError) as exc:
            w.warn("Cannot back up the database", str(exc))
            return None
        w.settings.set_export_folder(written.parent)
        w.statusBar().showMessage(f"Backed up to {written}", 8000)
        return written

    # restoring --------------------------------------------------------------------
    def restore_dialog(self) -> RestoreDialog:
        """The list of automatic backups; the one chosen is restored (after asking)."""
        w = self.window
        if self.dialog is not None:
            self.dialog.done(0)

        def other() -> str:
            return w.choose_file(
                "Restore from backup",
                str(backups.backups_dir(w.db.path)),
                "Databases (*.db *.sqlite);;All files (*)",
                False,
            )

        dialog = RestoreDialog(
            backups.list_backups(w.db.path), backups.backups_dir(w.db.path), other, w
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._chosen(dialog))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self, dialog: RestoreDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _chosen(self, dialog: RestoreDialog) -> None:
        if dialog.chosen is not None:
            # After the dialog has closed: the question is asked over the window.
            chosen = dialog.chosen
            QTimer.singleShot(0, lambda: self.restore(chosen))

    def restore(self, backup: Path) -> bool:
        """Ask, then replace the database by ``backup`` and open it; True if restored."""
        w = self.window
        path = w.db.path
        try:
            backups.verify_backup(backup)
        except StoreError as exc:
            w.inform("Cannot restore this backup", f"{exc}. Nothing was changed.")
            return False
        info = next(
            (b for b in backups.list_backups(path) if b.path.resolve() == backup.resolve()), None
        )
        what = (
            f"the backup of {backups.local_time(info.made_at)}"
            if info is not None
            else f"the backup {backup}"
        )
        again = backups.erased_since_notice(backups.people_erased_since(backup, path))
        if not w.confirm(
            "Restore from backup",
            f"The database will be replaced by {what}. The current file is kept in "
            f"{backups.backups_dir(path)}. Undo history is cleared."
            + (f" {again}" if again else "")
            + "\n\nRestore it?",
        ):
            return False
        if not w.may_discard("restore a backup"):
            return False
        w.close_dialogs()
        w.files.wait()
        w.db.close()  # no connection may hold the file while it is replaced
        try:
            with busy_cursor():
                result, db = backups.restore_and_open(backup, path)
        except (OSError, StoreError) as exc:
            w.inform("Cannot restore the backup", str(exc))
            return False
        old = w.db
        w.install(db)
        old.close()
        w.settings.remember_database(db.path)
        w.database_changed.emit(db.path)
        kept = f"; the replaced file is kept as {result.kept.name}" if result.kept else ""
        erased = backups.erased_again_notice(result.erased_again)
        if result.replaced_unreadable:
            erased = " ".join(filter(None, (erased, backups.UNREADABLE_NOTICE)))
        said = f"Restored {what}{kept}" + (f". {erased}" if erased else "")
        w.statusBar().showMessage(said, 15000)
        if erased:
            w.inform("Restored from backup", erased)
        return True


# --------------------------------------------------------------------------- opening

Offer = Callable[[str, str], bool]
"""Asks (title, text) whether to restore the latest good backup; True: restore it."""

_HINT = re.compile(
    r";\s*restore it with File ▸ Restore from backup….*?\(the damaged file is kept\)"
)
"""The way to restore that the store's message names (menu, command line): the window
offers the restore itself, so the message shown there leaves it out."""


def without_restore_hint(text: str) -> str:
    """``text`` without "; restore it with File ▸ Restore from backup… or: delegations …"."""
    return _HINT.sub("", text)


def offer_restore(parent: QWidget | None, title: str, text: str) -> bool:
    """The damaged-file question, at start-up and on File ▸ Open: "Restore latest good
    backup" or Cancel (the default, and Escape)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    restore = box.addButton("&Restore latest good backup", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is restore


def _warning(title: str, text: str) -> None:
    prompts.warn(None, title, text)


def open_or_recover(
    path: Path,
    offer: Offer | None = None,
    tell: Callable[[str, str], None] | None = None,
) -> Database | None:
    """Open ``path``; when it is damaged and a good backup exists, offer to restore it
    (the damaged file is kept) and open the result. None when nothing could be opened
    (the reason was shown, with the warning icon by default)."""
    offer = offer or (lambda title, text: offer_restore(None, title, text))
    tell = tell or _warning
    try:
        return Database.open(path)
    except DatabaseCorrupt as exc:
        good = backups.latest_good_backup(path)
        if good is None:
            tell("Cannot open the database", str(exc))
            return None
        problem = without_restore_hint(str(exc)).rstrip(".")
        again = backups.erased_since_notice(backups.people_erased_since(good.path, Path(path)))
        if not offer(
            "Cannot open the database",
            f"{problem}.\n\nRestore the backup of {backups.local_time(good.made_at)}? The "
            f"damaged file is kept in {backups.backups_dir(path)}."
            + (f" {again}" if again else ""),
        ):
            return None
        try:
            result, db = backups.restore_and_open(good.path, Path(path))
        except (OSError, StoreError) as again:
            tell("Cannot restore the backup", str(again))
            return None
        said = " ".join(
            filter(
                None,
                (
                    backups.erased_again_notice(result.erased_again),
                    backups.UNREADABLE_NOTICE if result.replaced_unreadable else "",
                ),
            )
        )
        if said:
            tell("Backup restored", said)
        return db
    except StoreError as exc:
        tell("Cannot open the database", str(exc))
        return None
