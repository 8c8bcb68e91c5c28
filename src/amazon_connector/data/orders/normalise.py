"""Amazon's three shapes of an order made into the same records: Orders v2026-01-01 (an order with its
items), Orders v0 (an order, and its items from getOrderItems) and the order tracking report (a row per
item). Pure functions of what Amazon answered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from amazon_connector.data.orders.records import BuyerData, status_of, upper_words
from amazon_connector.data.records import Record
from amazon_connector.marketplaces import all_marketplaces

IDENTIFYING = ("buyer_name", "buyer_email", "ship_name", "ship_address_line1", "ship_phone")
"""The PII that tells whether Amazon gave an order's buyer data."""
PII_COLUMNS = (*IDENTIFYING, "ship_postal_code")
"""Order columns only an app with the restricted role gets: the postal code too, as v2026-01-01 has it
(v0 and the report give it to everyone; it is kept only with the rest, so every source gives the same)."""
CHANNELS = {"AMAZON": "AFN", "MERCHANT": "MFN", "AFN": "AFN", "MFN": "MFN"}
MARKETPLACE_IDS = {m.name: m.marketplace_id for m in all_marketplaces()}
CURRENCIES = {m.marketplace_id: m.currency for m in all_marketplaces()}
"""Marketplace IDs by the sales channel the report names (Amazon.co.uk, …)."""


@dataclass(frozen=True, slots=True)
class OrderRecords:
    """One order's record and its items' records."""

    order: Record
    items: list[Record]

    @property
    def order_id(self) -> str:
        return str(self.order["order_id"])


def _amount(money: Any) -> Decimal | None:
    if not isinstance(money, Mapping) or money.get("amount", money.get("Amount")) in (None, ""):
        return None
    return Decimal(str(money.get("amount", money.get("Amount"))))


def _currency(marketplace_id: Any, *moneys: Any) -> str | None:
    """The currency of the order's amounts; while it has none (pending), its marketplace's."""
    for money in moneys:
        if isinstance(money, Mapping) and (code := money.get("currencyCode", money.get("CurrencyCode"))):
            return str(code)
    return CURRENCIES.get(str(marketplace_id))


def _with_buyer_data(order: Record, wanted: bool) -> Record:
    """The order with its ``buyer_data`` said, and its PII columns emptied unless Amazon gave its buyer
    data and it was asked for."""
    if not wanted:
        said = BuyerData.NOT_REQUESTED
    else:
        said = BuyerData.INCLUDED if any(order.get(c) for c in IDENTIFYING) else BuyerData.WITHHELD
    if said is not BuyerData.INCLUDED:
        order = order | dict.fromkeys(PII_COLUMNS)
    return order | {"buyer_data": said}


# --- Orders v2026-01-01 -------------------------------------------------------------------------


def _breakdown(breakdowns: Any, kind: str) -> Decimal | None:
    for entry in breakdowns or ():
        if isinstance(entry, Mapping) and entry.get("type") == kind:
            return _amount(entry.get("subtotal"))
    return None


