"""Every one of the catalog's operations called through ``Connection.call`` against the emulator, each
answer checked against the operation's response schema in Amazon's models (with ``jsonschema``).

The stateful operations get the IDs their flows make (orders, reports, feeds, destinations); every other
operation gets values for its required parameters made from its model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker

from amazon_connector import Connections
from amazon_connector.api.catalog import Operation, catalog
from amazon_connector.api.shapes import shape
from amazon_connector.clock import ManualClock
from amazon_connector.errors import ApiError
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.spapi.catalog_items import DATA_SETS
from amazon_connector.sandbox.spapi.jobs import PROCESSING, QUEUED
from amazon_connector.sandbox.spapi.stateful import HANDLERS
from amazon_connector.sandbox.spapi.values import Context, Generator, seed_of
from amazon_connector.sandbox.world import demo_world
from tests.conftest import app_settings, seller_in

UK = get_marketplace("UK")
SINCE = "2020-01-01T00:00:00Z"
REPORT_TYPE = "GET_MERCHANT_LISTINGS_ALL_DATA"
FEED_TYPE = "JSON_LISTINGS_FEED"
JSON = "application/json; charset=UTF-8"

Call = Callable[..., Any]


def required_values(operation: Operation, clock: ManualClock) -> dict[str, Any]:
    """Values for the operation's required parameters, made from its model (UK marketplace)."""
    model = shape(operation)
    generator = Generator(
        model.definitions, Context((UK,), clock.now(), {}), seed_of("request", operation.qualified_name)
    )
    return {p.name: generator.value(p.schema, p.name) for p in model.parameters if p.required}


def call_from_data(call: Call, operation: Operation, clock: ManualClock) -> Any:
    """Call with values for the required parameters; when the model's own sandbox example refuses that
    (a catch-all 4xx example, e.g. "give one of the IDs"), call with the first successful example's."""
    try:
        return call(operation.qualified_name, **required_values(operation, clock))
    except ApiError as refused:
        if not 400 <= refused.status < 500:
            raise
        example = next(e for e in shape(operation).examples if e.status < 300 and e.parameters)
        return call(operation.qualified_name, **example.parameters)


def listings_calls(call: Call, seller_id: str) -> Iterator[tuple[str, Any]]:
    """The Listings Items operations on the seller's listings: search, get, patch, put, delete."""
    where = {"sellerId": seller_id, "marketplaceIds": [UK.marketplace_id]}
    found = call("listings-items/2021-08-01/searchListingsItems", paginate=False, **where)
    yield "listings-items/2021-08-01/searchListingsItems", found
    sku = found.body["items"][0]["sku"]
    yield (
        "listings-items/2021-08-01/getListingsItem",
        call("listings-items/2021-08-01/getListingsItem", sku=sku, **where),
    )
    offer = {
        "marketplace_id": UK.marketplace_id,
        "currency": "GBP",
        "our_price": [{"schedule": [{"value_with_tax": 99.5}]}],
    }
    patch = {
        "productType": "PRODUCT",
        "patches": [{"op": "merge", "path": "/attributes/purchasable_offer", "value": [offer]}],
    }
    yield (
        "listings-items/2021-08-01/patchListingsItem",
        call("listings-items/2021-08-01/patchListingsItem", sku=sku, body=patch, **where),
    )
    attributes = {
        "item_name": [{"value": "A new bag", "marketplace_id": UK.marketplace_id}],
        "brand": [{"value": "Northwind"}],
        "condition_type": [{"value": "new_new"}],
    }
    put = {"productType": "LUGGAGE", "attributes": attributes}
    yield (
        "listings-items/2021-08-01/putListingsItem",
        call("listings-items/2021-08-01/putListingsItem", sku="NEW-BAG", body=put, **where),
    )
    yield (
        "listings-items/2021-08-01/deleteListingsItem",
        call("listings-items/2021-08-01/deleteListingsItem", sku="NEW-BAG", **where),
    )


def catalog_calls(call: Call) -> Iterator[tuple[str, Any]]:
    """The catalogue: a keywords search, and the first item found with every data set."""
    every = list(DATA_SETS)
    where = {"marketplaceIds": [UK.marketplace_id], "includedData": every}
    found = call("catalog-items/2022-04-01/searchCatalogItems", keywords=["bottle"], paginate=False, **where)
    yield "catalog-items/2022-04-01/searchCatalogItems", found
    asin = found.body["items"][0]["asin"]
    yield (
        "catalog-items/2022-04-01/getCatalogItem",
        call("catalog-items/2022-04-01/getCatalogItem", asin=asin, **where),
    )


