"""Reports API 2021-06-30: create, poll, list and cancel reports; their documents behind presigned URLs.

A report is IN_QUEUE, then IN_PROGRESS, then DONE on the clock (see ``jobs``). A restricted report
type's document needs a Restricted Data Token for its concrete ``/documents/{reportDocumentId}`` path.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from amazon_connector.api.schemas import (
    CreateReportResponse,
    CreateReportSpecification,
    GetReportsResponse,
    Report,
    ReportDocument,
)
from amazon_connector.sandbox.access import CallerDep
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.bodies import parsed
from amazon_connector.sandbox.contents import RESTRICTED_REPORT_TYPES
from amazon_connector.sandbox.context import Sandbox, SandboxDep
from amazon_connector.sandbox.errors import denied, invalid_input
from amazon_connector.sandbox.jobs import Job
from amazon_connector.sandbox.listings import INVALID, listing_page, not_found
from amazon_connector.sandbox.times import iso, parse_time

router = APIRouter(prefix="/reports/2021-06-30", tags=["reports"])

TYPE_RE = re.compile(r"^[A-Z0-9_]{3,}$")


def _report(job: Job, sandbox: Sandbox) -> Report:
    status = job.status(sandbox.clock.now())
    return Report(
        reportId=job.job_id,
        reportType=job.job_type,
        createdTime=iso(job.created),
        processingStatus=status,
        marketplaceIds=job.marketplace_ids,
        dataStartTime=iso(job.data_start) if job.data_start else None,
        dataEndTime=iso(job.data_end) if job.data_end else None,
        processingStartTime=iso(job.started) if status not in ("IN_QUEUE", "CANCELLED") else None,
        processingEndTime=iso(job.finished) if status in ("DONE", "FATAL") else None,
        reportDocumentId=job.document_id,
    )


@router.post("/reports")
async def create_report(request: Request, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    seller = caller.authorising_seller
    spec = await parsed(request, CreateReportSpecification, INVALID)
    if not TYPE_RE.match(spec.reportType):
        raise invalid_input(INVALID, f"Invalid reportType: {spec.reportType}.")
    own = {m.marketplace_id for m in seller.marketplaces()}
    if not set(spec.marketplaceIds) <= own:
        raise invalid_input(INVALID, "The seller does not sell in one or more of the marketplaceIds.")
    start = parse_time(spec.dataStartTime, "dataStartTime") if spec.dataStartTime else None
    end = parse_time(spec.dataEndTime, "dataEndTime") if spec.dataEndTime else None
    if start and end and end < start:
        raise invalid_input(INVALID, "dataEndTime must not be before dataStartTime.")
    job = sandbox.reports.create(
        spec.reportType,
        seller.selling_partner_id,
        spec.marketplaceIds,
        spec.reportOptions,
        data_start=start,
        data_end=end,
    )
    return answer(CreateReportResponse(reportId=job.job_id), status=202)


@router.get("/reports")
async def get_reports(request: Request, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    seller_id = caller.authorising_seller.selling_partner_id
    jobs = sandbox.reports.of(seller_id)
    page, token = listing_page(
        request, sandbox, jobs, types_name="reportTypes", kind="reports", seller_id=seller_id
    )
    return answer(GetReportsResponse(reports=[_report(j, sandbox) for j in page], nextToken=token))


@router.get("/reports/{reportId}")
async def get_report(reportId: str, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    job = sandbox.reports.get(reportId, caller.authorising_seller.selling_partner_id)
    if job is None:
        raise not_found(f"Report {reportId} not found.")
    return answer(_report(job, sandbox))


@router.delete("/reports/{reportId}")
async def cancel_report(reportId: str, caller: CallerDep, sandbox: SandboxDep) -> Response:
    job = sandbox.reports.get(reportId, caller.authorising_seller.selling_partner_id)
    if job is None:
        raise not_found(f"Report {reportId} not found.")
    if not sandbox.reports.cancel(job):
        raise invalid_input(INVALID, "Only reports with processingStatus IN_QUEUE can be cancelled.")
    return Response(status_code=200)


@router.get("/documents/{reportDocumentId}")
async def get_report_document(
    reportDocumentId: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> JSONResponse:
    seller_id = caller.authorising_seller.selling_partner_id
    job = next((j for j in sandbox.reports.of(seller_id) if j.document_id == reportDocumentId), None)
    document = sandbox.documents.get(reportDocumentId, seller_id)
    if job is None or document is None:
        raise not_found(f"Report document {reportDocumentId} not found.")
    if job.job_type in RESTRICTED_REPORT_TYPES and caller.data_elements(request) is None:
        raise denied()
    gzip_header = request.query_params.get("enableContentEncodingUrlHeader", "").lower() == "true"
    url = sandbox.documents.url(str(request.base_url), document, "GET", content_encoding=gzip_header)
    return answer(
        ReportDocument(
            reportDocumentId=reportDocumentId, url=url, compressionAlgorithm="GZIP" if document.gzip else None
        )
    )
