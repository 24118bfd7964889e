"""``delegations person …``: what is held about one person.

This module creates the ``person`` command group (``add_person_parsers``) with its
``export`` sub-command (subject access); other modules add their own sub-commands
(``erase``) to the group it returns, each with ``set_defaults(person_handler=…)``. Top-level imports stay light (``--help`` imports
no SQLAlchemy): services are imported inside the command.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from delegations.store import Database


def add_person_parsers(
    sub: argparse._SubParsersAction[Any],
) -> argparse._SubParsersAction[Any]:
    """Add the ``person`` group and its ``export`` command to ``sub``; returns the
    group's sub-parsers, for other modules to add their commands to."""
    person = sub.add_parser(
        "person",
        help="what is held about one person: export it (subject access), erase it",
        description="Commands about one person's data.",
    )
    commands = person.add_subparsers(
        dest="person_command",
        metavar="ACTION",
        required=True,
        parser_class=type(person),
    )
    export = commands.add_parser(
        "export",
        help="write everything held about PERSON to a JSON file (subject access)",
        description="Write to --out FILE.json everything this database holds about PERSON, "
        "across delegations: their record, participations with hotel, travel and agenda, "
        "items where they are a host contact, delegations they lead, calendars published "
        "to them, packages exchanged that hold their data and the audit-log entries about "
        "their records. The form is documented in "
        "resources/schemas/subject-access.schema.json. The file is readable by you only; "
        "the export is recorded in the audit log.",
    )
    export.add_argument(
        "person", metavar="PERSON", help="id, e-mail or any unique part of the name"
    )
    export.add_argument("--out", metavar="FILE", required=True, help="the JSON file to write")
    export.set_defaults(person_handler=cmd_person_export)
    return commands


def cmd_person(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    """Run the ``person`` sub-command the arguments name: each sub-parser sets its
    ``person_handler(db, args, out) -> int`` (``export`` here, ``erase`` in
    ``cli.privacy``)."""
    handler: Callable[[Database, argparse.Namespace, TextIO], int] = args.person_handler
    return handler(db, args, out)


def cmd_person_export(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    """``delegations person export PERSON --out FILE``: the subject-access file."""
    from delegations.services import audit
    from delegations.services.subject_access import find_person_id, write_subject_access
    from delegations.store.outputs import check_output

    target = check_output(Path(args.out), db.path, name=f"--out {args.out}")
    with db.session() as session:
        person_id = find_person_id(session, args.person)
        written = write_subject_access(session, person_id, target)
    audit.record(db, "export", record="person", record_id=person_id)
    out.write(f"Wrote what is held about person #{person_id} to {written}\n")
    return 0
