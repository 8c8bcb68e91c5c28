"""Authorisations this page started and whose answer comes back to it."""

from __future__ import annotations

import secrets
import threading
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


class PendingAuthorisations:
    """Flows waiting for Amazon's redirect, found by their state (the redirect) or by a key kept in the
    browser that started them (the Log-in URI hop, which carries no state of ours)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._by_state: dict[str, AuthorisationFlow] = {}
        self._by_key: dict[str, AuthorisationFlow] = {}
        self._lock = threading.Lock()

    def add(self, flow: AuthorisationFlow) -> str:
        """Remember ``flow``; returns the key for the browser's cookie."""
        key = secrets.token_urlsafe(24)
        with self._lock:
            self._forget_expired()
            self._by_state[flow.state] = flow
            self._by_key[key] = flow
        return key

    def take(self, state: str) -> AuthorisationFlow | None:
        """The flow with this state, forgotten at once (a redirect completes it once)."""
        with self._lock:
            self._forget_expired()
            flow = self._by_state.pop(state, None)
            self._by_key = {k: f for k, f in self._by_key.items() if f is not flow}
        return flow

    def by_key(self, key: str) -> AuthorisationFlow | None:
        with self._lock:
            self._forget_expired()
            return self._by_key.get(key)

    def _forget_expired(self) -> None:
        now = self._clock.now()
        self._by_state = {s: f for s, f in self._by_state.items() if f.expires_at > now}
        self._by_key = {k: f for k, f in self._by_key.items() if f.expires_at > now}
