"""The store as the user interface sees it: the database, its session and its errors.

The ui imports these from here, never from ``delegations.store`` (an import-linter
contract in pyproject.toml says so), so the store stays an implementation detail of
the services.
"""

from __future__ import annotations

from delegations.store import (
    Database,
    DatabaseCorrupt,
    DatabaseLocked,
    DatabaseTooNew,
    Session,
    StoreError,
    backup_copy,
    default_db_path,
    resolve_db_path,
)
from delegations.store.outputs import refusal as output_refusal
from delegations.store.paths import ENV_DB

__all__ = [
    "ENV_DB",
    "Database",
    "DatabaseCorrupt",
    "DatabaseLocked",
    "DatabaseTooNew",
    "Session",
    "StoreError",
    "backup_copy",
    "default_db_path",
    "output_refusal",
    "resolve_db_path",
]
