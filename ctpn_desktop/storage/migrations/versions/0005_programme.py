"""Syndicates of a run (members, note-takers' laptops, answers and read-backs), the syndicate of a log entry and
the exercise programme.

Both new columns are nullable and empty in older files: a log record without a syndicate hashes exactly as it
did before, so every existing chain still verifies.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("exercise", sa.Column("programme", sa.Text(), nullable=True))
    op.add_column("log_record", sa.Column("syndicate_id", sa.String(length=36), nullable=True))
    op.create_table(
        "syndicate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("facilitator", sa.Text(), nullable=False),
        sa.Column("note_taker", sa.Text(), nullable=False),
        sa.Column("room", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name=op.f("fk_syndicate_run_id_run"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_syndicate")),
    )
    op.create_index(op.f("ix_syndicate_run_id"), "syndicate", ["run_id"], unique=False)
    op.create_table(
        "syndicate_device",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("syndicate_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name=op.f("fk_syndicate_device_run_id_run"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["syndicate_id"], ["syndicate.id"],
                                name=op.f("fk_syndicate_device_syndicate_id_syndicate"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_syndicate_device")),
        sa.UniqueConstraint("run_id", "device_id", name=op.f("uq_syndicate_device_run_id")),
    )
    op.create_index(op.f("ix_syndicate_device_syndicate_id"), "syndicate_device", ["syndicate_id"], unique=False)
    op.create_table(
        "syndicate_answer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("syndicate_id", sa.String(length=36), nullable=False),
        sa.Column("phase_id", sa.String(length=36), nullable=True),
        sa.Column("question_index", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("exercise_s", sa.Float(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("replaces_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name=op.f("fk_syndicate_answer_run_id_run"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["syndicate_id"], ["syndicate.id"],
                                name=op.f("fk_syndicate_answer_syndicate_id_syndicate"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_syndicate_answer")),
    )
    op.create_index(op.f("ix_syndicate_answer_run_id"), "syndicate_answer", ["run_id"], unique=False)
    op.create_index(op.f("ix_syndicate_answer_syndicate_id"), "syndicate_answer", ["syndicate_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_syndicate_answer_syndicate_id"), table_name="syndicate_answer")
    op.drop_index(op.f("ix_syndicate_answer_run_id"), table_name="syndicate_answer")
    op.drop_table("syndicate_answer")
    op.drop_index(op.f("ix_syndicate_device_syndicate_id"), table_name="syndicate_device")
    op.drop_table("syndicate_device")
    op.drop_index(op.f("ix_syndicate_run_id"), table_name="syndicate")
    op.drop_table("syndicate")
    op.drop_column("log_record", "syndicate_id")
    op.drop_column("exercise", "programme")
