"""How counts are worded, and text folding for searches."""

from __future__ import annotations

import pytest

from delegations.model import count_of, fold


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "person", "1 person"),
        (2, "person", "2 people"),
        (0, "person", "0 people"),
        (1, "attendee", "1 attendee"),
        (2, "attendee", "2 attendees"),
        (1, "agenda item", "1 agenda item"),
        (3, "agenda item", "3 agenda items"),
        (3, "delegation", "3 delegations"),
        (2, "journey", "2 journeys"),
        (0, "guest", "0 guests"),
        (2, "room-night", "2 room-nights"),
    ],
)
def test_count_of(count: int, noun: str, expected: str) -> None:
    assert count_of(count, noun) == expected


def test_people_never_persons() -> None:
    assert count_of(2, "person") == "2 people"
    assert "persons" not in count_of(12, "person")


def test_fold_drops_case_accents_and_extra_spaces() -> None:
    assert fold("  José   ÁLVAREZ ") == "jose alvarez"
    assert fold("Łódź") == "lodz"
    assert fold(None) == ""
