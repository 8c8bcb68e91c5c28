"""Authorisations this page started and whose answer comes back to it."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import URL

from amazon_connector.clock import Clock
from amazon_connector.connections import AuthorisationFlow
from amazon_connector.connections.model import DEFAULT_REDIRECT_URI
from amazon_connector.serving import is_loopback

CALLBACK_PATH = urlsplit(DEFAULT_REDIRECT_URI).path
"""Amazon's redirect comes back here (the same path as the default redirect URI)."""
LOGIN_HOP_PATH = "/amazon-connector/login"
"""The Log-in URI an app may register: Amazon sends the browser here before the consent is final."""


def callback_url(base: URL) -> str:
    """The redirect URI that brings Amazon's answer back to the page served at ``base``."""
    return f"{base.scheme}://{base.netloc}{CALLBACK_PATH}"


def comes_back_here(redirect_uri: str, base: URL) -> bool:
    """Whether Amazon's redirect to ``redirect_uri`` reaches the page served at ``base``."""
    parts = urlsplit(redirect_uri)
    if parts.path != CALLBACK_PATH or (parts.scheme, parts.port) != (base.scheme, base.port):
        return False
    host, own = parts.hostname or "", base.hostname or ""
    return host == own or (is_loopback(host) and is_loopback(own))


@dataclass(frozen=True, slots=True)
class Pending:
    """A flow waiting for Amazon's redirect, and the browser session that started it."""

    flow: AuthorisationFlow
    session: str | None


class PendingAuthorisations:
    """Flows waiting for Amazon's redirect, found by their state (the redirect) or by a key kept in the
    browser that started them (the Log-in URI hop, which carries no state of ours)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._by_state: dict[str, Pending] = {}
        self._by_key: dict[str, Pending] = {}
        self._lock = threading.Lock()

    def add(self, flow: AuthorisationFlow, session: str | None) -> str:
        """Remember ``flow``, started by the browser ``session``; returns the key for its cookie."""
        key = secrets.token_urlsafe(24)
        pending = Pending(flow, session)
        with self._lock:
            self._forget_expired()
            self._by_state[flow.state] = pending
            self._by_key[key] = pending
        return key

    def take(self, state: str) -> Pending | None:
        """The flow with this state, forgotten at once (a redirect completes it once)."""
        with self._lock:
            self._forget_expired()
            pending = self._by_state.pop(state, None)
            self._by_key = {k: p for k, p in self._by_key.items() if p is not pending}
        return pending

    def by_key(self, key: str) -> AuthorisationFlow | None:
        with self._lock:
            self._forget_expired()
            pending = self._by_key.get(key)
        return pending.flow if pending else None

    def _forget_expired(self) -> None:
        now = self._clock.now()
        self._by_state = {s: p for s, p in self._by_state.items() if p.flow.expires_at > now}
        self._by_key = {k: p for k, p in self._by_key.items() if p.flow.expires_at > now}
