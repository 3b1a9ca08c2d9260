"""Alembic environment: one migration tree for SQLite and PostgreSQL (batch mode for SQLite)."""

from __future__ import annotations

from alembic import context

import ordersmith.models  # noqa: F401  (registers every table on the metadata)
from ordersmith.db import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `ordersmith db upgrade` (ordersmith.migrate)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
