"""The order tracking reports (``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL`` and
``…_BY_ORDER_DATE_GENERAL``) made from the order book: one tab-separated row per order item, with the
columns Amazon documents for them (docs ``report-type-values-order``) and the ``order-item-id`` column
Amazon has added since May 2026 (amzn/selling-partner-api-models issue 5249: it is the Orders API's
``orderItemId``). Restricted order report types add the buyer's PII columns. Which orders a report holds
is ``report_documents``' to say.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from amazon_connector.sandbox.spapi.order_book import OrderBook, OrderDetails, OrderHeader, Status
from amazon_connector.sandbox.world import Seller

COLUMNS = (
    "amazon-order-id",
    "order-item-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "promotion-ids",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
)
PII_COLUMNS = ("buyer-email", "buyer-name", "ship-address-1")
ORDER_STATUSES = {
    Status.PENDING: "Pending",
    Status.UNSHIPPED: "Unshipped",
    Status.PARTIALLY_SHIPPED: "Shipping",
    Status.SHIPPED: "Shipped",
    Status.CANCELED: "Cancelled",
}
"""The report's words for each status (partly shipped orders are "Shipping")."""
CHANNELS = {"AFN": "Amazon", "MFN": "Merchant"}


def _amount(value: Decimal, priced: bool) -> str:
    return f"{value:.2f}" if priced else ""


def _rows(order: OrderDetails, pii: bool) -> Iterator[list[str]]:
    header, market, buyer = order.header, order.marketplace, order.buyer
    priced = header.priced
    address = header.has_address
    for item in order.items:
        if header.status is Status.CANCELED:
            item_status = "Cancelled"
        else:
            item_status = "Shipped" if order.shipped(item) else "Unshipped"
        row = [
            header.order_id,
            item.order_item_id,
            "",
            header.purchased.isoformat(),
            header.updated.isoformat(),
            ORDER_STATUSES[header.status],
            CHANNELS[header.fulfillment_channel],
            market.name,
            "",
            order.service_level_category,
            item.title,
            item.sku,
            item.asin,
            item_status,
            str(item.quantity),
            market.currency,
            _amount(item.price, priced),
            _amount(item.tax, priced),
            _amount(item.shipping_price, priced),
            _amount(Decimal(0), priced),
            _amount(item.gift_wrap_price, priced) if item.gift_wrap_price is not None else "",
            "",
            _amount(item.promotion_discount, priced),
            _amount(Decimal(0), priced),
            buyer.city if address else "",
            buyer.state if address else "",
            buyer.postal_code if address else "",
            market.iso_country if address else "",
            f"PROMO-{item.sku}" if item.promotion_discount else "",
            "true" if order.business else "false",
            buyer.purchase_order_number or "",
            "",
        ]
        if pii:
            row += [buyer.email, buyer.name, buyer.address_line if address else ""]
        yield row


def order_rows(
    book: OrderBook, seller: Seller, headers: Iterable[OrderHeader], *, pii: bool
) -> Iterator[list[str]]:
    """The report's header row, then a row per item of each order (``pii``: a restricted report type)."""
    yield list(COLUMNS + (PII_COLUMNS if pii else ()))
    for header in headers:
        yield from _rows(book.details(seller, header), pii)
