"""Alembic's environment: the store hands over its connection, already inside a locked transaction."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes["connection"]
assert isinstance(connection, Connection)
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
