"""Access tokens shared by every process that opens the store (a TokenStore), encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from amazon_connector.connections.store.access import Database
from amazon_connector.connections.store.schema import tokens_table as table
from amazon_connector.connections.store.times import utc


class AccessTokens:
    """The ``access_tokens`` table."""

    def __init__(self, store: Database) -> None:
        self.store = store

    def load_token(self, cache_key: str) -> tuple[str, datetime] | None:
        with self.store.transaction() as conn:
            row = conn.execute(select(table).where(table.c.cache_key == cache_key)).first()
        if row is None:
            return None
        return self.store.box.decrypt(row.token, "access_token"), utc(row.expires_at)

    def save_token(self, cache_key: str, subject: str, token: str, expires_at: datetime) -> None:
        values = {
            "subject": subject,
            "token": self.store.box.encrypt(token, "access_token"),
            "expires_at": expires_at,
        }
        with self.store.transaction() as conn:
            conn.execute(
                self.store.insert(table)
                .values(cache_key=cache_key, **values)
                .on_conflict_do_update(index_elements=[table.c.cache_key], set_=values)
            )

    def forget_tokens(self, subject: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(delete(table).where(table.c.subject == subject))
