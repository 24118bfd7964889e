"""Plan checks: every conflict and infeasible plan in a delegation, found before the day.

``check_delegation(session, delegation_id)`` returns ``Finding`` values, each with
a severity, a stable code, a message naming the records in an officer's words,
the local day it concerns and the records involved. No Qt here: the command
line (``delegations check``), the window's findings panel and the exports all
read the same findings.

The rules (in ``services/check_rules.py``) sort items by time and sweep; they
never compare every pair of items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from delegations.model import CheckSetting, TravelMode, VenueTravelTime
from delegations.services.changes import Changes


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem of a plan.

    Attributes:
        code: stable, machine-readable ("attendee.overlap", "host.closed", ...).
        severity: an error makes the plan infeasible; a warning asks for a look.
        message: what is wrong, naming the records, in the delegation's local time.
        day: the local day it concerns (None: the whole visit).
        items: agenda item ids concerned (for the window to select).
        participations: attendee (participation) ids concerned.
        people: person ids concerned (host contacts, attendees).
        venues: venue ids concerned.
        organisations: organisation ids concerned.
        uuids: the UUIDs of every record concerned (for ``--format json``).
    """

    code: str
    severity: Severity
    message: str
    day: date | None = None
    items: tuple[int, ...] = ()
    participations: tuple[int, ...] = ()
    people: tuple[int, ...] = ()
    venues: tuple[int, ...] = ()
    organisations: tuple[int, ...] = ()
    uuids: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "day": self.day.isoformat() if self.day else None,
            "records": list(self.uuids),
        }


DEFAULT_SPEEDS_KMH: Mapping[TravelMode | str, float] = {
    "walk": 4.5,
    "city": 20.0,  # taxi, coach or public transport inside a city
}


@dataclass(frozen=True)
class CheckSettings:
    """How generous the checks are (stored per database in ``check_setting``).

    Attributes:
        walk_kmh: walking speed, for venues less than ``walk_limit_km`` apart.
        city_kmh: door-to-door speed by coach, taxi or public transport beyond that.
        walk_limit_km: up to this distance people walk.
        detour: straight-line distance × this = distance on the ground.
        min_buffer_min: minutes added to any way between two venues.
        default_buffer_min: minutes needed between items when a venue has no coordinates.
        arrival_buffer_min: after an attendee arrives, before their first item.
        departure_buffer_min: after their last item, before their departure.
    """

    walk_kmh: float = 4.5
    city_kmh: float = 20.0
    walk_limit_km: float = 1.5
    detour: float = 1.3
    min_buffer_min: int = 10
    default_buffer_min: int = 15
    arrival_buffer_min: int = 60
    departure_buffer_min: int = 120

    def with_stored(self, stored: Mapping[str, str]) -> CheckSettings:
        """These settings with values stored in the database (unknown keys ignored)."""
        changes: dict[str, Any] = {}
        for name, value in stored.items():
            current = getattr(self, name, None)
            if current is None:
                continue
            try:
                changes[name] = type(current)(value)
            except ValueError:
                continue
        return replace(self, **changes)


def load_settings(session: Session) -> CheckSettings:
    rows = session.execute(select(CheckSetting.key, CheckSetting.value)).all()
    return CheckSettings().with_stored(dict(rows))


def way_knowledge(session: Session) -> tuple[dict[tuple[int, int], int], CheckSettings]:
    """What documents need to say how the group gets between venues: the minutes the
    officer entered (from venue id, to venue id) and the speeds of the checks."""
    rows = session.execute(
        select(VenueTravelTime.from_venue_id, VenueTravelTime.to_venue_id, VenueTravelTime.minutes)
    ).all()
    return {(a, b): minutes for a, b, minutes in rows}, load_settings(session)


@dataclass
class Report:
    """The findings of one delegation, with counts."""

    delegation_id: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    def for_item(self, item_id: int) -> list[Finding]:
        return [f for f in self.findings if item_id in f.items]

    def by_day(self) -> dict[date | None, list[Finding]]:
        out: dict[date | None, list[Finding]] = {}
        for finding in sorted(self.findings, key=_order):
            out.setdefault(finding.day, []).append(finding)
        return out


def _order(finding: Finding) -> tuple[Any, ...]:
    return (finding.day or date.min, finding.severity != Severity.ERROR, finding.code)


def check_delegation(
    session: Session, delegation_id: int, settings: CheckSettings | None = None
) -> Report:
    """Every finding of one delegation (other delegations are read for shared hosts and venues)."""
    from delegations.services import check_rules

    settings = settings or load_settings(session)
    findings = check_rules.run_all(session, delegation_id, settings)
    return Report(delegation_id, sorted(findings, key=_order))


CHECKED_KINDS = (
    "delegation",
    "participation",
    "travel_leg",
    "agenda_item",
    "venue",
    "organisation",
    "person",
    "check_setting",
)


def concerned(changes: Changes, delegation_id: int, shown: Iterable[str] = CHECKED_KINDS) -> bool:
    """Whether ``changes`` may change the findings of ``delegation_id``.

    Its own records, or any venue, organisation or person (shared with other
    delegations: hosts and venues are checked across all of them), or another
    delegation's items (they may now clash with this one's hosts or venues).
    """
    if delegation_id in changes.delegations or delegation_id in changes.ids("delegation"):
        return True
    return changes.touches(*(k for k in shown if k != "delegation"))
