"""A connection's reports, whole: request or reuse, wait, then rows out to a destination or a file.

Requesting and waiting are plans (``lifecycle``) run sync or async; reading a document is blocking work
(pyarrow parses in threads of its own), which async callers run in a worker thread, as the destinations
are (``writer``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from amazon_connector.api.report_types import Format, ReportType, custom_report_type, find_report_type
from amazon_connector.api.report_types import report_type as type_named
from amazon_connector.data.destinations import open_destination
from amazon_connector.data.reports.jobs import ReportJob, ReportJobs
from amazon_connector.data.reports.lifecycle import (
    DEFAULT_REUSE_AGE,
    Call,
    Lifecycle,
    Progress,
)
from amazon_connector.data.reports.requests import ReportRequest, as_utc, report_request
from amazon_connector.data.reports.rows import DocumentRows, document_rows, read_ahead
from amazon_connector.data.staging import require_writable
from amazon_connector.data.targets import Format as TargetFormat
from amazon_connector.data.targets import Target, parse_target
from amazon_connector.data.writer import WriteMode
from amazon_connector.errors import ConfigurationError, ReportError
from amazon_connector.http.drivers import Plan, arun, run
from amazon_connector.marketplaces import get_marketplace

if TYPE_CHECKING:
    from amazon_connector.connections.connection import Connection

DEFAULT_TIMEOUT = 2 * 3600.0
"""Seconds a report is waited for by default (large ones take Amazon a long while)."""
PIECE = 1 << 20


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export wrote: rows per record set, to ``target``."""

    job: ReportJob
    target: str
    counts: Mapping[str, int]


