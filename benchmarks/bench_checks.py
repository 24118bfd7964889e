"""Plan checks benchmark: how long ``check_delegation`` takes, against a bare sweep.

    .venv/bin/python benchmarks/bench_checks.py [--runs 5] [--skip-store]

Prints figures (not pass/fail), each as min and median of ``--runs`` runs after a
warm-up, with its ratio to a bare baseline measured in the same run (alternating
which side runs first):

* a delegation of 40 attendees and 150 items (target: under 50 ms), and one of 200
  attendees and 600 items: three days of plenary sessions, lunches, B2B meetings in
  parallel at member companies' offices, dinners; hosts with opening hours, closed
  dates and contacts; venues with and without coordinates and capacities; journeys
  and hotels; a smaller delegation the same week shares venues and a host contact;
* every one of the 500 delegations of the store benchmark's database
  (``benchmarks/bench_store.py``), one after the other.

The bare baseline reads the same rows (items, attendees, subsets, journeys, host
contacts, venues) with ``sqlite3`` and sweeps each attendee's items for overlaps in
plain Python: what any check has to pay, without the model or the other rules.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from delegations.model import (
    AgendaItem,
    Delegation,
    Organisation,
    Participation,
    Person,
    TravelLeg,
    Venue,
    item_host_contacts,
    item_participants,
)
from delegations.services.checks import check_delegation
from delegations.services.queries import load_delegation
from delegations.store import Database

MADRID = ZoneInfo("Europe/Madrid")
CENTRE = (41.3870, 2.1700)


def _new() -> str:
    return str(uuid.uuid4())


def build(
    db: Database,
    rng: random.Random,
    attendees: int,
    items: int,
    first: date,
    title: str,
    share: dict[str, list[int]] | None = None,
) -> tuple[int, dict[str, list[int]]]:
    """Bulk-insert one three-day delegation; returns its id, and its venues and contacts."""
    days = [first + timedelta(days=n) for n in range(3)]
    with db.transaction() as s:
        orgs = []
        for n in range(16):
            orgs.append({
                "uuid": _new(), "name": f"{title} host {n}", "kind": "company", "country": "Spain",
                "city": "Barcelona", "region": "CT",
                "opening_hours": "Mon-Fri 08:00-20:00" if n % 4 else "",
                "closed_dates": "2027-08-01..2027-08-31, 2027-12-24" if n % 3 == 0 else "",
            })  # fmt: skip
        org_ids = list(s.scalars(insert(Organisation).returning(Organisation.id), orgs))
        venues = []
        for n in range(40):
            lat = CENTRE[0] + rng.uniform(-0.02, 0.02)
            lon = CENTRE[1] + rng.uniform(-0.03, 0.03)
            coords = n % 7 != 0
            venues.append({
                "uuid": _new(), "name": f"{title} venue {n}", "country": "Spain",
                "latitude": lat if coords else None, "longitude": lon if coords else None,
                "capacity": rng.choice([None, 20, 60, 400]),
                "organisation_id": org_ids[n % len(org_ids)],
            })  # fmt: skip
        venue_ids = list(s.scalars(insert(Venue).returning(Venue.id), venues))
        people = [
            {"uuid": _new(), "given_name": f"Given{n}", "family_name": f"{title[:8]} {n}"}
            for n in range(attendees + 30)
        ]
        person_ids = list(s.scalars(insert(Person).returning(Person.id), people))
        contact_ids = person_ids[attendees:]
        delegation_id = s.scalar(
            insert(Delegation).returning(Delegation.id),
            {
                "uuid": _new(), "title": title, "timezone": "Europe/Madrid",
                "start_date": days[0], "end_date": days[-1], "status": "planned",
                "destination_city": "Barcelona", "destination_country": "Spain",
            },
        )  # fmt: skip
        assert delegation_id is not None
        parts = [
            {
                "uuid": _new(), "delegation_id": delegation_id, "person_id": pid,
                "role": "delegate", "status": "declined" if n % 25 == 24 else "confirmed",
                "hotel": "" if n % 30 == 29 else "Hotel Ciutat Barcelona",
                "check_in": days[0], "check_out": days[-1],
            }
            for n, pid in enumerate(person_ids[:attendees])
        ]  # fmt: skip
        part_ids = list(s.scalars(insert(Participation).returning(Participation.id), parts))

        def at(day: date, hour: float) -> datetime:
            local = datetime(day.year, day.month, day.day, tzinfo=MADRID)
            return (local + timedelta(hours=hour)).astimezone(UTC)

        legs = []
        for n, pid in enumerate(part_ids):
            if n % 40 == 39:
                continue  # travels on their own: no journey on record
            lands = at(days[0], 7.5 + (n % 3) * 0.25)
            leaves = at(days[-1], 20 + (n % 2))
            legs.append({
                "uuid": _new(), "participation_id": pid, "direction": "arrival", "mode": "flight",
                "origin": "Lille", "origin_timezone": "Europe/Paris", "destination": "BCN",
                "destination_timezone": "Europe/Madrid",
                "departs_at": lands - timedelta(hours=2), "arrives_at": lands,
            })  # fmt: skip
            legs.append({
                "uuid": _new(), "participation_id": pid, "direction": "departure", "mode": "flight",
                "origin": "BCN", "origin_timezone": "Europe/Madrid", "destination": "Lille",
                "destination_timezone": "Europe/Paris",
                "departs_at": leaves, "arrives_at": leaves + timedelta(hours=2),
            })  # fmt: skip
        s.execute(insert(TravelLeg), legs)

        # Every day: three plenary sessions, lunch and dinner for everyone (no dinner on
        # the last day); the rest are B2B meetings of 2 to 4 attendees with one host, at
        # tables in parallel half-hour slots in the afternoon, in three rooms.
        plenary = [(9, 10), (10.25, 11.25), (11.5, 12.25), (12.5, 14), (20, 22)]
        slots = [14.5 + 0.5 * k for k in range(7)]
        b2b = items - (len(plenary) * len(days) - 1)
        per_day = [b2b // len(days) + (d < b2b % len(days)) for d in range(len(days))]
        rows: list[dict[str, Any]] = []
        subsets: list[list[int]] = []
        contacts: list[int] = []
        shared = share or {"venues": [], "contacts": []}
        for d, day in enumerate(days):
            for k, (start, end) in enumerate(plenary if day != days[-1] else plenary[:-1]):
                rows.append({
                    "title": f"Plenary {k}" if k < 3 else ("Lunch" if k == 3 else "Dinner"),
                    "kind": "presentation" if k < 3 else "meal",
                    "starts_at": at(day, start), "ends_at": at(day, end),
                    "venue_id": (shared["venues"] or venue_ids)[k % 2], "everyone": True,
                    "host_organisation_id": org_ids[k],
                })  # fmt: skip
                subsets.append([])
                contacts.append(shared["contacts"][0] if shared["contacts"] and k == 0 else 0)
            for n in range(per_day[d]):
                slot = slots[n % len(slots)]
                table = n // len(slots)
                size = 2 + n % 3
                chosen = [
                    part_ids[(table * 4 + j + n % len(slots)) % len(part_ids)] for j in range(size)
                ]
                venue = venue_ids[2 + table % 3]  # the B2B hall and two companies nearby
                rows.append({
                    "title": f"B2B {n}", "kind": "b2b", "starts_at": at(day, slot),
                    "ends_at": at(day, slot + 0.4), "venue_id": venue, "everyone": False,
                    "host_organisation_id": org_ids[n % len(org_ids)],
                })  # fmt: skip
                subsets.append(chosen)
                contacts.append(contact_ids[n % len(contact_ids)])
        for row in rows:
            row.update(uuid=_new(), delegation_id=delegation_id, status="confirmed", revision=0)
        item_ids = list(s.scalars(insert(AgendaItem).returning(AgendaItem.id), rows))
        links = [
            {"agenda_item_id": i, "participation_id": p}
            for i, chosen in zip(item_ids, subsets, strict=True)
            for p in dict.fromkeys(chosen)
        ]
        if links:
            s.execute(insert(item_participants), links)
        hosts = [
            {"agenda_item_id": i, "person_id": c}
            for i, c in zip(item_ids, contacts, strict=True)
            if c
        ]
        if hosts:
            s.execute(insert(item_host_contacts), hosts)
    return delegation_id, {"venues": venue_ids[:2], "contacts": contact_ids[:1]}


# ------------------------------------------------------------------ the bare baseline


def bare(connection: sqlite3.Connection, delegation_id: int) -> int:
    """Read the rows a check reads and sweep each attendee's items; returns the overlaps."""
    items = connection.execute(
        "SELECT id, starts_at, ends_at, venue_id, everyone, kind, host_organisation_id "
        "FROM agenda_item WHERE delegation_id = ? AND status != 'cancelled' "
        "ORDER BY starts_at, ends_at, id",
        (delegation_id,),
    ).fetchall()
    people = connection.execute(
        "SELECT p.id, p.status, s.given_name, s.family_name FROM participation p "
        "JOIN person s ON s.id = p.person_id WHERE p.delegation_id = ?",
        (delegation_id,),
    ).fetchall()
    chosen = connection.execute(
        "SELECT ip.agenda_item_id, ip.participation_id FROM item_participant ip "
        "JOIN agenda_item i ON i.id = ip.agenda_item_id WHERE i.delegation_id = ?",
        (delegation_id,),
    ).fetchall()
    connection.execute(
        "SELECT t.* FROM travel_leg t JOIN participation p ON p.id = t.participation_id "
        "WHERE p.delegation_id = ?",
        (delegation_id,),
    ).fetchall()
    connection.execute(
        "SELECT h.agenda_item_id, h.person_id FROM item_host_contact h "
        "JOIN agenda_item i ON i.id = h.agenda_item_id WHERE i.delegation_id = ?",
        (delegation_id,),
    ).fetchall()
    connection.execute(
        "SELECT v.id, v.latitude, v.longitude, v.capacity FROM venue v WHERE v.id IN "
        "(SELECT venue_id FROM agenda_item WHERE delegation_id = ?)",
        (delegation_id,),
    ).fetchall()
    attending = [p[0] for p in people if p[1] in ("invited", "confirmed")]
    subset: dict[int, list[int]] = defaultdict(list)
    for item_id, pid in chosen:
        subset[pid].append(item_id)
    everyone = [i for i in items if i[4]]
    by_id = {i[0]: i for i in items}
    overlaps = 0
    for pid in attending:
        mine = sorted(everyone + [by_id[i] for i in subset.get(pid, ())], key=lambda i: i[1])
        latest = ""
        for item in mine:
            if item[1] < latest:
                overlaps += 1
            latest = max(latest, item[2])
    return overlaps


