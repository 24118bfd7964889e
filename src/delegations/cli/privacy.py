"""``delegations person erase`` and ``delegations privacy purge``.

Only the standard library at the top: the services are imported when a command
runs. Both commands destroy data for good: they print what will happen, ask on a
terminal (``--yes`` answers for scripts; without a terminal and without
``--yes`` they refuse), and name people by number only ("person #12"), never by
their data.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from delegations.store import Database


def add_erase_parser(person_sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``erase`` to the ``person`` command's sub-commands."""
    erase = person_sub.add_parser(
        "erase",
        help="erase a person for good: delete them, or anonymise them where past "
        "delegations keep their records",
        description="Erase PERSON (id, e-mail or a unique part of the name): deleted, or, "
        "when they took part in a delegation that has ended, anonymised (named 'Erased "
        "person #ID', every other detail removed). Also removed from host contacts, lead "
        "officer, and the stored packages and calendars; the database file's free space "
        "is cleared. Cannot be undone. Asks for confirmation on a terminal; --yes answers "
        "for scripts. Lists the automatic backups that still hold the person's data.",
    )
    erase.add_argument("person", metavar="PERSON", help="id, e-mail or unique part of the name")
    erase.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    erase.add_argument(
        "--delete-old-backups",
        action="store_true",
        help="also delete the automatic backups made before the erasure (they hold the "
        "person's data)",
    )
    erase.set_defaults(person_handler=cmd_person_erase)


def add_privacy_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``privacy`` command (``privacy purge``)."""
    privacy = sub.add_parser("privacy", help="remove old sensitive data (retention)")
    what = privacy.add_subparsers(
        dest="privacy_command", metavar="WHAT", required=True, parser_class=type(privacy)
    )
    purge = what.add_parser(
        "purge",
        help="remove sensitive data of attendees of delegations that ended long ago",
        description="For the attendees of delegations that ended more than MONTHS months "
        "ago, remove their journeys, hotel phone, booking reference and room notes, and "
        "the phone, dietary and accessibility needs of people no later delegation needs. "
        "Cannot be undone. Asks for confirmation on a terminal; --yes answers for scripts.",
    )
    purge.add_argument(
        "--older-than",
        metavar="MONTHS",
        type=_months,
        required=True,
        help="delegations that ended more than MONTHS months ago (a whole number, 1 to 1200)",
    )
    purge.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    purge.add_argument("--dry-run", action="store_true", help="only print what would be removed")


MAX_MONTHS = 1200
"""``services.retention.MAX_MONTHS`` (not imported here: ``--help`` stays light)."""


def _months(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_MONTHS:
        raise argparse.ArgumentTypeError(
            f"invalid number of months: '{text}' (a whole number from 1 to {MAX_MONTHS})"
        )
    return int(text)


# --------------------------------------------------------------------------- erase


def _person_id(session: Session, ref: str) -> int:
    """The person ``ref`` names; an ambiguous name is answered with ids only."""
    from delegations.model import Person
    from delegations.model.text import as_id
    from delegations.services import queries
    from delegations.services.errors import Ambiguous, NotFound, ServiceError

    ref = ref.strip()
    if ref.lstrip("#").isdigit():
        person_id = as_id(ref) or 0  # too big for an id: nobody has it
        if person_id == 0 or session.get(Person, person_id) is None:
            raise NotFound(f"no person #{ref.lstrip('#')}")
        return person_id
    try:
        return int(queries.find_person(session, ref).id)
    except Ambiguous as exc:
        ids = [m.group(1) for c in exc.candidates if (m := re.search(r"\(id (\d+)\)$", c))]
        listed = ", ".join(f"#{i}" for i in ids[:10]) + (", …" if len(ids) > 10 else "")
        raise ServiceError(
            f"'{ref}' matches {len(ids)} people (person {listed}); give the id"
        ) from None


def cmd_person_erase(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from delegations.cli.confirm import confirm
    from delegations.services import erasure
    from delegations.services.history import perform

    erasure.finish_pending_scrub(db)
    with db.session() as session:
        person_id = _person_id(session, args.person)
        plan = erasure.erasure_plan(session, person_id)
    old = erasure.older_backups(db.path, _now())
    out.write("\n".join(plan.describe()) + "\n")
    if old:
        what = "will be deleted" if args.delete_old_backups else "will still hold their data"
        out.write(f"{erasure.copies(len(old))} {what}.\n")
    out.write("This cannot be undone.\n")
    out.flush()
    confirm(f"Erase {plan.label}?", yes=args.yes)
    # Everything this command changes is done before it says so: a reader that stops
    # reading (| head) must not leave the old backups undeleted.
    outcome = perform(db, erasure.erase(person_id))
    result = outcome.result
    cleared = erasure.finish_pending_scrub(db)
    backups = erasure.older_backups(db.path, result.erased_at)
    deleted, failed = (
        erasure.delete_backups(b.path for b in backups)
        if backups and args.delete_old_backups
        else ([], [])
    )
    done = "anonymised" if result.plan.mode == erasure.ANONYMISE else "deleted"
    out.write(f"Erased {result.plan.label}: {done}.\n")
    out.write(
        "Free space in the database file cleared.\n"
        if cleared
        else "The database file's free space could not be cleared yet (another program "
        "is reading it); it will be cleared the next time the database is opened.\n"
    )
    if args.delete_old_backups and backups:
        out.write(f"Deleted {erasure.copies(len(deleted))}.\n")
        for path, why in failed:
            out.write(f"Could not delete {path}: {why}\n")
    elif backups:
        one = len(backups) == 1
        out.write(
            f"{erasure.copies(len(backups))} made before the erasure still "
            f"{'holds' if one else 'hold'} their data; delete {'it' if one else 'them'} "
            f"(next time, --delete-old-backups deletes them with the erasure):\n"
        )
        for backup in backups:
            out.write(f"  {backup.path}\n")
    out.write(
        "Files written earlier outside the database (exports, packs and their send logs) "
        "are not changed.\n"
    )
    return 0


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


# --------------------------------------------------------------------------- purge


def cmd_privacy(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from delegations.cli.confirm import confirm
    from delegations.services import erasure, retention
    from delegations.services.history import perform

    erasure.finish_pending_scrub(db)
    with db.session() as session:
        plan = retention.purge_plan(session, args.older_than)
    if plan.empty:
        out.write(f"Nothing to remove (no sensitive data from before {plan.cutoff}).\n")
        return 0
    out.write("\n".join(plan.describe()) + "\n")
    if args.dry_run:
        out.write("Dry run: nothing was removed.\n")
        return 0
    out.write("This cannot be undone.\n")
    out.flush()
    confirm("Remove this data?", yes=args.yes)
    outcome = perform(db, retention.purge(args.older_than))
    done = outcome.result.plan
    cleared = erasure.finish_pending_scrub(db)
    removed = ", ".join(
        retention.counted(name, count) for name, count in done.fields.items() if count
    )
    out.write(f"Removed {removed or 'nothing'}.\n")
    if cleared:
        out.write("Free space in the database file cleared.\n")
    return 0


def privacy_command(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    """``COMMANDS["privacy"]``."""
    return cmd_privacy(db, args, out)
