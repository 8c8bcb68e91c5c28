"""The sellers' orders, generated from the world's seed: the same seed and start time give the same orders.

Each seller has ``world.orders_per_marketplace`` orders in each of its marketplaces, placed over the 30
days before the emulator started. Only what filters and sorting need (an ``OrderHeader``) is made for
every order of a marketplace, on first use; the rest of an order (items, prices, buyer, address) is made
from its own seed when it is asked for, so 10,000 orders cost little.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from amazon_connector.marketplaces import Marketplace, get_marketplace
from amazon_connector.sandbox.world import Seller, World

HISTORY = timedelta(days=30)
"""Orders were placed over the 30 days before the emulator started."""
QUIET = timedelta(minutes=2)
"""No order was placed or updated in the 2 minutes before the start (Amazon's getOrders lag)."""
MANY_ITEMS_EVERY = 50
MANY_ITEMS = 45
"""Every 50th order (indexes 7, 57, 107, …) has 45 items, so its items take several pages."""

_PREFIXES = {
    "US": ("111", "112", "113", "114"),
    "CA": ("701", "702"),
    "MX": ("701", "702"),
    "UK": ("202", "203", "204", "205", "206"),
    "DE": ("302", "303", "304", "305", "306"),
    "FR": ("402", "403", "404", "405"),
    "IT": ("402", "403", "404", "405"),
    "ES": ("402", "403", "404", "405"),
    "JP": ("249", "250", "503"),
    "AU": ("249", "250"),
    "SG": ("171", "172"),
}
_FIRST = ("Alex", "Sam", "Maria", "Jan", "Yuki", "Chen", "Lea", "Omar", "Ana", "Luca", "Emma", "Noah")
_LAST = ("Smith", "Müller", "Rossi", "García", "Tanaka", "Martin", "Novak", "Silva", "Brown", "Dubois")
_STREETS = ("Main Street", "High Street", "Station Road", "Park Avenue", "Church Lane", "Mill Road")
_CITIES = ("Springfield", "Riverside", "Fairview", "Kingston", "Ashford", "Milton", "Clayton")
_PRODUCTS = ("Water Bottle", "Desk Lamp", "Phone Case", "Yoga Mat", "Coffee Mug", "Notebook", "Backpack")
_ADJECTIVES = ("Blue", "Large", "Compact", "Eco", "Classic", "Travel", "Premium")
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class OrderHeader:
    """What getOrders filters and sorts by; ``index`` places the order in its marketplace's stream."""

    index: int
    order_id: str
    marketplace_id: str
    purchased: datetime
    updated: datetime
    status: str
    fulfillment_channel: str


@dataclass(frozen=True, slots=True)
class Item:
    order_item_id: str
    asin: str
    sku: str
    title: str
    quantity: int
    price: Decimal | None
    tax: Decimal | None
    gift_message: str | None
    gift_wrap_price: Decimal | None


@dataclass(frozen=True, slots=True)
class Buyer:
    """The buyer and the shipping address: PII."""

    email: str
    name: str
    address_line: str
    city: str
    postal_code: str
    state: str
    phone: str
    purchase_order_number: str | None


@dataclass(frozen=True, slots=True)
class OrderDetails:
    """Everything about one order."""

    header: OrderHeader
    marketplace: Marketplace
    items: tuple[Item, ...]
    buyer: Buyer
    ship_service_level: str
    business: bool
    prime: bool

    @property
    def total(self) -> Decimal | None:
        if any(i.price is None for i in self.items):
            return None
        return sum(((i.price or Decimal(0)) + (i.tax or Decimal(0)) for i in self.items), Decimal("0.00"))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _status(rng: random.Random, age: timedelta) -> str:
    if age < timedelta(hours=6):
        return rng.choice(("Pending", "Unshipped", "Unshipped", "Unshipped"))
    if age < timedelta(days=2):
        return rng.choice(("Unshipped", "PartiallyShipped", "Shipped", "Shipped", "Canceled"))
    return "Canceled" if rng.random() < 0.05 else "Shipped"


class OrderBook:
    """The world's orders, made on demand and kept per seller and marketplace."""

    def __init__(self, world: World, start: datetime) -> None:
        self.world = world
        self.end = start.replace(microsecond=0) - QUIET
        self._streams: dict[tuple[str, str], list[OrderHeader]] = {}
        self._ids: dict[tuple[str, str], OrderHeader] = {}
        self._lock = threading.Lock()

    def _seed(self, *parts: object) -> str:
        return "|".join(str(p) for p in (self.world.seed, *parts))

    def orders(self, seller: Seller, marketplace_id: str) -> list[OrderHeader]:
        """The seller's orders in a marketplace, oldest first; empty where the seller does not sell."""
        key = (seller.selling_partner_id, marketplace_id)
        with self._lock:
            stream = self._streams.get(key)
            if stream is None:
                stream = self._generate(seller, marketplace_id)
                self._streams[key] = stream
                self._ids.update(((seller.selling_partner_id, h.order_id), h) for h in stream)
            return stream

    def _generate(self, seller: Seller, marketplace_id: str) -> list[OrderHeader]:
        countries = {get_marketplace(c).marketplace_id: c for c in seller.countries}
        if marketplace_id not in countries:
            return []
        count = self.world.orders_per_marketplace
        rng = random.Random(self._seed("orders", seller.selling_partner_id, marketplace_id))  # noqa: S311
        prefix = rng.choice(_PREFIXES.get(countries[marketplace_id], ("111",)))
        middle = _digits(rng, 7)
        spacing = HISTORY / max(count, 1)
        headers = []
        for index in range(count):
            purchased = (self.end - HISTORY + spacing * (index + rng.random())).replace(microsecond=0)
            status = _status(rng, self.end - purchased)
            later = {
                "Pending": timedelta(0),
                "Unshipped": timedelta(minutes=rng.randint(1, 30)),
                "Canceled": timedelta(hours=rng.randint(1, 12)),
            }.get(status, timedelta(hours=rng.randint(6, 72)))
            headers.append(
                OrderHeader(
                    index=index,
                    order_id=f"{prefix}-{middle}-{(index * 7919 + 104729) % 10_000_000:07d}",
                    marketplace_id=marketplace_id,
                    purchased=purchased,
                    updated=min(purchased + later, self.end),
                    status=status,
                    fulfillment_channel="AFN" if rng.random() < 0.4 else "MFN",
                )
            )
        return headers

    def find(self, seller: Seller, order_id: str) -> OrderHeader | None:
        """One of the seller's orders by its Amazon order ID."""
        for marketplace in seller.marketplaces():
            self.orders(seller, marketplace.marketplace_id)
        with self._lock:
            return self._ids.get((seller.selling_partner_id, order_id))

    def details(self, seller: Seller, header: OrderHeader) -> OrderDetails:
        """The whole order, made from its own seed."""
        marketplace = get_marketplace(header.marketplace_id)
        rng = random.Random(self._seed("order", seller.selling_partner_id, header.order_id))  # noqa: S311
        count = MANY_ITEMS if header.index % MANY_ITEMS_EVERY == 7 else rng.choice((1, 1, 1, 1, 2, 2, 3))
        priced = header.status != "Pending"
        items = []
        for n in range(count):
            price = Decimal(rng.randint(499, 9999)) / 100
            gift = rng.random() < 0.1
            items.append(
                Item(
                    order_item_id=_digits(rng, 14),
                    asin="B0" + "".join(rng.choice(_ALNUM) for _ in range(8)),
                    sku=f"SKU-{n + 1:03d}-{_digits(rng, 4)}",
                    title=f"{rng.choice(_ADJECTIVES)} {rng.choice(_PRODUCTS)}",
                    quantity=rng.choice((1, 1, 1, 2, 3)),
                    price=price if priced else None,
                    tax=(price * Decimal("0.2")).quantize(Decimal("0.01")) if priced else None,
                    gift_message="Happy birthday!" if gift else None,
                    gift_wrap_price=Decimal("3.99") if gift else None,
                )
            )
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        business = rng.random() < 0.1
        buyer = Buyer(
            email=f"{''.join(rng.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(14))}"
            f"@marketplace.{marketplace.domain.removeprefix('www.')}",
            name=f"{first} {last}",
            address_line=f"{rng.randint(1, 250)} {rng.choice(_STREETS)}",
            city=rng.choice(_CITIES),
            postal_code=_digits(rng, 5),
            state=rng.choice(("North", "South", "East", "West")),
            phone=f"+{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 7)}",
            purchase_order_number=f"PO-{_digits(rng, 6)}" if business else None,
        )
        return OrderDetails(
            header=header,
            marketplace=marketplace,
            items=tuple(items),
            buyer=buyer,
            ship_service_level=rng.choice(("Std DE Dom", "Expedited", "Standard")),
            business=business,
            prime=rng.random() < 0.3,
        )
