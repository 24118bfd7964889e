"""Errors the store raises, each with a message a person can act on."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened or used as asked."""


class DatabaseTooNew(StoreError):
    """The file was written by a newer version of the application."""


class DatabaseCorrupt(StoreError):
    """The file is not a readable SQLite database."""


class DatabaseLocked(StoreError):
    """Another program holds the database."""


class DatabaseDamaged(DatabaseCorrupt):
    """SQLite's integrity check failed: the file is damaged."""


class OutputRefused(StoreError):
    """A file may not be written there: it is the database in use, or a folder."""
