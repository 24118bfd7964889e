"""What an operation changed: the value every edit, undo and redo returns.

Screens decide what to redraw from it: a page of people redraws when people
(or the organisations their rows name) changed, a delegation's workspace when
its own records did. Kinds are the names of the records' tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from delegations.store.changelog import RowChange, TableShape

ORGANISATION = "organisation"
PERSON = "person"
VENUE = "venue"
DELEGATION = "delegation"
PARTICIPATION = "participation"
TRAVEL_LEG = "travel_leg"
AGENDA_ITEM = "agenda_item"
KINDS = (ORGANISATION, PERSON, VENUE, DELEGATION, PARTICIPATION, TRAVEL_LEG, AGENDA_ITEM)

OWNERS: dict[str, tuple[str, str]] = {
    "item_participant": (AGENDA_ITEM, "agenda_item_id"),
    "item_host_contact": (AGENDA_ITEM, "agenda_item_id"),
    TRAVEL_LEG: (PARTICIPATION, "participation_id"),
}
"""Rows that belong to a record: changing them changes that record."""

Ids = frozenset[int]
EMPTY: Ids = frozenset()


def _frozen(mapping: Mapping[str, Iterable[int]]) -> dict[str, Ids]:
    return {kind: frozenset(ids) for kind, ids in mapping.items() if ids}


@dataclass(frozen=True)
class Changes:
    """Which records of which kinds were created, updated or deleted.

    Attributes:
        created: kind → ids of new records.
        updated: kind → ids of changed records (a record whose travel, participants
            or host contacts changed counts as changed).
        deleted: kind → ids of records that are gone.
        delegations: ids of the delegations whose own fields, attendees or agenda changed.
    """

    created: Mapping[str, Ids] = field(default_factory=dict)
    updated: Mapping[str, Ids] = field(default_factory=dict)
    deleted: Mapping[str, Ids] = field(default_factory=dict)
    delegations: Ids = EMPTY

    def __bool__(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def kinds(self) -> frozenset[str]:
        return frozenset(self.created) | frozenset(self.updated) | frozenset(self.deleted)

    def touches(self, *kinds: str) -> bool:
        """Whether records of any of ``kinds`` were created, updated or deleted."""
        mine = self.kinds()
        return any(kind in mine for kind in kinds)

    def ids(self, kind: str) -> Ids:
        """Every id of ``kind`` this change concerns."""
        return (
            self.created.get(kind, EMPTY)
            | self.updated.get(kind, EMPTY)
            | self.deleted.get(kind, EMPTY)
        )

    def only_updated(self, kind: str) -> bool:
        """True when ``kind`` records were only changed in place (none added or removed)."""
        return kind not in self.created and kind not in self.deleted

    def count(self) -> int:
        return sum(
            len(ids) for part in (self.created, self.updated, self.deleted) for ids in part.values()
        )

    def merged(self, other: Changes) -> Changes:
        """Both changes as one (e.g. several steps undone at once)."""

        def union(a: Mapping[str, Ids], b: Mapping[str, Ids]) -> dict[str, Ids]:
            return {k: a.get(k, EMPTY) | b.get(k, EMPTY) for k in set(a) | set(b)}

        return Changes(
            union(self.created, other.created),
            union(self.updated, other.updated),
            union(self.deleted, other.deleted),
            self.delegations | other.delegations,
        )


def summarize(
    rows: Iterable[RowChange],
    shapes: Mapping[str, TableShape],
    delegation_of: Mapping[str, Mapping[int, int]] | None = None,
) -> Changes:
    """The ``Changes`` of net row changes (one per row, as ``changelog.net_rows`` gives).

    ``delegation_of`` maps kind → record id → delegation id for records whose
    delegation the rows do not name (travel legs, an item's participants).
    """
    created: dict[str, set[int]] = {}
    updated: dict[str, set[int]] = {}
    deleted: dict[str, set[int]] = {}
    delegations: set[int] = set()
    for change in rows:
        shape = shapes[change.table]
        image = change.after if change.after is not None else change.before
        assert image is not None
        owner = OWNERS.get(change.table)
        if owner is not None:
            kind, column = owner
            index = shape.index(column)
            assert index is not None
            owner_ids = {r[index] for r in (change.before, change.after) if r is not None}
            updated.setdefault(kind, set()).update(owner_ids)
        if change.table == "venue_travel_time":
            for column in ("from_venue_id", "to_venue_id"):
                index = shape.index(column)
                assert index is not None
                updated.setdefault(VENUE, set()).update(
                    r[index] for r in (change.before, change.after) if r is not None
                )
        if change.table not in KINDS:
            if owner is None and change.table != "venue_travel_time":
                # A table without ids of its own (settings): say that it changed.
                updated.setdefault(change.table, set()).add(0)
            continue
        record_id = image[shape.key[0]]
        if change.before is None:
            created.setdefault(change.table, set()).add(record_id)
        elif change.after is None:
            deleted.setdefault(change.table, set()).add(record_id)
        else:
            updated.setdefault(change.table, set()).add(record_id)
        if change.table == DELEGATION:
            delegations.add(record_id)
        index = shape.index("delegation_id")
        if index is not None:
            delegations.update(r[index] for r in (change.before, change.after) if r is not None)
    for kind, ids in updated.items():
        ids -= created.get(kind, set()) | deleted.get(kind, set())
        for record_id in ids:
            known = (delegation_of or {}).get(kind, {}).get(record_id)
            if known is not None:
                delegations.add(known)
    return Changes(_frozen(created), _frozen(updated), _frozen(deleted), frozenset(delegations))
