"""What the automatic backups cost: the daily backup, and opening with it.

    .venv/bin/python benchmarks/bench_backups.py [--runs 3]

Builds the large demo database (``delegations demo --large``: 40 attendees, 120
items), then prints figures (min and median of ``--runs`` rounds after a warm-up,
alternating which side runs first), each with its ratio to the bare approach measured
in the same run:

* the daily backup (``store.backups.make_backup``: SQLite's online backup into a
  temporary file, flushed, renamed, then the rotation) against a bare
  ``sqlite3.Connection.backup`` of the same file into a new file;
* ``Database.open`` when the daily backup is due (it makes one) against
  ``Database.open`` when it is not (a fresh backup is already there).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench_history import alternate, line  # the same measuring as the other benchmarks

from delegations.services import operations
from delegations.services.history import perform
from delegations.services.samples import large_visit
from delegations.store import Database, backups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.db"
        db = Database.open(path)
        perform(db, operations.import_document(large_visit(), "sample"))
        db.close()
        size = path.stat().st_size
        print(f"large demo database: {size / 1_000_000:.1f} MB")
        bare_dir = Path(folder) / "bare"
        bare_dir.mkdir()

        def daily() -> float:
            start = time.perf_counter()
            backups.make_backup(path, "daily")
            return time.perf_counter() - start

        def bare_backup() -> float:
            target = bare_dir / f"copy-{time.perf_counter_ns()}.sqlite"
            start = time.perf_counter()
            source = sqlite3.connect(path)
            destination = sqlite3.connect(target)
            source.backup(destination)
            destination.close()
            source.close()
            elapsed = time.perf_counter() - start
            target.unlink()
            return elapsed

        found = alternate({"daily": daily, "bare": bare_backup}, args.runs)
        print(line("daily backup", found["daily"], found["bare"]))
        print(line("bare sqlite3 backup", found["bare"], found["bare"]))

        def open_due() -> float:
            shutil.rmtree(backups.backups_dir(path), ignore_errors=True)
            start = time.perf_counter()
            Database.open(path).close()
            return time.perf_counter() - start

        def open_not_due() -> float:
            if not backups.list_backups(path):
                backups.make_backup(path, "manual")
            start = time.perf_counter()
            Database.open(path).close()
            return time.perf_counter() - start

        found = alternate({"due": open_due, "not due": open_not_due}, args.runs)
        print(line("open with the daily backup", found["due"], found["not due"]))
        print(line("open without (not due)", found["not due"], found["not due"]))


if __name__ == "__main__":
    main()
