"""Feeds API 2021-06-30: a feed document to upload to (presigned PUT), the feed, its processing report.

A feed is IN_QUEUE, then IN_PROGRESS, then DONE with a processing report (``resultFeedDocumentId``), or
FATAL when its document was not uploaded before processing started (see ``jobs``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from amazon_connector.api.schemas import (
    CreateFeedDocumentResponse,
    CreateFeedDocumentSpecification,
    CreateFeedResponse,
    CreateFeedSpecification,
    Feed,
    FeedDocument,
    GetFeedsResponse,
)
from amazon_connector.sandbox.access import CallerDep
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.bodies import parsed
from amazon_connector.sandbox.contents import report_region
from amazon_connector.sandbox.context import Sandbox, SandboxDep
from amazon_connector.sandbox.errors import invalid_input
from amazon_connector.sandbox.jobs import Job
from amazon_connector.sandbox.listings import INVALID, listing_page, not_found
from amazon_connector.sandbox.times import iso

router = APIRouter(prefix="/feeds/2021-06-30", tags=["feeds"])


def _feed(job: Job, sandbox: Sandbox) -> Feed:
    status = job.status(sandbox.clock.now())
    return Feed(
        feedId=job.job_id,
        feedType=job.job_type,
        createdTime=iso(job.created),
        processingStatus=status,
        marketplaceIds=job.marketplace_ids,
        processingStartTime=iso(job.started) if status not in ("IN_QUEUE", "CANCELLED") else None,
        processingEndTime=iso(job.finished) if status in ("DONE", "FATAL") else None,
        resultFeedDocumentId=job.document_id,
    )


@router.post("/documents")
async def create_feed_document(request: Request, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    seller_id = caller.authorising_seller.selling_partner_id
    spec = await parsed(request, CreateFeedDocumentSpecification, INVALID)
    region = report_region(seller_id, sandbox.world)
    document = sandbox.documents.create(f"amzn1.tortuga.4.{region}", seller_id, spec.contentType)
    url = sandbox.documents.url(str(request.base_url), document, "PUT")
    return answer(CreateFeedDocumentResponse(feedDocumentId=document.document_id, url=url), status=201)


@router.post("/feeds")
async def create_feed(request: Request, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    seller = caller.authorising_seller
    spec = await parsed(request, CreateFeedSpecification, INVALID)
    if not set(spec.marketplaceIds) <= {m.marketplace_id for m in seller.marketplaces()}:
        raise invalid_input(INVALID, "The seller does not sell in one or more of the marketplaceIds.")
    if sandbox.documents.get(spec.inputFeedDocumentId, seller.selling_partner_id) is None:
        raise invalid_input(INVALID, f"Unknown inputFeedDocumentId {spec.inputFeedDocumentId}.")
    job = sandbox.feeds.create(
        spec.feedType,
        seller.selling_partner_id,
        spec.marketplaceIds,
        spec.feedOptions,
        input_document_id=spec.inputFeedDocumentId,
    )
    return answer(CreateFeedResponse(feedId=job.job_id), status=202)


@router.get("/feeds")
async def get_feeds(request: Request, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    seller_id = caller.authorising_seller.selling_partner_id
    page, token = listing_page(
        request,
        sandbox,
        sandbox.feeds.of(seller_id),
        types_name="feedTypes",
        kind="feeds",
        seller_id=seller_id,
    )
    return answer(GetFeedsResponse(feeds=[_feed(j, sandbox) for j in page], nextToken=token))


@router.get("/feeds/{feedId}")
async def get_feed(feedId: str, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    job = sandbox.feeds.get(feedId, caller.authorising_seller.selling_partner_id)
    if job is None:
        raise not_found(f"Feed {feedId} not found.")
    return answer(_feed(job, sandbox))


@router.delete("/feeds/{feedId}")
async def cancel_feed(feedId: str, caller: CallerDep, sandbox: SandboxDep) -> Response:
    job = sandbox.feeds.get(feedId, caller.authorising_seller.selling_partner_id)
    if job is None:
        raise not_found(f"Feed {feedId} not found.")
    if not sandbox.feeds.cancel(job):
        raise invalid_input(INVALID, "Only feeds with processingStatus IN_QUEUE can be cancelled.")
    return Response(status_code=200)


@router.get("/documents/{feedDocumentId}")
async def get_feed_document(
    feedDocumentId: str, request: Request, caller: CallerDep, sandbox: SandboxDep
) -> JSONResponse:
    document = sandbox.documents.get(feedDocumentId, caller.authorising_seller.selling_partner_id)
    if document is None or not feedDocumentId.startswith("amzn1.tortuga."):
        raise not_found(f"Feed document {feedDocumentId} not found.")
    gzip_header = request.query_params.get("enableContentEncodingUrlHeader", "").lower() == "true"
    url = sandbox.documents.url(str(request.base_url), document, "GET", content_encoding=gzip_header)
    return answer(
        FeedDocument(
            feedDocumentId=feedDocumentId, url=url, compressionAlgorithm="GZIP" if document.gzip else None
        )
    )
