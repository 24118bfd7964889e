"""Sending attendees' messages through an SMTP server, resumably.

``send_messages`` sends ``(key, EmailMessage)`` pairs over one SMTP connection
and records each message the server accepted in a send log (JSON, written
atomically after every message, usually ``FOLDER/.sent.json`` beside the pack).
A later call with the same log sends only what is not recorded there, so a
failure at the 17th attendee is resumed by calling again: each message the
server accepted is sent once.

A message is known by its key (the attendee's stable id) and its Message-ID: a
new message for the same attendee (another Message-ID) is sent again, the same
one never. Builders must therefore give a message the same Message-ID when they
build it again for the same content; a message without one gets a Message-ID
derived from its key and content.

The SMTP password lives in the system keyring only (``store_password``), under
the service ``KEYRING_SERVICE`` and the user name ``user@host``. It never
appears in a message, an exception or a log.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import getaddresses, parseaddr
from enum import StrEnum
from pathlib import Path
from typing import Any

from delegations.files import OutputError, atomic_write
from delegations.services.errors import ServiceError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Delegations SMTP"
SEND_LOG_NAME = ".sent.json"
LOG_VERSION = 1
DEFAULT_TIMEOUT = 30.0
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "localhost.localdomain"})

Progress = Callable[[int, int], None]


class Security(StrEnum):
    """How the connection to the SMTP server is protected."""

    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"

    @property
    def default_port(self) -> int:
        return {Security.STARTTLS: 587, Security.TLS: 465, Security.NONE: 25}[self]


class SendError(ServiceError):
    """Sending stopped; the message is one line for the user, without the password
    or anyone's data.

    Attributes:
        report: what was sent before it stopped (None when nothing was tried).
    """

    def __init__(self, message: str, report: SendReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class KeyringUnavailable(ServiceError):
    """This system has no keyring: the password cannot be stored."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send (the password is not part of it).

    Attributes:
        host: the SMTP server's name or address.
        port: its port (587 for STARTTLS, 465 for TLS, 25 for none).
        security: STARTTLS, TLS, or none (allowed for a server on this computer only).
        user: the account to log in with; empty: no login.
        sender: an optional "From" that replaces the messages' own (the address
            the server lets this account send as); the original From becomes Reply-To.
        timeout: seconds to wait for the server at each step.
    """

    host: str
    port: int = 587
    security: Security = Security.STARTTLS
    user: str = ""
    sender: str = ""
    timeout: float = DEFAULT_TIMEOUT

    @property
    def keyring_user(self) -> str:
        """The keyring's user name for this account: ``user@host``."""
        return f"{self.user}@{self.host}"

    @property
    def is_local(self) -> bool:
        return self.host.strip().lower() in LOCAL_HOSTS

    def problems(self) -> dict[str, str]:
        """Field → what is wrong; empty when the settings can be used."""
        found: dict[str, str] = {}
        host = self.host.strip()
        if not host:
            found["host"] = "the SMTP server is missing"
        elif any(c.isspace() for c in host) or "/" in host:
            found["host"] = "the SMTP server must be a host name or address"
        if not 0 < self.port < 65536:
            found["port"] = "the port must be between 1 and 65535"
        if self.security is Security.NONE and host and not self.is_local:
            found["security"] = (
                "sending without encryption is allowed only to a server on this computer "
                "(localhost); choose STARTTLS or TLS"
            )
        if self.sender and "@" not in parseaddr(self.sender)[1]:
            found["sender"] = "the From address is not an e-mail address"
        if self.timeout <= 0:
            found["timeout"] = "the timeout must be positive"
        return found

    def check(self) -> None:
        """Raise ``SendError`` naming the first wrong field."""
        problems = self.problems()
        if problems:
            name, text = next(iter(problems.items()))
            raise SendError(f"SMTP settings, {name}: {text}")


@dataclass
class SendReport:
    """What one call of ``send_messages`` did.

    Attributes:
        total: how many messages were given.
        sent: keys sent by this call, in order.
        already_sent: keys skipped because the log says they were sent before.
        unconfirmed: keys whose message went out but whose acceptance the server
            never confirmed (the connection dropped right after it); they are not
            sent again unless asked (``resend_unconfirmed``).
        remaining: keys not sent (after a failure or Cancel).
        cancelled: the user stopped it.
        reason: why it stopped early, one line (None when it did not).
    """

    total: int = 0
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    cancelled: bool = False
    reason: str | None = None

    @property
    def complete(self) -> bool:
        """Every message was sent (by this call or before)."""
        return not self.remaining and not self.unconfirmed

    def summary(self) -> str:
        """One line: how many were sent, skipped, and left."""
        parts = [f"{len(self.sent)} of {self.total} messages sent"]
        if self.already_sent:
            parts.append(f"{len(self.already_sent)} already sent before")
        if self.unconfirmed:
            keys = ", ".join(self.unconfirmed)
            parts.append(f"{len(self.unconfirmed)} not confirmed by the server ({keys})")
        if self.remaining:
            parts.append(f"{len(self.remaining)} not sent yet")
        text = "; ".join(parts)
        if self.cancelled:
            text += " (cancelled)"
        return text


