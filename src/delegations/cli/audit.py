"""``delegations audit``: read the audit log, or write it as CSV.

Top-level imports stay light (``delegations --help`` imports no SQLAlchemy): the
services are imported when the command runs.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from delegations.store import Database

ACTIONS = (
    "create", "update", "delete", "import", "merge", "erase", "purge", "restore",
    "export", "undo", "redo",
)  # fmt: skip
"""As ``services.audit.ACTIONS`` (a test keeps them equal; not imported, to stay light)."""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a date as YYYY-MM-DD, not '{text}'") from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"give a whole number, not '{text}'")
    return value


def add_audit_parsers(sub: Any) -> None:
    """Add ``audit`` to the command line's subcommands."""
    audit = sub.add_parser(
        "audit",
        help="show the audit log (what was done to which records; never the values)",
        description="Print the audit log, newest first: when (local time), the action, the "
        "record (table and id, or the kind of document exported) and the names of the "
        "fields written, never their values. Filters combine; --csv writes the entries "
        "to a CSV file instead (UTC and local times, every column).",
    )
    audit.add_argument("--action", choices=ACTIONS, help="only this action")
    audit.add_argument(
        "--record", metavar="R", help="only this kind of record (person, participation, itinerary…)"
    )
    audit.add_argument("--id", type=_count, metavar="N", help="only the record with this id")
    audit.add_argument(
        "--delegation", metavar="D", help="only entries of this delegation (id or part of title)"
    )
    audit.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="from this day on")
    audit.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="up to this day")
    audit.add_argument("--limit", type=_count, metavar="N", help="at most N entries (newest)")
    audit.add_argument("--csv", metavar="FILE", help="write the entries to this CSV file")


def cmd_audit(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from delegations.model.text import as_id
    from delegations.services import audit, queries
    from delegations.store.outputs import check_output

    target = check_output(Path(args.csv), db.path, name=f"--csv {args.csv}") if args.csv else None
    with db.session() as session:
        delegation_id: int | None = None
        if args.delegation:
            # A number is the delegation's id, even once it is deleted (its entries stay).
            delegation_id = (
                (as_id(args.delegation) or -1)  # too big for an id: matches nothing
                if args.delegation.strip().isdigit()
                else queries.find_delegation(session, args.delegation).id
            )
        filters: dict[str, Any] = {
            "action": args.action,
            "record": args.record,
            "record_id": args.id,
            "delegation_id": delegation_id,
            "since": args.since,
            "until": args.until,
            "limit": args.limit,
        }
        if target is not None:
            written = audit.write_csv(session, target, **filters)
            out.write(f"Wrote {written}\n")
            return 0
        rows = audit.entries(session, **filters)
    for row in rows:
        what = f"{row.record} #{row.record_id}" if row.record_id is not None else row.record
        where = f" [delegation #{row.delegation_id}]" if row.delegation_id is not None else ""
        fields = ", ".join(row.fields)
        line = f"{row.local:%Y-%m-%d %H:%M:%S}  {row.action:<8} {what}{where}"
        out.write(f"{line}  {fields}".rstrip() + "\n")
    if not rows:
        out.write("No entries.\n")
    return 0
