"""A report's life as plans (amazon_connector.http.drivers): request or reuse, wait, find a scheduled
one, explain a FATAL or CANCELLED end. The same plan runs sync (``run``) and async (``arun``).

Plans yield effects: SP-API calls through the connection's public ``call``/``acall``, the store's work
(a thread under asyncio), and waits on the connection's clock. Every decision is in the plans, once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from amazon_connector.data.reports.jobs import ReportJob, ReportJobs
from amazon_connector.data.reports.requests import ReportRequest, as_utc
from amazon_connector.errors import (
    ReportCancelledError,
    ReportFatalError,
    ReportNotReadyError,
)
from amazon_connector.http.drivers import Plan
from amazon_connector.http.effects import Blocking, Effect, Sleep
from amazon_connector.runtime.spapi import ApiResponse

if TYPE_CHECKING:
    from amazon_connector.connections.connection import Connection

T = TypeVar("T")

IN_FLIGHT = ("IN_QUEUE", "IN_PROGRESS")
FIRST_POLL = 5.0
"""Seconds before the first look at a new report; each later wait is 1.5 times longer, up to MAX_POLL."""
MAX_POLL = 60.0
POLL_GROWTH = 1.5
DEFAULT_REUSE_AGE = timedelta(hours=1)
"""A finished report this recent is reused for the same request instead of asking Amazon again."""
LOOK_BACK = timedelta(days=2)
"""How far back getReports looks for a report still being made."""
WINDOW_SLACK = timedelta(minutes=5)
PAGE = 100


@dataclass(frozen=True, slots=True)
class Call(Effect[ApiResponse]):
    """One SP-API call (one page) through the connection's public runtime."""

    connection: Connection = field(repr=False, compare=False)
    operation: str
    params: Mapping[str, Any]

    def perform(self) -> ApiResponse:
        return self.connection.call(self.operation, paginate=False, **self.params)

    async def aperform(self) -> ApiResponse:
        return await self.connection.acall(self.operation, paginate=False, **self.params)


@dataclass(frozen=True, slots=True)
class FetchDocument(Effect[bytes]):
    """A small report document (an error document), whole."""

    connection: Connection = field(repr=False, compare=False)
    document_id: str

    def perform(self) -> bytes:
        return self.connection.download_document(self.document_id)

    async def aperform(self) -> bytes:
        return await self.connection.adownload_document(self.document_id)


class StoreWork(Blocking[T]):
    """Work on the store (a transaction): a worker thread's under asyncio."""

    __slots__ = ("work",)

    def __init__(self, work: Callable[[], T]) -> None:
        self.work = work

    def perform(self) -> T:
        return self.work()


