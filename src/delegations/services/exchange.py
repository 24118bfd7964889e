"""Exchanging delegation packages between databases, merging instead of overwriting.

Two officers plan a visit on two laptops and swap packages. Each package this
database writes carries an ``exchange`` object: the package's own id, this
database's id (its origin) and the ids of the packages this database has exchanged
for the delegation, newest first (``known``). Each package written or read is
remembered with its document (``model.Exchange``).

Importing a package (``plan_import`` then ``apply_import``):

1. the base is the newest package this database exchanged whose id the incoming
   package lists in ``known`` (or the package itself, re-imported): the version
   both sides last had in common;
2. ``services.merge.merge(base, ours, theirs)`` tells apart what each side changed
   since, field by field, and lists what importing will add, change and remove, and
   the conflicts (the same field changed differently on both sides, or a record
   deleted on one side and edited on the other), which a person decides;
3. ``apply_import`` writes the merged document (one transaction, one undo step) and
   remembers the package as received, so it is the base of the next exchange.

A new delegation (not in this database) is simply imported. A package without
``exchange`` (written by an older version) replaces the delegation as before,
with a notice that no merge was possible. With a package that shares no base with
this database, every field that differs is a conflict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import DatabaseIdentity, Delegation, Exchange, new_uuid, utc_now
from delegations.model.exchanges import RECEIVED, SENT
from delegations.services.errors import ServiceError
from delegations.services.history import Operation

if TYPE_CHECKING:
    from delegations.services.merge import Merge, Preview
    from delegations.store import Database

Side = Literal["ours", "theirs"]

KNOWN_LIMIT = 50
"""How many exchanged package ids a package lists (newest first)."""
KEPT = 50
"""How many exchanges per delegation are remembered (older ones are pruned)."""
METADATA = ("format", "version", "exported_at", "generator", "exchange")
"""A document's keys that are about the file, not the delegation."""


class ChangedSincePreview(ServiceError):
    """The delegation changed in this database after the preview was made."""


# ------------------------------------------------------------------ identity and memory


def database_id(session: Session) -> str:
    """This database's id (made by migration 0007; made here if it is missing)."""
    found = session.scalars(select(DatabaseIdentity).order_by(DatabaseIdentity.id)).first()
    if found is None:
        found = DatabaseIdentity(id=1, uuid=new_uuid())
        session.add(found)
        session.flush()
    return found.uuid


def exchanges(session: Session, delegation_id: int) -> list[Exchange]:
    """The packages exchanged for a delegation, newest first."""
    return list(
        session.scalars(
            select(Exchange)
            .where(Exchange.delegation_id == delegation_id)
            .order_by(Exchange.id.desc())
        )
    )


def content(document: Mapping[str, Any]) -> dict[str, Any]:
    """The delegation's part of a document: without the file's metadata."""
    return {k: v for k, v in document.items() if k not in METADATA}


