"""Next-page tokens: opaque to clients (standard base64, so they must be URL-encoded), tamper-proof,
and expiring after 24 hours on the clock."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

from amazon_connector.clock import Clock

LIFETIME = timedelta(hours=24)
_MAC_SIZE = 16


class PageTokens:
    """Issues and reads next-page tokens that carry a query's state."""

    def __init__(self, clock: Clock, lifetime: timedelta = LIFETIME) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self._key = secrets.token_bytes(32)

    def _mac(self, payload: bytes) -> bytes:
        return hmac.digest(self._key, payload, hashlib.sha256)[:_MAC_SIZE]

    def issue(self, state: dict[str, Any]) -> str:
        expires = (self.clock.now() + self.lifetime).timestamp()
        payload = json.dumps({"state": state, "expires": expires}, separators=(",", ":")).encode()
        return base64.b64encode(payload + self._mac(payload)).decode()

    def read(self, token: str) -> dict[str, Any] | None:
        """The state a token carries; None when it is garbage, forged or expired."""
        try:
            raw = base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError):
            return None
        payload, mac = raw[:-_MAC_SIZE], raw[-_MAC_SIZE:]
        if len(raw) <= _MAC_SIZE or not hmac.compare_digest(mac, self._mac(payload)):
            return None
        content = json.loads(payload)
        if content["expires"] <= self.clock.now().timestamp():
            return None
        state: dict[str, Any] = content["state"]
        return state

    def links(self, query: dict[str, Any], total: int) -> dict[str, str]:
        """A page's ``pagination``: tokens of the next and previous pages of ``total`` items, the query
        at ``offset`` taking ``size`` a page (empty for the only page)."""
        start, size = query["offset"], query["size"]
        found = {}
        if start + size < total:
            found["nextToken"] = self.issue({**query, "offset": start + size})
        if start > 0:
            found["previousToken"] = self.issue({**query, "offset": max(0, start - size)})
        return found
