"""The command line: a thin layer over services and exports.

Expected errors print one line on stderr and exit 1 (2 for wrong usage).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO
from zoneinfo import ZoneInfo

from delegations import __version__
from delegations.cli.backups import add_backup_parsers, cmd_backup
from delegations.cli.people_data import add_person_parsers, cmd_person
from delegations.cli.privacy import add_erase_parser, add_privacy_parsers, privacy_command
from delegations.exports.kinds import DEFAULT_BADGE_LAYOUT, KINDS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from delegations.exports.options import ExportOptions
    from delegations.model import Delegation, PublishedEvent, count_of, utc_now
    from delegations.services import ServiceError, checks, queries
    from delegations.services.spreadsheets.preview import Preview
    from delegations.services.validation import is_timezone
    from delegations.store import Database, StoreError, resolve_db_path

PROG = "delegations"

_RUNTIME = {
    "count_of": "delegations.model",
    "utc_now": "delegations.model",
    "ServiceError": "delegations.services",
    "checks": "delegations.services",
    "queries": "delegations.services",
    "is_timezone": "delegations.services.validation",
    "Database": "delegations.store",
    "StoreError": "delegations.store",
    "resolve_db_path": "delegations.store",
}
"""Names the commands use, imported once a command runs (not for ``--help`` or a
usage error): SQLAlchemy alone takes longer to import than the 0.2 s ``--help`` may."""


def _load_runtime() -> None:
    """Bind the ``_RUNTIME`` names in this module (after the arguments are parsed)."""
    from importlib import import_module

    for name, module in _RUNTIME.items():
        if name not in globals():
            found = import_module(module)
            try:
                globals()[name] = getattr(found, name)
            except AttributeError:  # a submodule (checks, queries)
                globals()[name] = import_module(f"{module}.{name}")


def __getattr__(name: str) -> object:
    """``cli.checks`` and the like from outside, before any command ran (tests)."""
    if name in _RUNTIME:
        _load_runtime()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EXPORT_KINDS = ("package", "people", *KINDS)
"""The delegation package and people lists (services), every document and calendar (exports)."""


class UsageError(Exception):
    """Wrong usage: exit code 2."""


class Refused(Exception):
    """A command that declines to go on (an export of a plan with errors under --strict)."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Plan study visits: delegations, hosts, venues, people and agendas. "
        "Without a command, opens the application window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $DELEGATIONS_DB, else the user's data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    sub.add_parser("gui", help="open the application window (the default)")
    demo = sub.add_parser("demo", help="load the demo study visit (Lille → Barcelona)")
    demo.add_argument(
        "--large",
        action="store_true",
        help="load instead a made-up visit of 40 attendees and 120 items over 3 days, "
        "to try the documents at full size",
    )
    sub.add_parser("list", help="list delegations")
    show = sub.add_parser("show", help="a delegation's summary, attendees and agenda")
    show.add_argument("delegation", help="id or any unique part of the title")
    check = sub.add_parser(
        "check",
        help="check a delegation's plan for conflicts; exits 1 when it finds an error",
        description="Print the problems of DELEGATION's plan by local day, then how many "
        "errors and warnings. Exits 1 when there is an error, 0 otherwise.",
    )
    check.add_argument("delegation", help="id or any unique part of the title")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output")
    where = sub.add_parser("where", help="print the database path in use")
    where.set_defaults(no_db=True)
    add_backup_parsers(sub)

    imp = sub.add_parser("import", help="import data")
    imp_sub = imp.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
    pkg = imp_sub.add_parser(
        "package",
        help="import a delegation package (JSON), merged with the delegation here",
        description="Import FILE. When the delegation is already here, the package is merged "
        "with it: what either side changed since their last exchange is kept, field by field. "
        "The same field changed differently on both sides is a conflict: they are listed and "
        "nothing is written (exit 1) unless --prefer says which side wins. --dry-run prints "
        "what the import would add, change, remove and the conflicts, and writes nothing.",
    )
    pkg.add_argument("file", metavar="FILE")
    pkg.add_argument(
        "--dry-run", action="store_true", help="print what the import would do; write nothing"
    )
    pkg.add_argument(
        "--prefer",
        choices=("ours", "theirs"),
        help="decide every conflict: keep this database's value (ours) or the package's",
    )
    ppl = imp_sub.add_parser(
        "people",
        help="import people (and attendees) from a CSV, .xlsx or .ods file",
        description="Preview the import of FILE, then write it in one step (undoable in the "
        "window's history). Prints the counts of new, updated, unchanged, skipped and "
        "erroneous rows, then each error. Exits 1 without writing anything when a row has an "
        "error, unless --skip-errors.",
    )
    ppl.add_argument("file", metavar="FILE")
    ppl.add_argument(
        "--delegation", metavar="D", help="also add each row as an attendee of this delegation"
    )
    ppl.add_argument("--sheet", metavar="S", help="the sheet of a workbook (default: the first)")
    ppl.add_argument("--encoding", metavar="E", help="the CSV encoding (default: detected)")
    ppl.add_argument(
        "--delimiter",
        choices=(",", ";", "tab", "|"),
        help="the CSV delimiter (default: detected)",
    )
    ppl.add_argument(
        "--mapping",
        metavar="NAME|FILE",
        help="a saved mapping or a JSON mapping file (default: guessed from the headers)",
    )
    ppl.add_argument(
        "--save-mapping", metavar="NAME", help="save the mapping used under NAME for next time"
    )
    ppl.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        help="read 01/07/2027 day first (dmy, the default) or month first (mdy)",
    )
    ppl.add_argument(
        "--on-match",
        choices=("update", "skip", "create"),
        default="update",
        help="what to do with rows that match an existing person (default: update)",
    )
    ppl.add_argument("--dry-run", action="store_true", help="preview only; write nothing")
    ppl.add_argument(
        "--skip-errors", action="store_true", help="leave rows with errors out and import the rest"
    )

    exp = sub.add_parser(
        "export",
        help="export a package, document, list or calendar",
        description="Export KIND of DELEGATION to --out FILE. KIND is one of: "
        + ", ".join(EXPORT_KINDS),
    )
    exp.add_argument("kind", choices=EXPORT_KINDS, metavar="KIND", help=", ".join(EXPORT_KINDS))
    exp.add_argument("delegation", nargs="?", help="id or any unique part of the title")
    exp.add_argument(
        "--delegation",
        dest="delegation_option",
        metavar="D",
        help="for people: the attendees of this delegation (default: everybody)",
    )
    exp.add_argument("--out", metavar="FILE", help="the file to write")
    exp.add_argument("--attendee", metavar="PERSON", help="personal itinerary or calendar")
    exp.add_argument("--host", metavar="ORGANISATION", help="host calendar")
    exp.add_argument("--layout", metavar="NAME", default=DEFAULT_BADGE_LAYOUT, help="badge layout")
    exp.add_argument("--list-layouts", action="store_true", help="list badge layouts and exit")
    exp.add_argument("--paper", choices=("a4", "letter"), default="a4")
    exp.add_argument("--format", choices=("pdf", "csv"), default="pdf", help="for lists")
    exp.add_argument("--per", choices=("item", "day"), default="item", help="attendance sheets")
    exp.add_argument("--logo", metavar="IMAGE", help="logo for attendance sheets and badges")
    exp.add_argument(
        "--include-unconfirmed",
        action="store_true",
        help="badges, attendance sheets, rooming and passenger lists: also attendees who "
        "have not confirmed (marked as such); default: confirmed attendees only",
    )
    exp.add_argument(
        "--email", action="store_true", help="attendance sheets: print e-mail addresses"
    )
    exp.add_argument(
        "--zone",
        metavar="ZONE",
        help="time zone of the issue date printed on documents, e.g. Europe/Paris "
        "(default: this computer's)",
    )
    exp.add_argument("--qr", action="store_true", help="print a QR code on badges")
    exp.add_argument(
        "--offset", metavar="X,Y", default="0,0", help="printer offset for badges, in mm"
    )
    exp.add_argument("--calibration", action="store_true", help="badge calibration page")
    exp.add_argument(
        "--order", choices=("name", "organisation", "role"), default="name", help="badge order"
    )
    exp.add_argument(
        "--only", metavar="PERSON", action="append", help="badges for this person (repeatable)"
    )
    exp.add_argument(
        "--strict",
        action="store_true",
        help="write nothing when the plan check finds an error (see: delegations check)",
    )
    _add_pack_parser(sub)
    from delegations.cli.audit import add_audit_parsers

    add_audit_parsers(sub)
    add_privacy_parsers(sub)
    person_commands = add_person_parsers(sub)  # the `person` group: export here, erase added
    add_erase_parser(person_commands)
    return parser


