"""Operations, and the undo/redo history that sits below the window.

An ``Operation`` is one change to data: a label ("delete “Barcelona visit”")
and a function of a session. ``perform`` runs it in one transaction and returns
its result with the ``Changes`` it made, read from the rows SQLite actually
wrote (cascades included). ``History.run`` does the same and keeps the rows'
before and after images, so ``undo`` and ``redo`` put back exactly those rows,
with their own ids: no record is ever re-created under another id, and an undo
that finds a record changed elsewhere refuses and clears the history instead of
touching it.

Failures:
* the operation refuses (``ServiceError``): nothing written, history unchanged;
* the database cannot be written (locked, read-only, full disk): nothing
  written, the step stays where it was, ``StorageError`` says what to do;
* an undo or redo finds the data changed by another program: nothing written,
  the history is cleared, ``HistoryLost`` says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from delegations.model import AgendaItem, Participation
from delegations.services import audit
from delegations.services.changes import (
    AGENDA_ITEM,
    DELEGATION,
    ORGANISATION,
    PARTICIPATION,
    PERSON,
    VENUE,
    Changes,
    summarize,
)
from delegations.services.errors import ServiceError
from delegations.store import Database
from delegations.store.changelog import RowChange, RowConflict, TableShape, apply_rows, net_rows
from delegations.store.database import recorder
from delegations.store.inspection import damaged_message

T = TypeVar("T")
Label = str | Callable[[Session], str]


class StorageError(ServiceError):
    """The database could not be written or read; nothing was changed."""


class HistoryLost(ServiceError):
    """Undo or redo found data changed elsewhere; the history was cleared."""


@dataclass(frozen=True)
class Operation(Generic[T]):
    """One change to data, run in one transaction.

    Attributes:
        label: how the change reads after "Undo" ("add Julien Caron"), or a
            function of the session that says it (names read from the database).
        run: the change; returns a plain value (ids, counts), never a record.
        action: what the audit log calls it (``import``, ``merge``, ``erase``,
            ``purge``…); empty: each row's own change (create, update, delete).
        undoable: False for a change that must not be taken back (an erasure):
            ``History.run`` keeps no step for it.
    """

    label: Label
    run: Callable[[Session], T]
    action: str = ""
    undoable: bool = True


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What an operation returned, what it changed and what it is called."""

    result: T
    changes: Changes
    label: str


@dataclass(frozen=True)
class Step:
    """A done operation as the history keeps it."""

    label: str
    rows: tuple[RowChange, ...]
    changes: Changes


def storage_message(exc: BaseException, path: Path | None = None) -> str:
    """A sentence for people about a database failure (no SQL, no data values)."""
    detail = str(getattr(exc, "orig", exc)).lower()
    if path is not None and ("malformed" in detail or "not a database" in detail):
        return f"The change could not be saved: {damaged_message(path)} Nothing was changed."
    if "locked" in detail or "busy" in detail:
        reason = (
            "the database is in use by another program (or another Delegations window); "
            "close it and try again"
        )
    elif "readonly" in detail or "read-only" in detail or "read only" in detail:
        reason = (
            "the database file is read-only; check its permissions or copy it somewhere writable"
        )
    elif "full" in detail:
        reason = "the disk is full; free some space and try again"
    elif "malformed" in detail or "not a database" in detail or "corrupt" in detail:
        reason = "the database file is damaged; restore it from a backup"
    elif "i/o" in detail or "disk" in detail:
        reason = "the disk could not be read or written"
    else:
        reason = "the database reported a problem"
    return f"The change could not be saved: {reason}. Nothing was changed."


def failure_message(exc: BaseException, path: Path | None = None) -> str:
    """One sentence for an error no code expected: a database failure, or a logged bug.

    A bug's traceback goes to the error log in the data folder, redacted; the
    sentence says where it is.
    """
    from delegations import crashlog

    if isinstance(exc, DBAPIError | SQLAlchemyError):
        return storage_message(exc, path)
    try:
        log = crashlog.record(exc)
    except OSError:
        return f"Unexpected {type(exc).__name__}; it could not be logged."
    return (
        f"Unexpected {type(exc).__name__}. The details (without personal data) are in {log}; "
        "please send that file with a short description of what you were doing."
    )


@contextmanager
def storage_errors(path: Path | None = None) -> Iterator[None]:
    """Turn a database failure into a ``StorageError`` with a message for people."""
    try:
        yield
    except ServiceError:
        raise
    except (DBAPIError, SQLAlchemyError) as exc:
        raise StorageError(storage_message(exc, path)) from None
    except OSError as exc:
        raise StorageError(storage_message(exc, path)) from None


