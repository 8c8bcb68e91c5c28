"""Orders API v2026-01-01: searchOrders and getOrder over the same order book as v0, items included.

``includedData`` chooses the datasets (BUYER, RECIPIENT, PROCEEDS, FULFILLMENT; the others are left out
here). Buyer PII needs no Restricted Data Token: Amazon returns it when the app has the restricted role
(Direct-to-Consumer Shipping here), and leaves it out otherwise, as its documentation lists: buyer name
and email, gift messages, and the recipient's name, street, postal code and phone. The buyer's email is
given only for merchant-fulfilled orders that are unshipped or (partly) shipped.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse, Response

from amazon_connector.marketplaces import Marketplace
from amazon_connector.sandbox.spapi import order_search
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import not_found
from amazon_connector.sandbox.spapi.order_book import Item, OrderDetails, Status
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import DIRECT_TO_CONSUMER_SHIPPING

NAMES = order_search.Names("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
BAD_TOKEN = "The paginationToken is not valid or has expired."  # noqa: S105 (a message)
FULFILLMENT_STATUSES = {
    Status.PENDING: "PENDING",
    Status.UNSHIPPED: "UNSHIPPED",
    Status.PARTIALLY_SHIPPED: "PARTIALLY_SHIPPED",
    Status.SHIPPED: "SHIPPED",
    Status.CANCELED: "CANCELLED",
}
V0_STATUSES = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "UNFULFILLABLE": "Unfulfillable",
    **{v: str(k) for k, v in FULFILLMENT_STATUSES.items()},
}
"""The status filter's values as the order book (in v0's words) has them."""
FULFILLED_BY = {"AFN": "AMAZON", "MFN": "MERCHANT"}
CHANNELS = {v: k for k, v in FULFILLED_BY.items()}


def _money(marketplace: Marketplace, amount: Decimal) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currencyCode": marketplace.currency}


def _breakdowns(marketplace: Marketplace, items: tuple[Item, ...]) -> list[dict[str, Any]]:
    """Proceeds by type: items, tax, shipping, and promotions (negative)."""
    sums = {
        "ITEM": sum((i.price for i in items), Decimal(0)),
        "TAX": sum((i.tax for i in items), Decimal(0)),
        "SHIPPING": sum((i.shipping_price for i in items), Decimal(0)),
        "GIFT_WRAP": sum((i.gift_wrap_price or Decimal(0) for i in items), Decimal(0)),
        "DISCOUNT": -sum((i.promotion_discount for i in items), Decimal(0)),
    }
    return [{"type": kind, "subtotal": _money(marketplace, amount)} for kind, amount in sums.items()]


def _item(order: OrderDetails, item: Item, included: set[str], pii: bool) -> dict[str, Any]:
    market, priced = order.marketplace, order.header.priced
    product: dict[str, Any] = {
        "asin": item.asin,
        "title": item.title,
        "sellerSku": item.sku,
        "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
    }
    if priced:
        product["price"] = {"unitPrice": _money(market, item.unit_price)}
    answer: dict[str, Any] = {
        "orderItemId": item.order_item_id,
        "quantityOrdered": item.quantity,
        "product": product,
    }
    if "PROCEEDS" in included and priced:
        answer["proceeds"] = {
            "proceedsTotal": _money(market, item.charged),
            "breakdowns": _breakdowns(market, (item,)),
        }
    if "FULFILLMENT" in included:
        shipped = item.quantity if order.shipped(item) else 0
        fulfillment: dict[str, Any] = {
            "quantityFulfilled": shipped,
            "quantityUnfulfilled": 0 if order.header.status is Status.CANCELED else item.quantity - shipped,
        }
        if item.gift_wrap_price is not None:
            gift = {"giftWrapLevel": "CLASSIC"} | ({"giftMessage": item.gift_message} if pii else {})
            fulfillment["packing"] = {"giftOption": gift}
        answer["fulfillment"] = fulfillment
    return answer


def order_json(order: OrderDetails, included: set[str], pii: bool) -> dict[str, Any]:
    """One order as v2026-01-01 shows it, with the datasets in ``included``; PII only with ``pii``."""
    header, market, buyer = order.header, order.marketplace, order.buyer
    answer: dict[str, Any] = {
        "orderId": header.order_id,
        "createdTime": iso(header.purchased),
        "lastUpdatedTime": iso(header.updated),
        "programs": [p for p, on in (("PRIME", order.prime), ("AMAZON_BUSINESS", order.business)) if on],
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": header.marketplace_id,
            "marketplaceName": market.name,
        },
    }
    if "BUYER" in included:
        shown: dict[str, Any] = {"buyerPurchaseOrderNumber": buyer.purchase_order_number}
        if pii:
            shown["buyerName"] = buyer.name
            if header.shows_buyer_email:
                shown["buyerEmail"] = buyer.email
        answer["buyer"] = {k: v for k, v in shown.items() if v is not None}
    if "RECIPIENT" in included and header.has_address:
        address: dict[str, Any] = {
            "city": buyer.city,
            "stateOrRegion": buyer.state,
            "countryCode": market.iso_country,
        }
        if pii:
            address |= {
                "name": buyer.name,
                "addressLine1": buyer.address_line,
                "postalCode": buyer.postal_code,
                "phone": buyer.phone,
            }
        answer["recipient"] = {"deliveryAddress": address}
    total = order.total
    if "PROCEEDS" in included and total is not None:
        answer["proceeds"] = {
            "grandTotal": _money(market, total),
            "breakdowns": _breakdowns(market, order.items),
        }
    if "FULFILLMENT" in included:
        answer["fulfillment"] = {
            "fulfillmentStatus": FULFILLMENT_STATUSES[header.status],
            "fulfilledBy": FULFILLED_BY[header.fulfillment_channel],
            "fulfillmentServiceLevel": order.service_level_category.upper(),
            "shipByWindow": {
                "earliestDateTime": iso(header.purchased),
                "latestDateTime": iso(header.purchased.replace(hour=23, minute=59, second=59)),
            },
        }
    answer["orderItems"] = [_item(order, item, included, pii) for item in order.items]
    return answer


def _sees_pii(call: Call) -> bool:
    return DIRECT_TO_CONSUMER_SHIPPING in call.identity.app.restricted_roles


def _search(call: Call) -> order_search.Search:
    seller = call.identity.authorising_seller
    by, after, before = order_search.window(call, NAMES)
    own = [m.marketplace_id for m in seller.marketplaces()]
    return order_search.Search(
        kind="search-orders",
        seller=seller.selling_partner_id,
        marketplaces=order_search.marketplace_ids(call.query("marketplaceIds", own), "marketplaceIds"),
        by=by,
        after=after,
        before=before,
        statuses=[V0_STATUSES[s] for s in call.query("fulfillmentStatuses", [])],
        channels=[CHANNELS[f] for f in call.query("fulfilledBy", [])],
        ids=[],
        size=order_search.page_size(call, "maxResultsPerPage"),
    )


async def search_orders(call: Call) -> Response:
    seller, sandbox = call.identity.authorising_seller, call.sandbox
    token = call.query("paginationToken")
    search = order_search.resume(call, token, "search-orders", BAD_TOKEN) if token else _search(call)
    if token and "maxResultsPerPage" in call.inputs.query:
        search = replace(search, size=order_search.page_size(call, "maxResultsPerPage"))
    shown, next_token = order_search.page(call, search)
    included, pii = set(call.query("includedData", [])), _sees_pii(call)
    body: dict[str, Any] = {
        "orders": [order_json(sandbox.orders.details(seller, h), included, pii) for h in shown],
        ("createdBefore" if search.by == "created" else "lastUpdatedBefore"): search.bound,
    }
    if next_token:
        body["pagination"] = {"nextToken": next_token}
    return JSONResponse(body)


async def get_order(call: Call) -> Response:
    seller, order_id = call.identity.authorising_seller, call.path("orderId")
    header = call.sandbox.orders.find(seller, order_id)
    if header is None:
        raise not_found(f"Order {order_id} not found.")
    order = call.sandbox.orders.details(seller, header)
    return JSONResponse({"order": order_json(order, set(call.query("includedData", [])), _sees_pii(call))})


HANDLERS: dict[str, Handler] = {
    "orders/2026-01-01/searchOrders": search_orders,
    "orders/2026-01-01/getOrder": get_order,
}
