"""The emulator's listings over real HTTP: a store per seller made from the seed, the Listings Items API
(get, search, put, patch with JSON Patch checked against product types, VALIDATION_PREVIEW, delete) and
JSON_LISTINGS_FEED processing with an issue per problem, joined to messages."""

import gzip
import json
from typing import Any

import httpx
import pytest

from amazon_connector.clock import ManualClock
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.spapi.assortment import Assortment
from amazon_connector.sandbox.spapi.jobs import PROCESSING, QUEUED
from amazon_connector.sandbox.world import demo_world
from tests.sandbox.conftest import access_token, seller_in, spapi

UK = get_marketplace("UK").marketplace_id
DE = get_marketplace("DE").marketplace_id
ITEMS = "/listings/2021-08-01/items"
JSON = "application/json; charset=UTF-8"


@pytest.fixture
def token(http, apps) -> str:
    return access_token(http, apps["Demo Private App (restricted)"], "UK")


@pytest.fixture
def seller_id(apps) -> str:
    return str(seller_in(apps["Demo Private App (restricted)"], "UK")["selling_partner_id"])


def listing(emulator, seller_id: str, sku: str) -> dict[str, Any]:
    found = httpx.get(f"{emulator.url}/_sandbox/listings/{seller_id}", params={"sku": sku}).json()
    return found[0] if found else {}


def skus(emulator, seller_id: str, *, channel: str = "DEFAULT", minimum: bool = False) -> list[str]:
    """SKUs of the seller's listings fulfilled by ``channel`` (with a minimum price, if asked)."""
    found = httpx.get(f"{emulator.url}/_sandbox/listings/{seller_id}").json()
    return [
        f["sku"]
        for f in found
        if (f["channel"] == "DEFAULT") == (channel == "DEFAULT")
        and ("minimum_seller_allowed_price" in f["attributes"]["purchasable_offer"][0]) == minimum
    ]


def patch(http, token, seller_id, sku, patches, product_type="PRODUCT", **params) -> httpx.Response:
    return spapi(
        http,
        "PATCH",
        f"{ITEMS}/{seller_id}/{sku}",
        token,
        params={"marketplaceIds": UK, **params},
        json={"productType": product_type, "patches": patches},
    )


def price(amount: float, marketplace: str = UK, currency: str = "GBP") -> dict[str, Any]:
    offer = {
        "marketplace_id": marketplace,
        "currency": currency,
        "our_price": [{"schedule": [{"value_with_tax": amount}]}],
    }
    return {"op": "merge", "path": "/attributes/purchasable_offer", "value": [offer]}


def quantity(count: int) -> dict[str, Any]:
    value = [{"fulfillment_channel_code": "DEFAULT", "quantity": count}]
    return {"op": "merge", "path": "/attributes/fulfillment_availability", "value": value}


def test_the_world_of_listings_is_made_from_the_seed():
    world = demo_world(listings_per_seller=5000)
    seller = world.sellers[0]
    clock = ManualClock()
    products = Assortment(world, clock.now()).products(seller)
    assert len(products) == len({p.sku for p in products}) == 5000
    assert products == Assortment(demo_world(listings_per_seller=5000), clock.now()).products(seller)
    assert products != Assortment(demo_world(seed=1, listings_per_seller=5000), clock.now()).products(seller)
    fba = sum(p.amazon_fulfilled for p in products)
    assert 1800 < fba < 2200
    assert sum(p.minimum_price is not None for p in products) == 500
    assert {p.product_type for p in products} == {"LUGGAGE", "SHOES", "KITCHEN"}


def test_search_get_and_their_data_sets(http, token, seller_id, emulator):
    first = spapi(http, "GET", f"{ITEMS}/{seller_id}", token, params={"marketplaceIds": UK, "pageSize": 20})
    assert first.status_code == 200
    body = first.json()
    assert body["numberOfResults"] == emulator.world.listings_per_seller
    assert len(body["items"]) == 20
    assert set(body["items"][0]) == {"sku", "summaries"}
    second = spapi(
        http,
        "GET",
        f"{ITEMS}/{seller_id}",
        token,
        params={"marketplaceIds": UK, "pageToken": body["pagination"]["nextToken"]},
    )
    assert {i["sku"] for i in second.json()["items"]}.isdisjoint(i["sku"] for i in body["items"])
    sku = body["items"][0]["sku"]
    by_sku = spapi(
        http,
        "GET",
        f"{ITEMS}/{seller_id}",
        token,
        params={
            "marketplaceIds": UK,
            "identifiers": sku,
            "identifiersType": "SKU",
            "includedData": "offers,productTypes",
        },
    ).json()
    assert [i["sku"] for i in by_sku["items"]] == [sku]
    assert by_sku["items"][0]["offers"][0]["price"]["currencyCode"] == "GBP"
    item = spapi(
        http,
        "GET",
        f"{ITEMS}/{seller_id}/{sku}",
        token,
        params={
            "marketplaceIds": f"{UK},{DE}",
            "includedData": "summaries,attributes,issues,fulfillmentAvailability",
        },
    ).json()
    assert [s["marketplaceId"] for s in item["summaries"]] == [UK, DE]
    assert item["summaries"][0]["productType"] in ("LUGGAGE", "SHOES", "KITCHEN")
    assert "purchasable_offer" in item["attributes"]
    unknown = spapi(http, "GET", f"{ITEMS}/{seller_id}/NO-SUCH-SKU", token, params={"marketplaceIds": UK})
    assert unknown.status_code == 404
    other = spapi(http, "GET", f"{ITEMS}/A2OTHERSELLER1/{sku}", token, params={"marketplaceIds": UK})
    assert other.status_code == 403


