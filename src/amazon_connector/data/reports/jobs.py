"""The ``report_jobs`` table: every report asked of Amazon (or reused) for a connection.

A job is written as soon as Amazon gave its report ID, and updated with each status seen, so a wait
that is interrupted resumes with the same report on the next run. ``delivered_at`` is set once its rows
were written; a delivered job is never resumed (the next run asks or reuses anew). A job's times are on
its connection's clock (an emulator's own), as Amazon's times about its report are, so that its age
compares with Amazon's retention.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, delete, insert, select, update

from amazon_connector.connections.store.schema import report_jobs_table as table
from amazon_connector.connections.store.times import utc
from amazon_connector.data.reports.requests import ReportRequest

if TYPE_CHECKING:
    from amazon_connector.clock import Clock
    from amazon_connector.connections.store.database import Store

FINAL = frozenset({"DONE", "CANCELLED", "FATAL"})
KEPT = timedelta(days=90)
"""Jobs are forgotten this long after their last change (Amazon keeps reports 90 days at most)."""


@dataclass(frozen=True, slots=True)
class ReportJob:
    """A report of a connection, as last seen."""

    report_id: str
    report_type: str
    marketplace_ids: tuple[str, ...]
    start: datetime | None
    end: datetime | None
    options: dict[str, str]
    status: str
    document_id: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None
    request_key: str

    @property
    def finished(self) -> bool:
        return self.status in FINAL


class ReportJobs:
    """The report jobs of one store, their times on ``clock`` (the connection's)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def resumable(self, connection_id: int, request: ReportRequest) -> ReportJob | None:
        """The newest job of this very request that may still give its rows (not CANCELLED or FATAL),
        if it is undelivered (an older one never is: its data would replace newer data delivered)."""
        with self.store.transaction() as conn:
            row = conn.execute(
                select(table)
                .where(
                    table.c.connection_id == connection_id,
                    table.c.request_key == request.key,
                    table.c.status.not_in(("CANCELLED", "FATAL")),
                )
                .order_by(table.c.created_at.desc(), table.c.id.desc())
                .limit(1)
            ).first()
        return None if row is None or row.delivered_at is not None else _job(row)

    def find(self, connection_id: int, report_id: str) -> ReportJob | None:
        with self.store.transaction() as conn:
            row = conn.execute(
                select(table).where(table.c.connection_id == connection_id, table.c.report_id == report_id)
            ).first()
        return None if row is None else _job(row)

    def record(
        self, connection_id: int, request: ReportRequest, report_id: str, status: str, document_id: str | None
    ) -> ReportJob:
        """Keep a job (a report just created, or found to reuse); an existing one is updated. The
        connection's jobs unchanged for KEPT are forgotten (another connection's are on its own clock)."""
        now = self.clock.now()
        values = {
            "request_key": request.key,
            "report_type": request.report_type.name,
            "marketplace_ids": json.dumps(list(request.marketplace_ids)),
            "data_start": request.start,
            "data_end": request.end,
            "options": json.dumps(dict(request.options or {}), sort_keys=True),
            "status": status,
            "document_id": document_id,
            "updated_at": now,
        }
        with self.store.transaction() as conn:
            conn.execute(
                delete(table).where(table.c.connection_id == connection_id, table.c.updated_at < now - KEPT)
            )
            done = conn.execute(
                update(table)
                .where(table.c.connection_id == connection_id, table.c.report_id == report_id)
                .values(**values, delivered_at=None)
            )
            if not done.rowcount:
                conn.execute(
                    insert(table).values(
                        connection_id=connection_id, report_id=report_id, created_at=now, **values
                    )
                )
        found = self.find(connection_id, report_id)
        assert found is not None
        return found

    def seen(self, connection_id: int, report_id: str, status: str, document_id: str | None) -> None:
        """The status Amazon showed for the report now."""
        with self.store.transaction() as conn:
            conn.execute(
                update(table)
                .where(table.c.connection_id == connection_id, table.c.report_id == report_id)
                .values(status=status, document_id=document_id, updated_at=self.clock.now())
            )

    def delivered(self, connection_id: int, report_id: str) -> None:
        """Its rows were written: the job is not resumed again."""
        now = self.clock.now()
        with self.store.transaction() as conn:
            conn.execute(
                update(table)
                .where(table.c.connection_id == connection_id, table.c.report_id == report_id)
                .values(delivered_at=now, updated_at=now)
            )

    def of(self, connection_id: int) -> Sequence[ReportJob]:
        """The connection's jobs, newest first."""
        with self.store.transaction() as conn:
            rows = conn.execute(
                select(table)
                .where(table.c.connection_id == connection_id)
                .order_by(table.c.created_at.desc(), table.c.id.desc())
            ).all()
        return [_job(r) for r in rows]


def _job(row: Row[Any]) -> ReportJob:
    return ReportJob(
        report_id=row.report_id,
        report_type=row.report_type,
        marketplace_ids=tuple(json.loads(row.marketplace_ids)),
        start=utc(row.data_start),
        end=utc(row.data_end),
        options=json.loads(row.options),
        status=row.status,
        document_id=row.document_id,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        delivered_at=utc(row.delivered_at),
        request_key=row.request_key,
    )
