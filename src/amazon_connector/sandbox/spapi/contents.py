"""What finished jobs produce: report documents made from the order book, feed processing reports."""

from __future__ import annotations

import json
from datetime import timedelta

from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.aws.storage import Document, Documents
from amazon_connector.sandbox.spapi.jobs import Job
from amazon_connector.sandbox.spapi.order_book import OrderBook
from amazon_connector.sandbox.spapi.order_report import order_report
from amazon_connector.sandbox.world import World

RESTRICTED_REPORT_TYPES = frozenset(
    {
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_INVOICING",
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_TAX",
        "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_INVOICING",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_SHIPPING",
        "GET_ORDER_REPORT_DATA_INVOICING",
        "GET_ORDER_REPORT_DATA_TAX",
        "GET_ORDER_REPORT_DATA_SHIPPING",
        "GET_EASYSHIP_DOCUMENTS",
        "GET_GST_MTR_B2B_CUSTOM",
        "GET_VAT_TRANSACTION_DATA",
        "SC_VAT_TAX_REPORT",
    }
)
"""Report types with buyer PII: their documents need a Restricted Data Token."""
ORDER_REPORT_TYPES = frozenset(
    {
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    }
)
"""Order reports without PII; every other order-shaped report here is a restricted type."""
DEFAULT_DATA_PERIOD = timedelta(days=30)
GZIP_FROM = 1024
"""Documents of at least 1 KiB are stored gzipped (``compressionAlgorithm: GZIP``)."""
TSV = "text/tab-separated-values; charset=UTF-8"


def report_region(selling_partner_id: str, world: World) -> str:
    seller = world.seller(selling_partner_id)
    return seller.marketplaces()[0].region.lower() if seller else "na"


class ReportContents:
    """Settles finished reports: order rows (with PII for restricted types) or listings rows."""

    def __init__(self, world: World, orders: OrderBook, documents: Documents) -> None:
        self.world = world
        self.orders = orders
        self.documents = documents

    def _order_report(self, job: Job) -> bytes | None:
        seller = self.world.seller(job.selling_partner_id)
        if seller is None:
            return None
        end = job.data_end or job.created
        return order_report(
            self.orders,
            seller,
            job.marketplace_ids,
            job.data_start or end - DEFAULT_DATA_PERIOD,
            end,
            by_update="LAST_UPDATE" in job.job_type,
            pii=job.job_type in RESTRICTED_REPORT_TYPES,
        )

    def _listings_report(self, job: Job) -> bytes:
        lines = ["seller-sku\tasin1\tprice\tquantity\tmarketplace"]
        for marketplace_id in job.marketplace_ids:
            marketplace = get_marketplace(marketplace_id)
            lines += [
                f"SKU-{n:03d}\tB0{job.selling_partner_id[-8:]}\t{9 + n}.99\t{(n * 7) % 40}\t{marketplace.name}"
                for n in range(1, 21)
            ]
        return "\n".join(lines).encode() + b"\n"

    def __call__(self, job: Job) -> tuple[str, str | None]:
        """DONE with a document; CANCELLED when an order report has no data (as Amazon does)."""
        orders_shaped = job.job_type in ORDER_REPORT_TYPES or job.job_type in RESTRICTED_REPORT_TYPES
        content = self._order_report(job) if orders_shaped else self._listings_report(job)
        if content is None:
            return "CANCELLED", None
        region = report_region(job.selling_partner_id, self.world)
        document = self.documents.create(
            f"amzn1.spdoc.1.4.{region}",
            job.selling_partner_id,
            TSV,
            content,
            gzip_content=len(content) >= GZIP_FROM,
        )
        return "DONE", document.document_id


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
    """Settles finished feeds: a processing report, or FATAL when nothing readable was uploaded in time."""

    def __init__(self, world: World, documents: Documents) -> None:
        self.world = world
        self.documents = documents

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
        uploaded = source is not None and source.uploaded_at is not None and source.uploaded_at <= job.started
        messages = _count_messages(source) if source is not None and uploaded else None
        if source is None or messages is None:
            return "FATAL", None
        region = report_region(job.selling_partner_id, self.world)
        content = self._report(job, source.content_type, messages)
        result = self.documents.create(
            f"amzn1.tortuga.4.{region}", job.selling_partner_id, source.content_type, content
        )
        return "DONE", result.document_id
