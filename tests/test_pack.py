"""Attendee packs: every attendee's itinerary, calendar, "what changed" page and draft."""

from __future__ import annotations

import email
import zipfile
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from delegations.cli import main
from delegations.exports import ExportCancelled, ExportOptions
from delegations.exports.mail import drafts, message_key
from delegations.exports.pack import (
    MAX_NAME,
    RESERVED,
    PackCancelled,
    PackRequest,
    safe_name,
    write_pack,
)
from delegations.model import Delegation, ItemStatus, ParticipationStatus
from delegations.services import operations as ops
from delegations.services import publications, queries
from delegations.services.history import perform
from delegations.store import Database
from ics_support import check_ics

STAMP = datetime(2027, 5, 20, 8, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def before_the_visit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Packs are made before the demo visit (July 2027), whatever today's date: once a
    visit is over, calendars no longer carry what is gone."""
    from delegations.workflows import packs

    moments = iter(STAMP + timedelta(minutes=n) for n in range(1000))
    monkeypatch.setattr(packs, "utc_now", lambda: next(moments))


def load(db: Database) -> Delegation:
    with db.session() as session:
        return queries.load_delegation(session, queries.list_delegations(session)[0].id)


def pack(db: Database, out: Path, *extra: str) -> int:
    delegation = load(db)
    return main(["--db", str(db.path), "pack", str(delegation.id), "--out", str(out), *extra])


def parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def calendar_events(data: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(data)
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


# ------------------------------------------------------------------ the command


def test_pack_writes_every_confirmed_attendee_and_records_their_calendar(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delegation = load(demo_db)
    confirmed = [p for p in delegation.participations if p.confirmed]
    out = tmp_path / "packs"
    assert pack(demo_db, out, "--eml", "--quiet") == 0
    said = capsys.readouterr()
    assert f"Wrote {len(confirmed)} attendee packs" in said.out
    assert (out / "Programme.pdf").read_bytes().startswith(b"%PDF")
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(folders) == len(confirmed)
    for folder in folders:
        names = sorted(p.name for p in folder.iterdir())
        assert names == [f"{folder.name} calendar.ics", f"{folder.name} itinerary.pdf"]
    assert len(list(out.glob("*.eml"))) == len(confirmed)
    assert not list(out.glob(".pack-*")), "no staging folder is left behind"
    with demo_db.session() as session:
        for p in confirmed:
            audience = publications.audience_key(person_id=p.person_id)
            assert publications.last_publication(session, delegation.id, audience) is not None


def test_second_pack_cancels_what_is_gone_and_says_what_changed(
    demo_db: Database, tmp_path: Path
) -> None:
    delegation = load(demo_db)
    gone = next(i for i in delegation.items if i.everyone and i.status != ItemStatus.CANCELLED)
    moved = next(i for i in delegation.items if i.everyone and i.id != gone.id)
    assert pack(demo_db, tmp_path / "one", "--eml", "--quiet") == 0
    perform(demo_db, ops.delete_items([gone.id]))
    later = timedelta(hours=1)
    perform(demo_db, ops.move_item(moved.id, moved.starts_at + later, moved.ends_at + later))
    assert pack(demo_db, tmp_path / "two", "--eml", "--zip", "--quiet") == 0

    zips = sorted((tmp_path / "two").glob("*.zip"))
    assert zips
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            stem = path.stem
            assert names == {
                f"{stem} itinerary.pdf",
                f"{stem} calendar.ics",
                f"{stem} what changed.pdf",
            }
            assert archive.read(f"{stem} what changed.pdf").startswith(b"%PDF")
            events = calendar_events(archive.read(f"{stem} calendar.ics"))
        assert str(events[gone.uuid]["STATUS"]) == "CANCELLED"  # type: ignore[index]
        message = parse(path.with_suffix(".eml"))
        body = message.get_body(("plain",))
        assert body is not None
        lines = body.get_content().splitlines()
        assert lines[2] == "Since the last programme we sent you:"
        assert any(line.startswith("- Cancelled: ") and gone.title in line for line in lines)
        assert any(line.startswith("- Moved: ") and moved.title in line for line in lines)
        attached = [part.get_filename() for part in message.iter_attachments()]
        assert f"{path.stem} what changed.pdf" in attached


def test_pack_changes_page_text(demo_db: Database, tmp_path: Path) -> None:
    """The "what changed" PDF carries each change, its lead word and the name."""
    from pypdf import PdfReader

    delegation = load(demo_db)
    gone = next(i for i in delegation.items if i.everyone and i.status != ItemStatus.CANCELLED)
    assert pack(demo_db, tmp_path / "one", "--quiet") == 0
    perform(demo_db, ops.delete_items([gone.id]))
    assert pack(demo_db, tmp_path / "two", "--quiet") == 0
    page = next((tmp_path / "two").glob("*/* what changed.pdf"))
    text = " ".join(p.extract_text() for p in PdfReader(page).pages)
    assert "What changed" in text and "Cancelled:" in text
    assert gone.title.split()[0] in text


def test_drafts_are_rfc5322_with_utf8_names_and_a_publish_calendar(
    demo_db: Database, tmp_path: Path
) -> None:
    delegation = load(demo_db)
    out = tmp_path / "packs"
    assert pack(demo_db, out, "--eml", "--quiet") == 0
    by_email = {p.person.email: p for p in delegation.participations if p.person.email}
    lead = delegation.lead_officer
    for path in out.glob("*.eml"):
        raw = path.read_bytes()
        assert b"\r\n" in raw and all(len(line) <= 998 for line in raw.split(b"\r\n"))
        raw.decode("ascii")  # headers encoded (RFC 2047), bodies base64 or 7-bit
        message = parse(path)
        assert message["X-Unsent"] == "1"
        assert message["Subject"].startswith("Your programme: ")
        assert lead is not None and lead.email in message["From"]
        to = message["To"].addresses[0]
        person = by_email[f"{to.username}@{to.domain}"].person
        assert to.display_name == person.full_name  # accents and Greek survive
        parts = {part.get_content_type(): part for part in message.iter_attachments()}
        ics = parts["text/calendar"]
        assert ics.get_param("method") == "PUBLISH"
        assert ics.get_filename() == f"{path.stem} calendar.ics"
        assert b"BEGIN:VCALENDAR" in ics.get_content().encode()
        assert parts["application/pdf"].get_content().startswith(b"%PDF")
    keys = [key for key, _ in drafts(out)]
    assert len(keys) == len(set(keys)) == len(list(out.glob("*.eml")))
    assert all(message["X-Unsent"] is None for _, message in drafts(out))


def test_only_named_attendees(demo_db: Database, tmp_path: Path) -> None:
    delegation = load(demo_db)
    chosen = next(p for p in delegation.participations if p.confirmed)
    out = tmp_path / "one"
    assert pack(demo_db, out, "--only", str(chosen.person_id), "--quiet") == 0
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert [f.name for f in folders] == [chosen.person.full_name]


def test_bad_requests_exit_1_with_one_line_and_write_nothing(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delegation = load(demo_db)
    outsider = max(p.person_id for p in delegation.participations) + 1000
    assert pack(demo_db, tmp_path / "x", "--only", str(outsider), "--quiet") == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    # the database itself, or a file, is refused as the output folder
    assert pack(demo_db, demo_db.path, "--quiet") in (1, 2)
    assert "database" in capsys.readouterr().err
    afile = tmp_path / "file.txt"
    afile.write_text("keep")
    assert pack(demo_db, afile, "--quiet") == 2
    assert afile.read_text() == "keep"


def test_cancel_leaves_complete_packs_only(demo_db: Database, tmp_path: Path) -> None:
    delegation = load(demo_db)
    calls = 0
    out = tmp_path / "pack"  # not beside the database (and its backups folder)

    def progress(done: int, total: int, what: str) -> None:
        nonlocal calls
        calls += 1
        if what.startswith("attendee") and done >= 3:
            raise ExportCancelled("stop")

    with pytest.raises(PackCancelled) as caught:
        write_pack(
            delegation,
            out,
            PackRequest(options=ExportOptions(generated_at=STAMP)),
            progress=progress,
        )
    result = caught.value.result
    assert len(result.attendees) == 2
    assert set(result.calendars) == {f"person:{a.person_id}" for a in result.attendees}
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert sorted(f.name for f in folders) == sorted(a.name for a in result.attendees)
    for folder in folders:
        assert len(list(folder.iterdir())) == 2
    assert not list(out.glob(".pack-*"))


def test_drafts_refuse_foreign_and_duplicate_files(demo_db: Database, tmp_path: Path) -> None:
    from delegations.exports import ExportError

    with pytest.raises(ExportError, match="no e-mail drafts"):
        drafts(tmp_path)
    assert pack(demo_db, tmp_path, "--eml", "--quiet") == 0
    first = sorted(tmp_path.glob("*.eml"))[0]
    other = tmp_path / "zz.eml"
    message = parse(first)
    del message["Message-ID"]
    message["Message-ID"] = "<someone@example.org>"
    other.write_bytes(message.as_bytes())
    with pytest.raises(ExportError, match="not a draft written by Delegations"):
        drafts(tmp_path)
    other.unlink()
    assert message_key(parse(first)) is not None


# ------------------------------------------------------------------ names


@given(st.text(max_size=300))
def test_safe_name_is_safe_everywhere(text: str) -> None:
    taken: set[str] = set()
    first = safe_name(text, taken)
    second = safe_name(text, taken)
    for name in (first, second):
        assert name and len(name) <= MAX_NAME
        assert not any(c in name for c in '<>:"/\\|?*') and name.isprintable()
        assert not name.startswith((".", " ")) and not name.endswith((".", " "))
        assert name.split(".")[0].strip().upper() not in RESERVED
    assert first.casefold() != second.casefold()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../etc/passwd", "_.._etc_passwd"),
        ("CON", "CON_"),
        ("  Zoé   Lefèvre ", "Zoé Lefèvre"),
        ("...", "Attendee"),
    ],
)
def test_safe_name_examples(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_people_no_longer_attending_get_a_final_calendar_once(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delegation = load(demo_db)
    confirmed = [p for p in delegation.participations if p.confirmed]
    removed, withdrawn = confirmed[0], confirmed[1]
    assert pack(demo_db, tmp_path / "one", "--eml", "--quiet") == 0
    capsys.readouterr()
    perform(demo_db, ops.remove_attendees([removed.id]))
    perform(demo_db, ops.update_attendees([withdrawn.id], {"status": ParticipationStatus.DECLINED}))
    assert pack(demo_db, tmp_path / "two", "--eml", "--quiet") == 0
    assert "2 final calendars for people no longer attending" in capsys.readouterr().out
    for gone in (removed, withdrawn):
        name = gone.person.full_name
        folder = tmp_path / "two" / name
        assert sorted(p.name for p in folder.iterdir()) == [f"{name} calendar.ics"]
        events = calendar_events((folder / f"{name} calendar.ics").read_bytes())
        before = calendar_events((tmp_path / "one" / name / f"{name} calendar.ics").read_bytes())
        assert events and set(events) == set(before)
        assert all(str(e["STATUS"]) == "CANCELLED" for e in events.values())  # type: ignore[index]
        check_ics(folder / f"{name} calendar.ics", tmp_path / "one" / name / f"{name} calendar.ics")
        message = parse(tmp_path / "two" / f"{name}.eml")
        assert message["Subject"].startswith("Cancelled: your programme for ")
        body = message.get_body(("plain",))
        assert body is not None and "- Cancelled: " in body.get_content()
        kinds = [part.get_content_type() for part in message.iter_attachments()]
        assert kinds == ["text/calendar"]
    keys = [key for key, _ in drafts(tmp_path / "two")]
    assert len(keys) == len(set(keys)) == len(confirmed)

    # Their final calendar was recorded: the next pack owes them nothing more.
    assert pack(demo_db, tmp_path / "three", "--quiet") == 0
    assert "final calendar" not in capsys.readouterr().out
    assert not (tmp_path / "three" / removed.person.full_name).exists()


def test_only_may_name_someone_no_longer_attending(demo_db: Database, tmp_path: Path) -> None:
    delegation = load(demo_db)
    gone = next(p for p in delegation.participations if p.confirmed)
    assert pack(demo_db, tmp_path / "one", "--quiet") == 0
    perform(demo_db, ops.remove_attendees([gone.id]))
    assert pack(demo_db, tmp_path / "two", "--only", str(gone.person_id), "--quiet") == 0
    folders = [p.name for p in (tmp_path / "two").iterdir() if p.is_dir()]
    assert folders == [gone.person.full_name]


def test_a_file_in_the_way_fails_in_one_line_without_names_and_keeps_complete_packs(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delegation = load(demo_db)
    confirmed = sorted(
        (p for p in delegation.participations if p.confirmed),
        key=lambda p: (p.person.sort_name.casefold(), p.person_id),
    )
    blocked = confirmed[2]
    out = tmp_path / "packs"
    out.mkdir()
    (out / blocked.person.full_name).write_text("in the way")
    capsys.readouterr()
    assert pack(demo_db, out, "--quiet") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"person #{blocked.person_id}" in err
    assert blocked.person.family_name not in err and "Traceback" not in err
    assert "2 pack(s) before it were written complete" in err
    assert not list(out.glob(".pack-*"))
    with demo_db.session() as session:  # the two complete packs' calendars are recorded
        recorded = [
            p.person_id
            for p in confirmed
            if publications.last_publication(
                session, delegation.id, publications.audience_key(person_id=p.person_id)
            )
        ]
    assert recorded == [p.person_id for p in confirmed[:2]]
