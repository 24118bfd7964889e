"""Where the database lives: --db, then DELEGATIONS_DB, then the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

ENV_DB = "DELEGATIONS_DB"
APP_NAME = "delegations"


def default_db_path() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "delegations.db"


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database file to use: the explicit path, the environment, or the default."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_DB)
    if from_env:
        return Path(from_env).expanduser()
    return default_db_path()
