"""Store benchmark: build a large database, open it, list, load the largest delegation.

Prints figures (not pass/fail). Sizes: 500 delegations, 10,000 people,
20,000 participations, 15,000 agenda items.

    .venv/bin/python benchmarks/bench_store.py [--keep PATH]
"""

from __future__ import annotations

import argparse
import copy
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

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
    parser.add_argument("--merge", action="store_true", help="only the package merge figures")
    args = parser.parse_args()
    if args.merge:
        merging()
        merging_in_database()
        auditing()
        return
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
    merging()


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


def changed_copies(
    document: dict[str, Any], rng: random.Random, share: float = 0.1
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two copies of a package, each with ``share`` of its attendees, journeys and items
    changed (some records on both sides: other fields, or the same field differently),
    plus a few added and deleted."""
    ours, theirs = copy.deepcopy(document), copy.deepcopy(document)
    items, parts = len(document["agenda"]), len(document["participations"])
    legs = [
        (i, j) for i, p in enumerate(document["participations"]) for j in range(len(p["travel"]))
    ]
    for side, doc in enumerate((ours, theirs)):
        for k in rng.sample(range(items), int(items * share)):
            entry = doc["agenda"][k]
            if k % 3 == 0:
                entry["title"] = f"{entry['title']} ({'ours' if side == 0 else 'theirs'})"
            elif k % 3 == 1:
                entry["description"] = f"Changed on side {side}"
            else:
                entry["participants"] = sorted(
                    rng.sample([p["uuid"] for p in doc["participations"]], 5)
                )
        for k in rng.sample(range(parts), int(parts * share)):
            doc["participations"][k]["hotel" if side == 0 else "room_notes"] = f"Side {side}"
        for i, j in rng.sample(legs, int(len(legs) * share)):
            doc["participations"][i]["travel"][j]["number"] = f"X{side}{j}"
        for person in rng.sample(doc["people"], len(doc["people"]) // 20):
            person["email"] = f"side{side}.{person['email']}"
        doc["agenda"].append({**doc["agenda"][0], "uuid": str(uuid.uuid4()), "title": "Added"})
        gone = doc["agenda"].pop(rng.randrange(items))["uuid"]
        assert gone
    return ours, theirs


def merging(runs: int = 5) -> None:
    """A three-way package merge (issue 14) against a bare dict-and-loop merge.

    Timed: ``merge`` with its preview lines and the merged document (conflicts decided
    "theirs"), no database (writing the merged document is timed with the import).
    """
    import statistics

    from delegations.services import samples
    from delegations.services.merge import merge

    base = samples.large_visit(attendees=200, items=300, days=5)
    ours, theirs = changed_copies(base, random.Random(14))

    def ours_merge() -> float:
        t0 = time.perf_counter()
        m = merge(base, ours, theirs)
        m.preview.lines()
        m.document(prefer="theirs")
        return time.perf_counter() - t0

    def bare() -> float:
        t0 = time.perf_counter()
        bare_merge(base, ours, theirs)
        return time.perf_counter() - t0

    m = merge(base, ours, theirs)
    counts = m.preview.counts()
    records = (
        len(base["agenda"])
        + len(base["participations"])
        + sum(len(p["travel"]) for p in base["participations"])
    )
    for side in (ours_merge, bare):
        side()
    mine, baseline = [], []
    for n in range(runs):
        for side in (ours_merge, bare) if n % 2 else (bare, ours_merge):
            (mine if side is ours_merge else baseline).append(side())
    ms = lambda v: f"min {min(v) * 1000:.0f} ms, median {statistics.median(v) * 1000:.0f} ms"  # noqa: E731
    print(
        f"merge preview of 200 attendees, 300 items, {records} records with ~10 % changed on "
        f"each side ({counts['changed']} changed, {counts['added']} added, "
        f"{counts['removed']} removed, {counts['conflicts']} conflicts; "
        f"{len(m.preview.lines())} lines)"
    )
    print(f"merge + preview lines + document: {ms(mine)}")
    print(f"bare dict-and-loop three-way merge: {ms(baseline)}; ratio median "
          f"{statistics.median(mine) / statistics.median(baseline):.1f}")  # fmt: skip


def merging_in_database(runs: int = 3) -> None:
    """The whole import of a package that must be merged, from the file's document to
    the database (issue 14): the preview (``exchange.plan_import``: validation, our
    delegation loaded, the merge) and the merge written (``apply_import``, one
    transaction, conflicts decided "theirs"), on a copy of the same database each
    run. Baseline: today's plain import of the same package, which overwrites
    (``package.import_document`` in one transaction), on the same copy."""
    import shutil
    import statistics

    from delegations.services import exchange, samples
    from delegations.services.history import Operation, perform

    folder = Path(tempfile.mkdtemp(prefix="bench-merge-"))
    base = samples.large_visit(attendees=200, items=300, days=5)
    ours, theirs = changed_copies(base, random.Random(14))
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    base["exchange"] = {"package": first, "origin": str(uuid.uuid4()), "known": [first]}
    theirs["exchange"] = {"package": second, "origin": str(uuid.uuid4()), "known": [second, first]}
    template = folder / "template.db"
    db = Database.open(template)
    for document in (base, ours):  # ours: the edits made here since (no exchange: replaces)
        with db.session() as session:
            plan = exchange.plan_import(session, document)
        perform(db, exchange.apply_import(plan))
    db.close()
    plain = {k: v for k, v in theirs.items() if k != "exchange"}

    def fresh(n: int) -> Database:
        path = folder / f"run-{n}.db"
        shutil.copyfile(template, path)
        return Database.open(path)

    def ours_import(n: int) -> tuple[float, float]:
        db = fresh(n)
        t0 = time.perf_counter()
        with db.session() as session:
            plan = exchange.plan_import(session, theirs)
        t1 = time.perf_counter()
        perform(db, exchange.apply_import(plan, prefer="theirs"))
        t2 = time.perf_counter()
        db.close()
        return t1 - t0, t2 - t1

    def bare_import(n: int) -> float:
        from delegations.services import package

        db = fresh(n)
        t0 = time.perf_counter()
        perform(db, Operation("import", lambda s: package.import_document(s, plain).id))
        t1 = time.perf_counter()
        db.close()
        return t1 - t0

    ours_import(0), bare_import(1)  # warm-up
    previews, writes, baseline = [], [], []
    for n in range(runs):
        order = ("ours", "bare") if n % 2 == 0 else ("bare", "ours")
        for side in order:
            if side == "ours":
                preview, write = ours_import(10 + n)
                previews.append(preview)
                writes.append(write)
            else:
                baseline.append(bare_import(20 + n))
    totals = [a + b for a, b in zip(previews, writes, strict=True)]
    ms = lambda v: f"min {min(v) * 1000:.0f} ms, median {statistics.median(v) * 1000:.0f} ms"  # noqa: E731
    print(f"merge import from the database, preview (validate, load ours, merge): {ms(previews)}")
    print(f"merge import, writing the merged delegation (one transaction): {ms(writes)}")
    print(f"merge import, preview + write: {ms(totals)}")
    print(f"plain overwriting import of the same package (today's): {ms(baseline)}; ratio median "
          f"{statistics.median(totals) / statistics.median(baseline):.1f}")  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


def auditing(runs: int = 3) -> None:
    """The cost of the audit log (issue 15) on the largest write: a package of 200
    attendees and 300 items imported into an empty database in one operation, with its
    audit entries (one per row, written with one ``executemany`` in the same
    transaction) and without them (``audit.note_rows`` replaced by a no-op)."""
    import shutil
    import statistics

    from delegations.services import audit, history, samples
    from delegations.services.history import Operation, perform

    folder = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    document = samples.large_visit(attendees=200, items=300, days=5)
    template = folder / "template.db"
    Database.open(template).close()
    real = audit.note_rows

    def one(n: int, audited: bool) -> tuple[float, int]:
        from delegations.services import package

        path = folder / f"run-{n}.db"
        shutil.copyfile(template, path)
        db = Database.open(path)
        history.audit.note_rows = real if audited else (lambda *a, **k: 0)  # type: ignore[assignment]
        try:
            t0 = time.perf_counter()
            perform(db, Operation("import", lambda s: package.import_document(s, document).id))
            took = time.perf_counter() - t0
        finally:
            history.audit.note_rows = real  # type: ignore[assignment]
        with db.session() as session:
            entries = len(audit.entries(session))
        db.close()
        return took, entries

    one(0, True), one(1, False)  # warm-up
    with_audit, without, count = [], [], 0
    for n in range(runs):
        order = (True, False) if n % 2 == 0 else (False, True)
        for audited in order:
            took, entries = one(10 + 2 * n + audited, audited)
            (with_audit if audited else without).append(took)
            count = max(count, entries)
    ms = lambda v: f"min {min(v) * 1000:.0f} ms, median {statistics.median(v) * 1000:.0f} ms"  # noqa: E731
    print(f"package import with the audit log ({count} entries): {ms(with_audit)}")
    print(f"package import without the audit log: {ms(without)}; ratio median "
          f"{statistics.median(with_audit) / statistics.median(without):.2f}")  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


def bare_merge(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> Any:
    """The same job with plain dicts and loops: records by UUID, fields compared three
    ways, participants merged as sets, conflicts counted (taken from theirs)."""

    def index(doc: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
        out = {s: {r["uuid"]: r for r in doc[s]} for s in ("organisations", "venues", "people",
                                                           "participations", "agenda")}  # fmt: skip
        out["travel"] = {j["uuid"]: j for p in doc["participations"] for j in p["travel"]}
        return out

    b, o, t = index(base), index(ours), index(theirs)
    merged: dict[str, list[dict[str, Any]]] = {}
    conflicts = 0
    for section in b:
        out = []
        for key in {**o[section], **t[section]}:
            ov, tv, bv = o[section].get(key), t[section].get(key), b[section].get(key)
            if ov is None or tv is None:
                if bv is None or (ov or tv) != bv:
                    out.append(ov or tv)
                continue
            record = {}
            for name in {**bv, **ov, **tv} if bv else {**ov, **tv}:
                x, y, z = ov.get(name), tv.get(name), (bv or {}).get(name)
                if name == "participants" and isinstance(x, list) and isinstance(y, list):
                    zs = set(z) if isinstance(z, list) else set()
                    record[name] = sorted((zs & set(x) & set(y)) | (set(x) - zs) | (set(y) - zs))
                elif x in (y, z):
                    record[name] = y
                elif y == z:
                    record[name] = x
                else:
                    conflicts += 1
                    record[name] = y
            out.append(record)
        merged[section] = out
    return merged, conflicts


if __name__ == "__main__":
    main()
