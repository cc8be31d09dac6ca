"""A run's frozen scenario moves out of the run's row into a table of its own.

SQLite writes a whole row again when any of its columns changes: every press of the clock (start, pause, resume,
halt) changes the run's status, and so wrote the frozen scenario again with it (megabytes for a large MSEL), and
every look at a run read it. The run's row is now a few hundred bytes.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_scenario",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("frozen_scenario", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name=op.f("fk_run_scenario_run_id_run"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_scenario")),
    )
    op.execute("INSERT INTO run_scenario (run_id, frozen_scenario) SELECT id, frozen_scenario FROM run")
    with op.batch_alter_table("run") as batch_op:
        batch_op.drop_column("frozen_scenario")


def downgrade() -> None:
    with op.batch_alter_table("run") as batch_op:
        batch_op.add_column(sa.Column("frozen_scenario", sa.Text(), nullable=True))
    op.execute("UPDATE run SET frozen_scenario = (SELECT frozen_scenario FROM run_scenario "
               "WHERE run_scenario.run_id = run.id)")
    with op.batch_alter_table("run") as batch_op:
        batch_op.alter_column("frozen_scenario", existing_type=sa.Text(), nullable=False)
    op.drop_table("run_scenario")
