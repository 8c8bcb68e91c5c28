"""Orders API v0: orders, items, addresses and buyers of the order book, in a ``payload`` envelope.

Buyer PII comes only with a Restricted Data Token whose resource matches the request (and, for getOrders,
getOrder and getOrderItems, names the data elements). With a plain access token the restricted
operations still answer 200, without the PII, as Amazon does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from amazon_connector.api.schemas import (
    Address,
    GetOrderAddressResponse,
    GetOrderBuyerInfoResponse,
    GetOrderItemsBuyerInfoResponse,
    GetOrderItemsResponse,
    GetOrderResponse,
    GetOrdersResponse,
    ItemBuyerInfo,
    Money,
    Order,
    OrderAddress,
    OrderBuyerDetails,
    OrderBuyerInfo,
    OrderItem,
    OrderItemBuyerInfo,
    OrderItemsBuyerInfoList,
    OrderItemsList,
    OrdersList,
)
from amazon_connector.marketplaces import Marketplace, all_marketplaces
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import invalid_input, not_found
from amazon_connector.sandbox.spapi.inputs import INPUT_NOT_VALID, parse_time
from amazon_connector.sandbox.spapi.order_book import QUIET, Item, OrderDetails, OrderHeader
from amazon_connector.sandbox.times import iso

MAX_RESULTS_PER_PAGE = 100
MAX_IDS = 50
ITEMS_PER_PAGE = 20
"""Order items per page (Amazon does not document its page size)."""
ORDER_STATUSES = frozenset(
    {
        "PendingAvailability",
        "Pending",
        "Unshipped",
        "PartiallyShipped",
        "Shipped",
        "InvoiceUnconfirmed",
        "Canceled",
        "Unfulfillable",
    }
)
ADDRESS_STATUSES = frozenset({"Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed"})
"""Orders in these states have a shipping address."""
BAD_NEXT_TOKEN = "We could not decode your NextToken. Possible reasons include: a transmission error, improper quoting or a truncation problem."  # noqa: S105 (a message)
MISSING_MARKETPLACE_IDS = "Missing or invalid request parameters: [MarketplaceIds]"
_MARKETPLACE_IDS = frozenset(m.marketplace_id for m in all_marketplaces())


def _money(marketplace: Marketplace, amount: Decimal | None) -> Money | None:
    return None if amount is None else Money(CurrencyCode=marketplace.currency, Amount=f"{amount:.2f}")


def _address(order: OrderDetails, pii: bool) -> Address:
    """The shipping address; without PII only city, region, postal code and country."""
    buyer = order.buyer
    address = Address(
        City=buyer.city,
        StateOrRegion=buyer.state,
        PostalCode=buyer.postal_code,
        CountryCode=order.marketplace.iso_country,
    )
    if pii:
        address = address.model_copy(
            update={
                "Name": buyer.name,
                "AddressLine1": buyer.address_line,
                "Phone": buyer.phone,
                "AddressType": "Commercial" if order.business else "Residential",
            }
        )
    return address


def _order(order: OrderDetails, elements: frozenset[str] | None) -> Order:
    header, granted = order.header, elements or frozenset()
    shipped = sum(i.quantity for i in order.items) if header.status == "Shipped" else 0
    ordered = sum(i.quantity for i in order.items)
    return Order(
        AmazonOrderId=header.order_id,
        PurchaseDate=iso(header.purchased),
        LastUpdateDate=iso(header.updated),
        OrderStatus=header.status,
        FulfillmentChannel="AFN" if header.fulfillment_channel == "AFN" else "MFN",
        SalesChannel=order.marketplace.name,
        ShipServiceLevel=order.ship_service_level,
        OrderTotal=_money(order.marketplace, order.total),
        NumberOfItemsShipped=shipped,
        NumberOfItemsUnshipped=0 if header.status == "Canceled" else ordered - shipped,
        PaymentMethod="Other",
        MarketplaceId=header.marketplace_id,
        ShipmentServiceLevelCategory="Standard",
        OrderType="StandardOrder",
        EarliestShipDate=iso(header.purchased),
        LatestShipDate=iso(header.purchased.replace(hour=23, minute=59, second=59)),
        IsBusinessOrder=order.business,
        IsPrime=order.prime,
        IsPremiumOrder=False,
        IsGlobalExpressEnabled=False,
        IsReplacementOrder=False,
        IsSoldByAB=False,
        IsISPU=False,
        IsAccessPointOrder=False,
        ShippingAddress=_address(order, "shippingAddress" in granted)
        if header.status in ADDRESS_STATUSES
        else None,
        BuyerInfo=OrderBuyerDetails(
            BuyerEmail=order.buyer.email,
            BuyerName=order.buyer.name,
            PurchaseOrderNumber=order.buyer.purchase_order_number,
        )
        if "buyerInfo" in granted
        else None,
    )


def _item_buyer_info(order: OrderDetails, item: Item, pii: bool) -> ItemBuyerInfo:
    return ItemBuyerInfo(
        GiftWrapPrice=_money(order.marketplace, item.gift_wrap_price),
        GiftWrapLevel="Classic" if item.gift_wrap_price is not None else None,
        GiftMessageText=item.gift_message if pii else None,
    )


def _item(order: OrderDetails, item: Item, elements: frozenset[str] | None) -> OrderItem:
    return OrderItem(
        ASIN=item.asin,
        OrderItemId=item.order_item_id,
        QuantityOrdered=item.quantity,
        SellerSKU=item.sku,
        Title=item.title,
        QuantityShipped=item.quantity if order.header.status == "Shipped" else 0,
        ItemPrice=_money(order.marketplace, item.price),
        ItemTax=_money(order.marketplace, item.tax),
        IsGift=None if item.price is None else str(item.gift_message is not None).lower(),
        ConditionId="New",
        BuyerInfo=_item_buyer_info(order, item, pii=True) if "buyerInfo" in (elements or ()) else None,
    )


# --- getOrders --------------------------------------------------------------------------------


def _marketplace_ids(call: Call) -> list[str]:
    ids: list[str] = call.query("MarketplaceIds", [])
    if not ids or len(ids) > MAX_IDS:
        raise invalid_input(MISSING_MARKETPLACE_IDS)
    unknown = [m for m in ids if m not in _MARKETPLACE_IDS]
    if unknown:
        raise invalid_input(INPUT_NOT_VALID, f"Invalid MarketplaceIds: {', '.join(unknown)}.")
    return ids


def _window(call: Call) -> tuple[str, float, float]:
    """Which date the query filters on (``created`` or ``updated``) and its bounds, as timestamps."""
    params = call.inputs.query
    created = "CreatedAfter" in params or "CreatedBefore" in params
    updated = "LastUpdatedAfter" in params or "LastUpdatedBefore" in params
    if created == updated:
        raise invalid_input(
            INPUT_NOT_VALID, "Give CreatedAfter or LastUpdatedAfter (and not both kinds of date)."
        )
    after_name, before_name = (
        ("CreatedAfter", "CreatedBefore") if created else ("LastUpdatedAfter", "LastUpdatedBefore")
    )
    if after_name not in params:
        raise invalid_input(INPUT_NOT_VALID, f"{after_name} is required when {before_name} is given.")
    latest = call.sandbox.clock.now() - QUIET
    after = parse_time(params[after_name], after_name)
    before = parse_time(params[before_name], before_name) if before_name in params else latest
    if before < after or before > latest or after > latest:
        raise invalid_input(
            INPUT_NOT_VALID,
            f"{after_name} must not be after {before_name}, and both must be at least two minutes "
            "before the current time.",
        )
    return ("created" if created else "updated"), after.timestamp(), before.timestamp()


def _orders_query(call: Call, seller_id: str) -> dict[str, Any]:
    """The filters of a first getOrders request, as a next-page token keeps them."""
    by, after, before = _window(call)
    statuses: list[str] = call.query("OrderStatuses", [])
    if not set(statuses) <= ORDER_STATUSES:
        raise invalid_input(
            INPUT_NOT_VALID, f"Invalid OrderStatuses: {', '.join(sorted(set(statuses) - ORDER_STATUSES))}."
        )
    channels: list[str] = call.query("FulfillmentChannels", [])
    if not set(channels) <= {"AFN", "MFN"}:
        raise invalid_input(INPUT_NOT_VALID, "FulfillmentChannels must be AFN or MFN.")
    ids: list[str] = call.query("AmazonOrderIds", [])
    size: int = call.query("MaxResultsPerPage", MAX_RESULTS_PER_PAGE)
    if not 1 <= size <= MAX_RESULTS_PER_PAGE:
        raise invalid_input(INPUT_NOT_VALID, "MaxResultsPerPage must be 1 - 100.")
    return {
        "seller": seller_id,
        "marketplaces": _marketplace_ids(call),
        "by": by,
        "after": after,
        "before": before,
        "statuses": statuses,
        "channels": channels,
        "ids": ids,
        "size": size,
        "offset": 0,
    }


def _read_token(call: Call, token: str, seller_id: str, kind: str) -> dict[str, Any]:
    state = call.sandbox.pages.read(token)
    if state is None or state.get("seller") != seller_id or state.get("kind") != kind:
        raise invalid_input(BAD_NEXT_TOKEN)
    return state


def _matching(call: Call, query: dict[str, Any]) -> list[OrderHeader]:
    seller, sandbox = call.identity.authorising_seller, call.sandbox
    date: Callable[[OrderHeader], datetime] = (
        (lambda h: h.purchased) if query["by"] == "created" else (lambda h: h.updated)
    )
    found = [
        h
        for marketplace_id in query["marketplaces"]
        for h in sandbox.orders.orders(seller, marketplace_id)
        if query["after"] <= date(h).timestamp() <= query["before"]
        and (not query["statuses"] or h.status in query["statuses"])
        and (not query["channels"] or h.fulfillment_channel in query["channels"])
        and (not query["ids"] or h.order_id in query["ids"])
    ]
    return sorted(found, key=lambda h: (date(h), h.order_id))


async def get_orders(call: Call) -> Response:
    seller, sandbox = call.identity.authorising_seller, call.sandbox
    _marketplace_ids(call)
    token = call.query("NextToken")
    if token:
        query = _read_token(call, token, seller.selling_partner_id, "orders")
    else:
        query = {**_orders_query(call, seller.selling_partner_id), "kind": "orders"}
    found = _matching(call, query)
    start, size = query["offset"], query["size"]
    page = found[start : start + size]
    more = start + size < len(found)
    elements = call.data_elements
    bound = iso(datetime.fromtimestamp(query["before"], UTC))
    payload = OrdersList(
        Orders=[_order(sandbox.orders.details(seller, h), elements) for h in page],
        NextToken=sandbox.pages.issue({**query, "offset": start + size}) if more else None,
        CreatedBefore=bound if query["by"] == "created" else None,
        LastUpdatedBefore=bound if query["by"] == "updated" else None,
    )
    return answer(GetOrdersResponse(payload=payload))


# --- one order --------------------------------------------------------------------------------


def _details(call: Call) -> OrderDetails:
    seller, order_id = call.identity.authorising_seller, call.path("orderId")
    header = call.sandbox.orders.find(seller, order_id)
    if header is None:
        raise not_found(f"Order {order_id} not found.")
    return call.sandbox.orders.details(seller, header)


def _items_page(call: Call, order: OrderDetails, kind: str) -> tuple[tuple[Item, ...], str | None]:
    """One page of the order's items and the token of the next page."""
    seller_id = call.identity.authorising_seller.selling_partner_id
    token = call.query("NextToken")
    state: dict[str, Any] = (
        _read_token(call, token, seller_id, kind)
        if token
        else {"seller": seller_id, "kind": kind, "order": order.header.order_id, "offset": 0}
    )
    if state["order"] != order.header.order_id:
        raise invalid_input(BAD_NEXT_TOKEN)
    start = state["offset"]
    end = start + ITEMS_PER_PAGE
    more = end < len(order.items)
    return order.items[start:end], call.sandbox.pages.issue({**state, "offset": end}) if more else None


