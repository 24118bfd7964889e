"""Automatic backups beside the database: making, rotating, listing, verifying, restoring.

Backups of ``/data/work.db`` live in the private folder ``/data/work.db.backups/``
(``0700``), one file each (``0600``) named ``YYYYmmddTHHMMSSZ-<reason>.sqlite`` (UTC),
with ``reason`` one of ``daily`` (the first opening of a day), ``migration`` (before a
schema upgrade), ``manual`` (asked for) and ``before-restore`` (the file a restore
replaced). Each is made with SQLite's online backup API (``backup_copy``), so it is
consistent while the database is open. The file a restore replaced when it was not a
readable Delegations database is kept byte for byte as ``…-before-restore.damaged``
(and its ``-wal`` as ``….damaged-wal``): never offered as a backup to restore.

Rotation keeps the newest N ``.sqlite`` backups (N: the ``backups.keep`` preference
stored in the database, 10 unless set) and deletes nothing else.

A restore never leaves a half-written database: the backup is staged (copied, checked,
flushed) beside the database, the current file is kept in the folder, and the staged
copy then replaces the database in one ``rename``. A ``SIGKILL`` at any moment leaves
the old database or the new one, whole. Just before the rename, the uuids the replaced
file records as erased (``erased_record``) are read, so that the services can erase
those records again in the restored database (``services.backups.restore_and_open``).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from delegations.files import PRIVATE_MODE, fsync_path, remove_quietly, set_mode, temporary_beside
from delegations.store import migrations
from delegations.store.backup import backup_copy
from delegations.store.errors import DatabaseLocked, StoreError
from delegations.store.paths import make_private_dir

REASONS = ("daily", "migration", "manual", "before-restore")
STAMP = "%Y%m%dT%H%M%SZ"
NAME = re.compile(
    r"^(?P<stamp>\d{8}T\d{6}Z)-(?P<reason>daily|migration|manual|before-restore)"
    r"(?:-(?P<n>\d{1,4}))?\.sqlite$"
)
"""A restorable backup's name; files not matching it are never listed nor deleted."""
DAMAGED = re.compile(r"^\d{8}T\d{6}Z-before-restore(?:-\d{1,4})?\.damaged(?:-wal|-journal)?$")
"""A damaged file a restore replaced, kept byte for byte (never offered, never rotated)."""
SQLITE_HEADER = b"SQLite format 3\x00"
DAILY_INTERVAL = timedelta(hours=24)
DEFAULT_KEEP = 10
KEEP_KEY = "backups.keep"
KEEP_RANGE = (1, 100)


def utc_now() -> datetime:
    """The time backups are named and compared with (tests replace it)."""
    return datetime.now(UTC)


class BackupInvalid(StoreError):
    """A file cannot be restored: missing, not a database, damaged, foreign or too new."""


@dataclass(frozen=True)
class BackupInfo:
    """One automatic backup.

    Attributes:
        path: the file.
        made_at: when it was made (UTC, from its name).
        reason: daily, migration, manual or before-restore.
        size: its size in bytes.
    """

    path: Path
    made_at: datetime
    reason: str
    size: int


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: where the replaced file is kept (None: there was none), and
    the schema revision of the backup restored.

    ``erased``: the ``erased_record`` rows (uuid, erased_at as stored) of the file
    replaced, for the services to carry into the restored database (empty when it was
    missing, had none, or could not be read); ``erased_again``: how many people of the
    restored database the services erased again (0 until they have);
    ``replaced_unreadable``: the file replaced existed but could not be read as a
    Delegations database (its ``erased_record`` unknown: people erased since the backup
    may be back).
    """

    kept: Path | None
    revision: str
    erased: tuple[tuple[str, str], ...] = ()
    erased_again: int = 0
    replaced_unreadable: bool = False


# --------------------------------------------------------------------------- the folder


def backups_dir(db_path: str | os.PathLike[str]) -> Path:
    """The folder of ``db_path``'s automatic backups: ``<db>.backups`` beside it."""
    path = Path(db_path).expanduser().resolve()
    return path.with_name(path.name + ".backups")