class _Conflict(Exception):
    pass


@contextmanager
def _conflicts() -> Iterator[None]:
    """A row not as expected, or a reference broken at commit, is a conflict."""
    try:
        yield
    except RowConflict:
        raise _Conflict() from None
    except IntegrityError:
        raise _Conflict() from None


def _label(session: Session, label: Label) -> str:
    return label(session) if callable(label) else label


def _delegations(
    session: Session, rows: list[RowChange], shapes: Mapping[str, TableShape]
) -> dict[str, dict[int, int]]:
    """Delegation of each participation and item whose rows do not name it."""
    wanted: dict[str, set[int]] = {PARTICIPATION: set(), AGENDA_ITEM: set()}
    for change in rows:
        if change.table in ("travel_leg", "item_participant", "item_host_contact"):
            shape = shapes[change.table]
            column = "participation_id" if change.table == "travel_leg" else "agenda_item_id"
            kind = PARTICIPATION if change.table == "travel_leg" else AGENDA_ITEM
            index = shape.index(column)
            assert index is not None
            for image in (change.before, change.after):
                if image is not None:
                    wanted[kind].add(image[index])
    out: dict[str, dict[int, int]] = {}
    for kind, model in ((PARTICIPATION, Participation), (AGENDA_ITEM, AgendaItem)):
        if wanted[kind]:
            found = session.execute(
                select(model.id, model.delegation_id).where(model.id.in_(wanted[kind]))
            )
            out[kind] = {record_id: delegation_id for record_id, delegation_id in found}
    return out


_VERSION_SOURCES = (
    # (kind, SQL giving the delegations that show a record of that kind in their documents)
    (
        PERSON,
        "SELECT delegation_id FROM participation WHERE person_id IN ({ids}) "
        "UNION SELECT id FROM delegation WHERE lead_officer_id IN ({ids}) "
        "UNION SELECT a.delegation_id FROM agenda_item a JOIN item_host_contact c "
        "ON c.agenda_item_id = a.id WHERE c.person_id IN ({ids})",
    ),
    (
        ORGANISATION,
        "SELECT id FROM delegation WHERE sending_organisation_id IN ({ids}) "
        "UNION SELECT delegation_id FROM agenda_item WHERE host_organisation_id IN ({ids}) "
        "UNION SELECT p.delegation_id FROM participation p JOIN person s ON s.id = p.person_id "
        "WHERE s.organisation_id IN ({ids}) "
        "UNION SELECT a.delegation_id FROM agenda_item a JOIN venue v "
        "ON v.id IN (a.venue_id, a.dropoff_venue_id) WHERE v.organisation_id IN ({ids})",
    ),
    (
        VENUE,
        "SELECT delegation_id FROM agenda_item WHERE venue_id IN ({ids}) "
        "OR dropoff_venue_id IN ({ids})",
    ),
)


