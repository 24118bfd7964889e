"""The Packs tab: changes since last sent, attendee packs written, packs sent by e-mail.

Sending goes to a real SMTP server started here (aiosmtpd on 127.0.0.1); the password
lives in an in-memory keyring installed for each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from delegations.services import operations as ops
from delegations.services import publications, sending
from delegations.services.sending import Security, SmtpSettings
from delegations.ui.main_window import MainWindow
from delegations.ui.pack_page import NEVER, NO_EMAIL, PackPage
from delegations.ui.settings import Settings
from mail_support import MemoryKeyring, Recorder, installed_keyring, local_smtp_server

USER = "officer@example.org"
PASSWORD = "pässwörd-for-tests"
CONFIRMED = 9
"""Confirmed attendees of the demo delegation (all with an e-mail address)."""
FASHION_B2B = 6
"""The demo's "B2B meetings: fashion and design", for some of the attendees only."""


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend


@dataclass
class Mail:
    """The test's SMTP server (requiring ``USER`` and ``PASSWORD``) and keyring."""

    handler: Recorder
    port: int
    keyring: MemoryKeyring

    def use(self, packs: PackPage, with_password: bool = True) -> SmtpSettings:
        """Sending set up in Preferences (the test's settings file) to this server, the
        password in the keyring when ``with_password``."""
        settings = SmtpSettings(host="127.0.0.1", port=self.port, security=Security.NONE, user=USER)
        Settings().set_smtp(settings)
        if with_password:
            self.keyring.set_password(sending.KEYRING_SERVICE, settings.keyring_user, PASSWORD)
        packs._update_buttons()
        return settings


@pytest.fixture
def mail(memory_keyring: MemoryKeyring) -> Iterator[Mail]:
    handler = Recorder()
    with local_smtp_server(handler, login=(USER, PASSWORD)) as port:
        yield Mail(handler, port, memory_keyring)


@pytest.fixture
def packs(main_window: MainWindow) -> PackPage:
    """The demo delegation's Packs tab, shown."""
    main_window.open_delegation(main_window.pages["delegation"].model.id_at(0))
    main_window.show_page("packs")
    page = main_window.workspace.packs
    assert page.isVisible()
    return page


def column(packs: PackPage, c: int) -> dict[str, str]:
    """Attendee name → the text of column ``c``."""
    table = packs.table
    return {table.item(r, 0).text(): table.item(r, c).text() for r in range(table.rowCount())}


def wait_idle(qtbot: Any, packs: PackPage) -> None:
    qtbot.waitUntil(lambda: not packs.busy(), timeout=120000)


def published_count(main_window: MainWindow) -> int:
    with main_window.db.session() as session:
        delegation_id = main_window.workspace.delegation_id
        assert delegation_id is not None
        people = [row.person_id for row in main_window.workspace.packs.rows]
        got = publications.received(session, delegation_id, people)
    return sum(1 for r in got.values() if r.published_at is not None)


def test_the_tab_lists_confirmed_attendees_never_sent(packs: PackPage) -> None:
    workspace = packs.parent()
    while workspace is not None and not hasattr(workspace, "tabs"):
        workspace = workspace.parent()
    assert workspace is not None
    texts = [workspace.tabs.tabText(i) for i in range(workspace.tabs.count())]
    assert "&Packs" in texts

    assert packs.table.rowCount() == CONFIRMED
    assert set(column(packs, 2).values()) == {NEVER}
    assert set(column(packs, 3).values()) == {"nothing sent yet"}
    emails = column(packs, 1)
    assert emails["Julien Caron"] == "julien.caron@interpretes.example"
    assert "Nathalie Roussel" not in emails  # declined
    assert not packs.send_button.isVisible() and packs.setup_button.isVisible()


