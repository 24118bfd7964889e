"""Erasing a person: delete or anonymise, no trace left in any export nor in the file's
bytes, the undo history forgets them, the command line's wording."""

from __future__ import annotations

import email
import io
import zipfile
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select, text

from delegations.cli import main
from delegations.model import (
    AgendaItem,
    Delegation,
    DelegationStatus,
    Exchange,
    Participation,
    Person,
    Publication,
    TravelDirection,
    TravelLeg,
    item_host_contacts,
)
from delegations.model.publications import person_audience
from delegations.services import erasure, operations, queries
from delegations.services.history import History, perform
from delegations.store import Database
from pdf_support import page_texts


@dataclass(frozen=True)
class Target:
    """The person erased in these tests (the demo's lead officer) and what identifies them."""

    person_id: int
    delegation_id: int
    host_item: int
    strings: tuple[str, ...]


def prepare(db: Database, *, ended: bool) -> Target:
    """Sophie Delacroix everywhere: attendee with travel, hotel and dietary needs, lead
    officer, host contact on an item, named in free text; a unique journey number."""
    with db.transaction() as session:
        person = session.scalars(select(Person).where(Person.family_name == "Delacroix")).one()
        delegation = session.scalars(select(Delegation)).one()
        participation = session.scalars(
            select(Participation).where(Participation.person_id == person.id)
        ).one()
        arrival = participation.leg(TravelDirection.ARRIVAL)
        assert arrival is not None
        arrival.number = "ZQ 4711"
        participation.booking_reference = "BKREF-SD-9931"
        participation.room_notes = "Quiet room for Sophie"
        person.accessibility_needs = "Hearing loop please"
        person.dietary_needs = "No shellfish, no mushrooms"  # "vegetarian" is on a menu
        item = session.scalars(select(AgendaItem).order_by(AgendaItem.id)).first()
        assert item is not None
        session.execute(
            item_host_contacts.insert().values(agenda_item_id=item.id, person_id=person.id)
        )
        if ended:
            delegation.status = DelegationStatus.COMPLETED
        assert delegation.lead_officer_id == person.id
        strings = (
            person.given_name,
            person.family_name,
            person.email,
            person.phone,
            person.dietary_needs,
            person.accessibility_needs,
            "ZQ 4711",
            "BKREF-SD-9931",
        )
        return Target(person.id, delegation.id, item.id, strings)


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def export_everything(db: Database, folder: Path, target: Target, *, ended: bool) -> list[Path]:
    """Every document, list, calendar and package of the demo delegation, and a pack."""
    folder.mkdir(parents=True, exist_ok=True)
    base = ["--db", str(db.path)]
    d = str(target.delegation_id)
    jobs: list[list[str]] = [
        ["export", "package", d, "--out", str(folder / "package.json")],
        ["export", "people", "--out", str(folder / "people.csv")],
        ["export", "itinerary", d, "--out", str(folder / "itinerary.pdf")],
        ["export", "programme", d, "--out", str(folder / "programme.pdf")],
        ["export", "badges", d, "--include-unconfirmed", "--out", str(folder / "badges.pdf")],
        [
            "export", "attendance", d, "--email", "--include-unconfirmed",
            "--out", str(folder / "attendance.pdf"),
        ],
        ["export", "ical", d, "--out", str(folder / "delegation.ics")],
    ]  # fmt: skip
    for kind in ("rooming", "dietary", "passengers"):
        for form in ("pdf", "csv"):
            jobs.append(
                ["export", kind, d, "--format", form, "--out", str(folder / f"{kind}.{form}")]
            )
    with db.session() as session:
        delegation = queries.load_delegation(session, target.delegation_id)
        others = [p.person_id for p in delegation.participations if p.person_id != target.person_id]
        host = session.get(AgendaItem, target.host_item)
        host_org = host.host_organisation_id if host is not None else None
    for other in others[:2]:
        jobs.append(
            [
                "export",
                "itinerary",
                d,
                "--attendee",
                str(other),
                "--out",
                str(folder / f"it-{other}.pdf"),
            ]
        )
    if host_org is not None:
        jobs.append(
            ["export", "ical", d, "--host", str(host_org), "--out", str(folder / "host.ics")]
        )
    if ended:  # the anonymised attendee still has an itinerary and a calendar
        who = str(target.person_id)
        jobs.append(
            ["export", "itinerary", d, "--attendee", who, "--out", str(folder / "mine.pdf")]
        )
        jobs.append(["export", "ical", d, "--attendee", who, "--out", str(folder / "mine.ics")])
    jobs.append(["pack", d, "--eml", "--organiser", "--quiet", "--out", str(folder / "pack")])
    for job in jobs:
        code, _out = run(*base, *job)
        assert code == 0, job
    return sorted(p for p in folder.rglob("*") if p.is_file())


