"""The emulator's catalogue over real HTTP: the ASINs the sellers list, getCatalogItem answering the data sets
asked for (404 NOT_FOUND for an ASIN it does not hold), searchCatalogItems by identifiers and keywords in
pages, every answer valid for Amazon's model, and ``/_sandbox/catalog`` as the ground truth."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from jsonschema import Draft4Validator, FormatChecker

from amazon_connector.api.catalog import catalog
from amazon_connector.api.shapes import shape
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.spapi.catalog_items import DATA_SETS
from tests.sandbox.conftest import access_token, errors, seller_in, spapi

UK = get_marketplace("UK").marketplace_id
JP = get_marketplace("JP").marketplace_id
ITEMS = "/catalog/2022-04-01/items"


@pytest.fixture
def ask(http, apps, clock) -> Callable[..., httpx.Response]:
    """A Catalog Items request, a second after the last on the clock (the usage plan: 2 a second)."""
    token = access_token(http, apps["Demo Private App (restricted)"], "UK")

    def request(path: str = "", **params: Any) -> httpx.Response:
        clock.advance(1)
        return spapi(http, "GET", ITEMS + path, token, params=params)

    return request


def truth(emulator, **params: Any) -> list[dict[str, Any]]:
    answer = httpx.get(f"{emulator.url}/_sandbox/catalog", params=params)
    assert answer.status_code == 200
    found: list[dict[str, Any]] = answer.json()
    return found


def valid(operation: str, body: Any) -> None:
    schema = shape(catalog().get(f"catalog-items/2022-04-01/{operation}")).schema(200)
    assert schema is not None
    Draft4Validator(schema, format_checker=FormatChecker()).validate(body)


def test_the_catalogue_holds_the_sellers_listings_by_seed(emulator, apps, world):
    seller = seller_in(apps["Demo Private App (restricted)"], "UK")["selling_partner_id"]
    held = truth(emulator, marketplace=UK)
    listed = httpx.get(f"{emulator.url}/_sandbox/listings/{seller}").json()
    mine = {i["asin"]: i for i in held if i["seller"] == seller}
    assert set(mine) == {f["asin"] for f in listed}
    first = listed[0]
    item = mine[first["asin"]]
    assert item["sku"] == first["sku"]
    assert item["productTypes"] == [{"marketplaceId": UK, "productType": first["productType"]}]
    assert item["summaries"][0]["itemName"] == first["attributes"]["item_name"][0]["value"]
    assert set(DATA_SETS) <= set(item)
    assert "purchasable_offer" not in item["attributes"]  # the offer is not the catalogue's
    ean = item["identifiers"][0]["identifiers"][0]["identifier"]
    assert len(ean) == 13
    assert sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(ean)) % 10 == 0
    assert truth(emulator, marketplace=UK) == held  # the same seed, the same catalogue


def test_get_catalog_item_answers_the_data_sets_asked_for(emulator, ask):
    item = truth(emulator, marketplace=UK)[0]
    asin = item["asin"]
    default = ask(f"/{asin}", **{"marketplaceIds": UK})
    assert default.status_code == 200
    assert default.json() == {"asin": asin, "summaries": item["summaries"]}
    valid("getCatalogItem", default.json())
    asked = ask(
        f"/{asin}",
        **{"marketplaceIds": UK, "includedData": "identifiers,salesRanks,images"},
    )
    assert asked.json() == {"asin": asin, **{k: item[k] for k in ("identifiers", "images", "salesRanks")}}
    every = ask(
        f"/{asin}",
        **{"marketplaceIds": UK, "includedData": ",".join(DATA_SETS)},
    )
    assert every.json() == {k: v for k, v in item.items() if k not in ("sku", "seller")}
    valid("getCatalogItem", every.json())


@pytest.mark.parametrize("asin", ["B000000000", "bad asin!"])
def test_an_asin_the_catalogue_lacks_is_not_found(emulator, ask, asin):
    answer = ask(f"/{asin}", **{"marketplaceIds": UK})
    (error,) = errors(answer, 404, "NOT_FOUND").errors
    assert asin in error.message
    assert UK in error.message


def test_an_item_is_only_in_its_sellers_marketplaces(emulator, ask):
    uk_only = {i["asin"] for i in truth(emulator, marketplace=UK)} - {
        i["asin"] for i in truth(emulator, marketplace=JP)
    }
    asin = sorted(uk_only)[0]
    answer = ask(f"/{asin}", **{"marketplaceIds": JP})
    errors(answer, 404, "NOT_FOUND")
    bad = ask(f"/{asin}", **{"marketplaceIds": "UK"})
    errors(bad, 400, "InvalidInput")


def test_search_by_identifiers(emulator, ask):
    held = truth(emulator, marketplace=UK)
    picked = held[:3]
    by_asin = ask(
        **{
            "marketplaceIds": UK,
            "identifiersType": "ASIN",
            "identifiers": ",".join([picked[2]["asin"], "B000000000", picked[0]["asin"]]),
            "includedData": "summaries,identifiers",
        },
    )
    body = by_asin.json()
    valid("searchCatalogItems", body)
    assert body["numberOfResults"] == 2
    assert [i["asin"] for i in body["items"]] == [picked[2]["asin"], picked[0]["asin"]]
    assert body["items"][0] == {k: picked[2][k] for k in ("asin", "summaries", "identifiers")}
    ean = picked[1]["identifiers"][0]["identifiers"][0]["identifier"]
    by_ean = ask(**{"marketplaceIds": UK, "identifiersType": "EAN", "identifiers": ean})
    assert [i["asin"] for i in by_ean.json()["items"]] == [picked[1]["asin"]]
    seller = picked[0]["seller"]
    by_sku = ask(
        **{
            "marketplaceIds": UK,
            "identifiersType": "SKU",
            "identifiers": picked[0]["sku"],
            "sellerId": seller,
        },
    )
    assert [i["asin"] for i in by_sku.json()["items"]] == [picked[0]["asin"]]
    no_seller = ask(**{"marketplaceIds": UK, "identifiersType": "SKU", "identifiers": "X"})
    errors(no_seller, 400, "InvalidInput")
    neither = ask(**{"marketplaceIds": UK})
    errors(neither, 400, "InvalidInput")


def test_search_by_keywords_in_pages(emulator, ask):
    held = truth(emulator, marketplace=UK)
    word = "mug"
    expected = sorted(
        i["asin"]
        for i in held
        if word in f"{i['summaries'][0].get('itemName', '')} {i['summaries'][0].get('brand', '')}".casefold()
    )
    assert len(expected) > 5
    params: dict[str, Any] = {"marketplaceIds": UK, "keywords": word, "pageSize": 5}
    seen: list[str] = []
    pages = 0
    while True:
        body = ask(**params).json()
        valid("searchCatalogItems", body)
        assert body["numberOfResults"] == len(expected)
        assert sum(b["numberOfResults"] for b in body["refinements"]["brands"]) == len(expected)
        seen += [i["asin"] for i in body["items"]]
        pages += 1
        next_token = body.get("pagination", {}).get("nextToken")
        if next_token is None:
            break
        params = {"marketplaceIds": UK, "keywords": word, "pageToken": next_token}
    assert seen == expected
    assert pages == -(-len(expected) // 5)
    brand = held[0]["summaries"][0]["brand"]
    narrowed = ask(
        **{"marketplaceIds": UK, "keywords": word, "brandNames": brand, "pageSize": 20},
    ).json()
    assert all(
        next(h for h in held if h["asin"] == i["asin"])["summaries"][0]["brand"] == brand
        for i in narrowed["items"]
    )
