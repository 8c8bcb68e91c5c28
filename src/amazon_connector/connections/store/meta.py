"""Facts about the store itself: the key check, a value only the store's key decrypts."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from amazon_connector.connections.secretbox import SecretBox
from amazon_connector.connections.store.schema import meta_table
from amazon_connector.errors import SecretKeyError

_KEY_CHECK = "amazon-connector key check"


def write_key_check(conn: Connection, box: SecretBox) -> None:
    """Record that ``box``'s key is the store's (a new store)."""
    conn.execute(insert(meta_table).values(key="key_check", value=box.encrypt(_KEY_CHECK, "key_check")))


def key_matches(conn: Connection, box: SecretBox) -> bool | None:
    """Whether ``box`` has the store's key; None when the store has no key check."""
    value = conn.scalar(select(meta_table.c.value).where(meta_table.c.key == "key_check"))
    if value is None:
        return None
    try:
        return box.decrypt(value, "key_check") == _KEY_CHECK
    except SecretKeyError:
        return False


def check_key(conn: Connection, box: SecretBox) -> None:
    """Raise unless ``box`` has the store's key (a store without a key check gets this one's)."""
    matches = key_matches(conn, box)
    if matches is None:
        write_key_check(conn, box)
    elif not matches:
        raise SecretKeyError(
            "This store was created with a different encryption key.",
            hint="Set $AMAZON_CONNECTOR_KEY or the key file to the key used when the store was created.",
        )
