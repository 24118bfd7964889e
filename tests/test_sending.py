"""Sending packs by SMTP to a real server started here (aiosmtpd on 127.0.0.1).

Every message the server accepted is sent once, across failures and resumption;
the password stays in the (in-memory) keyring and out of errors and logs.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail

from delegations.services import sending
from delegations.services.sending import (
    Security,
    SendError,
    SmtpSettings,
    send_log_path,
    send_messages,
)
from mail_support import (
    MemoryKeyring,
    Recorder,
    free_port,
    installed_keyring,
    local_smtp_server,
)

USER = "officer@example.org"
PASSWORD = "s3cr3t-Pässwörd!"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    """A real SMTP server on 127.0.0.1 requiring AUTH (no TLS), and its handler."""
    handler = Recorder()
    with local_smtp_server(handler, login=(USER, PASSWORD)) as port:
        yield handler, port


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        yield backend


def settings_for(port: int = 25, **changes: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": Security.NONE,
        "user": USER,
        "timeout": 5.0,
    }
    values.update(changes)
    return SmtpSettings(**values)


def make_messages(count: int) -> list[tuple[str, EmailMessage]]:
    messages = []
    for n in range(count):
        message = EmailMessage()
        message["From"] = "Léa Officer <lea@example.org>"
        message["To"] = f"Attendée {n} <attendee{n}@example.org>"
        message["Subject"] = f"Votre programme — Barcelone ({n})"
        message["Message-ID"] = f"<pack-{n}@delegations.test>"
        message.set_content(f"Bonjour,\n.\nvoici votre programme {n}.\n")
        message.add_attachment(
            b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            maintype="text",
            subtype="calendar",
            filename="visit.ics",
            params={"method": "PUBLISH"},
        )
        messages.append((f"uuid-{n:04d}", message))
    return messages


def test_all_messages_are_sent_once_and_logged(
    smtp_server: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, port = smtp_server
    messages = make_messages(5)
    log_path = send_log_path(tmp_path)
    steps: list[tuple[int, int]] = []

    report = send_messages(
        messages,
        settings_for(port),
        PASSWORD,
        log_path=log_path,
        progress=lambda d, t: steps.append((d, t)),
    )

    assert report.complete and report.sent == [k for k, _ in messages]
    assert handler.message_ids() == [f"<pack-{n}@delegations.test>" for n in range(5)]
    assert steps[0] == (0, 5) and steps[-1] == (5, 5)
    received = message_from_bytes(handler.received[0], policy=default_policy)
    assert received["Subject"] == "Votre programme — Barcelone (0)"
    assert "voici votre programme 0" in received.get_body().get_content()  # type: ignore[union-attr]
    assert [p.get_content_type() for p in received.iter_attachments()] == ["text/calendar"]
    logged = json.loads(log_path.read_text())
    assert set(logged["messages"]) == {k for k, _ in messages}
    assert oct(log_path.stat().st_mode & 0o777) == oct(0o600)

    again = send_messages(messages, settings_for(port), PASSWORD, log_path=log_path)
    assert again.sent == [] and len(again.already_sent) == 5
    assert len(handler.received) == 5


def test_a_new_message_for_the_same_attendee_is_sent(
    smtp_server: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, port = smtp_server
    messages = make_messages(2)
    send_messages(messages, settings_for(port), PASSWORD, log_path=tmp_path / ".sent.json")
    key, changed = messages[1]
    del changed["Message-ID"]
    changed["Message-ID"] = "<pack-1-update@delegations.test>"

    report = send_messages(messages, settings_for(port), PASSWORD, log_path=tmp_path / ".sent.json")

    assert report.sent == [key] and report.already_sent == [messages[0][0]]
    assert handler.message_ids()[-1] == "<pack-1-update@delegations.test>"


def test_authentication_failure_sends_nothing_and_hides_the_password(
    smtp_server: tuple[Recorder, int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = smtp_server
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-" + PASSWORD
    log_path = tmp_path / ".sent.json"

    with pytest.raises(SendError) as caught:
        send_messages(make_messages(3), settings_for(port), wrong, log_path=log_path)

    text = str(caught.value)
    assert "authentication failed" in text and "\n" not in text
    assert caught.value.report is not None
    assert caught.value.report.sent == [] and len(caught.value.report.remaining) == 3
    assert handler.received == []
    assert not log_path.exists()
    for secret in (wrong, PASSWORD):
        assert secret not in text and secret not in caplog.text
        assert secret not in repr(caught.value.__cause__) + repr(caught.value.__context__)


def test_connection_dropped_midway_then_resumed_sends_each_message_once(
    smtp_server: tuple[Recorder, int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = smtp_server
    caplog.set_level(logging.DEBUG)
    messages = make_messages(20)
    log_path = tmp_path / ".sent.json"
    handler.refuse_after = 16  # the 17th attendee's message meets a closed connection

    with pytest.raises(SendError) as caught:
        send_messages(messages, settings_for(port), PASSWORD, log_path=log_path)

    report = caught.value.report
    assert report is not None
    assert report.sent == [k for k, _ in messages[:16]]
    assert report.remaining == [k for k, _ in messages[16:]]
    text = str(caught.value)
    assert "16 of 20 messages sent" in text and "4 not sent yet" in text
    assert "dropped midway" in text and "uuid-0016" in text
    assert "\n" not in text and PASSWORD not in text and PASSWORD not in caplog.text
    assert "attendee16@" not in text and "Attendée" not in text
    assert len(handler.received) == 16

    handler.refuse_after = None
    resumed = send_messages(messages, settings_for(port), PASSWORD, log_path=log_path)

    assert resumed.sent == [k for k, _ in messages[16:]] and len(resumed.already_sent) == 16
    ids = handler.message_ids()
    assert sorted(ids) == sorted(f"<pack-{n}@delegations.test>" for n in range(20))
    assert len(ids) == len(set(ids)) == 20


def test_a_drop_between_messages_reconnects_once(
    smtp_server: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, port = smtp_server
    messages = make_messages(6)
    calls = {"n": 0}
    original = handler.handle_MAIL

    async def drop_once(server: Any, *args: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            server.transport.close()
            return "421 closing"
        return await original(server, *args)

    handler.handle_MAIL = drop_once  # type: ignore[method-assign]

    report = send_messages(messages, settings_for(port), PASSWORD, log_path=tmp_path / "l.json")

    assert report.complete and len(report.sent) == 6
    assert len(handler.received) == len(set(handler.message_ids())) == 6


def test_a_message_accepted_without_answer_is_never_sent_twice(
    smtp_server: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, port = smtp_server
    messages = make_messages(5)
    log_path = tmp_path / ".sent.json"
    handler.drop_after_data = 3

    with pytest.raises(SendError) as caught:
        send_messages(messages, settings_for(port), PASSWORD, log_path=log_path)

    report = caught.value.report
    assert report is not None and report.unconfirmed == ["uuid-0002"]
    assert "not confirmed" in str(caught.value)

    handler.drop_after_data = None
    resumed = send_messages(messages, settings_for(port), PASSWORD, log_path=log_path)

    assert resumed.sent == ["uuid-0003", "uuid-0004"] and resumed.unconfirmed == ["uuid-0002"]
    assert not resumed.complete
    ids = handler.message_ids()
    assert len(ids) == len(set(ids)) == 5


def test_cancel_stops_between_messages_and_keeps_what_was_sent(
    smtp_server: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, port = smtp_server
    messages = make_messages(4)

    report = send_messages(
        messages,
        settings_for(port),
        PASSWORD,
        log_path=tmp_path / ".sent.json",
        cancelled=lambda: len(handler.received) >= 2,
    )

    assert report.cancelled and report.sent == ["uuid-0000", "uuid-0001"]
    assert report.remaining == ["uuid-0002", "uuid-0003"]


def test_connection_refused_is_one_line(tmp_path: Path) -> None:
    settings = settings_for(free_port(), timeout=2.0)

    with pytest.raises(SendError, match=r"connection refused by 127\.0\.0\.1:\d+") as caught:
        send_messages(make_messages(1), settings, PASSWORD, log_path=tmp_path / ".sent.json")

    assert "\n" not in str(caught.value) and PASSWORD not in str(caught.value)


def test_timeout_is_named(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = settings_for(silent.getsockname()[1], timeout=0.5)
        with pytest.raises(SendError, match="timeout"):
            send_messages(make_messages(1), settings, PASSWORD, log_path=tmp_path / "l.json")


def test_tls_against_a_plain_server_is_a_tls_error(
    smtp_server: tuple[Recorder, int], tmp_path: Path
) -> None:
    _, port = smtp_server
    settings = settings_for(port, security=Security.TLS, host="localhost")

    with pytest.raises(SendError, match="TLS error") as caught:
        send_messages(make_messages(1), settings, PASSWORD, log_path=tmp_path / "l.json")

    assert "\n" not in str(caught.value)


def test_starttls_missing_is_named(smtp_server: tuple[Recorder, int], tmp_path: Path) -> None:
    _, port = smtp_server
    settings = settings_for(port, security=Security.STARTTLS)

    with pytest.raises(SendError, match="does not offer STARTTLS"):
        send_messages(make_messages(1), settings, PASSWORD, log_path=tmp_path / "l.json")


def test_a_damaged_log_refuses_rather_than_sending_again(
    smtp_server: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, port = smtp_server
    log_path = tmp_path / ".sent.json"
    log_path.write_text("{not json")

    with pytest.raises(SendError, match="damaged"):
        send_messages(make_messages(2), settings_for(port), PASSWORD, log_path=log_path)

    assert handler.received == []


def test_from_override_keeps_the_original_as_reply_to(
    smtp_server: tuple[Recorder, int], tmp_path: Path
) -> None:
    handler, port = smtp_server
    settings = settings_for(port, sender="Delegations <mailer@example.org>")

    send_messages(make_messages(1), settings, PASSWORD, log_path=tmp_path / "l.json")

    received = message_from_bytes(handler.received[0], policy=default_policy)
    assert received["From"] == "Delegations <mailer@example.org>"
    assert received["Reply-To"] == "Léa Officer <lea@example.org>"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"host": ""}, "host"),
        ({"host": "smtp.example.org", "security": Security.NONE}, "security"),
        ({"port": 0}, "port"),
        ({"sender": "not an address"}, "sender"),
    ],
)
def test_settings_problems_name_the_field(changes: dict[str, Any], field: str) -> None:
    settings = settings_for(**{"port": 587, **changes})

    assert field in settings.problems()
    with pytest.raises(SendError, match=f"SMTP settings, {field}"):
        settings.check()


def test_no_keyring_is_said_and_nothing_is_stored() -> None:
    with installed_keyring(fail.Keyring()):
        assert not sending.keyring_available()
        assert sending.stored_password(settings_for(25)) is None
        with pytest.raises(sending.KeyringUnavailable, match="no keyring"):
            sending.store_password(settings_for(25), PASSWORD)


def test_password_lives_in_the_keyring_only(memory_keyring: MemoryKeyring) -> None:
    settings = settings_for(25)

    sending.store_password(settings, PASSWORD)

    assert memory_keyring.passwords == {("Delegations SMTP", f"{USER}@127.0.0.1"): PASSWORD}
    assert sending.stored_password(settings) == PASSWORD
    sending.store_password(settings, "")
    assert sending.stored_password(settings) is None


def test_connection_test_says_what_worked(smtp_server: tuple[Recorder, int]) -> None:
    _, port = smtp_server

    assert "logged in" in sending.check_connection(settings_for(port), PASSWORD)
    with pytest.raises(SendError, match="authentication failed"):
        sending.check_connection(settings_for(port), "nope")
