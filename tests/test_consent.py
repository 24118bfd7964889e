"""Consent honoured in every document: a person without ``consent_data`` appears by name
and role only (no e-mail, no phone) in whatever other people see, and is never named
next to their dietary or accessibility needs (``exports.consent``).

Every export kind of ``exports.kinds.KINDS`` (and the CSV form of every list, the
attendee pack with the organiser's documents and the e-mail drafts) is written from the
demo twice: once with the lead officer, a host contact and an attendee without consent
(their e-mail and phone must appear nowhere, their names where they did), once with
their consent (their details must appear where the document gives them, so the test
can fail). A new export kind without an entry in ``CASES`` fails the test.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from delegations.exports import KINDS, ExportOptions, run_export
from delegations.exports.consent import (
    NOT_NAMED,
    consents,
    email_of,
    emergency_line,
    phone_of,
    unnamed,
)
from delegations.exports.kinds import LIST_KINDS
from delegations.exports.pack import PackRequest, write_pack
from delegations.model import Delegation, ItemKind, Organisation, Person
from delegations.services import queries
from delegations.store import Database
from pdf_support import page_texts

STAMP = datetime(2027, 5, 20, 9, 30, tzinfo=UTC)

VALUES = {
    "lead.email": "lead.officer@consent-test.example",
    "lead.phone": "+33 6 91 92 93 94",
    "host.email": "host.contact@consent-test.example",
    "host.phone": "+34 611 22 33 44",
    "attendee.email": "attendee.subject@consent-test.example",
    "attendee.phone": "+33 7 81 82 83 84",
}
"""The details given to the three people: distinctive, so a hit is theirs."""

DIET = "Kosher; sesame allergy"


@dataclass(frozen=True)
class Case:
    """One export: its options, the details it shows with consent, who it names.

    Attributes:
        options: ``ExportOptions`` fields (``attendee``/``host`` say: the subject's own
            document, the host contact's organisation's calendar).
        shows: keys of ``VALUES`` the document gives when the person agreed.
        names: who it names whatever their consent (``lead``, ``host``, ``attendee``).
        needs: a list naming people next to their needs: the attendee is named only
            with consent, else counted under "N guests (not named: no consent)".
    """

    options: dict[str, Any] = field(default_factory=dict)
    shows: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    needs: bool = False


def case(*shows: str, names: tuple[str, ...] = (), needs: bool = False, **options: Any) -> Case:
    return Case(dict(options), frozenset(shows), frozenset(names), needs)


CASES: dict[str, list[Case]] = {
    "itinerary": [
        case("lead.email", "lead.phone", "host.email", "host.phone", names=("lead", "host")),
        case(
            "lead.email",
            "lead.phone",
            "host.email",
            "host.phone",
            names=("lead", "host", "attendee"),
            attendee=True,
        ),
    ],
    "programme": [case("host.phone", names=("host",))],
    "badges": [case(names=("attendee",))],
    "attendance": [
        case(names=("attendee",)),
        case("attendee.email", names=("attendee",), email_column=True),
    ],
    "rooming": [case(names=("attendee",))],
    "dietary": [case(needs=True)],
    "passengers": [case("attendee.phone", names=("attendee",))],
    "ical": [
        case("lead.email", "host.email", "host.phone", names=("host",)),
        case("lead.email", "host.email", "host.phone", names=("host",), attendee=True),
        case("lead.email", "host.email", "host.phone", names=("host",), host=True),
    ],
}
"""What each export kind shows of the three people; every kind must be here."""

CSV_CASES: dict[str, Case] = {
    "rooming": case(names=("attendee",)),
    "dietary": case(needs=True),
    "passengers": case("attendee.phone", names=("attendee",)),
}


@dataclass
class Cast:
    """The three people of the test, as loaded."""

    delegation: Delegation
    lead: Person
    host: Person
    attendee: Person
    host_organisation: Organisation

    def name(self, who: str) -> str:
        return str(getattr(self, who).full_name)

    def named(self, who: str, text: str) -> bool:
        """Whether ``text`` (squashed) names ``who``, as "Given Family" or "Family, Given"."""
        person = getattr(self, who)
        return any(squash(n) in text for n in (person.full_name, person.sort_name))


def prepare(db: Database, consent: bool) -> Cast:
    """The demo with its lead officer, a host contact and a confirmed attendee on a
    transfer given distinctive details and ``consent``; loaded."""
    with db.transaction() as session:
        delegation_id = queries.list_delegations(session)[0].id
        delegation = queries.load_delegation(session, delegation_id)
        lead = delegation.lead_officer
        assert lead is not None
        delegation.emergency_contacts = ""  # the emergency line falls back to the lead
        item = next(i for i in delegation.items if i.host_contacts and i.host is not None)
        host = item.host_contacts[0]
        transfer = next(i for i in delegation.items if i.kind == ItemKind.TRANSFER)
        attendee = next(
            p.person
            for p in sorted(delegation.participations, key=lambda p: p.id)
            if p.confirmed and p.person is not lead and transfer.concerns(p) and p.hotel
        )
        for who, person in (("lead", lead), ("host", host), ("attendee", attendee)):
            person.email = VALUES[f"{who}.email"]
            person.phone = VALUES[f"{who}.phone"]
            person.consent_data = consent
        attendee.dietary_needs = DIET
        ids = (lead.id, host.id, attendee.id)
        host_organisation_id = item.host.id
    with db.session() as session:
        loaded = queries.load_delegation(session, delegation_id)
        people = {p.id: p for p in queries.people_by_id(session, ids)}
        organisation = session.get(Organisation, host_organisation_id)
        assert organisation is not None
    return Cast(loaded, people[ids[0]], people[ids[1]], people[ids[2]], organisation)


def squash(text: str) -> str:
    """``text`` without any white space (PDF line breaks and no-break spaces)."""
    return "".join(text.split())


def pdf_text(path: Path) -> str:
    return squash(" ".join(page_texts(path)))


def ics_text(data: bytes) -> str:
    unfolded = data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode("utf-8")
    for escaped, plain in (("\\n", "\n"), ("\\N", "\n"), ("\\,", ","), ("\\;", ";")):
        unfolded = unfolded.replace(escaped, plain)
    return squash(unfolded.replace("\\\\", "\\"))


def eml_text(path: Path, folder: Path) -> str:
    """Every header and part of a draft, attachments read back (PDF, calendar), but
    the ``To`` header: a draft goes to its attendee, whose own address it may give."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    texts = [f"{key}: {value}" for key, value in message.items() if key.lower() != "to"]
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        content = part.get_payload(decode=True) or b""
        kind = part.get_content_type()
        if kind == "application/pdf":
            pdf = folder / f"part-{path.stem}-{number}.pdf"
            pdf.write_bytes(content)
            texts.append(" ".join(page_texts(pdf)))
        elif kind == "text/calendar":
            texts.append(ics_text(content))
        else:
            texts.append(content.decode("utf-8"))
    return squash(" ".join(texts))


