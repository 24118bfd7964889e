"""The three-way merge of delegation packages: base, ours and theirs, record by record.

Two officers exchange a plan as packages and both keep working on it. Importing a
package should keep both people's work: ``merge(base, ours, theirs)`` compares the
last version exchanged (the base), this database's package (ours) and the imported
one (theirs), per record (matched by UUID, whatever its case) and per field:

- a field changed on one side only takes that side's value; changed on both sides
  to the same value, that value; changed differently, a ``both-edited`` Conflict.
  A field absent from a side's record is unchanged from the base for that side.
- ``host_contacts`` and lists of ``participants`` merge element by element and never
  conflict; ``participants`` that are ``"everyone"`` on any side are one value.
- a record added on either side is kept (added on both: merged with an empty base);
  an attendee, journey or agenda item deleted on one side and unchanged on the other
  is deleted; deleted on one side and edited on the other is a ``deleted-ours`` or
  ``deleted-theirs`` Conflict. Organisations, venues and people are never deleted:
  a package merely refers to them.
- ``revision`` is never merged: the merged record's is the higher of both sides'.

The result is a ``Merge``: its ``preview`` says what importing will do to this
database before anything is decided, and ``document(choices, prefer)`` is the
package to import once every conflict is decided. Pure functions on documents: no
database, no Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

Side = Literal["ours", "theirs"]
ConflictKind = Literal["both-edited", "deleted-ours", "deleted-theirs"]

SECTIONS = ("delegation", "organisations", "venues", "people", "participations", "travel", "agenda")
"""Record sections, in the order everything is listed."""
SHARED = frozenset({"organisations", "venues", "people"})
"""Records a package refers to: never deleted by a merge."""
DOCUMENT_SECTIONS = ("delegation", "organisations", "venues", "people", "participations", "agenda")
"""The package's own keys holding records; every other top-level key is metadata."""

_REF_KEYS = frozenset(
    {"uuid", "organisation", "sending_organisation", "lead_officer", "person", "venue",
     "dropoff_venue", "host"}
)  # fmt: skip
_SET_KEYS = frozenset({"host_contacts", "participants"})
_INSTANT_KEYS = frozenset({"starts_at", "ends_at", "departs_at", "arrives_at"})
_NOT_MERGED = frozenset({"uuid", "revision", "travel"})
_NAMED_REFS = {
    "organisation": "organisations", "sending_organisation": "organisations",
    "host": "organisations", "venue": "venues", "dropoff_venue": "venues",
    "lead_officer": "people", "person": "people", "host_contacts": "people",
    "participants": "participations",
}  # fmt: skip
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SHOWN = 60
"""The longest value a preview line shows, in characters."""


