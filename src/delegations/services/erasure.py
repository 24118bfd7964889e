"""Erasing a person: the right to erasure, as one operation that cannot be undone.

``erasure_plan`` says what ``erase`` will do (both confirmations show it);
``erase`` does it in one transaction:

* a person who took part (in any status) in a delegation that has ENDED (its end
  date is before today in its own time zone, or it is completed) is ANONYMISED:
  named "Erased" "person #ID", every other field emptied (organisation, job title,
  e-mail, phone, languages, dietary and accessibility needs, notes; consents
  false); on those past participations the badge name, hotel, room, booking,
  check-in/out and notes are cleared and the journeys deleted; their
  participations in delegations not yet ended are removed;
* anybody else is DELETED, with their participations (journeys and places in
  items go with them).

In both cases the person is taken off every agenda item's host contacts and
unset as lead officer, and their name, e-mail and phone are replaced by
"[erased]" in the free text that copies them (emergency contacts, item
descriptions, room sharing, notes: the full name, e-mail, phone and badge
names anywhere; the given or family name alone only in the delegations they
were part of; ignoring case and accents, as whole words: ``services.mentions``,
the matcher subject access lists its ``mentions`` with).

Stored documents that copy their data are rewritten:

* ``exchange.document`` (the packages exchanged, kept as the base of the next
  merge) is rewritten WITHOUT the person, their participations and journeys,
  their places in items and as host contact or lead officer, and with the same
  text replaced: the other records keep their merge base.
* the uuids of the person, of all their participations (kept or removed) and of
  their journeys are remembered (``ErasedRecord``: bare random numbers, which name
  nobody once the records are gone; not personal data, kept for good, never
  undone), and an anonymised person and their kept participations get NEW uuids:
  a package exported before the erasure (ours or a partner's) cannot address them
  again, and every import leaves the records with those uuids out
  (``services.erased.drop_erased``). The new uuids are DERIVED from the old ones
  (``anonymised_uuid``: a name-based uuid5 in a fixed namespace, which does not give
  the old one back), so every database that anonymises the same person (a partner's
  copy, a restore that erases again) gives them the same ids, and a package from one
  merges into the other without a second "Erased person #N".
* erasing a person ALREADY anonymised (named "Erased" "person #ID") keeps their
  uuids and finds nothing left to clear (their name is not searched for in text);
  what was added to them since (participations not yet ended, journeys, host
  contacts, lead officer) is removed as for anybody.
* calendars published to the person (``publication`` audience ``person:ID``)
  are deleted; in the others their journeys are dropped and the text replaced.

The operation is not undoable (``History.run`` keeps no step), and the window
drops from the undo history every step that held the person's rows
(``forget_steps``). It writes, in its own transaction, a "scrub pending" marker;
``finish_pending_scrub`` then clears SQLite's free pages and the ``-wal`` (see
``store.scrub``) and removes the marker, so an interrupted scrub is finished
the next time it is called (the command line and the window call it after
opening a database).

What the application wrote outside the database is not touched: packs and
exports in the user's folders, and their send logs (``.sent.json``, which
name recipients); ``older_backups`` lists the automatic backups that still
hold the person's data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from delegations.model import (
    Delegation,
    DelegationStatus,
    ErasedRecord,
    Exchange,
    Participation,
    Person,
    Preference,
    Publication,
    TravelLeg,
    item_host_contacts,
    new_uuid,
)
from delegations.model.publications import person_audience
from delegations.model.text import count_of
from delegations.services.errors import NotFound
from delegations.services.history import Operation, Step
from delegations.services.mentions import (
    REPLACEMENT,
    Matcher,
    other_names,
    person_forms,
    text_mentions,
)
from delegations.store import Database
from delegations.store.changelog import RowChange, TableShape
from delegations.store.database import recorder
from delegations.store.scrub import checkpoint, scrub, secure_delete

DELETE = "delete"
ANONYMISE = "anonymise"

SCRUB_PENDING = "privacy.scrub_pending"
"""A ``preference`` row written with an erasure or a purge, removed once the free
pages are cleared: its presence says a scrub is still to do."""

ERASED = REPLACEMENT
"""What replaces the person's name, e-mail or phone in free text."""

