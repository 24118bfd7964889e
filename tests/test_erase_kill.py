"""SIGKILL during ``person erase``: the database is whole, and wholly before or after.

Each run copies a database holding the demo, starts ``delegations person erase``
on it in a subprocess and kills it (SIGKILL) after a random delay, most of them
in the part of the run where it writes (the erase transaction, then VACUUM and
the checkpoint). Afterwards the file passes ``PRAGMA integrity_check`` and the
person is either intact or erased, never half; an erasure whose clearing of free
pages was cut short is finished by the next command.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from delegations.services import erasure
from delegations.store import Database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

RUNS = 24
COMMAND = "import sys; from delegations.cli import main; sys.exit(main())"


def state(path: Path, person_id: int) -> str:
    """``before``, ``after``, or what is wrong (integrity, a half-done erasure)."""
    with sqlite3.connect(path) as connection:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            return f"damaged: {check}"
        person = connection.execute(
            "SELECT given_name, email, phone, dietary_needs FROM person WHERE id = ?",
            (person_id,),
        ).fetchone()
        participations = connection.execute(
            "SELECT count(*) FROM participation WHERE person_id = ?", (person_id,)
        ).fetchone()[0]
        legs = connection.execute(
            "SELECT count(*) FROM travel_leg t JOIN participation p ON p.id = t.participation_id "
            "WHERE p.person_id = ?",
            (person_id,),
        ).fetchone()[0]
        lead = connection.execute(
            "SELECT count(*) FROM delegation WHERE lead_officer_id = ?", (person_id,)
        ).fetchone()[0]
        notes = connection.execute("SELECT emergency_contacts FROM delegation").fetchone()[0]
    whole = (
        person == ("Sophie", "sophie.delacroix@lillemetropole.example", "+33 6 12 34 56 78",
                   "Vegetarian")
        and participations == 1 and legs == 2 and lead == 1 and "Delacroix" in notes
    )  # fmt: skip
    gone = person is None and participations == 0 and legs == 0 and lead == 0
    gone = gone and "Delacroix" not in notes
    if whole:
        return "before"
    if gone:
        return "after"
    return f"half: person={person is not None} p={participations} legs={legs} lead={lead}"


def start(path: Path, person_id: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DELEGATIONS_BUSY_MS": "2000"}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            COMMAND,
            "--db",
            str(path),
            "person",
            "erase",
            str(person_id),
            "--yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def test_sigkill_during_erase_leaves_the_database_before_or_after(
    demo_db_template: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(demo_db_template) as connection:
        person_id = connection.execute(
            "SELECT id FROM person WHERE family_name = 'Delacroix'"
        ).fetchone()[0]

    def fresh(n: int) -> Path:
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        path = folder / "demo.db"
        shutil.copyfile(demo_db_template, path)
        return path

    # One run to the end: how long a whole erase takes here.
    path = fresh(0)
    began = time.monotonic()
    assert start(path, person_id).wait(60) == 0
    whole = time.monotonic() - began
    assert state(path, person_id) == "after"

    rng = random.Random(20261207)
    seen: dict[str, int] = {}
    for n in range(1, RUNS + 1):
        path = fresh(n)
        process = start(path, person_id)
        # Most kills late in the run, where it writes; some anywhere.
        low = 0.0 if n % 4 == 0 else 0.55
        time.sleep(rng.uniform(low, 1.05) * whole)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        found = state(path, person_id)
        assert found in ("before", "after"), f"run {n}: {found}"
        seen[found] = seen.get(found, 0) + 1
        if found == "after":
            # The next opening finishes a clearing of free pages cut short.
            db = Database.open(path)
            try:
                assert erasure.finish_pending_scrub(db)
                assert not erasure.scrub_pending(db)
            finally:
                db.close()
            wal = path.with_name(path.name + "-wal")
            data = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
            assert b"Delacroix" not in data and b"sophie.delacroix" not in data
    assert sum(seen.values()) == RUNS
