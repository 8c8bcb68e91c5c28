"""An emulator with a chosen number of orders on a manual clock shared with the client, connections to
it, and the emulator's ground truth turned into the records a correct client must end with."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from amazon_connector.clock import ManualClock
from amazon_connector.connections import Connection, Connections
from amazon_connector.data import Record, read_records
from amazon_connector.data.orders import ORDER_ITEMS, ORDERS
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.spapi.usage import UsagePlan
from amazon_connector.sandbox.world import demo_world

UK = get_marketplace("UK").marketplace_id
DE = get_marketplace("DE").marketplace_id
RESTRICTED_APP = "Demo Private App (restricted)"
PLAIN_APP = "Demo Private App"
PII = ("buyer_name", "buyer_email", "ship_name", "ship_address_line1", "ship_phone")
SHIPPING = ("Unshipped", "PartiallyShipped", "Shipped")
UNLIMITED = UsagePlan(rate=1e9, burst=1_000_000_000)
SEARCH_ORDERS = "orders/2026-01-01/searchOrders"


@dataclass
class World:
    """The running emulator, its clock, and the client's connections to it."""

    emulator: RunningEmulator
    clock: ManualClock
    connections: Connections
    home: Path

    def app(self, name: str = RESTRICTED_APP) -> dict[str, Any]:
        return next(a for a in self.emulator.world.credentials() if a["name"] == name)

    def seller(self, country: str = "UK", app: str = RESTRICTED_APP) -> dict[str, Any]:
        return next(s for s in self.app(app)["sellers"] if country in s["countries"])

    def connect(
        self, name: str = "uk", country: str = "UK", app: str = RESTRICTED_APP, **more: Any
    ) -> Connection:
        credentials = self.app(app)
        connection = self.connections.add(
            name,
            country=country,
            mode="restricted",
            app_id=credentials["app_id"],
            client_id=credentials["client_id"],
            client_secret=credentials["client_secret"],
            refresh_token=self.seller(country, app)["refresh_token"],
            environment=self.emulator.url,
            **more,
        )
        connection.verify_refresh_token()  # Restricted Data Access Mode: ready once verified
        return self.connections.get(name)

    def truth(self, marketplace: str = UK, country: str = "UK", view: str = "search") -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.emulator.url}/_sandbox/orders",
            params={
                "seller": self.seller(country)["selling_partner_id"],
                "marketplace": marketplace,
                "view": view,
            },
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return list(response.json())

    def change(self, order_id: str, status: str, country: str = "UK") -> None:
        response = httpx.post(
            f"{self.emulator.url}/_sandbox/orders/{order_id}/status",
            json={"seller": self.seller(country)["selling_partner_id"], "status": status},
        )
        assert response.status_code == 200, response.text

    def unlimited(self, *operations: str) -> None:
        """Lift these operations' usage plans: the client never waits, so the clock (and the world)
        stands still while it runs."""
        self.emulator.sandbox.usage.overrides.update(dict.fromkeys(operations, UNLIMITED))

    def since(self, days: int = 40) -> datetime:
        return self.clock.now() - timedelta(days=days)


@pytest.fixture
def make_world(home: Path) -> Iterator[Callable[..., World]]:
    """``make_world(orders=N)``: an emulator whose sellers have N orders per marketplace."""
    running: list[Any] = []

    def make(orders: int = 120, rate_limits: str = "memory") -> World:
        clock = ManualClock()
        emulator = running_emulator(demo_world(orders_per_marketplace=orders), clock=clock)
        started = emulator.__enter__()
        running.append(emulator)
        connections = Connections.open(home=home, clock=clock, rate_limits=rate_limits)  # type: ignore[arg-type]
        running.append(connections)
        return World(started, clock, connections, home)

    yield make
    for thing in reversed(running):
        thing.__exit__(None, None, None)


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _status(text: str) -> str:
    return {"Pending": "PENDING", "Unshipped": "UNSHIPPED", "PartiallyShipped": "PARTIALLY_SHIPPED",
            "Shipped": "SHIPPED", "Canceled": "CANCELLED"}[text]  # fmt: skip


def expected(truth: list[dict[str, Any]], *, buyer: str = "included") -> tuple[list[Record], list[Record]]:
    """The records a client must hold for these orders, made from the emulator's own terms: ``buyer`` is
    the buyer_data every order must show (``included``: with the PII Amazon gives for it)."""
    orders, items = [], []
    for t in truth:
        b, shipping = t["buyer"], t["status"] in SHIPPING
        order = {
            "order_id": t["order_id"],
            "marketplace_id": t["marketplace_id"],
            "sales_channel": t["sales_channel"],
            "status": _status(t["status"]),
            "fulfillment_channel": t["fulfillment_channel"],
            "service_level": t["service_level"].upper(),
            "purchased_at": t["purchased"],
            "last_updated_at": t["updated"],
            "order_total": _money(t["total"]),
            "currency": t["currency"],
            "is_business_order": t["business"],
            "purchase_order_number": b["purchase_order_number"],
            "ship_city": b["city"] if shipping else None,
            "ship_state": b["state"] if shipping else None,
            "ship_country": b["country"] if shipping else None,
            "buyer_data": buyer,
        }
        if buyer == "included":
            order |= {
                "buyer_name": b["name"],
                "buyer_email": b["email"] if shipping and t["fulfillment_channel"] == "MFN" else None,
                "ship_name": b["name"] if shipping else None,
                "ship_address_line1": b["address_line"] if shipping else None,
                "ship_phone": b["phone"] if shipping else None,
                "ship_postal_code": b["postal_code"] if shipping else None,
            }
        orders.append(ORDERS.coerce(order))
        items += [
            ORDER_ITEMS.coerce(
                {
                    "order_id": t["order_id"],
                    "order_item_id": i["order_item_id"],
                    "sku": i["sku"],
                    "asin": i["asin"],
                    "title": i["title"],
                    "quantity_ordered": i["quantity"],
                    "quantity_shipped": i["quantity_shipped"],
                    "item_price": _money(i["price"]),
                    "item_tax": _money(i["tax"]),
                    "shipping_price": _money(i["shipping_price"]),
                    "promotion_discount": _money(i["promotion_discount"]),
                    "currency": t["currency"],
                }
            )
            for i in t["items"]
        ]
    return sorted(orders, key=ORDERS.key_of), sorted(items, key=ORDER_ITEMS.key_of)


def held(target: str) -> tuple[list[Record], list[Record]]:
    """What a destination holds, sorted by key."""
    orders = list(read_records(target, [ORDERS, ORDER_ITEMS]))
    items = list(read_records(target, [ORDERS, ORDER_ITEMS], "order_items"))
    return sorted(orders, key=ORDERS.key_of), sorted(items, key=ORDER_ITEMS.key_of)


def differences(got: list[Record], want: list[Record], key: Callable[[Record], Any]) -> list[Any]:
    """The first few records that differ (for readable failures)."""
    mine, theirs = {key(r): r for r in got}, {key(r): r for r in want}
    found = [("missing", k) for k in theirs.keys() - mine.keys()] + [
        ("extra", k) for k in mine.keys() - theirs.keys()
    ]
    for k in mine.keys() & theirs.keys():
        if mine[k] != theirs[k]:
            found.append((k, {c: (mine[k][c], theirs[k][c]) for c in mine[k] if mine[k][c] != theirs[k][c]}))
    return found[:5]