def _raise_versions(session: Session, changes: Changes) -> None:
    """Raise the ``revision`` (the version printed on documents) of every delegation the
    change shows in: its own records, or the people, organisations and venues they name.

    Runs after the rows were captured: the version is bookkeeping, not part of the step
    (undo and redo raise it again, never put an old one back).
    """
    if not changes:
        return
    execute = _execute(session)
    touched = set(changes.delegations) | set(changes.ids(DELEGATION))
    for kind, sql in _VERSION_SOURCES:
        ids = sorted(changes.ids(kind))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found = execute(sql.format(ids=marks), tuple(chunk) * sql.count("{ids}"))
            touched.update(row[0] for row in found)
    chosen = sorted(touched)
    for start in range(0, len(chosen), 500):
        chunk = chosen[start : start + 500]
        execute(
            f"UPDATE delegation SET revision = revision + 1 WHERE id IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        )


def _execute(session: Session) -> Callable[[str, tuple[Any, ...]], Any]:
    """The session's own sqlite3 connection (same transaction, no per-statement overhead)."""
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    return raw.execute


def _run(db: Database, operation: Operation[T]) -> tuple[Outcome[T], tuple[RowChange, ...]]:
    with storage_errors(db.path), db.transaction() as session:
        log = recorder(session)
        label = _label(session, operation.label)
        with log.capture() as captured:
            result = operation.run(session)
            session.flush()
            rows = net_rows(captured, log.shapes)
        owners = _delegations(session, rows, log.shapes)
        changes = summarize(rows, log.shapes, owners)
        _raise_versions(session, changes)
        # The audit log, in the same transaction: the rows' tables, ids and the names
        # of the fields written (never values); not recorded, so undo keeps it.
        audit.note_rows(_execute(session), rows, log.shapes, operation.action, owners)
    return Outcome(result, changes, label), tuple(rows)


def perform(db: Database, operation: Operation[T]) -> Outcome[T]:
    """Run ``operation`` in one transaction, without keeping it for undo (command line)."""
    outcome, _rows = _run(db, operation)
    return outcome


class History:
    """The undo and redo stacks of one open database.

    Args:
        db: the database the operations change.
        limit: how many steps undo can go back.
    """

    def __init__(self, db: Database, limit: int = 200) -> None:
        self.db = db
        self.limit = limit
        self._done: list[Step] = []
        self._undone: list[Step] = []
        self._lock = threading.RLock()
        self.revision = 0
        """Rises whenever the stacks change (listeners compare it)."""

    # state ----------------------------------------------------------------------
    def can_undo(self) -> bool:
        return bool(self._done)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo_label(self) -> str:
        return self._done[-1].label if self._done else ""

    def redo_label(self) -> str:
        return self._undone[-1].label if self._undone else ""

    def labels(self) -> tuple[list[str], list[str]]:
        """The labels that undo and redo would take, most recent first."""
        return [s.label for s in reversed(self._done)], [s.label for s in reversed(self._undone)]

    def clear(self) -> None:
        with self._lock:
            self._done.clear()
            self._undone.clear()
            self.revision += 1

    # changes --------------------------------------------------------------------
    def run(self, operation: Operation[T]) -> Outcome[T]:
        """Do ``operation`` and keep it for undo (unless it changed nothing)."""
        with self._lock:
            outcome, rows = _run(self.db, operation)
            if rows and operation.undoable:
                self._done.append(Step(outcome.label, rows, outcome.changes))
                del self._done[: -self.limit]
                self._undone.clear()
                self.revision += 1
            elif rows:
                # Not undoable (an erasure): no step keeps its rows; what was undone
                # cannot be redone over it.
                self._undone.clear()
                self.revision += 1
            return outcome

    def forgettable(self, touches: Callable[[Step], bool]) -> int:
        """How many steps ``forget(touches)`` would drop (nothing changed)."""
        with self._lock:
            newest = max((i for i, s in enumerate(self._done) if touches(s)), default=-1)
            return newest + 1 + len(self._undone)

    def forget(self, touches: Callable[[Step], bool]) -> int:
        """Drop the steps that ``touches`` (an erased person's rows), every older step
        (undo goes back in order) and the redo steps; returns how many were dropped."""
        with self._lock:
            newest = max((i for i, s in enumerate(self._done) if touches(s)), default=-1)
            dropped = newest + 1 + len(self._undone)
            del self._done[: newest + 1]
            self._undone.clear()
            if dropped:
                self.revision += 1
            return dropped

    def undo(self) -> Changes:
        """Take back the last step; returns what changed (nothing if there is no step)."""
        with self._lock:
            if not self._done:
                return Changes()
            step = self._done[-1]
            changes = self._apply(step, backwards=True)
            self._undone.append(self._done.pop())
            self.revision += 1
            return changes

    def redo(self) -> Changes:
        """Do the last undone step again."""
        with self._lock:
            if not self._undone:
                return Changes()
            step = self._undone[-1]
            changes = self._apply(step, backwards=False)
            self._done.append(self._undone.pop())
            self.revision += 1
            return changes

    def _apply(self, step: Step, backwards: bool) -> Changes:
        verb = "undo" if backwards else "redo"
        try:
            with storage_errors(self.db.path), _conflicts(), self.db.transaction() as session:
                session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                log = recorder(session)
                with log.capture() as captured:
                    apply_rows(_execute(session), log.shapes, step.rows, backwards)
                    rows = net_rows(captured, log.shapes)
                owners = _delegations(session, rows, log.shapes)
                changes = summarize(rows, log.shapes, owners)
                _raise_versions(session, changes)
                audit.note_rows(_execute(session), rows, log.shapes, verb, owners)
                return changes
        except _Conflict:
            self.clear()
            raise HistoryLost(
                f"Could not {verb} “{step.label}”: the records it concerns were changed "
                "outside this window (by another program or another Delegations window). "
                "Nothing was changed, and the undo history was cleared so that it cannot "
                "touch the wrong records."
            ) from None
        except StorageError as exc:
            raise StorageError(f"Could not {verb} “{step.label}”. {exc}") from None