# ------------------------------------------------------------------ timing


def timed(run: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def compare(
    label: str, ours: Callable[[], Any], base: Callable[[], Any], runs: int
) -> tuple[list[float], list[float]]:
    ours(), base()  # warm-up
    mine: list[float] = []
    theirs: list[float] = []
    for n in range(runs):
        for side in (ours, base) if n % 2 else (base, ours):
            (mine if side is ours else theirs).append(timed(side))

    def ms(values: list[float]) -> str:
        return f"min {min(values) * 1000:.1f} ms, median {statistics.median(values) * 1000:.1f} ms"

    ratio = statistics.median(mine) / statistics.median(theirs)
    print(f"{label}: {ms(mine)}; bare {ms(theirs)}; ratio median {ratio:.1f}")
    return mine, theirs


def alone(label: str, run: Callable[[], Any], runs: int) -> None:
    """Min and median of one side on its own (after a warm-up)."""
    run()
    values = [timed(run) for _ in range(runs)]
    print(
        f"  {label}: min {min(values) * 1000:.1f} ms, "
        f"median {statistics.median(values) * 1000:.1f} ms"
    )


def load_one(db: Database, delegation_id: int) -> None:
    with db.session() as s:
        load_delegation(s, delegation_id)


def check_one(db: Database, delegation_id: int) -> int:
    with db.session() as s:
        return len(check_delegation(s, delegation_id).findings)


def bare_one(path: Path, delegation_id: int) -> int:
    connection = sqlite3.connect(path)
    try:
        return bare(connection, delegation_id)
    finally:
        connection.close()


def store_build() -> Callable[[Database, random.Random], int]:
    """``build`` of ``benchmarks/bench_store.py`` (a script, not a package)."""
    path = Path(__file__).with_name("bench_store.py")
    spec = importlib.util.spec_from_file_location("bench_store", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_store"] = module
    spec.loader.exec_module(module)
    return module.build  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-store", action="store_true", help="skip the 500 delegations")
    args = parser.parse_args()
    runs = max(3, args.runs)
    folder = Path(tempfile.mkdtemp(prefix="bench-checks-"))

    path = folder / "checks.db"
    db = Database.open(path)
    rng = random.Random(7)
    small, shared = build(db, rng, 40, 150, date(2027, 7, 5), "Creative clusters")
    build(db, rng, 12, 30, date(2027, 7, 6), "Chamber of commerce", shared)
    large, _ = build(db, rng, 200, 600, date(2027, 9, 13), "Regional workshop")
    with db.session() as s:
        for delegation_id in (small, large):
            report = check_delegation(s, delegation_id)
            items = s.scalar(select(func.count()).where(AgendaItem.delegation_id == delegation_id))
            print(
                f"delegation {delegation_id} ({items} items): {len(report.errors)} errors, "
                f"{len(report.warnings)} warnings, e.g. "
                f"{', '.join(sorted({f.code for f in report.findings}))}"
            )
    for label, delegation_id in (
        ("check 40 attendees, 150 items (target < 50 ms)", small),
        ("check 200 attendees, 600 items", large),
    ):
        compare(
            label,
            lambda d=delegation_id: check_one(db, d),  # type: ignore[misc]
            lambda d=delegation_id: bare_one(path, d),  # type: ignore[misc]
            runs,
        )
        alone("of which queries.load_delegation", lambda d=delegation_id: load_one(db, d), runs)  # type: ignore[misc]
    db.close()
    if args.skip_store:
        return

    store = folder / "store.db"
    db = Database.open(store)
    t0 = time.perf_counter()
    store_build()(db, random.Random(7))
    print(f"store benchmark database built in {time.perf_counter() - t0:.1f} s")
    with db.session() as s:
        ids = list(s.scalars(select(Delegation.id).order_by(Delegation.id)))

    def ours() -> int:
        return sum(check_one(db, i) for i in ids)

    def base() -> int:
        connection = sqlite3.connect(store)
        try:
            return sum(bare(connection, i) for i in ids)
        finally:
            connection.close()

    print(f"findings in all {len(ids)} delegations: {ours()}")
    compare(f"check all {len(ids)} delegations of the store benchmark", ours, base, runs)

    def loads() -> None:
        for i in ids:
            load_one(db, i)

    alone("of which queries.load_delegation", loads, runs)
    db.close()


if __name__ == "__main__":
    main()
