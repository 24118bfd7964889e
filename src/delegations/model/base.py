"""Declarative base, naming conventions and the columns every record has."""

from __future__ import annotations

import uuid as uuid_module
from datetime import datetime
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import Enum, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from delegations.model.types import UTCDateTime, utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def enum_column(enum_cls: type[PyEnum], name: str) -> Enum:
    """An enum stored as its readable value, with a CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(str(m.value)) for m in enum_cls) + 4,
        values_callable=lambda cls: [str(m.value) for m in cls],
        validate_strings=True,
    )


class RecordMixin:
    """Primary key, stable UUID and timestamps."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    def __repr__(self) -> str:
        label: Any = getattr(self, "name", None) or getattr(self, "title", None) or ""
        return f"<{type(self).__name__} {self.id} {label!r}>"