def shipping_calls(call: Call, order_id: str, item_id: str, clock: ManualClock) -> Iterator[tuple[str, Any]]:
    """FBA inventory, and a merchant-fulfilled order ready for pickup, then its shipment confirmed."""
    inventory = {"granularityType": "Marketplace", "granularityId": UK.marketplace_id, "details": True}
    yield "fba-inventory/v1/getInventorySummaries", call("getInventorySummaries", paginate=False, **inventory)
    ready = {"marketplaceId": UK.marketplace_id, "shipmentStatus": "ReadyForPickup"}
    yield "orders/v0/updateShipmentStatus", call("updateShipmentStatus", orderId=order_id, body=ready)
    package = {
        "packageReferenceId": "1",
        "carrierCode": "Royal Mail",
        "trackingNumber": "RM123456785GB",
        "shipDate": clock.now(),
        "orderItems": [{"orderItemId": item_id, "quantity": 1}],
    }
    body = {"marketplaceId": UK.marketplace_id, "packageDetail": package}
    yield "orders/v0/confirmShipment", call("orders/v0/confirmShipment", orderId=order_id, body=body)


def stateful_calls(
    call: Call, clock: ManualClock, seller_id: str, order: tuple[str, str]
) -> Iterator[tuple[str, Any]]:
    """The stateful operations in the order their flows need, each with its answer (``order``: an
    unshipped merchant-fulfilled order and one of its items)."""
    yield "sellers/v1/getMarketplaceParticipations", call("sellers/v1/getMarketplaceParticipations")
    rdt = {
        "restrictedResources": [{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo"]}]
    }
    yield "tokens/2021-03-01/createRestrictedDataToken", call("createRestrictedDataToken", body=rdt)

    orders = call("orders/v0/getOrders", CreatedAfter=SINCE, paginate=False)
    yield "orders/v0/getOrders", orders
    order_id = orders.body["payload"]["Orders"][0]["AmazonOrderId"]
    for name in (
        "getOrder",
        "getOrderItems",
        "getOrderAddress",
        "getOrderBuyerInfo",
        "getOrderItemsBuyerInfo",
    ):
        yield f"orders/v0/{name}", call(f"orders/v0/{name}", orderId=order_id, paginate=False)
    every_dataset = ["BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT"]
    searched = call(
        "orders/2026-01-01/searchOrders", createdAfter=SINCE, includedData=every_dataset, paginate=False
    )
    yield "orders/2026-01-01/searchOrders", searched
    order_id = searched.body["orders"][0]["orderId"]
    yield (
        "orders/2026-01-01/getOrder",
        call("orders/2026-01-01/getOrder", orderId=order_id, includedData=every_dataset),
    )

    created = call("createReport", body={"reportType": REPORT_TYPE, "marketplaceIds": [UK.marketplace_id]})
    yield "reports/2021-06-30/createReport", created
    report_id = created.body["reportId"]
    clock.advance((QUEUED + PROCESSING).total_seconds())
    report = call("getReport", reportId=report_id)
    yield "reports/2021-06-30/getReport", report
    yield "reports/2021-06-30/getReports", call("getReports", reportTypes=[REPORT_TYPE], paginate=False)
    document_id = report.body["reportDocumentId"]
    yield "reports/2021-06-30/getReportDocument", call("getReportDocument", reportDocumentId=document_id)
    queued = call("createReport", body={"reportType": REPORT_TYPE, "marketplaceIds": [UK.marketplace_id]})
    yield "reports/2021-06-30/cancelReport", call("cancelReport", reportId=queued.body["reportId"])
    schedule_spec = {"reportType": REPORT_TYPE, "marketplaceIds": [UK.marketplace_id], "period": "P1D"}
    schedule = call("createReportSchedule", body=schedule_spec)
    yield "reports/2021-06-30/createReportSchedule", schedule
    schedule_id = schedule.body["reportScheduleId"]
    yield "reports/2021-06-30/getReportSchedules", call("getReportSchedules", reportTypes=[REPORT_TYPE])
    yield "reports/2021-06-30/getReportSchedule", call("getReportSchedule", reportScheduleId=schedule_id)
    yield (
        "reports/2021-06-30/cancelReportSchedule",
        call("cancelReportSchedule", reportScheduleId=schedule_id),
    )

    document = call("createFeedDocument", body={"contentType": JSON})
    yield "feeds/2021-06-30/createFeedDocument", document
    spec = {
        "feedType": FEED_TYPE,
        "marketplaceIds": [UK.marketplace_id],
        "inputFeedDocumentId": document.body["feedDocumentId"],
    }
    feed = call("createFeed", body=spec)
    yield "feeds/2021-06-30/createFeed", feed
    yield "feeds/2021-06-30/getFeed", call("getFeed", feedId=feed.body["feedId"])
    yield "feeds/2021-06-30/getFeeds", call("getFeeds", feedTypes=[FEED_TYPE], paginate=False)
    yield "feeds/2021-06-30/cancelFeed", call("cancelFeed", feedId=feed.body["feedId"])
    feed_document = document.body["feedDocumentId"]
    yield "feeds/2021-06-30/getFeedDocument", call("getFeedDocument", feedDocumentId=feed_document)

    sqs = {"arn": "arn:aws:sqs:eu-west-1:123456789012:notifications"}
    destination = call("createDestination", body={"name": "queue", "resourceSpecification": {"sqs": sqs}})
    yield "notifications/v1/createDestination", destination
    destination_id = destination.body["payload"]["destinationId"]
    yield "notifications/v1/getDestinations", call("getDestinations")
    yield "notifications/v1/getDestination", call("getDestination", destinationId=destination_id)
    yield "notifications/v1/deleteDestination", call("deleteDestination", destinationId=destination_id)
    yield from listings_calls(call, seller_id)
    yield from catalog_calls(call)
    yield from shipping_calls(call, *order, clock)
    name = "application-management/2023-11-30/rotateApplicationClientSecret"
    yield name, call(name)


RESTRICTED_ROLES = sorted(
    {role for op in catalog().operations if op.restricted for role in op.restricted.roles}
)


@pytest.fixture
def emulator(emulator_clock: ManualClock) -> Iterator[RunningEmulator]:
    """The demo world, its restricted private app holding every restricted role (Tax Invoicing too)."""
    world = demo_world(orders_per_marketplace=200)
    apps = [
        dataclasses.replace(a, restricted_roles=RESTRICTED_ROLES) if a.restricted_roles else a
        for a in world.apps
    ]
    with running_emulator(dataclasses.replace(world, apps=apps), clock=emulator_clock) as running:
        yield running


def test_every_operation_answers_as_its_model_says(home: Path, emulator, emulator_clock):
    app = {a["name"]: a for a in emulator.world.credentials()}["Demo Private App (restricted)"]
    formats = FormatChecker()
    answered: dict[str, int] = {}
    with Connections.open(home=home, clock=emulator_clock) as connections:
        connection = connections.add(
            "every-operation",
            country="UK",
            mode="restricted",
            refresh_token=seller_in(app, "UK")["refresh_token"],
            **app_settings(app, emulator),
        )

        def check(name: str, answer: Any) -> None:
            operation = catalog().get(name)
            schema = shape(operation).schema(answer.status)
            assert 200 <= answer.status < 300, name
            if schema is None:
                assert answer.body in (None, ""), name
            else:
                Draft4Validator(schema, format_checker=formats).validate(answer.body)
            answered[operation.qualified_name] = answer.status

        seller_id = seller_in(app, "UK")["selling_partner_id"]
        seller = emulator.world.seller(seller_id)
        book = emulator.sandbox.orders
        mfn = next(
            h
            for h in book.orders(seller, UK.marketplace_id)
            if h.fulfillment_channel == "MFN" and h.status == "Unshipped"
        )
        order = (mfn.order_id, book.details(seller, mfn).items[0].order_item_id)
        for name, answer in stateful_calls(connection.call, emulator_clock, seller_id, order):
            check(name, answer)
        assert set(answered) == set(HANDLERS)
        for operation in catalog().operations:
            if operation.qualified_name not in answered:
                check(operation.qualified_name, call_from_data(connection.call, operation, emulator_clock))
    assert len(answered) == len(catalog()) == 370
    assert emulator.sandbox.stats.throttled == 0