def test_writing_packs_records_them_and_later_changes_show(
    qtbot: Any, main_window: MainWindow, packs: PackPage, tmp_path: Path
) -> None:
    out = tmp_path / "packs"
    packs.folder.setText(str(out))
    qtbot.mouseClick(packs.write_button, Qt.MouseButton.LeftButton)
    assert packs.busy() and packs.cancel_button.isVisible()
    wait_idle(qtbot, packs)

    assert packs.status.text().startswith(f"Wrote {CONFIRMED} attendee packs in {out}")
    assert packs.open_folder_button.isVisible()
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert len(folders) == CONFIRMED and "Julien Caron" in folders
    assert sorted(f.name for f in (out / "Julien Caron").iterdir()) == [
        "Julien Caron calendar.ics",
        "Julien Caron itinerary.pdf",
    ]
    assert len(list(out.glob("*.eml"))) == CONFIRMED  # drafts are on by default
    assert published_count(main_window) == CONFIRMED
    assert not main_window.runner.history.can_undo()  # never on the undo stack

    # a second visit: last sent, and no changes
    main_window.show_page("overview")
    main_window.show_page("packs")
    assert NEVER not in column(packs, 2).values()
    assert set(column(packs, 3).values()) == {"no changes"}

    # renaming an item shows the change for the attendees concerned only
    delegation = main_window.workspace.delegation
    assert delegation is not None
    item = next(i for i in delegation.items if i.id == FASHION_B2B)
    concerned = {p.person.full_name for p in delegation.participations if item.concerns(p)}
    assert "Zoé Lefèvre" in concerned and "Julien Caron" not in concerned
    main_window.runner.run(ops.update_item(FASHION_B2B, {"title": "Fashion and design B2B"}))
    changes = column(packs, 3)
    for name, text in changes.items():
        if name in concerned:
            assert text.startswith("1 change: Changed:"), text
            assert "Fashion and design B2B" in text
        else:
            assert text == "no changes", name
    packs.select_ids([next(r.person_id for r in packs.rows if r.name == "Zoé Lefèvre")])
    assert "now called “Fashion and design B2B”" in packs.details.toPlainText()
    row = next(
        r for r in range(packs.table.rowCount()) if packs.table.item(r, 0).text() == "Zoé Lefèvre"
    )
    assert "Fashion and design B2B" in packs.table.item(row, 3).toolTip()


def test_only_the_selected_rows_get_packs(
    qtbot: Any, packs: PackPage, tmp_path: Path, main_window: MainWindow
) -> None:
    out = tmp_path / "two"
    packs.folder.setText(str(out))
    packs.eml.setChecked(False)
    packs.zip.setChecked(True)
    chosen = [packs.rows[0].person_id, packs.rows[1].person_id]
    packs.select_ids(chosen)
    packs.selected.setChecked(True)
    assert packs.selected.text() == "Only the selected &rows (2)"

    packs.start_writing()
    wait_idle(qtbot, packs)

    assert sorted(p.name for p in out.glob("*.zip")) == sorted(
        f"{r.name}.zip" for r in packs.rows[:2]
    )
    assert not list(out.glob("*.eml"))
    assert published_count(main_window) == 2
    assert sum(1 for text in column(packs, 2).values() if text != NEVER) == 2


def test_cancel_during_writing_leaves_only_complete_packs(
    qtbot: Any, main_window: MainWindow, packs: PackPage, tmp_path: Path
) -> None:
    out = tmp_path / "cancelled"
    packs.folder.setText(str(out))
    packs.start_writing()
    task = packs.task
    assert task is not None
    # Cancel from the worker itself once the third step starts: deterministic.
    task.progressed.connect(
        lambda done, _total: task.cancel() if done >= 3 else None,
        Qt.ConnectionType.DirectConnection,
    )
    wait_idle(qtbot, packs)

    assert packs.status.text().startswith("Cancelled:"), packs.status.text()
    written = [p for p in out.iterdir() if p.is_dir()]
    assert 0 < len(written) < CONFIRMED
    for folder in written:
        assert len(list(folder.iterdir())) == 2, folder  # itinerary and calendar
    assert not list(out.glob(".pack-*"))  # no staging left
    assert len(list(out.glob("*.eml"))) == len(written)
    assert published_count(main_window) == len(written)
    assert sum(1 for text in column(packs, 2).values() if text != NEVER) == len(written)


def test_a_folder_that_is_the_database_is_refused(
    qtbot: Any, main_window: MainWindow, packs: PackPage
) -> None:
    packs.folder.setText(str(main_window.db.path))
    packs.start_writing()

    assert not packs.busy()
    assert "choose" in packs.status.text() and str(main_window.db.path) in packs.status.text()


