"""The order tracking report, through the report pipeline (``amazon_connector.data.reports``): asked for
(or one Amazon is making or just made reused), waited for on the connection's clock, and its document
streamed and decoded into rows a piece at a time, so a report of any size takes little memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

from amazon_connector.connections.connection import Connection
from amazon_connector.data.reports import ReportCancelledError, ReportJob, Reports
from amazon_connector.errors import DocumentFormatError

BY_UPDATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
BY_ORDER_DATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LONGEST_WAIT = timedelta(hours=4)
"""A run gives up waiting for a report after this long; the next run waits for the same report."""
ITEM_ID = "order_item_id"
"""The report's ``order-item-id`` column (as the pipeline names columns), which Amazon added in 2026."""

Row = dict[str, Any]


def report_type(by_update: bool) -> str:
    return BY_UPDATE if by_update else BY_ORDER_DATE


async def request_order_report(
    connection: Connection, kind: str, marketplaces: list[str], start: datetime, end: datetime
) -> str:
    """The report for the span (a new one, or one Amazon is making or made within the hour); its ID."""
    reports = Reports(connection)
    request = reports.request_for(kind, marketplaces=marketplaces, start=start, end=end)
    return (await reports.arequest(request)).report_id


async def order_report_rows(connection: Connection, report_id: str) -> AsyncIterator[list[Row]]:
    """The report's rows in pieces, once Amazon has made it (waited for up to LONGEST_WAIT: then
    ReportNotReadyError, and the next run waits for the same report); nothing when Amazon cancelled it
    for want of data. The report is marked delivered once read to its end."""
    reports = Reports(connection)
    known = await asyncio.to_thread(reports.jobs.find, connection.record.id, report_id)
    job = known if known is not None else await asyncio.to_thread(reports.job, report_id)
    try:
        job = await reports.afinish(job, timeout=LONGEST_WAIT.total_seconds())
    except ReportCancelledError:
        return
    pieces = _pieces(reports, job)
    while (piece := await asyncio.to_thread(next, pieces, None)) is not None:
        yield piece
    await asyncio.to_thread(reports.delivered, job)


def _pieces(reports: Reports, job: ReportJob) -> Iterator[list[Row]]:
    with reports.open_rows(job) as rows:
        for _, piece in rows.pieces:
            found = piece if isinstance(piece, list) else piece.to_pylist()
            if found and ITEM_ID not in found[0]:
                raise DocumentFormatError(
                    f"The order report {job.report_id} has no order-item-id column, so its items cannot be "
                    "told apart.",
                    hint="Use the API instead (path api).",
                )
            yield found
