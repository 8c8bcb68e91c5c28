"""Reports API 2021-06-30: create, poll, list and cancel reports and report schedules; their documents
behind presigned URLs.

A report is IN_QUEUE, then IN_PROGRESS, then DONE (or CANCELLED without data, or FATAL) on the clock
(see ``jobs`` and ``report_documents``). A restricted report type's document needs a Restricted Data
Token for its concrete ``/documents/{reportDocumentId}`` path.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from amazon_connector.api.report_types import find_report_type
from amazon_connector.api.schemas import (
    CreateReportResponse,
    CreateReportSpecification,
)
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import denied, invalid_input, not_found
from amazon_connector.sandbox.spapi.inputs import parse_time
from amazon_connector.sandbox.spapi.job_api import INVALID, JobKind
from amazon_connector.sandbox.spapi.jobs import Job
from amazon_connector.sandbox.spapi.report_documents import report_type_of
from amazon_connector.sandbox.spapi.report_schedules import PERIODS, Schedule
from amazon_connector.sandbox.times import iso

TYPE_RE = re.compile(r"^[A-Z0-9_]{3,}$")


def _report(job: Job) -> dict[str, Any]:
    """What a report has besides what every job has."""
    return {
        "dataStartTime": iso(job.data_start) if job.data_start else None,
        "dataEndTime": iso(job.data_end) if job.data_end else None,
        "reportDocumentId": job.document_id,
        "reportScheduleId": job.schedule_id,
    }


REPORTS = JobKind("report", lambda sandbox: sandbox.reports, _report)


async def create_report(call: Call) -> Response:
    seller = call.identity.authorising_seller
    spec = call.body(CreateReportSpecification, INVALID)
    if not TYPE_RE.match(spec.reportType):
        raise invalid_input(INVALID, f"Invalid reportType: {spec.reportType}.")
    known = find_report_type(spec.reportType)
    if known is not None and not known.requestable:
        raise invalid_input(INVALID, f"Report type {spec.reportType} cannot be requested.")
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
    if report_type_of(job).restricted and call.data_elements is None:
        raise denied()
    return REPORTS.download(call, document)


class CreateReportScheduleSpecification(BaseModel):
    reportType: str = Field(min_length=1)
    marketplaceIds: list[str] = Field(min_length=1, max_length=25)
    reportOptions: dict[str, str] | None = None
    period: str
    nextReportCreationTime: str | None = None


def _schedule(schedule: Schedule) -> dict[str, Any]:
    return {
        "reportScheduleId": schedule.schedule_id,
        "reportType": schedule.report_type,
        "marketplaceIds": schedule.marketplace_ids,
        **({"reportOptions": schedule.options} if schedule.options else {}),
        "period": schedule.period,
        "nextReportCreationTime": iso(schedule.next_time),
    }


async def create_report_schedule(call: Call) -> Response:
    seller = call.identity.authorising_seller
    spec = call.body(CreateReportScheduleSpecification, INVALID)
    if spec.period not in PERIODS:
        raise invalid_input(INVALID, f"Invalid period: {spec.period}.")
    known = find_report_type(spec.reportType)
    if not TYPE_RE.match(spec.reportType) or (known is not None and not known.schedulable):
        raise invalid_input(INVALID, f"Report type {spec.reportType} cannot be scheduled.")
    if not set(spec.marketplaceIds) <= {m.marketplace_id for m in seller.marketplaces()}:
        raise invalid_input(INVALID, "The seller does not sell in one or more of the marketplaceIds.")
    first = (
        parse_time(spec.nextReportCreationTime, "nextReportCreationTime")
        if spec.nextReportCreationTime
        else None
    )
    schedule = call.sandbox.schedules.create(
        seller.selling_partner_id,
        spec.reportType,
        marketplace_ids=spec.marketplaceIds,
        options=spec.reportOptions or {},
        period=spec.period,
        first=first,
    )
    return JSONResponse({"reportScheduleId": schedule.schedule_id}, status_code=201)


async def get_report_schedules(call: Call) -> Response:
    types: list[str] = call.query("reportTypes", [])
    seller_id = call.identity.authorising_seller.selling_partner_id
    found = [s for s in call.sandbox.schedules.of(seller_id) if s.report_type in types]
    return JSONResponse({"reportSchedules": [_schedule(s) for s in found]})


def _find_schedule(call: Call) -> Schedule:
    schedule_id = call.path("reportScheduleId")
    found = call.sandbox.schedules.get(call.identity.authorising_seller.selling_partner_id, schedule_id)
    if found is None:
        raise not_found(f"Report schedule {schedule_id} not found.")
    return found


async def get_report_schedule(call: Call) -> Response:
    return JSONResponse(_schedule(_find_schedule(call)))


async def cancel_report_schedule(call: Call) -> Response:
    call.sandbox.schedules.cancel(_find_schedule(call))
    return Response(status_code=200)


HANDLERS: dict[str, Handler] = {
    "reports/2021-06-30/createReport": create_report,
    "reports/2021-06-30/getReports": REPORTS.list,
    "reports/2021-06-30/getReport": REPORTS.get,
    "reports/2021-06-30/cancelReport": REPORTS.cancel,
    "reports/2021-06-30/getReportDocument": get_report_document,
    "reports/2021-06-30/createReportSchedule": create_report_schedule,
    "reports/2021-06-30/getReportSchedules": get_report_schedules,
    "reports/2021-06-30/getReportSchedule": get_report_schedule,
    "reports/2021-06-30/cancelReportSchedule": cancel_report_schedule,
}
