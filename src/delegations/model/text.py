"""Text rules stated once: folding for searches, and how counts are worded."""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_SPECIAL = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss",
     "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i"}
)  # fmt: skip


def fold(text: str | None) -> str:
    """Lower-case ``text`` and drop accents: ``José`` → ``jose``, ``Łódź`` → ``lodz``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


# Nouns whose plural is not the noun plus "s"; every other noun takes an "s".
_IRREGULAR_PLURALS = {"person": "people", "backup copy": "backup copies"}


def count_of(count: int, noun: str) -> str:
    """``1 person``, ``2 people``, ``0 attendees``, ``3 agenda items``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {_IRREGULAR_PLURALS.get(noun, noun + 's')}"


MAX_ID = 2**63 - 1
"""The largest id SQLite can store: a bigger number given as an id names no record."""


def as_id(text: str) -> int | None:
    """``text`` as a record id ("12", "#12"), or None when it is not one: not digits, or
    too big for SQLite (which would overflow rather than find nothing)."""
    number = text.strip().removeprefix("#")
    if not (number.isascii() and number.isdigit()):
        return None
    value = int(number)
    return value if value <= MAX_ID else None
