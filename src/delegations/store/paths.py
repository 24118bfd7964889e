"""Where the database lives: --db, then DELEGATIONS_DB, then the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

ENV_DB = "DELEGATIONS_DB"
APP_NAME = "delegations"
PRIVATE_DIR_MODE = 0o700
"""A folder only its owner may list and enter: the data folder, a new backup folder."""


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


def make_private_dir(path: Path) -> None:
    """Create the folder ``path`` (and its missing parents) for personal data.

    If this call creates ``path`` itself, it is made ``0700`` (owner only) on POSIX,
    whatever the umask. A folder that exists already is left as its owner set it;
    missing parents are created as ``mkdir -p`` would.

    Raises:
        OSError: the folder cannot be created (a file in the way, permissions…).
    """
    path = Path(path)
    if path.is_dir():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE)
    except FileExistsError:
        if path.is_dir():
            return  # created meanwhile by somebody else: theirs to set
        raise
    if os.name == "posix":
        os.chmod(path, PRIVATE_DIR_MODE)
