"""The two record sets every order source produces, and the words they share.

Orders API v2026-01-01, Orders v0 and the order tracking report all become the same records: one per
order (``orders``) and one per order item (``order_items``), money as a decimal with its currency,
times in UTC, statuses and levels in v2026-01-01's words.
"""

from __future__ import annotations

import re
from enum import StrEnum

from amazon_connector.data.records import Column, RecordSet

MONEY_SCALE = 4
"""Decimal places kept for amounts (Amazon's have two; some currencies' taxes more)."""


class BuyerData(StrEnum):
    """Whether an order record holds the buyer's and recipient's PII, and if not, why."""

    INCLUDED = "included"
    """Amazon gave the PII this order has (its email only for merchant-fulfilled orders)."""
    WITHHELD = "withheld"
    """Asked for, but Amazon gave none: the app lacks the restricted role, or the order has none to give
    (pending, cancelled, fulfilled by Amazon)."""
    NOT_REQUESTED = "not_requested"
    """Buyer data was not asked for (``buyer_data=False``; the default outside Restricted Data Access
    Mode)."""
    NOT_IN_REPORT = "not_in_report"
    """The order came from the order report, which carries no buyer PII."""


ORDERS = RecordSet(
    "orders",
    [
        Column("order_id", "string", doc="Amazon's order ID (3-7-7 digits)."),
        Column("marketplace_id", "string", False, "The marketplace the order was placed in."),
        Column("sales_channel", "string", doc="The marketplace's name, e.g. Amazon.co.uk."),
        Column(
            "status",
            "string",
            False,
            "PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED, UNFULFILLABLE, "
            "PENDING_AVAILABILITY (v0 also INVOICE_UNCONFIRMED).",
        ),
        Column("fulfillment_channel", "string", doc="AFN (fulfilled by Amazon) or MFN (by the seller)."),
        Column("service_level", "string", doc="The shipping speed category: STANDARD, EXPEDITED, …"),
        Column("purchased_at", "timestamp", False, "When the buyer placed the order (UTC)."),
        Column("last_updated_at", "timestamp", False, "When Amazon or the seller last changed it (UTC)."),
        Column("order_total", "decimal", doc="What the buyer pays; empty while PENDING.", scale=MONEY_SCALE),
        Column("currency", "string", doc="ISO 4217 code of every amount of the order and its items."),
        Column("is_business_order", "boolean", doc="An Amazon Business order."),
        Column("purchase_order_number", "string", doc="The buyer's purchase order number (business)."),
        Column("buyer_name", "string", doc="PII."),
        Column("buyer_email", "string", doc="PII: Amazon's anonymised address (merchant-fulfilled only)."),
        Column("ship_name", "string", doc="PII: the recipient."),
        Column("ship_address_line1", "string", doc="PII."),
        Column("ship_city", "string"),
        Column("ship_state", "string"),
        Column("ship_postal_code", "string", doc="PII in v2026-01-01 (given without the role in v0)."),
        Column("ship_country", "string", doc="ISO 3166 two-letter code."),
        Column("ship_phone", "string", doc="PII."),
        Column(
            "buyer_data",
            "string",
            False,
            "Whether the PII columns are filled: included, withheld, not_requested, not_in_report.",
        ),
    ],
    primary_key=["order_id"],
    doc="One record per order.",
    xml_row="Order",
)

ORDER_ITEMS = RecordSet(
    "order_items",
    [
        Column("order_id", "string", doc="The order the item belongs to."),
        Column("order_item_id", "string", doc="Amazon's ID of the item line."),
        Column("sku", "string", doc="The seller's SKU."),
        Column("asin", "string"),
        Column("title", "string"),
        Column("quantity_ordered", "integer", False),
        Column("quantity_shipped", "integer", doc="Units shipped so far."),
        Column("item_price", "decimal", doc="The line's price (unit price × quantity).", scale=MONEY_SCALE),
        Column("item_tax", "decimal", doc="Tax on the line.", scale=MONEY_SCALE),
        Column("shipping_price", "decimal", doc="Shipping charged for the line.", scale=MONEY_SCALE),
        Column("promotion_discount", "decimal", doc="Promotions taken off the line.", scale=MONEY_SCALE),
        Column("currency", "string"),
    ],
    primary_key=["order_id", "order_item_id"],
    doc="One record per order item; amounts are empty while the order is PENDING.",
    xml_row="OrderItem",
)

RECORD_SETS = (ORDERS, ORDER_ITEMS)

STATUSES = (
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
    "INVOICE_UNCONFIRMED",
)
"""Order statuses, in v2026-01-01's words (INVOICE_UNCONFIRMED exists only in v0)."""


def upper_words(text: str) -> str:
    """``PartiallyShipped``, ``Partially shipped`` or ``PARTIALLY_SHIPPED`` → ``PARTIALLY_SHIPPED``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text.strip())
    return re.sub(r"[\s_-]+", "_", spaced).upper()


def status_of(text: str) -> str:
    """Any API's (or the report's) status in v2026-01-01's words: ``Canceled`` and ``Cancelled`` are
    CANCELLED; the report's ``Shipping`` (partly shipped) is PARTIALLY_SHIPPED."""
    words = upper_words(text)
    return {"CANCELED": "CANCELLED", "SHIPPING": "PARTIALLY_SHIPPED"}.get(words, words)
