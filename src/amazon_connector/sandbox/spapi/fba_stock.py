"""FBA units in Amazon's fulfilment centres, which move with the order book's orders fulfilled by Amazon.

Each FBA product starts with its assortment stock in each of the seller's marketplaces. An AFN order
that is not yet shipped reserves its units (``pendingCustomerOrderQuantity``); a shipped one has taken
them away; a cancelled one gives them back. Quantities are counted from the order book's current state
on every request, so an order that changes state changes the inventory at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from amazon_connector.sandbox.spapi.assortment import Assortment, Product
from amazon_connector.sandbox.spapi.order_book import OrderBook
from amazon_connector.sandbox.world import Seller

RESERVING = frozenset({"Pending", "Unshipped", "PartiallyShipped"})


@dataclass(frozen=True, slots=True)
class Units:
    """One FBA product's units in one marketplace."""

    product: Product
    fulfillable: int
    reserved: int
    updated: datetime


class FbaInventory:
    """Counts FBA units from the assortment and the order book (each order's lines made once)."""

    def __init__(self, assortment: Assortment, orders: OrderBook) -> None:
        self.assortment = assortment
        self.orders = orders
        self._lines: dict[tuple[str, str], dict[str, tuple[tuple[str, int], ...]]] = {}
        self._lock = threading.Lock()

    def _afn_lines(self, seller: Seller, marketplace_id: str) -> dict[str, tuple[tuple[str, int], ...]]:
        """The SKUs and units of each AFN order of the marketplace (an order's items never change)."""
        key = (seller.selling_partner_id, marketplace_id)
        with self._lock:
            found = self._lines.get(key)
        if found is None:
            found = {
                header.order_id: tuple((i.sku, i.quantity) for i in self.orders.details(seller, header).items)
                for header in self.orders.orders(seller, marketplace_id)
                if header.fulfillment_channel == "AFN"
            }
            with self._lock:
                self._lines[key] = found
        return found

    def units(self, seller: Seller, marketplace_id: str) -> list[Units]:
        """Every FBA product's units in the marketplace, as the orders stand now."""
        reserved: dict[str, int] = {}
        gone: dict[str, int] = {}
        changed: dict[str, datetime] = {}
        for order_id, lines in self._afn_lines(seller, marketplace_id).items():
            header = self.orders.find(seller, order_id)
            if header is None or header.status == "Canceled":
                continue
            counts = reserved if header.status in RESERVING else gone
            for sku, quantity in lines:
                counts[sku] = counts.get(sku, 0) + quantity
                changed[sku] = max(changed.get(sku, header.updated), header.updated)
        found = []
        for product in self.assortment.products(seller):
            if not product.amazon_fulfilled:
                continue
            held = reserved.get(product.sku, 0)
            fulfillable = max(0, product.stock - gone.get(product.sku, 0) - held)
            found.append(Units(product, fulfillable, held, changed.get(product.sku, product.created)))
        return found
