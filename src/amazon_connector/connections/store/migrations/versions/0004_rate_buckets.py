"""Rate-limit buckets shared by every process: the generic cell rate (``tat``) with the slots issued
and answered in the current epoch, and the rate Amazon reported.

Before versioned schemas the table was made on first use, in an earlier shape by some versions; a
table without the current columns is replaced (buckets are timing state; the next call refills them).

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"

_COLUMNS = {"bucket", "tat", "epoch", "start", "shift", "issued", "answered", "rate"}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("rate_buckets"):
        if {c["name"] for c in inspector.get_columns("rate_buckets")} == _COLUMNS:
            return
        op.drop_table("rate_buckets")
    op.create_table(
        "rate_buckets",
        sa.Column("bucket", sa.String(512), primary_key=True),
        sa.Column("tat", sa.Float, nullable=True),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("shift", sa.Float, nullable=False),
        sa.Column("issued", sa.Integer, nullable=False),
        sa.Column("answered", sa.Integer, nullable=False),
        sa.Column("rate", sa.Float, nullable=True),
    )
