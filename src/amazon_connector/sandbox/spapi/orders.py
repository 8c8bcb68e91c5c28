"""Orders API v0: orders, items, addresses and buyers of the order book, in a ``payload`` envelope.

Buyer PII comes only with a Restricted Data Token whose resource matches the request (and, for getOrders,
getOrder and getOrderItems, names the data elements). With a plain access token the restricted
operations still answer 200, without the PII, as Amazon does.
"""

from __future__ import annotations

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
from amazon_connector.marketplaces import Marketplace
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.spapi import order_search
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import invalid_input, not_found
from amazon_connector.sandbox.spapi.inputs import INPUT_NOT_VALID
from amazon_connector.sandbox.spapi.order_book import Item, OrderDetails, Status
from amazon_connector.sandbox.times import iso

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
BAD_NEXT_TOKEN = "We could not decode your NextToken. Possible reasons include: a transmission error, improper quoting or a truncation problem."  # noqa: S105 (a message)
NAMES = order_search.Names("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore")


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
    ordered = sum(i.quantity for i in order.items)
    shipped = sum(i.quantity for i in order.items if order.shipped(i))
    return Order(
        AmazonOrderId=header.order_id,
        PurchaseDate=iso(header.purchased),
        LastUpdateDate=iso(header.updated),
        OrderStatus=header.status,
        FulfillmentChannel=header.fulfillment_channel,
        SalesChannel=order.marketplace.name,
        ShipServiceLevel=order.ship_service_level,
        OrderTotal=_money(order.marketplace, order.total),
        NumberOfItemsShipped=shipped,
        NumberOfItemsUnshipped=0 if header.status is Status.CANCELED else ordered - shipped,
        PaymentMethod="Other",
        MarketplaceId=header.marketplace_id,
        ShipmentServiceLevelCategory=order.service_level_category,
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
        ShippingAddress=_address(order, "shippingAddress" in granted) if header.has_address else None,
        BuyerInfo=_buyer_info(order, "buyerInfo" in granted),
    )


def _buyer_info(order: OrderDetails, pii: bool) -> OrderBuyerDetails | None:
    """The buyer's name and email with PII; the purchase order number (not PII) always."""
    if pii:
        return OrderBuyerDetails(
            BuyerEmail=order.buyer.email if order.header.shows_buyer_email else None,
            BuyerName=order.buyer.name,
            PurchaseOrderNumber=order.buyer.purchase_order_number,
        )
    number = order.buyer.purchase_order_number
    return None if number is None else OrderBuyerDetails(PurchaseOrderNumber=number)


def _item_buyer_info(order: OrderDetails, item: Item, pii: bool) -> ItemBuyerInfo:
    return ItemBuyerInfo(
        GiftWrapPrice=_money(order.marketplace, item.gift_wrap_price),
        GiftWrapLevel="Classic" if item.gift_wrap_price is not None else None,
        GiftMessageText=item.gift_message if pii else None,
    )


def _item(order: OrderDetails, item: Item, elements: frozenset[str] | None) -> OrderItem:
    priced, market = order.header.priced, order.marketplace
    return OrderItem(
        ASIN=item.asin,
        OrderItemId=item.order_item_id,
        QuantityOrdered=item.quantity,
        SellerSKU=item.sku,
        Title=item.title,
        QuantityShipped=item.quantity if order.shipped(item) else 0,
        ItemPrice=_money(market, item.price) if priced else None,
        ItemTax=_money(market, item.tax) if priced else None,
        ShippingPrice=_money(market, item.shipping_price) if priced else None,
        PromotionDiscount=_money(market, item.promotion_discount) if priced else None,
        IsGift=str(item.gift_message is not None).lower() if priced else None,
        ConditionId="New",
        BuyerInfo=_item_buyer_info(order, item, pii=True) if "buyerInfo" in (elements or ()) else None,
    )


# --- getOrders --------------------------------------------------------------------------------


def _marketplace_ids(call: Call) -> list[str]:
    return order_search.marketplace_ids(call.query("MarketplaceIds", []), "MarketplaceIds")


def _search(call: Call, seller_id: str) -> order_search.Search:
    """The filters of a first getOrders request, as a next-page token keeps them."""
    by, after, before = order_search.window(call, NAMES)
    statuses: list[str] = call.query("OrderStatuses", [])
    if not set(statuses) <= ORDER_STATUSES:
        raise invalid_input(
            INPUT_NOT_VALID, f"Invalid OrderStatuses: {', '.join(sorted(set(statuses) - ORDER_STATUSES))}."
        )
    channels: list[str] = call.query("FulfillmentChannels", [])
    if not set(channels) <= {"AFN", "MFN"}:
        raise invalid_input(INPUT_NOT_VALID, "FulfillmentChannels must be AFN or MFN.")
    return order_search.Search(
        kind="orders",
        seller=seller_id,
        marketplaces=_marketplace_ids(call),
        by=by,
        after=after,
        before=before,
        statuses=statuses,
        channels=channels,
        ids=call.query("AmazonOrderIds", []),
        size=order_search.page_size(call, "MaxResultsPerPage"),
    )


def _read_token(call: Call, token: str, seller_id: str, kind: str) -> dict[str, Any]:
    state = call.sandbox.pages.read(token)
    if state is None or state.get("seller") != seller_id or state.get("kind") != kind:
        raise invalid_input(BAD_NEXT_TOKEN)
    return state


async def get_orders(call: Call) -> Response:
    seller, sandbox = call.identity.authorising_seller, call.sandbox
    _marketplace_ids(call)
    token = call.query("NextToken")
    search = (
        order_search.resume(call, token, "orders", BAD_NEXT_TOKEN)
        if token
        else _search(call, seller.selling_partner_id)
    )
    shown, next_token = order_search.page(call, search)
    elements = call.data_elements
    payload = OrdersList(
        Orders=[_order(sandbox.orders.details(seller, h), elements) for h in shown],
        NextToken=next_token,
        CreatedBefore=search.bound if search.by == "created" else None,
        LastUpdatedBefore=search.bound if search.by == "updated" else None,
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
    address = _address(order, restricted) if order.header.has_address else None
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
        BuyerEmail=order.buyer.email if restricted and order.header.shows_buyer_email else None,
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
