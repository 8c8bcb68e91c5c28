"""What order exports and syncs keep in the connection store: jobs under way (their sources' progress and
the orders fetched, encrypted), and each sync's position. Every change is one store transaction, so a run
killed at any point finds either the state before a page or the state after it. Their times are on the
connection's clock (an emulator's own), as Amazon's are: a job's start bounds the window it asks for."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update

from amazon_connector.clock import Clock
from amazon_connector.connections.store import Store
from amazon_connector.connections.store.schema import order_job_records_table as records_table
from amazon_connector.connections.store.schema import order_jobs_table as jobs_table
from amazon_connector.connections.store.schema import order_sync_positions_table as positions_table
from amazon_connector.connections.store.times import utc
from amazon_connector.data.orders.normalise import OrderRecords
from amazon_connector.data.orders.records import ORDER_ITEMS, ORDERS
from amazon_connector.data.records import Record, RecordSet, json_value

PURPOSE = "order record"
"""Binds a staged record's ciphertext to what it is."""
READ_BATCH = 500


@dataclass(frozen=True, slots=True)
class Job:
    """An export or sync under way: its parameters and how far each of its sources got."""

    id: int
    kind: str
    params: dict[str, Any]
    bound: datetime | None
    api_cursor: str | None
    api_done: bool
    report_id: str | None
    report_from: datetime | None
    report_done: bool
    created_at: datetime

    @property
    def fetched(self) -> bool:
        """Whether the window has been fetched (by the API or the report)."""
        return self.api_done or self.report_done


def _plain(record_set: RecordSet, record: Record) -> dict[str, Any]:
    """A record checked against its set, as JSON values (decimals and times as text)."""
    coerced = record_set.coerce(record)
    return {name: json_value(record_set.by_name[name], value) for name, value in coerced.items()}


def _encode(order: dict[str, Any], records: OrderRecords) -> str:
    items = [_plain(ORDER_ITEMS, i) for i in records.items]
    return json.dumps({"order": order, "items": items}, separators=(",", ":"))


def _decode(text: str) -> OrderRecords:
    """A staged order: text forms that the destination turns back into its columns' types."""
    data = json.loads(text)
    return OrderRecords(data["order"], data["items"])