def from_v2026(order: Mapping[str, Any], *, buyer_data: bool) -> OrderRecords:
    """A searchOrders or getOrder order (asked with includedData FULFILLMENT and PROCEEDS, and BUYER and
    RECIPIENT for buyer data)."""
    channel = order.get("salesChannel") or {}
    fulfillment = order.get("fulfillment") or {}
    proceeds = order.get("proceeds") or {}
    buyer = order.get("buyer") or {}
    address = (order.get("recipient") or {}).get("deliveryAddress") or {}
    items = order.get("orderItems") or []
    currency = _currency(
        channel.get("marketplaceId"),
        proceeds.get("grandTotal"),
        *(((i.get("product") or {}).get("price") or {}).get("unitPrice") for i in items),
    )
    record: Record = {
        "order_id": order["orderId"],
        "marketplace_id": channel.get("marketplaceId"),
        "sales_channel": channel.get("marketplaceName"),
        "status": status_of(str(fulfillment.get("fulfillmentStatus", ""))) or None,
        "fulfillment_channel": CHANNELS.get(str(fulfillment.get("fulfilledBy"))),
        "service_level": fulfillment.get("fulfillmentServiceLevel"),
        "purchased_at": order["createdTime"],
        "last_updated_at": order["lastUpdatedTime"],
        "order_total": _amount(proceeds.get("grandTotal")),
        "currency": currency,
        "is_business_order": "AMAZON_BUSINESS" in (order.get("programs") or []),
        "purchase_order_number": buyer.get("buyerPurchaseOrderNumber"),
        "buyer_name": buyer.get("buyerName"),
        "buyer_email": buyer.get("buyerEmail"),
        "ship_name": address.get("name"),
        "ship_address_line1": address.get("addressLine1"),
        "ship_city": address.get("city"),
        "ship_state": address.get("stateOrRegion"),
        "ship_postal_code": address.get("postalCode"),
        "ship_country": address.get("countryCode"),
        "ship_phone": address.get("phone"),
    }
    record = _with_buyer_data(record, buyer_data)
    return OrderRecords(record, [_v2026_item(record, item) for item in items])


def _v2026_item(order: Record, item: Mapping[str, Any]) -> Record:
    product = item.get("product") or {}
    breakdowns = (item.get("proceeds") or {}).get("breakdowns")
    fulfillment = item.get("fulfillment") or {}
    discount = _breakdown(breakdowns, "DISCOUNT")
    quantity = int(item["quantityOrdered"])
    unit_price = _amount((product.get("price") or {}).get("unitPrice"))
    item_price = _breakdown(breakdowns, "ITEM")
    if item_price is None and unit_price is not None:
        item_price = unit_price * quantity
    return {
        "order_id": order["order_id"],
        "order_item_id": item["orderItemId"],
        "sku": product.get("sellerSku"),
        "asin": product.get("asin"),
        "title": product.get("title"),
        "quantity_ordered": quantity,
        "quantity_shipped": fulfillment.get("quantityFulfilled"),
        "item_price": item_price,
        "item_tax": _breakdown(breakdowns, "TAX"),
        "shipping_price": _breakdown(breakdowns, "SHIPPING"),
        "promotion_discount": None if discount is None else -discount,
        "currency": order["currency"],
    }


# --- Orders v0 ----------------------------------------------------------------------------------


def from_v0(
    order: Mapping[str, Any], items: Iterable[Mapping[str, Any]], *, buyer_data: bool
) -> OrderRecords:
    """A getOrders or getOrder order and its getOrderItems items."""
    buyer = order.get("BuyerInfo") or {}
    address = order.get("ShippingAddress") or {}
    items = list(items)
    category = order.get("ShipmentServiceLevelCategory")
    record: Record = {
        "order_id": order["AmazonOrderId"],
        "marketplace_id": order.get("MarketplaceId"),
        "sales_channel": order.get("SalesChannel"),
        "status": status_of(str(order["OrderStatus"])),
        "fulfillment_channel": CHANNELS.get(str(order.get("FulfillmentChannel"))),
        "service_level": upper_words(str(category)) if category else None,
        "purchased_at": order["PurchaseDate"],
        "last_updated_at": order["LastUpdateDate"],
        "order_total": _amount(order.get("OrderTotal")),
        "currency": _currency(
            order.get("MarketplaceId"), order.get("OrderTotal"), *(i.get("ItemPrice") for i in items)
        ),
        "is_business_order": order.get("IsBusinessOrder"),
        "purchase_order_number": buyer.get("PurchaseOrderNumber"),
        "buyer_name": buyer.get("BuyerName"),
        "buyer_email": buyer.get("BuyerEmail"),
        "ship_name": address.get("Name"),
        "ship_address_line1": address.get("AddressLine1"),
        "ship_city": address.get("City"),
        "ship_state": address.get("StateOrRegion"),
        "ship_postal_code": address.get("PostalCode"),
        "ship_country": address.get("CountryCode"),
        "ship_phone": address.get("Phone"),
    }
    record = _with_buyer_data(record, buyer_data)
    return OrderRecords(
        record,
        [
            {
                "order_id": record["order_id"],
                "order_item_id": item["OrderItemId"],
                "sku": item.get("SellerSKU"),
                "asin": item.get("ASIN"),
                "title": item.get("Title"),
                "quantity_ordered": item["QuantityOrdered"],
                "quantity_shipped": item.get("QuantityShipped"),
                "item_price": _amount(item.get("ItemPrice")),
                "item_tax": _amount(item.get("ItemTax")),
                "shipping_price": _amount(item.get("ShippingPrice")),
                "promotion_discount": _amount(item.get("PromotionDiscount")),
                "currency": record["currency"],
            }
            for item in items
        ],
    )


