"""What a document may show about a person: the consent policy, in one place.

A person whose ``consent_data`` ("Agrees to data processing") is false appears, in
every document or calendar that other people see, by name and role only (job title,
organisation): never with their e-mail address or phone number. That covers host
contacts (itinerary, programme, calendar descriptions, the "what changed" page),
the lead officer (the emergency line's fallback, the calendar ORGANIZER and the
e-mail drafts' sender) and attendees in lists (passenger phones, attendance e-mails,
CSV files too).

Dietary and accessibility needs are special-category data: a person without consent
is counted in every total but never named next to a need; the lists show such needs
under ``unnamed(n)`` ("1 guest (not named: no consent)").

A person's own documents may show their own details (``viewer``): the e-mail draft's
``To:`` header is theirs. ``consent_photos`` has no use yet: no document carries a
photo. The delegation package (``services.package``) is not a document shown to others:
it carries the consent flags and every field, between officers of the same team.

Pure functions of model objects; nothing here touches a database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from delegations.model.text import count_of

if TYPE_CHECKING:
    from delegations.model import Delegation, Person

NOT_NAMED = "not named: no consent"
"""What stands in a list where a person's name would sit next to a need."""


def consents(person: Person | None, viewer: Person | None = None) -> bool:
    """Whether ``person``'s contact details may be shown: they agreed to data
    processing, or the document is their own (``viewer`` is them)."""
    if person is None:
        return False
    if viewer is not None and _same(person, viewer):
        return True
    return bool(person.consent_data)


def _same(one: Person, other: Person) -> bool:
    if one is other:
        return True
    return one.id is not None and one.id == other.id


def email_of(person: Person | None, viewer: Person | None = None) -> str:
    """``person``'s e-mail address as recorded, or empty without their consent."""
    if person is None or not consents(person, viewer):
        return ""
    return person.email or ""


def phone_of(person: Person | None, viewer: Person | None = None) -> str:
    """``person``'s phone number as recorded, or empty without their consent."""
    if person is None or not consents(person, viewer):
        return ""
    return person.phone or ""


def named_with_needs(person: Person | None) -> bool:
    """Whether ``person`` may be named next to their dietary or accessibility needs."""
    return person is not None and bool(person.consent_data)


def unnamed(count: int) -> str:
    """``1 guest (not named: no consent)``: who stands in a list for people without
    consent, next to their needs."""
    return f"{count_of(count, 'guest')} ({NOT_NAMED})"


def emergency_line(delegation: Delegation) -> str:
    """Who to call on the day, on one line (``Delegation.emergency_line`` with consent):
    the first emergency contact, else the lead officer with their phone when they agreed
    to it being shown (empty when neither is known)."""
    for line in (delegation.emergency_contacts or "").splitlines():
        if line.strip():
            return line.strip()
    officer = delegation.lead_officer
    number = phone_of(officer)
    if officer is not None and number:
        return f"{officer.full_name}: {number}"
    return ""
