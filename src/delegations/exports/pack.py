"""Attendee packs: every attendee's itinerary and calendar, written by one call.

``write_pack(delegation, folder, request)`` writes into ``folder``:

- ``Programme.pdf``, once, at the top;
- per attendee (every confirmed attendee, or the people named): a folder named after
  them holding ``NAME itinerary.pdf`` and ``NAME calendar.ics`` (or, with ``zip``, one
  ``NAME.zip`` holding both), and with ``eml`` a draft ``NAME.eml`` beside it
  (``exports.mail.attendee_message``);
- with ``organiser``, an ``Organiser`` folder: badges with QR codes, the delegation
  calendar, attendance sheets per item, rooming, dietary and passenger lists.

Names are made safe for every file system (``safe_name``): no separators, no ``..``,
no control characters, no names Windows reserves, at most ``MAX_NAME`` characters;
two attendees with the same name get ``Name (2)``. Accents and other scripts stay.

Every file is written atomically (a temporary name, then renamed into place). An
attendee's files are prepared in a hidden staging folder inside ``folder`` and moved
into place only once all of them are written, so a cancelled or failed pack leaves
complete attendee packs only (and the staging folder is removed). The progress
callback is called between steps only; when it raises ``ExportCancelled`` the pack
stops there and raises ``PackCancelled``, whose ``result`` lists what was written.

The delegation is loaded once by the caller; fonts, styles and time-zone definitions
are built once per process by the exports themselves.

Calendar publications: ``published`` gives, per person id, what that attendee's
last calendar held (``ExportOptions.published``), so their new calendar cancels what
is gone; ``result.calendars`` says what each complete attendee's calendar now holds
(by audience key ``person:ID``), for the caller to record
(``services.publications.record_many``). ``changes`` gives, per person id, what
changed since they last received their pack: when there is any, their pack has a
short ``NAME what changed.pdf`` (``exports.changes``) and their e-mail opens with it.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from delegations.exports.common import generated_at
from delegations.exports.options import ExportCancelled, ExportError, ExportOptions
from delegations.files import OutputError, atomic_write, one_sync, output_error
from delegations.model.publications import person_audience

if TYPE_CHECKING:
    from email.message import EmailMessage

    from delegations.model import Delegation, Participation, Person, PublishedEvent

MAX_NAME = 80
"""The longest file or folder name made from a person's name, in characters."""

RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{n}" for n in "123456789¹²³"}
    | {f"LPT{n}" for n in "123456789¹²³"}
)
"""Names Windows refuses for a file or folder, whatever the extension."""

_FORBIDDEN = set('<>:"/\\|?*')

PROGRAMME = "Programme.pdf"
ORGANISER = "Organiser"
ORGANISER_FILES: tuple[tuple[str, str, str], ...] = (
    ("badges", "Badges.pdf", "badges"),
    ("ical", "Delegation calendar.ics", "calendar"),
    ("attendance", "Attendance sheets.pdf", "attendance"),
    ("rooming", "Rooming list.pdf", "rooming"),
    ("dietary", "Dietary list.pdf", "dietary"),
    ("passengers", "Passenger list.pdf", "passengers"),
)
"""The organiser's documents: (export kind, file name, what the progress calls it)."""

Guard = Callable[[Path], Path]
"""Checks a file about to be written (e.g. never the database); returns it or raises."""

Step = Callable[[int, int, str], None]
"""Progress: (done, total, what comes next); may raise ExportCancelled."""


@dataclass(frozen=True)
class PackRequest:
    """What a pack holds.

    Attributes:
        options: the documents' options (paper, zone, ways, generated_at, logo, layout).
            ``generated_at`` None means now (one instant for the whole pack).
        only: Person ids to write packs for, in any order (None: every confirmed
            attendee).
        zip: one zip per attendee instead of a folder.
        eml: one ``.eml`` draft per attendee.
        organiser: also the organiser's documents.
    """

    options: ExportOptions = field(default_factory=ExportOptions)
    only: tuple[int, ...] | None = None
    zip: bool = False
    eml: bool = False
    organiser: bool = False


