"""Engine, sessions, migrations runner and backup. No Qt."""

from sqlalchemy.orm import Session

from delegations.store.backup import backup_copy
from delegations.store.database import Database
from delegations.store.errors import DatabaseCorrupt, DatabaseLocked, DatabaseTooNew, StoreError
from delegations.store.paths import default_db_path, resolve_db_path

__all__ = [
    "Database",
    "DatabaseCorrupt",
    "DatabaseLocked",
    "DatabaseTooNew",
    "Session",
    "StoreError",
    "backup_copy",
    "default_db_path",
    "resolve_db_path",
]