def _add_pack_parser(sub: argparse._SubParsersAction[Parser]) -> None:
    pack = sub.add_parser(
        "pack",
        help="write each attendee's pack: itinerary, calendar, optional e-mail draft",
        description="Write into --out FOLDER the programme once, then for every confirmed "
        "attendee (or each --only PERSON) a folder (or a zip) named after them with their "
        "itinerary PDF and calendar (.ics); with --eml a ready-to-send e-mail draft each; "
        "with --organiser also badges, the delegation calendar, attendance sheets, "
        "rooming, dietary and passenger lists.",
    )
    pack.add_argument("delegation", help="id or any unique part of the title")
    pack.add_argument("--out", metavar="FOLDER", required=True, help="the folder to write into")
    pack.add_argument(
        "--only", metavar="PERSON", action="append", help="this attendee only (repeatable)"
    )
    pack.add_argument("--zip", action="store_true", help="one zip per attendee, not a folder")
    pack.add_argument("--eml", action="store_true", help="one .eml e-mail draft per attendee")
    pack.add_argument(
        "--organiser", action="store_true", help="also the organiser's documents and lists"
    )
    pack.add_argument("--paper", choices=("a4", "letter"), default="a4")
    pack.add_argument("--zone", metavar="ZONE", help="time zone of the issue date printed")
    pack.add_argument("--quiet", action="store_true", help="no progress on stderr")
    pack.add_argument(
        "--strict",
        action="store_true",
        help="write nothing when the plan check finds an error (see: delegations check)",
    )


