"""Full-text search over the decision log (FTS5 table and triggers), filled from the existing log.

On PostgreSQL (a shared room) the search words are kept in a side table instead (see ``storage.fts``).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ctpn_desktop.storage import fts

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        fts.terms_table.create(bind)
        records = sa.table("log_record", *(sa.column(name) for name in ("id", "run_id", *fts.INDEXED_COLUMNS)))
        fts.index_records(bind, [row._mapping for row in bind.execute(sa.select(records))])
        return
    for statement in fts.CREATE_STATEMENTS:
        op.execute(statement)
    op.execute(fts.BACKFILL)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        fts.terms_table.drop(bind)
        return
    for statement in fts.DROP_STATEMENTS:
        op.execute(statement)