@dataclass(frozen=True)
class AttendeePack:
    """One attendee's pack as written.

    Attributes:
        person_id: who.
        name: the safe name of their folder or zip (no extension).
        path: their folder, or their zip.
        itinerary / calendar: the itinerary and calendar's file names inside it.
        eml: their draft, if written.
        has_email: whether the draft has a recipient.
        changes: what changed since their last pack (a "what changed" PDF is in it).
        key: the attendee's key in the send log and Message-ID (``mail.key_of``).
        final: someone who no longer attends: their pack is only a calendar that
            cancels what they were sent (``itinerary`` is "").
    """

    person_id: int
    name: str
    path: Path
    itinerary: str
    calendar: str
    eml: Path | None = None
    has_email: bool = True
    changes: tuple[str, ...] = ()
    final: bool = False
    key: str = ""


@dataclass
class PackResult:
    """What a pack wrote (complete files only)."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    attendees: list[AttendeePack] = field(default_factory=list)
    pack_id: str = ""
    calendars: dict[str, dict[str, PublishedEvent]] = field(default_factory=dict)
    """What each complete attendee's calendar holds, by audience key (``person:ID``)."""

    @property
    def missing_email(self) -> list[int]:
        """Person ids whose draft has no recipient (no e-mail address)."""
        return [a.person_id for a in self.attendees if a.eml is not None and not a.has_email]


class PackFailed(OutputError):
    """A file of one attendee's pack could not be written; ``result`` lists the packs
    written complete before it (their calendars are out: record them). The message
    names the attendee by person number, never by name."""

    def __init__(self, result: PackResult, message: str) -> None:
        super().__init__(message)
        self.result = result


class PackCancelled(ExportCancelled):
    """The pack was cancelled between two steps; ``result`` lists what is complete."""

    def __init__(self, result: PackResult) -> None:
        super().__init__(
            f"cancelled; {len(result.attendees)} attendee pack(s) were written complete "
            f"in {result.folder}"
        )
        self.result = result


# --------------------------------------------------------------------------- names


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def safe_name(text: str, taken: set[str] | None = None, *, fallback: str = "Attendee") -> str:
    """``text`` as a file or folder name safe everywhere, unique among ``taken``.

    Separators, ``<>:"|?*`` and control characters become ``_``; white space is
    collapsed; leading dots and spaces and trailing dots and spaces go (so ``..`` and
    hidden names cannot be made); a name Windows reserves (``CON``, ``com1.txt``…)
    gets a ``_``; at most ``MAX_NAME`` characters. Accents and other scripts stay
    (in NFC). ``taken`` holds the names already used (case-folded, updated): a
    duplicate gets `` (2)``, `` (3)``….
    """
    name = unicodedata.normalize("NFC", text)
    name = "".join(
        "_"
        if c in _FORBIDDEN or unicodedata.category(c).startswith("C")
        else " "
        if unicodedata.category(c).startswith("Z")
        else c
        for c in name
    )
    name = " ".join(name.split())
    name = name.lstrip(". ").rstrip(". ")[:MAX_NAME].rstrip(". ")
    if not name or not name.strip("_"):
        name = fallback
    if name.split(".")[0].strip().upper() in RESERVED:
        name = f"{name}_"
    if taken is None:
        return name
    unique, n = name, 1
    while _key(unique) in taken:
        n += 1
        suffix = f" ({n})"
        unique = name[: MAX_NAME - len(suffix)].rstrip(". ") + suffix
    taken.add(_key(unique))
    return unique


# --------------------------------------------------------------------------- who


def attendees(
    delegation: Delegation, only: Iterable[int] | None = None, *, also: Iterable[int] = ()
) -> list[Participation]:
    """The attendees a pack is for, by name: those named (any status, except people
    who no longer attend, ``also``), else the confirmed ones. ExportError names a
    person id that is neither in the delegation nor in ``also``."""
    everyone = sorted(
        delegation.participations, key=lambda p: (p.person.sort_name.casefold(), p.person_id)
    )
    if only is None:
        return [p for p in everyone if p.confirmed]
    former = set(also)
    wanted = [i for i in dict.fromkeys(only) if i not in former]
    known = {p.person_id for p in everyone}
    for person_id in wanted:
        if person_id not in known:
            raise ExportError(
                f"person #{person_id} is not in the delegation #{delegation.id}: "
                "choose one of its attendees"
            )
    chosen = set(wanted)
    return [p for p in everyone if p.person_id in chosen]


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Former:
    """Someone who received a calendar of the delegation and no longer attends it
    (withdrawn, or removed): their pack is a final calendar cancelling what they hold.

    Attributes:
        person: who (a Person, loaded).
        published: what their last calendar held, by UID.
        changes: the sentences that say what is cancelled (their e-mail's first lines).
    """

    person: Person
    published: Mapping[str, PublishedEvent]
    changes: Sequence[str] = ()


