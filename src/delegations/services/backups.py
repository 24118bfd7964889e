"""Backups and restore as the window and the command line use them.

The store does the work (``delegations.store.backups``); this module adds what is
said about it and the audit entry of a restore, so the ui never reaches the store.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from delegations.store import Database
from delegations.store.backups import (
    BackupInfo,
    BackupInvalid,
    RestoreResult,
    backups_dir,
    kept_files,
    latest_good_backup,
    list_backups,
    make_backup,
    restore,
    verify_backup,
)

__all__ = [
    "BackupInfo",
    "BackupInvalid",
    "RestoreResult",
    "backups_dir",
    "describe_size",
    "kept_files",
    "latest_good_backup",
    "list_backups",
    "local_time",
    "make_backup",
    "reason_label",
    "record_restore",
    "restore",
    "restore_and_open",
    "verify_backup",
]

REASON_LABELS = {
    "daily": "daily",
    "migration": "before an upgrade",
    "manual": "made by hand",
    "before-restore": "replaced by a restore",
}


def reason_label(reason: str) -> str:
    """How a backup's reason reads in a list ("before an upgrade")."""
    return REASON_LABELS.get(reason, reason)


def local_time(moment: datetime) -> str:
    """``2026-12-07 11:53``: a backup's time, on this computer's clock."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def describe_size(size: int) -> str:
    """``1.4 MB``, ``220 KB``, ``812 bytes``."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} KB"
    return f"{size} bytes"


def record_restore(db: Database) -> None:
    """The audit entry of a restore, written into the restored database."""
    from delegations.services import audit

    audit.record(db, "restore", record="database")


def restore_and_open(backup: Path, db_path: Path) -> tuple[RestoreResult, Database]:
    """Restore ``backup`` over ``db_path``, open the result (an older schema is upgraded)
    and record the restore in its audit log.

    Raises:
        StoreError, OSError: see ``store.backups.restore`` and ``Database.open``.
    """
    result = restore(backup, db_path)
    db = Database.open(db_path)
    try:
        record_restore(db)
    except BaseException:
        db.close()
        raise
    return result, db
