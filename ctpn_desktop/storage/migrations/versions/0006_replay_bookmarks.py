"""Bookmarks of a run's replay: moments marked at the debrief, citable as an observation's evidence.

Revision ID: 0006
Revises: 0005
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
        "replay_bookmark",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("at_wall", sa.String(length=40), nullable=False),
        sa.Column("exercise_s", sa.Float(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name=op.f("fk_replay_bookmark_run_id_run"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replay_bookmark")),
    )
    op.create_index(op.f("ix_replay_bookmark_run_id"), "replay_bookmark", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_replay_bookmark_run_id"), table_name="replay_bookmark")
    op.drop_table("replay_bookmark")
