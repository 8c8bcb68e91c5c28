"""The runtime against the emulator's APIs: pages, restricted data, grantless calls, faults, timeouts,
legacy SigV4, extended logging and `amazon-connector call`."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from amazon_connector import Connections
from amazon_connector.api.catalog import catalog
from amazon_connector.clock import ManualClock
from amazon_connector.errors import (
    AuthError,
    MissingRoleError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from amazon_connector.runtime.pagination import can_follow
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.spapi.usage import UsagePlan
from amazon_connector.sandbox.world import demo_world
from tests.conftest import app_settings, seller_in

SINCE = "2020-01-01T00:00:00Z"
ORDERS = 250


def emulate(clock: ManualClock, faults: str = "") -> Iterator[RunningEmulator]:
    with running_emulator(demo_world(orders_per_marketplace=ORDERS), clock=clock, faults=faults) as running:
        yield running


@pytest.fixture
def emulator(emulator_clock: ManualClock) -> Iterator[RunningEmulator]:
    yield from emulate(emulator_clock)


@pytest.fixture
def apps(emulator: RunningEmulator) -> dict[str, dict[str, Any]]:
    return {app["name"]: app for app in emulator.world.credentials()}


@pytest.fixture
def lib(home: Path, emulator_clock: ManualClock) -> Iterator[Connections]:
    with Connections.open(home=home, clock=emulator_clock) as c:
        yield c


def connect(
    lib: Connections, emulator: RunningEmulator, app: dict[str, Any], country: str = "DE", **more: Any
):
    return lib.add(
        f"{country.lower()}-{len(lib.names())}",
        country=country,
        mode="restricted",
        refresh_token=seller_in(app, country)["refresh_token"],
        **app_settings(app, emulator),
        **more,
    )


def stats(emulator: RunningEmulator) -> Any:
    return emulator.app.state.sandbox.stats


def test_every_page_of_orders_and_items_sync_and_async(lib, emulator, apps):
    c = connect(lib, emulator, apps["Demo Private App (restricted)"])
    orders = list(c.call("getOrders", CreatedAfter=SINCE))
    ids = [o["AmazonOrderId"] for o in orders]
    assert len(ids) == len(set(ids)) == ORDERS
    assert stats(emulator).count("orders/v0/getOrders") == 3

    async def both() -> tuple[list[Any], Any]:
        answer = await c.acall("getOrders", CreatedAfter=SINCE)
        items = await c.acall("getOrderItems", orderId=ids[7])
        return [o async for o in answer], await items.amerged()

    again, merged = asyncio.run(both())
    assert [o["AmazonOrderId"] for o in again] == ids
    assert len(merged["OrderItems"]) == 45
    assert "NextToken" not in merged

    one = c.call("getOrders", CreatedAfter=SINCE, paginate=False)
    assert len(list(one)) == 100
    assert one.pager is None
    assert [p.next_token for p in one.pages()] == [one.next_token]  # this page only, as asked
    assert one.next_token
    second = c.call("getOrders", CreatedAfter=SINCE, NextToken=one.next_token, paginate=False)
    assert [o["AmazonOrderId"] for o in second.records()] == ids[100:200]


def test_paging_follows_what_the_call_asks_not_the_stored_setting(lib, emulator, apps):
    c = connect(lib, emulator, apps["Demo Private App (restricted)"], advanced={"pagination": False})
    assert len(list(c.call("getOrders", CreatedAfter=SINCE, data_elements=()))) == ORDERS
    assert len(c.call("getOrders", CreatedAfter=SINCE, data_elements=()).merged()["Orders"]) == ORDERS
    one = c.call("getOrders", CreatedAfter=SINCE, data_elements=(), paginate=False)
    assert len(list(one)) == 100


def test_buyer_data_comes_with_a_restricted_data_token_fetched_once_per_path(lib, emulator, apps):
    c = connect(lib, emulator, apps["Demo Private App (restricted)"])
    plain = c.call("getOrders", CreatedAfter=SINCE, data_elements=(), paginate=False).records()[0]
    assert "BuyerEmail" not in plain.get("BuyerInfo", {})
    assert "Name" not in plain.get("ShippingAddress", {})
    assert stats(emulator).count("tokens/2021-03-01/createRestrictedDataToken") == 0

    full = c.call("getOrders", CreatedAfter=SINCE, paginate=False).records()[0]
    assert full["BuyerInfo"]["BuyerEmail"]
    assert full["ShippingAddress"]["Name"]
    ids = [o["AmazonOrderId"] for o in c.call("getOrders", CreatedAfter=SINCE)]
    for order_id in ids[:5]:
        assert c.call("getOrderAddress", orderId=order_id).data["ShippingAddress"]["AddressLine1"]
    # one RDT for the bulk orders path, one for the generic address path
    assert stats(emulator).count("tokens/2021-03-01/createRestrictedDataToken") == 2


def test_a_missing_role_is_named_or_the_call_goes_on_without_buyer_data(lib, emulator, apps, caplog):
    c = connect(lib, emulator, apps["Demo Private App"], country="UK")
    order_id = c.call("getOrders", CreatedAfter=SINCE, data_elements=(), paginate=False).records()[0][
        "AmazonOrderId"
    ]
    with pytest.raises(MissingRoleError) as info:
        c.call("getOrderAddress", orderId=order_id)
    assert "Direct-to-Consumer Shipping (Restricted)" in " ".join(info.value.roles)
    assert "authorise the connection again" in (info.value.hint or "")
    with caplog.at_level(logging.WARNING, logger="amazon_connector"):
        order = c.call("getOrders", CreatedAfter=SINCE, paginate=False).records()[0]
    assert "Name" not in order.get("ShippingAddress", {})
    assert "calling without buyer data" in caplog.text


def test_a_refused_rdt_is_remembered_for_the_application_seller_and_resource(lib, emulator, apps, caplog):
    name = connect(lib, emulator, apps["Demo Private App"], country="UK").name
    ids = [
        o["AmazonOrderId"]
        for o in lib.get(name).call("getOrders", CreatedAfter=SINCE, data_elements=(), paginate=False)
    ]
    with caplog.at_level(logging.WARNING, logger="amazon_connector"):
        for order_id in ids[:5]:  # each call through a new Connection object: the memory is shared
            items = lib.get(name).call("getOrderItems", orderId=order_id).records()
            assert items
            assert "BuyerInfo" not in items[0] or "BuyerEmail" not in items[0]["BuyerInfo"]
    assert stats(emulator).count("tokens/2021-03-01/createRestrictedDataToken") == 1
    assert caplog.text.count("refused a Restricted Data Token") == 1


def test_a_failing_optional_rdt_request_falls_back_to_the_plain_call(lib, emulator, apps, caplog):
    # Amazon's RDT bucket is nearly empty: the second RDT request draws a 429 (no retries left)
    emulator.app.state.sandbox.usage.overrides["tokens/2021-03-01/createRestrictedDataToken"] = UsagePlan(
        0.0001, 1
    )
    c = connect(lib, emulator, apps["Demo Private App (restricted)"], advanced={"retries": 0})
    order_id = c.call("getOrders", CreatedAfter=SINCE, paginate=False).records()[0]["AmazonOrderId"]
    with caplog.at_level(logging.WARNING, logger="amazon_connector"):
        items = c.call("getOrderItems", orderId=order_id).records()
    assert items
    assert "the Restricted Data Token request failed" in caplog.text
    assert stats(emulator).count("tokens/2021-03-01/createRestrictedDataToken", 429) == 1


def test_grantless_operations_need_no_seller_authorisation(lib, emulator, apps):
    app = apps["Demo Private App"]
    c = lib.add("grantless", country="US", **app_settings(app, emulator))  # never authorised
    created = c.call(
        "createDestination",
        body={
            "name": "queue",
            "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:us-east-1:123456789012:q"}},
        },
    )
    destinations = c.call("getDestinations").data
    assert created.data["destinationId"] in [d["destinationId"] for d in destinations]


def test_a_faulty_amazon_loses_and_duplicates_nothing(home, emulator_clock):
    for running in emulate(
        emulator_clock, faults="500=0.1,503=0.1,reset=0.05,reset-after=0.05,500-after=0.05"
    ):
        apps = {app["name"]: app for app in running.world.credentials()}
        with Connections.open(home=home, clock=emulator_clock) as lib:
            c = connect(lib, running, apps["Demo Private App (restricted)"], advanced={"retries": 10})
            orders = list(c.call("getOrders", CreatedAfter=SINCE, data_elements=()))
            assert sorted(o["AmazonOrderId"] for o in orders) == sorted(
                set(o["AmazonOrderId"] for o in orders)
            )
            assert len(orders) == ORDERS
            items = list(c.call("getOrderItems", orderId=orders[7]["AmazonOrderId"]))
            assert len(items) == 45

            returned, failed = [], 0
            for _ in range(30):
                try:
                    returned.append(
                        c.call(
                            "createReport",
                            body={
                                "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
                                "marketplaceIds": ["A1PA6795UKMFR9"],
                            },
                        ).data["reportId"]
                    )
                except (ServerError, TransportError):
                    failed += 1
            created = running.app.state.sandbox.reports.all()
            assert failed > 0  # a create is not sent again when Amazon may have done it
            assert len(returned) == len(set(returned))
            assert set(returned) <= {r.job_id for r in created}
            assert len(returned) <= len(created) <= 30  # never one report for two calls


def settled(counts: Any, operation: str, expected: int) -> int:
    """The emulator counts a slow request when it answers, after the client gave up: wait for it."""
    deadline = time.monotonic() + 5
    while counts.count(operation) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return int(counts.count(operation))


def test_every_request_has_a_timeout_and_only_safe_calls_are_sent_again(home, emulator_clock):
    for running in emulate(emulator_clock, faults="slow=1.0@0.8"):
        apps = {app["name"]: app for app in running.world.credentials()}
        with Connections.open(home=home, clock=emulator_clock, timeout=0.4) as lib:
            c = connect(lib, running, apps["Demo Private App (restricted)"], advanced={"retries": 1})
            with pytest.raises(RequestTimeoutError):
                c.call("getMarketplaceParticipations")
            counts = stats(running)
            assert settled(counts, "sellers/v1/getMarketplaceParticipations", 2) == 2
            with pytest.raises(RequestTimeoutError, match="timed out") as info:
                c.call(
                    "createReport",
                    body={
                        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
                        "marketplaceIds": ["A1PA6795UKMFR9"],
                    },
                )
            assert settled(counts, "reports/2021-06-30/createReport", 2) == 1
            assert "can be retried" not in str(info.value)
            assert "createReport may have been carried out" in str(info.value)
            assert "Check with getReports" in str(info.value)


def test_legacy_sigv4_signing_with_assumed_role_credentials(lib, emulator, apps):
    app = apps["Demo Private App (restricted)"]
    aws = {k: app[k] for k in ("aws_access_key_id", "aws_secret_access_key", "aws_role_arn")}
    c = connect(lib, emulator, app, advanced={"sign_requests": True}, **aws)
    for _ in range(3):
        assert c.call("getMarketplaceParticipations").status == 200
    assert c.caller.signer is not None
    wrong = connect(
        lib, emulator, app, advanced={"sign_requests": True}, **{**aws, "aws_secret_access_key": "x" * 40}
    )
    with pytest.raises(AuthError, match="STS refused"):
        wrong.call("getMarketplaceParticipations")


def test_extended_logging_shows_traffic_without_tokens_or_buyer_data(lib, emulator, apps, caplog):
    c = connect(lib, emulator, apps["Demo Private App (restricted)"], advanced={"extended_logging": True})
    with caplog.at_level(logging.DEBUG, logger="amazon_connector"):
        order = c.call("getOrders", CreatedAfter=SINCE, paginate=False).records()[0]
    assert "/orders/v0/orders" in caplog.text
    for secret in (
        order["BuyerInfo"]["BuyerEmail"],
        order["ShippingAddress"]["AddressLine1"],
        "Atz.sprdt|",
        "Atza|",
    ):
        assert secret not in caplog.text
    assert logging.getLogger().handlers == [] or all(
        not isinstance(h, logging.StreamHandler) or h.level != logging.DEBUG
        for h in logging.getLogger().handlers
    )


def test_call_command_prints_json_for_any_operation(run, emulator, apps, tmp_path):
    app = apps["Demo Private App (restricted)"]
    run(
        "connections", "add", "de", "--country", "DE", "--mode", "restricted",
        "--app-id", app["app_id"], "--client-id", app["client_id"], "--environment", emulator.url,
        env={
            "AMAZON_CONNECTOR_CLIENT_SECRET": app["client_secret"],
            "AMAZON_CONNECTOR_REFRESH_TOKEN": seller_in(app, "DE")["refresh_token"],
        },
    )  # fmt: skip
    out = run(
        "call", "getOrders", "--connection", "de", f"CreatedAfter={SINCE}", "--data-elements", ""
    ).stdout
    assert len(json.loads(out)["Orders"]) == ORDERS
    page = json.loads(run("call", "getOrders", "-c", "de", f"CreatedAfter={SINCE}", "--one-page").stdout)
    assert len(page["Orders"]) == 100
    assert page["NextToken"]
    run("connections", "edit", "de", "--no-pagination")  # the Advanced node's Enable Pagination
    page = json.loads(run("call", "getOrders", "-c", "de", f"CreatedAfter={SINCE}").stdout)
    assert len(page["Orders"]) == 100
    every = run("call", "getOrders", "-c", "de", f"CreatedAfter={SINCE}", "--paginate").stdout
    assert len(json.loads(every)["Orders"]) == ORDERS
    empty = run("call", "orders/v0/getOrder", "-c", "de", "orderId= ", expect=1).stderr
    assert "the path parameter 'orderId' is empty" in empty
    bad = run("call", "getOrders", "-c", "de", "CreatedAfter", expect=1).stderr
    assert "is not key=value" in bad
    unknown = run("call", "getOrders", "-c", "de", "Colour=red", expect=1).stderr
    assert "has no parameter 'Colour'" in unknown

    feed = tmp_path / "feed.tsv"
    feed.write_text("sku\tquantity\nA-1\t5\n")
    document_id = run("upload", str(feed), "-c", "de").stdout.strip()
    assert document_id
    body = json.dumps({"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": ["A1PA6795UKMFR9"]})
    report_id = json.loads(run("call", "createReport", "-c", "de", f"body:={body}").stdout)["reportId"]
    assert report_id
    missing = run("download", "no-such-document", "-c", "de", expect=1).stderr
    assert "getReportDocument failed with HTTP 404" in missing


def test_report_documents_download_and_feed_documents_upload(lib, emulator, apps, emulator_clock):
    c = connect(lib, emulator, apps["Demo Private App (restricted)"])
    contents = {}
    for report_type in ("GET_MERCHANT_LISTINGS_ALL_DATA", "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING"):
        report_id = c.call(
            "createReport", body={"reportType": report_type, "marketplaceIds": ["A1PA6795UKMFR9"]}
        ).data["reportId"]
        emulator_clock.advance(60)
        report = c.call("getReport", reportId=report_id).data
        assert report["processingStatus"] == "DONE", report
        contents[report_type] = c.download_document(report["reportDocumentId"])
    assert contents["GET_MERCHANT_LISTINGS_ALL_DATA"].startswith(b"item-name\titem-description\tlisting-id")
    assert contents["GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING"]
    # the restricted report's document needed an RDT naming that very document
    paths = [r.path for grant in emulator.app.state.sandbox.grants.rdts for r in grant.resources]
    assert [p for p in paths if "/documents/" in p] == [
        f"/reports/2021-06-30/documents/{report['reportDocumentId']}"
    ]
    # fetched again: the RDT held for that document is used at once, without a refused first try
    stats = emulator.app.state.sandbox.stats
    refused = stats.count("reports/2021-06-30/getReportDocument", 403)
    assert (
        c.download_document(report["reportDocumentId"])
        == contents["GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING"]
    )
    assert stats.count("reports/2021-06-30/getReportDocument", 403) == refused == 1

    feed_document = c.upload_document(b"sku\tquantity\nA-1\t5\n", "text/tab-separated-values; charset=UTF-8")
    feed_id = c.call(
        "createFeed",
        body={
            "feedType": "POST_FLAT_FILE_INVLOADER_DATA",
            "marketplaceIds": ["A1PA6795UKMFR9"],
            "inputFeedDocumentId": feed_document,
        },
    ).data["feedId"]
    emulator_clock.advance(60)
    assert c.call("getFeed", feedId=feed_id).data["processingStatus"] == "DONE"


def test_review_fixes_loops_bodies_documents_and_foreign_continuations(
    home, emulator, apps, emulator_clock, caplog
):
    with Connections.open(home=home, clock=emulator_clock, http_engine="httpx") as lib:
        c = connect(lib, emulator, apps["Demo Private App (restricted)"], advanced={"extended_logging": True})
        for _ in range(3):  # each asyncio.run is a new event loop: the pooled client follows it
            assert asyncio.run(c.acall("getMarketplaceParticipations")).status == 200
        body = {
            "reportType": "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING",
            "marketplaceIds": ["A1PA6795UKMFR9"],
        }
        report_id = c.call(
            "createReport", body={**body, "dataStartTime": datetime(2026, 1, 1, tzinfo=UTC)}
        ).data["reportId"]
        emulator_clock.advance(60)
        document_id = c.call("getReport", reportId=report_id).data["reportDocumentId"]
        with caplog.at_level(logging.DEBUG, logger="amazon_connector"):
            content = c.download_document(document_id)
        assert content
        assert content.decode(errors="replace").splitlines()[1][:20] not in caplog.text
        assert "not logged" in caplog.text
        assert "Signature=" in caplog.text
        assert re.search(r"Signature=(?!%2A%2A%2A|\*\*\*)", caplog.text) is None
    assert not can_follow(catalog().get("data-kiosk.getQuery"))
    assert can_follow(catalog().get("getOrders"))