# --- the order tracking report ------------------------------------------------------------------


def _cell(row: Mapping[str, Any], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def _report_amount(row: Mapping[str, Any], name: str) -> Decimal | None:
    value = _cell(row, name)
    return None if value is None else Decimal(value)


def from_report(rows: Sequence[Mapping[str, Any]], marketplace_id: str) -> OrderRecords:
    """One order's rows of GET_FLAT_FILE_ALL_ORDERS_DATA_BY_… (one per item, order columns repeated), as
    the report pipeline reads them (columns named ``amazon_order_id``, ``order_item_id``, …).

    The report has no buyer PII, no order total (made here from the items' amounts, as Amazon's total
    is: items, tax and shipping less promotions) and no order item IDs before Amazon added the
    ``order-item-id`` column in 2026 (a report without it is refused where it is read). The marketplace
    is the sales channel's, else ``marketplace_id`` (the one the report was asked for)."""
    first = rows[0]
    items = [
        {
            "order_id": first["amazon_order_id"],
            "order_item_id": row["order_item_id"],
            "sku": _cell(row, "sku"),
            "asin": _cell(row, "asin"),
            "title": _cell(row, "product_name"),
            "quantity_ordered": int(row["quantity"]),
            "quantity_shipped": int(row["quantity"]) if _cell(row, "item_status") == "Shipped" else 0,
            "item_price": _report_amount(row, "item_price"),
            "item_tax": _report_amount(row, "item_tax"),
            "shipping_price": _report_amount(row, "shipping_price"),
            "promotion_discount": _report_amount(row, "item_promotion_discount"),
            "currency": _cell(row, "currency"),
        }
        for row in rows
    ]
    parts = [
        _report_amount(row, name)
        for row in rows
        for name in (
            "item_price",
            "item_tax",
            "shipping_price",
            "shipping_tax",
            "gift_wrap_price",
            "gift_wrap_tax",
        )
    ]
    discounts = [
        _report_amount(row, name)
        for row in rows
        for name in ("item_promotion_discount", "ship_promotion_discount")
    ]
    priced = _cell(first, "item_price") is not None
    total = (
        sum((p for p in parts if p is not None), Decimal(0))
        - sum((d for d in discounts if d is not None), Decimal(0))
        if priced
        else None
    )
    channel = _cell(first, "fulfillment_channel")
    level = _cell(first, "ship_service_level")
    business = _cell(first, "is_business_order")
    order: Record = {
        "order_id": first["amazon_order_id"],
        "marketplace_id": MARKETPLACE_IDS.get(_cell(first, "sales_channel") or "", marketplace_id),
        "sales_channel": _cell(first, "sales_channel"),
        "status": status_of(first["order_status"]),
        "fulfillment_channel": {"Amazon": "AFN", "Merchant": "MFN"}.get(channel or ""),
        "service_level": upper_words(level) if level else None,
        "purchased_at": first["purchase_date"],
        "last_updated_at": first["last_updated_date"],
        "order_total": total,
        "currency": _cell(first, "currency"),
        "is_business_order": None if business is None else business.lower() == "true",
        "purchase_order_number": _cell(first, "purchase_order_number"),
        "ship_city": _cell(first, "ship_city"),
        "ship_state": _cell(first, "ship_state"),
        "ship_country": _cell(first, "ship_country"),
        "buyer_data": BuyerData.NOT_IN_REPORT,
    }
    return OrderRecords(order, items)
