"""The emulator's FBA inventory (moving with orders fulfilled by Amazon) and confirmShipment (moving a
merchant-fulfilled order to Shipped, which the next orders search sees), over real HTTP."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.spapi.fba_stock import RESERVING
from amazon_connector.sandbox.spapi.order_book import QUIET, View
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import World, demo_world
from tests.sandbox.conftest import access_token, seller_in, spapi

UK = get_marketplace("UK").marketplace_id
SUMMARIES = "/fba/inventory/v1/summaries"


@pytest.fixture
def world(redirect_uri) -> World:
    return demo_world(redirect_uris=[redirect_uri], orders_per_marketplace=400)


@pytest.fixture
def emulator(world, clock) -> Iterator[RunningEmulator]:
    with running_emulator(world, clock=clock) as running:
        yield running


@pytest.fixture
def token(http, apps) -> str:
    return access_token(http, apps["Demo Private App (restricted)"], "UK")


@pytest.fixture
def seller(emulator, apps):
    found = emulator.world.seller(
        seller_in(apps["Demo Private App (restricted)"], "UK")["selling_partner_id"]
    )
    assert found is not None
    return found


def summaries(http, token, clock, **params) -> list[dict[str, Any]]:
    """Every page (the clock moves on by a request's share of the usage plan, 2 a second)."""
    query = {"granularityType": "Marketplace", "granularityId": UK, "marketplaceIds": UK, **params}
    clock.advance(0.5)
    found, page = [], spapi(http, "GET", SUMMARIES, token, params=query).json()
    found += page["payload"]["inventorySummaries"]
    while page.get("pagination", {}).get("nextToken"):
        clock.advance(0.5)
        page = spapi(
            http, "GET", SUMMARIES, token, params={**query, "nextToken": page["pagination"]["nextToken"]}
        ).json()
        found += page["payload"]["inventorySummaries"]
    return found


def test_inventory_lists_every_fba_product_by_pages(http, token, emulator, seller, clock):
    fba = [p for p in emulator.sandbox.assortment.products(seller) if p.amazon_fulfilled]
    first = spapi(
        http,
        "GET",
        SUMMARIES,
        token,
        params={"granularityType": "Marketplace", "granularityId": UK, "marketplaceIds": UK},
    ).json()
    assert len(first["payload"]["inventorySummaries"]) == 50
    assert first["payload"]["granularity"] == {"granularityType": "Marketplace", "granularityId": UK}
    every = summaries(http, token, clock, details="true")
    assert [s["sellerSku"] for s in every] == [p.sku for p in fba]
    for summary in every:
        details = summary["inventoryDetails"]
        assert (
            summary["totalQuantity"]
            == details["fulfillableQuantity"] + details["reservedQuantity"]["totalReservedQuantity"]
        )
    some = summaries(http, token, clock, sellerSkus=",".join(p.sku for p in fba[:3]))
    assert [s["sellerSku"] for s in some] == [p.sku for p in fba[:3]]
    assert "inventoryDetails" not in some[0]


def test_inventory_moves_with_orders_fulfilled_by_amazon(http, token, emulator, seller, clock):
    book = emulator.sandbox.orders
    waiting = next(
        h for h in book.orders(seller, UK) if h.fulfillment_channel == "AFN" and h.status == "Unshipped"
    )
    lines = book.details(seller, waiting).items
    sku = lines[0].sku
    units = sum(i.quantity for i in lines if i.sku == sku)
    before = summaries(http, token, clock, sellerSku=sku, details="true")[0]
    clock.advance(60)
    book.change_status(seller, waiting.order_id, "Shipped")
    after = summaries(http, token, clock, sellerSku=sku, details="true")[0]
    reserved = before["inventoryDetails"]["reservedQuantity"]["totalReservedQuantity"]
    assert after["inventoryDetails"]["reservedQuantity"]["totalReservedQuantity"] == reserved - units
    assert after["totalQuantity"] == before["totalQuantity"] - units
    assert (
        after["inventoryDetails"]["fulfillableQuantity"] == before["inventoryDetails"]["fulfillableQuantity"]
    )
    changed = summaries(http, token, clock, startDateTime=iso(clock.now() - timedelta(seconds=1)))
    assert {s["sellerSku"] for s in changed} == {i.sku for i in lines}


def test_inventory_counts_the_orders_that_arrive_on_the_clock(http, token, apps, emulator, seller, clock):
    book = emulator.sandbox.orders
    summaries(http, token, clock)
    clock.advance(3 * 86_400)  # new orders arrive, older ones ship
    token = access_token(http, apps["Demo Private App (restricted)"], "UK")  # the first one expired
    arrived = [
        h
        for h in book.orders(seller, UK, View.NOW)
        if h.index >= emulator.world.orders_per_marketplace and h.fulfillment_channel == "AFN"
    ]
    skus = sorted({i.sku for h in arrived for i in book.details(seller, h).items})
    assert arrived
    assert len(skus) <= 50
    found = summaries(http, token, clock, sellerSkus=",".join(skus), details="true")
    reserved = dict.fromkeys(skus, 0)
    for header in book.orders(seller, UK, View.NOW):
        if header.fulfillment_channel == "AFN" and header.status in RESERVING:
            for item in book.details(seller, header).items:
                if item.sku in reserved:
                    reserved[item.sku] += item.quantity
    assert {
        s["sellerSku"]: s["inventoryDetails"]["reservedQuantity"]["totalReservedQuantity"] for s in found
    } == reserved


def confirm(http, token, order_id: str, items: list[dict[str, Any]], **package) -> httpx.Response:
    body = {
        "marketplaceId": UK,
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "Royal Mail",
            "trackingNumber": "RM123456785GB",
            "shipDate": iso(package.pop("at")),
            "orderItems": items,
            **package,
        },
    }
    return spapi(http, "POST", f"/orders/v0/orders/{order_id}/shipmentConfirmation", token, json=body)


