"""What each seller sells when the emulator starts, generated from the world's seed: the same seed gives
the same SKUs, ASINs, product types, prices, stock and fulfilment channels.

A seller has ``world.listings_per_seller`` products, made on first use (5,000 take a few milliseconds).
About 40 % are fulfilled by Amazon (FBA: stock in Amazon's fulfilment centres, reported by the FBA
Inventory API); the others by the seller (a quantity in ``fulfillment_availability``). Every tenth has a
minimum seller-allowed price. The order book draws its orders' items from here, so orders, listings and
FBA inventory name the same SKUs.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from amazon_connector.marketplaces import Marketplace, Region
from amazon_connector.sandbox.world import Seller, World

AMAZON_FULFILLED_SHARE = 0.4
MINIMUM_PRICE_EVERY = 10
HISTORY = timedelta(days=365)
"""Listings were created over the year before the emulator started."""
AMAZON_CHANNELS = {Region.NA: "AMAZON_NA", Region.EU: "AMAZON_EU", Region.FE: "AMAZON_JP"}
"""The fulfilment channel code of Amazon's network in each region."""
PRICE_FACTORS = {"JPY": Decimal(150), "INR": Decimal(80), "MXN": Decimal(18), "TRY": Decimal(30)}
"""A product's price in currencies far from the dollar, as a multiple of its base price."""

_KINDS = {
    "LUGGAGE": ("LUG", ("Carry-On Spinner", "Hardside Suitcase", "Travel Duffel", "Garment Bag")),
    "SHOES": ("SHO", ("Running Shoe", "Leather Boot", "Canvas Sneaker", "Trail Sandal")),
    "KITCHEN": ("KIT", ("Coffee Mug", "Chef Knife", "Cutting Board", "Water Bottle")),
}
_COLOURS = ("Black", "Blue", "Red", "Grey", "Green", "Sand", "White")
_BRANDS = ("Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Proseware")
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Product:
    """One of a seller's products as it starts: ``stock`` is the seller's quantity (merchant-fulfilled)
    or the units in Amazon's fulfilment centres (FBA)."""

    index: int
    sku: str
    asin: str
    fn_sku: str
    product_type: str
    title: str
    brand: str
    colour: str
    amazon_fulfilled: bool
    price: Decimal
    minimum_price: Decimal | None
    stock: int
    created: datetime

    def price_in(self, marketplace: Marketplace) -> Decimal:
        return _converted(self.price, marketplace.currency)

    def minimum_in(self, marketplace: Marketplace) -> Decimal | None:
        return None if self.minimum_price is None else _converted(self.minimum_price, marketplace.currency)


def _converted(price: Decimal, currency: str) -> Decimal:
    factor = PRICE_FACTORS.get(currency)
    if factor is None:
        return price
    return (price * factor).quantize(Decimal(1))


def amazon_channel(seller: Seller) -> str:
    """The fulfilment channel code of the seller's FBA listings (the region of its marketplaces)."""
    return AMAZON_CHANNELS[seller.marketplaces()[0].region]


class Assortment:
    """The sellers' products as the emulator starts, made on demand and kept per seller."""

    def __init__(self, world: World, start: datetime) -> None:
        self.world = world
        self.start = start.replace(microsecond=0)
        self._products: dict[str, tuple[Product, ...]] = {}
        self._by_channel: dict[tuple[str, bool], tuple[Product, ...]] = {}
        self._lock = threading.Lock()

    def products(self, seller: Seller) -> tuple[Product, ...]:
        """The seller's products, in the order they were made."""
        with self._lock:
            found = self._products.get(seller.selling_partner_id)
            if found is None:
                found = self._generate(seller)
                self._products[seller.selling_partner_id] = found
                for fba in (True, False):
                    self._by_channel[seller.selling_partner_id, fba] = (
                        tuple(p for p in found if p.amazon_fulfilled == fba) or found
                    )
            return found

    def _generate(self, seller: Seller) -> tuple[Product, ...]:
        rng = random.Random(f"{self.world.seed}|assortment|{seller.selling_partner_id}")  # noqa: S311
        count = self.world.listings_per_seller
        spacing = HISTORY / max(count, 1)
        kinds = sorted(_KINDS)
        products = []
        for index in range(count):
            product_type = kinds[index % len(kinds)]
            prefix, names = _KINDS[product_type]
            colour = rng.choice(_COLOURS)
            price = Decimal(rng.randint(499, 19999)) / 100
            products.append(
                Product(
                    index=index,
                    sku=f"{prefix}-{colour[:3].upper()}-{index + 1:05d}",
                    asin="B0" + "".join(rng.choice(_ALNUM) for _ in range(8)),
                    fn_sku="X00" + "".join(rng.choice(_ALNUM) for _ in range(7)),
                    product_type=product_type,
                    title=f"{rng.choice(_BRANDS)} {rng.choice(names)}, {colour}",
                    brand=rng.choice(_BRANDS),
                    colour=colour,
                    amazon_fulfilled=rng.random() < AMAZON_FULFILLED_SHARE,
                    price=price,
                    minimum_price=(price * Decimal("0.8")).quantize(Decimal("0.01"))
                    if index % MINIMUM_PRICE_EVERY == MINIMUM_PRICE_EVERY - 1
                    else None,
                    stock=rng.randint(0, 400),
                    created=(self.start - HISTORY + spacing * (index + rng.random())).replace(microsecond=0),
                )
            )
        return tuple(products)

    def pick(self, seller: Seller, amazon_fulfilled: bool, rng: random.Random) -> Product | None:
        """A product of the seller fulfilled as asked (any product if there is none); None when the seller
        sells nothing. The same ``rng`` state gives the same product."""
        if not self.products(seller):
            return None
        matching = self._by_channel[seller.selling_partner_id, amazon_fulfilled]
        return matching[rng.randrange(len(matching))]
