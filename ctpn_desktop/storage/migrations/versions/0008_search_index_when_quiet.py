"""New log records are indexed for search once the document is quiet, not in the commit a note-taker waits for.

SQLite only (see ``storage.fts``): the insert trigger queues the record's id in ``log_record_unindexed``; the
records already in the file are indexed already. A shared room on PostgreSQL keeps its search words as before.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

from ctpn_desktop.storage import fts

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in fts.DEFERRED_STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    fts.catch_up(op.get_bind())
    for statement in fts.UNDO_DEFERRED_STATEMENTS:
        op.execute(statement)
