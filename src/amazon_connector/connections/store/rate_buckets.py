"""Rate-limit buckets in the store: shared by every process that opens it (a RateBackend)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.engine import Connection as DbConnection

from amazon_connector.connections.store.schema import buckets_table as table
from amazon_connector.runtime.limiter import Bucket

if TYPE_CHECKING:
    from amazon_connector.connections.store.database import Store

_STATE = ("tat", "epoch", "start", "shift", "issued", "answered")


class StoreRateBackend:
    """A RateBackend whose buckets are rows, changed under a row lock (the write lock on SQLite). The
    rates Amazon reported are cached in the process and refreshed each time the bucket is taken.

    On SQLite the threads of one process take turns on a lock of their own: contending for the
    database's write lock instead would make them wait in SQLite's busy handler, which sleeps in steps
    of milliseconds. PostgreSQL locks the bucket's row only, so they go in parallel there."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rates: dict[str, float | None] = {}
        postgres = store.engine.dialect.name == "postgresql"
        self._turn: AbstractContextManager[object] = nullcontext() if postgres else threading.Lock()

    def _locked(self, conn: DbConnection, key: str) -> Bucket:
        """The bucket, locked; the rate another process learned is picked up on the way."""
        conn.execute(self.store.insert(table).values(bucket=key).on_conflict_do_nothing())
        *state, rate = conn.execute(
            select(*(table.c[c] for c in _STATE), table.c.rate).where(table.c.bucket == key).with_for_update()
        ).one()
        self._rates[key] = rate
        return Bucket(*state)

    def update(self, key: str, change: Callable[[Bucket], Bucket]) -> Bucket:
        with self._turn, self.store.transaction() as conn:
            bucket = change(self._locked(conn, key))
            conn.execute(
                update(table).where(table.c.bucket == key).values({c: getattr(bucket, c) for c in _STATE})
            )
        return bucket

    def read(self, key: str) -> Bucket:
        with self._turn, self.store.transaction() as conn:
            row = conn.execute(select(*(table.c[c] for c in _STATE)).where(table.c.bucket == key)).first()
        return Bucket() if row is None else Bucket(*row)

    def learn(self, key: str, rate: float) -> None:
        with self._turn, self.store.transaction() as conn:
            self._locked(conn, key)
            conn.execute(update(table).where(table.c.bucket == key).values(rate=rate))
        self._rates[key] = rate

    def learned(self, key: str) -> float | None:
        if key not in self._rates:
            with self._turn, self.store.transaction() as conn:
                row = conn.execute(select(table.c.rate).where(table.c.bucket == key)).first()
            self._rates[key] = None if row is None else row.rate
        return self._rates[key]
