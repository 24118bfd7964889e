"""Documents over a change of UTC offset: each day states its own offset, and the day the
clocks change says when and how.

A visit over the last weekend of October 2027 in Madrid: summer time ends on Sunday
31 October at 03:00 (UTC+2 → UTC+1). The PDFs are read back with pypdf.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from delegations.exports import ExportOptions, run_export
from delegations.exports.common import (
    clock,
    clock_range,
    day_zone_label,
    offset_changes,
    offset_text,
)
from delegations.model import (
    AgendaItem,
    Delegation,
    ItemKind,
    ItemStatus,
    Organisation,
    Participation,
    ParticipationStatus,
    Person,
    Role,
)

STAMP = datetime(2027, 10, 1, 9, 0, tzinfo=UTC)
BACK = "Clocks go back one hour at 03:00 (UTC+2 → UTC+1)"
FORWARD = "Clocks go forward one hour at 02:00 (UTC+1 → UTC+2)"
SUMMER = "Europe/Madrid (CEST, UTC+02:00)"
WINTER = "Europe/Madrid (CET, UTC+01:00)"


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def visit(
    start: date,
    end: date,
    items: list[tuple[str, datetime, datetime]],
    zone: str = "Europe/Madrid",
) -> Delegation:
    """A delegation to ``zone`` with two attendees and ``items`` (title, start, end) for all."""
    ids = count(1)
    org = Organisation(id=next(ids), name="Cluster", acronym="", country="Spain", city="Madrid")
    delegation = Delegation(
        id=next(ids),
        title="Autumn study visit",
        programme="",
        destination_city="Madrid",
        destination_country="Spain",
        timezone=zone,
        start_date=start,
        end_date=end,
        objectives="",
        emergency_contacts="",
    )
    for given, family in [("Ana", "García"), ("Piotr", "Nowak")]:
        person = Person(
            id=next(ids),
            given_name=given,
            family_name=family,
            organisation=org,
            email=f"{given.lower()}@example.org",
            phone="",
            dietary_needs="",
            accessibility_needs="",
            job_title="",
        )
        delegation.participations.append(
            Participation(
                id=next(ids),
                person=person,
                person_id=person.id,
                role=Role.DELEGATE,
                status=ParticipationStatus.CONFIRMED,
                badge_name="",
                hotel="",
                hotel_address="",
                room_notes="",
            )
        )
    for title, starts_at, ends_at in items:
        delegation.items.append(
            AgendaItem(
                id=next(ids),
                title=title,
                kind=ItemKind.VISIT,
                starts_at=starts_at,
                ends_at=ends_at,
                status=ItemStatus.CONFIRMED,
                everyone=True,
                description="",
            )
        )
    return delegation


@pytest.fixture
def october() -> Delegation:
    """Saturday 30 October – Monday 1 November 2027 in Madrid, an item each day."""
    return visit(
        date(2027, 10, 30),
        date(2027, 11, 1),
        [
            ("Saturday studio visit", utc(2027, 10, 30, 8), utc(2027, 10, 30, 10)),  # 10:00 CEST
            ("Sunday market walk", utc(2027, 10, 31, 9), utc(2027, 10, 31, 11)),  # 10:00 CET
            ("Monday workshop", utc(2027, 11, 1, 9), utc(2027, 11, 1, 10, 30)),  # 10:00 CET
        ],
    )


def export(kind: str, delegation: Delegation, out: Path, **options: Any) -> Path:
    options.setdefault("generated_at", STAMP)
    return run_export(kind, delegation, out, ExportOptions(**options))


def pages(path: Path) -> list[str]:
    """The text of each page, lines that wrap joined again."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def section(text: str, heading: str, following: str | None) -> str:
    """The part of ``text`` from ``heading`` to ``following`` (or the end)."""
    start = text.index(heading)
    return text[start : text.index(following, start) if following else None]


# --- finding the changes ------------------------------------------------------------------------


def test_the_end_of_summer_time_in_madrid_is_found_on_its_day_to_the_second() -> None:
    (change,) = offset_changes("Europe/Madrid", date(2027, 10, 31))
    assert change.instant == utc(2027, 10, 31, 1)
    assert change.day == date(2027, 10, 31)
    assert (change.before, change.after) == (timedelta(hours=2), timedelta(hours=1))
    assert (change.before_name, change.after_name) == ("CEST", "CET")
    assert change.note() == BACK
    assert offset_changes("Europe/Madrid", date(2027, 10, 30)) == []
    assert offset_changes("Europe/Madrid", date(2027, 11, 1)) == []