@contextmanager
def _failing(result: PackResult, person_id: int) -> Iterator[None]:
    """Turn a failure to write one attendee's files into ``PackFailed``: why, in one
    line naming the person by number (file names hold their name)."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):
            why = "a file is where their folder or zip goes; move it away or choose another folder"
        else:
            why = str(output_error(exc, Path("-"))).removeprefix("cannot write -: ")
        raise PackFailed(
            result,
            f"cannot write the pack of person #{person_id} in {result.folder}: {why}; "
            f"{len(result.attendees)} pack(s) before it were written complete",
        ) from None


@contextmanager
def _staging(folder: Path) -> Iterator[Path]:
    """A hidden folder inside ``folder`` where one attendee's files are prepared."""
    staging = Path(tempfile.mkdtemp(prefix=".pack-", dir=folder))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _deliver(
    result: PackResult,
    name: str,
    staging: Path,
    inside: Sequence[str],
    message: EmailMessage | None,
    as_zip: bool,
    check: Guard,
) -> tuple[Path, Path | None]:
    """Move one attendee's staged files into place (their folder, or one zip), then
    their draft beside it; returns (folder or zip, draft)."""
    from delegations.exports.mail import message_bytes

    folder = result.folder
    if as_zip:
        path = check(folder / f"{name}.zip")
        with (
            atomic_write(path) as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for entry in inside:
                archive.write(staging / entry, entry)
        written = [path]
    else:
        path = folder / name
        targets = [check(path / entry) for entry in inside]
        path.mkdir(exist_ok=True)
        for target in targets:
            os.replace(staging / target.name, target)
        written = targets
    eml = None
    if message is not None:
        eml = check(folder / f"{name}.eml")
        with atomic_write(eml) as handle:
            handle.write(message_bytes(message))
        written.append(eml)
    result.files.extend(written)
    return path, eml


def write_pack(
    delegation: Delegation,
    folder: Path,
    request: PackRequest,
    *,
    published: Mapping[int, Mapping[str, PublishedEvent]] | None = None,
    changes: Mapping[int, Sequence[str]] | None = None,
    former: Sequence[Former] = (),
    guard: Guard | None = None,
    progress: Step | None = None,
) -> PackResult:
    """Write the pack of ``delegation`` into ``folder`` (see the module docstring).

    Args:
        delegation: fully loaded (``services.queries.load_delegation``).
        folder: where to write; created if missing.
        request: what to write.
        published: per person id, what their last calendar held (by UID): their new
            calendar cancels what is gone from it.
        changes: per person id, what changed since their last pack (sentences).
        former: people owed a final calendar (``Former``): each gets a folder with it
            and, with ``eml``, a draft saying their participation ended (skipped once
            the visit is over; with ``only``, those named only).
        guard: checks each file before it is written (the database is never one).
        progress: (done, total, next step); raising ExportCancelled stops the pack.

    Raises:
        ExportError: a person named is not in the delegation; nothing was written.
        PackCancelled: ``progress`` cancelled; ``result`` holds what is complete.
        OutputError: a file could not be written; complete attendee packs stay.
    """
    from delegations.exports.ical import shared_events

    # One disk flush for the whole pack, not one per file; each event serialised once.
    with one_sync(), shared_events():
        return _write(delegation, folder, request, published, changes, former, guard, progress)


def _write(
    delegation: Delegation,
    folder: Path,
    request: PackRequest,
    published: Mapping[int, Mapping[str, PublishedEvent]] | None,
    changes: Mapping[int, Sequence[str]] | None,
    former: Sequence[Former],
    guard: Guard | None,
    progress: Step | None,
) -> PackResult:
    from delegations.exports import run_export
    from delegations.exports.changes import write_changes
    from delegations.exports.ical import snapshot, visit_end
    from delegations.exports.mail import attendee_message, farewell_message, key_of, pack_id

    at = generated_at(request.options)
    farewells = [
        f
        for f in former
        if (request.only is None or f.person.id in request.only) and at <= visit_end(delegation)
    ]
    people = attendees(delegation, request.only, also=[f.person.id for f in former])
    base = replace(request.options, generated_at=at, progress=None)
    check: Guard = guard or (lambda path: path)
    published = published or {}
    changes = changes or {}
    folder = Path(folder)
    result = PackResult(folder=folder, pack_id=pack_id(delegation, at))
    organiser = ORGANISER_FILES if request.organiser else ()
    total = 1 + len(organiser) + len(people) + len(farewells)
    done = 0

    def step(what: str) -> None:
        nonlocal done
        if progress is not None:
            try:
                progress(done, total, what)
            except ExportCancelled:
                raise PackCancelled(result) from None
        done += 1

    folder.mkdir(parents=True, exist_ok=True)
    step("programme")
    programme = check(folder / PROGRAMME)
    result.files.append(run_export("programme", delegation, programme, base))
    for kind, name, what in organiser:
        step(what)
        options = replace(base, qr=True) if kind == "badges" else base
        target = check(folder / ORGANISER / name)
        result.files.append(run_export(kind, delegation, target, options))

    taken = {_key(ORGANISER), _key(Path(PROGRAMME).stem)}
    for participation in people:
        person = participation.person
        step(f"attendee #{person.id}")
        name = safe_name(person.full_name, taken)
        personal = replace(base, attendee_id=participation.person_id)
        calendar = replace(personal, published=dict(published.get(person.id) or {}))
        changed = tuple(changes.get(person.id) or ())
        itinerary_name = f"{name} itinerary.pdf"
        calendar_name = f"{name} calendar.ics"
        changes_name = f"{name} what changed.pdf"
        inside = [itinerary_name, calendar_name] + ([changes_name] if changed else [])
        with _failing(result, person.id), _staging(folder) as staging:
            run_export("itinerary", delegation, staging / itinerary_name, personal)
            run_export("ical", delegation, staging / calendar_name, calendar)
            if changed:
                write_changes(delegation, participation, changed, staging / changes_name, personal)
            message = None
            if request.eml:
                message = attendee_message(
                    delegation,
                    participation,
                    itinerary=(staging / itinerary_name).read_bytes(),
                    itinerary_name=itinerary_name,
                    calendar=(staging / calendar_name).read_bytes(),
                    calendar_name=calendar_name,
                    pack=result.pack_id,
                    at=at,
                    changes=changed,
                    extra=[(changes_name, (staging / changes_name).read_bytes())]
                    if changed
                    else (),
                )
            path, eml = _deliver(result, name, staging, inside, message, request.zip, check)
        result.attendees.append(
            AttendeePack(
                person_id=participation.person_id,
                name=name,
                path=path,
                itinerary=itinerary_name,
                calendar=calendar_name,
                eml=eml,
                has_email=bool((person.email or "").strip()),
                changes=changed,
                key=key_of(participation.uuid, participation.id),
            )
        )
        result.calendars[person_audience(person.id)] = snapshot(delegation, calendar)

    for gone in farewells:
        person = gone.person
        step(f"former attendee #{person.id}")
        name = safe_name(person.full_name, taken)
        calendar = replace(base, attendee_id=person.id, published=dict(gone.published))
        calendar_name = f"{name} calendar.ics"
        with _failing(result, person.id), _staging(folder) as staging:
            run_export("ical", delegation, staging / calendar_name, calendar)
            message = None
            if request.eml:
                message = farewell_message(
                    delegation,
                    person,
                    calendar=(staging / calendar_name).read_bytes(),
                    calendar_name=calendar_name,
                    pack=result.pack_id,
                    at=at,
                    changes=tuple(gone.changes),
                )
            path, eml = _deliver(
                result, name, staging, [calendar_name], message, request.zip, check
            )
        result.attendees.append(
            AttendeePack(
                person_id=person.id,
                name=name,
                path=path,
                itinerary="",
                calendar=calendar_name,
                eml=eml,
                has_email=bool((person.email or "").strip()),
                changes=tuple(gone.changes),
                final=True,
                key=key_of(person.uuid, person.id),
            )
        )
        result.calendars[person_audience(person.id)] = snapshot(delegation, calendar)
    if progress is not None:
        with suppress(ExportCancelled):  # everything is written: too late to cancel
            progress(total, total, "done")
    return result
