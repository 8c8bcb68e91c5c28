"""The sellers' orders, generated from the world's seed, and how they change on the emulator's clock.

Each seller has ``world.orders_per_marketplace`` orders in each of its marketplaces, placed over the 30
days before the emulator started, and new ones keep arriving at the same pace while it runs. Every order
goes through its own life, drawn from the seed: Pending, Unshipped a few minutes later (or Canceled),
then Shipped (merchant-fulfilled orders of several items sometimes PartiallyShipped first) or Canceled;
each step moves its LastUpdateDate. ``change_status`` makes a step happen now instead (a shipment
confirmed by the seller, a test's change); after it the order follows only such explicit steps.

Searches (getOrders, searchOrders, order reports) see a step only once Amazon's index has it: a few
seconds to a minute and a half after it happened, and for one step in 40 between 2.5 and 10 minutes
(Amazon's eventual consistency, which a sync's overlap must cover). Orders looked up by ID (getOrder)
are always current. Everything before the emulator started is indexed, and nothing happened in the two
minutes before it started, so a fresh emulator's searches see every order.

Only what filters need is drawn for every order (the ``Placed`` record); items, prices and the buyer are
made from the order's own seed when asked for, so 10,000 orders cost little. Items are the seller's
products (``Assortment``: FBA products for orders fulfilled by Amazon), so orders, listings and FBA
inventory name the same SKUs; a seller without products gets made-up ones.
"""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from amazon_connector.clock import Clock
from amazon_connector.marketplaces import Marketplace, get_marketplace
from amazon_connector.sandbox.spapi.assortment import Assortment
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import Seller, World

HISTORY = timedelta(days=30)
"""Orders were placed over the 30 days before the emulator started."""
QUIET = timedelta(minutes=2)
"""No order was placed or updated in the 2 minutes before the start (Amazon's search lag)."""
MANY_ITEMS_EVERY = 50
MANY_ITEMS = 45
"""Every 50th order (indexes 7, 57, 107, …) has 45 items, so its items take several pages."""
INDEX_LAG = (5.0, 90.0)
"""Seconds after a step until searches see it (most steps)."""
LATE_INDEX_EVERY = 40
LATE_INDEX = (150.0, 600.0)
"""One step in 40 reaches the index this many seconds late: past the two minutes searches must leave."""
LATEST_INDEX = timedelta(seconds=LATE_INDEX[1])
"""The longest a step takes to reach the index."""


class Status(StrEnum):
    """An order's status, in Orders API v0's words (the other APIs' words are mapped from these)."""

    PENDING = "Pending"
    UNSHIPPED = "Unshipped"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    SHIPPED = "Shipped"
    CANCELED = "Canceled"


NEXT_STATUSES: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.UNSHIPPED, Status.CANCELED}),
    Status.UNSHIPPED: frozenset({Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.CANCELED}),
    Status.PARTIALLY_SHIPPED: frozenset({Status.SHIPPED}),
    Status.SHIPPED: frozenset(),
    Status.CANCELED: frozenset(),
}
"""The steps an order may take from each status."""


SHIPPING = frozenset({Status.UNSHIPPED, Status.PARTIALLY_SHIPPED, Status.SHIPPED})
"""Orders being (or having been) shipped: they have a shipping address to show."""


class View(StrEnum):
    """``search``: what searches show now (steps not yet indexed left out); ``now``: the orders as
    they are (what getOrder shows)."""

    SEARCH = "search"
    NOW = "now"


class OrderStateError(ValueError):
    """A status change the order cannot make (it is shipped, cancelled, or unknown)."""


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
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an order's life: its new status, when it happened and when searches see it."""

    at: datetime
    status: Status
    indexed: datetime