def test_without_smtp_the_tab_offers_preferences(
    qtbot: Any, main_window: MainWindow, packs: PackPage
) -> None:
    assert packs.setup_button.isVisible() and not packs.send_button.isVisible()
    qtbot.mouseClick(packs.setup_button, Qt.MouseButton.LeftButton)
    dialog = main_window.preferences_dialog
    assert dialog is not None and dialog.isVisible()
    Settings().set_smtp(SmtpSettings(host="127.0.0.1", port=2525, security=Security.NONE))
    dialog.reject()
    qtbot.waitUntil(lambda: packs.send_button.isVisible())
    assert not packs.setup_button.isVisible()


def test_sending_delivers_one_message_per_attendee(
    qtbot: Any, main_window: MainWindow, packs: PackPage, tmp_path: Path, mail: Mail, answers: Any
) -> None:
    mail.use(packs)
    packs.folder.setText(str(tmp_path / "sent"))
    packs.eml.setChecked(False)  # sending writes the drafts anyway
    assert packs.send_button.isVisible() and packs.send_button.isEnabled()

    qtbot.mouseClick(packs.send_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, packs)

    title, question = answers.questions[-1]
    assert title == "Send the packs?"
    assert question.startswith(f"Send {CONFIRMED} e-mails to the attendees of “")
    assert packs.status.text() == f"Sent {CONFIRMED} messages.", packs.status.text()
    recipients = mail.handler.recipients()
    assert len(recipients) == CONFIRMED and set(recipients.values()) == {1}
    assert published_count(main_window) == CONFIRMED
    assert PASSWORD not in packs.status.text()


def test_a_dropped_connection_leads_to_send_the_rest_once_each(
    qtbot: Any, main_window: MainWindow, packs: PackPage, tmp_path: Path, mail: Mail
) -> None:
    mail.use(packs)
    out = tmp_path / "dropped"
    packs.folder.setText(str(out))
    mail.handler.refuse_after = 4

    packs.start_sending()
    wait_idle(qtbot, packs)

    assert len(mail.handler.received) == 4
    remaining = CONFIRMED - 4
    assert "closed the connection" in packs.status.text(), packs.status.text()
    assert packs.send_button.text() == f"&Send the rest ({remaining})"
    assert "4 of 9 messages sent" in packs.status.text()
    assert "Not sent yet: " in packs.status.text()
    assert published_count(main_window) == 4  # only those who received it
    assert sum(1 for text in column(packs, 2).values() if text != NEVER) == 4
    drafts = {p: p.stat().st_mtime_ns for p in out.glob("*.eml")}

    mail.handler.refuse_after = None
    packs.start_sending()
    wait_idle(qtbot, packs)

    assert packs.status.text().startswith(f"Sent {remaining} messages."), packs.status.text()
    assert packs.send_button.text() == "&Send by e-mail…"
    recipients = mail.handler.recipients()
    assert len(recipients) == CONFIRMED and set(recipients.values()) == {1}
    ids = mail.handler.message_ids()
    assert len(set(ids)) == CONFIRMED
    assert len({i.split(".")[0] for i in ids}) == 1  # one pack: the drafts were not rewritten
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.eml")} == drafts
    assert published_count(main_window) == CONFIRMED


def test_the_password_is_asked_and_remembered_in_the_keyring(
    qtbot: Any, packs: PackPage, tmp_path: Path, mail: Mail
) -> None:
    settings = mail.use(packs, with_password=False)
    asked: list[str] = []

    def ask(account: SmtpSettings) -> tuple[str, bool]:
        asked.append(account.keyring_user)
        return PASSWORD, True

    packs.ask_password = ask
    packs.folder.setText(str(tmp_path / "asked"))
    packs.start_sending()
    wait_idle(qtbot, packs)

    assert asked == [settings.keyring_user]
    assert mail.keyring.passwords == {(sending.KEYRING_SERVICE, settings.keyring_user): PASSWORD}
    assert len(mail.handler.received) == CONFIRMED


