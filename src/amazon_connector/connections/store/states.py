"""Consent flows in progress: each ``state`` is kept (as its hash) until used once or expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select

from amazon_connector.auth.token_cache import subject_of
from amazon_connector.connections.store.access import Database
from amazon_connector.connections.store.schema import states_table as table
from amazon_connector.connections.store.times import utc


@dataclass(frozen=True, slots=True)
class PendingState:
    connection_id: int
    redirect_uri: str
    fingerprint: str
    expires_at: datetime


class AuthorisationStates:
    """The ``authorisation_states`` table."""

    def __init__(self, store: Database) -> None:
        self.store = store

    def save(
        self, state: str, connection_id: int, redirect_uri: str, fingerprint: str, expires_at: datetime
    ) -> None:
        with self.store.transaction() as conn:
            conn.execute(delete(table).where(table.c.expires_at < self.store.clock.now()))
            conn.execute(
                insert(table).values(
                    state_hash=subject_of(state),
                    connection_id=connection_id,
                    redirect_uri=redirect_uri,
                    fingerprint=fingerprint,
                    expires_at=expires_at,
                )
            )

    def find(self, state: str) -> PendingState | None:
        """The pending state, left in place (to check whom it belongs to before consuming it)."""
        with self.store.transaction() as conn:
            row = conn.execute(select(table).where(table.c.state_hash == subject_of(state))).first()
        return None if row is None else _pending(row)

    def consume(self, state: str) -> PendingState | None:
        """Remove and return the pending state, once (atomically); None if unknown or already used."""
        with self.store.transaction() as conn:
            row = conn.execute(
                delete(table).where(table.c.state_hash == subject_of(state)).returning(table)
            ).first()
        return None if row is None else _pending(row)


def _pending(row: Row[Any]) -> PendingState:
    return PendingState(row.connection_id, row.redirect_uri, row.fingerprint, utc(row.expires_at))
