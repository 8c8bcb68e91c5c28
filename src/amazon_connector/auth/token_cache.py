"""Access-token cache: valid until shortly before expiry, fetched once however many threads or tasks ask.

One implementation serves threads and asyncio tasks alike: the first caller for a key becomes the
leader and fetches; every other caller, sync or async, waits on the leader's flight.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from amazon_connector.auth.lwa import AccessToken
from amazon_connector.clock import SYSTEM_CLOCK, Clock


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


class _Flight:
    """One fetch in progress and the callers waiting for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.token: AccessToken | None = None
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[AccessToken | None]]] = []

    def finish(self, token: AccessToken | None, error: BaseException | None) -> None:
        with self._lock:
            self.token, self.error = token, error
            self.done.set()
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(self._resolve, future)

    @property
    def interrupted(self) -> bool:
        """The leader was cancelled or interrupted: no answer, so a waiter should try again itself."""
        return isinstance(self.error, asyncio.CancelledError | KeyboardInterrupt | SystemExit)

    def _resolve(self, future: asyncio.Future[AccessToken | None]) -> None:
        if future.done():
            return
        if self.error is not None and not self.interrupted:
            future.set_exception(self.error)
        else:
            future.set_result(self.token)

    def result(self) -> AccessToken | None:
        """The token, or None when the leader was interrupted; raises the leader's error."""
        if self.error is not None and not self.interrupted:
            raise self.error
        return self.token

    def wait(self) -> AccessToken | None:
        self.done.wait()
        return self.result()

    async def wait_async(self) -> AccessToken | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AccessToken | None] = loop.create_future()
        with self._lock:
            if not self.done.is_set():
                self._waiters.append((loop, future))
                pending = True
            else:
                pending = False
        if not pending:
            return self.result()
        return await future


class TokenCache:
    """Caches access tokens by key, in memory and (optionally) in a persistent TokenStore."""

    def __init__(self, store: TokenStore | None = None, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.store = store
        self.clock = clock
        self._tokens: dict[str, AccessToken] = {}
        self._subjects: dict[str, str] = {}
        self._flights: dict[str, _Flight] = {}
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

    def _from_store(self, key: str, subject: str) -> AccessToken | None:
        if self.store is None:
            return None
        found = self.store.load_token(key)
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

    def _keep(self, key: str, subject: str, token: AccessToken) -> AccessToken:
        with self._lock:
            self._tokens[key] = token
            self._subjects[key] = subject
            self.fetches += 1
        if self.store is not None:
            self.store.save_token(key, subject, token.value, token.expires_at)
        return token

    def _join(self, key: str) -> tuple[AccessToken | None, _Flight, bool]:
        with self._lock:
            if (token := self._cached(key)) is not None:
                return token, _Flight(), False
            flight = self._flights.get(key)
            if flight is not None:
                return None, flight, False
            flight = self._flights[key] = _Flight()
            return None, flight, True

    def _land(
        self, key: str, flight: _Flight, token: AccessToken | None, error: BaseException | None
    ) -> None:
        with self._lock:
            self._flights.pop(key, None)
        flight.finish(token, error)

    def get(self, key: str, subject: str, fetch: Callable[[], AccessToken]) -> AccessToken:
        """The cached token for ``key``, or the one ``fetch`` returns (called by one caller at a time)."""
        token, flight, leader = self._join(key)
        while not leader:
            if token is not None or (token := flight.wait()) is not None:
                return token
            token, flight, leader = self._join(key)
        try:
            token = self._from_store(key, subject) or self._keep(key, subject, fetch())
        except BaseException as exc:
            self._land(key, flight, None, exc)
            raise
        self._land(key, flight, token, None)
        return token

    async def aget(self, key: str, subject: str, fetch: Callable[[], Awaitable[AccessToken]]) -> AccessToken:
        """The async twin of get."""
        token, flight, leader = self._join(key)
        while not leader:
            if token is not None or (token := await flight.wait_async()) is not None:
                return token
            token, flight, leader = self._join(key)
        try:
            token = self._from_store(key, subject) or self._keep(key, subject, await fetch())
        except BaseException as exc:
            self._land(key, flight, None, exc)
            raise
        self._land(key, flight, token, None)
        return token

    def renew(self, key: str, subject: str, fetch: Callable[[], AccessToken]) -> AccessToken:
        """Fetch a new token now, bypassing the cache, and keep it for later callers."""
        return self._keep(key, subject, fetch())

    def discard(self, key: str, value: str) -> None:
        """Drop ``value`` if it is still the token cached for ``key`` (Amazon said it expired)."""
        with self._lock:
            token = self._tokens.get(key)
            if token is not None and token.value == value:
                del self._tokens[key]
            else:
                return
        if self.store is not None:
            found = self.store.load_token(key)
            if found is not None and found[0] == value:
                self.store.save_token(key, self._subjects.get(key, ""), value, self.clock.now())

    def forget(self, subject: str) -> None:
        """Drop every token issued for ``subject`` (e.g. on Log Out), in memory and in the store."""
        with self._lock:
            for key in [k for k, owner in self._subjects.items() if owner == subject]:
                self._tokens.pop(key, None)
                self._subjects.pop(key, None)
        if self.store is not None:
            self.store.forget_tokens(subject)
