"""Reports: request or reuse, wait, stream, decode, convert, in flat memory at any size.

``Reports(connection)`` asks Amazon for a report (or reuses one in progress or just made, or resumes the
one an interrupted run left), waits for it, and streams its document into rows written to any
destination (``amazon_connector.data``). Report types come from ``amazon_connector.api.report_types``.
"""

from amazon_connector.data.reports.jobs import ReportJob
from amazon_connector.data.reports.reports import DEFAULT_TIMEOUT, Exported, Reports
from amazon_connector.data.reports.requests import ReportRequest, report_request
from amazon_connector.data.reports.rows import DocumentRows
from amazon_connector.errors import (
    DocumentFormatError,
    ReportCancelledError,
    ReportError,
    ReportFatalError,
    ReportNotReadyError,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "DocumentFormatError",
    "DocumentRows",
    "Exported",
    "ReportCancelledError",
    "ReportError",
    "ReportFatalError",
    "ReportJob",
    "ReportNotReadyError",
    "ReportRequest",
    "Reports",
    "report_request",
]
