"""Bulk submissions to Amazon: runs, the feeds each run created and the answers to records it sent on
their own, so that a rerun after a crash continues the run and sends nothing twice.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    op.create_table(
        "submission_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "connection_id", sa.Integer, sa.ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("finished", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_submission_runs_lookup", "submission_runs", ["connection_id", "kind", "id"])
    op.create_table(
        "submission_feeds",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("submission_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("part", sa.Integer, primary_key=True),
        sa.Column("feed_document_id", sa.Text, nullable=False),
        sa.Column("records", sa.Text, nullable=False),
        sa.Column("creating_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("feed_id", sa.String(64)),
        sa.Column("status", sa.String(16)),
        sa.Column("result_document_id", sa.Text),
    )
    op.create_table(
        "submission_answers",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("submission_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("answer", sa.Text, nullable=False),
    )