# ---------------------------------------------------------------------------
# the keyring


def keyring_available() -> bool:
    """Whether this system has a keyring the password can be kept in."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        return False
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    chained = getattr(backend, "backends", None)
    return chained is None or bool(chained)


NO_KEYRING = (
    "This system has no keyring (such as GNOME Keyring, KWallet, macOS Keychain or the "
    "Windows Credential Manager): the password is not stored, and Delegations asks for "
    "it each time it sends."
)


def stored_password(settings: SmtpSettings) -> str | None:
    """The password kept in the keyring for this account, if any (None without a keyring)."""
    if not settings.user or not keyring_available():
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, settings.keyring_user)
    except KeyringError as exc:
        log.warning("keyring read failed: %s", type(exc).__name__)
        return None


def store_password(settings: SmtpSettings, password: str) -> None:
    """Keep ``password`` in the system keyring for this account ("" forgets it).

    Raises:
        KeyringUnavailable: no keyring, or the keyring refused (locked, denied).
    """
    if not keyring_available():
        raise KeyringUnavailable(NO_KEYRING)
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        if password:
            keyring.set_password(KEYRING_SERVICE, settings.keyring_user, password)
        else:
            with contextlib.suppress(PasswordDeleteError):
                keyring.delete_password(KEYRING_SERVICE, settings.keyring_user)
    except KeyringError as exc:
        raise KeyringUnavailable(
            f"The system keyring did not keep the password ({type(exc).__name__}); "
            "Delegations will ask for it when it sends."
        ) from None


# ---------------------------------------------------------------------------
# the send log


def send_log_path(folder: Path) -> Path:
    """The send log of a pack written to ``folder``."""
    return Path(folder) / SEND_LOG_NAME


def _read_log(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SendError(f"Cannot read the send log {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
        messages = data["messages"]
        if data.get("version") != LOG_VERSION or not isinstance(messages, dict):
            raise ValueError("unknown version")
        for entries in messages.values():
            if not isinstance(entries, dict) or not all(
                isinstance(v, dict) for v in entries.values()
            ):
                raise ValueError("bad entry")
    except (ValueError, KeyError, TypeError):
        raise SendError(
            f"The send log {path} is damaged; nothing was sent. Move it aside only if you "
            "are sure which messages went out: without it every message is sent again."
        ) from None
    return messages


def _write_log(path: Path, messages: dict[str, dict[str, dict[str, str]]]) -> None:
    with atomic_write(path, "w", private=True) as handle:
        json.dump({"version": LOG_VERSION, "messages": messages}, handle, indent=1)


def message_id(key: str, message: EmailMessage) -> str:
    """The message's Message-ID; one derived from key and content when it has none."""
    existing = message.get("Message-ID")
    if existing:
        return str(existing).strip()
    digest = hashlib.sha256(key.encode() + b"\0" + message.as_bytes()).hexdigest()[:32]
    return f"<{digest}@delegations.invalid>"


# ---------------------------------------------------------------------------
# sending