async def get_order(call: Call) -> Response:
    return answer(GetOrderResponse(payload=_order(_details(call), call.data_elements)))


async def get_order_items(call: Call) -> Response:
    order = _details(call)
    items, next_token = _items_page(call, order, "items")
    elements = call.data_elements
    payload = OrderItemsList(
        OrderItems=[_item(order, i, elements) for i in items],
        AmazonOrderId=order.header.order_id,
        NextToken=next_token,
    )
    return answer(GetOrderItemsResponse(payload=payload))


async def get_order_address(call: Call) -> Response:
    order = _details(call)
    restricted = call.data_elements is not None
    address = _address(order, restricted) if order.header.status in ADDRESS_STATUSES else None
    return answer(
        GetOrderAddressResponse(
            payload=OrderAddress(AmazonOrderId=order.header.order_id, ShippingAddress=address)
        )
    )


async def get_order_buyer_info(call: Call) -> Response:
    order = _details(call)
    restricted = call.data_elements is not None
    payload = OrderBuyerInfo(
        AmazonOrderId=order.header.order_id,
        BuyerEmail=order.buyer.email if restricted else None,
        BuyerName=order.buyer.name if restricted else None,
        PurchaseOrderNumber=order.buyer.purchase_order_number,
    )
    return answer(GetOrderBuyerInfoResponse(payload=payload))


async def get_order_items_buyer_info(call: Call) -> Response:
    order = _details(call)
    items, next_token = _items_page(call, order, "items-buyer")
    restricted = call.data_elements is not None
    payload = OrderItemsBuyerInfoList(
        OrderItems=[
            OrderItemBuyerInfo(
                OrderItemId=i.order_item_id, **_item_buyer_info(order, i, restricted).model_dump()
            )
            for i in items
        ],
        AmazonOrderId=order.header.order_id,
        NextToken=next_token,
    )
    return answer(GetOrderItemsBuyerInfoResponse(payload=payload))


HANDLERS: dict[str, Handler] = {
    "orders/v0/getOrders": get_orders,
    "orders/v0/getOrder": get_order,
    "orders/v0/getOrderItems": get_order_items,
    "orders/v0/getOrderAddress": get_order_address,
    "orders/v0/getOrderBuyerInfo": get_order_buyer_info,
    "orders/v0/getOrderItemsBuyerInfo": get_order_items_buyer_info,
}
