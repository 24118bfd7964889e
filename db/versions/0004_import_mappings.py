"""import mappings: saved column mappings for spreadsheet imports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_mapping",
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("date_order", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_import_mapping")),
    )


def downgrade() -> None:
    op.drop_table("import_mapping")