def send_messages(
    messages: Iterable[tuple[str, EmailMessage]],
    settings: SmtpSettings,
    password: str | None,
    *,
    log_path: Path,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    resend_unconfirmed: bool = False,
    ssl_context: ssl.SSLContext | None = None,
) -> SendReport:
    """Send every message not yet in the send log, over one SMTP connection.

    Args:
        messages: ``(key, message)`` pairs; the key is the attendee's stable id
            (a participation's UUID), used in the log and in error messages.
        settings: the server.
        password: the account's password (``stored_password`` or asked); None or
            "" logs in without one only when ``settings.user`` is empty.
        log_path: the send log (``send_log_path(folder)``); created if missing.
        progress: ``progress(done, total)`` after each message (skipped ones count
            as done). It may raise to stop (the window's Cancel): what was sent is
            in the log.
        cancelled: asked before each message; True stops and returns the report.
        resend_unconfirmed: send again the messages whose acceptance was never
            confirmed by a previous call (see ``SendReport.unconfirmed``).
        ssl_context: the TLS context (tests pass one trusting their own certificate).

    Returns:
        What was sent; ``report.cancelled`` when ``cancelled()`` said so.

    Raises:
        SendError: settings wrong, server unreachable, login refused, connection
            dropped, TLS error, timeout. Its message is one line; its ``report``
            says which messages were sent before it stopped. What was accepted is
            in the log, and the next call sends only the rest.
    """
    settings.check()
    items = [(str(key), message) for key, message in messages]
    keys = [key for key, _ in items]
    if len(set(keys)) != len(keys):
        raise SendError("Two messages have the same key; nothing was sent.")
    sent_log = _read_log(Path(log_path))
    report = SendReport(total=len(items))
    todo: list[tuple[str, str, EmailMessage]] = []
    for key, message in items:
        mid = message_id(key, message)
        state = sent_log.get(key, {}).get(mid, {}).get("state")
        if state == "sent":
            report.already_sent.append(key)
        elif state == "unconfirmed" and not resend_unconfirmed:
            report.unconfirmed.append(key)
        else:
            todo.append((key, mid, message))
    report.remaining = [key for key, _, _ in todo]
    done = report.total - len(todo)
    if progress is not None:
        progress(done, report.total)
    if not todo:
        return report

    def record(key: str, mid: str, state: str) -> None:
        entry = {"state": state, "at": datetime.now(UTC).isoformat(timespec="seconds")}
        sent_log.setdefault(key, {})[mid] = entry
        _write_log(Path(log_path), sent_log)

    client: _Client | None = None
    current = ""
    try:
        client = _connect(settings, password, ssl_context)
        reconnected = False
        for key, mid, message in todo:
            if cancelled is not None and cancelled():
                report.cancelled = True
                break
            current = key
            sender, recipients, payload = _prepare(key, mid, message, settings)
            for attempt in (1, 2):
                assert client is not None
                try:
                    _transmit(client, sender, recipients, payload)
                    break
                except _DroppedBeforeBody:
                    # Nothing of this message reached the server: reconnect once, retry.
                    _quietly_close(client)
                    client = None
                    if attempt == 2 or reconnected:
                        raise smtplib.SMTPServerDisconnected("dropped") from None
                    reconnected = True
                    client = _connect(settings, password, ssl_context)
                except _DroppedAfterBody:
                    record(key, mid, "unconfirmed")
                    report.remaining.remove(key)
                    report.unconfirmed.append(key)
                    raise smtplib.SMTPServerDisconnected("dropped after a message") from None
            record(key, mid, "sent")
            report.sent.append(key)
            report.remaining.remove(key)
            done += 1
            log.info("sent message %s (%d of %d)", key, done, report.total)
            if progress is not None:
                progress(done, report.total)
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        if isinstance(exc, OutputError):  # the log could not be written
            report.reason = f"cannot write the send log: {exc}"
        else:
            report.reason = _reason(exc, settings, current)
        log.warning("sending stopped: %s", report.reason)
        raise SendError(_failure_line(report), report) from None
    except SendError as exc:
        exc.report = report
        raise
    finally:
        if client is not None:
            _quietly_quit(client)
    return report


def check_connection(
    settings: SmtpSettings, password: str | None, *, ssl_context: ssl.SSLContext | None = None
) -> str:
    """Connect, secure the connection, log in and leave; what worked, in one line.

    Raises:
        SendError: the reason it did not work, one line.
    """
    settings.check()
    try:
        client = _connect(settings, password, ssl_context)
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        raise SendError(f"Connection test failed: {_reason(exc, settings, '')}") from None
    _quietly_quit(client)
    how = {Security.STARTTLS: "STARTTLS", Security.TLS: "TLS", Security.NONE: "no encryption"}
    login = ", logged in" if settings.user else ", no login"
    return f"Connected to {settings.host}:{settings.port} ({how[settings.security]}{login})."


class _DroppedBeforeBody(Exception):
    """The connection closed before any of the message was sent."""


class _DroppedAfterBody(Exception):
    """The connection closed after the whole message was sent, before the server's answer."""


