"""publications: what each calendar given to an audience held

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 09:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("hotel", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegation.id"],
            name=op.f("fk_publication_delegation_id_delegation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_publication_delegation_audience",
        "publication",
        ["delegation_id", "audience", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_publication_delegation_audience", "publication")
    op.drop_table("publication")
