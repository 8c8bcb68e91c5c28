"""What finished feeds produce: processing reports (report documents: ``report_documents``)."""

from __future__ import annotations

import json

from amazon_connector.sandbox.aws.storage import Document, Documents
from amazon_connector.sandbox.spapi import listings_feed
from amazon_connector.sandbox.spapi.jobs import Job
from amazon_connector.sandbox.spapi.listings_store import ListingsStore
from amazon_connector.sandbox.world import World


def report_region(selling_partner_id: str, world: World) -> str:
    seller = world.seller(selling_partner_id)
    return seller.marketplaces()[0].region.lower() if seller else "na"


def _count_messages(document: Document) -> int | None:
    """How many messages the uploaded feed holds; None when it cannot be read."""
    content = document.content or b""
    if "json" in document.content_type:
        try:
            messages = json.loads(content).get("messages", [])
        except (ValueError, AttributeError):
            return None
        return len(messages) if isinstance(messages, list) else None
    if "xml" in document.content_type:
        return content.count(b"<Message>")
    return max(len(content.splitlines()) - 1, 0)


class FeedResults:
    """Settles finished feeds: a processing report, or FATAL when nothing readable was uploaded in time.
    A JSON_LISTINGS_FEED changes the seller's listings, message by message (``listings_feed``)."""

    def __init__(self, world: World, documents: Documents, listings: ListingsStore) -> None:
        self.world = world
        self.documents = documents
        self.listings = listings

    def _report(self, job: Job, content_type: str, messages: int) -> bytes:
        if "json" in content_type:
            summary = {
                "errors": 0,
                "warnings": 0,
                "messagesProcessed": messages,
                "messagesAccepted": messages,
                "messagesInvalid": 0,
            }
            header = {"sellerId": job.selling_partner_id, "version": "2.0", "feedId": job.job_id}
            return json.dumps({"header": header, "issues": [], "summary": summary}).encode()
        if "xml" in content_type:
            return (
                '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Header><DocumentVersion>1.02'
                f"</DocumentVersion><MerchantIdentifier>{job.selling_partner_id}</MerchantIdentifier>"
                "</Header><MessageType>ProcessingReport</MessageType><Message><MessageID>1</MessageID>"
                f"<ProcessingReport><DocumentTransactionID>{job.job_id}</DocumentTransactionID>"
                "<StatusCode>Complete</StatusCode><ProcessingSummary>"
                f"<MessagesProcessed>{messages}</MessagesProcessed>"
                f"<MessagesSuccessful>{messages}</MessagesSuccessful>"
                "<MessagesWithError>0</MessagesWithError><MessagesWithWarning>0</MessagesWithWarning>"
                "</ProcessingSummary></ProcessingReport></Message></AmazonEnvelope>\n"
            ).encode()
        return (
            f"Feed Processing Summary:\n\tNumber of records processed\t\t{messages}\n"
            f"\tNumber of records successful\t\t{messages}\n"
        ).encode()

    def __call__(self, job: Job) -> tuple[str, str | None]:
        source = self.documents.get(job.input_document_id or "", job.selling_partner_id)
        if source is None or source.uploaded_at is None or source.uploaded_at > job.started:
            return "FATAL", None
        seller = self.world.seller(job.selling_partner_id)
        if job.job_type == listings_feed.FEED_TYPE and seller is not None:
            processed = listings_feed.process(
                self.listings, seller, job.job_id, job.marketplace_ids, source.content or b""
            )
            outcome, content = processed.outcome, processed.report
        else:
            messages = _count_messages(source)
            if messages is None:
                return "FATAL", None
            outcome, content = "DONE", self._report(job, source.content_type, messages)
        region = report_region(job.selling_partner_id, self.world)
        result = self.documents.create(
            f"amzn1.tortuga.4.{region}", job.selling_partner_id, source.content_type, content
        )
        return outcome, result.document_id
