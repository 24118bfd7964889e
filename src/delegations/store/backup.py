"""Consistent copies of a live database (SQLite's online backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def backup_copy(path: Path, destination: Path) -> Path:
    """Copy a live database (WAL included) consistently with SQLite's backup API."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".part")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    tmp.replace(destination)
    return destination
