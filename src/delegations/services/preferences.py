"""Settings stored with the data: the window and the command line read the same values.

``BACKUPS_KEEP``: how many automatic backups to keep (``store.backups`` reads it
too, when it rotates them). ``RETENTION_MONTHS``: after how many months past a
delegation's end its attendees' sensitive data is proposed for removal (None: never
proposed). ``RETENTION_ASKED``: the day the window last proposed it (ISO date), so it
asks at most once a day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from delegations.model import Preference
from delegations.services.errors import ValidationError

BACKUPS_KEEP = "backups.keep"
RETENTION_MONTHS = "privacy.retention_months"
RETENTION_ASKED = "privacy.retention_asked"

DEFAULT_BACKUPS_KEEP = 10
BACKUPS_KEEP_RANGE = (1, 100)
RETENTION_RANGE = (1, 240)


def _get(session: Session, key: str) -> str | None:
    row = session.get(Preference, key)
    return row.value if row is not None else None


def _set(session: Session, key: str, value: str | None) -> None:
    row = session.get(Preference, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Preference(key=key, value=value))
    else:
        row.value = value
    session.flush()


def _whole(value: object, field: str, bounds: tuple[int, int], what: str) -> int:
    low, high = bounds
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ValidationError({field: f"{what} must be a whole number from {low} to {high}"})
    return number


def backups_keep(session: Session) -> int:
    """How many automatic backups to keep (10 unless set)."""
    stored = _get(session, BACKUPS_KEEP)
    if stored is not None and stored.isdigit():
        return max(BACKUPS_KEEP_RANGE[0], min(BACKUPS_KEEP_RANGE[1], int(stored)))
    return DEFAULT_BACKUPS_KEEP


def set_backups_keep(session: Session, value: object) -> int:
    number = _whole(value, "backups_keep", BACKUPS_KEEP_RANGE, "The number of backups to keep")
    _set(session, BACKUPS_KEEP, str(number))
    return number


def retention_months(session: Session) -> int | None:
    """After how many months past a visit its sensitive data goes (None: kept)."""
    stored = _get(session, RETENTION_MONTHS)
    return int(stored) if stored is not None and stored.isdigit() else None


def set_retention_months(session: Session, value: object | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        _set(session, RETENTION_MONTHS, None)
        return None
    number = _whole(value, "retention_months", RETENTION_RANGE, "The retention period")
    _set(session, RETENTION_MONTHS, str(number))
    return number


def retention_asked(session: Session) -> date | None:
    stored = _get(session, RETENTION_ASKED)
    try:
        return date.fromisoformat(stored) if stored else None
    except ValueError:
        return None


def set_retention_asked(session: Session, day: date) -> None:
    _set(session, RETENTION_ASKED, day.isoformat())
