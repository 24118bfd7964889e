"""Store benchmark: build a large database, open it, list, load the largest delegation.

Prints figures (not pass/fail). Sizes: 500 delegations, 10,000 people,
20,000 participations, 15,000 agenda items.

    .venv/bin/python benchmarks/bench_store.py [--keep PATH]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

from delegations.model import (
    AgendaItem,
    Delegation,
    Organisation,
    Participation,
    Person,
    fold,
    item_participants,
)
from delegations.services import queries
from delegations.store import Database

DELEGATIONS, PEOPLE, PARTICIPATIONS, ITEMS, ORGS = 500, 10_000, 20_000, 15_000, 400
GIVEN = ["Anna", "José", "Zoé", "Μαρία", "Łukasz", "Øyvind", "Hélène", "Jordi", "Ana", "Piotr"]
FAMILY = ["García", "Nowak", "Οικονομίδη", "Dubois", "Ødegård", "Ferrer", "Smith", "Ivanova"]


def build(db: Database, rng: random.Random) -> int:
    """Bulk-insert the data set; returns the id of the largest delegation."""
    now = datetime.now(UTC)
    with db.transaction() as s:
        s.execute(insert(Organisation), [
            {"uuid": str(uuid.uuid4()), "name": f"Cluster {n}", "kind": "cluster",
             "search_text": fold(f"Cluster {n}"), "created_at": now, "updated_at": now}
            for n in range(ORGS)
        ])  # fmt: skip
        people = []
        for n in range(PEOPLE):
            given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)}{n}"
            people.append({
                "uuid": str(uuid.uuid4()), "given_name": given, "family_name": family,
                "organisation_id": rng.randint(1, ORGS), "email": f"p{n}@example.org",
                "search_text": fold(f"{given} {family} p{n}@example.org"),
                "created_at": now, "updated_at": now,
            })  # fmt: skip
        s.execute(insert(Person), people)
        delegations = []
        for n in range(DELEGATIONS):
            start = date(2027, 1, 1) + timedelta(days=n % 300)
            delegations.append({
                "uuid": str(uuid.uuid4()), "title": f"Study visit {n}", "timezone": "Europe/Madrid",
                "start_date": start, "end_date": start + timedelta(days=2), "status": "planned",
                "search_text": f"study visit {n}", "created_at": now, "updated_at": now,
            })  # fmt: skip
        s.execute(insert(Delegation), delegations)
        # The first delegation is the largest: 200 attendees, 300 items.
        sizes = [200] + [(PARTICIPATIONS - 200) // (DELEGATIONS - 1)] * (DELEGATIONS - 1)
        parts, person_ids = [], list(range(1, PEOPLE + 1))
        for did, size in enumerate(sizes, start=1):
            for pid in rng.sample(person_ids, size):
                parts.append({"uuid": str(uuid.uuid4()), "delegation_id": did, "person_id": pid,
                              "role": "delegate", "status": "confirmed", "created_at": now, "updated_at": now})  # fmt: skip
        s.execute(insert(Participation), parts)
        item_sizes = [300] + [(ITEMS - 300) // (DELEGATIONS - 1)] * (DELEGATIONS - 1)
        items = []
        for did, size in enumerate(item_sizes, start=1):
            base = datetime(2027, 1, 1, 8, tzinfo=UTC) + timedelta(days=(did - 1) % 300)
            for k in range(size):
                start = base + timedelta(minutes=30 * (k % 40), days=k // 40)
                items.append({"uuid": str(uuid.uuid4()), "delegation_id": did, "title": f"Item {k}",
                              "kind": "visit", "starts_at": start, "ends_at": start + timedelta(minutes=25),
                              "status": "confirmed", "everyone": k % 3 != 0, "revision": 0,
                              "created_at": now, "updated_at": now})  # fmt: skip
        s.execute(insert(AgendaItem), items)
        subset_items = s.scalars(
            select(AgendaItem.id).where(
                AgendaItem.delegation_id == 1, AgendaItem.everyone.is_(False)
            )
        ).all()
        part_ids = s.scalars(select(Participation.id).where(Participation.delegation_id == 1)).all()
        s.execute(insert(item_participants), [
            {"agenda_item_id": i, "participation_id": p}
            for i in subset_items for p in rng.sample(list(part_ids), 20)
        ])  # fmt: skip
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-store-"))
    path = args.keep or folder / "bench.db"
    path.unlink(missing_ok=True)

    t0 = time.perf_counter()
    db = Database.open(path)
    largest = build(db, random.Random(7))
    db.close()
    built = time.perf_counter() - t0

    t0 = time.perf_counter()
    db = Database.open(path)
    with db.session() as s:
        rows = queries.list_delegations(s)
    opened = time.perf_counter() - t0

    statements: list[str] = []
    # SELECTs only: the BEGIN each transaction starts with is not a query.
    event.listen(
        db.engine,
        "before_cursor_execute",
        lambda *a: statements.append(a[2]) if a[2].lstrip().upper().startswith("SELECT") else None,
    )
    t0 = time.perf_counter()
    with db.session() as s:
        delegation = queries.load_delegation(s, largest)
    loaded = time.perf_counter() - t0

    small = next(r.id for r in rows if r.id != largest)
    before = len(statements)
    with db.session() as s:
        queries.load_delegation(s, small)
    small_statements = len(statements) - before

    print(f"database: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(
        f"build 500 delegations, 10,000 people, 20,000 participations, 15,000 items: {built:.2f} s"
    )
    print(f"open and list {len(rows)} delegations: {opened * 1000:.0f} ms")
    print(
        f"load the largest delegation ({len(delegation.participations)} attendees, "
        f"{len(delegation.items)} items): {loaded * 1000:.0f} ms"
    )
    print(f"SQL statements for that load: {before} (a delegation of "
          f"{rows[-1].attendees} attendees: {small_statements})")  # fmt: skip
    db.close()
    opening(path)


def opening(path: Path, runs: int = 5) -> None:
    """Opening with the read-only look and quick_check, against a bare sqlite3 open."""
    import sqlite3
    import statistics

    from delegations.store.inspection import inspect_file

    def ours() -> float:
        t0 = time.perf_counter()
        db = Database.open(path)
        with db.session() as s:
            queries.list_delegations(s)
        db.close()
        return time.perf_counter() - t0

    def bare() -> float:
        t0 = time.perf_counter()
        connection = sqlite3.connect(path)
        connection.execute("SELECT id, title FROM delegation ORDER BY start_date").fetchall()
        connection.close()
        return time.perf_counter() - t0

    def check() -> float:
        t0 = time.perf_counter()
        inspect_file(path)
        return time.perf_counter() - t0

    for side in (ours, bare, check):
        side()
    mine, base, checks = [], [], []
    for n in range(runs):
        pair = (ours, bare) if n % 2 else (bare, ours)
        for side in pair:
            (mine if side is ours else base).append(side())
        checks.append(check())
    ms = lambda v: f"min {min(v) * 1000:.0f} ms, median {statistics.median(v) * 1000:.0f} ms"  # noqa: E731
    print(f"read-only look with quick_check: {ms(checks)}")
    print(f"open and list (Database.open, checks included): {ms(mine)}")
    print(f"bare sqlite3 open and list: {ms(base)}; ratio median "
          f"{statistics.median(mine) / statistics.median(base):.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
