"""GUI benchmark (offscreen): start-up, the People table over 10,000 people, the agenda.

    .venv/bin/python benchmarks/bench_gui.py [--people 10000] [--runs 5]

Prints figures (medians), not pass/fail, next to the targets:

* process start to main window shown: < 0.7 s (a fresh ``delegations`` process
  per run; the window writes the time of its first show to the file named by
  ``DELEGATIONS_STARTUP_PROBE`` and quits);
* show the People table over 10,000 people (read rows, fill the model, paint):
  < 200 ms;
* narrow it with the filter box, per keystroke (filter, reset, paint): < 50 ms;
* sort it by a column (sort, reset, paint): < 50 ms;
* open the largest delegation's agenda (load, lay out, paint): < 200 ms;
* accept an edit of one person (10,000 listed, their delegation open) until
  every screen is up to date (write, undo step, re-read the row, redraw the
  People table and the delegation's pages): < 30 ms, printed with its ratio to
  the bare approach (one sqlite3 UPDATE and commit, ``dataChanged`` for one row
  of a plain table model, repaint), measured alternately in the same run.

The database is built with bulk inserts: 10,000 people in 200 organisations and
three delegations, the largest with 40 attendees and 90 agenda items over three
days, B2B meetings in parallel.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert

from delegations.model import (
    AgendaItem,
    Delegation,
    Organisation,
    Participation,
    Person,
    fold,
    item_participants,
)
from delegations.store import Database

GIVEN = ["José", "Zoë", "Łukasz", "Μαρία", "Anaïs", "Søren", "Íñigo", "Chloé", "Jiří", "Ana"]
FAMILY = ["García", "Müller", "Dvořák", "Οικονομίδη", "Ørsted", "Lefèvre", "Núñez", "Kowalski"]
KINDS = ["visit", "meeting", "b2b", "workshop", "presentation", "meal", "transfer", "networking"]


def build(path: Path, people: int) -> int:
    """Fill ``path``; the id of the largest delegation."""
    rng = random.Random(7)
    db = Database.open(path)
    with db.transaction() as s:
        s.execute(
            insert(Organisation),
            [
                {
                    "name": f"Cluster {i} Łódź",
                    "city": "Łódź",
                    "search_text": fold(f"Cluster {i} Łódź"),
                }
                for i in range(200)
            ],
        )
        rows = []
        for i in range(people):
            given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)}{i % 997}"
            email = f"person{i}@example.eu"
            rows.append(
                {
                    "given_name": given,
                    "family_name": family,
                    "job_title": "Project officer",
                    "organisation_id": 1 + i % 200,
                    "email": email,
                    "search_text": fold(f"{given} {family} {email}"),
                }
            )
        s.execute(insert(Person), rows)
        s.execute(
            insert(Delegation),
            [
                {
                    "title": f"Study visit {n}",
                    "timezone": "Europe/Madrid",
                    "start_date": date(2027, 3, 2 + 7 * n),
                    "end_date": date(2027, 3, 4 + 7 * n),
                    "destination_city": "Barcelona",
                    "search_text": fold(f"Study visit {n}"),
                }
                for n in range(3)
            ],
        )
        zone = ZoneInfo("Europe/Madrid")
        participations = [
            {"delegation_id": 1, "person_id": 1 + p * 37, "status": "confirmed"} for p in range(40)
        ]
        s.execute(insert(Participation), participations)
        items = []
        for day in range(3):
            base = datetime(2027, 3, 2 + day, 8, 0, tzinfo=zone)
            for n in range(30):
                start = base + timedelta(minutes=30 * (n // 3) + 15 * (n % 3))
                kind = KINDS[n % len(KINDS)]
                items.append(
                    {
                        "delegation_id": 1,
                        "title": f"{kind.title()} {day}-{n} at Barcelona Activa",
                        "kind": kind,
                        "starts_at": start.astimezone(UTC),
                        "ends_at": (start + timedelta(minutes=45)).astimezone(UTC),
                        "everyone": kind != "b2b",
                        "status": "confirmed",
                    }
                )
        s.execute(insert(AgendaItem), items)
        links = [
            {"agenda_item_id": i, "participation_id": 1 + (i * 3 + k) % 40}
            for i in range(1, len(items) + 1)
            if items[i - 1]["kind"] == "b2b"
            for k in range(3)
        ]
        s.execute(insert(item_participants), links)
    db.close()
    return 1


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.1f} ms"


def startup(db_path: Path, runs: int, settings: Path) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / "probe"
            env = dict(
                os.environ,
                DELEGATIONS_STARTUP_PROBE=str(probe),
                DELEGATIONS_SETTINGS_DIR=str(settings),
                QT_QPA_PLATFORM="offscreen",
            )
            begin = time.time()
            subprocess.run(
                [sys.executable, "-m", "delegations", "--db", str(db_path)],
                env=env,
                check=True,
                timeout=60,
            )
            times.append(float(probe.read_text()) - begin)
    return times


def timed(action: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        begin = time.perf_counter()
        action()
        out.append(time.perf_counter() - begin)
    return out


def edit_one_person(
    app: object, window: object, db: Database, largest: int, runs: int
) -> tuple[list[float], list[float]]:
    """Seconds per edit through the window's runner, and per bare edit, alternating."""
    import sqlite3

    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QTableView

    from delegations.services import operations as ops

    w: Any = window
    w.show_page("people")
    w.open_delegation(largest)
    w.show_page("people")
    page = w.pages["person"]
    person = w.workspace.delegation.participations[0].person_id
    rows = [list(page.model.row_at(r).cells) for r in range(page.model.rowCount())]

    class Bare(QAbstractTableModel):
        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return len(rows)

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return len(rows[0])

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role == Qt.ItemDataRole.DisplayRole:
                return rows[index.row()][index.column()]
            return None

    model = Bare()
    view = QTableView()
    view.setModel(model)
    view.resize(1000, 700)
    view.show()
    connection = sqlite3.connect(db.path)

    def ours(n: int) -> float:
        begin = time.perf_counter()
        w.runner.run(ops.update("person", person, {"job_title": f"Title {n}"}))
        page.table.viewport().repaint()
        app.processEvents()  # type: ignore[attr-defined]
        return time.perf_counter() - begin

    def bare(n: int) -> float:
        begin = time.perf_counter()
        connection.execute("UPDATE person SET job_title = ? WHERE id = ?", (f"Bare {n}", person))
        connection.commit()
        rows[0][2] = f"Bare {n}"
        model.dataChanged.emit(model.index(0, 0), model.index(0, len(rows[0]) - 1))
        view.viewport().repaint()
        app.processEvents()  # type: ignore[attr-defined]
        return time.perf_counter() - begin

    ours(-1), bare(-1)  # warm-up
    mine: list[float] = []
    base: list[float] = []
    for n in range(runs):
        if n % 2:
            mine.append(ours(n))
            base.append(bare(n))
        else:
            base.append(bare(n))
            mine.append(ours(n))
    connection.close()
    view.close()
    return mine, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db_path = root / "bench.db"
        begin = time.perf_counter()
        largest = build(db_path, args.people)
        print(f"built {args.people} people in {time.perf_counter() - begin:.2f} s")
        os.environ["DELEGATIONS_SETTINGS_DIR"] = str(root / "settings")

        print(
            f"start to main window shown   {median_ms(startup(db_path, args.runs, root / 'settings'))}"
            "   (target < 700 ms)"
        )

        from PySide6.QtWidgets import QApplication

        from delegations.ui.main_window import MainWindow
        from delegations.ui.records import KINDS as RECORD_KINDS
        from delegations.ui.settings import Settings

        app = QApplication.instance() or QApplication([])
        db = Database.open(db_path)
        window = MainWindow(db, Settings(), confirm=lambda t, x: False, inform=lambda t, x: None)
        window.resize(1280, 820)
        window.show()
        app.processEvents()
        page = window.pages["person"]

        def show_people() -> None:
            window.show_page("delegations")
            app.processEvents()
            with db.session() as session:
                page.set_records(RECORD_KINDS["person"].rows(session))
            window.show_page("people")
            page.table.viewport().repaint()

        shown = timed(show_people, args.runs)
        print(
            f"show People ({page.model.rowCount()} rows)   {median_ms(shown)}   (target < 200 ms)"
        )

        keystrokes = []
        for _ in range(args.runs):
            for text in ("g", "ga", "gar", "garc", "garci", "garcia", "garcia 1", "garcia 12", ""):
                begin = time.perf_counter()
                page.filter.setText(text)
                page.table.viewport().repaint()
                keystrokes.append(time.perf_counter() - begin)
        print(
            f"filter, per keystroke        {median_ms(keystrokes)}   "
            f"(max {max(keystrokes) * 1000:.1f} ms; target < 50 ms)"
        )

        sorts = []
        for _ in range(args.runs):
            for column in (0, 1, 3, 4):
                begin = time.perf_counter()
                page.table.sort_by(column)
                page.table.viewport().repaint()
                sorts.append(time.perf_counter() - begin)
        print(
            f"sort by a column             {median_ms(sorts)}   "
            f"(max {max(sorts) * 1000:.1f} ms; target < 50 ms)"
        )

        def open_agenda() -> None:
            window.show_page("people")
            window.open_delegation(largest)
            window.show_page("agenda")
            window.workspace.agenda.grid.repaint()

        agenda = timed(open_agenda, args.runs)
        blocks = len(window.workspace.agenda.grid.blocks)
        print(f"open the agenda ({blocks} items)   {median_ms(agenda)}   (target < 200 ms)")

        ours, bare = edit_one_person(app, window, db, largest, max(args.runs, 5))
        ratios = [o / b for o, b in zip(ours, bare, strict=True)]
        print(
            f"edit one person, all screens {median_ms(ours)}   (min {min(ours) * 1000:.1f} ms; "
            f"bare {median_ms(bare).strip()}; ratio min {min(ratios):.1f} median "
            f"{statistics.median(ratios):.1f}; target < 30 ms)"
        )
        window.close()
        db.close()


if __name__ == "__main__":
    main()
