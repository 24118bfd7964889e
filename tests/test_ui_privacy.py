"""The Privacy menu: erase a person, remove old sensitive data, the start-up proposal,
export a person's data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from delegations.model import Person
from delegations.services import erasure, operations, preferences
from delegations.store import Database
from ui_support import open_window


def person_id(db: Database, family: str) -> int:
    with db.session() as session:
        return int(session.scalars(select(Person.id).where(Person.family_name == family)).one())


def select_person(window: Any, pid: int) -> None:
    window.show_page("people")
    page = window.pages["person"]
    page.select_ids([pid])
    assert page.selected_ids() == [pid]


def end_demo(db: Database) -> None:
    with db.transaction() as session:
        session.execute(
            text("UPDATE delegation SET start_date='2024-06-01', end_date='2024-06-02'")
        )


def menu_keys(window: Any, title: str) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == title)
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_the_privacy_menu_sits_before_help(main_window: Any) -> None:
    titles = [a.text() for a in main_window.menuBar().actions()]
    assert titles.index("P&rivacy") == titles.index("&Help") - 1
    entries = menu_keys(main_window, "P&rivacy")
    assert entries[:3] == [
        "E&xport personal data…",
        "&Erase person…",
        "&Remove old sensitive data…",
    ]


def test_erase_without_a_selection_says_to_select_one(main_window: Any, answers: Any) -> None:
    main_window.show_page("people")
    main_window.pages["person"].table.clearSelection()
    holder = privacy_of(main_window)
    assert holder.erase_person() is False
    assert answers.messages[-1][0] == "Select a person"
    assert all("Erase" not in title for title, _text in answers.questions)


def privacy_of(window: Any) -> Any:
    from delegations.ui.privacy import PrivacyActions

    return next(h for h in window.action_holders if isinstance(h, PrivacyActions))


def test_erase_confirms_then_deletes_and_shows_the_result(
    main_window: Any, answers: Any, demo_db: Database, qtbot: Any
) -> None:
    pid = person_id(demo_db, "Delacroix")
    other = person_id(demo_db, "Caron")
    # Undo steps: one of another person's, then one holding hers.
    main_window.runner.run(operations.update("person", other, {"notes": "older"}))
    main_window.runner.run(operations.update("person", pid, {"notes": "hers"}))
    assert main_window.runner.history.can_undo()
    select_person(main_window, pid)
    holder = privacy_of(main_window)
    answers.questions.clear()
    assert holder.erase_person() is True

    title, question = answers.questions[-1]
    assert title == f"Erase person #{pid}"
    assert f"Person #{pid} will be DELETED" in question
    assert "This cannot be undone" in question
    assert "The undo history will drop 2 steps" in question
    assert "1 backup copy made before now" in question  # the daily one of the opening
    # The officer's own screen names who is about to be erased, and nothing else of theirs.
    assert question.startswith(
        f"Sophie Delacroix (Métropole Européenne de Lille (MEL)) is person #{pid}.\n"
    )
    for secret in ("sophie.delacroix", "12 34 56 78", "Vegetarian"):
        assert secret not in title + question
    # What "[erased]" will replace is shown (a place named like the person would be too).
    assert "Replaced by “[erased]”:" in question
    assert "delegation #1, emergency contacts: " in question and "their phone" in question

    qtbot.waitUntil(lambda: holder.result_dialog is not None, timeout=10000)
    dialog = holder.result_dialog
    assert f"Person #{pid} was deleted." in dialog.text.text()
    assert "Undo history: 2 steps that held this person's data were removed." in dialog.text.text()
    assert "free space in the database file was cleared" in dialog.text.text()
    assert not main_window.runner.history.can_undo()
    assert "Delacroix" not in main_window.undo_action.text()
    assert not erasure.scrub_pending(demo_db)
    with demo_db.session() as session:
        assert session.get(Person, pid) is None
    assert pid not in main_window.pages["person"].model.ids()

    # The older backups, and "Delete these backups" after a confirmation.
    paths = list(dialog.paths)
    assert paths and all(p.exists() for p in paths)
    answers.yes = False
    dialog.delete_button.click()
    assert all(p.exists() for p in paths)
    answers.yes = True
    dialog.delete_button.click()
    assert answers.questions[-1][0] == "Delete older backups"
    assert not any(p.exists() for p in paths)
    assert dialog.paths == [] and not dialog.delete_button.isEnabled()
    dialog.reject()


def test_cancelling_the_erase_changes_nothing(
    main_window: Any, answers: Any, demo_db: Database
) -> None:
    pid = person_id(demo_db, "Delacroix")
    main_window.runner.run(operations.update("person", pid, {"notes": "kept"}))
    select_person(main_window, pid)
    answers.yes = False
    holder = privacy_of(main_window)
    assert holder.erase_person() is False
    assert answers.questions[-1][0] == f"Erase person #{pid}"
    assert holder.result_dialog is None
    assert main_window.runner.history.can_undo()
    with demo_db.session() as session:
        person = session.get(Person, pid)
        assert person is not None and person.email.startswith("sophie.")


def test_an_attendee_of_an_ended_visit_is_anonymised(
    main_window: Any, answers: Any, demo_db: Database, qtbot: Any
) -> None:
    end_demo(demo_db)
    pid = person_id(demo_db, "Leroy")
    main_window.reload_lists()
    select_person(main_window, pid)
    holder = privacy_of(main_window)
    assert holder.erase_person() is True
    assert "ANONYMISED" in answers.questions[-1][1]
    qtbot.waitUntil(lambda: holder.result_dialog is not None, timeout=10000)
    assert "was anonymised" in holder.result_dialog.text.text()
    holder.result_dialog.reject()
    with demo_db.session() as session:
        person = session.get(Person, pid)
        assert person is not None and person.full_name == f"Erased person #{pid}"


def test_remove_old_data_shows_the_plan_and_purges_after_confirming(
    main_window: Any, answers: Any, demo_db: Database, qtbot: Any
) -> None:
    holder = privacy_of(main_window)
    dialog = holder.remove_old_data()
    assert dialog.months() == 12
    assert dialog.summary.text().startswith("Nothing to remove")
    assert not dialog.remove_button.isEnabled()
    dialog.reject()

    end_demo(demo_db)
    with demo_db.transaction() as session:
        preferences.set_retention_months(session, 6)
    dialog = holder.remove_old_data()
    assert dialog.months() == 6
    assert "20 journeys (travel details)" in dialog.summary.text()
    assert dialog.remove_button.isEnabled()

    answers.yes = False
    dialog.remove_button.click()
    assert "cannot be undone" in answers.questions[-1][1]
    assert dialog.isVisible()
    with demo_db.session() as session:
        assert session.execute(text("SELECT count(*) FROM travel_leg")).scalar() == 20

    answers.yes = True
    dialog.remove_button.click()
    qtbot.waitUntil(
        lambda: bool(answers.messages) and answers.messages[-1][0] == "Old sensitive data removed",
        timeout=10000,
    )
    assert "20 journeys" in answers.messages[-1][1]
    assert not dialog.isVisible()
    with demo_db.session() as session:
        assert session.execute(text("SELECT count(*) FROM travel_leg")).scalar() == 0
    assert not erasure.scrub_pending(demo_db)


def test_the_retention_proposal_is_made_once_a_day(
    qtbot: Any, demo_db: Database, answers: Any
) -> None:
    end_demo(demo_db)
    with demo_db.transaction() as session:
        preferences.set_retention_months(session, 6)
    window = open_window(qtbot, demo_db, answers)
    try:
        holder = privacy_of(window)
        qtbot.waitUntil(lambda: holder.proposal is not None, timeout=5000)
        proposal = holder.proposal
        assert "6 months" in proposal.text() and "20 journeys" in proposal.text()
        with demo_db.session() as session:
            assert preferences.retention_asked(session) == date.today()
        review = next(b for b in proposal.buttons() if b.text() == "Review…")
        review.click()
        assert holder.proposal is None
        assert holder.purge_dialog is not None and holder.purge_dialog.months() == 6
        holder.purge_dialog.reject()
        # Asked today: not again (a new day would ask again).
        assert holder.propose_retention() is False
        assert holder.propose_retention(today=date(2099, 1, 1)) is True
        assert holder.proposal is not None
        holder.proposal.reject()
    finally:
        window.close()


def test_no_proposal_without_a_retention_period(main_window: Any) -> None:
    holder = privacy_of(main_window)
    assert holder.propose_retention() is False
    assert holder.proposal is None


def test_export_personal_data_of_the_selected_person(
    main_window: Any, answers: Any, demo_db: Database, tmp_path: Path, qtbot: Any
) -> None:
    pid = person_id(demo_db, "Delacroix")
    select_person(main_window, pid)
    target = tmp_path / "subject.json"
    answers.files.append(str(target))
    holder = privacy_of(main_window)
    assert holder.export_personal_data() is not None
    qtbot.waitUntil(lambda: not holder.tasks, timeout=10000)
    assert target.exists()
    document = json.loads(target.read_text(encoding="utf-8"))
    assert "Delacroix" in json.dumps(document, ensure_ascii=False)
    assert f"person #{pid}" in main_window.statusBar().currentMessage()


def test_export_personal_data_never_overwrites_the_database(
    main_window: Any, answers: Any, demo_db: Database, qtbot: Any
) -> None:
    """Chosen in the save dialog (which asked "replace?" and was told yes): refused."""
    pid = person_id(demo_db, "Delacroix")
    select_person(main_window, pid)
    before = demo_db.path.read_bytes()
    holder = privacy_of(main_window)
    for target in (demo_db.path, Path(f"{demo_db.path}-wal"),
                   demo_db.path.with_name(demo_db.path.name + ".backups") / "x.json"):  # fmt: skip
        answers.files.append(str(target))
        answers.messages.clear()
        assert holder.export_personal_data() is None
        [(title, text)] = answers.messages
        assert title == "Cannot export personal data" and "choose another file" in text
    assert not holder.tasks and demo_db.path.read_bytes()[:100] == before[:100]
    with demo_db.session() as session:  # still a database, still holding the person
        assert session.get(Person, pid) is not None


def test_the_service_refuses_the_database_too(demo_db: Database) -> None:
    from delegations.services.subject_access import export_person
    from delegations.store.errors import OutputRefused

    with pytest.raises(OutputRefused, match="is the database in use"):
        export_person(demo_db, person_id(demo_db, "Delacroix"), demo_db.path)
