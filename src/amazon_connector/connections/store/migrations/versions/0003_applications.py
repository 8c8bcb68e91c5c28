"""Client secrets belong to the application (client ID and Login with Amazon endpoint), kept once for
every connection that uses it. Each client ID's newest secret becomes its application's, issued when
it was first entered; the newest other one becomes the previous secret, usable for the 7 days Amazon
allows after a new one; a connection without a client ID keeps its own.

Revision ID: 0003
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import context, op

from amazon_connector.marketplaces import lwa_token_url

revision = "0003"
down_revision: str | None = "0002"

_OLD_SECRET_LIFETIME = timedelta(days=7)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    applications = op.create_table(
        "applications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("token_url", sa.String(512), nullable=False),
        sa.Column("client_secret", sa.Text),
        sa.Column("secret_issued_at", sa.DateTime(timezone=True)),
        sa.Column("secret_expires_at", sa.DateTime(timezone=True)),
        sa.Column("previous_secret", sa.Text),
        sa.Column("previous_expires_at", sa.DateTime(timezone=True)),
        sa.Column("rotation_requested_at", sa.DateTime(timezone=True)),
        sa.Column("queue_url", sa.Text),
        sa.Column("aws_region", sa.String(32)),
        sa.Column("aws_profile", sa.String(128)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("client_id", "token_url"),
    )
    assert applications is not None
    box = context.config.attributes["secret_box"]
    connections = sa.table(
        "connections",
        *(sa.column(c) for c in ("id", "settings", "client_secret")),
        *(sa.column(c, sa.DateTime(timezone=True)) for c in ("client_secret_set_at", "created_at")),
    )
    db = op.get_bind()
    entered: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
    for row in db.execute(sa.select(connections).where(connections.c.client_secret.is_not(None))).all():
        settings = json.loads(row.settings)
        if not settings.get("client_id"):
            continue
        key = (settings["client_id"], lwa_token_url(settings.get("environment") or "production"))
        at = _utc(row.client_secret_set_at or row.created_at)
        entered.setdefault(key, []).append((at, box.decrypt(row.client_secret, "client_secret")))
        db.execute(
            connections.update()
            .where(connections.c.id == row.id)
            .values(client_secret=None, client_secret_set_at=None)
        )
    for (client_id, token_url), entries in entered.items():
        _, secret = max(entries)
        issued_at = min(at for at, s in entries if s == secret)
        older = [(at, s) for at, s in entries if s != secret]
        previous = max(older)[1] if older else None
        db.execute(
            applications.insert().values(
                client_id=client_id,
                token_url=token_url,
                client_secret=box.encrypt(secret, "application.client_secret"),
                secret_issued_at=issued_at,
                previous_secret=box.encrypt(previous, "application.previous_secret") if previous else None,
                previous_expires_at=issued_at + _OLD_SECRET_LIFETIME if previous else None,
                version=1,
                updated_at=datetime.now(UTC),
            )
        )
