"""The e-mail each attendee receives with their pack: a pure function of the model.

``attendee_message`` builds one RFC 5322 message (``email.message.EmailMessage``):
from the lead officer (when they agreed to data processing; else the sending
organisation: ``exports.consent``), to the attendee (their own address), a plain-text
body (greeting, dates, what is attached, the emergency contact), the personal
itinerary attached as ``application/pdf`` and the personal calendar as
``text/calendar; method=PUBLISH; charset=utf-8``. Written to a ``.eml`` file with
``X-Unsent: 1`` it opens in Outlook, Thunderbird and Apple Mail as a draft ready to
send; sent over SMTP (``draft=False``) it is the same message without that header.

Nothing here reads files or the network: the caller passes the attachments' bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from delegations.exports.ical import organizer
from delegations.exports.itinerary import date_span, emergency_text

if TYPE_CHECKING:
    from delegations.model import Delegation, Participation, Person

MESSAGE_DOMAIN = "delegations.invalid"
"""The domain of Message-IDs when the sender's address gives none."""


def pack_id(delegation: Delegation, at: datetime) -> str:
    """A short id that names one pack of ``delegation`` made at ``at`` (stable)."""
    seed = f"{delegation.uuid or delegation.id}|{at.astimezone(UTC).isoformat()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def message_id(pack: str, participation: Participation, sender: str) -> str:
    """``<pack-PACK.PARTICIPATION@DOMAIN>``: the same for the same pack and attendee."""
    return f"<pack-{pack}.{key_of(participation.uuid, participation.id)}@{_domain(sender)}>"


def key_of(uuid: str | None, record_id: int | None) -> str:
    return uuid or str(record_id)


def _domain(sender: str) -> str:
    domain = sender.rpartition("@")[2] or MESSAGE_DOMAIN
    if not all(c.isalnum() or c in ".-" for c in domain) or not domain.isascii():
        return MESSAGE_DOMAIN
    return domain


def _address(name: str, email: str) -> Address:
    user, _, domain = email.strip().rpartition("@")
    return Address(display_name=" ".join(name.split()), username=user, domain=domain)


def subject(delegation: Delegation) -> str:
    """``Your programme: TITLE (1–3 July 2027)``."""
    return f"Your programme: {delegation.title} ({date_span(delegation.start_date, delegation.end_date)})"


def body(
    delegation: Delegation,
    participation: Participation,
    *,
    attachments: Sequence[str],
    changes: Sequence[str] = (),
) -> str:
    """The plain-text body: greeting, what changed, dates, attachments, emergency contact."""
    person = participation.person
    sender = delegation.lead_officer
    place = ", ".join(p for p in (delegation.destination_city, delegation.destination_country) if p)
    lines = [f"Dear {person.given_name or person.full_name},", ""]
    if changes:
        lines.append("Since the last programme we sent you:")
        lines.extend(f"- {change}" for change in changes)
        lines.append("")
    where = f" in {place}" if place else ""
    lines.append(
        f"Please find your programme for {delegation.title}{where}, "
        f"{date_span(delegation.start_date, delegation.end_date)}."
    )
    lines.append("")
    lines.append("Attached:")
    lines.extend(f"- {name}" for name in attachments)
    lines.append("")
    lines.append(
        "Open the calendar file (.ics) to add your events to Outlook, Google, Apple "
        "Calendar or Thunderbird; a later file updates them."
    )
    emergency = emergency_text(delegation)
    if emergency:
        lines += ["", emergency]
    lines += ["", "Kind regards,"]
    if sender is not None:
        lines.append(sender.full_name)
    if delegation.sending_organisation is not None:
        lines.append(delegation.sending_organisation.name)
    return "\n".join(lines) + "\n"


