"""A restore killed (SIGKILL) at any moment leaves the database whole: the old one or
the new one, exactly, never a mix, never an old -wal applied to the new file.

A child process restores two backups in turn, over and over; the parent kills it
after a random delay, many times, and after each kill opens the database and checks
it (``PRAGMA integrity_check``, then every row against both contents).
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from delegations.store import backups

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")

RUNS = 30

CHILD = """
import sys
from pathlib import Path
from delegations.store.backups import restore

db, first, second = (Path(a) for a in sys.argv[1:4])
print("ready", flush=True)
n = 0
while True:
    restore(first if n % 2 else second, db)
    n += 1
"""


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
    finally:
        connection.close()


def test_a_killed_restore_leaves_the_old_or_the_new_database(
    tmp_path: Path, demo_db_template: Path
) -> None:
    first = tmp_path / "first.sqlite"
    second = tmp_path / "second.sqlite"
    shutil.copyfile(demo_db_template, first)
    shutil.copyfile(demo_db_template, second)
    with sqlite3.connect(second) as conn:
        conn.execute("UPDATE delegation SET title = title || ' (second)'")
        conn.execute("DELETE FROM agenda_item WHERE id % 2 = 0")
    conn.close()
    contents = [dump(first), dump(second)]
    assert contents[0] != contents[1]
    db = tmp_path / "work.db"
    shutil.copyfile(first, db)
    rng = random.Random(20270301)
    seen = [0, 0]
    for _ in range(RUNS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), str(first), str(second)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready", child.stderr.read()  # type: ignore[union-attr]
        time.sleep(rng.uniform(0, 0.08))  # a random moment of the restores, not an assertion
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL, child.stderr.read()  # type: ignore[union-attr]
        child.stdout.close()
        child.stderr.close()  # type: ignore[union-attr]
        now = dump(db)
        assert now in contents
        seen[contents.index(now)] += 1
    # Both contents were met: the kills did land during the restores.
    assert all(seen), seen
    # Whatever was left behind (kept copies, temporaries) is not taken for a backup
    # unless it is one.
    for info in backups.list_backups(db):
        assert backups.verify_backup(info.path)
