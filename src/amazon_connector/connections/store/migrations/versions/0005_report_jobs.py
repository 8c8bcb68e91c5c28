"""Report jobs: each report asked of Amazon (or reused) for a connection, kept so that an interrupted
wait resumes with the same report ID.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.create_table(
        "report_jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "connection_id",
            sa.Integer,
            sa.ForeignKey("connections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("request_key", sa.String(64), nullable=False),
        sa.Column("report_type", sa.String(128), nullable=False),
        sa.Column("marketplace_ids", sa.Text, nullable=False),
        sa.Column("data_start", sa.DateTime(timezone=True)),
        sa.Column("data_end", sa.DateTime(timezone=True)),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("document_id", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("connection_id", "report_id"),
    )
    op.create_index("ix_report_jobs_request_key", "report_jobs", ["request_key"])
