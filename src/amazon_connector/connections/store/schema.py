"""The store's tables as the newest migration leaves them (what the repositories read and write).

A change here needs a migration in ``migrations/versions`` that makes the same change to existing
stores; tests/test_store_migrations.py fails while the two differ.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

connections_table = Table(
    "connections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("settings", Text, nullable=False),
    Column("client_secret", Text),
    Column("refresh_token", Text),
    Column("aws_secret_access_key", Text),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("client_secret_set_at", DateTime(timezone=True)),
    Column("authorised_at", DateTime(timezone=True)),
    Column("logged_out_at", DateTime(timezone=True)),
    Column("last_test_ok", Boolean),
    Column("last_test_at", DateTime(timezone=True)),
    Column("last_test_summary", Text),
    Column("aws_access_key_id", Text),
    Column("aws_role_arn", Text),
)
"""One row per connection: its settings as JSON, its credentials encrypted, and its bookkeeping."""

states_table = Table(
    "authorisation_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""Consent flows in progress (by the hash of their ``state``)."""

tokens_table = Table(
    "access_tokens",
    metadata,
    Column("cache_key", String(64), primary_key=True),
    Column("subject", String(64), nullable=False, index=True),
    Column("token", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""Access tokens shared by every process, encrypted."""

meta_table = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""Facts about the store itself: the key check."""

applications_table = Table(
    "applications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(128), nullable=False),
    Column("token_url", String(512), nullable=False),
    Column("client_secret", Text),
    Column("secret_issued_at", DateTime(timezone=True)),
    Column("secret_expires_at", DateTime(timezone=True)),
    Column("previous_secret", Text),
    Column("previous_expires_at", DateTime(timezone=True)),
    Column("rotation_requested_at", DateTime(timezone=True)),
    Column("queue_url", Text),
    Column("aws_region", String(32)),
    Column("aws_profile", String(128)),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("client_id", "token_url"),
)
"""One row per application (client ID and Login with Amazon endpoint): its client secrets."""

buckets_table = Table(
    "rate_buckets",
    metadata,
    Column("bucket", String(512), primary_key=True),
    Column("tat", Float, nullable=True),
    Column("epoch", Integer, nullable=False, default=0),
    Column("start", Float, nullable=False, default=0.0),
    Column("shift", Float, nullable=False, default=0.0),
    Column("issued", Integer, nullable=False, default=0),
    Column("answered", Integer, nullable=False, default=0),
    Column("rate", Float, nullable=True),
)
"""Rate-limit buckets shared by every process, and the rates Amazon reported."""

report_jobs_table = Table(
    "report_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
    Column("request_key", String(64), nullable=False, index=True),
    Column("report_type", String(128), nullable=False),
    Column("marketplace_ids", Text, nullable=False),
    Column("data_start", DateTime(timezone=True)),
    Column("data_end", DateTime(timezone=True)),
    Column("options", Text, nullable=False),
    Column("report_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("document_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    UniqueConstraint("connection_id", "report_id"),
)
"""Reports asked of Amazon (or found and reused) for a connection: what was asked, the report ID and the
last status seen, so that a wait cut short resumes with the same report; ``delivered_at`` once its rows
were written."""

order_jobs_table = Table(
    "order_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
    Column("identity", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("params", Text, nullable=False),
    Column("bound", DateTime(timezone=True)),
    Column("api_cursor", Text),
    Column("api_done", Boolean, nullable=False),
    Column("report_id", String(128)),
    Column("report_from", DateTime(timezone=True)),
    Column("report_done", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("connection_id", "identity"),
)
"""Order exports and syncs under way: what they fetch, and how far each source got (a page token, a
report), so that a run killed at any point resumes where it stopped."""

order_job_records_table = Table(
    "order_job_records",
    metadata,
    Column("job_id", Integer, ForeignKey("order_jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", String(64), primary_key=True),
    Column("updated", DateTime(timezone=True), nullable=False),
    Column("source_rank", Integer, nullable=False),
    Column("delivered", Boolean, nullable=False),
    Column("record", Text, nullable=False),
)
"""The orders (with their items) a job fetched and has not yet delivered, encrypted (they hold buyer
data); one per order, the most recently updated version."""

order_sync_positions_table = Table(
    "order_sync_positions",
    metadata,
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True),
    Column("scope", String(64), primary_key=True),
    Column("marketplaces", Text, nullable=False),
    Column("destination", Text, nullable=False),
    Column("position", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""How far each order sync got, per connection, marketplace set and destination (``scope``)."""

submission_runs_table = Table(
    "submission_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("via", String(16), nullable=False),
    Column("finished", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_submission_runs_lookup", "connection_id", "kind", "id"),
)
"""Bulk submissions to Amazon (listings updates, shipments): one row per run of one input, so that a
rerun of it continues it (or, when it finished, reports it again) instead of sending anything twice."""

submission_feeds_table = Table(
    "submission_feeds",
    metadata,
    Column("run_id", Integer, ForeignKey("submission_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("feed_document_id", Text, nullable=False),
    Column("records", Text, nullable=False),
    Column("creating_at", DateTime(timezone=True), nullable=False),
    Column("feed_id", String(64)),
    Column("status", String(16)),
    Column("result_document_id", Text),
)
"""The feeds of a run, one per part of its input: the uploaded document and, once createFeed answered,
the feed; ``records`` (JSON) says which input line each message carries and which lines were refused
before sending."""

submission_answers_table = Table(
    "submission_answers",
    metadata,
    Column("run_id", Integer, ForeignKey("submission_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("answer", Text, nullable=False),
)
"""Amazon's answer to each input record of a run, JSON: kept as it comes for a record sent on its own (a
patch, a shipment confirmation), when the run finishes for a feed's."""
