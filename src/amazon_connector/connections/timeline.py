"""The time connections run on, and what keeps time with it: rate-limit buckets, cached tokens, HTTP.

Connections to Amazon (production and its sandbox) run on the clock given to Connections.open (the real
one by default), as does every connection when a clock was given. Without one, the connections to an
emulator follow the emulator's clock: each emulator gets a timeline of its own, whose clock is read from
the emulator at first use and kept on time by its answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from amazon_connector.auth.token_cache import TokenCache
from amazon_connector.clock import Clock
from amazon_connector.http.clients import HttpClients
from amazon_connector.http.emulator_clock import EmulatorClock
from amazon_connector.runtime.limiter import RateLimiter


class Timeline:
    """A clock and what runs on it: ``limiter`` (buckets whose times are on the clock), ``token_cache``
    (expiry on the clock) and pooled HTTP clients (made by ``make_http`` per extended-logging setting).
    ``follower`` keeps the clock on an emulator's, read the first time the clock is ``started``."""

    def __init__(
        self,
        clock: Clock,
        limiter: RateLimiter,
        token_cache: TokenCache,
        make_http: Callable[[bool], HttpClients],
        follower: EmulatorClock | None = None,
    ) -> None:
        self.clock = clock
        self.limiter = limiter
        self.token_cache = token_cache
        self.follower = follower
        self._make_http = make_http
        self._http: dict[bool, HttpClients] = {}
        self._lock = threading.Lock()

    def http(self, extended_logging: bool) -> HttpClients:
        """The pooled HTTP clients of this timeline with this logging setting."""
        with self._lock:
            if extended_logging not in self._http:
                self._http[extended_logging] = self._make_http(extended_logging)
            return self._http[extended_logging]

    def started(self, http: HttpClients | None = None) -> Clock:
        """The clock, once an emulator's has been read (through ``http``, by default this timeline's)."""
        if self.follower is not None:
            self.follower.read(http or self.http(False))
        return self.clock

    def close(self) -> None:
        with self._lock:
            clients, self._http = list(self._http.values()), {}
        for client in clients:
            client.close()