# --------------------------------------------------------------------------- commands


def cmd_demo(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from delegations.services import operations
    from delegations.services.history import perform

    if args.large:
        from delegations.services.samples import large_visit

        delegation_id = perform(db, operations.import_document(large_visit(), "sample")).result[0]
    else:
        delegation_id = perform(db, operations.load_demo()).result
    with db.session() as session:
        title = queries.load_delegation(session, delegation_id).title
    out.write(f"Demo loaded: {title} (id {delegation_id}) in {db.path}\n")
    return 0


def cmd_list(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    with db.session() as session:
        rows = queries.list_delegations(session)
    if not rows:
        out.write("No delegations yet. Try: delegations demo\n")
        return 0
    width = max(len(r.title) for r in rows)
    out.write(f"{'id':>4}  {'title':<{width}}  {'dates':<23}  {'status':<10}  people  items\n")
    for r in rows:
        out.write(
            f"{r.id:>4}  {r.title:<{width}}  {r.start_date} → {r.end_date}  "
            f"{r.status.label:<10}  {r.attendees:>6}  {r.items:>5}\n"
        )
    return 0


def _day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def render_show(d: Delegation) -> str:
    zone = ZoneInfo(d.timezone)
    lines = [d.title, "=" * len(d.title)]
    if d.programme:
        lines.append(f"Programme:    {d.programme}")
    lines.append(f"Dates:        {_day(d.start_date)} to {_day(d.end_date)}")
    lines.append(
        f"Destination:  {d.destination_city}, {d.destination_country} (times in {d.timezone})"
    )
    lines.append(f"Status:       {d.status.label}")
    if d.lead_officer:
        lines.append(f"Lead officer: {d.lead_officer.full_name} <{d.lead_officer.email}>")
    if d.objectives:
        lines.append(f"Objectives:   {d.objectives}")
    lines.append("")
    attending = [p for p in d.participations if p.status.attending]
    lines.append(f"Attendees ({len(attending)} attending, {len(d.participations)} listed)")
    for p in sorted(d.participations, key=lambda p: (p.person.family_name, p.person.given_name)):
        org = p.person.organisation.display_name if p.person.organisation else ""
        lines.append(f"  {p.person.full_name:<34} {p.role.label:<20} {p.status.label:<10} {org}")
    lines.append("")
    lines.append(f"Agenda ({len(d.items)} items)")
    for day, items in groupby(d.items, key=lambda i: i.starts_at.astimezone(zone).date()):
        lines.append(f"  {_day(day)}")
        for item in items:
            start, end = item.starts_at.astimezone(zone), item.ends_at.astimezone(zone)
            who = "" if item.everyone else f"  [{len(item.participants)} attendees]"
            status = "" if item.status.value == "confirmed" else f"  ({item.status.label})"
            lines.append(f"    {start:%H:%M}–{end:%H:%M}  {item.title}{who}{status}")
            if item.venue:
                lines.append(f"                 {item.venue.name}, {item.venue.full_address}")
    return "\n".join(lines) + "\n"


def cmd_show(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    with db.session() as session:
        ref = queries.find_delegation(session, args.delegation)
        delegation = queries.load_delegation(session, ref.id)
    out.write(render_show(delegation))
    return 0


def _short_day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%B %Y}"


def render_check(report: checks.Report) -> str:
    """The findings under their local day ("Whole visit" for the others), then the counts."""
    lines: list[str] = []
    for day, findings in report.by_day().items():
        lines.append(_short_day(day) if day is not None else "Whole visit")
        for finding in findings:
            lines.append(
                f"  {finding.severity.value}  {finding.code}  {_one_line(finding.message)}"
            )
    if not lines:
        lines.append("No problems found.")
    lines.append(_counts(report))
    return "\n".join(lines) + "\n"


def _counts(report: checks.Report) -> str:
    return f"{count_of(len(report.errors), 'error')}, {count_of(len(report.warnings), 'warning')}"


def cmd_check(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    with db.session() as session:
        delegation = queries.find_delegation(session, args.delegation)
        uuid = delegation.uuid
        report = checks.check_delegation(session, delegation.id)
    if args.format == "json":
        document = {
            "delegation": str(uuid),
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "findings": [f.as_dict() for found in report.by_day().values() for f in found],
        }
        out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(render_check(report))
    return 1 if report.errors else 0


def _check_hint(args: argparse.Namespace, delegation_id: int) -> str:
    """The command that shows the findings, with this invocation's --db."""
    db = f" --db {shlex.quote(args.db)}" if args.db else ""
    return f"{PROG}{db} check {delegation_id}"


def _check_before_export(
    session: Session, args: argparse.Namespace, delegation_id: int
) -> str | None:
    """Check the plan before an export: under --strict, refuse when it has errors.

    Returns:
        The warning to print on stderr once the file is written (errors in the plan,
        or a check that failed), or None.

    Raises:
        Refused: --strict and the plan has errors. With --strict a check that fails
            raises its own error too; without it, the export goes on (a bug is logged
            as usual).
    """
    try:
        report = checks.check_delegation(session, delegation_id)
    except Exception as exc:
        if args.strict:
            raise
        session.rollback()
        said = _message(exc) if isinstance(exc, _expected_errors()) else _unexpected(exc, args)
        return f"the plan could not be checked: {said}"
    if not report.errors:
        return None
    counted = count_of(len(report.errors), "plan error")
    hint = _check_hint(args, delegation_id)
    if args.strict:
        raise Refused(f"{counted}; nothing written (--strict). See: {hint}")
    return f"{counted}; see {hint}"


def _warn(warning: str | None) -> None:
    if warning:
        print(f"{PROG}: warning: {_one_line(warning)}", file=sys.stderr)


def cmd_where(args: argparse.Namespace, out: TextIO) -> int:
    out.write(f"{resolve_db_path(args.db)}\n")
    return 0


def cmd_import(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.what == "people":
        return cmd_import_people(db, args, out)
    from delegations.services import exchange, package
    from delegations.services.history import perform

    path = Path(args.file)
    document = package.read_package(path)
    with db.session() as session:
        plan = exchange.plan_import(session, document)
    if args.dry_run:
        for line in plan.lines():
            out.write(line + "\n")
        return 0
    if plan.merge is not None and plan.merge.preview.clean:
        _warn(plan.left_out_notice)
        out.write(f"Nothing to import: '{plan.title}' here already holds all of {path.name}\n")
        return 0
    if plan.conflicts and args.prefer is None:
        _warn(plan.left_out_notice)
        lines = plan.lines()
        for line in lines[:1] + [line for line in lines[1:] if line.startswith("!")]:
            out.write(line + "\n")
        raise Refused(
            f"{count_of(plan.conflicts, 'conflict')} between this database and the package; "
            "nothing was imported: decide them with --prefer ours or --prefer theirs, or "
            "import it in the window"
        )
    delegation_id, title = perform(
        db, exchange.apply_import(plan, prefer=args.prefer, name=path.name)
    ).result
    _warn(plan.notice)
    with db.session() as session:
        delegation = queries.load_delegation(session, delegation_id)
        attendees, items = len(delegation.participations), len(delegation.items)
    merged = ""
    if plan.merge is not None:
        counts = plan.merge.preview.counts()
        merged = (
            f"; merged: {counts['added']} added, {counts['changed']} changed, "
            f"{counts['removed']} removed"
        )
        if plan.conflicts:
            merged += f", {count_of(plan.conflicts, 'conflict')} decided: {args.prefer}"
    out.write(
        f"Imported '{title}' (id {delegation_id}): "
        f"{count_of(attendees, 'attendee')}, {count_of(items, 'agenda item')}{merged}\n"
    )
    return 0


def cmd_import_people(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from delegations.services.history import perform
    from delegations.services.spreadsheets import mapping as mappings
    from delegations.services.spreadsheets import people_import, preview, reading
    from delegations.services.spreadsheets.values import DateOrder

    delimiter = "\t" if args.delimiter == "tab" else args.delimiter
    table = reading.read_table(
        Path(args.file), sheet=args.sheet, encoding=args.encoding, delimiter=delimiter
    )
    with db.session() as session:
        delegation_id = None
        if args.delegation:
            delegation_id = queries.find_delegation(session, args.delegation).id
        chosen = mappings.resolve(session, args.mapping) if args.mapping else None
        mapping = chosen or mappings.guess(table.header)
        if args.date_order:
            mapping = mappings.ColumnMap(mapping.columns, DateOrder(args.date_order))
        options = preview.Options(delegation_id, preview.OnMatch(args.on_match))
        shown = preview.build(session, table, mapping, options)
    out.write(render_preview(shown))
    refused = people_import.refusal(shown, args.skip_errors)
    if refused and shown.writes == 0 and not shown.blocking and not shown.problems:
        out.write(f"{refused}\n")
        return 0
    if refused and shown.blocking:
        raise Refused("the file cannot be imported with this mapping (see above); nothing written")
    if refused:
        errors = shown.counts.error
        raise Refused(
            f"{count_of(errors, 'row')} with errors (listed above); nothing written. "
            "Correct the file, or use --skip-errors to import the other rows."
        )
    if args.save_mapping:
        from delegations.services import operations

        perform(db, operations.custom(
            f"save the mapping {args.save_mapping}",
            lambda session: mappings.save(session, args.save_mapping, mapping),
        ))  # fmt: skip
        out.write(f"Saved the mapping as {args.save_mapping!r}.\n")
    if args.dry_run:
        out.write("Dry run: nothing was written.\n")
        return 0
    operation = people_import.import_people(
        table, mapping, options, skip_errors=args.skip_errors, expect=shown.counts
    )
    result = perform(db, operation).result
    out.write(f"Imported: {result}.\n")
    return 0


def render_preview(shown: Preview) -> str:
    """The preview as the command line prints it: how the file was read, the columns,
    the counts, then each update, error and warning by row."""
    from delegations.services.spreadsheets import reading
    from delegations.services.spreadsheets.columns import BY_KEY

    source = shown.table.source
    how = source.format.upper() if source.format != "csv" else "CSV"
    if source.format == "csv":
        labels = dict(reading.ENCODINGS)
        how += f", {labels.get(source.encoding or '', source.encoding)}"
        if source.detected_encoding == source.encoding:
            how += " (detected)"
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "vertical bar"}
        how += f", {delimiter.get(source.delimiter or ',', source.delimiter)}-separated"
    elif shown.table.sheet:
        how += f", sheet {shown.table.sheet!r}"
    lines = [f"Read {source.path.name}: {how}, {count_of(len(shown.table.rows), 'row')}."]
    used = [f"{h} → {BY_KEY[k].header}" for h, k in shown.mapping.columns.items()]
    ignored = [h for h in shown.table.header if h not in shown.mapping.columns]
    lines.append("Columns: " + ("; ".join(used) or "none"))
    if ignored:
        lines.append("Ignored: " + "; ".join(ignored))
    if shown.delegation_title:
        lines.append(f"Attendees of: {shown.delegation_title}")
    lines.extend(shown.blocking)
    lines.extend(shown.notices)
    if not shown.blocking:
        lines.append(f"{shown.counts}.")
    if shown.new_organisations:
        lines.append(
            f"New organisations ({len(shown.new_organisations)}): "
            + "; ".join(shown.new_organisations)
        )
    updates = [r for r in shown.rows if r.action.value == "update"]
    if updates:
        lines.append("Updates:")
        for r in updates:
            changes = "; ".join(str(c) for c in r.changes) or "added to the delegation"
            lines.append(f"  row {r.number}: {r.match} — {changes}")
    if shown.problems:
        lines.append("Errors:")
        lines.extend(f"  {p}" for p in shown.problems)
    if shown.warnings:
        lines.append("Warnings:")
        lines.extend(f"  {p}" for p in shown.warnings)
    return "\n".join(_one_line(line) for line in lines) + "\n"


def _offset(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(
            f"--offset takes X,Y in millimetres (e.g. 1.5,-0.5), not '{text}'"
        ) from None
    return x, y


def cmd_export(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.kind == "badges" and args.list_layouts:
        from delegations.exports.badges import list_layouts

        for layout in list_layouts():
            out.write(f"{layout.name:<14} {layout.description}\n")
        return 0
    if args.kind == "people":
        return cmd_export_people(db, args, out)
    if not args.delegation:
        raise UsageError("name the delegation to export (id or part of its title)")
    if not args.out:
        raise UsageError("give the file to write with --out FILE")
    from delegations.store.outputs import check_output

    # Before anything is read or created: never write over the database in use.
    target = check_output(Path(args.out), db.path, name=f"--out {args.out}")
    with db.session() as session:
        ref = queries.find_delegation(session, args.delegation)
        warning = _check_before_export(session, args, ref.id)
        if args.kind == "package":
            from delegations.services import exchange

            session.close()
            exchange.write_package(db, ref.id, target)
            out.write(f"Wrote {target}\n")
            _warn(warning)
            _warn(_exported(db, "package", ref.id))
            return 0
        attendee = queries.find_person(session, args.attendee).id if args.attendee else None
        host = queries.find_organisation(session, args.host).id if args.host else None
        only = tuple(queries.find_person(session, p).id for p in args.only) if args.only else None
        delegation = queries.load_delegation(session, ref.id)
        known, speeds = checks.way_knowledge(session)
        audience, published = _last_publication(session, args, ref.id, attendee, host)
    if args.zone is not None and not is_timezone(args.zone):
        raise UsageError(f"--zone takes a time zone name such as Europe/Paris, not '{args.zone}'")
    from delegations.exports import ExportOptions, Ways, run_export

    options = ExportOptions(
        paper=args.paper,
        attendee_id=attendee,
        host_id=host,
        layout=args.layout,
        list_format=args.format,
        per=args.per,
        logo=Path(args.logo) if args.logo else None,
        qr=args.qr,
        offset_mm=_offset(args.offset),
        calibration=args.calibration,
        order=args.order,
        selection=only,
        zone=args.zone,
        include_unconfirmed=args.include_unconfirmed,
        email_column=args.email,
        ways=Ways.of(known, speeds),
        published=published,
        generated_at=utc_now() if audience is not None else None,
    )
    if args.kind == "badges" and not args.calibration:
        _badge_warnings(delegation, options, strict=args.strict)
    written = run_export(args.kind, delegation, target, options)
    _warn(_exported(db, args.kind, ref.id, delegation, attendee))
    if audience is not None:
        _record_publication(db, ref.id, audience, delegation, options)
    out.write(f"Wrote {written}\n")
    _warn(warning)
    return 0


def _exported(
    db: Database,
    kind: str,
    delegation_id: int | None,
    delegation: Delegation | None = None,
    attendee: int | None = None,
) -> str | None:
    """Record a written export in the audit log (``services.audit.exported``); why
    not, as a warning: the file is written all the same."""
    from delegations.services import audit

    ids = audit.attendee_ids(delegation, [attendee]) if delegation is not None else []
    return audit.exported(db, kind, delegation_id, ids)


def _last_publication(
    session: Session,
    args: argparse.Namespace,
    delegation_id: int,
    attendee: int | None,
    host: int | None,
) -> tuple[str | None, dict[str, PublishedEvent] | None]:
    """A calendar's audience and what it last received (None, None for other kinds)."""
    if args.kind != "ical" or (attendee is not None and host is not None):
        return None, None
    from delegations.services import publications

    audience = publications.audience_key(person_id=attendee, host_id=host)
    return audience, publications.last_published(session, delegation_id, audience)


def _record_publication(
    db: Database, delegation_id: int, audience: str, delegation: Delegation, options: ExportOptions
) -> None:
    """Remember what the calendar just written holds, so the next one can cancel what
    it no longer holds (only once the file is written)."""
    from delegations.exports.ical import snapshot
    from delegations.services import publications
    from delegations.services.history import StorageError, perform

    held = snapshot(delegation, options)
    try:
        perform(db, publications.record(delegation_id, audience, held, at=options.generated_at))
    except StorageError as exc:
        raise StorageError(
            f"the calendar was written, but what it holds could not be recorded ({exc}); "
            "export it again before sending it, or a later calendar cannot cancel its events"
        ) from None


def _badge_warnings(delegation: Delegation, options: ExportOptions, *, strict: bool) -> None:
    """Say which badges would print below their minimum size, before printing them;
    under --strict, print nothing then."""
    from delegations.exports import badges

    warnings = badges.badge_warnings(delegation, options, names=False)
    if warnings and strict:
        raise Refused(
            f"{count_of(len(warnings), 'badge')} would print below the minimum size "
            f"(first: {warnings[0]}); nothing was written (--strict)"
        )
    for warning in warnings:
        _warn(warning)


def cmd_pack(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    """Write the attendee packs of a delegation (``exports.pack``), then remember what
    each attendee's calendar holds (``services.publications``)."""
    from delegations.store.errors import OutputRefused
    from delegations.store.outputs import check_output, refusal

    folder = Path(args.out).expanduser()
    what = refusal(folder, db.path)
    if what is not None:
        raise OutputRefused(f"--out {args.out} is {what}; choose a folder")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {args.out} is a file; give a folder to write the packs into")
    if args.zone is not None and not is_timezone(args.zone):
        raise UsageError(f"--zone takes a time zone name such as Europe/Paris, not '{args.zone}'")
    with db.session() as session:
        ref = queries.find_delegation(session, args.delegation)
        warning = _check_before_export(session, args, ref.id)
        only = tuple(queries.find_person(session, p).id for p in args.only) if args.only else None
    from delegations.exports import ExportOptions
    from delegations.exports.pack import PackRequest
    from delegations.workflows.packs import PackRunCancelled, write_packs

    request = PackRequest(
        options=ExportOptions(paper=args.paper, zone=args.zone),
        only=only,
        zip=args.zip,
        eml=args.eml,
        organiser=args.organiser,
    )
    bar = _ProgressBar(sys.stderr, enabled=not args.quiet)
    try:
        run = write_packs(
            db,
            ref.id,
            folder,
            request,
            guard=lambda path: check_output(path, db.path),
            progress=bar.update,
        )
    except PackRunCancelled as exc:  # pragma: no cover - Ctrl+C arrives as KeyboardInterrupt
        _warn(exc.run.recording)
        raise
    finally:
        bar.close()
    result = run.result
    packs = [a for a in result.attendees if not a.final]
    finals = len(result.attendees) - len(packs)
    changed = sum(1 for a in packs if a.changes)
    said = [f"Wrote {count_of(len(packs), 'attendee pack')}"]
    if finals:
        said.append(f"{count_of(finals, 'final calendar')} for people no longer attending")
    line = " and ".join(said) + f" ({count_of(len(result.files), 'file')}) in {result.folder}"
    if changed:
        line += f"; {count_of(changed, 'attendee')} with changes since their last pack"
    out.write(line + "\n")
    _warn(run.audit)
    if result.missing_email:
        ids = ", ".join(f"#{i}" for i in result.missing_email)
        _warn(f"no e-mail address for person {ids}: their draft has no recipient")
    _warn(warning)
    if run.recording:
        from delegations.services.history import StorageError

        raise StorageError(run.recording)
    return 0


class _ProgressBar:
    """``[#####.....] 12/45 attendee #7`` on one line of a terminal; one line per step
    when the stream is not a terminal (a log); nothing when disabled."""

    WIDTH = 28

    def __init__(self, stream: TextIO, *, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.drawn = False

    def update(self, done: int, total: int, what: str) -> None:
        if not self.enabled or total <= 0:
            return
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = f"[{bar}] {done}/{total} {what}"
        if self.tty:
            self.stream.write("\r" + line[:79].ljust(79))
            self.drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def cmd_export_people(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if not args.out:
        raise UsageError("give the file to write with --out FILE.csv or FILE.xlsx")
    if args.delegation and args.delegation_option:
        raise UsageError("name the delegation once (as DELEGATION or --delegation)")
    if Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("people are exported to a .csv or .xlsx file")
    from delegations.services.spreadsheets.people_export import export_people
    from delegations.store.outputs import check_output

    target = check_output(Path(args.out), db.path, name=f"--out {args.out}")
    wanted = args.delegation or args.delegation_option
    with db.session() as session:
        delegation_id = queries.find_delegation(session, wanted).id if wanted else None
        written = export_people(session, target, delegation_id)
    out.write(f"Wrote {written}\n")
    _warn(_exported(db, "people", delegation_id))
    return 0


def cmd_gui(db_path: Path) -> int:
    from delegations.display import display_problem

    problem = display_problem()
    if problem is not None:
        print(f"{PROG}: error: {problem}", file=sys.stderr)
        return 1
    from delegations.ui.app import run

    return run(db_path)


def _audit_command(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from delegations.cli.audit import cmd_audit

    return cmd_audit(db, args, out)


COMMANDS: dict[str, Callable[[Database, argparse.Namespace, TextIO], int]] = {
    "demo": cmd_demo,
    "list": cmd_list,
    "show": cmd_show,
    "check": cmd_check,
    "backup": cmd_backup,
    "import": cmd_import,
    "export": cmd_export,
    "pack": cmd_pack,
    "audit": _audit_command,
    "privacy": privacy_command,
    "person": cmd_person,
}


def _expected_errors() -> tuple[type[BaseException], ...]:
    from delegations.cli.confirm import NotConfirmed
    from delegations.exports.options import ExportCancelled, ExportError

    return (ServiceError, StoreError, ExportError, ExportCancelled, OSError, Refused, NotConfirmed)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "gui"
    _load_runtime()
    try:
        if command == "where":
            return cmd_where(args, out)
        if getattr(args, "without_db", None) is not None:  # restore: the file may be damaged
            return int(args.without_db(args, out))
        db_path = resolve_db_path(args.db)
        if command == "gui":
            return cmd_gui(db_path)
        db = Database.open(db_path)
        _warn(db.backup_warning)
        try:
            _finish_erasures(db)
            return COMMANDS[command](db, args, out)
        finally:
            db.close()
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped reading (| head): nothing to say to it. Python would
        # otherwise complain again when it flushes standard output at exit.
        _silence_stdout()
        return 1
    except _expected_errors() as exc:
        print(f"{PROG}: error: {_one_line(_message(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        print(f"{PROG}: error: {_one_line(_unexpected(exc, args))}", file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _finish_erasures(db: Database) -> None:
    """An erasure cut short (killed while clearing the free pages, or while erasing again
    after a restore) is finished before any command reads the data."""
    from delegations.services import erasure

    try:
        finished = erasure.finish_pending(db)
    except (ServiceError, StoreError) as exc:  # the command itself may still work
        _warn(f"an interrupted erasure could not be finished: {_message(exc)}")
        return
    if not finished:
        _warn(
            "the free space left by an erasure could not be cleared yet (another program "
            "has the database open); it will be cleared next time"
        )


def _unexpected(exc: Exception, args: argparse.Namespace) -> str:
    """One line for an error no command expected: a database failure, or a logged bug."""
    from delegations.services.history import failure_message

    return failure_message(exc, resolve_db_path(args.db).expanduser().resolve())


def _one_line(text: str) -> str:
    """``text`` on one line: line breaks and other control characters shown as ␤ and ?."""
    return "".join("␤" if c in "\r\n" else c if c.isprintable() else "?" for c in text)


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or exc}: {exc.filename}"
    return str(exc) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
