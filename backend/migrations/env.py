"""Alembic's entry point: migrate the connection `backend.dbschema` hands over."""

from __future__ import annotations

from alembic import context

from backend import schema

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("floorline migrations run through `floorline db upgrade`, not alembic")

context.configure(
    connection=connection,
    target_metadata=schema.metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
