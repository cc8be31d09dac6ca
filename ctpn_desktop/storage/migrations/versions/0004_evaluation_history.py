"""Evaluation with history and evidence: later versions of observations, hot-wash notes and improvement actions,
the log entries and injects an observation cites, and the executive summary of each run.

Every new table is insert-only: an edit or a withdrawal is a new revision row, so no earlier text is lost.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["run_id"], ["run.id"], name=op.f(f"fk_{table}_run_id_run"), ondelete="RESTRICT")


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _revision_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "observation_revision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("observation_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("objective_id", sa.String(length=36), nullable=True),
        sa.Column("evaluator", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(length=1), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("improvements", sa.Text(), nullable=False),
        *_revision_columns(),
        sa.ForeignKeyConstraint(["observation_id"], ["observation.id"],
                                name=op.f("fk_observation_revision_observation_id_observation"),
                                ondelete="RESTRICT"),
        _run_fk("observation_revision"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_revision")),
        sa.UniqueConstraint("observation_id", "revision", name=op.f("uq_observation_revision_observation_id")),
    )
    _index("observation_revision", "observation_id", "run_id")

    op.create_table(
        "observation_evidence",
        sa.Column("observation_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["observation_id"], ["observation.id"],
                                name=op.f("fk_observation_evidence_observation_id_observation"),
                                ondelete="RESTRICT"),
        _run_fk("observation_evidence"),
        sa.PrimaryKeyConstraint("observation_id", "revision", "kind", "target_id",
                                name=op.f("pk_observation_evidence")),
    )
    _index("observation_evidence", "target_id", "run_id")

    op.create_table(
        "hotwash_note_revision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("objective_id", sa.String(length=36), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        *_revision_columns(),
        sa.ForeignKeyConstraint(["note_id"], ["hotwash_note.id"],
                                name=op.f("fk_hotwash_note_revision_note_id_hotwash_note"), ondelete="RESTRICT"),
        _run_fk("hotwash_note_revision"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotwash_note_revision")),
        sa.UniqueConstraint("note_id", "revision", name=op.f("uq_hotwash_note_revision_note_id")),
    )
    _index("hotwash_note_revision", "note_id", "run_id")

    op.create_table(
        "improvement_action_revision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("action_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("capability_element", sa.String(length=20), nullable=False),
        sa.Column("owner_organisation", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=True),
        sa.Column("due_date", sa.String(length=10), nullable=True),
        sa.Column("objective_id", sa.String(length=36), nullable=True),
        *_revision_columns(),
        sa.ForeignKeyConstraint(["action_id"], ["improvement_action.id"],
                                name=op.f("fk_improvement_action_revision_action_id_improvement_action"),
                                ondelete="RESTRICT"),
        _run_fk("improvement_action_revision"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_action_revision")),
        sa.UniqueConstraint("action_id", "revision", name=op.f("uq_improvement_action_revision_action_id")),
    )
    _index("improvement_action_revision", "action_id", "run_id")

    op.create_table(
        "executive_summary",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("improvements", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        _run_fk("executive_summary"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_executive_summary")),
        sa.UniqueConstraint("run_id", "revision", name=op.f("uq_executive_summary_run_id")),
    )
    _index("executive_summary", "run_id")


def downgrade() -> None:
    for table in ("executive_summary", "improvement_action_revision", "hotwash_note_revision",
                  "observation_evidence", "observation_revision"):
        op.drop_table(table)