def _parse(path: Path) -> BackupInfo | None:
    found = NAME.match(path.name)
    if found is None:
        return None
    try:
        made = datetime.strptime(found["stamp"], STAMP).replace(tzinfo=UTC)
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    if not path.is_file():
        return None
    return BackupInfo(path, made, found["reason"], size)


def _order(info: BackupInfo) -> tuple[datetime, int, int]:
    """Newest by name; within one second, by number, then by when it was written."""
    found = NAME.match(info.path.name)
    try:
        written = info.path.stat().st_mtime_ns
    except OSError:
        written = 0
    return info.made_at, int(found["n"] or 0) if found else 0, written


def list_backups(db_path: str | os.PathLike[str]) -> list[BackupInfo]:
    """The automatic backups of ``db_path`` that can be restored, newest first."""
    folder = backups_dir(db_path)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [info for info in map(_parse, entries) if info is not None]
    return sorted(found, key=_order, reverse=True)


def kept_files(db_path: str | os.PathLike[str]) -> list[Path]:
    """Every file of the backups folder that holds a copy of the data (backups and the
    damaged files restores replaced), by name."""
    folder = backups_dir(db_path)
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [p for p in entries if NAME.match(p.name) or DAMAGED.match(p.name)]


def held_copies(db_path: str | os.PathLike[str]) -> list[tuple[Path, datetime]]:
    """Every file of the backups folder that holds a copy of the data, with when it was
    made (from its name), newest first: the backups, and the damaged files restores
    replaced (their ``-wal`` or ``-journal`` is part of them, not listed apart). What an
    erasure lists as still holding a person."""
    held = []
    for path in kept_files(db_path):
        if path.name.endswith(("-wal", "-journal")):
            continue  # part of the copy it sits beside (deleted with it)
        try:
            made = datetime.strptime(path.name[:16], STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        held.append((path, made))
    return sorted(held, key=lambda found: (found[1], found[0].name), reverse=True)


def _unique(folder: Path, reason: str, suffix: str = ".sqlite") -> Path:
    """A new name in ``folder`` for a backup made now for ``reason``."""
    stamp = utc_now().astimezone(UTC).strftime(STAMP)
    candidate = folder / f"{stamp}-{reason}{suffix}"
    n = 1
    while candidate.exists() or candidate.with_name(candidate.name + "-wal").exists():
        n += 1
        candidate = folder / f"{stamp}-{reason}-{n}{suffix}"
    return candidate


def read_keep(db_path: str | os.PathLike[str]) -> int:
    """How many backups to keep: the ``backups.keep`` preference, else 10.

    Read with plain SQL (the store cannot ask the services); any failure (no such
    table yet, a damaged file) gives the default.
    """
    path = Path(db_path).expanduser().resolve()
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return DEFAULT_KEEP
    try:
        row = connection.execute(
            "SELECT value FROM preference WHERE key = ?", (KEEP_KEY,)
        ).fetchone()
    except sqlite3.Error:
        return DEFAULT_KEEP
    finally:
        connection.close()
    value = str(row[0]).strip() if row and row[0] is not None else ""
    if not value.isdigit():
        return DEFAULT_KEEP
    return max(KEEP_RANGE[0], min(KEEP_RANGE[1], int(value)))


def rotate(db_path: str | os.PathLike[str], keep: int, *, spare: Path | None = None) -> list[Path]:
    """Delete the oldest backups beyond the newest ``keep``; never ``spare`` (the one
    just made), never the newest ``before-restore`` copy (the data a restore replaced:
    with a small ``keep``, the next daily backup would otherwise take back a mistaken
    restore's only way back), never a file whose name is not a backup's. A deleted
    backup's ``-wal`` and ``-shm`` (left when somebody opened it) go with it. Returns
    what was deleted."""
    keep = max(1, keep)
    backups = list_backups(db_path)
    spared = {spare.resolve()} if spare is not None else set()
    newest_replaced = next((b for b in backups if b.reason == "before-restore"), None)
    if newest_replaced is not None:
        spared.add(newest_replaced.path.resolve())
    deleted: list[Path] = []
    for info in backups[keep:]:
        if info.path.resolve() in spared:
            continue
        try:
            info.path.unlink()
        except OSError:
            continue
        remove_quietly(*(info.path.with_name(info.path.name + s) for s in ("-wal", "-shm")))
        deleted.append(info.path)
    return deleted


def make_backup(db_path: str | os.PathLike[str], reason: str, *, keep: int | None = None) -> Path:
    """A backup of ``db_path`` for ``reason`` in its folder, then the rotation.

    Raises:
        OutputError: the backup could not be written (nothing is left behind).
    """
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    path = Path(db_path).expanduser().resolve()
    folder = backups_dir(path)
    try:
        make_private_dir(folder)
    except OSError as exc:
        from delegations.files import output_error

        raise output_error(exc, folder) from exc
    written = backup_copy(path, _unique(folder, reason), automatic=True)
    rotate(path, read_keep(path) if keep is None else keep, spare=written)
    return written


def daily_due(db_path: str | os.PathLike[str]) -> bool:
    """Whether the newest backup is older than a day (or there is none)."""
    backups = list_backups(db_path)
    return not backups or utc_now() - backups[0].made_at >= DAILY_INTERVAL


# --------------------------------------------------------------------------- checking


def _open_read_only(path: Path) -> sqlite3.Connection:
    busy = path.with_name(path.name + "-wal").exists()
    uri = path.resolve().as_uri() + ("?mode=ro" if busy else "?mode=ro&immutable=1")
    return sqlite3.connect(uri, uri=True, timeout=5)


def verify_backup(path: str | os.PathLike[str]) -> str:
    """Check that ``path`` can be restored; its schema revision.

    A revision older than this version's is fine (it is upgraded when opened).

    Raises:
        BackupInvalid: one line naming the problem (missing, a folder, not an SQLite
            file, damaged, not a Delegations database, saved by a newer version).
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise BackupInvalid(f"{path} does not exist")
    if path.is_dir():
        raise BackupInvalid(f"{path} is a folder, not a backup file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise BackupInvalid(f"cannot read {path}: {exc.strerror or exc}") from None
    if header != SQLITE_HEADER:
        raise BackupInvalid(f"{path} is not a database backup (not an SQLite file)")
    try:
        connection = _open_read_only(path)
    except sqlite3.Error:
        raise BackupInvalid(f"cannot read {path} as a database") from None
    try:
        check = connection.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise BackupInvalid(f"{path} is damaged (SQLite's integrity check failed)")
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        row = (
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
            if "alembic_version" in tables
            else None
        )
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupInvalid(f"{path} is in use by another program; try again") from None
        raise BackupInvalid(f"{path} is damaged (SQLite cannot read it)") from None
    except sqlite3.DatabaseError:
        raise BackupInvalid(f"{path} is damaged (SQLite cannot read it)") from None
    finally:
        connection.close()
    if row is None or not row[0]:
        raise BackupInvalid(f"{path} is an SQLite file but not a Delegations database")
    revision = str(row[0])
    if revision != migrations.head_revision() and revision not in migrations.known_revisions():
        raise BackupInvalid(
            f"{path} was saved by a newer version of Delegations (schema {revision}); "
            f"this version knows schema {migrations.head_revision()}"
        )
    return revision


def latest_good_backup(db_path: str | os.PathLike[str]) -> BackupInfo | None:
    """The newest automatic backup that ``verify_backup`` accepts, if any."""
    for info in list_backups(db_path):
        try:
            verify_backup(info.path)
        except StoreError:
            continue
        return info
    return None


# --------------------------------------------------------------------------- restoring


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage(backup: Path, db_path: Path) -> Path:
    """A whole, flushed copy of ``backup`` beside ``db_path`` (its -wal included)."""
    fd, staged = temporary_beside(db_path, PRIVATE_MODE)
    os.close(fd)
    leftovers = [staged, *(staged.with_name(staged.name + s) for s in ("-journal", "-wal", "-shm"))]
    try:
        source = _open_read_only(backup)
        try:
            target = sqlite3.connect(staged)
            try:
                source.backup(target)
                # The copy stays in rollback-journal mode until the database opens it.
                target.execute("PRAGMA journal_mode = DELETE")
                if target.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                    raise BackupInvalid(f"{backup} could not be copied whole; nothing was changed")
            finally:
                target.close()
        finally:
            source.close()
        remove_quietly(*leftovers[1:])
        set_mode(staged, PRIVATE_MODE)
        fsync_path(staged)
    except sqlite3.Error as exc:
        remove_quietly(*leftovers)
        raise StoreError(
            f"cannot copy {backup} beside {db_path} ({type(exc).__name__}); nothing was changed"
        ) from None
    except BaseException:
        remove_quietly(*leftovers)
        raise
    return staged


def _state(db_path: Path) -> str:
    """``missing`` (or empty), ``healthy`` (a Delegations database) or ``damaged``.

    Raises:
        DatabaseLocked: another program holds it so that it cannot be read.
    """
    try:
        if not db_path.exists() or db_path.stat().st_size == 0:
            return "missing"
        with db_path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return "damaged"
        connection = _open_read_only(db_path)
    except (OSError, sqlite3.Error):
        return "damaged"
    try:
        if connection.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            return "damaged"
        row = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        return "healthy" if row and row[0] else "damaged"
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseLocked(
                f"{db_path} is in use by another program; close it and try again; "
                "nothing was changed"
            ) from None
        return "damaged"
    except sqlite3.Error:
        return "damaged"
    finally:
        connection.close()


def read_erased(db_path: str | os.PathLike[str]) -> tuple[tuple[str, str], ...]:
    """The ``erased_record`` rows (uuid, erased_at as stored) of the database at
    ``db_path``, read through a read-only connection; empty when it is missing, not an
    SQLite file, damaged, or of a schema without that table."""
    return _read_erased(db_path) or ()


def _read_erased(db_path: str | os.PathLike[str]) -> tuple[tuple[str, str], ...] | None:
    """``read_erased``, with None when the file exists (not empty) but its
    ``erased_record`` could not be read."""
    path = Path(db_path).expanduser().resolve()
    try:
        if not path.exists() or (path.is_file() and path.stat().st_size == 0):
            return ()
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None
        connection = _open_read_only(path)
    except (OSError, sqlite3.Error):
        return None
    try:
        rows = connection.execute("SELECT uuid, erased_at FROM erased_record").fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return tuple(
        (uuid, str(erased_at))
        for uuid, erased_at in rows
        if isinstance(uuid, str) and uuid and erased_at is not None
    )


def read_person_uuids(db_path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The uuids of the people in the database (or backup) at ``db_path``, read-only;
    empty when it cannot be read."""
    path = Path(db_path).expanduser().resolve()
    try:
        connection = _open_read_only(path)
    except (OSError, sqlite3.Error):
        return ()
    try:
        rows = connection.execute("SELECT uuid FROM person").fetchall()
    except sqlite3.Error:
        return ()
    finally:
        connection.close()
    return tuple(uuid for (uuid,) in rows if isinstance(uuid, str) and uuid)


def _settle(db_path: Path) -> None:
    """Write the -wal of a healthy database into the file and close it, so that no
    -wal content belongs to it any more.

    Raises:
        DatabaseLocked: another program holds it open (nothing was changed).
    """
    in_use = DatabaseLocked(
        f"{db_path} is in use by another program; close it and try again; nothing was changed"
    )
    try:
        connection = sqlite3.connect(db_path, timeout=5)
    except sqlite3.Error:
        raise in_use from None
    try:
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        raise in_use from None
    finally:
        connection.close()
    wal = db_path.with_name(db_path.name + "-wal")
    if busy or (wal.exists() and wal.stat().st_size > 0):
        raise in_use
    remove_quietly(wal, db_path.with_name(db_path.name + "-shm"))


def _keep_damaged(db_path: Path, folder: Path) -> Path:
    """Copy the damaged file byte for byte into ``folder``; move its -wal (and a
    rollback journal) there, so that neither is ever applied to the restored file;
    drop its -shm."""
    kept = _unique(folder, "before-restore", ".damaged")
    fd, tmp = temporary_beside(kept, PRIVATE_MODE)
    os.close(fd)
    try:
        shutil.copyfile(db_path, tmp)
        set_mode(tmp, PRIVATE_MODE)
        fsync_path(tmp)
        os.replace(tmp, kept)
    except BaseException:
        remove_quietly(tmp)
        raise
    for suffix in ("-wal", "-journal"):
        companion = db_path.with_name(db_path.name + suffix)
        if not companion.exists():
            continue
        target = kept.with_name(kept.name + suffix)
        try:
            os.replace(companion, target)
        except OSError:  # another file system: copy, then remove
            shutil.copyfile(companion, target)
            set_mode(target, PRIVATE_MODE)
            fsync_path(target)
            companion.unlink()
    remove_quietly(db_path.with_name(db_path.name + "-shm"))
    _fsync_dir(folder)
    return kept


def open_elsewhere(db_path: Path) -> bool:
    """Whether another process has the database open (a Delegations window left open,
    a command running): each SQLite connection in WAL mode holds a shared lock on the
    "dead man switch" byte of the ``-shm`` file (offset 128) while it is connected,
    even when idle. Replacing the file under it would send its later writes to the old,
    unlinked file: lost. POSIX only (elsewhere the rename itself fails while it is open).

    Locks are per process: call this when this process holds no connection to it
    (closing the probe's descriptor would drop this process's own locks on the file).
    """
    if os.name != "posix":
        return False
    import fcntl

    try:
        fd = os.open(db_path.with_name(db_path.name + "-shm"), os.O_RDWR)
    except OSError:
        return False  # no -shm: nobody has it open in WAL mode
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, 128)
        return False
    finally:
        os.close(fd)


