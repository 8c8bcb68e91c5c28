"""Short-lived, single-use keys: authorisation codes, ``amazon_state`` values, consent sessions."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from amazon_connector.clock import Clock
from amazon_connector.sandbox.ids import random_token

T = TypeVar("T")


class SingleUse(Generic[T]):
    """Values handed out under random keys; each key can be taken once, before it expires."""

    def __init__(self, clock: Clock, lifetime: timedelta, *, prefix: str = "", size: int = 24) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self._prefix = prefix
        self._size = size
        self._entries: dict[str, tuple[T, datetime]] = {}
        self._lock = threading.Lock()

    def issue(self, value: T) -> str:
        """A new key for ``value``, valid for ``lifetime`` on the clock."""
        now = self.clock.now()
        key = random_token(self._prefix, self._size)
        with self._lock:
            self._entries = {k: e for k, e in self._entries.items() if e[1] > now}
            self._entries[key] = (value, now + self.lifetime)
        return key

    def take(self, key: str) -> T | None:
        """The value under ``key``, once; None when the key is unknown, used or expired."""
        with self._lock:
            entry = self._entries.pop(key, None)
        if entry is None or entry[1] <= self.clock.now():
            return None
        return entry[0]