class OrderState:
    """The order tables of one store, their times on ``clock`` (the connection's)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # --- jobs ---------------------------------------------------------------------------------------

    def open_job(
        self, connection_id: int, identity: str, kind: str, params: dict[str, Any]
    ) -> tuple[Job, bool]:
        """The unfinished job with this identity, or a new one; True when it was resumed."""
        now = self.clock.now()
        with self.store.transaction() as conn:
            row = conn.execute(
                select(jobs_table).where(
                    jobs_table.c.connection_id == connection_id, jobs_table.c.identity == identity
                )
            ).first()
            if row is not None:
                return _job(row), True
            inserted = conn.execute(
                insert(jobs_table).values(
                    connection_id=connection_id,
                    identity=identity,
                    kind=kind,
                    params=json.dumps(params, sort_keys=True),
                    api_done=False,
                    report_done=False,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key
            assert inserted is not None
            row = conn.execute(select(jobs_table).where(jobs_table.c.id == inserted[0])).one()
        return _job(row), False

    def find_job(self, connection_id: int, identity: str) -> Job | None:
        """The connection's unfinished job with this identity, if any."""
        with self.store.transaction() as conn:
            row = conn.execute(
                select(jobs_table).where(
                    jobs_table.c.connection_id == connection_id, jobs_table.c.identity == identity
                )
            ).first()
        return None if row is None else _job(row)

    def job(self, job_id: int) -> Job:
        with self.store.transaction() as conn:
            return _job(conn.execute(select(jobs_table).where(jobs_table.c.id == job_id)).one())

    def jobs(self, connection_id: int) -> list[Job]:
        """The connection's unfinished jobs, oldest first."""
        with self.store.transaction() as conn:
            rows = conn.execute(
                select(jobs_table)
                .where(jobs_table.c.connection_id == connection_id)
                .order_by(jobs_table.c.id)
            ).all()
        return [_job(r) for r in rows]

    def drop_job(self, job_id: int) -> None:
        """Forget a job and what it fetched."""
        with self.store.transaction() as conn:
            conn.execute(delete(records_table).where(records_table.c.job_id == job_id))
            conn.execute(delete(jobs_table).where(jobs_table.c.id == job_id))

    def stage(
        self,
        job_id: int,
        records: Iterable[OrderRecords],
        rank: int,
        **progress: Any,
    ) -> None:
        """Keep fetched orders (the newer version of an order wins; at the same time, the higher
        ``rank``: API answers over report rows) and the job's progress, in one transaction."""
        rows = []
        for r in records:
            order = _plain(ORDERS, r.order)
            rows.append(
                {
                    "job_id": job_id,
                    "order_id": r.order_id,
                    "updated": datetime.fromisoformat(order["last_updated_at"]),
                    "source_rank": rank,
                    "delivered": False,
                    "record": self.store.box.encrypt(_encode(order, r), PURPOSE),
                }
            )
        with self.store.transaction() as conn:
            if rows:
                statement = self.store.insert(records_table).values(rows)
                newer = statement.excluded
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=[records_table.c.job_id, records_table.c.order_id],
                        set_={
                            "updated": newer.updated,
                            "source_rank": newer.source_rank,
                            "delivered": newer.delivered,
                            "record": newer.record,
                        },
                        where=or_(
                            newer.updated > records_table.c.updated,
                            and_(
                                newer.updated == records_table.c.updated,
                                newer.source_rank >= records_table.c.source_rank,
                            ),
                        ),
                    )
                )
            if progress:
                conn.execute(
                    update(jobs_table)
                    .where(jobs_table.c.id == job_id)
                    .values(updated_at=self.clock.now(), **progress)
                )

    def staged(self, job_id: int, *, undelivered_only: bool) -> Iterator[list[OrderRecords]]:
        """The job's orders in batches, by order ID."""
        after = ""
        while True:
            query = (
                select(records_table.c.order_id, records_table.c.record)
                .where(records_table.c.job_id == job_id, records_table.c.order_id > after)
                .order_by(records_table.c.order_id)
                .limit(READ_BATCH)
            )
            if undelivered_only:
                query = query.where(records_table.c.delivered.is_(False))
            with self.store.transaction() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            yield [_decode(self.store.box.decrypt(r.record, PURPOSE)) for r in rows]
            after = rows[-1].order_id

    def count(self, job_id: int, *, undelivered_only: bool = False) -> int:
        query = select(func.count()).select_from(records_table).where(records_table.c.job_id == job_id)
        if undelivered_only:
            query = query.where(records_table.c.delivered.is_(False))
        with self.store.transaction() as conn:
            return int(conn.execute(query).scalar_one())

    def delivered(self, job_id: int, order_ids: Iterable[str]) -> None:
        """Mark orders as written to the destination (after its commit)."""
        ids = list(order_ids)
        with self.store.transaction() as conn:
            for start in range(0, len(ids), READ_BATCH):
                conn.execute(
                    update(records_table)
                    .where(
                        records_table.c.job_id == job_id,
                        records_table.c.order_id.in_(ids[start : start + READ_BATCH]),
                    )
                    .values(delivered=True)
                )

    # --- sync positions -----------------------------------------------------------------------------

    def position(self, connection_id: int, scope: str) -> datetime | None:
        with self.store.transaction() as conn:
            found = conn.execute(
                select(positions_table.c.position).where(
                    positions_table.c.connection_id == connection_id, positions_table.c.scope == scope
                )
            ).scalar_one_or_none()
        return utc(found)

    def finish(
        self, job_id: int, *, position: tuple[int, str, list[str], str, datetime] | None = None
    ) -> None:
        """End a delivered job; for a sync, store its position ``(connection ID, scope, marketplaces,
        destination, position)`` in the same transaction."""
        with self.store.transaction() as conn:
            if position is not None:
                connection_id, scope, marketplaces, destination, moment = position
                statement = self.store.insert(positions_table).values(
                    connection_id=connection_id,
                    scope=scope,
                    marketplaces=",".join(marketplaces),
                    destination=destination,
                    position=moment,
                    updated_at=self.clock.now(),
                )
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=[positions_table.c.connection_id, positions_table.c.scope],
                        set_={"position": moment, "updated_at": self.clock.now()},
                    )
                )
            conn.execute(delete(records_table).where(records_table.c.job_id == job_id))
            conn.execute(delete(jobs_table).where(jobs_table.c.id == job_id))


def _job(row: Any) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        params=json.loads(row.params),
        bound=utc(row.bound),
        api_cursor=row.api_cursor,
        api_done=bool(row.api_done),
        report_id=row.report_id,
        report_from=utc(row.report_from),
        report_done=bool(row.report_done),
        created_at=utc(row.created_at),
    )
