"""Erased people stay erased: their records are left out of every package imported later.

An erasure (``services.erasure``) remembers the uuids of the person, of all their
participations and of their journeys (``ErasedRecord``: bare uuids, no personal
data), and gives an anonymised person and their kept participations new uuids. A
package exported before the erasure (ours, or a partner's who has not erased them)
still holds the old uuids: ``drop_erased`` takes out of it, before it is validated,
merged or previewed, every person, participation and journey whose uuid is erased
(and a participation of an erased person), and every reference to them (lead
officer, host contacts, places in items). Their name, e-mail, phone and badge name,
as the package itself holds them, are replaced by "[erased]" in the package's free
text, as the erasure did here (the same matcher, ``services.mentions``). Text that names them in a package that no longer
holds their record cannot be recognised and comes in as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import AgendaItem, Delegation, ErasedRecord, Participation, Person, TravelLeg
from delegations.model.text import count_of
from delegations.services.mentions import FREE_TEXT, Matcher, OtherNames, name_forms

CHUNK = 500


def canonical_uuid(value: Any) -> str | None:
    """A uuid's one form (lower-case, hyphenated); None for anything that is not one."""
    if not isinstance(value, str):
        return None
    try:
        return str(UUID(value))
    except ValueError:
        return None


def erased_among(session: Session, uuids: Iterable[str]) -> set[str]:
    """Those of ``uuids`` (canonical) that belong to erased records."""
    wanted = sorted(set(uuids))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(
            session.scalars(
                select(ErasedRecord.uuid).where(
                    ErasedRecord.uuid.in_(wanted[start : start + CHUNK])
                )
            )
        )
    return found


def left_out_notice(count: int) -> str:
    """The sentence that says records were left out (a count, nothing of theirs)."""
    verb = "was" if count == 1 else "were"
    return f"{count_of(count, 'record')} of erased people in the package {verb} left out."


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def drop_erased(session: Session, document: Any) -> tuple[Any, int]:
    """The package without the records of erased people, and how many were left out.

    Works on the document as read (not yet validated): anything not shaped as
    expected is left as it is, for validation to report.
    """
    if not isinstance(document, dict):
        return document, 0
    people = _dicts(document.get("people"))
    participations = _dicts(document.get("participations"))
    candidates = {canonical_uuid(p.get("uuid")) for p in people}
    for p in participations:
        candidates.add(canonical_uuid(p.get("uuid")))
        candidates.update(canonical_uuid(leg.get("uuid")) for leg in _dicts(p.get("travel")))
    candidates.discard(None)
    erased = erased_among(session, (c for c in candidates if c is not None))
    if not erased:
        return document, 0

    doc = dict(document)
    gone_people = [p for p in people if canonical_uuid(p.get("uuid")) in erased]
    people_gone = {canonical_uuid(p.get("uuid")) for p in gone_people}
    count = len(gone_people)
    if gone_people:
        dropped = {id(p) for p in gone_people}
        doc["people"] = [p for p in doc["people"] if id(p) not in dropped]
    gone_participations: list[dict[str, Any]] = []
    if isinstance(doc.get("participations"), list):
        kept: list[Any] = []
        for p in doc["participations"]:
            if isinstance(p, dict) and (
                canonical_uuid(p.get("uuid")) in erased
                or canonical_uuid(p.get("person")) in people_gone
            ):
                gone_participations.append(p)
                count += 1 + len(_dicts(p.get("travel")))
                continue
            if isinstance(p, dict) and isinstance(p.get("travel"), list):
                travel = [
                    leg
                    for leg in p["travel"]
                    if not (isinstance(leg, dict) and canonical_uuid(leg.get("uuid")) in erased)
                ]
                if len(travel) != len(p["travel"]):
                    count += len(p["travel"]) - len(travel)
                    p = {**p, "travel": travel}
            kept.append(p)
        doc["participations"] = kept
    participations_gone = {canonical_uuid(p.get("uuid")) for p in gone_participations}

    delegation = doc.get("delegation")
    if isinstance(delegation, dict) and canonical_uuid(delegation.get("lead_officer")) in (
        people_gone
    ):
        doc["delegation"] = {**delegation, "lead_officer": None}
    if isinstance(doc.get("agenda"), list):
        items: list[Any] = []
        for item in doc["agenda"]:
            if isinstance(item, dict):
                item = dict(item)
                for key, gone in (
                    ("host_contacts", people_gone),
                    ("participants", participations_gone),
                ):
                    if isinstance(item.get(key), list):
                        item[key] = [u for u in item[key] if canonical_uuid(u) not in gone]
            items.append(item)
        doc["agenda"] = items
    if gone_people or gone_participations:
        doc = _scrub_text(doc, gone_people, gone_participations)
    return doc, count


@dataclass(frozen=True)
class _Forms:
    """What names one person left out, as the package holds them (``mentions.Forms``)."""

    strong: tuple[str, ...]
    weak: tuple[str, ...]
    phone_digits: str


def _scrub_text(
    doc: dict[str, Any], people: list[dict[str, Any]], participations: list[dict[str, Any]]
) -> dict[str, Any]:
    """Replace, in the package's free text, what the package says names the people left
    out (the erasure's matcher, ``services.mentions``; the package is of a delegation
    they were part of, so their given or family name alone counts too)."""

    def text(entry: dict[str, Any], key: str) -> str:
        value = entry.get(key)
        return value if isinstance(value, str) else ""

    # Everybody else the package names: a name part shared with one of them
    # ("Grégoire Martin" when Camille Martin is left out) is theirs, not replaced.
    kept = [e for e in doc.get("people") or [] if isinstance(e, dict)]
    kept_parts = [e for e in doc.get("participations") or [] if isinstance(e, dict)]
    others = OtherNames(
        (
            text(person, "given_name"),
            text(person, "family_name"),
            [
                text(p, "badge_name")
                for p in kept_parts
                if canonical_uuid(p.get("person")) == canonical_uuid(person.get("uuid"))
            ],
        )
        for person in kept
    )
    matchers = []
    for person in people:
        uuid = canonical_uuid(person.get("uuid"))
        badges = [
            text(p, "badge_name") for p in participations if canonical_uuid(p.get("person")) == uuid
        ]
        strong, weak, digits = name_forms(
            text(person, "given_name"),
            text(person, "family_name"),
            text(person, "email"),
            text(person, "phone"),
            badges,
        )
        matchers.append(Matcher(_Forms(strong, weak, digits), others))

    def scrub(entry: Any, model: type[Any]) -> Any:
        if not isinstance(entry, dict):
            return entry
        new = dict(entry)
        for key in FREE_TEXT.get(model, ()):
            value = new.get(key)
            if isinstance(value, str):
                for matcher in matchers:
                    value = matcher(value, True)
                new[key] = value
        return new

    doc = dict(doc)
    if "delegation" in doc:
        doc["delegation"] = scrub(doc["delegation"], Delegation)
    for section, model in (("people", Person), ("agenda", AgendaItem)):
        if isinstance(doc.get(section), list):
            doc[section] = [scrub(e, model) for e in doc[section]]
    if isinstance(doc.get("participations"), list):
        scrubbed = []
        for p in doc["participations"]:
            p = scrub(p, Participation)
            if isinstance(p, dict) and isinstance(p.get("travel"), list):
                p["travel"] = [scrub(leg, TravelLeg) for leg in p["travel"]]
            scrubbed.append(p)
        doc["participations"] = scrubbed
    return doc
