"""field-ready documents: transfer drop-off and vehicle, dress code, wifi, food flag,
organisation short names, hotel details, delegation revision

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 08:30:00
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TEXTS: dict[str, tuple[tuple[str, int], ...]] = {
    "organisation": (("short_name", 60),),
    "delegation": (("dress_code", 200),),
    "participation": (
        ("hotel_phone", 60),
        ("booking_reference", 60),
        ("room_type", 60),
        ("room_sharing", 200),
    ),
    "agenda_item": (
        ("transport_company", 120),
        ("vehicle", 120),
        ("driver_phone", 60),
        ("dress_code", 200),
        ("wifi", 200),
    ),
}

FOOD_TITLES = (
    "breakfast", "brunch", "lunch", "dinner", "supper", "reception", "cocktail", "buffet",
    "coffee", "aperitif", "apéritif", "drinks", "tapas", "déjeuner", "dejeuner", "dîner", "diner",
    "repas", "desayuno", "almuerzo", "comida", "cena", "vino",
)  # fmt: skip
"""Networking items whose title names one of these serve food (as the model's default)."""


def upgrade() -> None:
    empty = sa.text("''")
    for table, columns in TEXTS.items():
        for name, length in columns:
            op.add_column(
                table, sa.Column(name, sa.String(length), nullable=False, server_default=empty)
            )
    op.add_column(
        "delegation",
        sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        "agenda_item",
        sa.Column("serves_food", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("agenda_item", sa.Column("dropoff_venue_id", sa.Integer(), nullable=True))
    _rebuild("agenda_item", _with_dropoff_reference)
    op.create_index(op.f("ix_agenda_item_dropoff_venue_id"), "agenda_item", ["dropoff_venue_id"])
    # Meals serve food; so do networking items named after a meal or a reception (the
    # networking dinner). Word matches are approximate here; the officer can change it.
    op.execute("UPDATE agenda_item SET serves_food = 1 WHERE kind = 'meal'")
    for word in FOOD_TITLES:
        op.execute(
            sa.text(
                "UPDATE agenda_item SET serves_food = 1 WHERE kind = 'networking' "
                "AND (' ' || lower(title) || ' ') LIKE :pattern"
            ).bindparams(pattern=f"% {word} %")
        )


DROPOFF_REFERENCE = (
    "\tCONSTRAINT fk_agenda_item_dropoff_venue_id_venue FOREIGN KEY(dropoff_venue_id) "
    "REFERENCES venue (id) ON DELETE RESTRICT, \n"
)


def _with_dropoff_reference(sql: str) -> str:
    """The agenda item table with the drop-off's foreign key beside the others."""
    anchor = "\tCONSTRAINT fk_agenda_item_delegation_id_delegation "
    if anchor not in sql:
        raise RuntimeError("unexpected definition of table agenda_item; cannot rebuild it")
    return sql.replace(anchor, DROPOFF_REFERENCE + anchor, 1)


def _without_dropoff_reference(sql: str) -> str:
    return sql.replace(DROPOFF_REFERENCE, "")


def _rebuild(table: str, transform: Callable[[str], str], drop: str | None = None) -> None:
    """Rebuild ``table`` with ``transform``'s definition, as SQLite documents it (create,
    copy, drop, rename, indexes again), without column ``drop``; ids, AUTOINCREMENT and
    the id sequence are kept. Foreign keys are off while migrations run."""
    conn = op.get_bind()
    if conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("foreign keys must be off while tables are rebuilt")
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    indexes = [
        row[0]
        for row in conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
        if drop is None or drop not in row[0]
    ]
    sequence = conn.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
    ).scalar()
    names = [row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    columns = ", ".join(f'"{name}"' for name in names if name != drop)
    created = transform(sql)
    if drop is not None:
        created = re.sub(rf",\s*{drop} [^,]*?(?=,|\n\))", "", created, count=1)
    new = f"_rebuild_{table}"
    created, found = re.subn(
        rf'^CREATE TABLE\s+("?){table}\1\s*\(', f'CREATE TABLE "{new}" (', created, count=1
    )
    if not found:
        raise RuntimeError(f"unexpected definition of table {table}; cannot rebuild it")
    conn.exec_driver_sql(created)
    conn.exec_driver_sql(f'INSERT INTO "{new}" ({columns}) SELECT {columns} FROM "{table}"')
    conn.exec_driver_sql(f'DROP TABLE "{table}"')
    conn.exec_driver_sql(f'ALTER TABLE "{new}" RENAME TO "{table}"')
    for index in indexes:
        conn.exec_driver_sql(index)
    if sequence is not None:
        conn.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (sequence, table)
        )
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"{len(broken)} broken references after rebuilding {table}")


def downgrade() -> None:
    op.drop_index(op.f("ix_agenda_item_dropoff_venue_id"), "agenda_item")
    _rebuild("agenda_item", _without_dropoff_reference, drop="dropoff_venue_id")
    op.drop_column("agenda_item", "serves_food")
    op.drop_column("delegation", "revision")
    for table, columns in TEXTS.items():
        for name, _length in columns:
            op.drop_column(table, name)
