"""The order tracking report, requested, waited for and read: the one place the orders feature touches
the Reports API. Until the report pipeline (``amazon_connector.data.reports``, issue 13) lands, this is
minimal glue: the document is downloaded whole with ``Connection.adownload_document`` and parsed in
memory, which suits reports of up to some hundred thousand rows; switching to the pipeline's streaming
rows changes only ``order_report_rows``."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from amazon_connector.connections.connection import Connection
from amazon_connector.errors import AmazonConnectorError

BY_UPDATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
BY_ORDER_DATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
FIRST_POLL = timedelta(seconds=5)
LONGEST_POLL = timedelta(seconds=60)
"""getReport is asked again after 5 s, then twice as long each time, up to a minute (on the clock)."""
LONGEST_WAIT = timedelta(hours=4)
"""A run gives up waiting for a report after this long; the next run waits for the same report."""
ITEM_ID_COLUMN = "order-item-id"


class ReportFailedError(AmazonConnectorError):
    """Amazon could not make the report (FATAL), or cancelled it for another reason than no data."""


def report_type(by_update: bool) -> str:
    return BY_UPDATE if by_update else BY_ORDER_DATE


async def request_order_report(
    connection: Connection, kind: str, marketplaces: list[str], start: datetime, end: datetime
) -> str:
    """createReport for the span; the report's ID."""
    body = {
        "reportType": kind,
        "marketplaceIds": marketplaces,
        "dataStartTime": start.isoformat(),
        "dataEndTime": end.isoformat(),
    }
    answer = await connection.acall("reports/2021-06-30/createReport", body=body)
    return str(answer.data["reportId"])


async def order_report_rows(connection: Connection, report_id: str) -> list[dict[str, str]]:
    """The report's rows once Amazon has made it (waiting on the connection's clock); none when Amazon
    cancelled it for want of data."""
    clock, wait = connection.clock, FIRST_POLL
    give_up = clock.monotonic() + LONGEST_WAIT.total_seconds()
    while True:
        report = (await connection.acall("reports/2021-06-30/getReport", reportId=report_id)).data
        status = report.get("processingStatus")
        if status == "DONE":
            break
        if status == "CANCELLED":
            return []
        if status == "FATAL":
            raise ReportFailedError(
                f"Amazon could not make the order report {report_id} (FATAL).",
                hint="Run again (a new report is asked for), or use the API (path api).",
            )
        if clock.monotonic() >= give_up:
            raise ReportFailedError(
                f"Amazon has not made the order report {report_id} in {LONGEST_WAIT} ({status}).",
                hint="Run again later: the run waits for the same report.",
            )
        await clock.asleep_until(clock.monotonic() + wait.total_seconds())
        wait = min(wait * 2, LONGEST_POLL)
    content = await connection.adownload_document(str(report["reportDocumentId"]))
    text = content.decode("utf-8-sig", errors="replace")
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows and ITEM_ID_COLUMN not in rows[0]:
        raise ReportFailedError(
            f"The order report {report_id} has no {ITEM_ID_COLUMN} column, so its items cannot be told apart.",
            hint="Use the API instead (path api).",
        )
    return rows