def attendee_message(
    delegation: Delegation,
    participation: Participation,
    *,
    itinerary: bytes,
    itinerary_name: str,
    calendar: bytes,
    calendar_name: str,
    pack: str,
    at: datetime,
    changes: Sequence[str] = (),
    extra: Sequence[tuple[str, bytes]] = (),
    draft: bool = True,
) -> EmailMessage:
    """The message that carries ``participation``'s pack.

    Args:
        delegation: the loaded delegation.
        participation: the attendee (one of ``delegation.participations``).
        itinerary: the personal itinerary PDF's bytes, attached as ``itinerary_name``.
        calendar: the personal calendar's bytes, attached as ``calendar_name``.
        pack: the pack's id (``pack_id``): with the attendee, it makes the Message-ID,
            so the same pack gives the same message (a resumed send can tell).
        at: the Date header (aware).
        changes: sentences on what changed since the attendee's last pack; they open
            the body.
        extra: more PDF attachments (name, bytes), e.g. the "what changed" page.
        draft: add ``X-Unsent: 1`` (a ``.eml`` draft that mail programs open ready to
            send); False for a message sent as it is.

    Returns:
        The message; ``message.as_bytes(policy=email.policy.SMTP)`` is what to write or
        send. Without an e-mail address for the attendee it has no ``To`` (a draft the
        officer completes).
    """
    sender = organizer(delegation)
    person = participation.person
    message = EmailMessage(policy=default)
    message["From"] = _address(sender.name, sender.email)
    if (person.email or "").strip():
        message["To"] = _address(person.full_name, person.email)
    message["Subject"] = subject(delegation)
    message["Date"] = format_datetime(at.astimezone(UTC))
    message["Message-ID"] = message_id(pack, participation, sender.email)
    if draft:
        message["X-Unsent"] = "1"
    message.set_content(
        body(
            delegation,
            participation,
            attachments=(itinerary_name, calendar_name, *(name for name, _ in extra)),
            changes=changes,
        )
    )
    message.add_attachment(
        itinerary, maintype="application", subtype="pdf", filename=itinerary_name
    )
    message.add_attachment(
        calendar,
        maintype="text",
        subtype="calendar",
        filename=calendar_name,
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
    for name, data in extra:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message


def farewell_message(
    delegation: Delegation,
    person: Person,
    *,
    calendar: bytes,
    calendar_name: str,
    pack: str,
    at: datetime,
    changes: Sequence[str] = (),
    draft: bool = True,
) -> EmailMessage:
    """The message to someone who no longer attends (withdrawn, or removed from the
    delegation) carrying their final calendar, which cancels every event they were
    sent. Same sender, headers and Message-ID rule as ``attendee_message``."""
    sender = organizer(delegation)
    message = EmailMessage(policy=default)
    message["From"] = _address(sender.name, sender.email)
    if (person.email or "").strip():
        message["To"] = _address(person.full_name, person.email)
    span = date_span(delegation.start_date, delegation.end_date)
    message["Subject"] = f"Cancelled: your programme for {delegation.title} ({span})"
    message["Date"] = format_datetime(at.astimezone(UTC))
    message["Message-ID"] = (
        f"<pack-{pack}.{key_of(person.uuid, person.id)}@{_domain(sender.email)}>"
    )
    if draft:
        message["X-Unsent"] = "1"
    lines = [f"Dear {person.given_name or person.full_name},", ""]
    lines.append(
        f"You are no longer taking part in {delegation.title} ({span}), so the events we "
        "sent you are cancelled:"
    )
    lines.extend(f"- {change}" for change in changes)
    lines += [
        "",
        f"Open the attached calendar file ({calendar_name}) to remove them from Outlook, "
        "Google, Apple Calendar or Thunderbird.",
        "",
        "Kind regards,",
    ]
    if delegation.lead_officer is not None:
        lines.append(delegation.lead_officer.full_name)
    if delegation.sending_organisation is not None:
        lines.append(delegation.sending_organisation.name)
    message.set_content("\n".join(lines) + "\n")
    message.add_attachment(
        calendar,
        maintype="text",
        subtype="calendar",
        filename=calendar_name,
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
    return message


def message_bytes(message: EmailMessage) -> bytes:
    """The message as written to a ``.eml`` file or sent: CRLF lines, ASCII headers."""
    return message.as_bytes(policy=SMTP)


def message_key(message: EmailMessage) -> str | None:
    """The attendee's stable key in a pack's message (from its Message-ID), or None
    for a message that is not one of ours."""
    found = _KEY.fullmatch(str(message.get("Message-ID") or "").strip())
    return found.group(1) if found else None


_KEY = re.compile(r"<pack-[0-9a-f]{16}\.([0-9A-Za-z-]{1,64})@[^>\s]+>")


def drafts(folder: Path) -> list[tuple[str, EmailMessage]]:
    """The pack's ``.eml`` drafts in ``folder`` (top level), ready to send: keyed by
    attendee (``message_key``), ``X-Unsent`` removed, in file-name order.

    Raises:
        ExportError: no draft there, a draft that cannot be read or is not one of a
            pack's, or two drafts for the same attendee (from two packs).
    """
    from email import policy
    from email.parser import BytesParser

    from delegations.exports.options import ExportError

    found: list[tuple[str, EmailMessage]] = []
    seen: dict[str, str] = {}
    paths = sorted(p for p in Path(folder).glob("*.eml") if p.is_file())
    if not paths:
        raise ExportError(f"no e-mail drafts (.eml) in {folder}: write the packs with drafts first")
    for path in paths:
        try:
            with path.open("rb") as handle:
                message = BytesParser(policy=policy.default).parse(handle)
        except OSError as exc:
            raise ExportError(f"cannot read {path.name}: {exc.strerror or exc}") from None
        assert isinstance(message, EmailMessage)
        key = message_key(message)
        if key is None:
            raise ExportError(
                f"{path.name} is not a draft written by Delegations; move it out of {folder}"
            )
        if key in seen:
            raise ExportError(
                f"{path.name} and {seen[key]} are drafts for the same attendee from two "
                "different packs; remove the older one"
            )
        seen[key] = path.name
        del message["X-Unsent"]
        found.append((key, message))
    return found
