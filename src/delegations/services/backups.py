"""Backups and restore as the window and the command line use them.

The store does the work (``delegations.store.backups``); this module adds what is
said about it and the audit entry of a restore, so the ui never reaches the store.

Erasures survive a restore: a backup made before an erasure still holds the person.
The uuids the replaced database recorded as erased are carried into the restored one
(``erased_record``, their dates kept), every person among them is erased again (the
same operation, ``services.erasure.erase``: anonymised or deleted by the same rule),
every participation or journey among them whose person was not is removed, and the
free pages are scrubbed. ``people_erased_since`` says beforehand how many people that
will be (the confirmations say it); ``RestoreResult.erased_again`` how many it was.

Opening a restored backup of an older schema makes a copy before the upgrade
(``Database.pre_migration_backup``) while it still holds those people: when erased
records were carried over, that copy is deleted (the backup restored holds the same,
and the file replaced is kept). When the file replaced existed but could not be read
(``RestoreResult.replaced_unreadable``), nobody could be erased again:
``UNREADABLE_NOTICE`` says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from delegations.model import Participation, Person, TravelLeg
from delegations.model.text import count_of
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
    read_erased,
    read_person_uuids,
    restore,
    verify_backup,
)

__all__ = [
    "UNREADABLE_NOTICE",
    "BackupInfo",
    "BackupInvalid",
    "RestoreResult",
    "backups_dir",
    "describe_size",
    "erase_again",
    "erased_again_notice",
    "erased_since_notice",
    "kept_files",
    "latest_good_backup",
    "list_backups",
    "local_time",
    "make_backup",
    "people_erased_since",
    "reason_label",
    "record_restore",
    "restore",
    "restore_and_open",
    "verify_backup",
]

UNREADABLE_NOTICE = (
    "The file replaced could not be read, so people erased since this backup was made "
    "(if any) could not be erased again: check, and erase them again."
)
"""What is said after a restore over a file that could not be read as a database."""

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

    When erased records were carried over and the opening upgraded the schema, the copy
    made before the upgrade (which still holds the people to erase again) is deleted
    before they are erased again; should that fail, ``backup_warning`` names it.

    Raises:
        StoreError, OSError: see ``store.backups.restore`` and ``Database.open``.
    """
    result = restore(backup, db_path)
    db = Database.open(db_path)
    try:
        if result.erased and db.pre_migration_backup is not None:
            _drop_migration_copy(db)
        record_restore(db)
        again = erase_again(db, result.erased)
    except BaseException:
        db.close()
        raise
    return replace(result, erased_again=again), db


def _drop_migration_copy(db: Database) -> None:
    """Delete the copy made before upgrading a restored backup (with its -wal, -shm)."""
    from delegations.services.erasure import delete_backups

    copy = db.pre_migration_backup
    assert copy is not None
    _done, failed = delete_backups([copy])
    if failed:
        path, why = failed[0]
        db.backup_warning = (
            f"the copy made before the upgrade, {path}, holds people erased since the "
            f"backup and could not be deleted ({why}): delete it"
        )
    else:
        db.pre_migration_backup = None


def _canonical_set(uuids: Iterable[str]) -> set[str]:
    from delegations.services.erased import canonical_uuid

    return {c for c in map(canonical_uuid, uuids) if c is not None}


def people_erased_since(backup: Path, db_path: Path) -> int:
    """How many people of ``backup`` the database at ``db_path`` records as erased:
    those a restore of it erases again (0 when either cannot be read)."""
    erased = _canonical_set(uuid for uuid, _at in read_erased(db_path))
    if not erased:
        return 0
    return len(_canonical_set(read_person_uuids(backup)) & erased)


def erased_since_notice(count: int) -> str:
    """What a confirmation says of the people erased since the backup ("" for none)."""
    if not count:
        return ""
    return (
        f"{count_of(count, 'person')} erased since this backup was made "
        "will be erased again after restoring."
    )


def erased_again_notice(count: int) -> str:
    """What is said after a restore of the people erased again ("" for none)."""
    if not count:
        return ""
    return f"Erased again {count_of(count, 'person')} erased after this backup was made."


def _matching(
    session: Session, model: type[Person | Participation | TravelLeg], wanted: set[str]
) -> list[int]:
    """The ids of ``model``'s rows whose uuid is in ``wanted`` (canonical)."""
    from delegations.services.erased import canonical_uuid

    return [
        row_id
        for row_id, uuid in session.execute(select(model.id, model.uuid))
        if canonical_uuid(uuid) in wanted
    ]


def erase_again(db: Database, erased: Iterable[tuple[str, str]]) -> int:
    """Carry the erased records ``erased`` (uuid, erased_at as stored) into ``db`` and
    erase again what it still holds of them; how many people were erased again.

    Every person whose uuid is among them is erased (``erasure.erase``, through
    ``history.perform``: audited, not undoable); every participation or journey among
    them whose person was not erased is removed (a participation with its journeys and
    places in items), as an erasure removes them; then the free pages are scrubbed.
    """
    from delegations.services import erasure
    from delegations.services.erased import canonical_uuid
    from delegations.services.history import Operation, perform

    rows: dict[str, str] = {}
    for uuid, erased_at in erased:
        canonical = canonical_uuid(uuid)
        if canonical is not None and canonical not in rows:
            rows[canonical] = erased_at
    if not rows:
        return 0
    with db.transaction() as session:
        session.execute(
            text("INSERT OR IGNORE INTO erased_record (uuid, erased_at) VALUES (:uuid, :at)"),
            [{"uuid": uuid, "at": at} for uuid, at in sorted(rows.items())],
        )
    wanted = set(rows)
    with db.session() as session:
        people = _matching(session, Person, wanted)
    for person_id in people:
        perform(db, erasure.erase(person_id))
    with db.session() as session:
        participations = _matching(session, Participation, wanted)
        legs = _matching(session, TravelLeg, wanted)

    def remove(session: Session) -> int:
        erasure.mark_scrub_pending(session)
        if legs:
            session.execute(delete(TravelLeg).where(TravelLeg.id.in_(legs)))
        if participations:
            session.execute(delete(TravelLeg).where(TravelLeg.participation_id.in_(participations)))
            session.execute(delete(Participation).where(Participation.id.in_(participations)))
        return len(participations) + len(legs)

    if participations or legs:
        perform(
            db, Operation("erase records of erased people", remove, action="erase", undoable=False)
        )
    erasure.finish_pending_scrub(db)
    return len(people)