ANONYMOUS_GIVEN = "Erased"

ANONYMISED_NAMESPACE = UUID("6f1d3c2e-8a4b-5e7f-9c0d-2b1a4e6f8d31")
"""The fixed namespace of the uuids anonymised records are given (never change it: every
database must derive the same ids)."""

PERSON_CLEARED = {
    "job_title": "",
    "organisation_id": None,
    "email": "",
    "phone": "",
    "languages": "",
    "dietary_needs": "",
    "accessibility_needs": "",
    "consent_data": False,
    "consent_photos": False,
    "notes": "",
}
"""A kept (anonymised) person's fields besides the name."""

PARTICIPATION_CLEARED = {
    "badge_name": "",
    "hotel": "",
    "hotel_address": "",
    "hotel_phone": "",
    "booking_reference": "",
    "room_type": "",
    "room_sharing": "",
    "check_in": None,
    "check_out": None,
    "room_notes": "",
    "notes": "",
}
"""A past participation's fields cleared when its person is anonymised."""


def anonymous_label(person_id: int) -> str:
    """How an erased person is named: "person #12" (no initials, nothing of theirs)."""
    return f"person #{int(person_id)}"


def is_anonymised(person: Person) -> bool:
    """Whether ``person`` is already an anonymised record ("Erased" "person #ID")."""
    return person.given_name == ANONYMOUS_GIVEN and person.family_name == anonymous_label(person.id)


def anonymised_uuid(old: str) -> str:
    """The uuid an anonymised record gets in place of ``old``: the same in every database
    (uuid5 of the canonical old uuid in ``ANONYMISED_NAMESPACE``), and not the old one
    given back."""
    return str(uuid5(ANONYMISED_NAMESPACE, _canonical(old)))


# ------------------------------------------------------------------ traces


@dataclass(frozen=True)
class Traces:
    """Where one person's data is, read before the erasure (ids and the strings to find).

    ``strong``: strings replaced wherever they appear (full name, e-mail, phone,
    badge names); ``weak``: name parts replaced as whole words only in the
    delegations the person was part of (``delegations``).
    """

    person_id: int
    uuid: str
    mode: str
    kept_participations: tuple[int, ...]
    removed_participations: tuple[int, ...]
    legs: tuple[int, ...]
    leg_uuids: tuple[str, ...]
    participation_uuids: tuple[str, ...]
    host_contact_items: tuple[int, ...]
    lead_of: tuple[int, ...]
    delegations: tuple[int, ...]
    strong: tuple[str, ...] = field(repr=False)
    weak: tuple[str, ...] = field(repr=False)
    phone_digits: str = field(default="", repr=False)
    anonymised: bool = False
    """The person is already an anonymised record: their uuids are kept, their name is
    not searched for, only what was added to them since is removed."""

    @property
    def participations(self) -> tuple[int, ...]:
        return self.kept_participations + self.removed_participations


def _today_in(timezone: str, now: datetime) -> date:
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError, OSError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def has_ended(delegation: Delegation, now: datetime | None = None) -> bool:
    """Whether a delegation is over: completed, or its end date is before today there."""
    if delegation.status == DelegationStatus.COMPLETED:
        return True
    return delegation.end_date < _today_in(delegation.timezone, now or datetime.now(UTC))


def person_traces(session: Session, person_id: int, now: datetime | None = None) -> Traces:
    """Where the person's data is (to count the undo steps an erasure would drop)."""
    return _traces(session, person_id, now or datetime.now(UTC))


