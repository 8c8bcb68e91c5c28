"""Order exports and syncs: jobs under way with the orders they fetched, and how far each sync got.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    op.create_table(
        "order_jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "connection_id",
            sa.Integer,
            sa.ForeignKey("connections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("identity", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("bound", sa.DateTime(timezone=True)),
        sa.Column("api_cursor", sa.Text),
        sa.Column("api_done", sa.Boolean, nullable=False),
        sa.Column("report_id", sa.String(128)),
        sa.Column("report_from", sa.DateTime(timezone=True)),
        sa.Column("report_done", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("connection_id", "identity"),
    )
    op.create_table(
        "order_job_records",
        sa.Column(
            "job_id",
            sa.Integer,
            sa.ForeignKey("order_jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_rank", sa.Integer, nullable=False),
        sa.Column("delivered", sa.Boolean, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_table(
        "order_sync_positions",
        sa.Column(
            "connection_id",
            sa.Integer,
            sa.ForeignKey("connections.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("marketplaces", sa.Text, nullable=False),
        sa.Column("destination", sa.Text, nullable=False),
        sa.Column("position", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
