"""What the Reports and Feeds APIs share: looking a job up, cancelling it, listing jobs a page at a time
(filters kept in the next-page token), and a document's presigned URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.responses import JSONResponse, Response

from amazon_connector.sandbox.aws.storage import Document
from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.spapi.call import Call
from amazon_connector.sandbox.spapi.errors import invalid_input, not_found
from amazon_connector.sandbox.spapi.inputs import parse_time
from amazon_connector.sandbox.spapi.jobs import Job, Jobs
from amazon_connector.sandbox.times import iso

PROCESSING_STATUSES = frozenset({"IN_QUEUE", "IN_PROGRESS", "DONE", "CANCELLED", "FATAL"})
RETENTION = timedelta(days=90)
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_TYPES = 10
INVALID = "Invalid input"


@dataclass(frozen=True, slots=True)
class JobKind:
    """Reports or feeds: the words their API uses, where they are kept, and how one is described."""

    noun: str
    """``report`` or ``feed``: ``reportId``, ``reportTypes``, ``reports``."""
    jobs: Callable[[Sandbox], Jobs]
    details: Callable[[Job], dict[str, Any]]
    """What one kind of job has besides what every job has (None values are left out)."""

    def describe(self, job: Job, sandbox: Sandbox) -> dict[str, Any]:
        """A job as the API shows it."""
        status = job.status(sandbox.clock.now())
        described = {
            f"{self.noun}Id": job.job_id,
            f"{self.noun}Type": job.job_type,
            "createdTime": iso(job.created),
            "processingStatus": status,
            "marketplaceIds": job.marketplace_ids,
            "processingStartTime": iso(job.started) if status not in ("IN_QUEUE", "CANCELLED") else None,
            "processingEndTime": iso(job.finished) if status in ("DONE", "FATAL") else None,
            **self.details(job),
        }
        return {key: value for key, value in described.items() if value is not None}

    def find(self, call: Call) -> Job:
        """The seller's job the path names; 404 NotFound if there is none."""
        job_id = call.path(f"{self.noun}Id")
        job = self.jobs(call.sandbox).get(job_id, call.identity.authorising_seller.selling_partner_id)
        if job is None:
            raise not_found(f"{self.noun.capitalize()} {job_id} not found.")
        return job

    async def get(self, call: Call) -> Response:
        return JSONResponse(self.describe(self.find(call), call.sandbox))

    async def cancel(self, call: Call) -> Response:
        if not self.jobs(call.sandbox).cancel(self.find(call)):
            raise invalid_input(
                INVALID, f"Only {self.noun}s with processingStatus IN_QUEUE can be cancelled."
            )
        return Response(status_code=200)

    async def list(self, call: Call) -> Response:
        """One page of the seller's jobs (newest first) and the next page's token."""
        seller_id = call.identity.authorising_seller.selling_partner_id
        token = call.query("nextToken")
        if token:
            query = call.sandbox.pages.read(token)
            if query is None or query.get("seller") != seller_id or query.get("kind") != self.noun:
                raise invalid_input(INVALID, "The nextToken is not valid or has expired.")
        else:
            query = {**self._filters(call), "seller": seller_id, "kind": self.noun}
        now = call.sandbox.clock.now()
        found = [
            j
            for j in self.jobs(call.sandbox).of(seller_id)
            if j.job_type in query["types"]
            and (not query["statuses"] or j.status(now) in query["statuses"])
            and (not query["marketplaces"] or set(j.marketplace_ids) & set(query["marketplaces"]))
            and query["since"] <= j.created.timestamp() <= query["until"]
        ]
        start, size = query["offset"], query["size"]
        body: dict[str, Any] = {
            f"{self.noun}s": [self.describe(j, call.sandbox) for j in found[start : start + size]]
        }
        if start + size < len(found):
            body["nextToken"] = call.sandbox.pages.issue({**query, "offset": start + size})
        return JSONResponse(body)

    def download(self, call: Call, document: Document) -> Response:
        """Where to download a job's document: a presigned URL, and GZIP if it is stored so."""
        body = {f"{self.noun}DocumentId": document.document_id, "url": document_url(call, document, "GET")}
        if document.gzip:
            body["compressionAlgorithm"] = "GZIP"
        return JSONResponse(body)

    def _filters(self, call: Call) -> dict[str, Any]:
        """The filters of a first listing request, as a next-page token keeps them."""
        types: list[str] = call.query(f"{self.noun}Types", [])
        statuses: list[str] = call.query("processingStatuses", [])
        marketplaces: list[str] = call.query("marketplaceIds", [])
        if (
            not 1 <= len(types) <= MAX_TYPES
            or len(marketplaces) > MAX_TYPES
            or not set(statuses) <= PROCESSING_STATUSES
        ):
            raise invalid_input(INVALID, f"Give 1 to 10 {self.noun}Types (or a nextToken) and valid filters.")
        size: int = call.query("pageSize", DEFAULT_PAGE_SIZE)
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise invalid_input(INVALID, "pageSize must be 1 - 100.")
        now = call.sandbox.clock.now()
        since = call.query("createdSince")
        until = call.query("createdUntil")
        return {
            "types": types,
            "statuses": statuses,
            "marketplaces": marketplaces,
            "since": (parse_time(since, "createdSince") if since else now - RETENTION).timestamp(),
            "until": (parse_time(until, "createdUntil") if until else now).timestamp(),
            "size": size,
            "offset": 0,
        }


def document_url(call: Call, document: Document, method: str) -> str:
    """A presigned URL for the document, on the emulator's own address (never the Host header's);
    a download URL asks for ``Content-Encoding: gzip`` when the request set
    ``enableContentEncodingUrlHeader``."""
    gzip_header = call.query("enableContentEncodingUrlHeader") is True
    return call.sandbox.documents.url(call.own_url, document, method, content_encoding=gzip_header)