@dataclass(frozen=True, slots=True)
class Placed:
    """What never changes about an order, and the life it was drawn to have."""

    index: int
    order_id: str
    marketplace_id: str
    purchased: datetime
    fulfillment_channel: str
    item_count: int
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class OrderHeader:
    """An order as it stands at one moment: what filters and sorting need. ``index`` places the order in
    its marketplace's stream; ``shipped_lines`` is how many of its item lines (the first ones) shipped."""

    index: int
    order_id: str
    marketplace_id: str
    purchased: datetime
    updated: datetime
    status: Status
    fulfillment_channel: str
    item_count: int

    @property
    def shipped_lines(self) -> int:
        if self.status is Status.SHIPPED:
            return self.item_count
        if self.status is Status.PARTIALLY_SHIPPED:
            return (self.item_count + 1) // 2
        return 0

    @property
    def has_address(self) -> bool:
        return self.status in SHIPPING

    @property
    def shows_buyer_email(self) -> bool:
        """Amazon gives the buyer's email only for merchant-fulfilled orders being shipped."""
        return self.fulfillment_channel == "MFN" and self.has_address

    @property
    def priced(self) -> bool:
        """Amazon shows no prices while an order is Pending (payment not authorised)."""
        return self.status is not Status.PENDING


@dataclass(frozen=True, slots=True)
class Item:
    """One item line: ``quantity`` units at ``unit_price``; the other amounts are for the whole line."""

    order_item_id: str
    asin: str
    sku: str
    title: str
    quantity: int
    unit_price: Decimal
    tax: Decimal
    shipping_price: Decimal
    promotion_discount: Decimal
    gift_message: str | None
    gift_wrap_price: Decimal | None

    @property
    def price(self) -> Decimal:
        """The line's price: unit price times quantity."""
        return self.unit_price * self.quantity

    @property
    def charged(self) -> Decimal:
        """What the line costs the buyer: price, tax, shipping and gift wrap less promotions."""
        return (
            self.price
            + self.tax
            + self.shipping_price
            + (self.gift_wrap_price or 0)
            - self.promotion_discount
        )


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
    """Everything about one order at one moment."""

    header: OrderHeader
    marketplace: Marketplace
    items: tuple[Item, ...]
    buyer: Buyer
    ship_service_level: str
    service_level_category: str
    business: bool
    prime: bool

    @property
    def total(self) -> Decimal | None:
        """What the buyer pays: items, tax, shipping and gift wrap less promotions; None while Pending."""
        if not self.header.priced:
            return None
        return sum((i.charged for i in self.items), Decimal("0.00"))

    def shipped(self, item: Item) -> bool:
        return self.items.index(item) < self.header.shipped_lines


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _fraction(*parts: object) -> float:
    """A number in [0, 1) fixed by ``parts`` (for steps made on demand, which no stream draws)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _index_lag(fraction: float, late: bool) -> timedelta:
    low, high = LATE_INDEX if late else INDEX_LAG
    return timedelta(seconds=round(low + (high - low) * fraction))


@dataclass
class _Stream:
    """One seller's orders in one marketplace, drawn in order from one random stream."""

    rng: random.Random
    prefix: str
    middle: str
    history: int
    spacing: timedelta
    placed: list[Placed] = field(default_factory=list)


