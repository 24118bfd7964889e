"""Attendee packs from the database: read what each attendee last received, write
their packs (``exports.pack``), then remember what each calendar now holds
(``services.publications``), so that the next calendar cancels what is gone.

The command line (``delegations pack``) and the window's Packs tab both call
``write_packs``; a send records only the calendars of the messages that went out
(``record``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from delegations.exports import Ways
from delegations.exports.pack import (
    Former,
    Guard,
    PackCancelled,
    PackFailed,
    PackRequest,
    PackResult,
    Step,
    attendees,
    write_pack,
)
from delegations.model import PublishedEvent, utc_now
from delegations.services import audit, checks, publications, queries
from delegations.services.errors import ServiceError
from delegations.services.history import StorageError, perform

if TYPE_CHECKING:
    from delegations.model import Delegation, Person
    from delegations.store import Database


@dataclass
class PackRun:
    """What ``write_packs`` did.

    Attributes:
        result: the files written (complete attendee packs only).
        at: the pack's instant (its documents' issue time and the publications').
        recording: why what the calendars hold could not be recorded (None: recorded,
            or not asked).
    """

    result: PackResult
    at: datetime
    recording: str | None = None
    audit: str | None = None
    """Why the packs' export could not be recorded in the audit log (None: it was)."""


class PackRunCancelled(PackCancelled):
    """Cancelled between two attendees; ``run`` holds the complete packs (recorded)."""

    def __init__(self, run: PackRun) -> None:
        super().__init__(run.result)
        self.run = run


def write_packs(
    db: Database,
    delegation_id: int,
    folder: Path,
    request: PackRequest,
    *,
    guard: Guard | None = None,
    progress: Step | None = None,
    record_now: bool = True,
) -> PackRun:
    """Write the packs of the delegation into ``folder`` (see ``exports.pack``), then,
    with ``record_now``, record each calendar written (also when cancelled: the
    complete packs). People who no longer attend and still hold events get their
    final calendar (``publications.former_attendees``).

    Raises:
        PackRunCancelled: ``progress`` cancelled; ``run`` says what was written.
        ExportError, OutputError, ServiceError: nothing more was written.
    """
    with db.session() as session:
        delegation = queries.load_delegation(session, delegation_id)
        ways = Ways.of(*checks.way_knowledge(session))
        gone = publications.former_attendees(session, delegation_id)
        people = [p.person_id for p in attendees(delegation, request.only, also=gone)]
        received = publications.received(session, delegation_id, people)
        persons: dict[int, Person] = {
            person.id: person for person in queries.people_by_id(session, list(gone))
        }
    at = request.options.generated_at or utc_now()
    chosen = replace(request, options=replace(request.options, ways=ways, generated_at=at))
    former = [
        Former(persons[i], r.published, [c.text for c in r.changes])
        for i, r in gone.items()
        if i in persons
    ]
    try:
        result = write_pack(
            delegation,
            folder,
            chosen,
            published={i: r.published for i, r in received.items()},
            changes={i: [c.text for c in r.changes] for i, r in received.items()},
            former=former,
            guard=guard,
            progress=progress,
        )
    except PackCancelled as exc:
        run = PackRun(exc.result, at, audit=exported(db, delegation, exc.result))
        if record_now:
            run.recording = record(db, delegation_id, exc.result.calendars, at)
        raise PackRunCancelled(run) from None
    except PackFailed as exc:  # the complete packs are out: their calendars count
        exported(db, delegation, exc.result)
        if record_now:
            record(db, delegation_id, exc.result.calendars, at)
        raise
    run = PackRun(result, at, audit=exported(db, delegation, result))
    if record_now:
        run.recording = record(db, delegation_id, result.calendars, at)
    return run


def exported(db: Database, delegation: Delegation, result: PackResult) -> str | None:
    """Record in the audit log the packs written (one entry per attendee's pack);
    why not, when the database refused (the packs are out all the same)."""
    if not result.attendees and not result.files:
        return None
    people = [a.person_id for a in result.attendees if not a.final]
    return audit.exported(db, "pack", delegation.id, audit.attendee_ids(delegation, people))


def record(
    db: Database,
    delegation_id: int,
    calendars: Mapping[str, Mapping[str, PublishedEvent]],
    at: datetime,
) -> str | None:
    """Remember what each calendar holds (not undoable: the files are out); one line
    on why not when the database refused."""
    if not calendars:
        return None
    try:
        perform(db, publications.record_many(delegation_id, calendars, at=at))
    except (StorageError, ServiceError) as exc:
        return (
            f"the packs were written, but what their calendars hold could not be recorded "
            f"({exc}); write them again before sending them, or later calendars cannot "
            "cancel the events that are gone"
        )
    return None
