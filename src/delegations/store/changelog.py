"""Row-level change capture, and putting rows back: what undo and redo stand on.

Every connection gets temporary triggers on the application's tables. Each
trigger hands the row as it was and as it is to ``Recorder`` (a Python function
registered with SQLite), so a transaction knows exactly which rows it inserted,
updated and deleted, including those removed by ``ON DELETE CASCADE``. Values
arrive as SQLite stores them (no JSON, no rounding of floats).

``apply_rows`` writes such images back: it checks, row by row, that the
database holds what the history expects before changing anything, and raises
``RowConflict`` otherwise (another program changed the record), so an undo can
never change a record it did not make. Records keep their primary keys (the
tables use ``AUTOINCREMENT``, so SQLite never gives a deleted record's id to
another one) and nothing is remapped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

FUNCTION = "delegations_row_changed"
SWITCH = "delegations_recording"
"""A one-row temporary table: the triggers call Python only while it says so."""
UNTRACKED = frozenset(
    {"alembic_version", "sqlite_sequence", "audit_entry", "preference", "erased_record"}
)
"""Tables undo never touches: the audit log (an undo writes entries of its own), the
settings stored with the data, and the uuids of erased records (an erasure is final)."""
BOOKKEEPING = frozenset({"updated_at", "revision"})
"""Columns that record when and how often a row changed, not what it holds.

Undo and redo do not put old values back in them: ``updated_at`` becomes the
time of the undo, and ``revision`` (a calendar's SEQUENCE) rises, so calendar
clients accept the undone version as an update.
"""

Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row written by a transaction: ``before`` None for an insert, ``after`` for a delete."""

    table: str
    before: Row | None
    after: Row | None


@dataclass(frozen=True, slots=True)
class TableShape:
    """A table's columns in storage order and the columns that identify a row."""

    name: str
    columns: tuple[str, ...]
    key: tuple[int, ...]

    def key_of(self, row: Row) -> Row:
        return tuple(row[i] for i in self.key)

    def index(self, column: str) -> int | None:
        return self.columns.index(column) if column in self.columns else None


class RowConflict(Exception):
    """The database does not hold what the history expects (changed elsewhere)."""

    def __init__(self, table: str, key: Row) -> None:
        self.table = table
        self.key = key
        super().__init__(f"{table} {key} is not as the history left it")


class Recorder:
    """Collects the rows its connection writes while ``recording`` is true.

    Args:
        connection: the connection whose triggers call it (None in tests of the
            recorder alone).
    """

    def __init__(self, connection: sqlite3.Connection | None = None) -> None:
        self.connection = connection
        self.recording = False
        self.rows: list[RowChange] = []
        self.shapes: dict[str, TableShape] = {}

    def _switch(self, on: bool) -> None:
        self.recording = on
        if self.connection is not None:
            self.connection.execute(f"UPDATE temp.{SWITCH} SET recording = ?", (int(on),))

    def __call__(self, table: str, operation: str, *values: Any) -> None:
        if not self.recording:
            return
        if operation == "I":
            self.rows.append(RowChange(table, None, values))
        elif operation == "D":
            self.rows.append(RowChange(table, values, None))
        else:
            half = len(values) // 2
            before, after = values[:half], values[half:]
            if before != after:
                self.rows.append(RowChange(table, before, after))

    @contextmanager
    def capture(self) -> Iterator[list[RowChange]]:
        """Record the rows written inside the block into the list it yields."""
        self.rows = []
        self._switch(True)
        try:
            yield self.rows
        finally:
            self._switch(False)
            self.rows = []


def install(connection: sqlite3.Connection) -> Recorder:
    """Register the recorder and the temporary triggers on a new connection.

    Tables that do not exist yet (a database before its first migration) get
    no trigger; the store opens fresh connections after migrating.
    """
    recorder = Recorder(connection)
    connection.create_function(FUNCTION, -1, recorder)
    connection.execute(f"CREATE TEMP TABLE IF NOT EXISTS {SWITCH} (recording INTEGER NOT NULL)")
    if connection.execute(f"SELECT count(*) FROM temp.{SWITCH}").fetchone()[0] == 0:
        connection.execute(f"INSERT INTO temp.{SWITCH} VALUES (0)")
    names = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
        if name not in UNTRACKED and not name.startswith(("sqlite_", "_"))
    ]
    for name in names:
        shape = _shape(connection, name)
        recorder.shapes[name] = shape
        for statement in _triggers(shape):
            connection.execute(statement)
    return recorder


def _shape(connection: sqlite3.Connection, table: str) -> TableShape:
    info = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
    columns = tuple(row[1] for row in info)
    key = tuple(i for i, row in enumerate(info) if row[5]) or tuple(range(len(columns)))
    return TableShape(table, columns, key)


