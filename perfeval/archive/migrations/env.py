"""Alembic's entry for the archive's migrations. perfeval runs them itself (see
:mod:`perfeval.archive.database`), passing the open connection; nothing here reads alembic.ini."""

from __future__ import annotations

from alembic import context

from perfeval.archive.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
