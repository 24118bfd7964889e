"""An anonymised person gets the same uuids in every database (derived from the old
ones), erasing them again changes nothing, and a restore neither leaves the erased
data in a copy made before an upgrade nor hides that it could not erase again."""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select

from delegations.cli import main
from delegations.model import ErasedRecord, Participation, Person
from delegations.services import backups, erasure
from delegations.services.history import perform
from delegations.store import Database, migrations
from test_erasure import prepare


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def uuids_of(db: Database, person_id: int) -> tuple[str, set[str]]:
    with db.session() as session:
        person = session.get(Person, person_id)
        assert person is not None
        kept = set(
            session.scalars(select(Participation.uuid).where(Participation.person_id == person_id))
        )
        return person.uuid, kept


def erased_people(db: Database, person_id: int) -> int:
    with db.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Person)
                .where(Person.family_name == erasure.anonymous_label(person_id))
            )
            or 0
        )


def test_the_new_uuids_are_derived_the_same_in_every_copy_and_an_import_merges(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = prepare(demo_db, ended=True)
    old_person, old_kept = uuids_of(demo_db, target.person_id)
    copy_path = tmp_path / "partner.db"
    demo_db.backup(copy_path)
    perform(demo_db, erasure.erase(target.person_id))
    partner = Database.open(copy_path)
    try:
        perform(partner, erasure.erase(target.person_id))
        ours = uuids_of(demo_db, target.person_id)
        theirs = uuids_of(partner, target.person_id)
        assert ours == theirs
        assert ours[0] == erasure.anonymised_uuid(old_person) != old_person
        assert ours[1] == {erasure.anonymised_uuid(u) for u in old_kept}
        assert UUID(ours[0]).version == 5
        with partner.session() as session:
            erased = set(session.scalars(select(ErasedRecord.uuid)))
        assert old_person in erased and ours[0] not in erased
        package = tmp_path / "partner.json"
        code, _ = run("--db", str(copy_path), "export", "package", str(target.delegation_id),
                      "--out", str(package))  # fmt: skip
        assert code == 0
    finally:
        partner.close()
    for prefer in ("theirs", "ours"):
        code, _ = run("--db", str(demo_db.path), "import", "package", str(package),
                      "--prefer", prefer)  # fmt: skip
        assert code == 0, capsys.readouterr().err
        assert erased_people(demo_db, target.person_id) == 1
    code, shown = run("--db", str(demo_db.path), "show", str(target.delegation_id))
    assert code == 0
    assert shown.count(f"Erased {erasure.anonymous_label(target.person_id)}") == 1


def test_erasing_an_anonymised_person_again_keeps_them_as_they_are(demo_db: Database) -> None:
    target = prepare(demo_db, ended=True)
    perform(demo_db, erasure.erase(target.person_id))
    before = uuids_of(demo_db, target.person_id)
    with demo_db.session() as session:
        erased_before = set(session.scalars(select(ErasedRecord.uuid)))
        plan = erasure.erasure_plan(session, target.person_id)
    assert plan.mode == erasure.ANONYMISE
    assert (plan.texts, plan.documents, plan.journeys, plan.removed_participations) == (0,) * 4
    perform(demo_db, erasure.erase(target.person_id))
    assert uuids_of(demo_db, target.person_id) == before
    with demo_db.session() as session:
        assert set(session.scalars(select(ErasedRecord.uuid))) == erased_before
    assert erasure.finish_pending(demo_db)  # the person is not under an erased uuid
    assert uuids_of(demo_db, target.person_id) == before


def test_a_restore_that_erases_again_gives_the_same_uuids(
    demo_db: Database, tmp_path: Path
) -> None:
    target = prepare(demo_db, ended=True)
    backup = backups.make_backup(demo_db.path, "manual")
    perform(demo_db, erasure.erase(target.person_id))
    first = uuids_of(demo_db, target.person_id)
    path = demo_db.path
    demo_db.close()
    result, db = backups.restore_and_open(backup, path)
    try:
        assert result.erased_again == 1
        assert uuids_of(db, target.person_id) == first
    finally:
        db.close()


def downgrade(path: Path, revision: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.downgrade(migrations.alembic_config(conn), revision)
        conn.commit()
    engine.dispose()


def holds(path: Path, needle: str) -> bool:
    data = b"".join(
        p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    )
    return needle.encode().lower() in data.lower()


def test_restoring_an_older_backup_leaves_no_copy_before_the_upgrade_holding_them(
    tmp_path: Path, demo_db_template: Path
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    db = Database.open(path)
    try:
        target = prepare(db, ended=False)
        old = tmp_path / "old.sqlite"
        db.backup(old)
        perform(db, erasure.erase(target.person_id))
        assert erasure.finish_pending_scrub(db)
    finally:
        db.close()
    downgrade(old, "0007")
    assert backups.verify_backup(old) == "0007"
    earlier = set(backups.kept_files(path))  # the daily backup, from before the erasure
    result, db = backups.restore_and_open(old, path)
    try:
        assert result.erased_again == 1
        assert db.pre_migration_backup is None and db.backup_warning is None
    finally:
        db.close()
    reasons = [b.reason for b in backups.list_backups(path)]
    assert "migration" not in reasons and "before-restore" in reasons
    copies = [p for p in set(backups.kept_files(path)) - earlier if "before-restore" not in p.name]
    assert not [p for p in copies if holds(p, "Delacroix")]
    assert not holds(path, "Delacroix")


def test_an_older_backup_without_erasures_keeps_its_copy_before_the_upgrade(
    tmp_path: Path, demo_db_template: Path
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    old = tmp_path / "old.sqlite"
    shutil.copyfile(demo_db_template, old)
    downgrade(old, "0007")
    result, db = backups.restore_and_open(old, path)
    db.close()
    assert result.erased == () and db.pre_migration_backup is not None
    assert db.pre_migration_backup.exists()


@pytest.mark.parametrize("garbage", [b"not a database at all" * 100, None])
def test_a_restore_over_an_unreadable_file_says_it_could_not_erase_again(
    tmp_path: Path, demo_db_template: Path, capsys: Any, garbage: bytes | None
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    backup = backups.make_backup(path, "manual")
    if garbage is None:
        path.unlink()  # nothing replaced: nothing to say
    else:
        path.write_bytes(garbage)
    code, said = run("--db", str(path), "restore", str(backup), "--yes")
    err = capsys.readouterr().err
    assert code == 0 and said.startswith("Restored")
    warning = (
        "delegations: warning: the file replaced could not be read, so people erased since "
        "this backup was made (if any) could not be erased again: check, and erase them again."
    )
    if garbage is None:
        assert "could not be read" not in err
    else:
        assert warning in err.splitlines()
        path.write_bytes(garbage)
        result, db = backups.restore_and_open(backup, path)
        db.close()
        assert result.replaced_unreadable and result.erased == ()


def test_a_restore_over_a_readable_file_says_nothing_of_it(
    tmp_path: Path, demo_db_template: Path, capsys: Any
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    backup = backups.make_backup(path, "manual")
    result, db = backups.restore_and_open(backup, path)
    db.close()
    assert not result.replaced_unreadable
    with sqlite3.connect(path) as connection:  # an SQLite file, but not ours
        connection.execute("DROP TABLE alembic_version")
    result, db = backups.restore_and_open(backup, path)
    db.close()
    assert not result.replaced_unreadable  # its erased_record could still be read


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_prompt_has_a_capital_after_the_question_mark(
    tmp_path: Path, demo_db_template: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "work.db"
    shutil.copyfile(demo_db_template, path)
    backup = backups.make_backup(path, "manual")
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert run("--db", str(path), "restore", str(backup))[0] == 1
    assert f"{backup}? The current file is kept in " in capsys.readouterr().err


def test_the_window_says_it_after_a_restore_over_an_unreadable_file(
    qtbot: Any, main_window: Any, answers: Any
) -> None:
    from test_ui_backups import holder

    path = main_window.db.path
    backup = backups.make_backup(path, "manual")
    old_db = main_window.db
    old_db.close()
    path.write_bytes(b"garbage" * 1000)
    for extra in ("-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    assert holder(main_window).restore(backup)
    qtbot.waitUntil(lambda: main_window.db is not old_db)
    assert any(backups.UNREADABLE_NOTICE in text for _title, text in answers.messages)
    assert backups.UNREADABLE_NOTICE in main_window.statusBar().currentMessage()
