"""Orders API v0 over real HTTP: filters, pagination with opaque tokens, PII only with a matching RDT."""

import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from amazon_connector.api.schemas import (
    GetOrderAddressResponse,
    GetOrderBuyerInfoResponse,
    GetOrderItemsBuyerInfoResponse,
    GetOrderItemsResponse,
    GetOrderResponse,
    GetOrdersResponse,
)
from amazon_connector.clock import ManualClock
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.server import running_emulator
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import demo_world
from tests.sandbox.conftest import access_token, restricted_data_token, spapi

UK = get_marketplace("UK").marketplace_id
DE = get_marketplace("DE").marketplace_id
ORDERS = "/orders/v0/orders"
PII_ELEMENTS = ["buyerInfo", "shippingAddress"]


@pytest.fixture
def token(http, apps) -> str:
    return access_token(http, apps["Demo Private App (restricted)"], "UK")


def _since(clock: ManualClock, days: int = 40) -> str:
    return iso(clock.now() - timedelta(days=days))


def all_orders(http, token, **params) -> list[dict[str, Any]]:
    """Every page of getOrders; checks that every page but the last is full."""
    orders, page_size = [], int(params.get("MaxResultsPerPage", 100))
    response = spapi(http, "GET", ORDERS, token, params=params)
    while True:
        assert response.status_code == 200, response.text
        payload = GetOrdersResponse.model_validate(response.json()).payload
        assert payload is not None
        orders += [o.model_dump(exclude_none=True) for o in payload.Orders]
        if not payload.NextToken:
            return orders
        assert len(payload.Orders) == page_size
        response = spapi(
            http,
            "GET",
            ORDERS,
            token,
            params={"MarketplaceIds": params["MarketplaceIds"], "NextToken": payload.NextToken},
        )


def test_marketplace_ids_are_required(http, token, clock):
    response = spapi(http, "GET", ORDERS, token, params={"CreatedAfter": _since(clock)})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "InvalidInput",
            "message": "Missing or invalid request parameters: [MarketplaceIds]",
            "details": "MarketplaceIds is required.",
        }
    ]
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0167"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"CreatedAfter": "yesterday"},
        {"CreatedAfter": "2025-01-01T00:00:00Z", "LastUpdatedAfter": "2025-01-01T00:00:00Z"},
        {"CreatedAfter": "2025-01-01T00:00:00Z", "MaxResultsPerPage": "101"},
        {"CreatedAfter": "2025-01-01T00:00:00Z", "MaxResultsPerPage": "0"},
        {"CreatedAfter": "2025-01-01T00:00:00Z", "OrderStatuses": "Lost"},
    ],
)
def test_invalid_queries(http, token, params):
    response = spapi(http, "GET", ORDERS, token, params={"MarketplaceIds": UK, **params})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"


def test_created_before_must_be_two_minutes_old(http, token, clock):
    params = {"MarketplaceIds": UK, "CreatedAfter": _since(clock), "CreatedBefore": iso(clock.now())}
    assert spapi(http, "GET", ORDERS, token, params=params).status_code == 400
    params["CreatedBefore"] = iso(clock.now() - timedelta(minutes=2))
    assert spapi(http, "GET", ORDERS, token, params=params).status_code == 200


def test_pages_cover_every_order_once_in_a_stable_order(http, token, clock, world):
    whole = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=_since(clock))
    assert len(whole) == world.orders_per_marketplace
    paged = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=_since(clock), MaxResultsPerPage="7")
    assert paged == whole
    assert len({o["AmazonOrderId"] for o in whole}) == len(whole)
    assert [o["PurchaseDate"] for o in whole] == sorted(o["PurchaseDate"] for o in whole)
    for order in whole:
        assert order["MarketplaceId"] == UK
        assert order["AmazonOrderId"][3] == "-"
        assert len(order["AmazonOrderId"]) == 19
    both = all_orders(http, token, MarketplaceIds=f"{UK},{DE}", CreatedAfter=_since(clock))
    assert len(both) == 2 * len(whole)


def test_filters(http, token, clock):
    whole = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=_since(clock))
    shipped = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=_since(clock), OrderStatuses="Shipped")
    assert shipped == [o for o in whole if o["OrderStatus"] == "Shipped"]
    middle = whole[len(whole) // 2]["PurchaseDate"]
    later = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=middle)
    assert later == [o for o in whole if o["PurchaseDate"] >= middle]
    updated = all_orders(http, token, MarketplaceIds=UK, LastUpdatedAfter=middle)
    assert {o["AmazonOrderId"] for o in updated} == {
        o["AmazonOrderId"] for o in whole if o["LastUpdateDate"] >= middle
    }
    assert [o["LastUpdateDate"] for o in updated] == sorted(o["LastUpdateDate"] for o in updated)
    ids = [whole[0]["AmazonOrderId"], whole[3]["AmazonOrderId"]]
    picked = all_orders(
        http, token, MarketplaceIds=UK, CreatedAfter=_since(clock), AmazonOrderIds=",".join(ids)
    )
    assert [o["AmazonOrderId"] for o in picked] == ids