def texts_of(path: Path) -> list[str]:
    """The readable text of a written file (PDF pages, e-mail parts and attachments…)."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        return page_texts(path)
    if path.suffix == ".zip":
        found: list[str] = []
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                inner = path.with_name(path.name + "-" + Path(name).name)
                inner.write_bytes(archive.read(name))
                found += texts_of(inner)
        return found
    if path.suffix == ".eml":
        message = email.message_from_bytes(data, policy=policy.default)
        found = [str(message["To"] or ""), str(message["Subject"] or "")]
        for part in message.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            if payload.startswith(b"%PDF"):
                inner = path.with_name(path.name + ".pdf")
                inner.write_bytes(payload)
                found += page_texts(inner)
            else:
                found.append(payload.decode("utf-8", "replace"))
        return found
    decoded = data.decode("utf-8", "replace")
    if path.suffix == ".ics":  # unfold the 75-octet lines
        decoded = decoded.replace("\r\n ", "").replace("\n ", "")
    return [decoded]


def squeeze(value: str) -> str:
    return "".join(value.split()).casefold()


def traces_in(files: list[Path], strings: tuple[str, ...]) -> list[tuple[str, str]]:
    wanted = [s for s in strings if s]
    found = []
    for path in files:
        body = squeeze(" ".join([str(path), *texts_of(path)]))
        for needle in wanted:
            if squeeze(needle) in body:
                found.append((path.name, needle))
    return found


def file_bytes(db: Database) -> bytes:
    wal = db.path.with_name(db.path.name + "-wal")
    return db.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.parametrize("ended", [False, True], ids=["delete", "anonymise"])
def test_erase_leaves_no_trace_in_any_export_nor_in_the_file(
    demo_db: Database, tmp_path: Path, ended: bool
) -> None:
    target = prepare(demo_db, ended=ended)
    # Before: the exports show the person (the test can fail), and calendars and a
    # package are stored in the database (publications, exchanges).
    before = export_everything(demo_db, tmp_path / "before", target, ended=ended)
    assert {needle for _f, needle in traces_in(before, target.strings)} >= {
        "Sophie",
        "Delacroix",
        "ZQ 4711",
    }
    with demo_db.session() as session:
        assert session.scalar(select(Publication.id).limit(1)) is not None
        assert session.scalar(select(Exchange.id).limit(1)) is not None

    with demo_db.session() as session:
        plan = erasure.erasure_plan(session, target.person_id)
    assert plan.mode == (erasure.ANONYMISE if ended else erasure.DELETE)
    assert plan.lead_officer == 1 and plan.host_contacts == 1 and plan.journeys == 2
    assert plan.texts >= 2  # the emergency contacts, "Meet Sophie at arrivals…", room notes
    assert not any(s in line for line in plan.describe() for s in target.strings if s)

    outcome = perform(demo_db, erasure.erase(target.person_id))
    assert outcome.result.plan == plan
    assert erasure.scrub_pending(demo_db)
    assert erasure.finish_pending_scrub(demo_db)
    assert not erasure.scrub_pending(demo_db)

    with demo_db.session() as session:
        person = session.get(Person, target.person_id)
        if ended:
            assert person is not None
            assert (person.given_name, person.family_name) == (
                "Erased",
                f"person #{target.person_id}",
            )
            assert (person.email, person.phone, person.dietary_needs, person.organisation_id) == (
                "", "", "", None,
            )  # fmt: skip
            kept = session.scalars(
                select(Participation).where(Participation.person_id == target.person_id)
            ).all()
            assert len(kept) == 1 and kept[0].hotel == "" and kept[0].check_in is None
        else:
            assert person is None
        assert (
            session.scalar(
                select(TravelLeg.id)
                .join(Participation)
                .where(Participation.person_id == target.person_id)
            )
            is None
        )
        assert session.get(Delegation, target.delegation_id).lead_officer_id is None  # type: ignore[union-attr]
        assert not session.execute(
            select(item_host_contacts).where(item_host_contacts.c.person_id == target.person_id)
        ).all()
        assert not session.scalars(
            select(Publication).where(Publication.audience == person_audience(target.person_id))
        ).all()

    after = export_everything(demo_db, tmp_path / "after", target, ended=ended)
    assert traces_in(after, target.strings) == []

    data = file_bytes(demo_db).lower()
    for needle in target.strings:
        assert needle.encode("utf-8").lower() not in data, needle


def test_a_failing_erase_writes_nothing(demo_db: Database) -> None:
    with demo_db.session() as session:
        missing = (session.scalar(select(Person.id).order_by(Person.id.desc())) or 0) + 100
    from delegations.services.errors import NotFound

    with pytest.raises(NotFound):
        perform(demo_db, erasure.erase(missing))
    assert not erasure.scrub_pending(demo_db)


def test_the_undo_history_forgets_the_steps_that_held_the_person(demo_db: Database) -> None:
    history = History(demo_db)
    with demo_db.session() as session:
        sophie = session.scalars(select(Person.id).where(Person.family_name == "Delacroix")).one()
        other = session.scalars(select(Person.id).where(Person.family_name == "Caron")).one()
    history.run(operations.update("person", other, {"notes": "first"}))
    history.run(operations.update("person", sophie, {"notes": "her step"}))
    history.run(operations.update("person", other, {"notes": "after"}))
    history.run(operations.update("person", other, {"notes": "undone"}))
    history.undo()
    assert history.can_redo()
    with demo_db.session() as session:
        traces = erasure.person_traces(session, sophie)
    touches = erasure.forget_steps(demo_db, traces)
    assert history.forgettable(touches) == 3  # her step, the one before it, the redo step

    outcome = history.run(erasure.erase(sophie))
    labels = history.labels()
    assert "erase" not in " ".join(labels[0])  # not undoable: no step kept
    assert history.forget(erasure.forget_steps(demo_db, outcome.result.traces)) == 2
    assert history.labels() == (["edit Julien Caron"], [])
    assert history.undo()  # the step after hers still undoes
    assert not history.can_undo()


def test_free_text_keeps_other_people(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        sophie = session.scalars(select(Person).where(Person.family_name == "Delacroix")).one()
        delegation = session.scalars(select(Delegation)).one()
        delegation.notes = (
            "Sophie Delacroix and Julien Caron; call sophie.delacroix@lillemetropole.example"
        )
        sophie_id = sophie.id
    perform(demo_db, erasure.erase(sophie_id))
    with demo_db.session() as session:
        notes = session.scalars(select(Delegation.notes)).one()
    assert notes == "[erased] and Julien Caron; call [erased]"


# ------------------------------------------------------------------ command line


@pytest.fixture
def dbfile(demo_db: Database) -> str:
    path = str(demo_db.path)
    demo_db.close()
    return path


def sophie_id(path: str) -> int:
    db = Database.open(path)
    try:
        with db.session() as session:
            return int(
                session.scalars(select(Person.id).where(Person.family_name == "Delacroix")).one()
            )
    finally:
        db.close()


def test_cli_erase_says_what_without_personal_data(
    dbfile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = sophie_id(dbfile)
    code, out = run("--db", dbfile, "person", "erase", "Delacroix")
    err = capsys.readouterr().err
    assert code == 1
    assert "needs confirmation" in err and "--yes" in err
    assert f"person #{pid} will be DELETED" in out.replace("Person", "person")
    assert sophie_id(dbfile) == pid  # nothing changed

    code, out = run("--db", dbfile, "person", "erase", str(pid), "--yes")
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"Erased person #{pid}: deleted." in out
    assert "Free space in the database file cleared." in out
    for needle in ("Sophie", "Delacroix", "sophie.delacroix", "12 34 56 78", "Vegetarian"):
        assert needle not in out + err

    code, _out = run("--db", dbfile, "person", "erase", str(pid), "--yes")
    assert code == 1
    assert capsys.readouterr().err.strip() == f"delegations: error: no person #{pid}"


def test_cli_ambiguous_names_are_answered_with_ids(
    dbfile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out = run("--db", dbfile, "person", "erase", "Puig", "--yes")
    err = capsys.readouterr().err
    assert code == 1
    assert "matches 2 people (person #" in err
    assert "Ramon" not in err and "Núria" not in err


def test_cli_lists_and_deletes_older_backups(
    dbfile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from delegations.store.backups import list_backups

    code, _out = run("--db", dbfile, "backup")
    assert code == 0
    made = [b.path for b in list_backups(dbfile)]
    assert made
    pid = sophie_id(dbfile)
    code, out = run("--db", dbfile, "person", "erase", str(pid), "--yes")
    assert code == 0
    assert "made before the erasure still hold their data" in out
    for path in made:
        assert str(path) in out and path.exists()

    with_data = sqlite_has(made[0], "Delacroix")
    assert with_data
    other = "Caron"  # a second erasure, deleting the backups this time
    db = Database.open(dbfile)
    with db.session() as session:
        caron = session.scalars(select(Person.id).where(Person.family_name == other)).one()
    db.close()
    code, out = run("--db", dbfile, "person", "erase", str(caron), "--yes", "--delete-old-backups")
    assert code == 0
    assert "Deleted" in out
    assert not any(path.exists() for path in made)


def sqlite_has(path: Path, needle: str) -> bool:
    import sqlite3

    with sqlite3.connect(path) as connection:
        return bool(
            connection.execute(
                "SELECT count(*) FROM person WHERE family_name = ?", (needle,)
            ).fetchone()[0]
        )


def test_a_scrub_left_pending_is_finished_by_the_next_command(dbfile: str) -> None:
    db = Database.open(dbfile)
    with db.transaction() as session:
        erasure.mark_scrub_pending(session)
        session.execute(text("UPDATE person SET notes = 'x' WHERE id = 1"))
    db.close()
    code, _out = run("--db", dbfile, "privacy", "purge", "--older-than", "1", "--yes")
    assert code == 0
    db = Database.open(dbfile)
    try:
        assert not erasure.scrub_pending(db)
    finally:
        db.close()