def options_for(cast: Cast, case: Case, **more: Any) -> ExportOptions:
    wanted = dict(case.options)
    if wanted.pop("attendee", False):
        wanted["attendee_id"] = cast.attendee.id
    if wanted.pop("host", False):
        wanted["host_id"] = cast.host_organisation.id
    return ExportOptions(generated_at=STAMP, zone="Europe/Paris", **wanted, **more)


def written_text(kind: str, cast: Cast, case: Case, out: Path, list_format: str = "pdf") -> str:
    extra: dict[str, Any] = {"list_format": list_format} if kind in LIST_KINDS else {}
    suffix = {"ical": "ics"}.get(kind, list_format if kind in LIST_KINDS else "pdf")
    path = run_export(
        kind, cast.delegation, out / f"{kind}.{suffix}", options_for(cast, case, **extra)
    )
    if suffix == "ics":
        return ics_text(path.read_bytes())
    if suffix == "csv":
        return squash(path.read_text("utf-8-sig"))
    return pdf_text(path)


def check(text: str, cast: Cast, case: Case, consent: bool, what: str) -> None:
    """Without consent: no detail of the three anywhere, names where they were; with
    it, every detail the case says the document shows."""
    for key, value in VALUES.items():
        if consent and key in case.shows:
            assert squash(value) in text, f"{key} missing from the {what} with consent"
        elif not consent:
            assert squash(value) not in text, f"{key} in the {what} without consent"
    for who in case.names:
        assert cast.named(who, text), f"{who}'s name missing from the {what}"
    if case.needs:
        named = cast.named("attendee", text)
        assert named == consent, f"the attendee {'not ' if consent else ''}named by needs"
        assert squash(DIET) in text, f"the needs are not in the {what}"
        assert (squash(NOT_NAMED) in text) != consent


def test_every_export_kind_has_a_consent_case() -> None:
    assert set(CASES) == set(KINDS), "a new export kind needs its consent case here"
    assert set(CSV_CASES) == set(LIST_KINDS), "a new list needs its CSV consent case here"


VARIANTS = [(kind, n) for kind in KINDS for n in range(len(CASES.get(kind, [case()])))]