def test_a_patch_changes_the_listing_or_names_its_issues(http, token, seller_id, emulator):
    sku = skus(emulator, seller_id)[0]
    accepted = patch(http, token, seller_id, sku, [price(23.45), quantity(7)])
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "ACCEPTED"
    assert accepted.json()["issues"] == []
    now = listing(emulator, seller_id, sku)
    assert (now["prices"][UK], now["quantity"]) == ("23.45", 7)
    assert now["prices"][DE] != "23.45"  # only the marketplace named changes
    offer = next(o for o in now["attributes"]["purchasable_offer"] if o["marketplace_id"] == UK)
    assert offer["audience"] == "ALL"  # merge keeps what the patch does not name

    preview = patch(http, token, seller_id, sku, [price(1.0)], mode="VALIDATION_PREVIEW")
    assert preview.json()["status"] == "VALID"
    assert listing(emulator, seller_id, sku)["prices"][UK] == "23.45"

    empty = patch(http, token, seller_id, sku, [quantity(0)]).json()
    assert empty["status"] == "ACCEPTED"
    assert [(i["code"], i["severity"]) for i in empty["issues"]] == [("18156", "WARNING")]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("below minimum", "99300"),
        ("unknown SKU", "99404"),
        ("FBA quantity", "99050"),
        ("wrong product type", "90120"),
        ("nested path", "99010"),
        ("not an attribute", "90244"),
        ("wrong currency", "99010"),
    ],
)
def test_a_refused_patch_changes_nothing(http, token, seller_id, emulator, case, code):
    sku = skus(emulator, seller_id)[0]
    patches, product_type = [price(5.0)], "PRODUCT"
    if case == "below minimum":
        sku = skus(emulator, seller_id, minimum=True)[0]
        patches = [price(0.5)]
    elif case == "unknown SKU":
        sku = "NO-SUCH-SKU"
    elif case == "FBA quantity":
        sku = skus(emulator, seller_id, channel="AMAZON_EU")[0]
        patches = [quantity(3)]
    elif case == "wrong product type":
        product_type = "SHOES" if listing(emulator, seller_id, sku)["productType"] != "SHOES" else "LUGGAGE"
    elif case == "nested path":
        patches = [{"op": "replace", "path": "/attributes/purchasable_offer/0/currency", "value": [{}]}]
    elif case == "not an attribute":
        patches = [{"op": "replace", "path": "/attributes/heel_height", "value": [{"value": "3 cm"}]}]
    else:
        patches = [price(5.0, currency="EUR")]
    before = listing(emulator, seller_id, sku)
    answer = patch(http, token, seller_id, sku, patches, product_type)
    assert answer.status_code == 200
    assert answer.json()["status"] == "INVALID"
    assert answer.json()["issues"][0]["code"] == code
    assert answer.json()["issues"][0]["severity"] == "ERROR"
    assert listing(emulator, seller_id, sku) == before


def test_put_checks_the_whole_listing_and_delete_removes_it(http, token, seller_id, emulator):
    path = f"{ITEMS}/{seller_id}/NEW-1"
    attributes = {
        "item_name": [{"value": "Bag", "marketplace_id": UK}],
        "condition_type": [{"value": "new_new"}],
    }
    missing = spapi(
        http,
        "PUT",
        path,
        token,
        params={"marketplaceIds": UK},
        json={"productType": "LUGGAGE", "attributes": attributes},
    )
    assert missing.json()["status"] == "INVALID"
    assert [(i["code"], i["attributeNames"]) for i in missing.json()["issues"]] == [("90220", ["brand"])]
    whole = {**attributes, "brand": [{"value": "Northwind"}]}
    put = spapi(
        http,
        "PUT",
        path,
        token,
        params={"marketplaceIds": UK},
        json={"productType": "LUGGAGE", "attributes": whole},
    )
    assert put.json()["status"] == "ACCEPTED"
    assert listing(emulator, seller_id, "NEW-1")["productType"] == "LUGGAGE"
    assert spapi(http, "DELETE", path, token, params={"marketplaceIds": UK}).json()["status"] == "ACCEPTED"
    assert listing(emulator, seller_id, "NEW-1") == {}
    assert spapi(http, "DELETE", path, token, params={"marketplaceIds": UK}).status_code == 404


