"""ORM events that keep derived columns honest whoever writes the record.

* search columns are refreshed from the names they fold;
* an agenda item's ``revision`` (the calendar SEQUENCE) rises when anything a
  calendar shows changes (title, kind, time, place, drop-off, host, host
  contacts, who takes part, description, status), unless the writer set the
  revision itself (a package import carries its own). Relationships are listed beside their foreign keys
  because an assignment such as ``item.venue = v`` only reaches ``venue_id``
  during the flush. Removing an attendee who took part in a subset item changes
  that item's participant list too; cancelling a delegation (or taking back its
  cancellation) changes every one of its events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from delegations.model.enums import DelegationStatus
from delegations.model.records import (
    AgendaItem,
    Delegation,
    Organisation,
    Participation,
    Person,
    TravelLeg,
    item_participants,
)
from delegations.model.types import REVISION_MAX

SIGNIFICANT: dict[type, tuple[str, ...]] = {
    AgendaItem: (
        "title", "kind", "starts_at", "ends_at", "venue_id", "venue", "host_organisation_id",
        "host", "host_contacts", "description", "status", "participants", "everyone",
        "dropoff_venue_id", "dropoff_venue",
    ),
    TravelLeg: (
        "mode", "carrier", "number", "origin", "origin_timezone", "departs_at", "destination",
        "destination_timezone", "arrives_at",
    ),
}  # fmt: skip


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Organisation | Person | Delegation):
            obj.refresh_search_text()
    for obj in session.dirty:
        names = SIGNIFICANT.get(type(obj))
        if not names or not session.is_modified(obj):
            continue
        if _changed(obj, names) and not _changed(obj, ("revision",)):
            obj.revision = min((obj.revision or 0) + 1, REVISION_MAX)
    with session.no_autoflush:
        for obj in list(session.dirty):
            if isinstance(obj, Delegation) and _cancellation_changed(obj):
                _raise_all(session, obj)
        for obj in list(session.deleted):
            if isinstance(obj, Participation) and obj.id is not None:
                _raise_items_of(session, obj.id)


def _raise(session: Session, record: AgendaItem | TravelLeg) -> None:
    if record in session.deleted or record in session.new:
        return
    if not _changed(record, ("revision",)):
        record.revision = min((record.revision or 0) + 1, REVISION_MAX)


def _cancellation_changed(delegation: Delegation) -> bool:
    history = inspect(delegation).attrs["status"].history
    if not history.has_changes():
        return False
    values = {*history.added, *history.deleted}
    return DelegationStatus.CANCELLED in values


def _raise_all(session: Session, delegation: Delegation) -> None:
    """Every item and journey of a delegation that is cancelled, or no longer is."""
    for item in delegation.items:
        _raise(session, item)
    for participation in delegation.participations:
        for leg in participation.travel:
            _raise(session, leg)


def _raise_items_of(session: Session, participation_id: int) -> None:
    """The subset items a removed attendee took part in list one name fewer."""
    found = session.scalars(
        select(AgendaItem)
        .join(item_participants, item_participants.c.agenda_item_id == AgendaItem.id)
        .where(item_participants.c.participation_id == participation_id)
        .where(AgendaItem.everyone.is_(False))
    )
    for item in found:
        _raise(session, item)