def test_an_attendee_without_email_is_warned_and_gets_no_message(
    qtbot: Any, main_window: MainWindow, packs: PackPage, tmp_path: Path, mail: Mail, answers: Any
) -> None:
    julien = next(r.person_id for r in packs.rows if r.name == "Julien Caron")
    main_window.runner.run(ops.update("person", julien, {"email": ""}))
    assert column(packs, 1)["Julien Caron"] == NO_EMAIL

    packs.folder.setText(str(tmp_path / "drafts"))
    packs.start_writing()
    wait_idle(qtbot, packs)
    assert "1 draft without a recipient" in packs.status.text()
    assert "Julien" not in packs.status.text()

    mail.use(packs)
    packs.start_sending()
    wait_idle(qtbot, packs)
    assert answers.questions[-1][1].startswith(f"Send {CONFIRMED - 1} e-mails")
    assert "1 attendee without an e-mail address get none" in answers.questions[-1][1]
    assert len(mail.handler.received) == CONFIRMED - 1


def test_the_tab_is_keyboard_reachable(packs: PackPage) -> None:
    mnemonics = {
        w.text().split("&")[1][0].lower()
        for w in (
            packs.browse,
            packs.zip,
            packs.eml,
            packs.organiser,
            packs.everyone,
            packs.selected,
            packs.write_button,
            packs.send_button,
            packs.setup_button,
            packs.open_folder_button,
        )
    }
    assert len(mnemonics) == 10
    assert not mnemonics & set("oadcxp")  # the workspace's tabs
    assert packs.write_button.isDefault()


def test_escape_cancels_the_running_pack(qtbot: Any, packs: PackPage, tmp_path: Path) -> None:
    packs.folder.setText(str(tmp_path / "escaped"))
    packs.table.setFocus()
    packs.start_writing()
    assert packs.busy()

    qtbot.keyClick(packs.table, Qt.Key.Key_Escape)

    assert packs.task is not None and packs.task.cancelled()
    wait_idle(qtbot, packs)
    assert packs.status.text().startswith("Cancelled:")


def test_a_plan_with_errors_asks_before_writing(
    qtbot: Any, packs: PackPage, answers: Any, tmp_path: Path
) -> None:
    from delegations.services.checks import Finding, Report, Severity

    assert packs.delegation_id is not None
    error = Finding("attendee.overlap", Severity.ERROR, "Zoé Lefèvre is in two places at 10:00")
    packs.set_report(Report(packs.delegation_id, [error]))
    out = tmp_path / "packs"
    packs.folder.setText(str(out))
    answers.yes = False
    qtbot.mouseClick(packs.write_button, Qt.MouseButton.LeftButton)
    assert not packs.busy() and not out.exists()
    assert answers.questions[-1][0] == "Plan has errors"
    assert (
        "1 error" in answers.questions[-1][1]
        and "Write the packs anyway?" in answers.questions[-1][1]
    )
    assert "fix the errors first" in packs.status.text()

    answers.yes = True
    qtbot.mouseClick(packs.write_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, packs)
    assert len([p for p in out.iterdir() if p.is_dir()]) == CONFIRMED


def test_someone_removed_is_counted_and_gets_a_final_calendar(
    qtbot: Any,
    main_window: MainWindow,
    packs: PackPage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime

    from delegations.workflows import packs as workflow

    # Before the demo visit (July 2027), whatever today's date.
    monkeypatch.setattr(workflow, "utc_now", lambda: datetime(2027, 5, 20, 8, tzinfo=UTC))
    packs.folder.setText(str(tmp_path / "one"))
    qtbot.mouseClick(packs.write_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, packs)
    delegation = main_window.workspace.delegation
    assert delegation is not None
    gone = next(p for p in delegation.participations if p.person.full_name == "Julien Caron")
    main_window.runner.run(ops.remove_attendees([gone.id]))
    assert "1 person no longer attending will get a final calendar" in packs.summary.text()

    out = tmp_path / "two"
    packs.folder.setText(str(out))
    qtbot.mouseClick(packs.write_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, packs)
    assert packs.status.text().startswith(
        f"Wrote {CONFIRMED - 1} attendee packs and 1 final calendar for people no longer attending"
    )
    assert sorted(p.name for p in (out / "Julien Caron").iterdir()) == ["Julien Caron calendar.ics"]
    calendar = (out / "Julien Caron" / "Julien Caron calendar.ics").read_text()
    assert "STATUS:CANCELLED" in calendar and "STATUS:CONFIRMED" not in calendar
    assert "no longer attending" not in packs.summary.text()  # owed nothing more