def _traces(session: Session, person_id: int, now: datetime) -> Traces:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person #{person_id}.")
    participations = list(
        session.scalars(select(Participation).where(Participation.person_id == person_id))
    )
    kept = [p for p in participations if has_ended(p.delegation, now)]
    mode = ANONYMISE if kept else DELETE
    removed = [p for p in participations if p not in kept]
    legs = [leg for p in participations for leg in p.travel]
    items = list(
        session.scalars(
            select(item_host_contacts.c.agenda_item_id).where(
                item_host_contacts.c.person_id == person_id
            )
        )
    )
    lead_of = list(
        session.scalars(select(Delegation.id).where(Delegation.lead_officer_id == person_id))
    )
    forms = person_forms(session, person)  # the strings to find, and where
    anonymised = is_anonymised(person)
    return Traces(
        person_id=person_id,
        uuid=person.uuid,
        mode=mode,
        kept_participations=tuple(p.id for p in kept),
        removed_participations=tuple(p.id for p in removed),
        legs=tuple(leg.id for leg in legs),
        leg_uuids=tuple(leg.uuid for leg in legs),
        participation_uuids=tuple(p.uuid for p in (*kept, *removed)),  # as ``participations``
        host_contact_items=tuple(items),
        lead_of=tuple(lead_of),
        delegations=forms.delegations,
        strong=() if anonymised else forms.strong,
        weak=() if anonymised else forms.weak,
        phone_digits="" if anonymised else forms.phone_digits,
        anonymised=anonymised,
    )


class _Replacer(Matcher):
    """Replaces a person's strings in text (``services.mentions.Matcher``: strong ones
    anywhere, weak ones only when ``linked``; whole words, ignoring case and accents)."""

    def json_value(self, value: Any, linked: bool) -> Any:
        if isinstance(value, str):
            return self(value, linked)
        if isinstance(value, list):
            return [self.json_value(v, linked) for v in value]
        if isinstance(value, dict):
            return {k: self.json_value(v, linked) for k, v in value.items()}
        return value


