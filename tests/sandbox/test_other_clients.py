"""Clients nobody here wrote, pointed at the emulator and otherwise unchanged: Amazon's official SDK
(``amzn-sp-api``, whose generated models refuse answers that break the models) and python-amazon-sp-api.
Each calls several APIs: stateful ones (Sellers, Orders, Reports, Feeds, Tokens, Notifications, Listings
Items, FBA Inventory, Catalog Items)."""

from __future__ import annotations

from typing import Any

from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.server import RunningEmulator
from amazon_connector.sandbox.spapi.assortment import Product
from tests.sandbox.conftest import seller_in

US = get_marketplace("US").marketplace_id
SINCE = "2020-01-01T00:00:00Z"
NOTIFICATIONS = "sellingpartnerapi::notifications"


def _app(emulator: RunningEmulator) -> dict[str, Any]:
    return {a["name"]: a for a in emulator.world.credentials()}["Demo Private App (restricted)"]


def _first_sku(emulator: RunningEmulator, seller: dict[str, Any]) -> str:
    """A SKU the seller lists in the emulator's world."""
    return _first_product(emulator, seller).sku


def _first_asin(emulator: RunningEmulator, seller: dict[str, Any]) -> str:
    """An ASIN of the emulator's catalogue (the seller lists it)."""
    return _first_product(emulator, seller).asin


def _first_product(emulator: RunningEmulator, seller: dict[str, Any]) -> Product:
    found = emulator.world.seller(seller["selling_partner_id"])
    assert found is not None
    return emulator.sandbox.assortment.products(found)[0]


def test_amazons_sdk_against_the_emulator(emulator):
    from spapi import (
        CatalogApi,
        FbaInventoryApi,
        FeedsApi,
        ListingsApi,
        NotificationsApi,
        OrdersV0Api,
        ReportsApi,
        SellersApi,
        SPAPIClient,
        SPAPIConfig,
        TokensApi,
    )

    app = _app(emulator)
    seller = seller_in(app, "US")
    token_url = f"{emulator.url}/auth/o2/token"
    config = SPAPIConfig(
        app["client_id"], app["client_secret"], refresh_token=seller["refresh_token"], region="NA"
    )
    client = SPAPIClient(config, oauth_endpoint=token_url, endpoint=emulator.url).api_client

    participations = SellersApi(client).get_marketplace_participations()
    assert [p.marketplace.country_code for p in participations.payload] == ["US", "CA", "MX"]
    orders = OrdersV0Api(client).get_orders(marketplace_ids=[US], created_after=SINCE)
    assert orders.payload.orders
    order_id = orders.payload.orders[0].amazon_order_id
    items = OrdersV0Api(client).get_order_items(order_id)
    assert items.payload.amazon_order_id == order_id
    report = ReportsApi(client).create_report(
        {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    )
    assert ReportsApi(client).get_report(report.report_id).processing_status == "IN_QUEUE"
    document = FeedsApi(client).create_feed_document(
        {"contentType": "text/tab-separated-values; charset=UTF-8"}
    )
    assert document.url.startswith(f"{emulator.url}/_s3/documents/")
    rdt = TokensApi(client).create_restricted_data_token(
        {
            "restrictedResources": [
                {"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo"]}
            ]
        }
    )
    assert rdt.expires_in == 3600

    asin = _first_asin(emulator, seller)
    item = CatalogApi(client).get_catalog_item(asin, [US], included_data=["summaries", "identifiers"])
    assert item.asin == asin
    assert item.identifiers[0].marketplace_id == US
    sku = _first_sku(emulator, seller)
    listing = ListingsApi(client).get_listings_item(seller["selling_partner_id"], sku, [US])
    assert listing.sku == sku
    inventory = FbaInventoryApi(client).get_inventory_summaries("Marketplace", US, [US])
    assert inventory.payload is not None

    grantless = SPAPIConfig(app["client_id"], app["client_secret"], scope=NOTIFICATIONS, region="NA")
    notifications = NotificationsApi(
        SPAPIClient(grantless, oauth_endpoint=token_url, endpoint=emulator.url).api_client
    )
    assert notifications.get_destinations().payload == []


def test_python_amazon_sp_api_against_the_emulator(emulator):
    from sp_api.api import (
        CatalogItems,
        Feeds,
        Inventories,
        ListingsItems,
        Notifications,
        Orders,
        Reports,
        Sellers,
    )
    from sp_api.auth import AccessTokenClient
    from sp_api.base import Marketplaces

    app = _app(emulator)
    seller = seller_in(app, "US")
    local = {"scheme": "http://", "host": emulator.url.removeprefix("http://")}  # its LWA endpoint
    token_client = type("LocalTokenClient", (AccessTokenClient,), local)
    options: dict[str, Any] = {
        "refresh_token": seller["refresh_token"],
        "credentials": {"lwa_app_id": app["client_id"], "lwa_client_secret": app["client_secret"]},
        "auth_token_client_class": token_client,
    }

    def client(kind: type, **more: Any) -> Any:
        made = kind(Marketplaces.US, **options, **more)
        made.endpoint = emulator.url  # its SP-API endpoint
        return made

    participations = client(Sellers).get_marketplace_participation().payload
    assert [p["marketplace"]["countryCode"] for p in participations] == ["US", "CA", "MX"]
    orders = client(Orders).get_orders(CreatedAfter=SINCE).payload["Orders"]
    assert client(Orders).get_order_items(orders[0]["AmazonOrderId"]).payload["OrderItems"]
    report = client(Reports).create_report(reportType="GET_MERCHANT_LISTINGS_ALL_DATA")
    assert client(Reports).get_report(report.payload["reportId"]).payload["processingStatus"] == "IN_QUEUE"
    document = client(Feeds).create_feed_document(file=None, content_type="text/plain")
    assert document.payload["url"].startswith(f"{emulator.url}/_s3/documents/")  # whatever Host it sent

    asin = _first_asin(emulator, seller)
    item = client(CatalogItems, version="2022-04-01").get_catalog_item(asin, includedData="summaries")
    assert item.payload["asin"] == asin
    assert item.payload["summaries"][0]["marketplaceId"] == US
    sku = _first_sku(emulator, seller)
    listing = client(ListingsItems).get_listings_item(seller["selling_partner_id"], sku)
    assert listing.payload["sku"] == sku
    assert client(Inventories).get_inventory_summary_marketplace().payload is not None
    assert not client(Notifications).get_destinations().payload  # none yet (grantless)
