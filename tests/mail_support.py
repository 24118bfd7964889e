"""Stand-ins for sending e-mail, shared by the tests that send or set up sending: real
SMTP servers on 127.0.0.1 (aiosmtpd) and an in-memory keyring."""

from __future__ import annotations

import socket
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any, TypeVar

import keyring
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from keyring.backend import KeyringBackend

Backend = TypeVar("Backend", bound=KeyringBackend)


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict (this machine has none)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@contextmanager
def installed_keyring(backend: Backend) -> Iterator[Backend]:
    """``backend`` as the keyring while the block runs; the previous one afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class Recorder:
    """An aiosmtpd handler that keeps what it received and can drop the connection.

    Attributes:
        received: every message accepted, as bytes.
        refuse_after: once this many were received, close the connection at MAIL.
        drop_after_data: close the connection after receiving message N, without
            answering (the client cannot know it was accepted).
    """

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.refuse_after: int | None = None
        self.drop_after_data: int | None = None

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_after is not None and len(self.received) >= self.refuse_after:
            server.transport.close()
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.original_content or envelope.content)
        if self.drop_after_data is not None and len(self.received) == self.drop_after_data:
            server.transport.close()
        return "250 Message accepted"

    def recipients(self) -> Counter[str]:
        """How many messages each ``To`` received."""
        return Counter(
            str(message_from_bytes(raw, policy=default_policy)["To"]) for raw in self.received
        )

    def message_ids(self) -> list[str]:
        return [
            str(message_from_bytes(raw, policy=default_policy)["Message-ID"])
            for raw in self.received
        ]


def login_check(user: str, password: str) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator accepting ``user`` with ``password`` only."""

    def check(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on (when this returns)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_smtp_server(handler: Any, login: tuple[str, str] | None = None) -> Iterator[int]:
    """A real SMTP server on 127.0.0.1 without TLS, answered by ``handler``, while the
    block runs; yields its port. With ``login`` (user, password) it requires AUTH with
    them, and aiosmtpd's warning about AUTH without TLS is ignored meanwhile."""
    port = free_port()
    auth: dict[str, Any] = {}
    if login is not None:
        auth = {
            "authenticator": login_check(*login),
            "auth_require_tls": False,
            "auth_required": True,
        }
    controller = Controller(handler, hostname="127.0.0.1", port=port, **auth)
    with warnings.catch_warnings():
        # Connections are served on the server's thread: the filter must stay for as
        # long as the server runs, not only while it starts.
        warnings.filterwarnings(
            "ignore", "Requiring AUTH while not requiring TLS", UserWarning, "aiosmtpd"
        )
        controller.start()
        try:
            yield port
        finally:
            controller.stop()