def test_a_year_in_madrid_has_two_changes_and_a_summer_week_none() -> None:
    year = offset_changes("Europe/Madrid", date(2027, 1, 1), date(2027, 12, 31))
    assert [(c.day, c.note()) for c in year] == [
        (date(2027, 3, 28), FORWARD),
        (date(2027, 10, 31), BACK),
    ]
    assert offset_changes("Europe/Madrid", date(2027, 7, 1), date(2027, 7, 7)) == []
    assert offset_changes("Asia/Kolkata", date(2027, 1, 1), date(2027, 12, 31)) == []
    assert offset_changes("UTC", date(2027, 1, 1), date(2027, 12, 31)) == []


@pytest.mark.parametrize(
    ("zone", "day", "note"),
    [
        ("Europe/London", date(2027, 10, 31), "Clocks go back one hour at 02:00 (UTC+1 → UTC+0)"),
        (
            "Australia/Lord_Howe",
            date(2027, 4, 4),
            "Clocks go back 30 minutes at 02:00 (UTC+11 → UTC+10:30)",
        ),
        (
            "America/New_York",
            date(2027, 3, 14),
            "Clocks go forward one hour at 02:00 (UTC-5 → UTC-4)",
        ),
    ],
)
def test_changes_elsewhere_are_said_with_their_own_amount_and_offsets(
    zone: str, day: date, note: str
) -> None:
    assert [c.note() for c in offset_changes(zone, day)] == [note]


def test_offsets_are_written_short() -> None:
    assert offset_text(timedelta(hours=2)) == "UTC+2"
    assert offset_text(timedelta(hours=-3)) == "UTC-3"
    assert offset_text(timedelta(hours=5, minutes=30)) == "UTC+5:30"
    assert offset_text(timedelta(hours=-9, minutes=-30)) == "UTC-9:30"
    assert offset_text(timedelta()) == "UTC+0"


def test_the_label_of_a_day_gives_its_offset_and_on_the_change_both() -> None:
    assert day_zone_label("Europe/Madrid", date(2027, 10, 30)) == SUMMER
    assert day_zone_label("Europe/Madrid", date(2027, 11, 1)) == WINTER
    assert day_zone_label("Europe/Madrid", date(2027, 10, 31)) == (
        "Europe/Madrid (CEST, UTC+02:00 until 03:00, then CET, UTC+01:00)"
    )


def test_a_time_that_occurs_twice_carries_its_offset() -> None:
    zone = "Europe/Madrid"
    first, second = utc(2027, 10, 31, 0, 30), utc(2027, 10, 31, 1, 30)  # 02:30 twice
    assert clock(first, zone) == "02:30 (UTC+2)"
    assert clock(second, zone) == "02:30 (UTC+1)"
    assert clock(utc(2027, 10, 31, 9), zone) == "10:00"
    assert clock_range(utc(2027, 10, 30, 8), utc(2027, 10, 30, 10), zone) == "10:00–12:00"


# --- the itinerary ------------------------------------------------------------------------------


def test_the_itinerary_states_the_offset_of_each_day_and_the_change_on_its_day(
    october: Delegation, tmp_path: Path
) -> None:
    text = " ".join(pages(export("itinerary", october, tmp_path / "itinerary.pdf")))
    cover = text[: text.index("Programme")]
    # The cover does not claim one offset for the whole visit.
    assert SUMMER not in cover and WINTER not in cover
    assert "local times in Europe/Madrid" in cover
    assert "on Sunday 31 October 2027, clocks go back one hour at 03:00" in cover
    saturday = section(text, "Saturday 30 October 2027 Times:", "Sunday 31 October 2027 Times:")
    sunday = section(text, "Sunday 31 October 2027 Times:", "Monday 1 November 2027 Times:")
    monday = section(text, "Monday 1 November 2027 Times:", None)
    assert SUMMER in saturday and "Clocks go" not in saturday
    assert "until 03:00, then CET, UTC+01:00" in sunday and BACK in sunday
    assert WINTER in monday and "Clocks go" not in monday and SUMMER not in monday
    # Times are local clock times on each side of the change.
    assert "10:00–12:00 Saturday studio visit" in saturday
    assert "10:00–12:00 Sunday market walk" in sunday
    assert "10:00–11:30 Monday workshop" in monday


