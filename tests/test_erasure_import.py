"""An erased person does not come back with a package exported before the erasure:
their records (by uuid) are left out of every import, merged or new, and the
anonymised record no longer answers to its old uuids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from delegations.model import Delegation, ErasedRecord, Participation, Person, TravelLeg
from delegations.services import erasure, operations
from delegations.services.history import History
from delegations.store import Database
from test_erasure import Target, file_bytes, prepare, run

NOTICE = "of erased people in the package were left out"


def export_then_erase(db: Database, folder: Path, *, ended: bool) -> tuple[Target, Path]:
    target = prepare(db, ended=ended)
    old = folder / "old.json"
    code, _out = run("--db", str(db.path), "export", "package", str(target.delegation_id),
                     "--out", str(old))  # fmt: skip
    assert code == 0
    text = old.read_text(encoding="utf-8")
    assert "Delacroix" in text and "ZQ 4711" in text  # the package holds the person
    code, _out = run("--db", str(db.path), "person", "erase", str(target.person_id), "--yes")
    assert code == 0
    return target, old


def assert_gone(db: Database, target: Target, *, ended: bool) -> None:
    with db.session() as session:
        people = session.scalars(select(Person)).all()
        for person in people:
            values = " ".join(str(v) for v in vars(person).values())
            for needle in target.strings:
                assert needle.lower() not in values.lower(), needle
        anonymised = session.get(Person, target.person_id)
        if ended:
            assert anonymised is not None
            assert (anonymised.given_name, anonymised.family_name) == (
                "Erased",
                f"person #{target.person_id}",
            )
            kept = session.scalars(
                select(Participation).where(Participation.person_id == target.person_id)
            ).all()
            assert len(kept) == 1
            assert not session.scalars(
                select(TravelLeg.id).where(TravelLeg.participation_id == kept[0].id)
            ).all()
        else:
            assert anonymised is None
            assert len([p for p in people if p.family_name.startswith("person #")]) == 0
    data = file_bytes(db).lower()
    for needle in target.strings:
        assert needle.encode("utf-8").lower() not in data, needle


@pytest.mark.parametrize("ended", [True, False], ids=["anonymise", "delete"])
@pytest.mark.parametrize("prefer", ["theirs", "ours", None])
def test_an_older_package_does_not_bring_an_erased_person_back(
    demo_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ended: bool,
    prefer: str | None,
) -> None:
    target, old = export_then_erase(demo_db, tmp_path, ended=ended)
    capsys.readouterr()

    code, out = run("--db", str(demo_db.path), "import", "package", str(old), "--dry-run")
    err = capsys.readouterr().err
    assert code == 0, err
    assert NOTICE in out
    for needle in target.strings:
        assert needle.lower() not in (out + err).lower(), needle

    args = ["--db", str(demo_db.path), "import", "package", str(old)]
    if prefer is not None:
        args += ["--prefer", prefer]
    code, out = run(*args)
    err = capsys.readouterr().err
    assert code == 0, err
    assert NOTICE in out + err
    for needle in target.strings:
        assert needle.lower() not in (out + err).lower(), needle
    assert erasure.finish_pending_scrub(demo_db)
    assert_gone(demo_db, target, ended=ended)


@pytest.mark.parametrize("ended", [True, False], ids=["anonymise", "delete"])
def test_an_older_package_as_a_new_delegation_leaves_the_person_out(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], ended: bool
) -> None:
    target, old = export_then_erase(demo_db, tmp_path, ended=ended)
    with demo_db.transaction() as session:
        session.execute(delete(Delegation).where(Delegation.id == target.delegation_id))
        if ended:
            session.execute(delete(Person).where(Person.id == target.person_id))
    capsys.readouterr()
    code, out = run("--db", str(demo_db.path), "import", "package", str(old))
    err = capsys.readouterr().err
    assert code == 0, err
    assert NOTICE in out + err
    assert erasure.finish_pending_scrub(demo_db)
    with demo_db.session() as session:
        delegation = session.scalars(select(Delegation)).one()
        assert delegation.lead_officer_id is None
        assert len(delegation.participations) >= 1
    assert_gone(demo_db, target, ended=False)


def test_an_older_package_without_exchange_data_leaves_the_person_out(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A package written like an older version (no merge data) replaces the delegation."""
    target, old = export_then_erase(demo_db, tmp_path, ended=False)
    document = json.loads(old.read_text(encoding="utf-8"))
    document.pop("exchange", None)
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(document), encoding="utf-8")
    code, out = run("--db", str(demo_db.path), "import", "package", str(bare))
    err = capsys.readouterr().err
    assert code == 0, err
    assert NOTICE in out + err
    assert erasure.finish_pending_scrub(demo_db)
    assert_gone(demo_db, target, ended=False)


