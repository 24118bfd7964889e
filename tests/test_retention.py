"""The retention purge: what it removes, whom it spares, the command line, for good."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from delegations.cli import main
from delegations.model import Delegation, Participation, Person, TravelLeg
from delegations.services import erasure, operations, retention
from delegations.services.history import History, perform
from delegations.store import Database

TODAY = date(2026, 12, 7)


def end_demo(db: Database, end: date) -> int:
    """Move the demo delegation's dates so that it ended on ``end``; its id."""
    with db.transaction() as session:
        session.execute(
            text("UPDATE delegation SET start_date = :s, end_date = :e"),
            {"s": end.replace(day=1).isoformat(), "e": end.isoformat()},
        )
        return int(session.scalars(select(Delegation.id)).one())


def person_id(db: Database, family: str) -> int:
    with db.session() as session:
        return int(session.scalars(select(Person.id).where(Person.family_name == family)).one())


def later_delegation_with(db: Database, family: str) -> None:
    """A delegation next year whose attendee is the person named ``family``."""
    new = perform(
        db,
        operations.create(
            "delegation",
            {
                "title": "Follow-up visit",
                "timezone": "Europe/Paris",
                "start_date": date(2027, 3, 1),
                "end_date": date(2027, 3, 2),
            },
        ),
    ).result
    perform(db, operations.add_attendee(new, {}, person_id=person_id(db, family)))


def test_months_before_clamps_the_day() -> None:
    assert retention.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert retention.months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    assert retention.months_before(date(2026, 1, 15), 10**9) == date(1, 1, 15)


def test_a_huge_number_of_months_is_a_usage_error(demo_db: Database, capsys: Any) -> None:
    for months in ("1201", "24312", "9" * 40):
        with pytest.raises(SystemExit) as stopped:
            main(["--db", str(demo_db.path), "privacy", "purge", "--older-than", months,
                  "--dry-run"])  # fmt: skip
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert "from 1 to 1200" in err and "Traceback" not in err
    assert main(["--db", str(demo_db.path), "privacy", "purge", "--older-than", "1200",
                 "--dry-run"]) == 0  # fmt: skip


def test_plan_purge_and_what_is_kept(demo_db: Database) -> None:
    end_demo(demo_db, date(2025, 11, 30))
    later_delegation_with(demo_db, "Nowak")  # still needed: keeps phone and needs
    nowak = person_id(demo_db, "Nowak")
    leroy = person_id(demo_db, "Leroy")
    with demo_db.session() as session:
        assert retention.purge_plan(session, 13, TODAY).empty  # ended 12 months ago only
        plan = retention.purge_plan(session, 12, TODAY)
    assert plan.cutoff == date(2025, 12, 7)
    assert not plan.empty
    assert plan.delegations == 1 and plan.attendees == 10
    assert plan.fields["journeys"] == 20 and plan.fields["booking_reference"] == 10
    assert plan.kept_people == 1  # Nowak: phone kept
    assert nowak not in plan.person_ids and leroy in plan.person_ids
    described = "\n".join(plan.describe())
    assert "20 journeys" in described and "Kept for 1 person" in described
    assert "Leroy" not in described and "+33" not in described

    history = History(demo_db)
    history.run(operations.update("person", leroy, {"notes": "before"}))
    outcome = history.run(retention.purge(12, TODAY))
    assert outcome.result.plan == plan
    assert history.forget(retention.forget_steps(demo_db, plan)) == 1
    assert not history.can_undo()
    assert erasure.finish_pending_scrub(demo_db)

    with demo_db.session() as session:
        legs = session.scalars(
            select(TravelLeg)
            .join(Participation)
            .join(Delegation)
            .where(Delegation.end_date < plan.cutoff)
        ).all()
        assert legs == []
        old = session.scalars(
            select(Participation).join(Delegation).where(Delegation.end_date < plan.cutoff)
        ).all()
        assert all(p.booking_reference == "" and p.hotel_phone == "" for p in old)
        assert sum(1 for p in old if p.hotel) == 10  # a hotel's name is not sensitive: kept
        leroy_row = session.get(Person, leroy)
        nowak_row = session.get(Person, nowak)
        assert leroy_row is not None and nowak_row is not None
        assert leroy_row.dietary_needs == ""
        assert leroy_row.email  # not a sensitive field of the purge
        assert nowak_row.phone == "+33 6 34 56 78 90"
        assert retention.purge_plan(session, 12, TODAY).empty

    data = demo_db.path.read_bytes()
    assert b"Vegan; nut allergy" not in data  # Leroy's dietary needs, gone from the file
    assert b"+33 6 34 56 78 90" in data  # kept