Progress = Callable[[ReportJob], None]


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """The plans of one connection's reports."""

    connection: Connection
    jobs: ReportJobs

    @property
    def connection_id(self) -> int:
        return self.connection.record.id

    # --- request or reuse ----------------------------------------------------------------------

    def request_plan(
        self, request: ReportRequest, *, reuse: bool = True, reuse_age: timedelta = DEFAULT_REUSE_AGE
    ) -> Plan[ReportJob]:
        """The report for ``request``: the stored one an earlier run left undelivered (without ``reuse``
        only one still being made: that run was waiting for it), else one Amazon has in progress or
        made within ``reuse_age`` (unless ``reuse`` is off), else a new one (createReport). The job is
        kept in the store as soon as its report ID is known."""
        job: ReportJob | None
        job = yield StoreWork(partial(self.jobs.resumable, self.connection_id, request))
        kept = timedelta(days=request.report_type.retention_days)
        recent = job is not None and self.connection.clock.now() - job.created_at < kept  # (else gone)
        if job is not None and recent and (reuse or not job.finished):
            return job
        if reuse:
            found = yield from self._reusable_plan(request, reuse_age)
            if found is not None:
                report_id, status, document_id = found
                job = yield StoreWork(
                    partial(self.jobs.record, self.connection_id, request, report_id, status, document_id)
                )
                assert job is not None
                return job
        answer = yield Call(self.connection, "createReport", {"body": request.body()})
        report_id = str(answer.data["reportId"])
        job = yield StoreWork(
            partial(self.jobs.record, self.connection_id, request, report_id, "IN_QUEUE", None)
        )
        assert job is not None
        return job

    def _reusable_plan(
        self, request: ReportRequest, reuse_age: timedelta
    ) -> Plan[tuple[str, str, str | None] | None]:
        now = self.connection.clock.now()
        answer = yield Call(
            self.connection,
            "getReports",
            {
                "reportTypes": [request.report_type.name],
                "processingStatuses": [*IN_FLIGHT, "DONE"],
                "marketplaceIds": list(request.marketplace_ids),
                "createdSince": now - max(reuse_age, LOOK_BACK),
                "pageSize": PAGE,
            },
        )
        reports = answer.data.get("reports", []) if isinstance(answer.data, dict) else []
        candidates = [r for r in reports if _matches(r, request, now, reuse_age)]
        for report in _preferred(candidates):
            known: ReportJob | None = yield StoreWork(
                partial(self.jobs.find, self.connection_id, str(report["reportId"]))
            )
            if known is not None and known.request_key != request.key:
                continue  # made for other options (getReports does not show a report's options)
            if known is None and request.options:
                continue  # someone else's: its options are unknown
            return str(report["reportId"]), str(report["processingStatus"]), report.get("reportDocumentId")
        return None

    # --- wait -------------------------------------------------------------------------------------

    def wait_plan(
        self, job: ReportJob, *, timeout: float, on_progress: Progress | None = None
    ) -> Plan[ReportJob]:
        """Look at the report until it ends (backing off from FIRST_POLL to MAX_POLL seconds between
        looks, on the connection's clock) or ``timeout`` seconds pass (ReportNotReadyError; the job
        stays for the next run). DONE returns the job; FATAL and CANCELLED raise, explained."""
        clock = self.connection.clock
        deadline = clock.monotonic() + timeout
        delay = FIRST_POLL
        while True:
            if not job.finished:
                job = yield from self.refresh_plan(job)
            if on_progress is not None:
                on_progress(job)
            if job.status == "DONE":
                return job
            if job.status == "FATAL":
                raise (yield from self._fatal_plan(job))
            if job.status == "CANCELLED":
                raise (yield from self._cancelled_plan(job))
            now = clock.monotonic()
            if now >= deadline:
                raise ReportNotReadyError(
                    f"Report {job.report_id} ({job.report_type}) is still {job.status} after {timeout:.0f} s.",
                    job=job,
                    hint="Run the same command again: it goes on waiting for the same report.",
                )
            yield Sleep(min(now + delay, deadline), clock)
            delay = min(delay * POLL_GROWTH, MAX_POLL)

    def refresh_plan(self, job: ReportJob) -> Plan[ReportJob]:
        """The report as Amazon shows it now (kept in the store)."""
        answer = yield Call(self.connection, "getReport", {"reportId": job.report_id})
        data = answer.data if isinstance(answer.data, dict) else {}
        status, document_id = str(data.get("processingStatus", job.status)), data.get("reportDocumentId")
        if (status, document_id) != (job.status, job.document_id):
            yield StoreWork(partial(self.jobs.seen, self.connection_id, job.report_id, status, document_id))
        return replace(job, status=status, document_id=document_id)

    def _fatal_plan(self, job: ReportJob) -> Plan[ReportFatalError]:
        """FATAL, with the reason Amazon's error document gives (when it has one)."""
        reason = None
        if job.document_id:
            reason = error_text((yield FetchDocument(self.connection, job.document_id)))
        hint = "Check the request against the report type (`amazon-connector reports types`)."
        if reason and "reportoptions" in reason.lower().replace(" ", ""):
            hint = "Amazon names a report option: give it with --option NAME=VALUE."
        return ReportFatalError(
            f"Amazon could not make report {job.report_id} ({job.report_type}): "
            + (reason or "it ended FATAL without saying why."),
            job=job,
            reason=reason,
            hint=hint,
        )

    def _cancelled_plan(self, job: ReportJob) -> Plan[ReportCancelledError]:
        """CANCELLED, explained: no data for the request, or (when Amazon made the same type a short while
        ago) the request came too soon after that one."""
        answer = yield Call(
            self.connection,
            "getReports",
            {
                "reportTypes": [job.report_type],
                "processingStatuses": ["DONE"],
                "marketplaceIds": list(job.marketplace_ids),
                "createdSince": job.created_at - timedelta(hours=4),
                "pageSize": PAGE,
            },
        )
        reports = answer.data.get("reports", []) if isinstance(answer.data, dict) else []
        recent = next((r for r in reports if str(r.get("reportId")) != job.report_id), None)
        message = (
            f"Amazon cancelled report {job.report_id} ({job.report_type}): that means there is no data for "
            "this request (or the report was asked for too often, or cancelled by hand)."
        )
        hint = "Nothing is written. Ask for another window or type; this is not an error to retry at once."
        if recent is not None:
            hint = (
                f"Amazon made report {recent['reportId']} of this type at {recent.get('createdTime')}: it "
                "cancels requests that come too soon after one (a cooldown of up to 4 hours for some types). "
                f"Export that one (`amazon-connector reports export {recent['reportId']}`) or ask later."
            )
        return ReportCancelledError(message, job=job, hint=hint)

    # --- scheduled reports ----------------------------------------------------------------------

    def scheduled_plan(
        self, request: ReportRequest, *, timeout: float, on_progress: Progress | None = None
    ) -> Plan[ReportJob]:
        """The newest DONE report of the type (made by a schedule or by Amazon itself) that this
        connection has not yet delivered; without one, wait up to ``timeout`` seconds for the next."""
        clock = self.connection.clock
        deadline = clock.monotonic() + timeout
        delay = FIRST_POLL
        while True:
            answer = yield Call(
                self.connection,
                "getReports",
                {
                    "reportTypes": [request.report_type.name],
                    "processingStatuses": ["DONE"],
                    "marketplaceIds": list(request.marketplace_ids),
                    "createdSince": clock.now() - timedelta(days=request.report_type.retention_days),
                    "pageSize": PAGE,
                },
            )
            reports = answer.data.get("reports", []) if isinstance(answer.data, dict) else []
            for report in sorted(reports, key=lambda r: str(r.get("createdTime", "")), reverse=True):
                report_id = str(report["reportId"])
                known: ReportJob | None = yield StoreWork(
                    partial(self.jobs.find, self.connection_id, report_id)
                )
                if known is not None and known.delivered_at is not None:
                    break  # the newest not delivered is newer than this one: none left
                window = ReportRequest(
                    request.report_type,
                    tuple(report.get("marketplaceIds") or request.marketplace_ids),
                    as_utc(report.get("dataStartTime"), "dataStartTime"),
                    as_utc(report.get("dataEndTime"), "dataEndTime"),
                    request.options,
                )
                job: ReportJob = yield StoreWork(
                    partial(
                        self.jobs.record,
                        self.connection_id,
                        window,
                        report_id,
                        "DONE",
                        report.get("reportDocumentId"),
                    )
                )
                if on_progress is not None:
                    on_progress(job)
                return job
            now = clock.monotonic()
            if now >= deadline:
                raise ReportNotReadyError(
                    f"No {request.report_type.name} report newer than the last one delivered appeared "
                    f"within {timeout:.0f} s.",
                    job=_placeholder(request, clock.now()),
                    hint="Amazon makes scheduled reports on its own timetable; run the command again later.",
                )
            yield Sleep(min(now + delay, deadline), clock)
            delay = min(delay * POLL_GROWTH, MAX_POLL)