# ------------------------------------------------------------------ plan


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing a person will do (counts only: no name, no value).

    Attributes:
        person_id: the person.
        label: how messages name them ("person #12").
        mode: ``delete`` or ``anonymise``.
        kept_participations: past participations kept, anonymised.
        removed_participations: participations removed (delegations not yet ended;
            all of them when the person is deleted).
        journeys: travel legs deleted.
        host_contacts: agenda items they are a host contact of.
        lead_officer: delegations they lead (lead officer unset).
        texts: records whose free text names them (replaced by "[erased]").
        documents: stored documents rewritten (exchanged packages, published calendars).
    """

    person_id: int
    label: str
    mode: str
    kept_participations: int
    removed_participations: int
    journeys: int
    host_contacts: int
    lead_officer: int
    texts: int
    documents: int

    def describe(self) -> list[str]:
        """What will happen, a line each (for a confirmation; no personal data)."""

        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        lines = []
        if self.mode == ANONYMISE:
            lines.append(
                f"{self.label.capitalize()} took part in "
                f"{n(self.kept_participations, 'delegation that has ended', 'delegations that have ended')}, "
                "whose records are kept: they will be ANONYMISED (named "
                f"“{ANONYMOUS_GIVEN} {self.label}”; contact details, organisation, dietary "
                "and accessibility needs, notes, hotel and room details removed)."
            )
        else:
            lines.append(f"{self.label.capitalize()} will be DELETED.")
        if self.removed_participations:
            lines.append(
                f"Removed from {n(self.removed_participations, 'delegation', 'delegations')} "
                "(with their hotel and places in items)."
            )
        if self.journeys:
            lines.append(f"{n(self.journeys, 'journey', 'journeys')} deleted.")
        if self.host_contacts:
            lines.append(
                f"Taken off {n(self.host_contacts, 'agenda item', 'agenda items')} as host contact."
            )
        if self.lead_officer:
            lines.append(
                f"No longer lead officer of {n(self.lead_officer, 'delegation', 'delegations')}."
            )
        if self.texts:
            lines.append(
                f"Their name, e-mail or phone replaced by “{ERASED}” in the text of "
                f"{n(self.texts, 'record', 'records')}."
            )
        if self.documents:
            lines.append(
                f"{n(self.documents, 'stored document', 'stored documents')} "
                "(exchanged packages, published calendars) rewritten without them."
            )
        return lines


def _text_rows(
    session: Session, traces: Traces, replace: _Replacer
) -> list[tuple[type[Any], int, dict[str, str]]]:
    """The free-text rows of other records that name the person, with their new values
    (the ``mentions`` subject access lists; their own records are cleared or deleted)."""
    rows: dict[tuple[type[Any], int], dict[str, str]] = {}
    for mention in text_mentions(
        session,
        replace,
        person_id=traces.person_id,
        participations=traces.participations,
        delegations=traces.delegations,
    ):
        rows.setdefault((mention.model, mention.record_id), {})[mention.field] = mention.replaced
    return [(model, record_id, new) for (model, record_id), new in rows.items()]


def _exchanges(session: Session, traces: Traces, replace: _Replacer) -> list[tuple[int, str]]:
    """The exchanged packages that hold the person, rewritten without them."""
    out = []
    people, participations = _gone_uuids(traces)
    for row_id, delegation_id, document in session.execute(
        select(Exchange.id, Exchange.delegation_id, Exchange.document)
    ):
        try:
            content = json.loads(document)
        except ValueError:
            continue
        if not isinstance(content, dict):
            continue
        new = _without(content, people, participations)
        new = replace.json_value(new, delegation_id in traces.delegations)
        if new != content:
            out.append((row_id, json.dumps(new, ensure_ascii=False, sort_keys=True)))
    return out


def _gone_uuids(traces: Traces) -> tuple[set[str], set[str]]:
    """The uuids of the person and of the participations that leave (a record already
    anonymised and kept stays, with its kept participations)."""
    if not (traces.anonymised and traces.mode == ANONYMISE):
        return {traces.uuid}, set(traces.participation_uuids)
    return set(), set(traces.participation_uuids[len(traces.kept_participations) :])


def _without(doc: dict[str, Any], people: set[str], participations: set[str]) -> dict[str, Any]:
    doc = dict(doc)
    if isinstance(doc.get("people"), list):
        doc["people"] = [p for p in doc["people"] if _uuid(p) not in people]
    if isinstance(doc.get("participations"), list):
        doc["participations"] = [
            p
            for p in doc["participations"]
            if _uuid(p) not in participations
            and not (isinstance(p, dict) and p.get("person") in people)
        ]
    delegation = doc.get("delegation")
    if isinstance(delegation, dict) and delegation.get("lead_officer") in people:
        doc["delegation"] = {**delegation, "lead_officer": None}
    if isinstance(doc.get("agenda"), list):
        items = []
        for item in doc["agenda"]:
            if isinstance(item, dict):
                item = dict(item)
                for key, gone in (("host_contacts", people), ("participants", participations)):
                    if isinstance(item.get(key), list):
                        item[key] = [u for u in item[key] if u not in gone]
            items.append(item)
        doc["agenda"] = items
    return doc


def _uuid(value: Any) -> Any:
    return value.get("uuid") if isinstance(value, dict) else None


def _publications(
    session: Session, traces: Traces, replace: _Replacer
) -> tuple[list[int], list[tuple[int, str, str]]]:
    """Calendars published to the person (to delete), and others rewritten."""
    audience = person_audience(traces.person_id)
    legs = set(traces.leg_uuids)
    gone, rewritten = [], []
    for row_id, delegation_id, who, events, hotel in session.execute(
        select(
            Publication.id,
            Publication.delegation_id,
            Publication.audience,
            Publication.events,
            Publication.hotel,
        )
    ):
        if who == audience:
            gone.append(row_id)
            continue
        linked = delegation_id in traces.delegations
        try:
            listed = json.loads(events or "[]")
            kept_hotel = json.loads(hotel) if hotel else None
        except ValueError:
            continue
        if isinstance(listed, list):
            listed = [e for e in listed if not (isinstance(e, dict) and e.get("uid") in legs)]
        new_events = json.dumps(
            replace.json_value(listed, linked), ensure_ascii=False, sort_keys=True
        )
        new_hotel = (
            json.dumps(replace.json_value(kept_hotel, linked), ensure_ascii=False, sort_keys=True)
            if kept_hotel is not None
            else hotel
        )
        if json.loads(new_events) != json.loads(events or "[]") or new_hotel != hotel:
            rewritten.append((row_id, new_events, new_hotel))
    return gone, rewritten


@dataclass
class _Work:
    traces: Traces
    texts: list[tuple[type[Any], int, dict[str, str]]]
    exchanges: list[tuple[int, str]]
    publications_gone: list[int]
    publications: list[tuple[int, str, str]]

    def plan(self) -> ErasurePlan:
        t = self.traces
        return ErasurePlan(
            person_id=t.person_id,
            label=anonymous_label(t.person_id),
            mode=t.mode,
            kept_participations=len(t.kept_participations),
            removed_participations=len(t.removed_participations)
            + (len(t.kept_participations) if t.mode == DELETE else 0),
            journeys=len(t.legs),
            host_contacts=len(t.host_contact_items),
            lead_officer=len(t.lead_of),
            texts=len(self.texts),
            documents=len(self.exchanges) + len(self.publications_gone) + len(self.publications),
        )


def _work(session: Session, person_id: int, now: datetime) -> _Work:
    traces = _traces(session, person_id, now)
    replace = _Replacer(traces, other_names(session, person_id))
    gone, rewritten = _publications(session, traces, replace)
    return _Work(
        traces,
        _text_rows(session, traces, replace),
        _exchanges(session, traces, replace),
        gone,
        rewritten,
    )


def who(session: Session, person_id: int) -> str:
    """The person as the window's confirmation names them, so that the officer sees who
    is about to be erased: "Laia Ferrer (Kids Cluster)". For the user's own screen only:
    the command line and every message name "person #12" and nobody else.

    Raises:
        NotFound: there is no such person.
    """
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"there is no person #{person_id}")
    name = person.full_name or anonymous_label(person_id)
    org = person.organisation.display_name if person.organisation is not None else ""
    return f"{name} ({org})" if org else name


def erasure_plan(session: Session, person_id: int, now: datetime | None = None) -> ErasurePlan:
    """What ``erase(person_id)`` would do, as counts and a mode (nothing written).

    Raises:
        NotFound: there is no such person.
    """
    return _work(session, person_id, now or datetime.now(UTC)).plan()


# ------------------------------------------------------------------ erase


@dataclass(frozen=True)
class ErasureResult:
    """What ``erase`` did: its plan as done, when, and the traces to forget."""

    plan: ErasurePlan
    erased_at: datetime
    traces: Traces = field(repr=False, compare=False)


def erase(person_id: int, now: datetime | None = None) -> Operation[ErasureResult]:
    """Erase one person (see the module's docstring); not undoable.

    Run it with ``history.perform`` or ``History.run``, then call
    ``finish_pending_scrub`` (and, in the window, ``forget_steps``).
    """
    label = f"erase {anonymous_label(person_id)}"

    def run(session: Session) -> ErasureResult:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        secure_delete(raw)
        moment = now or datetime.now(UTC)
        work = _work(session, person_id, moment)
        plan = work.plan()
        traces = work.traces
        _apply(session, work)
        _mark_scrub(session)
        return ErasureResult(plan, datetime.now(UTC), traces)

    return Operation(label, run, action="erase", undoable=False)


def _apply(session: Session, work: _Work) -> None:
    t = work.traces
    pid = t.person_id
    session.execute(delete(item_host_contacts).where(item_host_contacts.c.person_id == pid))
    if t.lead_of:
        session.execute(
            update(Delegation).where(Delegation.lead_officer_id == pid).values(lead_officer_id=None)
        )
    for model, record_id, values in work.texts:
        session.execute(update(model).where(model.id == record_id).values(**values))
    for row_id, document in work.exchanges:
        session.execute(update(Exchange).where(Exchange.id == row_id).values(document=document))
    if work.publications_gone:
        session.execute(delete(Publication).where(Publication.id.in_(work.publications_gone)))
    for row_id, events, hotel in work.publications:
        session.execute(
            update(Publication).where(Publication.id == row_id).values(events=events, hotel=hotel)
        )
    if t.legs:
        session.execute(delete(TravelLeg).where(TravelLeg.id.in_(t.legs)))
    if t.mode == DELETE:
        if t.participations:
            session.execute(delete(Participation).where(Participation.id.in_(t.participations)))
        session.execute(delete(Person).where(Person.id == pid))
    else:
        if t.removed_participations:
            session.execute(
                delete(Participation).where(Participation.id.in_(t.removed_participations))
            )
        session.execute(
            update(Participation)
            .where(Participation.id.in_(t.kept_participations))
            .values(**PARTICIPATION_CLEARED)
        )
        label = anonymous_label(pid)
        session.execute(
            update(Person)
            .where(Person.id == pid)
            .values(
                given_name=ANONYMOUS_GIVEN,
                family_name=label,
                search_text=Person.search_key(ANONYMOUS_GIVEN, label, ""),
                **PERSON_CLEARED,
            )
        )
        if not t.anonymised:
            # New uuids, derived: nothing outside (an older package) can address them
            # again, and every database that anonymises them gives them the same ones.
            session.execute(
                update(Person)
                .where(Person.id == pid)
                .values(uuid=_free_uuid(session, Person, t.uuid, pid))
            )
            kept_uuids = t.participation_uuids[: len(t.kept_participations)]
            for participation_id, old in zip(t.kept_participations, kept_uuids, strict=True):
                session.execute(
                    update(Participation)
                    .where(Participation.id == participation_id)
                    .values(uuid=_free_uuid(session, Participation, old, participation_id))
                )
    people, participations = _gone_uuids(t)
    _remember_erased(session, (*people, *participations, *t.leg_uuids))
    session.flush()
    session.expire_all()


def _free_uuid(session: Session, model: type[Person | Participation], old: str, own_id: int) -> str:
    """``anonymised_uuid(old)``; should another row of ``model`` hold it already (a copy
    of this record imported from a database that anonymised it first), derived again
    until free (uuids are unique)."""
    candidate = anonymised_uuid(old)
    for _ in range(100):
        taken = session.scalar(
            select(model.id).where(func.lower(model.uuid) == candidate, model.id != own_id)
        )
        if taken is None:
            return candidate
        candidate = anonymised_uuid(candidate)
    return new_uuid()


def _remember_erased(session: Session, uuids: Iterable[str]) -> None:
    """Keep the uuids erased (canonical form), so later imports leave them out."""
    moment = datetime.now(UTC)
    for value in sorted({_canonical(u) for u in uuids if u}):
        if session.get(ErasedRecord, value) is None:
            session.add(ErasedRecord(uuid=value, erased_at=moment))


def _canonical(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        return value.lower()


def _mark_scrub(session: Session) -> None:
    if session.get(Preference, SCRUB_PENDING) is None:
        session.add(Preference(key=SCRUB_PENDING, value="1"))
    session.flush()


def mark_scrub_pending(session: Session) -> None:
    """Say, in the transaction that deletes, that free pages must be cleared after it."""
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    secure_delete(raw)
    _mark_scrub(session)


def scrub_pending(db: Database) -> bool:
    with db.session() as session:
        return session.get(Preference, SCRUB_PENDING) is not None


def finish_pending_scrub(db: Database) -> bool:
    """Clear the free pages and the ``-wal`` if an erasure or purge left them to clear.

    Returns True when nothing is left to clear (False: another program kept the
    ``-wal`` busy; the marker stays and the next call tries again).
    """
    if not scrub_pending(db):
        return True
    if not scrub(db):
        return False
    with db.transaction() as session:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        secure_delete(raw)
        session.execute(delete(Preference).where(Preference.key == SCRUB_PENDING))
    return checkpoint(db)


def finish_pending(db: Database) -> bool:
    """What an interrupted erasure left, finished when a database is opened: a person
    still present under an erased uuid (a restore whose erasing again was cut short) is
    erased again, and the free pages are cleared if that was left to do.

    Returns True when nothing is left (False: the free pages could not be cleared yet).

    Raises:
        StorageError: the database could not be read or written.
    """
    from delegations.services.history import perform, storage_errors

    with storage_errors(db.path), db.session() as session:
        leftover = list(
            session.scalars(
                select(Person.id).where(func.lower(Person.uuid).in_(select(ErasedRecord.uuid)))
            )
        )
    for person_id in leftover:
        perform(db, erase(person_id))
    with storage_errors(db.path):
        return finish_pending_scrub(db)


# ------------------------------------------------------------------ history and backups


def forget_steps(db: Database, traces: Traces) -> Callable[[Step], bool]:
    """Whether an undo step holds anything of the erased person (for ``History.forget``)."""
    with db.session() as session:
        shapes = dict(recorder(session).shapes)
    replace = _Replacer(traces)
    participations = set(traces.participations)
    legs = set(traces.legs)
    pid = traces.person_id

    def column(shape: TableShape, row: tuple[Any, ...], name: str) -> Any:
        index = shape.index(name)
        return row[index] if index is not None else None

    def holds(change: RowChange) -> bool:
        shape = shapes.get(change.table)
        for image in (change.before, change.after):
            if image is None:
                continue
            if shape is not None:
                if change.table == "person" and column(shape, image, "id") == pid:
                    return True
                if change.table in ("participation", "item_participant", "travel_leg"):
                    if column(shape, image, "participation_id") in participations:
                        return True
                    if change.table == "participation" and (
                        column(shape, image, "id") in participations
                        or column(shape, image, "person_id") == pid
                    ):
                        return True
                if change.table == "travel_leg" and column(shape, image, "id") in legs:
                    return True
                if change.table == "item_host_contact" and column(shape, image, "person_id") == pid:
                    return True
                if change.table == "delegation" and column(shape, image, "lead_officer_id") == pid:
                    return True
            for value in image:
                if isinstance(value, str) and replace(value, False) != value:
                    return True
        return False

    def touches(step: Step) -> bool:
        return replace(step.label, False) != step.label or any(holds(r) for r in step.rows)

    return touches


@dataclass(frozen=True)
class OldBackup:
    """An automatic backup made before an erasure (it still holds the erased data)."""

    path: Path
    made_at: datetime | None


def copies(count: int) -> str:
    """How many copies in the backups folder: "1 backup copy", "3 backup copies"."""
    return count_of(count, "backup copy")


def older_backups(db_path: Path, before: datetime) -> list[OldBackup]:
    """The copies in the backups folder of ``db_path`` made before ``before``, newest
    first: the automatic backups, and the damaged files restores replaced (``.damaged``,
    with their ``-wal``), which hold the data too."""
    from delegations.store.backups import held_copies

    return [OldBackup(path, made) for path, made in held_copies(db_path) if made <= before]


def delete_backups(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Delete backup files; returns those deleted and those that could not be, with why."""
    done: list[Path] = []
    failed: list[tuple[Path, str]] = []
    for path in paths:
        try:
            Path(path).unlink(missing_ok=True)
            for extra in ("-wal", "-shm", "-journal"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        except OSError as exc:
            failed.append((Path(path), exc.strerror or str(exc)))
        else:
            done.append(Path(path))
    return done, failed