def fingerprint(document: Mapping[str, Any]) -> str:
    """A hash of a document's content (the same content, the same hash)."""
    text = json.dumps(content(document), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _remember(
    session: Session,
    delegation_id: int,
    package: str,
    origin: str,
    direction: str,
    document: Mapping[str, Any],
    at: datetime | None = None,
) -> None:
    session.add(
        Exchange(
            delegation_id=delegation_id,
            package=package,
            origin=origin,
            direction=direction,
            exchanged_at=at or utc_now(),
            document=json.dumps(content(document), ensure_ascii=False, sort_keys=True),
        )
    )
    session.flush()
    old = exchanges(session, delegation_id)[KEPT:]
    for row in old:
        session.delete(row)


# ------------------------------------------------------------------ sending


def stamp(session: Session, delegation_id: int, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with its ``exchange`` object: a new package id, this database as
    origin, and the packages exchanged so far (newest first)."""
    known = list(dict.fromkeys(e.package for e in exchanges(session, delegation_id)))
    package = new_uuid()
    return {
        **document,
        "exchange": {
            "package": package,
            "origin": database_id(session),
            "known": [package, *known][:KNOWN_LIMIT],
        },
    }


def record_sent(delegation_id: int, document: Mapping[str, Any]) -> Operation[None]:
    """Remember a package written (after the file is in place), as the base of the
    next exchange. Not for the undo history: the file is out."""
    meta = document.get("exchange") or {}

    def run(session: Session) -> None:
        _remember(session, delegation_id, str(meta["package"]), str(meta["origin"]), SENT, document)

    return Operation("remember the package written", run)


# ------------------------------------------------------------------ receiving


@dataclass
class ImportPlan:
    """What importing a package will do, before anything is written.

    Attributes:
        document: the package's document (canonical UUIDs).
        title: the delegation's title in the package.
        delegation_id: our delegation with the package's UUID (None: a new one).
        base_package: the id of the common base (None: none known).
        merge: the three-way merge (None: nothing to merge, the package is imported
            as it is: a new delegation, or a package without exchange data).
        notice: a sentence to show before importing (an older package that replaces
            the delegation; records of erased people left out), or None.
        ours: the fingerprint of our delegation when the plan was made.
        left_out: how many records of erased people were taken out of the package
            (``services.erased``); ``document`` is the package without them.
    """

    document: dict[str, Any]
    title: str
    delegation_id: int | None
    base_package: str | None = None
    merge: Merge | None = None
    notice: str | None = None
    ours: str = ""
    exported_at: str = ""
    origin: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    left_out: int = 0

    @property
    def left_out_notice(self) -> str | None:
        """The sentence saying records of erased people were left out, or None."""
        from delegations.services.erased import left_out_notice

        return left_out_notice(self.left_out) if self.left_out else None

    @property
    def preview(self) -> Preview | None:
        return self.merge.preview if self.merge is not None else None

    @property
    def conflicts(self) -> int:
        return len(self.merge.preview.conflicts) if self.merge is not None else 0

    def lines(self) -> list[str]:
        """What importing will do, in lines for a terminal (the dry run)."""
        if self.merge is not None:
            extra = self.left_out_notice
            return [*self.merge.preview.lines(), *([extra] if extra else [])]
        people = len(self.document.get("participations", []))
        items = len(self.document.get("agenda", []))
        if self.delegation_id is None:
            head = f"New delegation “{self.title}”: {people} attendees, {items} agenda items."
        else:
            head = f"“{self.title}” as in the package: {people} attendees, {items} agenda items."
        return [head, *([self.notice] if self.notice else [])]


def _ours(session: Session, delegation_id: int, every_field: bool = True) -> dict[str, Any]:
    from delegations.services import package, queries

    delegation = queries.load_delegation(session, delegation_id)
    return package.canonical(package.to_document(delegation, every_field=every_field))


def _base(session: Session, delegation_id: int, meta: Mapping[str, Any]) -> Exchange | None:
    wanted = {str(p).lower() for p in (meta.get("known") or [])}
    wanted.add(str(meta.get("package") or "").lower())
    for row in exchanges(session, delegation_id):
        if row.package.lower() in wanted:
            return row
    return None


def plan_import(session: Session, document: dict[str, Any]) -> ImportPlan:
    """Validate the package and work out what importing it will do (nothing written).

    The records of erased people are first taken out of the package (``plan.document``
    is the package without them; ``plan.left_out`` counts them, and the notice says so).

    Raises:
        ValidationError: the package is not valid (nothing is planned).
    """
    from delegations.services.erased import drop_erased

    document, left_out = drop_erased(session, document)
    plan = _plan_import(session, document)
    if left_out:
        plan.left_out = left_out
        plan.notice = " ".join(n for n in (plan.left_out_notice, plan.notice) if n)
    return plan


def _plan_import(session: Session, document: dict[str, Any]) -> ImportPlan:
    from delegations.services import package
    from delegations.services.merge import merge

    package.validate_document(session, document)
    theirs = package.canonical(document)
    uuid = theirs["delegation"]["uuid"]
    title = str(theirs["delegation"].get("title") or "")
    meta = theirs.get("exchange") or {}
    found = session.scalars(select(Delegation).where(Delegation.uuid == uuid)).first()
    plan = ImportPlan(
        document=theirs,
        title=title,
        delegation_id=found.id if found is not None else None,
        exported_at=str(theirs.get("exported_at") or ""),
        origin=str(meta.get("origin") or ""),
    )
    if found is None:
        return plan
    ours = _ours(session, found.id)
    plan.ours = fingerprint(ours)
    if not meta:
        # Written like an older package (empty optional fields left out) to compare.
        if fingerprint(_ours(session, found.id, every_field=False)) == fingerprint(theirs):
            return plan  # the same delegation: nothing here to lose
        plan.notice = (
            "This package was written by an older version of Delegations, without what a "
            "merge needs: importing it replaces the delegation here with the package's "
            "version; edits made here since are not kept."
        )
        return plan
    base = _base(session, found.id, meta)
    plan.base_package = base.package if base is not None else None
    plan.merge = merge(base.content() if base is not None else None, ours, theirs)
    if base is None:
        plan.notice = (
            "No earlier exchange of this delegation with that database is known here: "
            "every difference is shown as a conflict for you to decide."
        )
    return plan


def apply_import(
    plan: ImportPlan,
    choices: Mapping[str, Side] | None = None,
    prefer: Side | None = None,
    name: str = "the package",
) -> Operation[tuple[int, str]]:
    """Write what ``plan`` previewed (conflicts decided by ``choices``, else
    ``prefer``), and remember the package as received: one transaction, one undo step.

    Raises (when run):
        ValueError: a conflict is left undecided (nothing written).
        ChangedSincePreview: the delegation changed here since the plan was made.
    """
    from delegations.services import package

    document = plan.merge.document(choices, prefer) if plan.merge is not None else plan.document
    meta = plan.document.get("exchange") or {}

    def run(session: Session) -> tuple[int, str]:
        if plan.delegation_id is not None and plan.ours:
            exists = session.get(Delegation, plan.delegation_id)
            if exists is None or fingerprint(_ours(session, plan.delegation_id)) != plan.ours:
                raise ChangedSincePreview(
                    f"“{plan.title}” changed here since the preview; import the package again "
                    "to see what it will do now"
                )
        # A merge picks whole values from the package (validated by plan_import) and
        # from this database: its shape is sound; every other check runs again.
        merged = plan.merge is not None
        delegation = package.import_document(session, dict(document), shape_checked=merged)
        _remember(
            session,
            delegation.id,
            str(meta.get("package") or new_uuid()),
            str(meta.get("origin") or ""),
            RECEIVED,
            plan.document,
        )
        return int(delegation.id), str(delegation.title)

    return Operation(f"import {name}", run, action="merge" if plan.merge is not None else "import")


def write_package(db: Database, delegation_id: int, out: Path) -> Path:
    """Write the delegation's package to ``out`` (never over the database), stamped with
    its exchange data, then remember it as sent: the base of the next exchange.

    Raises:
        OutputRefused, OutputError: nothing written, nothing remembered.
        StorageError: the file was written but could not be remembered (said so).
    """
    from delegations.services import package
    from delegations.services.history import StorageError, perform

    with db.session() as session:
        document = package.export_package(session, delegation_id, every_field=True)
        document = stamp(session, delegation_id, document)
    written = package.write_package(document, out, database_path=db.path)
    try:
        perform(db, record_sent(delegation_id, document))
    except StorageError as exc:
        raise StorageError(
            f"the package was written, but this database could not remember it ({exc}); "
            "the next package received from its recipient cannot be merged: export again"
        ) from None
    return written