class OrderBook:
    """The world's orders, made on demand and kept per seller and marketplace."""

    def __init__(self, world: World, clock: Clock, assortment: Assortment) -> None:
        self.world = world
        self.clock = clock
        self.assortment = assortment
        self.start = clock.now().replace(microsecond=0)
        self.end = self.start - QUIET
        self._streams: dict[tuple[str, str], _Stream] = {}
        self._ids: dict[tuple[str, str], Placed] = {}
        self._changes: dict[tuple[str, str], list[Step]] = {}
        self._details: dict[tuple[str, str], OrderDetails] = {}
        self._version = 0
        """Counts explicit changes (a cached view is valid for one moment and version)."""
        self._shown: dict[tuple[str, str, View], tuple[tuple[datetime, int], list[OrderHeader]]] = {}
        self._lock = threading.RLock()

    def _seed(self, *parts: object) -> str:
        return "|".join(str(p) for p in (self.world.seed, *parts))

    # --- what searches and lookups see -----------------------------------------------------------

    def orders(
        self, seller: Seller, marketplace_id: str, view: View = View.SEARCH, at: datetime | None = None
    ) -> list[OrderHeader]:
        """The seller's orders in a marketplace as ``view`` shows them at ``at`` (default now), in the
        order they were placed; empty where the seller does not sell."""
        moment = self.clock.now() if at is None else at
        key = (seller.selling_partner_id, marketplace_id, view)
        with self._lock:
            cached = self._shown.get(key)
            if cached is not None and cached[0] == (moment, self._version):
                return cached[1]
            placed = self._placed_until(seller, marketplace_id, moment)
            headers = (self._state(seller, p, moment, view) for p in placed)
            shown = [h for h in headers if h is not None]
            self._shown[key] = ((moment, self._version), shown)
            return shown

    def find(self, seller: Seller, order_id: str) -> OrderHeader | None:
        """One of the seller's orders by its Amazon order ID, as it is now (None before it was placed)."""
        now = self.clock.now()
        with self._lock:
            for marketplace in seller.marketplaces():
                self._placed_until(seller, marketplace.marketplace_id, now)
            placed = self._ids.get((seller.selling_partner_id, order_id))
            return None if placed is None else self._state(seller, placed, now, View.NOW)

    def change_status(self, seller: Seller, order_id: str, status: Status | str) -> OrderHeader:
        """Move one of the seller's orders to ``status`` now (searches see it within a minute and a
        half); from then on the order takes only such explicit steps. OrderStateError when the order is
        unknown or cannot take that step (a shipped or cancelled order stays so)."""
        try:
            wanted = Status(status)
        except ValueError:
            raise OrderStateError(
                f"Unknown order status {status!r}; use one of {', '.join(Status)}."
            ) from None
        with self._lock:
            current = self.find(seller, order_id)
            if current is None:
                raise OrderStateError(f"Order {order_id} not found.")
            if wanted not in NEXT_STATUSES[current.status]:
                raise OrderStateError(f"Order {order_id} is {current.status} and cannot become {wanted}.")
            key = (seller.selling_partner_id, order_id)
            made = self._changes.setdefault(key, [])
            now = max(self.clock.now(), current.updated + timedelta(seconds=1))
            lag = _index_lag(_fraction(self.world.seed, "change", order_id, len(made)), late=False)
            made.append(Step(now, wanted, now + lag))
            self._version += 1
            header = self.find(seller, order_id)
            assert header is not None
            return header

    def details(self, seller: Seller, header: OrderHeader) -> OrderDetails:
        """The whole order as ``header`` shows it, its items and buyer made from its own seed (once)."""
        key = (seller.selling_partner_id, header.order_id)
        with self._lock:
            made = self._details.get(key)
        if made is None:
            made = self._made(seller, header)
            with self._lock:
                self._details[key] = made
        return replace(made, header=header)

    def _made(self, seller: Seller, header: OrderHeader) -> OrderDetails:
        marketplace = get_marketplace(header.marketplace_id)
        rng = random.Random(self._seed("order", seller.selling_partner_id, header.order_id))  # noqa: S311
        category = rng.choice(("Standard", "Standard", "Expedited"))
        items = []
        for n in range(header.item_count):
            unit_price = Decimal(rng.randint(499, 9999)) / 100
            quantity = rng.choice((1, 1, 1, 2, 3))
            gift = rng.random() < 0.1
            line = unit_price * quantity
            product = self.assortment.pick(seller, header.fulfillment_channel == "AFN", rng)
            items.append(
                Item(
                    order_item_id=_digits(rng, 14),
                    asin=product.asin if product else "B0" + "".join(rng.choice(_ALNUM) for _ in range(8)),
                    sku=product.sku if product else f"SKU-{n + 1:03d}-{_digits(rng, 4)}",
                    title=product.title if product else f"{rng.choice(_ADJECTIVES)} {rng.choice(_PRODUCTS)}",
                    quantity=quantity,
                    unit_price=unit_price,
                    tax=(line * Decimal("0.2")).quantize(_CENT),
                    shipping_price=Decimal("4.99")
                    if category == "Expedited" and header.fulfillment_channel == "MFN"
                    else Decimal("0.00"),
                    promotion_discount=Decimal(rng.randint(100, 500)) / 100
                    if rng.random() < 0.1
                    else Decimal("0.00"),
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
            ship_service_level=f"Std {marketplace.iso_country} Dom"
            if category == "Standard"
            else f"Exp {marketplace.iso_country} Dom",
            service_level_category=category,
            business=business,
            prime=rng.random() < 0.3,
        )

    # --- the streams -------------------------------------------------------------------------------

    def steps(self, seller: Seller, order_id: str) -> tuple[Step, ...]:
        """An order's whole life, past and to come (its own steps up to the first explicit change, then
        the explicit ones); empty for an order not placed yet or unknown."""
        with self._lock:
            placed = self._ids.get((seller.selling_partner_id, order_id))
            return () if placed is None else self._steps(seller, placed)

    def _steps(self, seller: Seller, placed: Placed) -> tuple[Step, ...]:
        changes = self._changes.get((seller.selling_partner_id, placed.order_id))
        if not changes:
            return placed.steps
        return tuple(s for s in placed.steps if s.at < changes[0].at) + tuple(changes)

    def _state(self, seller: Seller, placed: Placed, moment: datetime, view: View) -> OrderHeader | None:
        """The order at ``moment`` as ``view`` shows it; None when it is not there yet."""
        steps = self._steps(seller, placed)
        current = next(  # steps are in time order: the latest one seen
            (
                step
                for step in reversed(steps)
                if step.at <= moment and (view is View.NOW or step.indexed <= moment)
            ),
            None,
        )
        if current is None:
            return None
        return OrderHeader(
            index=placed.index,
            order_id=placed.order_id,
            marketplace_id=placed.marketplace_id,
            purchased=placed.purchased,
            updated=current.at,
            status=current.status,
            fulfillment_channel=placed.fulfillment_channel,
            item_count=placed.item_count,
        )

    def _placed_until(self, seller: Seller, marketplace_id: str, moment: datetime) -> list[Placed]:
        """The orders placed up to ``moment`` (drawn as far as needed), oldest first."""
        stream = self._stream(seller, marketplace_id)
        if stream is None:
            return []
        while not stream.placed or stream.placed[-1].purchased <= moment:
            if stream.history == 0:
                break
            placed = self._draw(stream, marketplace_id, len(stream.placed))
            stream.placed.append(placed)
            self._ids[(seller.selling_partner_id, placed.order_id)] = placed
        count = len(stream.placed)
        while count and stream.placed[count - 1].purchased > moment:
            count -= 1
        return stream.placed[:count]

    def _stream(self, seller: Seller, marketplace_id: str) -> _Stream | None:
        key = (seller.selling_partner_id, marketplace_id)
        if key not in self._streams:
            countries = {get_marketplace(c).marketplace_id: c for c in seller.countries}
            if marketplace_id not in countries:
                return None
            count = self.world.orders_per_marketplace
            rng = random.Random(self._seed("orders", seller.selling_partner_id, marketplace_id))  # noqa: S311
            prefix = rng.choice(_PREFIXES.get(countries[marketplace_id], ("111",)))
            self._streams[key] = _Stream(rng, prefix, _digits(rng, 7), count, HISTORY / max(count, 1))
        return self._streams[key]

    def _draw(self, stream: _Stream, marketplace_id: str, index: int) -> Placed:
        """Order ``index`` of the stream: placed in the history before the start, or after it."""
        rng = stream.rng
        offset = stream.spacing * (index + rng.random())
        if index < stream.history:
            purchased = self.end - HISTORY + offset
        else:
            purchased = self.start + offset - stream.spacing * stream.history
        purchased = purchased.replace(microsecond=0)
        channel = "AFN" if rng.random() < 0.4 else "MFN"
        items = MANY_ITEMS if index % MANY_ITEMS_EVERY == 7 else rng.choice((1, 1, 1, 1, 2, 2, 3))
        return Placed(
            index=index,
            order_id=f"{stream.prefix}-{stream.middle}-{(index * 7919 + 104729) % 10_000_000:07d}",
            marketplace_id=marketplace_id,
            purchased=purchased,
            fulfillment_channel=channel,
            item_count=items,
            steps=self._life(rng, purchased, channel, items),
        )

    def _life(self, rng: random.Random, purchased: datetime, channel: str, items: int) -> tuple[Step, ...]:
        """An order's steps from its purchase: authorised within half an hour (2 % cancelled instead),
        then shipped within a day (Amazon) or three (the seller), 4 % cancelled first, and some
        merchant-fulfilled orders of several items shipped in two parts."""
        authorised = purchased + timedelta(seconds=rng.randint(60, 1800))
        life = [(purchased, Status.PENDING)]
        if rng.random() < 0.02:
            life.append((authorised, Status.CANCELED))
        else:
            life.append((authorised, Status.UNSHIPPED))
            hours = rng.uniform(1, 24) if channel == "AFN" else rng.uniform(2, 72)
            shipped = authorised + timedelta(seconds=round(hours * 3600))
            if rng.random() < 0.04:
                life.append((authorised + (shipped - authorised) / 3, Status.CANCELED))
            else:
                if channel == "MFN" and items > 1 and rng.random() < 0.2:
                    life.append((authorised + (shipped - authorised) / 2, Status.PARTIALLY_SHIPPED))
                life.append((shipped, Status.SHIPPED))
        steps = []
        shift = timedelta(0)
        for drawn, status in life:
            at = (drawn + shift).replace(microsecond=0)
            if self.end < at <= self.start:  # the quiet minutes before the start: later instead
                shift += QUIET
                at += QUIET
            late = rng.random() < 1 / LATE_INDEX_EVERY
            indexed = at if at <= self.start else at + _index_lag(rng.random(), late)
            steps.append(Step(at, status, indexed))
        return tuple(steps)


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def truth(order: OrderDetails, steps: tuple[Step, ...] = ()) -> dict[str, Any]:
    """An order as the emulator knows it, in its own plain terms (not any API's), for tests to compare
    what a client made of the APIs' answers with: amounts are null while the order is Pending. ``steps``
    is its whole life, the steps to come included (when each happens and when searches see it)."""
    header, buyer, priced = order.header, order.buyer, order.header.priced
    return {
        "order_id": header.order_id,
        "marketplace_id": header.marketplace_id,
        "sales_channel": order.marketplace.name,
        "status": str(header.status),
        "fulfillment_channel": header.fulfillment_channel,
        "service_level": order.service_level_category,
        "purchased": iso(header.purchased),
        "updated": iso(header.updated),
        "total": _text(order.total),
        "currency": order.marketplace.currency,
        "business": order.business,
        "buyer": {
            "name": buyer.name,
            "email": buyer.email,
            "purchase_order_number": buyer.purchase_order_number,
            "address_line": buyer.address_line,
            "city": buyer.city,
            "state": buyer.state,
            "postal_code": buyer.postal_code,
            "country": order.marketplace.iso_country,
            "phone": buyer.phone,
        },
        "steps": [{"at": iso(s.at), "status": str(s.status), "indexed": iso(s.indexed)} for s in steps],
        "items": [
            {
                "order_item_id": item.order_item_id,
                "sku": item.sku,
                "asin": item.asin,
                "title": item.title,
                "quantity": item.quantity,
                "quantity_shipped": item.quantity if order.shipped(item) else 0,
                "price": _text(item.price) if priced else None,
                "tax": _text(item.tax) if priced else None,
                "shipping_price": _text(item.shipping_price) if priced else None,
                "promotion_discount": _text(item.promotion_discount) if priced else None,
            }
            for item in order.items
        ],
    }
