"""The "what changed" page of an attendee pack: a short PDF of what differs from
what the attendee last received (``services.publications.changes_since``).

Each change is a plain sentence ("Moved: “Visit to …”, now Thu 3 Jun 10:00–11:30
(was …)."); its first word (New, Moved, Changed, Cancelled…) is set in bold, and in
red for a cancellation, so the eye finds what no longer happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.platypus import Flowable, ListFlowable, ListItem, Paragraph, Spacer

from delegations.exports.common import FONT
from delegations.exports.itinerary import date_span, emergency_text
from delegations.exports.options import ExportOptions
from delegations.exports.pdfdoc import CANCELLED, build_pdf, styles, text

if TYPE_CHECKING:
    from delegations.model import Delegation, Participation

TITLE = "What changed"


def change_markup(line: str) -> str:
    """``line`` as Paragraph markup: its lead word ("Moved:") in bold, red when cancelled."""
    head, sep, rest = line.partition(": ")
    if not sep or len(head) > 24:
        return text(line)
    colour = f' color="{CANCELLED.hexval()}"' if head.startswith("Cancelled") else ""
    return f"<font{colour}><b>{text(head)}:</b></font> {text(rest)}"


def write_changes(
    delegation: Delegation,
    participation: Participation,
    changes: Sequence[str],
    out: Path,
    options: ExportOptions,
) -> Path:
    """Write the page listing ``changes`` for ``participation`` to ``out`` (atomic)."""
    sheet = styles()
    name = participation.person.full_name
    when = date_span(delegation.start_date, delegation.end_date)
    story: list[Flowable] = [
        Paragraph(text(f"{delegation.title} · {when}"), sheet["kicker"]),
        Paragraph(TITLE, sheet["title"]),
        Paragraph(
            text(f"For {name}: what differs from the programme we last sent you."),
            sheet["subtitle"],
        ),
        Spacer(0, 6),
        ListFlowable(
            [ListItem(Paragraph(change_markup(c), sheet["body"]), leftIndent=12) for c in changes],
            bulletType="bullet",
            start="•",
            bulletFontName=FONT,  # the default, Helvetica, would not be embedded
            leftIndent=12,
        ),
        Spacer(0, 6),
        Paragraph(
            "Your itinerary and calendar in this pack are up to date; importing the "
            "calendar file updates the events already in your calendar.",
            sheet["muted"],
        ),
    ]
    return build_pdf(
        out,
        story,
        options,
        title=f"{TITLE}: {delegation.title} – {name}",
        subject="Changes since the last programme sent",
        footer_prefix=f"{delegation.title} – {name}",
        delegation=delegation,
        emergency=emergency_text(delegation),
    )