def _matches(report: Mapping[str, Any], request: ReportRequest, now: datetime, reuse_age: timedelta) -> bool:
    """Whether Amazon's report answers ``request``: same type and marketplaces, same window (a request
    without one: a report made recently over the data up to when it was made), recent if finished."""
    if report.get("reportType") != request.report_type.name:
        return False
    if sorted(report.get("marketplaceIds") or []) != sorted(request.marketplace_ids):
        return False
    created = as_utc(report.get("createdTime"), "createdTime")
    if created is None:
        return False
    if report.get("processingStatus") == "DONE" and now - created > reuse_age:
        return False
    start = as_utc(report.get("dataStartTime"), "dataStartTime")
    end = as_utc(report.get("dataEndTime"), "dataEndTime")
    if request.start or request.end:
        return _same(start, request.start) and _same(end, request.end)
    if request.report_type.dates == "none":
        return True
    return end is None or end >= created - WINDOW_SLACK


def _same(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < timedelta(seconds=1)


def _preferred(reports: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """DONE first, then IN_PROGRESS, then IN_QUEUE; newest first within each."""
    newest = sorted(reports, key=lambda r: str(r.get("createdTime", "")), reverse=True)
    rank = {"DONE": 0, "IN_PROGRESS": 1, "IN_QUEUE": 2}
    return sorted(newest, key=lambda r: rank.get(str(r.get("processingStatus")), 3))


def _placeholder(request: ReportRequest, now: datetime) -> ReportJob:
    """A job for a scheduled report that has not appeared."""
    return ReportJob(
        report_id="",
        report_type=request.report_type.name,
        marketplace_ids=request.marketplace_ids,
        start=None,
        end=None,
        options=dict(request.options or {}),
        status="IN_QUEUE",
        document_id=None,
        created_at=now,
        updated_at=now,
        delivered_at=None,
        request_key=request.key,
    )


def error_text(content: bytes) -> str:
    """What an error document says: its ``errorDetails`` (JSON), else its text."""
    text = content.decode("utf-8", errors="replace").strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:2000]
    if isinstance(parsed, dict) and parsed.get("errorDetails"):
        return str(parsed["errorDetails"])
    return text[:2000]
