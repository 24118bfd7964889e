"""autoincrement keys

Every record table's primary key becomes ``INTEGER PRIMARY KEY AUTOINCREMENT``,
so SQLite never hands a deleted record's id to a new one. Undo restores a
deleted record with its own id; without this, a record created in between
could have taken it.

SQLite cannot change a primary key in place: each table is rebuilt with the
documented procedure (create the new table, copy, drop, rename, re-create the
indexes) while foreign-key enforcement is off, then every reference is checked.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:20:00
"""

from __future__ import annotations

import re

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "organisation",
    "person",
    "venue",
    "delegation",
    "participation",
    "travel_leg",
    "agenda_item",
)
PLAIN_ID = "\tid INTEGER NOT NULL, \n"
AUTO_ID = "\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \n"


def _with_autoincrement(sql: str, table: str) -> str:
    named_key = f"\tCONSTRAINT pk_{table} PRIMARY KEY (id), \n"
    last_key = f", \n\tCONSTRAINT pk_{table} PRIMARY KEY (id)\n)"  # as a downgrade writes it
    if PLAIN_ID not in sql or (named_key not in sql and last_key not in sql):
        raise RuntimeError(f"unexpected definition of table {table}; cannot rebuild it")
    return sql.replace(PLAIN_ID, AUTO_ID).replace(named_key, "").replace(last_key, "\n)")


def _without_autoincrement(sql: str, table: str) -> str:
    if AUTO_ID not in sql:
        raise RuntimeError(f"unexpected definition of table {table}; cannot rebuild it")
    head, _sep, tail = sql.rpartition("\n)")
    return (
        head.replace(AUTO_ID, PLAIN_ID) + f", \n\tCONSTRAINT pk_{table} PRIMARY KEY (id)\n)" + tail
    )


def _rebuild(table: str, transform: object) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    indexes = [
        row[0]
        for row in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
    ]
    columns = ", ".join(
        f'"{row[1]}"' for row in conn.exec_driver_sql(f'PRAGMA table_info("{table}")')
    )
    new = f"_rebuild_{table}"
    created = transform(sql, table)  # type: ignore[operator]
    created, found = re.subn(
        rf'^CREATE TABLE\s+("?){table}\1\s*\(', f'CREATE TABLE "{new}" (', created, count=1
    )
    if not found:
        raise RuntimeError(f"unexpected definition of table {table}; cannot rebuild it")
    conn.exec_driver_sql(created)
    conn.exec_driver_sql(f'INSERT INTO "{new}" ({columns}) SELECT {columns} FROM "{table}"')
    conn.exec_driver_sql(f'DROP TABLE "{table}"')
    conn.exec_driver_sql(f'ALTER TABLE "{new}" RENAME TO "{table}"')
    for index in indexes:
        conn.exec_driver_sql(index)


def _check() -> None:
    conn = op.get_bind()
    if conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("foreign keys must be off while tables are rebuilt")


def _verify() -> None:
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"{len(broken)} broken references after rebuilding tables")


def upgrade() -> None:
    _check()
    for table in TABLES:
        _rebuild(table, _with_autoincrement)
    _verify()


def downgrade() -> None:
    _check()
    for table in TABLES:
        _rebuild(table, _without_autoincrement)
    _verify()
