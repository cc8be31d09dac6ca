"""Full-text search over the decision log (FTS5 table and triggers), filled from the existing log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from ctpn_desktop.storage import fts

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in fts.CREATE_STATEMENTS:
        op.execute(statement)
    op.execute(fts.BACKFILL)


def downgrade() -> None:
    for statement in fts.DROP_STATEMENTS:
        op.execute(statement)