def test_a_personal_itinerary_says_it_too(october: Delegation, tmp_path: Path) -> None:
    ana = october.participations[0].person
    out = export("itinerary", october, tmp_path / "ana.pdf", attendee_id=ana.id)
    text = " ".join(pages(out))
    assert "Ana García" in text
    assert BACK in section(text, "Sunday 31 October 2027 Times:", "Monday 1 November 2027")


def test_the_day_of_the_change_is_said_even_without_items(tmp_path: Path) -> None:
    quiet_sunday = visit(
        date(2027, 10, 30),
        date(2027, 11, 1),
        [
            ("Saturday studio visit", utc(2027, 10, 30, 8), utc(2027, 10, 30, 10)),
            ("Monday workshop", utc(2027, 11, 1, 9), utc(2027, 11, 1, 10, 30)),
        ],
    )
    text = " ".join(pages(export("itinerary", quiet_sunday, tmp_path / "quiet.pdf")))
    sunday = section(text, "Sunday 31 October 2027 Times:", "Monday 1 November 2027 Times:")
    assert BACK in sunday and "No programme items on this day." in sunday


def test_spring_forward_is_said_as_forward(tmp_path: Path) -> None:
    march = visit(
        date(2027, 3, 27),
        date(2027, 3, 28),
        [
            ("Saturday visit", utc(2027, 3, 27, 9), utc(2027, 3, 27, 10)),  # 10:00 CET
            ("Sunday visit", utc(2027, 3, 28, 8), utc(2027, 3, 28, 9)),  # 10:00 CEST
        ],
    )
    text = " ".join(pages(export("itinerary", march, tmp_path / "march.pdf")))
    sunday = section(text, "Sunday 28 March 2027 Times:", None)
    assert FORWARD in sunday and "10:00–11:00 Sunday visit" in sunday
    assert WINTER in section(text, "Saturday 27 March 2027 Times:", "Sunday 28 March 2027 Times:")


def test_a_visit_without_a_change_keeps_one_statement_and_no_clock_note(tmp_path: Path) -> None:
    july = visit(
        date(2027, 7, 1),
        date(2027, 7, 2),
        [("Visit", utc(2027, 7, 1, 8), utc(2027, 7, 1, 10))],
    )
    text = " ".join(pages(export("itinerary", july, tmp_path / "july.pdf")))
    assert f"All programme times are local times in {SUMMER}." in text
    assert "Clocks go" not in text
    assert "Thursday 1 July 2027 Times: " + SUMMER in text


# --- the programme ------------------------------------------------------------------------------


def test_the_programme_says_the_change_on_its_days_page_only(
    october: Delegation, tmp_path: Path
) -> None:
    saturday, sunday, monday = pages(export("programme", october, tmp_path / "programme.pdf"))
    assert "Saturday 30 October 2027" in saturday and SUMMER in saturday
    assert "Clocks go" not in saturday
    assert "Sunday 31 October 2027" in sunday and BACK in sunday
    assert "until 03:00, then CET, UTC+01:00" in sunday
    assert "Monday 1 November 2027" in monday and WINTER in monday
    assert "Clocks go" not in monday
    assert "10:00" in sunday and "to 12:00" in sunday


def test_an_item_in_the_hour_that_occurs_twice_shows_its_offset(
    october: Delegation, tmp_path: Path
) -> None:
    october.items.append(
        AgendaItem(
            id=999,
            title="Night tour",
            kind=ItemKind.VISIT,
            starts_at=utc(2027, 10, 31, 0, 30),  # 02:30 CEST
            ends_at=utc(2027, 10, 31, 1, 45),  # 02:45 CET
            status=ItemStatus.CONFIRMED,
            everyone=True,
            description="",
        )
    )
    itinerary = " ".join(pages(export("itinerary", october, tmp_path / "itinerary.pdf")))
    assert "02:30 UTC+2– 02:45 UTC+1 Night tour" in itinerary
    assert "10:00–12:00 Sunday market walk" in itinerary
    sunday = pages(export("programme", october, tmp_path / "programme.pdf"))[1]
    assert "02:30 UTC+2 to 02:45 UTC+1 Night tour" in sunday
    assert "10:00 to 12:00 Sunday market walk" in sunday