class Reports:
    """The reports of one connection (``Reports(connection)``); ``on_progress`` sees each status seen."""

    def __init__(self, connection: Connection, *, on_progress: Progress | None = None) -> None:
        self.connection = connection
        self.jobs = ReportJobs(connection.store, connection.clock)
        self.lifecycle = Lifecycle(connection, self.jobs)
        self.on_progress = on_progress

    # --- requests ----------------------------------------------------------------------------------

    def request_for(
        self,
        report_type: str | ReportType,
        *,
        marketplaces: Iterable[str] | None = None,
        start: datetime | date | str | None = None,
        end: datetime | date | str | None = None,
        options: Mapping[str, str] | None = None,
        format: Format | None = None,
        schedule: bool = False,
    ) -> ReportRequest:
        """A checked request (ConfigurationError when it is wrong); a scheduled report needs no window."""
        if schedule:
            kind = (
                report_type if isinstance(report_type, ReportType) else type_named(report_type, format=format)
            )
            markets = [get_marketplace(m).marketplace_id for m in marketplaces or ()]
            return ReportRequest(kind, tuple(markets) or (self.connection.marketplace.marketplace_id,))
        return report_request(
            report_type,
            home=self.connection.marketplace,
            now=self.connection.clock.now(),
            marketplaces=marketplaces,
            start=start,
            end=end,
            options=options,
            format=format,
        )

    def _participation_plan(self, request: ReportRequest) -> Plan[None]:
        """A marketplace the seller does not sell in is refused before anything is created."""
        if request.marketplace_ids == (self.connection.marketplace.marketplace_id,):
            return
        answer = yield Call(self.connection, "getMarketplaceParticipations", {})
        data = answer.data if isinstance(answer.data, list) else []
        selling = {p.get("marketplace", {}).get("id") for p in data if isinstance(p, dict)}
        if lacking := [m for m in request.marketplace_ids if m not in selling]:
            raise ConfigurationError(
                f"Connection {self.connection.name!r} does not sell in {', '.join(lacking)}.",
                field="marketplaces",
                hint=f"It sells in: {', '.join(sorted(m for m in selling if m))}.",
            )

    def _get_plan(
        self,
        request: ReportRequest,
        *,
        schedule: bool,
        reuse: bool,
        reuse_age: timedelta,
        timeout: float,
        on_progress: Progress | None,
    ) -> Plan[ReportJob]:
        progress = on_progress or self.on_progress
        if schedule:
            return (yield from self.lifecycle.scheduled_plan(request, timeout=timeout, on_progress=progress))
        yield from self._participation_plan(request)
        job = yield from self.lifecycle.request_plan(request, reuse=reuse, reuse_age=reuse_age)
        return (yield from self.lifecycle.wait_plan(job, timeout=timeout, on_progress=progress))

    def get(
        self,
        request: ReportRequest,
        *,
        schedule: bool = False,
        reuse: bool = True,
        reuse_age: timedelta = DEFAULT_REUSE_AGE,
        timeout: float = DEFAULT_TIMEOUT,
        on_progress: Progress | None = None,
    ) -> ReportJob:
        """The report for ``request``, DONE: an undelivered one an earlier run left (without ``reuse``
        only one still being made), else one Amazon has in progress or made within ``reuse_age``
        (unless ``reuse`` is off), else a new one, waited for up to ``timeout`` seconds. ``schedule``:
        the newest scheduled (or Amazon-made) report not yet delivered. Raises ReportFatalError, ReportCancelledError, ReportNotReadyError (the job is kept)."""
        return run(
            self._get_plan(
                request,
                schedule=schedule,
                reuse=reuse,
                reuse_age=reuse_age,
                timeout=timeout,
                on_progress=on_progress,
            )
        )

    async def aget(
        self,
        request: ReportRequest,
        *,
        schedule: bool = False,
        reuse: bool = True,
        reuse_age: timedelta = DEFAULT_REUSE_AGE,
        timeout: float = DEFAULT_TIMEOUT,
        on_progress: Progress | None = None,
    ) -> ReportJob:
        """The async twin of get."""
        return await arun(
            self._get_plan(
                request,
                schedule=schedule,
                reuse=reuse,
                reuse_age=reuse_age,
                timeout=timeout,
                on_progress=on_progress,
            )
        )

    def request(
        self, request: ReportRequest, *, reuse: bool = True, reuse_age: timedelta = DEFAULT_REUSE_AGE
    ) -> ReportJob:
        """Request (or reuse) the report without waiting for it."""
        return run(self.lifecycle.request_plan(request, reuse=reuse, reuse_age=reuse_age))

    async def arequest(
        self, request: ReportRequest, *, reuse: bool = True, reuse_age: timedelta = DEFAULT_REUSE_AGE
    ) -> ReportJob:
        return await arun(self.lifecycle.request_plan(request, reuse=reuse, reuse_age=reuse_age))

    def finish(self, job: ReportJob, *, timeout: float = DEFAULT_TIMEOUT) -> ReportJob:
        """Wait for a report (see get)."""
        return run(self.lifecycle.wait_plan(job, timeout=timeout, on_progress=self.on_progress))

    async def afinish(self, job: ReportJob, *, timeout: float = DEFAULT_TIMEOUT) -> ReportJob:
        return await arun(self.lifecycle.wait_plan(job, timeout=timeout, on_progress=self.on_progress))

    # --- one report ------------------------------------------------------------------------------

    def job(self, report_id: str) -> ReportJob:
        """A report as Amazon shows it now (from getReport; kept in the store if it was there)."""
        return run(self._job_plan(report_id))

    def _job_plan(self, report_id: str) -> Plan[ReportJob]:
        known = self.jobs.find(self.connection.record.id, report_id)
        if known is not None:
            return (yield from self.lifecycle.refresh_plan(known))
        answer = yield Call(self.connection, "getReport", {"reportId": report_id})
        data = answer.data if isinstance(answer.data, dict) else {}
        created = as_utc(data.get("createdTime"), "createdTime") or self.connection.clock.now()
        return ReportJob(
            report_id=str(data.get("reportId", report_id)),
            report_type=str(data.get("reportType", "")),
            marketplace_ids=tuple(data.get("marketplaceIds") or ()),
            start=as_utc(data.get("dataStartTime"), "dataStartTime"),
            end=as_utc(data.get("dataEndTime"), "dataEndTime"),
            options={},
            status=str(data.get("processingStatus", "")),
            document_id=data.get("reportDocumentId"),
            created_at=created,
            updated_at=created,
            delivered_at=None,
            request_key="",
        )

    def ready(self, report_id: str) -> ReportJob:
        """A report that must be DONE to be read; FATAL and CANCELLED are explained as errors."""
        job = self.job(report_id)
        if job.status in ("IN_QUEUE", "IN_PROGRESS"):
            raise ReportError(
                f"Report {report_id} is still {job.status}.",
                job=job,
                hint="Wait for it: `amazon-connector reports get` waits, or run this again later.",
            )
        if job.status != "DONE":
            return self.finish(job, timeout=0)  # raises FATAL or CANCELLED, explained
        return job

    def cancel(self, report_id: str) -> None:
        """Cancel a report that is still IN_QUEUE (Amazon refuses the others)."""
        self.connection.call("cancelReport", reportId=report_id)
        self.jobs.seen(self.connection.record.id, report_id, "CANCELLED", None)

    def list(
        self,
        report_types: Iterable[str] = (),
        *,
        statuses: Iterable[str] = (),
        since: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Amazon's reports of these types (default: the types this connection asked for), newest first,
        every page."""
        types = (
            list(report_types)
            or list(dict.fromkeys(j.report_type for j in self.jobs.of(self.connection.record.id)))[:10]
        )
        if not types:
            raise ConfigurationError(
                "Which report types?", field="report_types", hint="Give one or more --type (at most 10)."
            )
        params: dict[str, Any] = {"reportTypes": types, "pageSize": 100}
        if statuses := list(statuses):
            params["processingStatuses"] = statuses
        if since is not None:
            params["createdSince"] = since
        answer = self.connection.call("getReports", **params)
        return [dict(r) for r in answer]

    # --- the document --------------------------------------------------------------------------

    @staticmethod
    def check_target(target: str | Target) -> Target:
        """``target`` parsed, and for a file its directory checked: so that a destination that cannot be
        written is refused before a report is asked for (DestinationError)."""
        parsed = parse_target(target) if isinstance(target, str) else target
        if parsed.path is not None and parsed.format is not TargetFormat.SQL:
            require_writable(parsed.path.parent, [parsed.path], parsed.shown)
        return parsed

    @staticmethod
    def check_file(path: Path) -> None:
        """The file ``download`` would write, its directory checked before a report is asked for
        (DestinationError)."""
        require_writable(path.parent, [path], str(path))

    def report_type_of(self, job: ReportJob) -> ReportType:
        return find_report_type(job.report_type) or custom_report_type(job.report_type, "TSV")

    def _fallback_charset(self, job: ReportJob, report_type: ReportType) -> str:
        if report_type.format in ("JSON", "XML") or not job.marketplace_ids:
            return "UTF-8"
        return get_marketplace(job.marketplace_ids[0]).document_charset

    def _document_id(self, job: ReportJob) -> str:
        if job.status != "DONE" or not job.document_id:
            raise ReportError(f"Report {job.report_id} has no document (it is {job.status}).", job=job)
        return job.document_id

    @contextmanager
    def open_rows(
        self, job: ReportJob, *, encoding: str | None = None, report_type: ReportType | None = None
    ) -> Iterator[DocumentRows]:
        """The rows of a DONE report, read as they download (``with`` it: leaving stops the download).
        ``encoding`` overrides the document's charset (flat files and JSON)."""
        kind = report_type or self.report_type_of(job)
        with self.connection.open_document(self._document_id(job), restricted=kind.restricted) as document:
            stream = (
                document.file()
                if kind.format == "XML"  # the XML parser reads the document's own declaration
                else document.text(encoding, fallback=self._fallback_charset(job, kind))
            )
            yield document_rows(stream, kind, name=f"The document of report {job.report_id}")

    def export(
        self,
        job: ReportJob,
        target: str | Target,
        *,
        mode: WriteMode | str = WriteMode.REPLACE,
        encoding: str | None = None,
        on_rows: Callable[[int], None] | None = None,
    ) -> Exported:
        """Write a DONE report's rows to ``target`` (see ``amazon_connector.data.open_destination``) in
        one commit, then mark the job delivered. ``on_rows`` sees the rows written so far."""
        written = 0
        with self.open_rows(job, encoding=encoding) as rows:
            destination = open_destination(target, rows.record_sets, mode=mode)
            with destination:
                for record_set, piece in read_ahead(rows.pieces):
                    if isinstance(piece, list):
                        written += destination.write(record_set, piece)
                    else:
                        written += destination.write_arrow(record_set, piece)
                    if on_rows is not None:
                        on_rows(written)
        self.delivered(job)
        shown = target if isinstance(target, str) else target.shown
        return Exported(job, shown, dict(destination.counts))

    async def aexport(
        self,
        job: ReportJob,
        target: str | Target,
        *,
        mode: WriteMode | str = WriteMode.REPLACE,
        encoding: str | None = None,
    ) -> Exported:
        """export, in a worker thread."""
        return await asyncio.to_thread(self.export, job, target, mode=mode, encoding=encoding)

    def delivered(self, job: ReportJob) -> None:
        """Mark a report's rows as written (``export`` does): it is not resumed again, and ``--schedule``
        moves on to the next one. For callers that read ``open_rows`` themselves."""
        connection_id = self.connection.record.id
        if self.jobs.find(connection_id, job.report_id) is None:  # a report found by its ID: kept from now on
            request = ReportRequest(
                self.report_type_of(job), job.marketplace_ids, job.start, job.end, job.options or None
            )
            self.jobs.record(connection_id, request, job.report_id, job.status, job.document_id)
        self.jobs.delivered(connection_id, job.report_id)

    def write_document(
        self,
        job: ReportJob,
        out: BinaryIO,
        *,
        raw: bool = False,
        encoding: str | None = None,
        on_bytes: Callable[[int, int | None], None] | None = None,
    ) -> int:
        """Write a DONE report's document to ``out`` as it downloads: its text in UTF-8 (``raw``: Amazon's
        bytes as stored, gzip and all; XML and ZIP documents as they are); the number of bytes written.
        ``on_bytes`` sees the bytes written so far and the document's stored size."""
        kind = self.report_type_of(job)
        written = 0
        document_id = self._document_id(job)
        with self.connection.open_document(document_id, raw=raw, restricted=kind.restricted) as document:
            pieces: Iterator[bytes]
            if raw or kind.format in ("XML", "ZIP"):
                pieces = iter(document)
            else:
                text = document.text(encoding, self._fallback_charset(job, kind))
                pieces = iter(lambda: text.read(PIECE), b"")
            for piece in pieces:
                out.write(piece)
                written += len(piece)
                if on_bytes is not None:
                    on_bytes(written, document.head.size)
        return written

    def download(
        self,
        job: ReportJob,
        path: Path,
        *,
        raw: bool = False,
        encoding: str | None = None,
        on_bytes: Callable[[int, int | None], None] | None = None,
    ) -> int:
        """``write_document`` to the file ``path`` (0600), written beside it and renamed into place, so a
        reader sees the whole document or nothing; the number of bytes written."""
        partial = path.with_name(f".{path.name}.partial")
        try:
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
                written = self.write_document(job, out, raw=raw, encoding=encoding, on_bytes=on_bytes)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ConfigurationError(
                f"Cannot write {path}: {exc.strerror or exc}.",
                field="output",
                hint="Choose a file in a directory that exists and has room; the report stays ready to download again.",
            ) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return written
