"""What the undo history costs: recording rows while writing, and undoing a large change.

    .venv/bin/python benchmarks/bench_history.py [--rows 20000] [--runs 5]

Prints figures (min and median), each with its ratio to the bare approach
measured in the same run, alternating which side runs first, after a warm-up:

* insert N people with ``executemany`` on a plain sqlite3 connection (bare), with
  the change-log triggers idle, and with the recorder capturing every row (what
  an undoable import pays);
* take the whole insert back: ``History.undo`` against a bare
  ``DELETE ... WHERE id IN (...)`` of the same rows.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from delegations.services.history import History, Operation
from delegations.store import Database, changelog

SQL = (
    "INSERT INTO person (given_name, family_name, job_title, email, phone, languages, "
    "dietary_needs, accessibility_needs, notes, consent_data, consent_photos, search_text, "
    "uuid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
STAMP = "2026-01-01 00:00:00.000000"


def people(n: int, tag: str) -> list[tuple[object, ...]]:
    return [
        (
            f"Given {i}",
            f"Family {i}",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            0,
            0,
            "",
            f"{tag}-{i}",
            STAMP,
            STAMP,
        )
        for i in range(n)
    ]


def insert_seconds(path: Path, rows: list[tuple[object, ...]], mode: str) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN")
        if mode != "bare":
            recorder = changelog.install(connection)
            if mode == "recording":
                recorder._switch(True)
        begin = time.perf_counter()
        connection.executemany(SQL, rows)
        elapsed = time.perf_counter() - begin
        connection.execute("ROLLBACK")
        return elapsed
    finally:
        connection.close()


def alternate(sides: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    for side in sides.values():
        side()  # warm-up
    out: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for n in range(runs):
        for name in names if n % 2 else reversed(names):
            out[name].append(sides[name]())
    return out


def line(label: str, samples: list[float], bare: list[float]) -> str:
    ratios = [s / b for s, b in zip(samples, bare, strict=True)]
    return (
        f"{label:<34} min {min(samples) * 1000:7.1f} ms  median "
        f"{statistics.median(samples) * 1000:7.1f} ms   ratio to bare min {min(ratios):.2f} "
        f"median {statistics.median(ratios):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        Database.open(path).close()
        rows = people(args.rows, "p")
        timings = alternate(
            {
                mode: (lambda mode=mode: insert_seconds(path, rows, mode))  # type: ignore[misc]
                for mode in ("bare", "idle triggers", "recording")
            },
            args.runs,
        )
        print(f"insert {args.rows} people")
        for mode in ("bare", "idle triggers", "recording"):
            print("  " + line(mode, timings[mode], timings["bare"]))

        db = Database.open(path)
        history = History(db)
        counter = iter(range(10**6))

        def undo_side() -> float:
            tag = f"u{next(counter)}"

            def run(session: object) -> None:
                session.connection().exec_driver_sql(SQL, people(args.rows, tag))  # type: ignore[attr-defined]

            history.run(Operation("add people", run))
            begin = time.perf_counter()
            history.undo()
            return time.perf_counter() - begin

        def bare_side() -> float:
            tag = f"b{next(counter)}"
            connection = sqlite3.connect(path, isolation_level=None)
            try:
                connection.execute("BEGIN")
                connection.executemany(SQL, people(args.rows, tag))
                first = connection.execute(
                    "SELECT min(id) FROM person WHERE uuid LIKE ?", (f"{tag}-%",)
                ).fetchone()[0]
                connection.execute("COMMIT")
                ids = list(range(first, first + args.rows))
                begin = time.perf_counter()
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("DELETE FROM person WHERE id = ?", [(i,) for i in ids])
                connection.execute("COMMIT")
                return time.perf_counter() - begin
            finally:
                connection.close()

        undo = alternate({"bare": bare_side, "undo": undo_side}, args.runs)
        print(f"take back the insert of {args.rows} people")
        print("  " + line("bare DELETE by id", undo["bare"], undo["bare"]))
        print("  " + line("History.undo (checks every row)", undo["undo"], undo["bare"]))
        db.close()


if __name__ == "__main__":
    main()
