"""Two indexes that repeat the start of another: every release and every log entry wrote a page of each.

``ix_inject_event_run_id`` is the first column of ``ix_inject_event_run_seq``, and ``ix_log_record_entry_id`` the
first column of the unique (entry_id, revision) constraint's index; every query they served is served by the
longer one.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_inject_event_run_id", table_name="inject_event")
    op.drop_index("ix_log_record_entry_id", table_name="log_record")


def downgrade() -> None:
    op.create_index("ix_log_record_entry_id", "log_record", ["entry_id"], unique=False)
    op.create_index("ix_inject_event_run_id", "inject_event", ["run_id"], unique=False)
