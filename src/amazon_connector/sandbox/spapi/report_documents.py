"""What finished reports produce: documents of the common report types, made from the world's seed.

A report type's format, options and restricted flag come from the report types table
(``amazon_connector.api.report_types``). Flat files are in the marketplace's charset (Windows-1252 in
western Europe, Windows-31J in Japan, else UTF-8; Japanese listings reports with Japanese headers);
order reports hold the order book's orders in the data window (CANCELLED when there are none, as
Amazon does); listings, FBA inventory, settlement and other flat files hold ``rows`` generated rows per
marketplace; JSON reports are their schema's example for the request. A document is written to its file
on a thread, as it is made (of any size, in flat memory), gzipped from 1 KiB; the report stays
IN_PROGRESS until the file is complete. A request Amazon would refuse while processing (an option
missing or not one of its values, a vendor report for a seller) ends FATAL with an error document.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from itertools import chain
from typing import Any
from xml.sax.saxutils import escape

from amazon_connector.api.report_types import ReportType, custom_report_type, find_report_type
from amazon_connector.marketplaces import Marketplace, get_marketplace
from amazon_connector.sandbox.aws.storage import Document, Documents
from amazon_connector.sandbox.spapi.contents import report_region
from amazon_connector.sandbox.spapi.jobs import Job
from amazon_connector.sandbox.spapi.order_book import OrderBook, OrderDetails, OrderHeader
from amazon_connector.sandbox.spapi.order_report import order_rows
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import Seller, World

DEFAULT_ROWS = 20
"""Rows per marketplace of generated flat files, unless the emulator is given ``report_rows``."""
DEFAULT_DATA_PERIOD = timedelta(days=30)
GZIP_FROM = 1024
"""Documents of at least 1 KiB are stored gzipped (``compressionAlgorithm: GZIP``)."""
READY_WAIT = 2.0
"""Real seconds a report's first look after processing waits for its document (small ones are done by
then, so tests see DONE at once; large ones stay IN_PROGRESS while they are written)."""
BATCH = 2000
"""Rows encoded at a time."""
ERROR_CONTENT_TYPE = "application/json; charset=UTF-8"

LISTINGS_COLUMNS = (
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date",
    "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note",
    "item-condition", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1",
    "asin2", "asin3", "will-ship-internationally", "expedited-shipping", "zshop-boldface", "product-id",
    "bid-for-featured-placement", "add-delete", "pending-quantity", "fulfillment-channel",
    "merchant-shipping-group", "status",
)  # fmt: skip
LISTINGS_SUBSETS = {
    "GET_FLAT_FILE_OPEN_LISTINGS_DATA": ("seller-sku", "asin1", "price", "quantity"),
    "GET_MERCHANT_LISTINGS_DATA_LITE": ("seller-sku", "quantity", "price", "product-id"),
    "GET_MERCHANT_LISTINGS_DATA_LITER": ("seller-sku", "quantity"),
}
FBA_COLUMNS = (
    "sku", "fnsku", "asin", "product-name", "condition", "your-price", "mfn-listing-exists",
    "mfn-fulfillable-quantity", "afn-listing-exists", "afn-warehouse-quantity",
    "afn-fulfillable-quantity", "afn-unsellable-quantity", "afn-reserved-quantity", "afn-total-quantity",
)  # fmt: skip
SETTLEMENT_COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
    "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
    "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date",
    "sku", "quantity-purchased",
)  # fmt: skip
LISTINGS_VARYING = frozenset(
    {"item-name", "listing-id", "seller-sku", "price", "quantity", "open-date", "item-condition", "asin1",
     "product-id", "fulfillment-channel", "status"}
)  # fmt: skip
LISTINGS_FIXED = {
    "item-is-marketplace": "y",
    "product-id-type": "1",
    "pending-quantity": "0",
    "merchant-shipping-group": "Migrated Template",
}
GENERIC_COLUMNS = ("sku", "asin", "quantity", "amount", "currency", "date", "marketplace-name")

# Product names a marketplace's sellers use (each in the marketplace's charset).
_NAMES = {
    "JP": ("ステンレス水筒 ブルー", "デスクライト ①型", "スマホケース 手帳型", "ヨガマット 厚手", "マグカップ ㈱特製"),
    "DE": ("Trinkflasche – groß", "Schreibtischlampe „Classic“", "Handyhülle für Größe M", "Yogamatte Öko"),
    "FR": ("Gourde isotherme – bleue", "Lampe de bureau « Classique »", "Coque de téléphone été"),
    "IT": ("Borraccia termica – blu", "Lampada da scrivania «Classica»", "Cover per telefono è nuova"),
    "ES": ("Botella térmica – azul", "Lámpara de escritorio «Clásica»", "Funda de teléfono señal"),
    "UK": ("Water Bottle – Large", "Desk Lamp “Classic”", "Phone Case £ Saver"),
    "": ("Water Bottle, Large", "Desk Lamp \"Classic\"", "Phone Case", "Yoga Mat", "Coffee Mug"),
}  # fmt: skip
_CONDITIONS = ("11", "1", "2", "3")


@cache
def report_examples() -> dict[str, Any]:
    """The example document of each JSON report type (from Amazon's report schemas)."""
    text = resources.files("amazon_connector.api").joinpath("models/report-examples.json").read_text("utf-8")
    examples: dict[str, Any] = json.loads(text)
    return examples


def report_type_of(job: Job) -> ReportType:
    return find_report_type(job.job_type) or custom_report_type(job.job_type, "TSV")


def _lines(rows: Iterable[str | Iterable[str]]) -> Iterator[str]:
    """Tab-separated lines (rows given as lines or as lists of fields), ``BATCH`` rows joined at a time."""
    batch: list[str] = []
    for row in rows:
        batch.append(row if isinstance(row, str) else "\t".join(row))
        if len(batch) >= BATCH:
            yield "\n".join(batch) + "\n"
            batch = []
    if batch:
        yield "\n".join(batch) + "\n"


def _csv_lines(rows: Iterable[str | Iterable[str]]) -> Iterator[str]:
    for text in _lines(rows):
        yield (
            "\n".join(
                ",".join(f'"{v}"' if any(c in v for c in ',"\n') else v for v in line.split("\t"))
                for line in text.rstrip("\n").split("\n")
            )
            + "\n"
        )


class ReportContents:
    """Settles finished reports: DONE with a document, CANCELLED without data, or FATAL with an error
    document. ``rows``: rows per marketplace of generated flat files (None: DEFAULT_ROWS)."""

    def __init__(
        self, world: World, orders: OrderBook, documents: Documents, rows: int | None = None
    ) -> None:
        self.world = world
        self.orders = orders
        self.documents = documents
        self.rows = DEFAULT_ROWS if rows is None else rows

    # --- the outcome -------------------------------------------------------------------------

    def __call__(self, job: Job) -> tuple[str, str | None]:
        report_type = report_type_of(job)
        seller = self.world.seller(job.selling_partner_id)
        problem = self._refusal(job, report_type)
        if problem is not None or seller is None:
            return "FATAL", self._error_document(job, problem or "The seller is not known.").document_id
        text = self._text(job, report_type, seller)
        if text is None:
            return "CANCELLED", None
        charset = self._charset(job, report_type)
        content_type = (
            "application/json; charset=UTF-8"
            if report_type.format == "JSON"
            else f"text/{'xml' if report_type.format == 'XML' else 'plain'};charset={charset}"
        )
        encoded = (piece.encode(_codec(charset)) for piece in text)
        head, pieces = _peek(encoded, GZIP_FROM)
        document = self.documents.create(
            f"amzn1.spdoc.1.4.{report_region(job.selling_partner_id, self.world)}",
            job.selling_partner_id,
            content_type,
            gzip_content=len(head) >= GZIP_FROM,
        )
        job.document_ready = document.ready
        threading.Thread(
            target=self._write, args=(document, pieces), name=f"report {job.job_id}", daemon=True
        ).start()
        document.ready.wait(READY_WAIT)
        return "DONE", document.document_id

    def _write(self, document: Document, pieces: Iterable[bytes]) -> None:
        try:
            self.documents.write(document, pieces)
        except OSError:  # the emulator stopped: its files are gone
            return

    def _refusal(self, job: Job, report_type: ReportType) -> str | None:
        """Why Amazon would end this report FATAL, if it would."""
        if report_type.availability == "vendor":
            return f"Report type {report_type.name} is available to vendors only; this account is a seller."
        for option in report_type.options:
            value = job.options.get(option.name)
            if value is None and option.required:
                listed = f" ({', '.join(option.values)})" if option.values else ""
                return f"reportOptions.{option.name} is required for {report_type.name}{listed}."
            if value is not None and option.values and value not in option.values:
                return f"reportOptions.{option.name}={value} is not valid: use one of {', '.join(option.values)}."
        if report_type.dates == "required" and (job.data_start is None or job.data_end is None):
            return f"{report_type.name} needs dataStartTime and dataEndTime."
        return None

    def _error_document(self, job: Job, reason: str) -> Document:
        content = json.dumps({"errorDetails": reason}).encode()
        return self.documents.create(
            f"amzn1.spdoc.1.4.{report_region(job.selling_partner_id, self.world)}",
            job.selling_partner_id,
            ERROR_CONTENT_TYPE,
            content,
        )

    def _charset(self, job: Job, report_type: ReportType) -> str:
        if report_type.format in ("JSON", "XML"):
            return "UTF-8"
        return get_marketplace(job.marketplace_ids[0]).document_charset

    # --- the content -------------------------------------------------------------------------

    def _text(self, job: Job, report_type: ReportType, seller: Seller) -> Iterator[str] | None:
        """The document as text pieces, or None when there is no data."""
        name = report_type.name
        markets = [get_marketplace(m) for m in job.marketplace_ids]
        if report_type.format == "ZIP":
            return None  # Easy Ship documents exist only for Easy Ship orders, which the world has none of
        if report_type.format == "JSON":
            return iter([json.dumps(self._json_report(job, report_type), ensure_ascii=False)])
        if report_type.category == "orders" or name.startswith("GET_AMAZON_FULFILLED_SHIPMENTS"):
            orders = self._orders_in_window(job, seller)
            if not orders:
                return None
            if report_type.format == "XML":
                return self._order_xml(seller, orders, with_buyer=report_type.restricted)
            return _lines(self._order_rows(seller, orders, with_buyer=report_type.restricted))
        if report_type.format == "XML":
            return self._generic_xml(job, markets)
        header, rows = self._flat_rows(report_type, markets, job)
        lines: Iterator[str | list[str]] = chain([header], rows)
        return _csv_lines(lines) if report_type.format == "CSV" else _lines(lines)

    def _flat_rows(
        self, report_type: ReportType, markets: list[Marketplace], job: Job
    ) -> tuple[list[str], Iterator[str] | Iterator[list[str]]]:
        name = report_type.name
        if report_type.category == "inventory" and report_type.headers:  # the listings reports
            columns = LISTINGS_SUBSETS.get(name, LISTINGS_COLUMNS)
            localised = {v: k for k, v in report_type.headers.get(markets[0].language, {}).items()}
            return [localised.get(c, c) for c in columns], self._listings(columns, markets, job)
        if name.startswith(("GET_FBA_MYI", "GET_AFN_INVENTORY")):
            return list(FBA_COLUMNS), self._fba_inventory(markets, job)
        if report_type.category == "settlement":
            return list(SETTLEMENT_COLUMNS), self._settlement(markets, job)
        return list(GENERIC_COLUMNS), self._generic(markets, job)

    def _seed(self, job: Job) -> int:
        return (self.world.seed * 1_000_003 + int(job.job_id)) % 2**31

    def _listings(self, columns: tuple[str, ...], markets: list[Marketplace], job: Job) -> Iterator[str]:
        seed = self._seed(job)
        fixed = {c: LISTINGS_FIXED.get(c, "") for c in columns if c not in LISTINGS_VARYING}
        template = "\t".join(
            "{" + c.replace("-", "_") + "}" if c in LISTINGS_VARYING else fixed[c].replace("{", "{{")
            for c in columns
        )
        for market in markets:
            names = _NAMES.get(market.code, _NAMES[""])
            opened = self.orders.end - timedelta(days=400)
            date_format = "%Y/%m/%d %H:%M:%S JST" if market.code == "JP" else "%Y-%m-%d %H:%M:%S UTC"
            dates = [(opened + timedelta(minutes=m * 577)).strftime(date_format) for m in range(997)]
            channels = ["AMAZON_" + market.region.value, "DEFAULT", "DEFAULT"]
            for n in range(self.rows):
                k = seed + n
                asin = f"B0{(k * 104729) % 10**8:08d}"
                yield template.format(
                    item_name=f"{names[k % len(names)]} {n + 1}",
                    listing_id=f"{(k * 7919) % 10**10:010d}",
                    seller_sku=f"SKU-{market.code}-{n + 1:07d}",
                    price=f"{5 + (k * 37) % 9000 / 100:.2f}",
                    quantity=(k * 13) % 50,
                    open_date=dates[n % 997],
                    item_condition=_CONDITIONS[k % 4],
                    asin1=asin,
                    product_id=asin,
                    fulfillment_channel=channels[k % 3],
                    status="Active" if k % 7 else "Inactive",
                )

    def _fba_inventory(self, markets: list[Marketplace], job: Job) -> Iterator[list[str]]:
        seed = self._seed(job)
        for market in markets:
            names = _NAMES.get(market.code, _NAMES[""])
            for n in range(self.rows):
                k = seed + n
                fulfillable, unsellable, reserved = (k * 13) % 90, k % 3, (k * 5) % 7
                yield [
                    f"SKU-{market.code}-{n + 1:07d}",
                    f"X00{(k * 7919) % 10**7:07d}",
                    f"B0{(k * 104729) % 10**8:08d}",
                    names[k % len(names)],
                    "New",
                    f"{5 + (k * 37) % 9000 / 100:.2f}",
                    "No",
                    "0",
                    "Yes",
                    str(fulfillable + unsellable + reserved),
                    str(fulfillable),
                    str(unsellable),
                    str(reserved),
                    str(fulfillable + unsellable + reserved),
                ]

    def _settlement(self, markets: list[Marketplace], job: Job) -> Iterator[list[str]]:
        end = job.data_end or job.created
        start = job.data_start or end - timedelta(days=14)
        settlement_id = f"{10_000_000 + int(job.job_id) % 10_000_000}"
        market = markets[0]
        seed = self._seed(job)

        def amount(n: int) -> float:
            return (seed + n) * 37 % 9000 / 100

        # the header holds the total: the amounts are summed first, none of them kept
        total = sum(amount(n) for n in range(self.rows))
        dates = (_flat_date(start), _flat_date(end), _flat_date(end + timedelta(days=2)))
        yield [settlement_id, *dates, f"{total:.2f}", market.currency, *[""] * 13]
        for n in range(self.rows):
            yield [
                settlement_id, "", "", "", "", "", "Order", f"{market.code}-{n + 1:07d}", "", "", "",
                market.name, "ItemPrice", "Principal", f"{amount(n):.2f}", "AFN",
                _flat_date(start + (end - start) * (n + 1) / (self.rows + 1)),
                f"SKU-{market.code}-{n + 1:07d}", "1",
            ]  # fmt: skip

    def _generic(self, markets: list[Marketplace], job: Job) -> Iterator[list[str]]:
        seed = self._seed(job)
        when = _flat_date(job.data_end or job.created)
        for market in markets:
            for n in range(self.rows):
                k = seed + n
                yield [
                    f"SKU-{market.code}-{n + 1:07d}",
                    f"B0{(k * 104729) % 10**8:08d}",
                    str((k * 13) % 50),
                    f"{(k * 37) % 9000 / 100:.2f}",
                    market.currency,
                    when,
                    market.name,
                ]

    def _generic_xml(self, job: Job, markets: list[Marketplace]) -> Iterator[str]:
        yield '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope>\n'
        yield f"<Header><DocumentVersion>1.01</DocumentVersion><ReportType>{job.job_type}</ReportType></Header>\n"
        for index, (sku, asin, quantity, amount, currency, when, market) in enumerate(
            self._generic(markets, job), 1
        ):
            yield (
                f"<Message><MessageID>{index}</MessageID><Record><SKU>{sku}</SKU><ASIN>{asin}</ASIN>"
                f'<Quantity>{quantity}</Quantity><Amount currency="{currency}">{amount}</Amount>'
                f"<Date>{when}</Date><Marketplace>{escape(market)}</Marketplace></Record></Message>\n"
            )
        yield "</AmazonEnvelope>\n"

    def _json_report(self, job: Job, report_type: ReportType) -> dict[str, Any]:
        document = dict(report_examples().get(report_type.name, {}))
        specification = {
            "reportType": job.job_type,
            "reportOptions": job.options or None,
            "dataStartTime": iso(job.data_start) if job.data_start else None,
            "dataEndTime": iso(job.data_end) if job.data_end else None,
            "marketplaceIds": job.marketplace_ids,
        }
        if "reportSpecification" in document or not document:
            document["reportSpecification"] = {k: v for k, v in specification.items() if v is not None}
        for records in report_type.records:
            document.setdefault(records.name, [])
        return document

    # --- orders --------------------------------------------------------------------------------

    def _orders_in_window(self, job: Job, seller: Seller) -> list[OrderHeader]:
        end = job.data_end or job.created
        start = job.data_start or end - DEFAULT_DATA_PERIOD
        by_update = "LAST_UPDATE" in job.job_type
        return [
            header
            for marketplace_id in job.marketplace_ids
            for header in self.orders.orders(seller, marketplace_id)
            if start <= (header.updated if by_update else header.purchased) <= end
        ]

    def _order_rows(
        self, seller: Seller, orders: list[OrderHeader], *, with_buyer: bool
    ) -> Iterator[list[str]]:
        return order_rows(self.orders, seller, orders, pii=with_buyer)

    def _order_xml(self, seller: Seller, orders: list[OrderHeader], *, with_buyer: bool) -> Iterator[str]:
        yield '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope>\n'
        yield f"<Header><DocumentVersion>1.00</DocumentVersion><MerchantIdentifier>{seller.selling_partner_id}</MerchantIdentifier></Header>\n"
        yield "<MessageType>OrderReport</MessageType>\n"
        for index, header in enumerate(orders, 1):
            yield f"<Message><MessageID>{index}</MessageID>{_order_element(self.orders.details(seller, header), with_buyer)}</Message>\n"
        yield "</AmazonEnvelope>\n"


def _order_element(order: OrderDetails, with_buyer: bool) -> str:
    header = order.header
    items = "".join(
        f"<OrderItem><AmazonOrderItemCode>{item.order_item_id}</AmazonOrderItemCode><ASIN>{item.asin}</ASIN>"
        f"<SKU>{escape(item.sku)}</SKU><ProductName>{escape(item.title)}</ProductName>"
        f"<Quantity>{item.quantity}</Quantity>"
        + (
            f'<ItemPrice><Component><Type>Principal</Type><Amount currency="{order.marketplace.currency}">'
            f"{item.price:.2f}</Amount></Component></ItemPrice>"
            if header.priced
            else ""
        )
        + "</OrderItem>"
        for item in order.items
    )
    buyer = (
        f"<BuyerEmailAddress>{escape(order.buyer.email)}</BuyerEmailAddress>"
        f"<BuyerName>{escape(order.buyer.name)}</BuyerName>"
        if with_buyer
        else ""
    )
    return (
        f"<Order><AmazonOrderID>{header.order_id}</AmazonOrderID><PurchaseDate>{iso(header.purchased)}"
        f"</PurchaseDate><LastUpdatedDate>{iso(header.updated)}</LastUpdatedDate><OrderStatus>"
        f"{header.status}</OrderStatus><SalesChannel>{order.marketplace.name}</SalesChannel>"
        f"<FulfillmentData><FulfillmentChannel>{'Amazon' if header.fulfillment_channel == 'AFN' else 'Merchant'}"
        f"</FulfillmentChannel></FulfillmentData>{buyer}{items}</Order>"
    )


def _flat_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _codec(charset: str) -> str:
    """Python's codec for a charset label Amazon uses."""
    return {"windows-31j": "cp932"}.get(charset.lower(), charset)


def _peek(pieces: Iterator[bytes], at_least: int) -> tuple[bytes, Iterator[bytes]]:
    """The first ``at_least`` bytes (fewer if that is all), and every piece (those read included)."""
    head: list[bytes] = []
    size = 0
    for piece in pieces:
        head.append(piece)
        size += len(piece)
        if size >= at_least:
            break
    return b"".join(head), chain(head, pieces)
