"""Access-token cache: valid until shortly before expiry, fetched once however many threads or tasks ask.

One implementation serves threads and asyncio tasks alike: the first caller for a key becomes the
leader and runs the fetch plan in its own driver; every other caller, sync or async, joins the
leader's flight. A persistent TokenStore is read and written through blocking effects (off the event
loop in async mode). Refusals are cached too, for a while, so that a refused token is not asked for
on every call.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from amazon_connector.auth.lwa import AccessToken
from amazon_connector.clock import SYSTEM_CLOCK, Clock
from amazon_connector.http.drivers import Plan
from amazon_connector.http.effects import Blocking, Join
from amazon_connector.http.flight import Flight


def subject_of(secret: str) -> str:
    """A stable, non-reversible identifier of a secret (to find the tokens issued for it)."""
    return hashlib.sha256(secret.encode()).hexdigest()


REFRESH_MARGIN = 60.0
"""Seconds before expiry at which a cached token is no longer handed out."""


class TokenStore(Protocol):
    """Where tokens outlive the process (the connection store implements it)."""

    def load_token(self, cache_key: str) -> tuple[str, datetime] | None: ...

    def save_token(self, cache_key: str, subject: str, token: str, expires_at: datetime) -> None: ...

    def forget_tokens(self, subject: str) -> None: ...


@dataclass(frozen=True, slots=True)
class LoadToken(Blocking[tuple[str, datetime] | None]):
    """The token the store keeps under ``key``, if any."""

    store: TokenStore = field(repr=False, compare=False)
    key: str

    def perform(self) -> tuple[str, datetime] | None:
        return self.store.load_token(self.key)


@dataclass(frozen=True, slots=True)
class SaveToken(Blocking[None]):
    """Keep ``token`` in the store under ``key`` until ``expires_at``."""

    store: TokenStore = field(repr=False, compare=False)
    key: str
    subject: str
    token: str = field(repr=False)
    expires_at: datetime

    def perform(self) -> None:
        self.store.save_token(self.key, self.subject, self.token, self.expires_at)


@dataclass(frozen=True, slots=True)
class ExpireStored(SaveToken):
    """Keep ``token`` as expired at ``expires_at`` (now), if it is still the one kept under ``key``."""

    def perform(self) -> None:
        found = self.store.load_token(self.key)
        if found is not None and found[0] == self.token:
            SaveToken.perform(self)


class TokenCache:
    """Caches access tokens by key, in memory and (optionally) in a persistent TokenStore."""

    def __init__(self, store: TokenStore | None = None, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.store = store
        self.clock = clock
        self._tokens: dict[str, AccessToken] = {}
        self._subjects: dict[str, str] = {}
        self._flights: dict[str, Flight[AccessToken]] = {}
        self._refusals: dict[str, float] = {}
        self._lock = threading.Lock()
        self.fetches = 0
        """How many times a token was fetched from Login with Amazon (for tests and metrics)."""

    def _cached(self, key: str) -> AccessToken | None:
        token = self._tokens.get(key)
        if token is not None and token.fresh(self.clock.now(), REFRESH_MARGIN):
            return token
        return None

    def holds(self, key: str) -> bool:
        """Whether a fresh token for ``key`` is in memory (the store is not asked)."""
        return self._cached(key) is not None

    def _from_store(self, key: str, subject: str) -> Plan[AccessToken | None]:
        if self.store is None:
            return None
        found = yield LoadToken(self.store, key)
        if found is None:
            return None
        value, expires_at = found
        token = AccessToken(value=value, expires_at=expires_at)
        if not token.fresh(self.clock.now(), REFRESH_MARGIN):
            return None
        with self._lock:
            self._tokens[key] = token
            self._subjects[key] = subject
        return token

    def _keep(self, key: str, subject: str, token: AccessToken) -> Plan[AccessToken]:
        with self._lock:
            self._tokens[key] = token
            self._subjects[key] = subject
            self.fetches += 1
        if self.store is not None:
            yield SaveToken(self.store, key, subject, token.value, token.expires_at)
        return token

    def _join(self, key: str) -> tuple[AccessToken | None, Flight[AccessToken] | None, bool]:
        """``(token, flight, leader)``: the cached token, or the flight to join, or a new flight to lead."""
        with self._lock:
            if (token := self._cached(key)) is not None:
                return token, None, False
            flight = self._flights.get(key)
            if flight is not None:
                return None, flight, False
            flight = self._flights[key] = Flight()
            return None, flight, True

    def get(self, key: str, subject: str, fetch: Callable[[], Plan[AccessToken]]) -> Plan[AccessToken]:
        """The cached token for ``key`` (memory, then the store), or the one ``fetch``'s plan gets: one
        caller fetches, the others join its flight."""
        token, flight, leader = self._join(key)
        while not leader:
            if token is not None:
                return token
            assert flight is not None
            joined: AccessToken | None = yield Join(flight)
            if joined is not None:
                return joined
            token, flight, leader = self._join(key)  # the leader was interrupted: try again
        assert flight is not None
        try:
            token = yield from self._from_store(key, subject)
            if token is None:
                token = yield from self._keep(key, subject, (yield from fetch()))
        except BaseException as exc:
            self._land(key, flight, None, exc)
            raise
        self._land(key, flight, token, None)
        return token

    def _land(
        self, key: str, flight: Flight[AccessToken], token: AccessToken | None, error: BaseException | None
    ) -> None:
        with self._lock:
            self._flights.pop(key, None)
        flight.finish(token, error)

    def renew(self, key: str, subject: str, fetch: Callable[[], Plan[AccessToken]]) -> Plan[AccessToken]:
        """Fetch a new token now, bypassing the cache, and keep it for later callers."""
        return (yield from self._keep(key, subject, (yield from fetch())))

    def discard(self, key: str, value: str) -> Plan[None]:
        """Drop ``value`` if it is still the token cached for ``key`` (Amazon said it expired)."""
        with self._lock:
            token = self._tokens.get(key)
            if token is None or token.value != value:
                return
            del self._tokens[key]
            subject = self._subjects.get(key, "")
        if self.store is not None:
            yield ExpireStored(self.store, key, subject, value, self.clock.now())

    def refuse(self, key: str, seconds: float) -> bool:
        """Remember for ``seconds`` that the token for ``key`` was refused; False if it already was."""
        with self._lock:
            known = self._refused(key)
            self._refusals[key] = self.clock.monotonic() + seconds
        return not known

    def refused(self, key: str) -> bool:
        """Whether the token for ``key`` was refused a short while ago (not worth asking for again)."""
        with self._lock:
            return self._refused(key)

    def _refused(self, key: str) -> bool:
        until = self._refusals.get(key)
        return until is not None and self.clock.monotonic() < until

    def forget(self, subject: str) -> None:
        """Drop every token issued for ``subject`` (e.g. on Log Out), in memory and in the store."""
        with self._lock:
            for key in [k for k, owner in self._subjects.items() if owner == subject]:
                self._tokens.pop(key, None)
                self._subjects.pop(key, None)
        if self.store is not None:
            self.store.forget_tokens(subject)