def test_legs_of_the_later_delegation_stay(demo_db: Database) -> None:
    with demo_db.session() as session:
        before = len(session.scalars(select(TravelLeg)).all())
    end_demo(demo_db, date(2027, 7, 2))  # not ended
    with demo_db.session() as session:
        assert retention.purge_plan(session, 1, TODAY).empty
    perform(demo_db, retention.purge(1, TODAY))
    with demo_db.session() as session:
        assert len(session.scalars(select(TravelLeg)).all()) == before
    assert not erasure.scrub_pending(demo_db)  # nothing removed: nothing to clear


def test_bad_periods_are_refused() -> None:
    from delegations.services.errors import ValidationError

    for bad in (0, -1, "x", True):
        with pytest.raises(ValidationError):
            retention.check_months(bad)


# ------------------------------------------------------------------ command line


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture
def dbfile(demo_db: Database) -> str:
    end_demo(demo_db, date(2024, 6, 30))
    path = str(demo_db.path)
    demo_db.close()
    return path


@pytest.mark.parametrize("bad", ["0", "-3", "six", "1.5"])
def test_cli_months_must_be_a_whole_number(
    dbfile: str, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        run("--db", dbfile, "privacy", "purge", "--older-than", bad)
    assert exc.value.code == 2
    assert "invalid number of months" in capsys.readouterr().err


def test_cli_purge_dry_run_confirmation_and_nothing_left(
    dbfile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run("--db", dbfile, "privacy", "purge", "--older-than", "6", "--dry-run")
    assert code == 0
    assert "20 journeys" in out and "Dry run: nothing was removed." in out

    code, out = run("--db", dbfile, "privacy", "purge", "--older-than", "6")
    assert code == 1  # no terminal, no --yes
    assert "needs confirmation" in capsys.readouterr().err

    code, out = run("--db", dbfile, "privacy", "purge", "--older-than", "6", "--yes")
    assert code == 0, capsys.readouterr().err
    assert "Removed 20 journeys (travel details)" in out
    assert "Free space in the database file cleared." in out
    assert "Vegan" not in out and "+33" not in out

    code, out = run("--db", dbfile, "privacy", "purge", "--older-than", "6")
    assert code == 0  # nothing to remove: no question asked
    assert out.startswith("Nothing to remove")


def test_cli_purge_is_in_the_audit_log(dbfile: str) -> None:
    code, _out = run("--db", dbfile, "privacy", "purge", "--older-than", "6", "--yes")
    assert code == 0
    import sqlite3

    with sqlite3.connect(Path(dbfile)) as connection:
        rows = connection.execute(
            "SELECT record, fields FROM audit_entry WHERE action = 'purge'"
        ).fetchall()
    assert rows
    assert any(record == "person" and "dietary_needs" in fields for record, fields in rows)
    assert not any("Vegan" in fields for _r, fields in rows)


def test_counts_read_in_the_singular_and_the_plural() -> None:
    assert retention.counted("room_notes", 1) == "1 room note"
    assert retention.counted("room_notes", 2) == "2 room notes"
    assert retention.counted("journeys", 1) == "1 journey (travel details)"
    assert retention.counted("accessibility_needs", 1) == "1 accessibility need"