def submit_feed(http, token, content: bytes, feed_type: str = "JSON_LISTINGS_FEED") -> str:
    document = spapi(http, "POST", "/feeds/2021-06-30/documents", token, json={"contentType": JSON}).json()
    assert httpx.put(document["url"], content=content, headers={"Content-Type": JSON}).status_code == 200
    body = {"feedType": feed_type, "marketplaceIds": [UK], "inputFeedDocumentId": document["feedDocumentId"]}
    return str(spapi(http, "POST", "/feeds/2021-06-30/feeds", token, json=body).json()["feedId"])


def processed(http, token, clock, feed_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    clock.advance((QUEUED + PROCESSING).total_seconds())
    feed = spapi(http, "GET", f"/feeds/2021-06-30/feeds/{feed_id}", token).json()
    info = spapi(http, "GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}", token).json()
    content = httpx.get(info["url"]).content
    return feed, json.loads(
        gzip.decompress(content) if info.get("compressionAlgorithm") == "GZIP" else content
    )


def test_a_listings_feed_applies_each_message_and_reports_its_issues(http, token, seller_id, emulator, clock):
    plain, minimum = skus(emulator, seller_id), skus(emulator, seller_id, minimum=True)
    messages = [
        {
            "messageId": 1,
            "sku": plain[0],
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [price(31.5), quantity(4)],
        },
        {
            "messageId": 2,
            "sku": "NO-SUCH-SKU",
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [quantity(1)],
        },
        {
            "messageId": 3,
            "sku": minimum[0],
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [price(0.01)],
        },
        {
            "messageId": 4,
            "sku": plain[1],
            "operationType": "PARTIAL_UPDATE",
            "productType": "PRODUCT",
            "attributes": {"sparkle_level": [{"value": "high"}]},
        },
        {"messageId": 5, "sku": plain[2], "operationType": "DELETE"},
        {"messageId": 5, "sku": plain[3], "operationType": "DELETE"},
        {
            "messageId": 7,
            "sku": plain[4],
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [quantity(0)],
        },
    ]
    content = json.dumps({"header": {"sellerId": seller_id, "version": "2.0"}, "messages": messages}).encode()
    before = listing(emulator, seller_id, minimum[0])
    feed_id = submit_feed(http, token, content)
    assert listing(emulator, seller_id, plain[0])["quantity"] != 4  # not before it is processed
    feed, report = processed(http, token, clock, feed_id)
    assert feed["processingStatus"] == "DONE"
    assert report["header"] == {"sellerId": seller_id, "version": "2.0", "feedId": feed_id}
    issues = [(i.get("messageId"), i.get("sku"), i["code"], i["severity"]) for i in report["issues"]]
    assert issues == [
        (2, "NO-SUCH-SKU", "99404", "ERROR"),
        (3, minimum[0], "99300", "ERROR"),
        (4, plain[1], "90244", "ERROR"),
        (5, plain[3], "100002", "ERROR"),
        (7, plain[4], "18156", "WARNING"),
    ]
    assert report["summary"] == {
        "errors": 4,
        "warnings": 1,
        "messagesProcessed": 7,
        "messagesAccepted": 3,
        "messagesInvalid": 4,
    }
    assert listing(emulator, seller_id, plain[0])["prices"][UK] == "31.5"
    assert listing(emulator, seller_id, plain[0])["quantity"] == 4
    assert listing(emulator, seller_id, minimum[0]) == before
    assert listing(emulator, seller_id, plain[2]) == {}
    assert listing(emulator, seller_id, plain[3]) != {}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not json", "The feed is not valid JSON"),
        (
            json.dumps({"header": {"sellerId": "A2SOMEONEELSE1", "version": "2.0"}, "messages": []}).encode(),
            "header.sellerId",
        ),
    ],
)
def test_a_document_that_is_no_listings_feed_ends_fatal(http, token, clock, content, problem):
    feed_id = submit_feed(http, token, content)
    feed, report = processed(http, token, clock, feed_id)
    assert feed["processingStatus"] == "FATAL"
    assert problem in report["issues"][0]["message"]
    assert "messageId" not in report["issues"][0]


def test_orders_sell_the_sellers_listings(emulator, seller_id):
    seller = emulator.world.seller(seller_id)
    book = emulator.sandbox.orders
    listed = {p.sku: p for p in emulator.sandbox.assortment.products(seller)}
    for header in book.orders(seller, UK)[:20]:
        for item in book.details(seller, header).items:
            product = listed[item.sku]
            assert product.asin == item.asin
            assert product.amazon_fulfilled == (header.fulfillment_channel == "AFN")