def test_next_tokens_are_opaque_tamper_proof_and_expire(http, apps, token, clock):
    params = {"MarketplaceIds": UK, "CreatedAfter": _since(clock), "MaxResultsPerPage": "5"}
    next_token = spapi(http, "GET", ORDERS, token, params=params).json()["payload"]["NextToken"]
    raw = f"{ORDERS}?MarketplaceIds={UK}&NextToken={quote(next_token, safe='')}"
    assert spapi(http, "GET", raw, token).status_code == 200
    for bad in ("garbage!", next_token[:-4] + "AAAA", next_token[::-1]):
        response = spapi(http, "GET", ORDERS, token, params={"MarketplaceIds": UK, "NextToken": bad})
        assert response.status_code == 400
        assert "could not decode your NextToken" in response.json()["errors"][0]["message"]
    clock.advance(24 * 3600)
    fresh = access_token(http, apps["Demo Private App (restricted)"], "UK")
    expired = spapi(http, "GET", ORDERS, fresh, params={"MarketplaceIds": UK, "NextToken": next_token})
    assert expired.status_code == 400


def test_no_pii_without_an_rdt(http, token, clock):
    orders = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=_since(clock))
    buyers = [o["BuyerInfo"] for o in orders if "BuyerInfo" in o]
    assert buyers  # business orders' purchase order numbers, which are not PII
    assert all(set(b) == {"PurchaseOrderNumber"} for b in buyers)
    addresses = [o["ShippingAddress"] for o in orders if "ShippingAddress" in o]
    assert addresses
    assert all(set(a) == {"City", "StateOrRegion", "PostalCode", "CountryCode"} for a in addresses)
    order_id = next(o["AmazonOrderId"] for o in orders if "ShippingAddress" in o)
    address = GetOrderAddressResponse.model_validate(
        spapi(http, "GET", f"{ORDERS}/{order_id}/address", token).json()
    ).payload
    assert address is not None
    assert address.ShippingAddress is not None
    assert address.ShippingAddress.Name is None
    assert address.ShippingAddress.City
    buyer = spapi(http, "GET", f"{ORDERS}/{order_id}/buyerInfo", token)
    assert buyer.status_code == 200
    assert "BuyerEmail" not in buyer.json()["payload"]


def test_bulk_rdt_opens_pii_for_get_orders_only(http, token, clock):
    rdt = restricted_data_token(http, token, {"method": "GET", "path": ORDERS, "dataElements": PII_ELEMENTS})
    orders = all_orders(http, rdt, MarketplaceIds=UK, CreatedAfter=_since(clock))
    assert all(o["BuyerInfo"]["BuyerName"] for o in orders)
    emailed = [o for o in orders if "BuyerEmail" in o["BuyerInfo"]]
    assert emailed
    assert all(o["BuyerInfo"]["BuyerEmail"].endswith("@marketplace.amazon.co.uk") for o in emailed)
    assert all(  # Amazon gives the email for merchant-fulfilled orders being shipped only
        o["FulfillmentChannel"] == "MFN" and o["OrderStatus"] in ("Unshipped", "PartiallyShipped", "Shipped")
        for o in emailed
    )
    full = [o["ShippingAddress"] for o in orders if "ShippingAddress" in o]
    assert full
    assert all(a["Name"] and a["AddressLine1"] and a["Phone"] for a in full)
    order_id = orders[0]["AmazonOrderId"]
    refused = spapi(http, "GET", f"{ORDERS}/{order_id}", rdt)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "Unauthorized"


def test_data_elements_decide_which_pii(http, token, clock):
    rdt = restricted_data_token(
        http, token, {"method": "GET", "path": ORDERS, "dataElements": ["shippingAddress"]}
    )
    orders = all_orders(http, rdt, MarketplaceIds=UK, CreatedAfter=_since(clock))
    assert all(set(o.get("BuyerInfo", {})) <= {"PurchaseOrderNumber"} for o in orders)
    assert any("Name" in o.get("ShippingAddress", {}) for o in orders)


def test_generic_and_concrete_order_paths(http, token, clock):
    orders = all_orders(
        http,
        token,
        MarketplaceIds=UK,
        CreatedAfter=_since(clock),
        OrderStatuses="Shipped",
        FulfillmentChannels="MFN",
    )
    first, second = orders[0]["AmazonOrderId"], orders[1]["AmazonOrderId"]
    rdt = restricted_data_token(
        http,
        token,
        {"method": "GET", "path": f"{ORDERS}/{first}", "dataElements": ["buyerInfo"]},
        {"method": "GET", "path": f"{ORDERS}/{{orderId}}/address"},
        {"method": "GET", "path": f"{ORDERS}/{{orderId}}/buyerInfo"},
    )
    order = GetOrderResponse.model_validate(spapi(http, "GET", f"{ORDERS}/{first}", rdt).json()).payload
    assert order is not None
    assert order.BuyerInfo is not None
    assert order.BuyerInfo.BuyerEmail
    assert order.ShippingAddress is not None
    assert order.ShippingAddress.Name is None
    assert spapi(http, "GET", f"{ORDERS}/{second}", rdt).status_code == 403
    for order_id in (first, second):
        address = GetOrderAddressResponse.model_validate(
            spapi(http, "GET", f"{ORDERS}/{order_id}/address", rdt).json()
        ).payload
        assert address is not None
        assert address.ShippingAddress is not None
        assert address.ShippingAddress.Name
        buyer = GetOrderBuyerInfoResponse.model_validate(
            spapi(http, "GET", f"{ORDERS}/{order_id}/buyerInfo", rdt).json()
        ).payload
        assert buyer is not None
        assert buyer.BuyerEmail
        assert buyer.BuyerName
    assert spapi(http, "GET", f"{ORDERS}/{first}/orderItems", rdt).status_code == 403


