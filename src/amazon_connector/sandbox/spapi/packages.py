"""The packages sellers confirmed shipped (confirmShipment), by seller and order: an order is Shipped once
every unit of it is in one; and the shipment statuses they reported (updateShipmentStatus)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Packages:
    """The packages sellers confirmed, by seller and order."""

    _packages: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    _statuses: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seller_id: str, order_id: str, package: dict[str, Any]) -> None:
        with self._lock:
            self._packages.setdefault((seller_id, order_id), []).append(package)

    def of(self, seller_id: str, order_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._packages.get((seller_id, order_id), []))

    def shipped(self, seller_id: str, order_id: str) -> dict[str, int]:
        """Units of each order item in the order's confirmed packages."""
        units: dict[str, int] = {}
        for package in self.of(seller_id, order_id):
            for entry in package["orderItems"]:
                units[entry["orderItemId"]] = units.get(entry["orderItemId"], 0) + entry["quantity"]
        return units

    def add_status(self, seller_id: str, order_id: str, update: dict[str, Any]) -> None:
        """Keep a shipment status update (``status``, ``at``, and ``orderItems`` when it named some)."""
        with self._lock:
            self._statuses.setdefault((seller_id, order_id), []).append(update)

    def statuses(self, seller_id: str, order_id: str) -> list[dict[str, Any]]:
        """The order's shipment status updates, oldest first."""
        with self._lock:
            return list(self._statuses.get((seller_id, order_id), []))