class _Missing:
    """A key absent from a record (distinct from a JSON null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# --------------------------------------------------------------------------- the API


@dataclass(frozen=True)
class RecordRef:
    """One record of a package, named for a person to read."""

    section: str
    uuid: str
    label: str


@dataclass(frozen=True)
class FieldChange:
    """A field of one of our records that the merge changes (``before``: ours now)."""

    record: RecordRef
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Conflict:
    """A change made on both sides that a person must decide.

    ``key`` is stable: ``section:uuid:field``, or ``section:uuid:*`` when the record
    was deleted on one side and edited on the other (``field`` is then None and
    ``base``/``ours``/``theirs`` are whole records, None where deleted).
    """

    key: str
    record: RecordRef
    field: str | None
    kind: ConflictKind
    base: Any
    ours: Any
    theirs: Any


@dataclass(frozen=True)
class Preview:
    """What importing will do to THIS database (ours), before conflicts are decided."""

    added: list[RecordRef]
    changed: list[FieldChange]
    removed: list[RecordRef]
    conflicts: list[Conflict]
    names: Mapping[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)
    """How preview lines name a referenced record: (section, uuid) → its name."""

    @property
    def clean(self) -> bool:
        """Nothing to do: nothing added, changed, removed, and no conflict."""
        return not (self.added or self.changed or self.removed or self.conflicts)

    def counts(self) -> dict[str, int]:
        """Records added, changed (records, not fields), removed, and conflicts."""
        changed = {(c.record.section, c.record.uuid) for c in self.changed}
        return {
            "added": len(self.added),
            "changed": len(changed),
            "removed": len(self.removed),
            "conflicts": len(self.conflicts),
        }

    def lines(self) -> list[str]:
        """The preview as text: a line of counts, then one line per addition, changed
        field, removal and conflict (``+``, ``~``, ``-``, ``!``)."""
        counts = self.counts()
        if self.clean:
            return ["Nothing to merge: the package holds nothing this database lacks."]
        conflicts = counts["conflicts"]
        lines = [
            f"{counts['added']} added, {counts['changed']} changed, {counts['removed']} removed, "
            f"{conflicts} {'conflict' if conflicts == 1 else 'conflicts'}"
            + (" to decide" if conflicts else "")
        ]
        lines += [f"+ {ref.label}" for ref in self.added]
        for change in self.changed:
            before, after = change.before, change.after
            if isinstance(before, list) and isinstance(after, list):
                gained = [v for v in after if v not in before]
                lost = [v for v in before if v not in after]
                parts = [f"+ {self._shown(change.field, gained)}"] if gained else []
                parts += [f"− {self._shown(change.field, lost)}"] if lost else []
                what = "; ".join(parts)
            else:
                what = f"{self._shown(change.field, before)} → {self._shown(change.field, after)}"
            lines.append(f"~ {change.record.label}: {change.field}: {what}")
        lines += [f"- {ref.label}" for ref in self.removed]
        for c in self.conflicts:
            if c.kind == "deleted-ours":
                lines.append(f"! {c.record.label}: deleted here, changed in the package")
            elif c.kind == "deleted-theirs":
                lines.append(f"! {c.record.label}: changed here, deleted in the package")
            else:
                field_name = c.field or ""
                ours = self._shown(field_name, c.ours)
                theirs = self._shown(field_name, c.theirs)
                lines.append(f"! {c.record.label}: {field_name}: ours {ours}, theirs {theirs}")
        return lines

    def _shown(self, field_name: str, value: Any) -> str:
        return shown_value(field_name, value, self.names)


@dataclass(frozen=True)
class Merge:
    """A three-way merge of packages: its preview, and the document to import."""

    base: dict[str, Any] | None
    ours: dict[str, Any]
    theirs: dict[str, Any]
    preview: Preview
    _plan: _Plan = field(repr=False, compare=False)

    def document(
        self, choices: Mapping[str, Side] | None = None, prefer: Side | None = None
    ) -> dict[str, Any]:
        """The merged package document to write (``import_document`` makes it the whole
        truth): every conflict decided by ``choices[key]``, else by ``prefer``.

        Raises:
            ValueError: a conflict is decided by neither (the first one's key is named),
                or a choice is neither "ours" nor "theirs".
        """
        decided: dict[str, Side] = {}
        for conflict in self.preview.conflicts:
            side = (choices or {}).get(conflict.key) or prefer
            if side is None:
                raise ValueError(
                    f"The conflict {conflict.key} is not decided: choose ours or theirs."
                )
            if side not in ("ours", "theirs"):
                raise ValueError(
                    f"The conflict {conflict.key} is decided by {side!r}: choose ours or theirs."
                )
            decided[conflict.key] = side
        return self._plan.assemble(decided.__getitem__)


def merge(base: dict[str, Any] | None, ours: dict[str, Any], theirs: dict[str, Any]) -> Merge:
    """Merge ``theirs`` (an imported package) into ``ours`` (this database's package of
    the same delegation), given ``base`` (the last version both held; None if unknown:
    every record is then new on the side(s) holding it).

    Raises:
        ValueError: the packages hold different delegations.
    """
    b = _Index(base) if base is not None else None
    o, t = _Index(ours), _Index(theirs)
    t.rename_participations(_same_attendees(b, o, t))
    for other, what in ((t, "the package"), (b, "the base")):
        if other is not None and other.delegation_uuid != o.delegation_uuid:
            raise ValueError(
                f"{what.capitalize()} holds another delegation ({other.delegation_uuid}); "
                "it cannot be merged into this one."
            )
    plan = _Plan(b, o, t, theirs)
    provisional = plan.assemble(lambda key: "ours")
    preview = plan.preview(provisional)
    return Merge(base, ours, theirs, preview, plan)


# --------------------------------------------------------------------------- values


@lru_cache(maxsize=65536)
def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _same(key: str, a: Any, b: Any) -> bool:
    """Whether two values of a field are the same: instants compare as instants,
    lists of UUIDs as sets."""
    if a == b:
        return True
    if key in _INSTANT_KEYS and isinstance(a, str) and isinstance(b, str):
        x, y = _instant(a), _instant(b)
        return x is not None and x == y
    if key in _SET_KEYS and isinstance(a, list) and isinstance(b, list):
        return set(a) == set(b)
    return False


def _lower(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, list):
        return [v.lower() if isinstance(v, str) else v for v in value]
    return value


def _normal(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a record with every UUID in it lower-case (journeys left out)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "travel":
            continue
        if key in _REF_KEYS or (key in _SET_KEYS and isinstance(value, list)):
            value = _lower(value)
        elif isinstance(value, list):
            value = list(value)
        out[key] = value
    return out


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _when(text: Any) -> str:
    """An instant as written in the document, e.g. Thu 1 Jul 09:30."""
    moment = _instant(text) if isinstance(text, str) else None
    if moment is None:
        return str(text)
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment:%H:%M}"


def shown_value(field_name: str, value: Any, names: Mapping[tuple[str, str], str]) -> str:
    """A field's value in one short line: references by name, texts shortened."""
    if value is None or value is MISSING:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    section = _NAMED_REFS.get(field_name)
    if isinstance(value, list):
        if not value:
            return "(nobody)" if section in ("people", "participations") else "(none)"
        shown = [names.get((section or "", str(v)), str(v)) for v in value]
        return _short(", ".join(sorted(shown)), _SHOWN)
    if isinstance(value, str):
        if section is not None and value != "everyone":
            return _short(names.get((section, value), value), _SHOWN)
        return _short(value, _SHOWN) if value else "(empty)"
    return _short(str(value), _SHOWN)


# --------------------------------------------------------------------------- indexing


class _Index:
    """A package's records by section and lower-case UUID, in document order."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in SECTIONS}
        self.parent: dict[str, str] = {}
        delegation = _normal(document["delegation"])
        self.delegation_uuid: str = delegation["uuid"]
        self.records["delegation"][delegation["uuid"]] = delegation
        for section in ("organisations", "venues", "people", "agenda"):
            records = self.records[section]
            for entry in document.get(section) or ():
                record = _normal(entry)
                records[record["uuid"]] = record
        participations, travel = self.records["participations"], self.records["travel"]
        for entry in document.get("participations") or ():
            record = _normal(entry)
            participations[record["uuid"]] = record
            for leg in entry.get("travel") or ():
                journey = _normal(leg)
                travel[journey["uuid"]] = journey
                self.parent[journey["uuid"]] = record["uuid"]

    def rename_participations(self, renamed: Mapping[str, str]) -> None:
        """Give attendees other UUIDs, wherever they are referred to."""
        if not renamed:
            return
        participations = self.records["participations"]
        self.records["participations"] = {
            renamed.get(u, u): {**r, "uuid": renamed.get(u, u)} for u, r in participations.items()
        }
        self.parent = {j: renamed.get(p, p) for j, p in self.parent.items()}
        for item in self.records["agenda"].values():
            chosen = item.get("participants")
            if isinstance(chosen, list):
                item["participants"] = [renamed.get(u, u) for u in chosen]


def _same_attendees(b: _Index | None, o: _Index, t: _Index) -> dict[str, str]:
    """Their attendees that are one of ours under another UUID (the same person, added
    on each side): their UUID → ours. Importing matches attendees the same way."""
    base = b.records["participations"] if b is not None else {}
    ours, theirs = o.records["participations"], t.records["participations"]
    by_person = {r.get("person"): u for u, r in ours.items() if u not in theirs and u not in base}
    renamed: dict[str, str] = {}
    for uuid, record in theirs.items():
        if uuid in ours or uuid in base:
            continue
        match = by_person.pop(record.get("person"), None)
        if match is not None:
            renamed[uuid] = match
    return renamed


# --------------------------------------------------------------------------- merging


@dataclass
class _Outcome:
    """The merge of one record, before conflicts are decided."""

    section: str
    uuid: str
    fields: dict[str, Any] | None
    """The merged fields without the conflicting ones; None: deleted."""
    conflicts: list[tuple[Conflict, Any, Any]] = field(default_factory=list)
    """Field conflicts with our and their raw values."""
    record_conflict: Conflict | None = None
    kept_side: Side | None = None
    """For a delete/edit conflict: the side that edited the record (choosing it keeps it)."""
    kept_record: dict[str, Any] | None = None
    revision: int | None = None
    parent: str | None = None
    """A journey's participation."""
    listed: bool = False
    """A shared record kept in the document even if nothing refers to it: one of ours,
    one theirs adds, or one edited on either side since the base."""


class _Plan:
    """Every record's merge outcome; assembles the document for a set of decisions."""

    def __init__(self, b: _Index | None, o: _Index, t: _Index, theirs: Mapping[str, Any]) -> None:
        self.b, self.o, self.t = b, o, t
        self.metadata = {k: v for k, v in theirs.items() if k not in DOCUMENT_SECTIONS}
        self.outcomes: list[_Outcome] = []
        self._label_cache: dict[tuple[str, str], str] = {}
        base_parts = b.records["participations"] if b else {}
        self.deleted_by = {
            "ours": {u for u in base_parts if u not in o.records["participations"]},
            "theirs": {u for u in base_parts if u not in t.records["participations"]},
        }
        self.journeys_of: dict[str, dict[str, list[str]]] = {}
        for name, index in (("base", b), ("ours", o), ("theirs", t)):
            grouped: dict[str, list[str]] = {}
            if index is not None:
                for journey, parent in index.parent.items():
                    grouped.setdefault(parent, []).append(journey)
            self.journeys_of[name] = grouped
        for section in SECTIONS:
            for uuid in self._uuids(section):
                self.outcomes.append(self._merge_record(section, uuid))
        self.conflicts = [
            c
            for out in self.outcomes
            for c in ([out.record_conflict] if out.record_conflict else [])
            + [c for c, _, _ in out.conflicts]
        ]

    # ----------------------------------------------------------------- per record

    def _uuids(self, section: str) -> list[str]:
        seen = dict.fromkeys(self.o.records[section])
        seen.update(dict.fromkeys(self.t.records[section]))
        if self.b is not None:
            seen.update(dict.fromkeys(self.b.records[section]))
        return list(seen)

    def _merge_record(self, section: str, uuid: str) -> _Outcome:
        b = self.b.records[section].get(uuid) if self.b else None
        o = self.o.records[section].get(uuid)
        t = self.t.records[section].get(uuid)
        out = _Outcome(section, uuid, None)
        if section == "travel":
            out.parent = (
                self.t.parent.get(uuid)
                or self.o.parent.get(uuid)
                or (self.b.parent.get(uuid) if self.b else None)
            )
            if b is not None and self.b is not None:
                parent = self.b.parent[uuid]
                # Its attendee deleted on a side: the journey is unchanged there
                # (it goes, or stays, with the attendee).
                if o is None and parent in self.deleted_by["ours"]:
                    o = b
                if t is None and parent in self.deleted_by["theirs"]:
                    t = b
        if section in SHARED or section == "delegation":
            o_view, t_view = o or b, t or b
            if o_view is not None and t_view is not None:
                out.fields = self._fields(out, b, o_view, t_view, ours_present=o is not None)
            else:
                out.fields = dict(o_view or t_view or {})
            out.listed = section in SHARED and (
                o is not None or b is None or not _equal_records(b, out.fields)
            )
            return out
        if o is not None and t is not None:
            out.fields = self._fields(out, b, o, t, ours_present=True)
            out.revision = _max_revision(o, t)
        elif b is None:  # added on one side
            out.fields = dict(o or t or {})
            out.revision = (o or t or {}).get("revision")
        elif o is not None or t is not None:  # deleted on one side
            side: Side = "ours" if o is not None else "theirs"
            kept = o if o is not None else t
            assert kept is not None
            if self._edited(section, uuid, b, kept, side):
                kind: ConflictKind = "deleted-theirs" if side == "ours" else "deleted-ours"
                out.record_conflict = Conflict(
                    key=f"{section}:{uuid}:*",
                    record=self.ref(section, uuid),
                    field=None,
                    kind=kind,
                    base=b,
                    ours=o,
                    theirs=t,
                )
                out.kept_side = side
                out.kept_record = dict(kept)
                out.revision = kept.get("revision")
        return out

    def _fields(
        self,
        out: _Outcome,
        b: dict[str, Any] | None,
        o: dict[str, Any],
        t: dict[str, Any],
        ours_present: bool,
    ) -> dict[str, Any]:
        base = b or {}
        merged: dict[str, Any] = {"uuid": out.uuid}
        for key in dict.fromkeys([*t, *o, *base]):
            if key in _NOT_MERGED:
                continue
            bv = base.get(key, MISSING)
            ov = o.get(key, bv)
            tv = t.get(key, bv)
            if (
                key in _SET_KEYS
                and isinstance(ov, list)
                and isinstance(tv, list)
                and (bv is MISSING or isinstance(bv, list))
            ):
                bs = set(bv) if bv is not MISSING else set()
                os, ts = set(ov), set(tv)
                value: Any = sorted((bs & os & ts) | (os - bs) | (ts - bs))
            elif _same(key, ov, tv):
                value = ov
            elif _same(key, ov, bv):
                value = tv
            elif _same(key, tv, bv):
                value = ov
            else:
                conflict = Conflict(
                    key=f"{out.section}:{out.uuid}:{key}",
                    record=self.ref(out.section, out.uuid),
                    field=key,
                    kind="both-edited",
                    base=None if bv is MISSING else bv,
                    ours=None if ov is MISSING else ov,
                    theirs=None if tv is MISSING else tv,
                )
                out.conflicts.append((conflict, ov, tv))
                continue
            if value is MISSING:
                continue
            if ours_present and key not in o and _same(key, value, bv):
                continue  # absent from ours and unchanged: what is stored stays
            merged[key] = value
        return merged

    def _edited(
        self, section: str, uuid: str, b: dict[str, Any], s: dict[str, Any], side: Side
    ) -> bool:
        """Whether a side changed a record from the base (an attendee's journeys count;
        attendees the side deleted leaving its items' participants do not)."""
        deleted = self.deleted_by[side]
        for key in dict.fromkeys([*s, *b]):
            if key in _NOT_MERGED:
                continue
            bv = b.get(key, MISSING)
            sv = s.get(key, bv)
            if key == "participants" and isinstance(sv, list) and isinstance(bv, list):
                if set(sv) != set(bv) - deleted:
                    return True
            elif not _same(key, sv, bv):
                return True
        if section == "participations" and self.b is not None:
            index = self.o if side == "ours" else self.t
            base_journeys = self.journeys_of["base"].get(uuid, [])
            side_journeys = self.journeys_of[side].get(uuid, [])
            if set(base_journeys) != set(side_journeys):
                return True
            for journey in side_journeys:
                if not _equal_records(
                    self.b.records["travel"][journey], index.records["travel"][journey]
                ):
                    return True
        return False

    # ----------------------------------------------------------------- labels

    def _record(self, section: str, uuid: str) -> dict[str, Any] | None:
        for index in (self.o, self.t, self.b):
            if index is not None:
                record = index.records[section].get(uuid)
                if record is not None:
                    return record
        return None

    def name(self, section: str, uuid: str) -> str:
        """A record's name without its kind: Julien Caron, Barcelona Activa."""
        record = self._record(section, uuid) or {}
        if section == "people":
            given, family = record.get("given_name", ""), record.get("family_name", "")
            return f"{given} {family}".strip() or uuid
        if section == "participations":
            return self.name("people", record.get("person") or "")
        if section in ("organisations", "venues"):
            return str(record.get("name") or uuid)
        if section in ("agenda", "delegation"):
            return f"“{_short(str(record.get('title') or uuid), 40)}”"
        return uuid

    def label(self, section: str, uuid: str) -> str:
        key = (section, uuid)
        cached = self._label_cache.get(key)
        if cached is not None:
            return cached
        record = self._record(section, uuid) or {}
        if section == "participations":
            text = f"attendee {self.name(section, uuid)}"
        elif section == "people":
            text = f"person {self.name(section, uuid)}"
        elif section == "organisations":
            text = f"organisation {self.name(section, uuid)}"
        elif section == "venues":
            text = f"venue {self.name(section, uuid)}"
        elif section == "delegation":
            text = f"delegation {self.name(section, uuid)}"
        elif section == "agenda":
            text = f"agenda item {self.name(section, uuid)} ({_when(record.get('starts_at'))})"
        else:
            parent = (
                self.o.parent.get(uuid)
                or self.t.parent.get(uuid)
                or (self.b.parent.get(uuid) if self.b else None)
            )
            who = self.name("participations", parent) if parent else "nobody"
            origin, destination = record.get("origin", "?"), record.get("destination", "?")
            text = f"journey {origin} → {destination} of {who}"
        self._label_cache[key] = text
        return text

    def ref(self, section: str, uuid: str) -> RecordRef:
        return RecordRef(section, uuid, self.label(section, uuid))

    # ----------------------------------------------------------------- assembling

    def assemble(self, decide: Callable[[str], Side]) -> dict[str, Any]:
        """The merged document, each conflict decided by ``decide(key)``."""
        kept: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in SECTIONS}
        parents: dict[str, str | None] = {}
        listed: set[tuple[str, str]] = set()
        for out in self.outcomes:
            if out.record_conflict is not None:
                if decide(out.record_conflict.key) != out.kept_side:
                    continue
                assert out.kept_record is not None
                record = dict(out.kept_record)
            elif out.fields is None:
                continue
            else:
                record = dict(out.fields)
                for conflict, ov, tv in out.conflicts:
                    value = ov if decide(conflict.key) == "ours" else tv
                    if value is not MISSING:
                        record[conflict.field or ""] = value
            if out.section in ("agenda", "travel"):
                record.pop("revision", None)
                if out.revision is not None:
                    record["revision"] = out.revision
            kept[out.section][out.uuid] = record
            parents[out.uuid] = out.parent
            if out.listed:
                listed.add((out.section, out.uuid))

        participations = kept["participations"]
        for item in kept["agenda"].values():
            chosen = item.get("participants")
            if isinstance(chosen, list):
                item["participants"] = [u for u in chosen if u in participations]
        travel: dict[str, list[dict[str, Any]]] = {}
        for uuid, journey in kept["travel"].items():
            parent = parents.get(uuid)
            if parent in participations:
                travel.setdefault(parent, []).append(journey)
        for uuid, record in participations.items():
            record["travel"] = sorted(
                travel.get(uuid, []), key=lambda j: (str(j.get("direction")), j["uuid"])
            )

        shared = self._referenced(kept, listed)
        people = shared["people"]

        def person_key(p: dict[str, Any]) -> tuple[str, str, str]:
            person = people.get(p.get("person") or "") or {}
            return (person.get("family_name", ""), person.get("given_name", ""), p["uuid"])

        def item_key(i: dict[str, Any]) -> tuple[Any, ...]:
            return (
                _sort_instant(i.get("starts_at")),
                _sort_instant(i.get("ends_at")),
                str(i.get("title", "")),
                i["uuid"],
            )

        return {
            **self.metadata,
            "delegation": next(iter(kept["delegation"].values())),
            "organisations": sorted(
                shared["organisations"].values(), key=lambda r: (str(r.get("name", "")), r["uuid"])
            ),
            "venues": sorted(
                shared["venues"].values(), key=lambda r: (str(r.get("name", "")), r["uuid"])
            ),
            "people": sorted(
                people.values(),
                key=lambda r: (r.get("family_name", ""), r.get("given_name", ""), r["uuid"]),
            ),
            "participations": sorted(participations.values(), key=person_key),
            "agenda": sorted(kept["agenda"].values(), key=item_key),
        }

    @staticmethod
    def _referenced(
        kept: dict[str, dict[str, dict[str, Any]]], listed: set[tuple[str, str]]
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """The organisations, venues and people the merged records refer to, and those
        listed whatever refers to them (ours, theirs added, edited since the base).

        Left out: one that ours no longer holds and theirs has not changed since the
        base (this database keeps it as it is)."""
        wanted: dict[str, set[str]] = {s: set() for s in SHARED}
        for section, uuid in listed:
            wanted[section].add(uuid)

        def want(section: str, value: Any) -> None:
            if isinstance(value, str):
                wanted[section].add(value)
            elif isinstance(value, list):
                wanted[section].update(v for v in value if isinstance(v, str))

        for d in kept["delegation"].values():
            want("organisations", d.get("sending_organisation"))
            want("people", d.get("lead_officer"))
        for p in kept["participations"].values():
            want("people", p.get("person"))
        for i in kept["agenda"].values():
            want("venues", i.get("venue"))
            want("venues", i.get("dropoff_venue"))
            want("organisations", i.get("host"))
            want("people", i.get("host_contacts"))
        for section in ("venues", "people"):
            for uuid in wanted[section]:
                record = kept[section].get(uuid)
                if record is not None:
                    want("organisations", record.get("organisation"))
        return {
            section: {u: r for u, r in kept[section].items() if u in wanted[section]}
            for section in SHARED
        }

    # ----------------------------------------------------------------- preview

    def preview(self, provisional: dict[str, Any]) -> Preview:
        """What the document with every conflict left as ours does to ours."""
        merged = _Index(provisional)
        added: list[RecordRef] = []
        removed: list[RecordRef] = []
        changed: list[FieldChange] = []
        for section in SECTIONS:
            ours, after = self.o.records[section], merged.records[section]
            for uuid in self._uuids(section):
                record, now = ours.get(uuid), after.get(uuid)
                if record is None and now is not None:
                    added.append(self.ref(section, uuid))
                elif record is not None and now is None:
                    if section not in SHARED:
                        removed.append(self.ref(section, uuid))
                elif record is not None and now is not None:
                    for key, value in now.items():
                        if key in _NOT_MERGED:
                            continue
                        before = record.get(key, MISSING)
                        if before is MISSING or not _same(key, before, value):
                            changed.append(
                                FieldChange(
                                    self.ref(section, uuid),
                                    key,
                                    None if before is MISSING else before,
                                    value,
                                )
                            )
        names = self._names(
            [c.before for c in changed] + [c.after for c in changed],
            [c.field for c in changed] * 2,
        )
        names.update(
            self._names(
                [c.ours for c in self.conflicts] + [c.theirs for c in self.conflicts],
                [c.field or "" for c in self.conflicts] * 2,
            )
        )
        return Preview(added, changed, removed, list(self.conflicts), names)

    def _names(self, values: list[Any], fields: list[str]) -> dict[tuple[str, str], str]:
        names: dict[tuple[str, str], str] = {}
        for value, field_name in zip(values, fields, strict=True):
            section = _NAMED_REFS.get(field_name)
            if section is None:
                continue
            for uuid in value if isinstance(value, list) else [value]:
                if isinstance(uuid, str) and uuid != "everyone":
                    names[(section, uuid)] = self.name(section, uuid)
        return names


def _equal_records(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether ``b`` holds ``a``'s content (a key absent from either is unchanged)."""
    for key in _keys(a, b):
        if key in _NOT_MERGED:
            continue
        if key in a and key in b and not _same(key, a[key], b[key]):
            return False
    return True


def _keys(a: Iterable[str], b: Iterable[str]) -> Iterable[str]:
    return dict.fromkeys([*a, *b])


def _max_revision(o: Mapping[str, Any], t: Mapping[str, Any]) -> int | None:
    revisions = [r for r in (o.get("revision"), t.get("revision")) if isinstance(r, int)]
    return max(revisions) if revisions else None


def _sort_instant(text: Any) -> tuple[int, Any]:
    moment = _instant(text) if isinstance(text, str) else None
    return (0, moment.timestamp()) if moment is not None else (1, str(text))
