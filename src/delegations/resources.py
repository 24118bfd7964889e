"""Where the packaged resources and migrations are.

In an installed wheel they travel inside the package (``delegations/resources``
and ``delegations/db``); in a source checkout they are the top-level
``resources/`` and ``db/`` folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the application's '{name}' folder is missing from {_PACKAGE}")


@cache
def resources_dir() -> Path:
    return _locate("resources")


@cache
def migrations_dir() -> Path:
    return _locate("db")


def resource(*parts: str) -> Path:
    """Path of a file under ``resources/``."""
    return resources_dir().joinpath(*parts)
