"""What this database exchanged with others: the base of the next merge.

Officers swap delegation packages by e-mail or USB stick. Each package written or
read is remembered here (``Exchange``): its id, the database that wrote it, and its
document. A later package names the packages its writer has exchanged
(``exchange.known``); the newest of those that this database also holds is the
common base, against which both sides' edits are told apart (``services.merge``).

``DatabaseIdentity`` is this database's own id, written into every package it
writes as the package's origin.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from delegations.model.base import Base
from delegations.model.types import utc_now

SENT = "sent"
RECEIVED = "received"


class DatabaseIdentity(Base):
    """This database's id (one row, made when the table is created)."""

    __tablename__ = "database_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Exchange(Base):
    """One delegation package written (sent) or read (received) by this database."""

    __tablename__ = "exchange"
    __table_args__ = (
        Index("ix_exchange_delegation_package", "delegation_id", "package"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"))
    package: Mapped[str] = mapped_column(String(36))
    """The package's id (``exchange.package`` in the file)."""
    origin: Mapped[str] = mapped_column(String(36))
    """The id of the database that wrote it (ours for a package sent)."""
    direction: Mapped[str] = mapped_column(String(10))
    """``sent`` or ``received``."""
    exchanged_at: Mapped[datetime] = mapped_column(default=utc_now)
    document: Mapped[str] = mapped_column(Text)
    """The package's document (canonical, without its ``exchange`` metadata), JSON."""

    def content(self) -> dict[str, Any]:
        value = json.loads(self.document)
        return value if isinstance(value, dict) else {}
