"""What an attendee-list import costs: reading, previewing and importing 10,000 rows.

    .venv/bin/python benchmarks/bench_import.py [--rows 10000] [--runs 3]

The file is what a registration form exports: names, e-mail, organisation (300
distinct), phone, diet, role, status, hotel dates and an arrival journey with
its time zone, as a UTF-8 CSV and as an .xlsx workbook. Every figure is the min
and median of ``--runs`` runs after a warm-up, alternating which side runs
first, with its ratio to the bare approach measured in the same run:

* read: ``read_table`` (encoding and delimiter detection, header, rows) against
  ``csv.reader`` over the decoded text; ``.xlsx`` against calamine's own
  ``to_python``;
* preview: reading plus ``preview.build`` (every cell parsed, every row
  validated and matched) against the bare import below;
* import: reading plus the undoable import (preview again inside the write
  transaction, 10,000 people, 300 organisations, 10,000 attendees and journeys,
  every row recorded for undo) into a copy of the demo database, against the
  bare import: ``csv.reader`` plus one ``executemany`` of the people into the
  same database with plain ``sqlite3`` (no validation, no attendees, no undo).

Peak memory (``tracemalloc``) of a preview and of an import is printed last.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

from delegations.services import operations, queries
from delegations.services.history import perform
from delegations.services.spreadsheets import preview
from delegations.services.spreadsheets.mapping import guess
from delegations.services.spreadsheets.people_import import import_people
from delegations.services.spreadsheets.reading import read_table
from delegations.services.spreadsheets.writing import write_table
from delegations.store import Database

HEADER = [
    "First name", "Last name", "Email", "Company", "Phone", "Dietary requirements",
    "Role", "Status", "Check-in", "Check-out", "Arrival from", "Arrival from time zone",
    "Arrival departs", "Arrival arrives", "Arrival flight",
]  # fmt: skip
SQL = (
    "INSERT INTO person (given_name, family_name, job_title, email, phone, languages, "
    "dietary_needs, accessibility_needs, notes, consent_data, consent_photos, search_text, "
    "uuid, created_at, updated_at, organisation_id) "
    "VALUES (?, ?, '', ?, ?, '', ?, '', '', 0, 0, ?, ?, ?, ?, NULL)"
)
STAMP = "2026-01-01 00:00:00.000000"


def rows(n: int) -> list[list[str]]:
    diets = ["", "", "vegetarian", "halal", "gluten-free"]
    return [
        [
            f"Given{i}", f"Family{i}", f"person{i}@example.org", f"Organisation {i % 300}",
            f"+33 6 {i:08d}", diets[i % 5], "Delegate", "Confirmed", "30/06/2027",
            "03/07/2027", "Paris", "Europe/Paris", "01/07/2027 07:00", "01/07/2027 09:05",
            f"VY {8000 + i % 100}",
        ]
        for i in range(n)
    ]  # fmt: skip


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(name: str, ours: Callable[[], object], bare: Callable[[], object], runs: int) -> None:
    ours(), bare()  # warm-up
    a: list[float] = []
    b: list[float] = []
    for run in range(runs):
        if run % 2:
            b.append(timed(bare))
            a.append(timed(ours))
        else:
            a.append(timed(ours))
            b.append(timed(bare))
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    print(
        f"{name:<34} min {min(a):6.3f} s  median {statistics.median(a):6.3f} s  "
        f"(bare min {min(b):6.3f} s, median {statistics.median(b):6.3f} s; "
        f"ratio min {min(ratios):5.1f}×, median {statistics.median(ratios):5.1f}×)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        data = rows(args.rows)
        csv_path = write_table(work / "people.csv", HEADER, data)
        xlsx_path = write_table(work / "people.xlsx", HEADER, data)
        template = work / "demo.db"
        db = Database.open(template)
        perform(db, operations.load_demo())
        with db.session() as session:
            demo = queries.list_delegations(session)[0].id
        db.close()
        print(f"{args.rows:,} rows × {len(HEADER)} columns; {args.runs} runs after a warm-up")

        def bare_read_csv() -> list[list[str]]:
            text = csv_path.read_bytes().decode("utf-8-sig")
            return list(csv.reader(io.StringIO(text)))

        def bare_read_xlsx() -> object:
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(xlsx_path))
            return book.get_sheet_by_name(book.sheet_names[0]).to_python()

        compare("read CSV", lambda: read_table(csv_path), bare_read_csv, args.runs)
        compare("read .xlsx", lambda: read_table(xlsx_path), bare_read_xlsx, args.runs)

        copies = iter(range(10**6))

        def fresh() -> Path:
            target = work / f"copy-{next(copies)}.db"
            shutil.copyfile(template, target)
            return target

        def bare_import() -> None:
            target = fresh()
            parsed = bare_read_csv()[1:]
            connection = sqlite3.connect(target, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(
                SQL,
                (
                    (r[0], r[1], r[3], r[4], r[5], f"{r[0]} {r[1]} {r[3]}".lower(),
                     str(uuid.uuid4()), STAMP, STAMP)
                    for r in parsed
                ),
            )  # fmt: skip
            connection.execute("COMMIT")
            connection.close()

        options = preview.Options(delegation_id=demo)
        preview_db = Database.open(fresh())

        def our_preview() -> preview.Preview:
            table = read_table(csv_path)
            with preview_db.session() as session:
                shown = preview.build(session, table, guess(table.header), options)
            assert shown.counts.new == args.rows, shown.counts
            return shown

        def our_import() -> None:
            target = Database.open(fresh())
            try:
                table = read_table(csv_path)
                result = perform(target, import_people(table, guess(table.header), options))
                assert result.result.created == args.rows
            finally:
                target.close()

        compare("preview (read + build)", our_preview, bare_import, args.runs)
        compare("import (read + undoable write)", our_import, bare_import, args.runs)

        tracemalloc.start()
        our_preview()
        _, peak_preview = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        our_import()
        _, peak_import = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        preview_db.close()
        print(
            f"peak memory (tracemalloc): preview {peak_preview / 2**20:.0f} MiB, "
            f"import {peak_import / 2**20:.0f} MiB; the CSV is "
            f"{csv_path.stat().st_size / 2**20:.1f} MiB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