def restore(
    backup: str | os.PathLike[str],
    db_path: str | os.PathLike[str],
    *,
    before_replace: Callable[[], None] | None = None,
) -> RestoreResult:
    """Replace the database at ``db_path`` by ``backup``; the current file is kept.

    Works whatever the current file is: a database, a damaged one, not a database at
    all, empty, or missing. Every connection to it must be closed first.

    Args:
        backup: the file to restore (checked first: a bad one changes nothing).
        db_path: the database to replace.
        before_replace: called just before the rename (tests).

    Raises:
        BackupInvalid: ``backup`` cannot be restored, or is the database itself.
        DatabaseLocked: another program has the database open.
        StoreError, OSError: the copy could not be made; the database is as it was.
    """
    source = Path(backup).expanduser()
    path = Path(db_path).expanduser().resolve()
    if source.resolve() == path or (
        source.exists() and path.exists() and os.path.samefile(source, path)
    ):
        raise BackupInvalid(f"{source} is the database itself; choose a backup to restore")
    revision = verify_backup(source)
    if open_elsewhere(path):
        raise DatabaseLocked(
            f"{path} is open in another program (another Delegations window, or a command "
            "still running); close it and try again; nothing was changed"
        )
    make_private_dir(path.parent)
    folder = backups_dir(path)
    make_private_dir(folder)
    state = _state(path)
    staged = _stage(source, path)
    try:
        kept: Path | None = None
        erased: tuple[tuple[str, str], ...] = ()
        unreadable = False
        if state == "healthy":
            kept = backup_copy(path, _unique(folder, "before-restore"), automatic=True)
            _settle(path)
            erased = read_erased(path)  # whole now: its -wal was written into it
        elif state == "damaged":
            found = _read_erased(path)  # what can still be read of it, if anything
            erased, unreadable = found or (), found is None
            kept = _keep_damaged(path, folder)
        else:
            remove_quietly(path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
        if before_replace is not None:
            before_replace()
        os.replace(staged, path)
    except BaseException:
        remove_quietly(staged)
        raise
    _fsync_dir(path.parent)
    if kept is not None and kept.suffix == ".sqlite":
        rotate(path, read_keep(path), spare=kept)
    return RestoreResult(kept, revision, erased, replaced_unreadable=unreadable)
