"""The AWS access key ID and role ARN move from the settings (plain JSON) to encrypted columns; a
consent state records the fingerprint of the settings it was started with.

Consent states of the first store cannot be checked against settings, so they are dropped (each was
valid for five minutes).

Revision ID: 0002
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import context, op

revision = "0002"
down_revision: str | None = "0001"

_MOVED = ("aws_access_key_id", "aws_role_arn")


def upgrade() -> None:
    for field in _MOVED:
        op.add_column("connections", sa.Column(field, sa.Text))
    box = context.config.attributes["secret_box"]
    connections = sa.table("connections", *(sa.column(c) for c in ("id", "settings", *_MOVED)))
    db = op.get_bind()
    for row in db.execute(sa.select(connections.c.id, connections.c.settings)).all():
        settings = json.loads(row.settings)
        values = {f: box.encrypt(v, f) if (v := settings.pop(f, None)) else None for f in _MOVED}
        db.execute(
            connections.update()
            .where(connections.c.id == row.id)
            .values(settings=json.dumps(settings, sort_keys=True), **values)
        )
    op.drop_table("authorisation_states")
    op.create_table(
        "authorisation_states",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column(
            "connection_id",
            sa.Integer,
            sa.ForeignKey("connections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("redirect_uri", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
