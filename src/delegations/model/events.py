"""ORM events that keep derived columns honest whoever writes the record.

* search columns are refreshed from the names they fold;
* an agenda item's ``revision`` (the calendar SEQUENCE) rises when its title,
  time, place or status changes, unless the writer set the revision itself
  (a package import carries its own).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from delegations.model.records import AgendaItem, Delegation, Organisation, Person, TravelLeg

SIGNIFICANT = {
    AgendaItem: ("title", "starts_at", "ends_at", "venue_id", "status"),
    TravelLeg: ("departs_at", "arrives_at", "origin", "destination", "carrier", "number"),
}


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
