"""Catalog and pricing reads against the emulator (the catalogue it holds; prices made from Amazon's
models): rows in the shared destinations, identifiers batched 20 a call as the operations allow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from amazon_connector import Connections
from amazon_connector.clock import ScaledClock
from amazon_connector.data import read_records
from amazon_connector.data.catalog import (
    CATALOG,
    OFFERS,
    PRICES,
    catalog_row,
    competitive_prices,
    offers,
    search_catalog,
)
from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.conftest import app_settings, seller_in

UK = get_marketplace("UK").marketplace_id


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(200)


@pytest.fixture
def emulator(clock) -> Iterator[RunningEmulator]:
    with running_emulator(demo_world(), clock=clock) as running:
        yield running


@pytest.fixture
def connection(emulator, home, clock) -> Iterator[Any]:
    app = {a["name"]: a for a in emulator.world.credentials()}["Demo Private App (restricted)"]
    seller = seller_in(app, "UK")
    with Connections.open(home=home, clock=clock) as connections:
        yield connections.add(
            "uk",
            country="UK",
            mode="restricted",
            refresh_token=seller["refresh_token"],
            **app_settings(app, emulator),
        )


def calls(emulator, operation: str) -> int:
    return int(emulator.sandbox.stats.snapshot().get(operation, {}).get("200", 0))


def asins(count: int) -> list[str]:
    return [f"B0{n:08d}" for n in range(count)]


def held(emulator) -> list[dict[str, Any]]:
    """The emulator's catalogue in the UK marketplace (every data set)."""
    found: list[dict[str, Any]] = httpx.get(
        f"{emulator.url}/_sandbox/catalog", params={"marketplace": UK}
    ).json()
    return found


def test_catalog_search_by_identifiers_takes_20_a_call(emulator, connection):
    items = held(emulator)[:44]
    wanted = [i["asin"] for i in items] + ["B000000000"]  # one the catalogue lacks: no row
    rows = list(search_catalog(connection, identifiers=wanted))
    assert calls(emulator, "catalog-items/2022-04-01/searchCatalogItems") == 3
    assert rows == [catalog_row(i, UK) for i in items]
    assert rows[0]["item_name"]
    assert rows[0]["sales_rank"]
    assert rows[0]["identifiers"].startswith("EAN:")
    assert all(CATALOG.coerce(r) for r in rows)
    limited = list(search_catalog(connection, keywords=["bottle"], limit=1))
    assert len(limited) == 1
    assert "bottle" in limited[0]["item_name"].casefold()
    with pytest.raises(ConfigurationError):
        next(search_catalog(connection))


def test_competitive_prices_and_offers_batch_20_identifiers(emulator, connection):
    prices = list(competitive_prices(connection, asins=asins(21)))
    assert calls(emulator, "product-pricing/v0/getCompetitivePricing") == 2
    assert {r["identifier"] for r in prices} <= set(asins(21))
    assert all(PRICES.coerce(r) for r in prices)
    found = list(offers(connection, skus=["SKU/1", "SKU-2"]))
    assert calls(emulator, "product-pricing/v0/getListingOffersBatch") == 1
    assert [r["identifier"] for r in found] == ["SKU/1", "SKU-2"][: len(found)]
    assert all(OFFERS.coerce(r) for r in found)
    list(offers(connection, asins=asins(3)))
    assert calls(emulator, "product-pricing/v0/getItemOffersBatch") == 1
    with pytest.raises(ConfigurationError):
        next(competitive_prices(connection, asins=["A"], skus=["B"]))


def test_the_commands_write_rows(run, emulator, connection, tmp_path: Path):
    identifiers = tmp_path / "asins.csv"
    identifiers.write_text("asin,note\n" + "".join(f"{a},x\n" for a in asins(3)))
    out = tmp_path / "prices.jsonl"
    said = run("pricing", "competitive", "-c", "uk", "--from", str(identifiers), "-o", str(out)).stdout
    assert "row(s) written to" in said
    assert {r["identifier"] for r in read_records(str(out), PRICES)} <= set(asins(3))
    asin = held(emulator)[0]["asin"]
    catalog = run("catalog", "search", "-c", "uk", "--identifier", asin).stdout
    assert catalog.splitlines()[0].startswith("asin\titem_name\tbrand")
    assert catalog.splitlines()[1].startswith(asin)
    item = json.loads(run("catalog", "get", asin, "-c", "uk").stdout)
    assert item == {k: v for k, v in held(emulator)[0].items() if k not in ("sku", "seller", "vendorDetails")}
    unknown = run("catalog", "get", "B000000000", "-c", "uk", expect=1)
    assert "Requested item 'B000000000' not found" in unknown.stderr
    missing = run("pricing", "offers", "-c", "uk", expect=2)
    assert "give --asin, --sku or --from" in missing.stderr
