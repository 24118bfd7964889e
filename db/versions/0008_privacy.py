"""privacy: the audit log, settings stored with the data, the uuids of erased records

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("operation", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("record", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_record", "audit_entry", ["record", "record_id"])
    op.create_table(
        "preference",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_preference")),
    )
    op.create_table(
        "erased_record",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_erased_record")),
    )


def downgrade() -> None:
    op.drop_table("erased_record")
    op.drop_table("preference")
    op.drop_index("ix_audit_entry_record", "audit_entry")
    op.drop_index("ix_audit_entry_at", "audit_entry")
    op.drop_table("audit_entry")
