"""Orders API v2026-01-01 over real HTTP, over the same order book as v0: items in every order, datasets
by includedData, PII by the app's roles (no RDT); the ground truth and status changes at /_sandbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.times import iso
from tests.sandbox.conftest import access_token, seller_in, spapi

UK = get_marketplace("UK").marketplace_id
DE = get_marketplace("DE").marketplace_id
SEARCH = "/orders/2026-01-01/orders"
V0 = "/orders/v0/orders"
EVERYTHING = "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT"


def token_of(http, apps, app: str = "Demo Private App (restricted)") -> str:
    return access_token(http, apps[app], "UK")


def search_all(http, token, **params) -> tuple[list[dict[str, Any]], int]:
    """Every page of searchOrders, and how many pages it took."""
    response = spapi(http, "GET", SEARCH, token, params=params)
    orders, pages = [], 0
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        orders += body["orders"]
        pages += 1
        next_token = body.get("pagination", {}).get("nextToken")
        if not next_token:
            return orders, pages
        response = spapi(http, "GET", SEARCH, token, params={**params, "paginationToken": next_token})


@pytest.fixture
def since(clock) -> str:
    return iso(clock.now() - timedelta(days=40))


def test_search_orders_has_the_same_orders_as_get_orders(http, apps, since):
    token = token_of(http, apps)
    orders, pages = search_all(http, token, createdAfter=since, marketplaceIds=UK, maxResultsPerPage=7)
    v0 = spapi(http, "GET", V0, token, params={"CreatedAfter": since, "MarketplaceIds": UK}).json()
    assert [o["orderId"] for o in orders] == [o["AmazonOrderId"] for o in v0["payload"]["Orders"]]
    assert pages == 8  # 50 orders, 7 a page
    assert all(o["orderItems"] for o in orders)
    assert all(
        set(o) == {"orderId", "createdTime", "lastUpdatedTime", "programs", "salesChannel", "orderItems"}
        for o in orders
    )


def test_included_data_and_pii_by_role(http, apps, since):
    with_role, _ = search_all(http, token_of(http, apps), createdAfter=since, includedData=EVERYTHING)
    without, _ = search_all(
        http, token_of(http, apps, "Demo Private App"), createdAfter=since, includedData=EVERYTHING
    )
    assert len(with_role) == len(without) == 50 * 5  # every marketplace of the seller by default
    for full, bare in zip(with_role, without, strict=True):
        assert full["fulfillment"] == bare["fulfillment"]
        assert full.get("proceeds") == bare.get("proceeds")
        assert "buyerName" in full["buyer"]
        assert "buyerName" not in bare["buyer"]
        assert "buyerEmail" not in bare["buyer"]
        if "recipient" in full:
            address, plain = full["recipient"]["deliveryAddress"], bare["recipient"]["deliveryAddress"]
            assert {"name", "addressLine1", "postalCode", "phone"} <= set(address)
            assert set(plain) == {"city", "stateOrRegion", "countryCode"}
        merchant_shipping = full["fulfillment"]["fulfilledBy"] == "MERCHANT" and full["fulfillment"][
            "fulfillmentStatus"
        ] in ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED")
        assert ("buyerEmail" in full["buyer"]) == merchant_shipping


def test_filters_and_get_order(http, apps, since):
    token = token_of(http, apps)
    every, _ = search_all(http, token, createdAfter=since, marketplaceIds=UK, includedData="FULFILLMENT")
    amazon, _ = search_all(
        http, token, createdAfter=since, marketplaceIds=UK, includedData="FULFILLMENT", fulfilledBy="AMAZON"
    )
    assert amazon == [o for o in every if o["fulfillment"]["fulfilledBy"] == "AMAZON"]
    shipped, _ = search_all(
        http,
        token,
        createdAfter=since,
        marketplaceIds=UK,
        includedData="FULFILLMENT",
        fulfillmentStatuses="SHIPPED",
    )
    assert shipped == [o for o in every if o["fulfillment"]["fulfillmentStatus"] == "SHIPPED"]
    one = spapi(http, "GET", f"{SEARCH}/{every[3]['orderId']}", token, params={"includedData": "FULFILLMENT"})
    assert one.json() == {"order": every[3]}
    missing = spapi(http, "GET", f"{SEARCH}/999-1234567-1234567", token)
    assert missing.status_code == 404
    bad = spapi(http, "GET", SEARCH, token, params={"createdAfter": since, "paginationToken": "nope"})
    assert bad.status_code == 400


def test_pages_hold_while_orders_change(http, apps, emulator, clock, since):
    token = token_of(http, apps)
    seller = seller_in(apps["Demo Private App (restricted)"], "UK")["selling_partner_id"]
    first = spapi(
        http,
        "GET",
        SEARCH,
        token,
        params={"createdAfter": since, "marketplaceIds": UK, "maxResultsPerPage": 10},
    ).json()
    truth = admin_orders(http, seller, UK)
    unshipped = [o for o in truth if o["status"] == "Unshipped"]
    assert unshipped
    changed = http.post(
        f"/_sandbox/orders/{unshipped[-1]['order_id']}/status", json={"seller": seller, "status": "Shipped"}
    )
    assert changed.status_code == 200
    assert changed.json()["status"] == "Shipped"
    refused = http.post(
        f"/_sandbox/orders/{unshipped[-1]['order_id']}/status", json={"seller": seller, "status": "Pending"}
    )
    assert refused.status_code == 409
    clock.advance(600)
    rest, _ = search_all(
        http, token, createdAfter=since, marketplaceIds=UK, paginationToken=first["pagination"]["nextToken"]
    )
    ids = [o["orderId"] for o in first["orders"] + rest]
    assert sorted(ids) == sorted(o["order_id"] for o in truth)  # each once, none pushed out of view


def admin_orders(
    http: httpx.Client, seller: str, marketplace: str, view: str = "search"
) -> list[dict[str, Any]]:
    response = http.get(
        "/_sandbox/orders", params={"seller": seller, "marketplace": marketplace, "view": view}
    )
    assert response.status_code == 200, response.text
    return list(response.json())


def test_ground_truth_of_the_admin_endpoint(http, apps, clock):
    seller = seller_in(apps["Demo Private App (restricted)"], "UK")["selling_partner_id"]
    truth = admin_orders(http, seller, UK)
    assert len(truth) == 50
    assert truth == admin_orders(http, seller, UK, "now")
    assert http.get("/_sandbox/orders", params={"seller": "nobody"}).status_code == 404
    assert http.get("/_sandbox/orders", params={"seller": seller, "view": "later"}).status_code == 400
    clock.advance(5 * 86_400)
    assert len(admin_orders(http, seller, UK, "now")) > 50
