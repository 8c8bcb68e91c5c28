"""Rate-limit buckets in the connection store: shared by every process that opens the same store."""

from __future__ import annotations

from sqlalchemy import Column, Float, MetaData, String, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection as DbConnection

from amazon_connector.connections.store import Store
from amazon_connector.runtime.limiter import Plan, drained, reserve_slot

_metadata = MetaData()

buckets_table = Table(
    "rate_buckets",
    _metadata,
    Column("bucket", String(512), primary_key=True),
    Column("tat", Float, nullable=True),
    Column("rate", Float, nullable=True),
)


class StoreRateBackend:
    """A RateBackend whose buckets are rows, updated under a row lock (a write lock on SQLite)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        _metadata.create_all(store.engine)
        insert = postgresql.insert if store.engine.dialect.name == "postgresql" else sqlite.insert
        self._insert = insert
        self._rates: dict[str, float | None] = {}

    def _locked_tat(self, conn: DbConnection, key: str) -> float | None:
        conn.execute(self._insert(buckets_table).values(bucket=key).on_conflict_do_nothing())
        row = conn.execute(
            select(buckets_table.c.tat).where(buckets_table.c.bucket == key).with_for_update()
        ).first()
        return None if row is None else row.tat

    def _set(self, conn: DbConnection, key: str, **values: float) -> None:
        conn.execute(update(buckets_table).where(buckets_table.c.bucket == key).values(**values))

    def reserve(self, key: str, plan: Plan, now: float) -> float:
        with self.store.transaction() as conn:
            send_at, tat = reserve_slot(self._locked_tat(conn, key), plan, now)
            self._set(conn, key, tat=tat)
        return send_at

    def drain(self, key: str, plan: Plan, now: float) -> None:
        with self.store.transaction() as conn:
            self._set(conn, key, tat=drained(self._locked_tat(conn, key), plan, now))

    def learn(self, key: str, rate: float) -> None:
        with self.store.transaction() as conn:
            self._locked_tat(conn, key)
            self._set(conn, key, rate=rate)
        self._rates[key] = rate

    def learned(self, key: str) -> float | None:
        if key not in self._rates:
            with self.store.transaction() as conn:
                row = conn.execute(select(buckets_table.c.rate).where(buckets_table.c.bucket == key)).first()
            self._rates[key] = None if row is None else row.rate
        return self._rates[key]
