"""Initial schema: scenario, runs, clock anchors, inject events, decision log, evaluation.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_info",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_document_info")),
    )
    op.create_table(
        "exercise",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("exercise_type", sa.String(length=20), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("venue", sa.Text(), nullable=False),
        sa.Column("planned_date", sa.String(length=10), nullable=True),
        sa.Column("planned_duration_minutes", sa.Integer(), nullable=False),
        sa.Column("marking", sa.Text(), nullable=False),
        sa.Column("organiser", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("threat", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise")),
    )
    op.create_table(
        "objective",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("capability", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective")),
        sa.UniqueConstraint("code", name=op.f("uq_objective_code")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("short_name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("key", name=op.f("uq_organisation_key")),
    )
    op.create_table(
        "phase",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("start_offset_s", sa.Integer(), nullable=False),
        sa.Column("scenario_start", sa.String(length=40), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("discussion_questions", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase")),
        sa.UniqueConstraint("key", name=op.f("uq_phase_key")),
    )
    op.create_table(
        "run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("rehearsal", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.String(length=40), nullable=True),
        sa.Column("ended_at", sa.String(length=40), nullable=True),
        sa.Column("frozen_scenario", sa.Text(), nullable=False),
        sa.Column("discarded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run")),
        sa.UniqueConstraint("number", name=op.f("uq_run_number")),
    )
    op.create_table(
        "adhoc_inject",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("delivery_method", sa.String(length=32), nullable=False),
        sa.Column("recipients_text", sa.Text(), nullable=False),
        sa.Column("phase_id", sa.String(length=36), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("exercise_s", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_adhoc_inject_run_id_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adhoc_inject")),
        sa.UniqueConstraint("run_id", "number", name=op.f("uq_adhoc_inject_run_id")),
    )
    with op.batch_alter_table("adhoc_inject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adhoc_inject_run_id"), ["run_id"], unique=False)

    op.create_table(
        "clock_anchor",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("wall_time", sa.String(length=40), nullable=False),
        sa.Column("exercise_s", sa.Float(), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.Column("compression", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_clock_anchor_run_id_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clock_anchor")),
        sa.UniqueConstraint("run_id", "seq", name=op.f("uq_clock_anchor_run_id")),
    )
    with op.batch_alter_table("clock_anchor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clock_anchor_run_id"), ["run_id"], unique=False)

    op.create_table(
        "hotwash_note",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("objective_id", sa.String(length=36), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_hotwash_note_run_id_run"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotwash_note")),
    )
    with op.batch_alter_table("hotwash_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hotwash_note_run_id"), ["run_id"], unique=False)

    op.create_table(
        "improvement_action",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("issue", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("capability_element", sa.String(length=20), nullable=False),
        sa.Column("owner_organisation", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=True),
        sa.Column("due_date", sa.String(length=10), nullable=True),
        sa.Column("objective_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_improvement_action_run_id_run"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_action")),
    )
    with op.batch_alter_table("improvement_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_improvement_action_run_id"), ["run_id"], unique=False)

    op.create_table(
        "inject",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=36), nullable=True),
        sa.Column("planned_offset_s", sa.Integer(), nullable=False),
        sa.Column("scenario_time", sa.String(length=40), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("delivery_method", sa.String(length=32), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("expected_actions", sa.Text(), nullable=False),
        sa.Column("controller_notes", sa.Text(), nullable=False),
        sa.Column("storyline", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("depends_on_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["depends_on_id"], ["inject.id"], name=op.f("fk_inject_depends_on_id_inject"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"], ["phase.id"], name=op.f("fk_inject_phase_id_phase"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inject")),
        sa.UniqueConstraint("number", name=op.f("uq_inject_number")),
    )
    with op.batch_alter_table("inject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inject_phase_id"), ["phase_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inject_planned_offset_s"), ["planned_offset_s"], unique=False)
        batch_op.create_index(batch_op.f("ix_inject_position"), ["position"], unique=False)

    op.create_table(
        "inject_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("inject_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("wall_time", sa.String(length=40), nullable=False),
        sa.Column("exercise_s", sa.Float(), nullable=False),
        sa.Column("scenario_time", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("new_offset_s", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_inject_event_run_id_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inject_event")),
    )
    with op.batch_alter_table("inject_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inject_event_inject_id"), ["inject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inject_event_run_id"), ["run_id"], unique=False)

    op.create_table(
        "log_record",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("entry_number", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("logged_at", sa.String(length=40), nullable=False),
        sa.Column("committed_at", sa.String(length=40), nullable=False),
        sa.Column("exercise_s", sa.Float(), nullable=False),
        sa.Column("scenario_time", sa.String(length=40), nullable=True),
        sa.Column("logged_by", sa.Text(), nullable=False),
        sa.Column("decision_maker", sa.Text(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("options_considered", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("inject_id", sa.String(length=36), nullable=True),
        sa.Column("objective_ids", sa.Text(), nullable=False),
        sa.Column("jdm_stage", sa.Integer(), nullable=True),
        sa.Column("revision_reason", sa.Text(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_log_record_run_id_run"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_record")),
        sa.UniqueConstraint("entry_id", "revision", name=op.f("uq_log_record_entry_id")),
        sa.UniqueConstraint("run_id", "device_id", "chain_seq", name=op.f("uq_log_record_run_id")),
    )
    with op.batch_alter_table("log_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_record_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index("ix_log_record_run_logged", ["run_id", "logged_at"], unique=False)

    op.create_table(
        "observation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("objective_id", sa.String(length=36), nullable=True),
        sa.Column("evaluator", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(length=1), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("improvements", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("exercise_s", sa.Float(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_observation_run_id_run"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observation_run_id"), ["run_id"], unique=False)

    op.create_table(
        "role",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_role_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("organisation_id", "key", name=op.f("uq_role_organisation_id")),
    )
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("inject_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inject_id"], ["inject.id"], name=op.f("fk_attachment_inject_id_inject"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_inject_id"), ["inject_id"], unique=False)

    op.create_table(
        "inject_objective",
        sa.Column("inject_id", sa.String(length=36), nullable=False),
        sa.Column("objective_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inject_id"],
            ["inject.id"],
            name=op.f("fk_inject_objective_inject_id_inject"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objective.id"],
            name=op.f("fk_inject_objective_objective_id_objective"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inject_id", "objective_id", name=op.f("pk_inject_objective")),
    )
    op.create_table(
        "inject_recipient",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("inject_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("role_id", sa.String(length=36), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inject_id"],
            ["inject.id"],
            name=op.f("fk_inject_recipient_inject_id_inject"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_inject_recipient_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_inject_recipient_role_id_role"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inject_recipient")),
        sa.UniqueConstraint(
            "inject_id", "organisation_id", "role_id", name=op.f("uq_inject_recipient_inject_id")
        ),
    )
    with op.batch_alter_table("inject_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inject_recipient_inject_id"), ["inject_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inject_recipient_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inject_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inject_recipient_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_inject_recipient_inject_id"))

    op.drop_table("inject_recipient")
    op.drop_table("inject_objective")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_inject_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_organisation_id"))

    op.drop_table("role")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_run_id"))

    op.drop_table("observation")
    with op.batch_alter_table("log_record", schema=None) as batch_op:
        batch_op.drop_index("ix_log_record_run_logged")
        batch_op.drop_index(batch_op.f("ix_log_record_entry_id"))

    op.drop_table("log_record")
    with op.batch_alter_table("inject_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inject_event_run_id"))
        batch_op.drop_index(batch_op.f("ix_inject_event_inject_id"))

    op.drop_table("inject_event")
    with op.batch_alter_table("inject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inject_position"))
        batch_op.drop_index(batch_op.f("ix_inject_planned_offset_s"))
        batch_op.drop_index(batch_op.f("ix_inject_phase_id"))

    op.drop_table("inject")
    with op.batch_alter_table("improvement_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_improvement_action_run_id"))

    op.drop_table("improvement_action")
    with op.batch_alter_table("hotwash_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotwash_note_run_id"))

    op.drop_table("hotwash_note")
    with op.batch_alter_table("clock_anchor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clock_anchor_run_id"))

    op.drop_table("clock_anchor")
    with op.batch_alter_table("adhoc_inject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adhoc_inject_run_id"))

    op.drop_table("adhoc_inject")
    op.drop_table("run")
    op.drop_table("phase")
    op.drop_table("organisation")
    op.drop_table("objective")
    op.drop_table("exercise")
    op.drop_table("document_info")
