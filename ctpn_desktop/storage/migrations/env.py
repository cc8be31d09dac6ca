"""Alembic environment, configured in code: the application hands over an open connection."""

from __future__ import annotations

from alembic import context

from ctpn_desktop.storage.orm import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run only through ctpn_desktop.storage.db, which supplies a connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
