"""Reports API 2021-06-30: create, poll, list and cancel reports; their documents behind presigned URLs.

A report is IN_QUEUE, then IN_PROGRESS, then DONE on the clock (see ``jobs``). A restricted report
type's document needs a Restricted Data Token for its concrete ``/documents/{reportDocumentId}`` path.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from amazon_connector.api.schemas import (
    CreateReportResponse,
    CreateReportSpecification,
)
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.contents import RESTRICTED_REPORT_TYPES
from amazon_connector.sandbox.spapi.errors import denied, invalid_input, not_found
from amazon_connector.sandbox.spapi.inputs import parse_time
from amazon_connector.sandbox.spapi.job_api import INVALID, JobKind
from amazon_connector.sandbox.spapi.jobs import Job
from amazon_connector.sandbox.times import iso

TYPE_RE = re.compile(r"^[A-Z0-9_]{3,}$")


def _report(job: Job) -> dict[str, Any]:
    """What a report has besides what every job has."""
    return {
        "dataStartTime": iso(job.data_start) if job.data_start else None,
        "dataEndTime": iso(job.data_end) if job.data_end else None,
        "reportDocumentId": job.document_id,
    }


REPORTS = JobKind("report", lambda sandbox: sandbox.reports, _report)


async def create_report(call: Call) -> Response:
    seller = call.identity.authorising_seller
    spec = call.body(CreateReportSpecification, INVALID)
    if not TYPE_RE.match(spec.reportType):
        raise invalid_input(INVALID, f"Invalid reportType: {spec.reportType}.")
    own = {m.marketplace_id for m in seller.marketplaces()}
    if not set(spec.marketplaceIds) <= own:
        raise invalid_input(INVALID, "The seller does not sell in one or more of the marketplaceIds.")
    start = parse_time(spec.dataStartTime, "dataStartTime") if spec.dataStartTime else None
    end = parse_time(spec.dataEndTime, "dataEndTime") if spec.dataEndTime else None
    if start and end and end < start:
        raise invalid_input(INVALID, "dataEndTime must not be before dataStartTime.")
    job = call.sandbox.reports.create(
        spec.reportType,
        seller.selling_partner_id,
        spec.marketplaceIds,
        spec.reportOptions,
        data_start=start,
        data_end=end,
    )
    return answer(CreateReportResponse(reportId=job.job_id), status=202)


async def get_report_document(call: Call) -> Response:
    seller_id = call.identity.authorising_seller.selling_partner_id
    document_id = call.path("reportDocumentId")
    job = next((j for j in call.sandbox.reports.of(seller_id) if j.document_id == document_id), None)
    document = call.sandbox.documents.get(document_id, seller_id)
    if job is None or document is None:
        raise not_found(f"Report document {document_id} not found.")
    if job.job_type in RESTRICTED_REPORT_TYPES and call.data_elements is None:
        raise denied()
    return REPORTS.download(call, document)


HANDLERS: dict[str, Handler] = {
    "reports/2021-06-30/createReport": create_report,
    "reports/2021-06-30/getReports": REPORTS.list,
    "reports/2021-06-30/getReport": REPORTS.get,
    "reports/2021-06-30/cancelReport": REPORTS.cancel,
    "reports/2021-06-30/getReportDocument": get_report_document,
}
