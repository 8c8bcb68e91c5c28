"""Confirmations shown once, on the next page of the browser session whose action caused them."""

from __future__ import annotations

import threading
from collections import OrderedDict

KEPT_SESSIONS = 1000
"""Sessions with a confirmation not shown yet; the oldest is forgotten beyond this."""


class Flashes:
    """One waiting confirmation per browser session, kept here on the server: what a page confirms is
    never read from its address, so a link cannot make the page say anything."""

    def __init__(self) -> None:
        self._waiting: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, session: str | None, text: str) -> None:
        if not session:
            return
        with self._lock:
            self._waiting.pop(session, None)
            self._waiting[session] = text
            while len(self._waiting) > KEPT_SESSIONS:
                self._waiting.popitem(last=False)

    def take(self, session: str | None) -> str | None:
        """The session's confirmation, once."""
        if not session:
            return None
        with self._lock:
            return self._waiting.pop(session, None)
