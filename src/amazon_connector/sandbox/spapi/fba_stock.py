"""FBA units in Amazon's fulfilment centres, which move with the order book's orders fulfilled by Amazon.

Each FBA product starts with its assortment stock in each of the seller's marketplaces. An AFN order
that is not yet shipped reserves its units (``pendingCustomerOrderQuantity``); a shipped one has taken
them away; a cancelled one gives them back. Quantities are counted from the order book's orders as they
are now (orders arrive and change on the clock) on every request, so an order that changes state
changes the inventory at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from amazon_connector.sandbox.spapi.assortment import Assortment, Product
from amazon_connector.sandbox.spapi.order_book import OrderBook, Status, View
from amazon_connector.sandbox.world import Seller

RESERVING = frozenset({Status.PENDING, Status.UNSHIPPED, Status.PARTIALLY_SHIPPED})


@dataclass(frozen=True, slots=True)
class Units:
    """One FBA product's units in one marketplace."""

    product: Product
    fulfillable: int
    reserved: int
    updated: datetime


class FbaInventory:
    """Counts FBA units from the assortment and the order book."""

    def __init__(self, assortment: Assortment, orders: OrderBook) -> None:
        self.assortment = assortment
        self.orders = orders

    def units(self, seller: Seller, marketplace_id: str) -> list[Units]:
        """Every FBA product's units in the marketplace, as the orders stand now."""
        reserved: dict[str, int] = {}
        gone: dict[str, int] = {}
        changed: dict[str, datetime] = {}
        for header in self.orders.orders(seller, marketplace_id, View.NOW):
            if header.fulfillment_channel != "AFN":
                continue
            if header.status in RESERVING:
                counts = reserved
            elif header.status is Status.SHIPPED:
                counts = gone
            else:  # cancelled: its units are back, and the cancellation dates them
                counts = {}
            for item in self.orders.details(seller, header).items:
                counts[item.sku] = counts.get(item.sku, 0) + item.quantity
                changed[item.sku] = max(changed.get(item.sku, header.updated), header.updated)
        found = []
        for product in self.assortment.products(seller):
            if not product.amazon_fulfilled:
                continue
            held = reserved.get(product.sku, 0)
            fulfillable = max(0, product.stock - gone.get(product.sku, 0) - held)
            found.append(Units(product, fulfillable, held, changed.get(product.sku, product.created)))
        return found