def test_a_confirmed_shipment_makes_the_order_shipped_for_the_next_sync(http, token, emulator, seller, clock):
    book = emulator.sandbox.orders
    order = next(
        h for h in book.orders(seller, UK) if h.fulfillment_channel == "MFN" and h.status == "Unshipped"
        and len(book.details(seller, h).items) == 1 and book.details(seller, h).items[0].quantity > 1
    )  # fmt: skip
    item = book.details(seller, order).items[0]
    since = iso(clock.now() - QUIET)
    clock.advance(30)
    part = confirm(
        http, token, order.order_id, [{"orderItemId": item.order_item_id, "quantity": 1}], at=clock.now()
    )
    assert part.status_code == 204
    assert book.find(seller, order.order_id).status == "PartiallyShipped"
    too_many = confirm(
        http,
        token,
        order.order_id,
        [{"orderItemId": item.order_item_id, "quantity": item.quantity}],
        at=clock.now(),
    )
    assert too_many.status_code == 400
    assert (
        f"quantity {item.quantity} is not 1 - {item.quantity - 1}" in too_many.json()["errors"][0]["details"]
    )
    clock.advance(60)  # the second package a minute later (an order's steps are at least a second apart)
    rest = confirm(
        http,
        token,
        order.order_id,
        [{"orderItemId": item.order_item_id, "quantity": item.quantity - 1}],
        at=clock.now(),
    )
    assert rest.status_code == 204
    assert book.find(seller, order.order_id).status == "Shipped"
    clock.advance(QUIET.total_seconds())
    synced = spapi(
        http, "GET", "/orders/v0/orders", token, params={"MarketplaceIds": UK, "LastUpdatedAfter": since}
    ).json()
    shown = [o for o in synced["payload"]["Orders"] if o["AmazonOrderId"] == order.order_id]
    assert [o["OrderStatus"] for o in shown] == ["Shipped"]


@pytest.mark.parametrize(
    ("case", "status", "detail"),
    [
        ("unknown order", 404, "Order 999-0000000-0000000 not found."),
        ("fulfilled by Amazon", 400, "is fulfilled by Amazon"),
        ("already shipped", 400, "is Shipped: only Unshipped or PartiallyShipped"),
        ("unknown item", 400, "Order item 1 is not in order"),
        ("Other without a name", 400, "carrierName is required"),
    ],
)
def test_confirm_shipment_refuses_what_cannot_ship(
    http, token, emulator, seller, clock, case, status, detail
):
    book = emulator.sandbox.orders
    headers = book.orders(seller, UK)
    order = next(h for h in headers if h.fulfillment_channel == "MFN" and h.status == "Unshipped")
    extra = {}
    if case == "fulfilled by Amazon":
        order = next(h for h in headers if h.fulfillment_channel == "AFN" and h.status == "Unshipped")
    elif case == "already shipped":
        order = next(h for h in headers if h.fulfillment_channel == "MFN" and h.status == "Shipped")
    elif case == "Other without a name":
        extra = {"carrierCode": "Other"}
    item = book.details(seller, order).items[0]
    items = [{"orderItemId": "1" if case == "unknown item" else item.order_item_id, "quantity": 1}]
    order_id = "999-0000000-0000000" if case == "unknown order" else order.order_id
    refused = confirm(http, token, order_id, items, at=clock.now(), **extra)
    assert refused.status_code == status
    assert detail in refused.json()["errors"][0].get("details", "") + refused.json()["errors"][0]["message"]
    assert book.find(seller, order.order_id).status == order.status
