"""Erasures survive a restore: a backup made before an erasure does not bring the
person back (command line, ``restore_and_open``, the window), and the confirmations
say beforehand how many people will be erased again."""

from __future__ import annotations

import io
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from delegations.cli import main
from delegations.model import ErasedRecord, Participation, Person, TravelLeg
from delegations.services import backups, erasure, operations
from delegations.services.history import perform
from delegations.store import Database
from test_erasure import prepare

SEEN = "Erased again"


@dataclass(frozen=True)
class Scene:
    """A database where two people were erased after ``backup`` was made."""

    path: Path
    backup: Path
    strings: tuple[str, ...]
    erased: dict[str, str]
    """The erased_record rows of the database before the restore (uuid: erased_at)."""
    lone_participation: str
    """The uuid of a participation recorded as erased while its person was not."""
    lone_leg: str
    kept_person: int


def erased_rows(path: Path) -> dict[str, str]:
    connection = sqlite3.connect(path)
    try:
        return dict(connection.execute("SELECT uuid, erased_at FROM erased_record").fetchall())
    finally:
        connection.close()


def file_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def set_up(db: Database) -> Scene:
    """Sophie Delacroix (anonymised: her delegation has ended) and a person with no
    participation (deleted) are erased after the backup; a participation and a journey
    of others are recorded as erased on their own."""
    target = prepare(db, ended=True)
    lonely = perform(
        db,
        operations.create(
            "person",
            {
                "given_name": "Ottoline",
                "family_name": "Quarrendon",
                "email": "ottoline.quarrendon@example.invalid",
                "phone": "+44 20 7946 0999",
                "notes": "Window seat XYZZY-77",
            },
        ),
    ).result
    backup = backups.make_backup(db.path, "manual")
    with db.session() as session:
        others = session.scalars(
            select(Participation)
            .where(Participation.person_id != target.person_id)
            .order_by(Participation.id)
        ).all()
        lone = others[0]
        leg = session.scalars(
            select(TravelLeg)
            .where(TravelLeg.participation_id.in_([p.id for p in others[1:]]))
            .order_by(TravelLeg.id)
        ).first()
        assert leg is not None
        lone_participation, lone_leg, kept_person = lone.uuid, leg.uuid, lone.person_id
    for person_id in (target.person_id, lonely):
        perform(db, erasure.erase(person_id))
    with db.transaction() as session:
        for uuid in (lone_participation, lone_leg):
            session.add(ErasedRecord(uuid=uuid))
    assert erasure.finish_pending_scrub(db)
    strings = (*target.strings, "Ottoline", "Quarrendon", "ottoline.quarrendon", "XYZZY-77")
    return Scene(
        db.path,
        backup,
        strings,
        erased_rows(db.path),
        lone_participation,
        lone_leg,
        kept_person,
    )


@pytest.fixture
def scene(tmp_path: Path, demo_db_template: Path) -> Iterator[Scene]:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    db = Database.open(path)
    try:
        made = set_up(db)
    finally:
        db.close()
    yield made


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def check_erased_again(scene: Scene) -> None:
    """Nothing of the erased people in the restored file, the erased uuids kept."""
    data = file_bytes(scene.path).lower()
    for needle in scene.strings:
        assert needle.encode("utf-8").lower() not in data, needle
    after = erased_rows(scene.path)
    assert {uuid: after.get(uuid) for uuid in scene.erased} == scene.erased  # dates kept
    db = Database.open(scene.path)
    try:
        with db.session() as session:
            people = session.scalars(select(Person)).all()
            assert not [p for p in people if p.family_name in ("Delacroix", "Quarrendon")]
            assert any(p.given_name == "Erased" for p in people)  # Sophie, anonymised
            uuids = {p.uuid for p in session.scalars(select(Participation))}
            assert scene.lone_participation not in uuids
            assert scene.lone_leg not in {leg.uuid for leg in session.scalars(select(TravelLeg))}
            assert session.get(Person, scene.kept_person) is not None
        assert not erasure.scrub_pending(db)
    finally:
        db.close()


