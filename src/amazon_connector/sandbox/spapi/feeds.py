"""Feeds API 2021-06-30: a feed document to upload to (presigned PUT), the feed, its processing report.

A feed is IN_QUEUE, then IN_PROGRESS, then DONE with a processing report (``resultFeedDocumentId``), or
FATAL when its document was not uploaded before processing started (see ``jobs``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from amazon_connector.api.schemas import (
    CreateFeedDocumentResponse,
    CreateFeedDocumentSpecification,
    CreateFeedResponse,
    CreateFeedSpecification,
)
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.contents import report_region
from amazon_connector.sandbox.spapi.errors import invalid_input, not_found
from amazon_connector.sandbox.spapi.job_api import INVALID, JobKind, document_url
from amazon_connector.sandbox.spapi.jobs import Job


def _feed(job: Job) -> dict[str, Any]:
    """What a feed has besides what every job has."""
    return {"resultFeedDocumentId": job.document_id}


FEEDS = JobKind("feed", lambda sandbox: sandbox.feeds, _feed)


async def create_feed_document(call: Call) -> Response:
    seller_id = call.identity.authorising_seller.selling_partner_id
    spec = call.body(CreateFeedDocumentSpecification, INVALID)
    region = report_region(seller_id, call.sandbox.world)
    document = call.sandbox.documents.create(f"amzn1.tortuga.4.{region}", seller_id, spec.contentType)
    url = document_url(call, document, "PUT")
    return answer(CreateFeedDocumentResponse(feedDocumentId=document.document_id, url=url), status=201)


async def create_feed(call: Call) -> Response:
    seller = call.identity.authorising_seller
    spec = call.body(CreateFeedSpecification, INVALID)
    if not set(spec.marketplaceIds) <= {m.marketplace_id for m in seller.marketplaces()}:
        raise invalid_input(INVALID, "The seller does not sell in one or more of the marketplaceIds.")
    if call.sandbox.documents.get(spec.inputFeedDocumentId, seller.selling_partner_id) is None:
        raise invalid_input(INVALID, f"Unknown inputFeedDocumentId {spec.inputFeedDocumentId}.")
    job = call.sandbox.feeds.create(
        spec.feedType,
        seller.selling_partner_id,
        spec.marketplaceIds,
        spec.feedOptions,
        input_document_id=spec.inputFeedDocumentId,
    )
    return answer(CreateFeedResponse(feedId=job.job_id), status=202)


async def get_feed_document(call: Call) -> Response:
    document_id = call.path("feedDocumentId")
    document = call.sandbox.documents.get(document_id, call.identity.authorising_seller.selling_partner_id)
    if document is None or not document_id.startswith("amzn1.tortuga."):
        raise not_found(f"Feed document {document_id} not found.")
    return FEEDS.download(call, document)


HANDLERS: dict[str, Handler] = {
    "feeds/2021-06-30/createFeedDocument": create_feed_document,
    "feeds/2021-06-30/createFeed": create_feed,
    "feeds/2021-06-30/getFeeds": FEEDS.list,
    "feeds/2021-06-30/getFeed": FEEDS.get,
    "feeds/2021-06-30/cancelFeed": FEEDS.cancel,
    "feeds/2021-06-30/getFeedDocument": get_feed_document,
}
