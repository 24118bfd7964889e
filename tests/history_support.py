"""Helpers shared by the history tests: a canonical dump of every table."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from delegations.store.changelog import BOOKKEEPING

Dump = dict[str, list[tuple[Any, ...]]]


def dump(path: Path) -> Dump:
    """Every row of every application table (the audit log aside), sorted, bookkeeping
    columns left out.

    ``updated_at`` and ``revision`` say when and how often a row changed; undo
    moves them forward on purpose (calendar clients need a higher SEQUENCE),
    so they are not part of what undo restores.
    """
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            # The audit log only grows (an undo writes entries of its own): not data
            # that undo restores.
            if not name.startswith("sqlite_") and name not in ("alembic_version", "audit_entry")
        ]
        out: Dump = {}
        for table in tables:
            columns = [
                row[1]
                for row in connection.execute(f'PRAGMA table_info("{table}")')
                if row[1] not in BOOKKEEPING
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(f'SELECT {listed} FROM "{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        connection.close()