def test_the_anonymised_record_gets_new_uuids_and_the_old_ones_are_remembered(
    demo_db: Database,
) -> None:
    target = prepare(demo_db, ended=True)
    with demo_db.session() as session:
        person = session.get(Person, target.person_id)
        assert person is not None
        old_person = person.uuid
        participations = session.scalars(
            select(Participation).where(Participation.person_id == target.person_id)
        ).all()
        old_participations = {p.uuid for p in participations}
        old_legs = {leg.uuid for p in participations for leg in p.travel}
    assert old_legs
    with demo_db.session() as session:
        other = session.scalars(select(Person.id).where(Person.family_name == "Caron")).one()
    history = History(demo_db)
    history.run(operations.update("person", other, {"notes": "before"}))
    history.run(erasure.erase(target.person_id))
    history.run(operations.update("person", other, {"notes": "after"}))
    with demo_db.session() as session:
        erased = set(session.scalars(select(ErasedRecord.uuid)))
        person = session.get(Person, target.person_id)
        assert person is not None and person.uuid != old_person
        kept = set(
            session.scalars(
                select(Participation.uuid).where(Participation.person_id == target.person_id)
            )
        )
        assert kept and not kept & old_participations
        assert session.scalars(select(ErasedRecord.erased_at)).first() is not None
    assert {old_person, *old_participations, *old_legs} <= erased
    assert not erased & {person.uuid, *kept}
    # Undo never takes the rows back (the erasure itself keeps no step).
    assert history.undo() and history.undo()
    assert not history.can_undo()
    with demo_db.session() as session:
        assert set(session.scalars(select(ErasedRecord.uuid))) == erased


def test_the_merge_dialog_shows_the_notice_without_the_person(
    qtbot: Any, main_window: Any, tmp_path: Path
) -> None:
    from delegations.services import exchange

    db = main_window.db
    target = prepare(db, ended=True)
    old = tmp_path / "old.json"
    exchange.write_package(db, target.delegation_id, old)
    main_window.runner.run(erasure.erase(target.person_id))
    document = json.loads(old.read_text(encoding="utf-8"))
    document["agenda"][0]["title"] = "Edited by the partner"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document), encoding="utf-8")

    main_window.files.import_package(edited)
    qtbot.waitUntil(lambda: main_window.files.merge_dialog is not None, timeout=20000)
    dialog = main_window.files.merge_dialog
    assert dialog.notice.isVisible() and NOTICE in dialog.notice.text()
    texts: list[str] = []
    items = [dialog.changes.topLevelItem(r) for r in range(dialog.changes.topLevelItemCount())]
    while items:
        item = items.pop()
        texts += [item.text(c) for c in range(dialog.changes.columnCount())]
        items += [item.child(i) for i in range(item.childCount())]
    model = dialog.model
    texts += [
        str(model.data(model.index(r, c)) or "")
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    ]
    shown = " ".join(texts)
    assert "Edited by the partner" in shown
    for needle in target.strings:
        assert needle.lower() not in (shown + dialog.notice.text()).lower(), needle
    dialog.reject()


def test_a_people_spreadsheet_written_before_the_erasure_refuses_their_row(
    demo_db: Database, tmp_path: Path
) -> None:
    """Its "Person ID" names the erased person: that row is refused, never matched to
    the anonymised record nor re-created under the erased id."""
    sheet = tmp_path / "people.csv"
    assert run("--db", str(demo_db.path), "export", "people", "--out", str(sheet))[0] == 0
    target, _old = export_then_erase(demo_db, tmp_path, ended=False)
    for extra in ((), ("--skip-errors",)):
        code, said = run("--db", str(demo_db.path), "import", "people", str(sheet), *extra)
        assert code == 1  # with --skip-errors too: nothing else to write
        [line] = [x for x in said.splitlines() if "erased" in x]
        assert line.endswith(
            ", Person ID: this person was erased from the database; remove the row, or "
            "empty its person ID to add them again as a new person"
        )
        assert all(needle.lower() not in line.lower() for needle in target.strings)
    assert_gone(demo_db, target, ended=False)


def test_an_old_package_keeps_other_peoples_names_whole(demo_db: Database, tmp_path: Path) -> None:
    """The package's own text is scrubbed of the erased person, but a name part they
    share with somebody the package still holds stays theirs."""
    with demo_db.transaction() as session:
        camille = session.scalars(select(Person).where(Person.given_name == "Camille")).one()
        gregoire = session.scalars(select(Person).where(Person.given_name == "Grégoire")).one()
        camille.family_name = gregoire.family_name = "Martin"
        delegation = session.scalars(select(Delegation)).first()
        assert delegation is not None
        delegation.notes = "Camille Martin and Grégoire Martin share the taxi."
        delegation_id, camille_id = delegation.id, camille.id
    old = tmp_path / "old.json"
    assert run("--db", str(demo_db.path), "export", "package", str(delegation_id),
               "--out", str(old))[0] == 0  # fmt: skip
    assert run("--db", str(demo_db.path), "person", "erase", str(camille_id), "--yes")[0] == 0
    code, _out = run("--db", str(demo_db.path), "import", "package", str(old), "--prefer", "theirs")
    assert code == 0
    with demo_db.session() as session:
        notes = session.get(Delegation, delegation_id).notes  # type: ignore[union-attr]
    assert notes == "[erased] and Grégoire Martin share the taxi."
