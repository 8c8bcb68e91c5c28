"""Which schema a store has, read without importing Alembic.

A versioned store names its revision in Alembic's ``alembic_version`` table: one query. Stores made
before versioned schemas are recognised by their tables and columns (``survey``). The revisions this
version knows are the files in ``migrations/versions`` (``0004_rate_buckets.py`` is revision 0004).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, select
from sqlalchemy.engine import Connection

version_table = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
"""Alembic's own table, as Alembic makes it (a new store is stamped without loading Alembic)."""

_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


@cache
def known_revisions() -> tuple[str, ...]:
    """Every revision this version can upgrade from, oldest first."""
    files = resources.files("amazon_connector.connections.store.migrations.versions").iterdir()
    return tuple(sorted(m.group(1) for f in files if (m := _REVISION_FILE.match(f.name))))


def head() -> str:
    """The newest revision: the schema of the tables in ``schema.py``."""
    return known_revisions()[-1]


def read_version(conn: Connection) -> str | None:
    """The revision a versioned store names (one query; raises when the store has no version table)."""
    return conn.execute(select(version_table.c.version_num)).scalar()


Kind = Literal["empty", "versioned", "unversioned", "foreign"]

_FIRST_TABLES = frozenset({"connections", "authorisation_states", "access_tokens", "store_meta"})
"""The tables every amazon-connector store has had."""


@dataclass(frozen=True, slots=True)
class Found:
    """What a database holds: nothing yet, a store (``revision``), or another program's tables."""

    kind: Kind
    revision: str | None = None
    tables: tuple[str, ...] = ()


def survey(conn: Connection) -> Found:
    """Look at the tables (and for older stores, the columns) to tell what the database holds."""
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())
    if version_table.name in tables and (revision := read_version(conn)) is not None:
        return Found("versioned", revision)
    tables.discard(version_table.name)
    if not tables:
        return Found("empty")
    if not tables >= _FIRST_TABLES:
        return Found("foreign", tables=tuple(sorted(tables)))

    def columns(table: str) -> set[str]:
        return {c["name"] for c in inspector.get_columns(table)}

    # The shapes released before versioned schemas, and the revision each one is (fixed for good).
    if "fingerprint" not in columns("authorisation_states"):
        return Found("unversioned", "0001")
    if "applications" not in tables:
        return Found("unversioned", "0002")
    if "rate_buckets" not in tables or "epoch" not in columns("rate_buckets"):
        return Found("unversioned", "0003")
    return Found("unversioned", "0004")
