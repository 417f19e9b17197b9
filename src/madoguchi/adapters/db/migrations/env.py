"""Alembic environment: runs migrations on the connection madoguchi hands it."""
from __future__ import annotations

from alembic import context

from madoguchi.adapters.db.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the programmatic path is supported
    raise RuntimeError("run migrations through `madoguchi init-db`")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
