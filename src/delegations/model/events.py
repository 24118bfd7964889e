"""ORM events that keep derived columns honest whoever writes the record.

* search columns are refreshed from the names they fold;
* an agenda item's ``revision`` (the calendar SEQUENCE) rises when anything a
  calendar shows changes (title, kind, time, place, host, host contacts,
  description, status), unless the writer set the revision itself (a package
  import carries its own). Relationships are listed beside their foreign keys
  because an assignment such as ``item.venue = v`` only reaches ``venue_id``
  during the flush.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from delegations.model.records import AgendaItem, Delegation, Organisation, Person, TravelLeg

SIGNIFICANT: dict[type, tuple[str, ...]] = {
    AgendaItem: (
        "title", "kind", "starts_at", "ends_at", "venue_id", "venue", "host_organisation_id",
        "host", "host_contacts", "description", "status",
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
            obj.revision = (obj.revision or 0) + 1
