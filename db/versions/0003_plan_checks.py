"""plan checks: host availability, venue capacity, travel times, check settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    empty = sa.text("''")
    op.add_column(
        "organisation", sa.Column("region", sa.String(10), nullable=False, server_default=empty)
    )
    op.add_column(
        "organisation",
        sa.Column("opening_hours", sa.String(300), nullable=False, server_default=empty),
    )
    op.add_column(
        "organisation",
        sa.Column("closed_dates", sa.String(1000), nullable=False, server_default=empty),
    )
    op.add_column("venue", sa.Column("capacity", sa.Integer(), nullable=True))
    op.create_table(
        "venue_travel_time",
        sa.Column("from_venue_id", sa.Integer(), nullable=False),
        sa.Column("to_venue_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "minutes >= 0 AND minutes <= 1440", name=op.f("ck_venue_travel_time_minutes_in_a_day")
        ),
        sa.CheckConstraint(
            "from_venue_id <> to_venue_id", name=op.f("ck_venue_travel_time_two_venues")
        ),
        sa.ForeignKeyConstraint(
            ["from_venue_id"],
            ["venue.id"],
            name=op.f("fk_venue_travel_time_from_venue_id_venue"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_venue_id"],
            ["venue.id"],
            name=op.f("fk_venue_travel_time_to_venue_id_venue"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_venue_id", "to_venue_id", name=op.f("pk_venue_travel_time")),
    )
    op.create_index(op.f("ix_venue_travel_time_to_venue_id"), "venue_travel_time", ["to_venue_id"])
    op.create_table(
        "check_setting",
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_check_setting")),
    )


def downgrade() -> None:
    op.drop_table("check_setting")
    op.drop_index(op.f("ix_venue_travel_time_to_venue_id"), table_name="venue_travel_time")
    op.drop_table("venue_travel_time")
    # SQLite 3.35+ drops a column in place (a batch rebuild would rewrite the
    # tables' definitions, which 0002's downgrade reads).
    op.execute('ALTER TABLE "venue" DROP COLUMN "capacity"')
    for column in ("closed_dates", "opening_hours", "region"):
        op.execute(f'ALTER TABLE "organisation" DROP COLUMN "{column}"')
