"""Upgrading a store with Alembic (loaded only here). The caller holds the store's lock and its
transaction: every revision runs in it, so an upgrade lands whole or not at all."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from amazon_connector.connections.secretbox import SecretBox
from amazon_connector.connections.store.backup import backup_file, free_name
from amazon_connector.connections.store.version import Found, head
from amazon_connector.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(conn: Connection, box: SecretBox) -> Config:
    """Alembic's configuration, in code: the migrations in this package, run on ``conn``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.attributes.update(connection=conn, secret_box=box)
    return config


def upgrade(conn: Connection, box: SecretBox, found: Found, sqlite_file: Path | None) -> None:
    """Bring the store ``found`` at its revision to the newest one. An unversioned store is stamped
    with the revision its shape is first; an SQLite file is copied beside itself before its schema
    changes."""
    from alembic import command

    assert found.revision is not None
    if sqlite_file is not None and found.revision != head():
        copy = free_name(sqlite_file, f"before-upgrade-from-{found.revision}")
        backup_file(sqlite_file, copy)
        log.info(
            "Upgrading the store %s to schema %s; the store as it was is kept in %s.",
            sqlite_file,
            head(),
            copy,
        )
    config = alembic_config(conn, box)
    if found.kind == "unversioned":
        command.stamp(config, found.revision)
    command.upgrade(config, "head")
    if sqlite_file is not None and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
        raise StoreError(
            f"Upgrading the store {sqlite_file} broke a reference between its tables; nothing was changed."
        )
