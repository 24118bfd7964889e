"""Clearing the bytes that deleted data leaves in the database file.

SQLite does not wipe what it deletes: a removed row stays in the file's free
pages (and in old frames of the ``-wal`` file) until they are reused. After an
erasure or a retention purge:

* the change itself is written with ``PRAGMA secure_delete = ON`` (deleted
  content is overwritten with zeros), set on the connection of its transaction
  by ``secure_delete``;
* ``scrub`` then rebuilds the file (``VACUUM``: no free page, no stale cell left)
  and empties the ``-wal`` (``PRAGMA wal_checkpoint(TRUNCATE)``), so the bytes
  are gone from both files.

``VACUUM`` is one transaction: interrupted, the file is as it was before it
(the data already erased, the free pages not yet cleared); the caller keeps a
"scrub pending" marker until ``scrub`` has returned True.
"""

from __future__ import annotations

from typing import Any

from delegations.store.database import Database


def secure_delete(dbapi_connection: Any) -> None:
    """Overwrite deleted content with zeros on this connection (``PRAGMA secure_delete``).

    The pragma belongs to the connection, not the file; it can be set inside the
    transaction that deletes.
    """
    dbapi_connection.execute("PRAGMA secure_delete = ON")


def checkpoint(db: Database) -> bool:
    """Copy the ``-wal`` into the file and truncate it; False if a reader kept it busy."""
    raw = db.engine.raw_connection()
    try:
        connection = raw.dbapi_connection
        assert connection is not None
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return int(busy) == 0
    finally:
        raw.close()


def scrub(db: Database) -> bool:
    """Rebuild the file without free pages, then empty the ``-wal``.

    Returns True when both are done (False: another connection kept the ``-wal``
    busy; its content is cleared at the next checkpoint).
    """
    raw = db.engine.raw_connection()
    try:
        connection = raw.dbapi_connection
        assert connection is not None
        secure_delete(connection)
        # The driver runs in autocommit (``_configure_sqlite``): VACUUM is not inside
        # a transaction, as SQLite requires.
        connection.execute("VACUUM")
    finally:
        raw.close()
    return checkpoint(db)