def test_order_items_pages(http, token, clock, world):
    orders = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=_since(clock))
    big = orders[7]["AmazonOrderId"]  # every 50th order, from index 7, has 45 items
    items, pages, params = [], 0, dict[str, str]()
    while True:
        response = spapi(http, "GET", f"{ORDERS}/{big}/orderItems", token, params=params)
        payload = GetOrderItemsResponse.model_validate(response.json()).payload
        assert payload is not None
        assert payload.AmazonOrderId == big
        items += payload.OrderItems
        pages += 1
        if not payload.NextToken:
            break
        params = {"NextToken": payload.NextToken}
    assert (len(items), pages) == (45, 3)
    assert len({i.OrderItemId for i in items}) == 45
    assert all(i.BuyerInfo is None for i in items)
    other = orders[8]["AmazonOrderId"]
    stolen = spapi(
        http,
        "GET",
        f"{ORDERS}/{other}/orderItems",
        token,
        params={"NextToken": payload_token(http, token, big)},
    )
    assert stolen.status_code == 400
    rdt = restricted_data_token(
        http,
        token,
        {"method": "GET", "path": f"{ORDERS}/{{orderId}}/orderItems", "dataElements": ["buyerInfo"]},
        {"method": "GET", "path": f"{ORDERS}/{{orderId}}/orderItems/buyerInfo"},
    )
    with_pii = GetOrderItemsResponse.model_validate(
        spapi(http, "GET", f"{ORDERS}/{big}/orderItems", rdt).json()
    )
    assert with_pii.payload is not None
    assert all(i.BuyerInfo is not None for i in with_pii.payload.OrderItems)
    buyer_items = GetOrderItemsBuyerInfoResponse.model_validate(
        spapi(http, "GET", f"{ORDERS}/{big}/orderItems/buyerInfo", rdt).json()
    ).payload
    assert buyer_items is not None
    assert len(buyer_items.OrderItems) == 20
    assert buyer_items.NextToken


def payload_token(http, token, order_id) -> str:
    return spapi(http, "GET", f"{ORDERS}/{order_id}/orderItems", token).json()["payload"]["NextToken"]


def test_orders_of_another_seller_are_not_found(http, apps, token, clock):
    uk_order = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=_since(clock))[0]["AmazonOrderId"]
    us_token = access_token(http, apps["Demo Private App (restricted)"], "US")
    response = spapi(http, "GET", f"{ORDERS}/{uk_order}", us_token)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NotFound"
    us_rdt = restricted_data_token(http, us_token, {"method": "GET", "path": f"{ORDERS}/{{orderId}}/address"})
    assert spapi(http, "GET", f"{ORDERS}/{uk_order}/address", us_rdt).status_code == 404
    none = spapi(http, "GET", ORDERS, us_token, params={"MarketplaceIds": UK, "CreatedAfter": _since(clock)})
    assert none.json()["payload"]["Orders"] == []


def test_same_seed_same_orders(http, token, clock, world):
    first = all_orders(http, token, MarketplaceIds=UK, CreatedAfter=_since(clock))
    world = demo_world(redirect_uris=["http://127.0.0.1:1/cb"])
    with running_emulator(world, clock=clock) as again, httpx.Client(base_url=again.url) as other:
        app = {a["name"]: a for a in again.world.credentials()}["Demo Private App (restricted)"]
        second = all_orders(
            other, access_token(other, app, "UK"), MarketplaceIds=UK, CreatedAfter=_since(clock)
        )
    assert first == second


@pytest.mark.timing
def test_ten_thousand_orders():
    clock = ManualClock()
    world = demo_world(orders_per_marketplace=10_000)
    app = {a["name"]: a for a in world.credentials()}["Demo Private App"]
    with running_emulator(world, clock=clock) as emulator, httpx.Client(base_url=emulator.url) as http:
        token = access_token(http, app, "UK")
        started = time.monotonic()
        response = spapi(
            http, "GET", ORDERS, token, params={"MarketplaceIds": UK, "CreatedAfter": _since(clock)}
        )
        payload = response.json()["payload"]
        assert len(payload["Orders"]) == 100
        assert payload["NextToken"]
        for _ in range(5):
            payload = spapi(
                http, "GET", ORDERS, token, params={"MarketplaceIds": UK, "NextToken": payload["NextToken"]}
            ).json()["payload"]
        assert time.monotonic() - started < 5