class _Client(smtplib.SMTP):
    """An SMTP client that tells whether a message's body had been sent when it failed."""

    body_sent = False
    auth_refused = False

    def auth(
        self, mechanism: str, authobject: Any, *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        """Like smtplib's, but a non-ASCII user or password is sent as UTF-8 (RFC 4616)
        rather than failing with an error that would carry the password."""
        mechanism = mechanism.upper()
        initial = authobject() if initial_response_ok else None
        if initial is not None:
            encoded = base64.b64encode(initial.encode("utf-8")).decode("ascii")
            code, reply = self.docmd("AUTH", f"{mechanism} {encoded}")
        else:
            code, reply = self.docmd("AUTH", mechanism)
        for _ in range(5):
            if code != 334:
                break
            answer = authobject(base64.decodebytes(reply)).encode("utf-8")
            code, reply = self.docmd(base64.b64encode(answer).decode("ascii"))
        if code in (235, 503):
            return code, reply
        self.auth_refused = True
        raise smtplib.SMTPAuthenticationError(code, reply)

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.body_sent = False
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        body = re.sub(rb"(?m)^\.", b"..", msg)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        self.send(body + b".\r\n")
        self.body_sent = True
        code, reply = self.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return code, reply


class _ClientSSL(_Client, smtplib.SMTP_SSL):
    pass


def _connect(
    settings: SmtpSettings, password: str | None, context: ssl.SSLContext | None
) -> _Client:
    context = context or ssl.create_default_context()
    client: _Client
    if settings.security is Security.TLS:
        client = _ClientSSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = _Client(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.ehlo_or_helo_if_needed()
        if settings.security is Security.STARTTLS:
            client.starttls(context=context)
            client.ehlo()
        if settings.user:
            try:
                client.login(settings.user, password or "")
            except smtplib.SMTPServerDisconnected:
                # Some servers hang up after a refused login (smtplib tries each method).
                if client.auth_refused:
                    raise smtplib.SMTPAuthenticationError(535, b"refused") from None
                raise
    except BaseException:
        _quietly_close(client)
        raise
    return client


def _prepare(
    key: str, mid: str, message: EmailMessage, settings: SmtpSettings
) -> tuple[str, list[str], bytes]:
    """Envelope sender, recipients and the bytes to send (Bcc removed)."""
    out = copy.copy(message)
    if not out.get("Message-ID"):
        out["Message-ID"] = mid
    if settings.sender:
        original = out.get("From")
        del out["From"]
        out["From"] = settings.sender
        if original and not out.get("Reply-To"):
            out["Reply-To"] = original
    sender = parseaddr(str(out.get("From", "")))[1]
    if not sender:
        raise SendError(f"The message for {key} has no From address; nothing more was sent.")
    recipients = [
        address
        for _, address in getaddresses(
            [str(v) for h in ("To", "Cc", "Bcc") for v in out.get_all(h, [])]
        )
        if address
    ]
    if not recipients:
        raise SendError(f"The message for {key} has no recipient; nothing more was sent.")
    del out["Bcc"]
    del out["Resent-Bcc"]
    return sender, recipients, out.as_bytes(policy=SMTP_POLICY)


def _transmit(client: _Client, sender: str, recipients: Sequence[str], payload: bytes) -> None:
    client.body_sent = False
    try:
        options = ["SMTPUTF8"] if not payload.isascii() and client.has_extn("smtputf8") else []
        code, reply = client.mail(sender, options)
        if code == 421:
            raise smtplib.SMTPServerDisconnected("closing")
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, "")
        refused = 0
        for address in recipients:
            code, reply = client.rcpt(address)
            if code not in (250, 251):
                refused += 1
        if refused:
            client.rset()
            raise smtplib.SMTPRecipientsRefused({})
        client.data(payload)
    except smtplib.SMTPServerDisconnected:
        raise (_DroppedAfterBody if client.body_sent else _DroppedBeforeBody)() from None
    except ConnectionError:
        raise (_DroppedAfterBody if client.body_sent else _DroppedBeforeBody)() from None


def _reason(exc: BaseException, settings: SmtpSettings, key: str) -> str:
    """One line on why, naming the server and the attendee's key, never a password."""
    where = f"{settings.host}:{settings.port}"
    at = f" while sending the message for {key}" if key else ""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the server {where} refused the user name or password (authentication failed)"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if settings.security is Security.STARTTLS:
            return f"the server {where} does not offer STARTTLS; choose TLS or another port"
        return f"the server {where} does not offer login (AUTH); leave the user empty"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc):
        return f"no answer from {where} within {settings.timeout:g} s (timeout){at}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the server {where} closed the connection{at} (dropped midway)"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"the server {where} refused a recipient{at}; check that attendee's e-mail"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"the server {where} refused the From address (code {exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server {where} answered with error {exc.smtp_code}{at}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS error with {where}: its certificate cannot be trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error with {where} ({exc.reason or 'handshake failed'}); check the security and port"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"no answer from {where} within {settings.timeout:g} s (timeout){at}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where}; check the server and port"
    if isinstance(exc, socket.gaierror):
        return f"the server {settings.host} cannot be found; check its name"
    if isinstance(exc, ConnectionError):
        return f"the connection to {where} was lost{at} (dropped midway)"
    if isinstance(exc, OSError):
        return f"network error with {where}: {exc.strerror or type(exc).__name__}{at}"
    return f"{type(exc).__name__} with {where}{at}"


def _failure_line(report: SendReport) -> str:
    return (
        f"Sending stopped: {report.reason}. {report.summary()}; send again to send only the rest."
    )


def _quietly_quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        _quietly_close(client)


def _quietly_close(client: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        client.close()