def _triggers(shape: TableShape) -> list[str]:
    def values(prefix: str) -> str:
        return ", ".join(f'{prefix}."{c}"' for c in shape.columns)

    t = shape.name
    call = f"SELECT {FUNCTION}('{t}'"
    when = f"WHEN (SELECT recording FROM temp.{SWITCH})"
    return [
        f'CREATE TEMP TRIGGER IF NOT EXISTS "log_{t}_insert" AFTER INSERT ON main."{t}" '
        f"{when} BEGIN {call}, 'I', {values('NEW')}); END",
        f'CREATE TEMP TRIGGER IF NOT EXISTS "log_{t}_update" AFTER UPDATE ON main."{t}" '
        f"{when} BEGIN {call}, 'U', {values('OLD')}, {values('NEW')}); END",
        f'CREATE TEMP TRIGGER IF NOT EXISTS "log_{t}_delete" AFTER DELETE ON main."{t}" '
        f"{when} BEGIN {call}, 'D', {values('OLD')}); END",
    ]


def net_rows(rows: Iterable[RowChange], shapes: dict[str, TableShape]) -> list[RowChange]:
    """One change per row: the first ``before`` and the last ``after`` (no-ops dropped)."""
    first: dict[tuple[str, Row], RowChange] = {}
    last: dict[tuple[str, Row], RowChange] = {}
    for change in rows:
        image = change.before if change.before is not None else change.after
        assert image is not None
        key = (change.table, shapes[change.table].key_of(image))
        first.setdefault(key, change)
        last[key] = change
    out = []
    for key, change in first.items():
        merged = RowChange(change.table, change.before, last[key].after)
        if merged.before != merged.after:
            out.append(merged)
    return out


def _stamp() -> str:
    """``updated_at`` as the ORM stores it (naive UTC, to the second)."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    return now.strftime("%Y-%m-%d %H:%M:%S.%f")


def same_content(shape: TableShape, a: Row | None, b: Row | None) -> bool:
    """Whether two images hold the same values, bookkeeping columns aside."""
    if a is None or b is None:
        return a is b
    return all(
        x == y
        for column, x, y in zip(shape.columns, a, b, strict=True)
        if column not in BOOKKEEPING
    )


def apply_rows(
    execute: Any,
    shapes: dict[str, TableShape],
    rows: Sequence[RowChange],
    backwards: bool,
) -> None:
    """Put rows back (``backwards``: each row's ``before``) or forward again (``after``).

    ``execute(sql, params)`` runs one statement and returns a cursor-like result
    with ``fetchone()``. Foreign keys are checked at commit (the caller defers
    them), so rows can be restored in any order.

    Raises:
        RowConflict: a row is not as the history left it; nothing should be committed.
    """
    ordered = reversed(rows) if backwards else iter(rows)
    stamp_now = _stamp()
    for change in ordered:
        shape = shapes[change.table]
        sql = _statements(shape)
        expect, target = (
            (change.after, change.before) if backwards else (change.before, change.after)
        )
        image = expect if expect is not None else target
        assert image is not None
        key = shape.key_of(image)
        current = execute(sql.select, key).fetchone()
        current = tuple(current) if current is not None else None
        if not same_content(shape, current, expect):
            raise RowConflict(shape.name, key)
        if target is None:
            execute(sql.delete, key)
            continue
        values = list(target)
        if sql.stamp is not None:
            values[sql.stamp] = stamp_now
        if sql.revision is not None:
            seen = [values[sql.revision] or 0]
            if current is not None:
                seen.append(current[sql.revision] or 0)
            values[sql.revision] = max(seen) + 1
        if current is None:
            execute(sql.insert, tuple(values))
        else:
            execute(sql.update, (*values, *key))


@dataclass(frozen=True, slots=True)
class _Statements:
    select: str
    delete: str
    insert: str
    update: str
    stamp: int | None
    revision: int | None


@lru_cache(maxsize=64)
def _statements(shape: TableShape) -> _Statements:
    """The SQL that reads and writes one row of ``shape`` by its key (made once)."""
    where = " AND ".join(f'"{shape.columns[i]}" IS ?' for i in shape.key)
    columns = ", ".join(f'"{c}"' for c in shape.columns)
    marks = ", ".join("?" for _ in shape.columns)
    assignments = ", ".join(f'"{c}" = ?' for c in shape.columns)
    t = shape.name
    return _Statements(
        select=f'SELECT {columns} FROM "{t}" WHERE {where}',
        delete=f'DELETE FROM "{t}" WHERE {where}',
        insert=f'INSERT INTO "{t}" ({columns}) VALUES ({marks})',
        update=f'UPDATE "{t}" SET {assignments} WHERE {where}',
        stamp=shape.index("updated_at"),
        revision=shape.index("revision"),
    )
