"""Upgrading keeps every row (issue 15): a database made at each earlier revision,
full of data, opened by the application (which migrates it to the newest revision),
still holds every row of every table with the same values.

The rows are generated from the schema reflected at that revision (every table,
every column, several rows each, non-ASCII text, NULL wherever a column allows it,
values that satisfy the CHECK and foreign-key constraints), so the test keeps up
with tables and columns added later without being edited.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine

from delegations.store import Database, migrations

EARLIER = [f"{n:04d}" for n in range(1, int(migrations.head_revision()))]
"""Every revision before the newest one."""

ROWS = 4
"""Rows generated per table (more than the foreign keys of any table, so that rows
pointing at "the next" record of another table never collide)."""

INTENDED: dict[tuple[str, str], str] = {}
"""(table, column) → why a migration changes its stored values on purpose. No
migration so far rewrites a value it keeps: 0002 and 0005 copy whole tables,
0003 and 0005 add columns (computing new ones from the old, never the reverse)."""

SKIPPED_TABLES = frozenset({"alembic_version", "sqlite_sequence"})

BASE = datetime(2031, 2, 27, 9, 30)


def tables_at(path: Path, revision: str) -> sa.MetaData:
    """Make the database at ``revision`` and reflect its schema."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            migrations.upgrade(connection, revision)
            connection.commit()
            assert migrations.current_revision(connection) == revision
        metadata = sa.MetaData()
        metadata.reflect(engine)
    finally:
        engine.dispose()
    return metadata


def checks_of(path: Path) -> dict[str, str]:
    """Each table's CREATE statement (its CHECK constraints are read from it)."""
    connection = sqlite3.connect(path)
    try:
        return dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type='table'"))
    finally:
        connection.close()


def choices(sql: str) -> dict[str, list[str]]:
    """``column IN ('a', 'b')`` checks: the values each column may hold."""
    found: dict[str, list[str]] = {}
    for column, values in re.findall(r"\"?(\w+)\"? IN \(([^)]*)\)", sql):
        found[column] = re.findall(r"'([^']*)'", values)
    return found


def later_columns(sql: str) -> set[str]:
    """Columns that a check wants after (greater than) another one."""
    return {m for m, _other in re.findall(r"\"?(\w+)\"? >=? \"?([a-z_]+)\"?(?! *\d)", sql)}


def text_value(table: str, column: str, row: int, length: int | None) -> str:
    value = f"Zoë “{table}.{column}” #{row} — Ærø ✓ 東京"
    if length is not None and len(value) > length:
        value = f"é{row}{column}"[:length]
    return value


def generated(
    metadata: sa.MetaData, schema: dict[str, str], existing: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """``ROWS`` rows for each table, in an order the foreign keys accept."""
    made: dict[str, list[dict[str, Any]]] = {}
    for table in metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        allowed = choices(schema[table.name])
        later = later_columns(schema[table.name])
        keys = [c.name for c in table.primary_key.columns]
        taken = existing.get(table.name, [])
        start = max((r[keys[0]] for r in taken if isinstance(r.get(keys[0]), int)), default=0)
        foreign = {
            fk.parent.name: (fk.column.table.name, fk.column.name, n)
            for n, fk in enumerate(sorted(table.foreign_keys, key=lambda f: f.parent.name))
        }
        rows = []
        for i in range(ROWS):
            row: dict[str, Any] = {}
            for column in table.columns:
                name, kind = column.name, column.type
                nullable = column.nullable and not column.primary_key
                if i == 0 and nullable:
                    row[name] = None  # every nullable column holds a NULL somewhere
                elif name in foreign:
                    target, target_column, n = foreign[name]
                    row[name] = made[target][(i + n) % ROWS][target_column]
                elif name in allowed:
                    row[name] = allowed[name][i % len(allowed[name])]
                elif isinstance(kind, sa.Boolean):
                    row[name] = i % 2
                elif isinstance(kind, sa.Integer):
                    row[name] = start + i + 1 if column.primary_key else 10 + i
                elif isinstance(kind, sa.Float | sa.Numeric):
                    row[name] = 41.38 + i / 8
                elif isinstance(kind, sa.DateTime):
                    moment = BASE + timedelta(days=i, hours=3 if name in later else 0)
                    row[name] = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
                elif isinstance(kind, sa.Date):
                    row[name] = (
                        BASE.date() + timedelta(days=i + (2 if name in later else 0))
                    ).isoformat()
                elif isinstance(kind, sa.Time):
                    row[name] = time(9 + i, 15).isoformat()
                else:
                    length = getattr(kind, "length", None)
                    row[name] = text_value(table.name, name, i, length)
            rows.append(row)
        made[table.name] = rows
    return made


def insert(path: Path, rows: dict[str, list[dict[str, Any]]]) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        for table, table_rows in rows.items():
            for row in table_rows:
                columns = ", ".join(f'"{c}"' for c in row)
                marks = ", ".join("?" for _ in row)
                connection.execute(
                    f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(row.values())
                )
        connection.commit()
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()


def dump(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as SQLite stores it, in key order."""
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        names = [
            n
            for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if n not in SKIPPED_TABLES
        ]
        return {
            name: [dict(r) for r in connection.execute(f'SELECT * FROM "{name}" ORDER BY 1, 2')]
            for name in names
        }
    finally:
        connection.close()


@pytest.mark.parametrize("revision", EARLIER)
def test_upgrading_keeps_every_row_and_value(tmp_path: Path, revision: str) -> None:
    path = tmp_path / f"at-{revision}.db"
    metadata = tables_at(path, revision)
    rows = generated(metadata, checks_of(path), dump(path))
    assert set(rows) == {t.name for t in metadata.sorted_tables} - SKIPPED_TABLES
    insert(path, rows)
    before = dump(path)
    assert all(len(table_rows) >= ROWS for table_rows in before.values())

    Database.open(path).close()  # the application migrates it to the newest revision

    after = dump(path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert migrations.current_revision(connection) == migrations.head_revision()
    finally:
        engine.dispose()
    for table, old_rows in before.items():
        assert table in after, f"{table} was dropped"
        assert len(after[table]) == len(old_rows), table
        for old, new in zip(old_rows, after[table], strict=True):
            for column, value in old.items():
                if (table, column) in INTENDED:
                    continue
                assert column in new, f"{table}.{column} was dropped"
                assert new[column] == value, f"{table}.{column} changed"


def test_the_generated_rows_cover_every_kind_of_value(tmp_path: Path) -> None:
    """The fill is not vacuous: NULLs, non-ASCII text, dates and references are there."""
    path = tmp_path / "at-first.db"
    metadata = tables_at(path, EARLIER[-1])
    rows = generated(metadata, checks_of(path), dump(path))
    values = [v for table_rows in rows.values() for row in table_rows for v in row.values()]
    assert None in values
    assert any(isinstance(v, str) and "東京" in v for v in values)
    assert any(isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v) for v in values)
    participation = rows["participation"]
    assert {r["person_id"] for r in participation} <= {r["id"] for r in rows["person"]}
    assert date.fromisoformat("2031-02-27") == BASE.date()