@pytest.mark.parametrize("consent", [False, True], ids=["no-consent", "consent"])
@pytest.mark.parametrize(("kind", "variant"), VARIANTS)
def test_every_document_honours_consent(
    demo_db: Database, tmp_path: Path, kind: str, variant: int, consent: bool
) -> None:
    assert kind in CASES, f"no consent case for the export kind '{kind}'"
    cast = prepare(demo_db, consent)
    chosen = CASES[kind][variant]
    text = written_text(kind, cast, chosen, tmp_path)
    check(text, cast, chosen, consent, f"{kind} {chosen.options or ''}")


@pytest.mark.parametrize("consent", [False, True], ids=["no-consent", "consent"])
@pytest.mark.parametrize("kind", LIST_KINDS)
def test_every_csv_list_honours_consent(
    demo_db: Database, tmp_path: Path, kind: str, consent: bool
) -> None:
    cast = prepare(demo_db, consent)
    chosen = CSV_CASES[kind]
    text = written_text(kind, cast, chosen, tmp_path, list_format="csv")
    check(text, cast, chosen, consent, f"{kind} CSV")


@pytest.mark.parametrize("consent", [False, True], ids=["no-consent", "consent"])
def test_the_pack_and_its_e_mail_drafts_honour_consent(
    demo_db: Database, tmp_path: Path, consent: bool
) -> None:
    """The programme, every attendee's itinerary, calendar and draft, the organiser's
    documents: all of it, read back. The attendee's own draft keeps its To: header."""
    cast = prepare(demo_db, consent)
    folder = tmp_path / "pack"
    request = PackRequest(
        options=ExportOptions(generated_at=STAMP, zone="Europe/Paris"),
        eml=True,
        organiser=True,
    )
    result = write_pack(cast.delegation, folder, request)
    own = next(a for a in result.attendees if a.person_id == cast.attendee.id)
    assert own.eml is not None and own.has_email
    texts: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            texts.append(pdf_text(path))
        elif path.suffix == ".ics":
            texts.append(ics_text(path.read_bytes()))
        elif path.suffix == ".eml":
            texts.append(eml_text(path, tmp_path))
            if path == own.eml:  # their own draft is addressed to them
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                assert VALUES["attendee.email"] in str(message["To"])
        else:
            texts.append(squash(path.read_text("utf-8-sig")))
    everything = " ".join(texts)
    shows = frozenset({"lead.email", "lead.phone", "host.email", "host.phone"})
    check(everything, cast, Case(shows=shows, names=frozenset({"lead", "host"})), consent, "pack")


def test_the_dietary_list_counts_people_it_does_not_name(demo_db: Database, tmp_path: Path) -> None:
    """The caterer still knows how many: the count per diet includes them, and their
    needs are listed under a count, not a name."""
    cast = prepare(demo_db, False)
    out = tmp_path / "dietary.pdf"
    path = run_export("dietary", cast.delegation, out, options_for(cast, case()))
    flat = " ".join(" ".join(page_texts(path)).split())
    assert f"{unnamed(1)} {DIET}" in flat
    assert f"{DIET} 1" in flat  # counted in the meal's diet counts
    assert cast.attendee.family_name not in flat


# --------------------------------------------------------------------------- the policy


def person(**kw: Any) -> Person:
    values: dict[str, Any] = {
        "given_name": "Ann",
        "family_name": "Lee",
        "email": "ann@example.org",
        "phone": "+44 20 1234 5678",
        "consent_data": False,
    }
    values.update(kw)
    return Person(**values)


def test_the_policy_shows_details_with_consent_or_to_the_person_themselves() -> None:
    without = person(id=1)
    with_consent = replace_person(without, consent_data=True)
    assert (email_of(without), phone_of(without)) == ("", "")
    assert email_of(with_consent) == "ann@example.org"
    assert phone_of(with_consent) == "+44 20 1234 5678"
    assert consents(without, viewer=without) and email_of(without, viewer=without)
    assert not consents(without, viewer=person(id=2)) and not consents(None)
    assert not consents(person(consent_data=None))  # a record not saved yet


def replace_person(source: Person, **kw: Any) -> Person:
    fields = ("id", "given_name", "family_name", "email", "phone", "consent_data")
    values = {name: getattr(source, name) for name in fields}
    values.update(kw)
    return Person(**values)


def test_the_emergency_line_falls_back_to_the_lead_only_with_consent() -> None:
    lead = person()
    delegation = Delegation(title="Visit", timezone="UTC", lead_officer=lead)
    delegation.emergency_contacts = ""
    assert emergency_line(delegation) == ""
    lead.consent_data = True
    assert emergency_line(delegation) == "Ann Lee: +44 20 1234 5678"
    delegation.emergency_contacts = "\nDesk: 112\nOther"
    assert emergency_line(delegation) == "Desk: 112"


def test_unnamed_counts_guests() -> None:
    assert unnamed(1) == "1 guest (not named: no consent)"
    assert unnamed(3) == "3 guests (not named: no consent)"