def test_the_command_line_erases_them_again(scene: Scene) -> None:
    assert backups.people_erased_since(scene.backup, scene.path) == 2
    code, said = run("--db", str(scene.path), "restore", str(scene.backup), "--yes")
    assert code == 0
    assert "Erased again 2 people erased after this backup was made." in said
    assert "Sophie" not in said and "Ottoline" not in said
    check_erased_again(scene)


def test_restore_and_open_erases_them_again(scene: Scene) -> None:
    result, db = backups.restore_and_open(scene.backup, scene.path)
    try:
        assert result.erased_again == 2
        data = file_bytes(scene.path).lower()  # open, after the scrub
        for needle in scene.strings:
            assert needle.encode("utf-8").lower() not in data, needle
    finally:
        db.close()
    check_erased_again(scene)
    assert backups.erased_again_notice(2) == (
        "Erased again 2 people erased after this backup was made."
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_line_confirmation_says_it_beforehand(
    scene: Scene, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    code, _said = run("--db", str(scene.path), "restore", str(scene.backup))
    err = capsys.readouterr().err
    assert code == 1
    assert "2 people erased since this backup was made will be erased again after restoring." in (
        err
    )
    assert erased_rows(scene.path) == scene.erased  # nothing changed


def test_a_restore_with_no_erasures_says_nothing_of_it(
    tmp_path: Path, demo_db_template: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    backup = backups.make_backup(path, "manual")
    assert backups.people_erased_since(backup, path) == 0
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert run("--db", str(path), "restore", str(backup))[0] == 1
    assert "erased" not in capsys.readouterr().err
    code, said = run("--db", str(path), "restore", str(backup), "--yes")
    assert code == 0 and said.startswith("Restored") and "erased" not in said.lower()
    result, db = backups.restore_and_open(backup, path)
    db.close()
    assert result.erased_again == 0 and result.erased == ()


def test_a_damaged_or_foreign_current_file_carries_nothing(
    tmp_path: Path, demo_db_template: Path
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    backup = backups.make_backup(path, "manual")
    path.write_text("not a database")
    assert backups.people_erased_since(backup, path) == 0
    result, db = backups.restore_and_open(backup, path)
    db.close()
    assert result.erased == () and result.erased_again == 0


def test_the_window_says_it_before_and_after(qtbot: QtBot, main_window: Any, answers: Any) -> None:
    from test_ui_backups import holder

    db = main_window.db
    made = set_up(db)
    old_db = main_window.db
    assert holder(main_window).restore(made.backup)
    qtbot.waitUntil(lambda: main_window.db is not old_db)
    question = answers.questions[-1][1]
    assert "2 people erased since this backup was made will be erased again" in question
    assert any(SEEN in text for _title, text in answers.messages)
    assert SEEN in main_window.statusBar().currentMessage()
    data = file_bytes(made.path).lower()
    for needle in made.strings:
        assert needle.encode("utf-8").lower() not in data, needle
    with main_window.db.session() as session:
        assert not session.scalars(
            select(Person).where(Person.family_name.in_(["Delacroix", "Quarrendon"]))
        ).all()


def test_a_person_left_under_an_erased_id_is_erased_at_the_next_command(
    demo_db: Database,
) -> None:
    """A restore killed between recording the erased ids and erasing again: the next
    command that opens the database finishes the erasure before reading anything."""
    with demo_db.transaction() as session:
        person = session.scalars(select(Person).where(Person.family_name == "Vidal")).one()
        person_id, email = person.id, person.email
        session.add(ErasedRecord(uuid=person.uuid.lower()))
    path = demo_db.path
    demo_db.close()
    out = io.StringIO()
    assert main(["--db", str(path), "list"], out=out) == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute(
            "SELECT count(*) FROM person WHERE id = ?", (person_id,)
        ).fetchone() == (0,)
    wal = path.with_name(path.name + "-wal")
    data = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert email.encode() not in data
