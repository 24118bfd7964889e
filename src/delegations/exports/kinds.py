"""Every export the application offers, declared once.

The command line, the exports page and ``run_export`` all read this list. It
imports nothing but the standard library, so reading it costs nothing at
start-up; the module that writes a kind is imported only when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BADGE_LAYOUT = "avery-l7418"
"""The badge layout used unless another is chosen (a file in resources/layouts)."""


@dataclass(frozen=True)
class ExportKind:
    """One export: what it is called, what writes it and which options apply.

    Attributes:
        key: the name ``run_export`` and the command line take.
        label: what the exports page lists.
        module: the module whose ``export`` writes it (imported when it runs).
        options: the option rows that apply, of ``paper``, ``attendee``, ``host``,
            ``layout``, ``order``, ``qr``, ``offset``, ``calibration``, ``per``,
            ``format``, ``unconfirmed`` (include attendees who have not confirmed,
            marked), ``email`` (print e-mail addresses) and ``logo`` (an image).
        formats: the file formats it writes, the default first.
        description: what the document is for.
    """

    key: str
    label: str
    module: str
    options: tuple[str, ...]
    formats: tuple[str, ...]
    description: str = ""


_LISTS = "delegations.exports.lists"

EXPORT_KINDS: tuple[ExportKind, ...] = (
    ExportKind(
        "itinerary",
        "Itinerary (PDF)",
        "delegations.exports.itinerary",
        ("paper", "attendee"),
        ("pdf",),
        "The whole programme with travel and hotel, for the delegation or for one attendee.",
    ),
    ExportKind(
        "programme",
        "Programme, one page per day (PDF)",
        "delegations.exports.programme",
        ("paper",),
        ("pdf",),
        "One page per day, large and clear, for the wall and the coach.",
    ),
    ExportKind(
        "badges",
        "Badges (PDF)",
        "delegations.exports.badges",
        ("layout", "order", "qr", "logo", "unconfirmed", "offset", "calibration"),
        ("pdf",),
        "Name badges on the label sheets or card stock you print on.",
    ),
    ExportKind(
        "attendance",
        "Attendance sheets (PDF)",
        "delegations.exports.attendance",
        ("paper", "per", "logo", "email", "unconfirmed"),
        ("pdf",),
        "Signature sheets per activity, the proof of attendance funders ask for.",
    ),
    ExportKind(
        "rooming",
        "Rooming list",
        _LISTS,
        ("paper", "format", "unconfirmed"),
        ("pdf", "csv"),
        "Who sleeps where, for the hotel.",
    ),
    ExportKind(
        "dietary",
        "Dietary list",
        _LISTS,
        ("paper", "format"),
        ("pdf", "csv"),
        "Dietary and accessibility needs, for the restaurant (personal data: share with care).",
    ),
    ExportKind(
        "passengers",
        "Passenger list",
        _LISTS,
        ("paper", "format", "unconfirmed"),
        ("pdf", "csv"),
        "Who travels when, for the coach company and the meeting points.",
    ),
    ExportKind(
        "ical",
        "Calendar (iCalendar .ics)",
        "delegations.exports.ical",
        ("attendee", "host"),
        ("ics",),
        "For Outlook, Google, Apple or Thunderbird; importing a newer file updates the events.",
    ),
)

KINDS: dict[str, ExportKind] = {kind.key: kind for kind in EXPORT_KINDS}
"""The export kinds by key, in the order they are offered."""

LIST_KINDS: tuple[str, ...] = tuple(kind.key for kind in EXPORT_KINDS if kind.module == _LISTS)
"""The logistics lists, which one module writes (it takes the kind as its first argument)."""
