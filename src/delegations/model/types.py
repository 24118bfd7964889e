"""Column types shared by every record.

``UTCDateTime`` stores instants as naive UTC in SQLite and gives back aware UTC
datetimes; it refuses naive values so that a local time can never be stored by
mistake.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A time-zone-aware instant stored as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: give a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def utc_now() -> datetime:
    """The current instant, aware, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


REVISION_MAX = 2**31 - 1
"""The largest calendar SEQUENCE (a signed 32-bit integer, as calendar clients read it)."""
