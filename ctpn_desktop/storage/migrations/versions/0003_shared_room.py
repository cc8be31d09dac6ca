"""Shared rooms: explicit order columns instead of SQLite's rowid, an index for the next entry number, and the
stations that joined a shared room.

The order of inject events and evaluation notes was the order of SQLite's rowid, which PostgreSQL does not have;
``seq`` now carries it (filled from the rowid for existing documents).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ORDERED_TABLES = ("inject_event", "observation", "hotwash_note", "improvement_action")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ORDERED_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        if sqlite:
            op.execute(f"UPDATE {table} SET seq = rowid")
    with op.batch_alter_table("inject_event") as batch_op:
        batch_op.create_index("ix_inject_event_run_seq", ["run_id", "seq"], unique=False)
    with op.batch_alter_table("log_record") as batch_op:
        batch_op.create_index("ix_log_record_run_number", ["run_id", "entry_number"], unique=False)
    op.create_table(
        "room_station",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("joined_at", sa.String(length=40), nullable=False),
        sa.Column("last_seen", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_station")),
    )


def downgrade() -> None:
    op.drop_table("room_station")
    with op.batch_alter_table("log_record") as batch_op:
        batch_op.drop_index("ix_log_record_run_number")
    with op.batch_alter_table("inject_event") as batch_op:
        batch_op.drop_index("ix_inject_event_run_seq")
    for table in ORDERED_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("seq")
