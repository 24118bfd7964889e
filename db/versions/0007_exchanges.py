"""exchanges: the packages this database wrote and read, and its own id

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 10:15:00
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    identity = op.create_table(
        "database_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_database_identity")),
    )
    # Every database gets its own id once, here: packages name it as their origin.
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(identity, [{"id": 1, "uuid": str(uuid.uuid4()), "created_at": now}])
    op.create_table(
        "exchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("package", sa.String(length=36), nullable=False),
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("exchanged_at", sa.DateTime(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegation.id"],
            name=op.f("fk_exchange_delegation_id_delegation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_exchange_delegation_package", "exchange", ["delegation_id", "package"])


def downgrade() -> None:
    op.drop_index("ix_exchange_delegation_package", "exchange")
    op.drop_table("exchange")
    op.drop_table("database_identity")
