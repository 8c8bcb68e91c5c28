"""Notification destinations: each application's SQS queues and EventBridge sources."""

from __future__ import annotations

import threading
import uuid

from amazon_connector.api.schemas import Destination


class Destinations:
    """Destinations by application (client ID); grantless, so no seller is involved."""

    def __init__(self) -> None:
        self._by_app: dict[str, dict[str, Destination]] = {}
        self._lock = threading.Lock()

    def of(self, client_id: str) -> list[Destination]:
        with self._lock:
            return list(self._by_app.get(client_id, {}).values())

    def add(self, client_id: str, destination: Destination) -> Destination | None:
        """Store a new destination with a fresh ID; None if one with the same resource exists."""
        with self._lock:
            mine = self._by_app.setdefault(client_id, {})
            if any(d.resource == destination.resource for d in mine.values()):
                return None
            stored = destination.model_copy(update={"destinationId": str(uuid.uuid4())})
            mine[stored.destinationId] = stored
            return stored

    def get(self, client_id: str, destination_id: str) -> Destination | None:
        with self._lock:
            return self._by_app.get(client_id, {}).get(destination_id)

    def remove(self, client_id: str, destination_id: str) -> bool:
        with self._lock:
            return self._by_app.get(client_id, {}).pop(destination_id, None) is not None

    def count(self) -> int:
        with self._lock:
            return sum(len(d) for d in self._by_app.values())
