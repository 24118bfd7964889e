"""``delegations backup``, ``backups`` and ``restore``.

Only the standard library at the top: the services are imported when a command runs.
``restore`` and ``backups`` never open the current database (it may be damaged, or not
a database at all): ``main`` runs them through ``args.without_db``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from delegations.store import Database


def add_backup_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    backup = sub.add_parser(
        "backup",
        help="write a consistent copy of the database",
        description="Without --out, a backup in the automatic backups folder beside the "
        "database (<database>.backups/), rotated with the others; with --out, a copy "
        "written to FILE.",
    )
    backup.add_argument("--out", metavar="FILE", help="the copy to write (default: the folder)")
    listing = sub.add_parser(
        "backups",
        help="list the automatic backups of the database",
        description="List the backups in the folder beside the database, newest first: "
        "date (local time), why it was made, size, file. Works when the database itself "
        "is damaged (it is not opened).",
    )
    listing.set_defaults(without_db=cmd_backups)
    restore = sub.add_parser(
        "restore",
        help="replace the database by a backup (the current file is kept)",
        description="Check FILE (or, with --latest, the newest good automatic backup), then "
        "replace the database with it. The file replaced is kept in the backups folder "
        "(<database>.backups/). Works when the current file is damaged or not a database. "
        "People erased since the backup was made are erased again in the restored database. "
        "Asks for confirmation on a terminal; --yes answers for scripts.",
    )
    restore.add_argument("file", nargs="?", metavar="FILE", help="the backup to restore")
    restore.add_argument(
        "--latest", action="store_true", help="the newest automatic backup that is whole"
    )
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(without_db=cmd_restore)


def cmd_backup(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.out:
        from delegations.store.outputs import check_output

        target = db.backup(check_output(Path(args.out), db.path, name=f"--out {args.out}"))
    else:
        from delegations.services import backups

        target = backups.make_backup(db.path, "manual")
    out.write(f"Backed up {db.path} to {target}\n")
    return 0


def cmd_backups(args: argparse.Namespace, out: TextIO) -> int:
    """The list, without opening the database: it is most wanted when that is damaged."""
    from delegations.services import backups
    from delegations.store import resolve_db_path

    db_path = resolve_db_path(args.db).expanduser().resolve()
    found = backups.list_backups(db_path)
    if not found:
        out.write(f"No backups yet in {backups.backups_dir(db_path)}\n")
        return 0
    width = max(len(backups.reason_label(b.reason)) for b in found)
    for b in found:
        out.write(
            f"{backups.local_time(b.made_at)}  {backups.reason_label(b.reason):<{width}}  "
            f"{backups.describe_size(b.size):>9}  {b.path}\n"
        )
    return 0


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    from delegations.cli import UsageError
    from delegations.cli.confirm import confirm
    from delegations.services import backups
    from delegations.store import StoreError, resolve_db_path

    if bool(args.file) == bool(args.latest):
        raise UsageError("give the backup FILE to restore, or --latest (not both)")
    db_path = resolve_db_path(args.db).expanduser().resolve()
    if args.latest:
        found = backups.latest_good_backup(db_path)
        if found is None:
            raise StoreError(
                f"no whole backup of {db_path} was found in {backups.backups_dir(db_path)}"
            )
        source = found.path
        made = f" of {backups.local_time(found.made_at)}"
    else:
        source = Path(args.file).expanduser()
        made = ""
    backups.verify_backup(source)  # before asking: a bad backup is refused at once
    current = (
        f"The current file is kept in {backups.backups_dir(db_path)}"
        if db_path.exists() and db_path.stat().st_size
        else "There is no current file to keep"
    )
    again = backups.erased_since_notice(backups.people_erased_since(source, db_path))
    confirm(
        f"Replace {db_path} with the backup{made} {source}? {current}."
        + (f" {again}" if again else ""),
        yes=args.yes,
    )
    result, db = backups.restore_and_open(source, db_path)
    try:
        warning = db.backup_warning
    finally:
        db.close()
    kept = f"; the replaced file was kept as {result.kept}" if result.kept else ""
    out.write(f"Restored {db_path} from {source}{kept}\n")
    if result.erased_again:
        out.write(backups.erased_again_notice(result.erased_again) + "\n")
    if result.replaced_unreadable:
        notice = backups.UNREADABLE_NOTICE
        print(f"delegations: warning: {notice[0].lower()}{notice[1:]}", file=sys.stderr)
    if warning:
        print(f"delegations: warning: {warning}", file=sys.stderr)
    return 0
