"""Rate limits before 429: a token bucket per (application, selling partner, region, operation).

Buckets follow the generic cell rate algorithm: a bucket is one number, the theoretical arrival time
(``tat``) of the next call. A call reserves its slot at once and learns when it may be sent, so waiting
happens outside any lock and the same reservation serves threads, asyncio tasks and processes.
Rates start from the catalog's usage plan and follow ``x-amzn-RateLimit-Limit`` once Amazon sends it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from amazon_connector.clock import Clock


@dataclass(frozen=True, slots=True)
class Plan:
    """A usage plan: ``rate`` calls per second, bursts of ``burst``."""

    rate: float
    burst: int

    @property
    def interval(self) -> float:
        return 1.0 / self.rate

    @property
    def headroom(self) -> int:
        """Calls sent at once before pacing starts. One token of the burst stays unused so that network
        jitter (a call arriving earlier than the one sent before it) never drains Amazon's bucket."""
        return max(1, self.burst - 1)


def reserve_slot(tat: float | None, plan: Plan, now: float) -> tuple[float, float]:
    """Where a call fits: ``(send_at, new_tat)`` for a bucket whose state is ``tat``."""
    tat = now if tat is None else max(tat, now)
    send_at = max(now, tat - (plan.headroom - 1) * plan.interval)
    return send_at, max(tat, send_at) + plan.interval


def drained(tat: float | None, plan: Plan, now: float) -> float:
    """The bucket state after Amazon answered 429: treat it as empty from ``now``."""
    return max(tat or now, now + plan.headroom * plan.interval)


class RateBackend(Protocol):
    """Where bucket states live. One process: MemoryBackend; processes on one machine: the store's
    backend (amazon_connector.connections.rate_store). A Redis backend implements the same three calls."""

    def reserve(self, key: str, plan: Plan, now: float) -> float:
        """Reserve the next call's slot; return the time (epoch seconds) at which it may be sent."""
        ...

    def drain(self, key: str, plan: Plan, now: float) -> None:
        """Amazon throttled a call: assume its bucket is empty."""
        ...

    def learn(self, key: str, rate: float) -> None:
        """Amazon reported the rate of this bucket (``x-amzn-RateLimit-Limit``)."""
        ...

    def learned(self, key: str) -> float | None:
        """The rate reported for this bucket, if any."""
        ...


class MemoryBackend:
    """Buckets in this process, shared by its threads and event loops."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._rates: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, key: str, plan: Plan, now: float) -> float:
        with self._lock:
            send_at, self._tat[key] = reserve_slot(self._tat.get(key), plan, now)
            return send_at

    def drain(self, key: str, plan: Plan, now: float) -> None:
        with self._lock:
            self._tat[key] = drained(self._tat.get(key), plan, now)

    def learn(self, key: str, rate: float) -> None:
        with self._lock:
            self._rates[key] = rate

    def learned(self, key: str) -> float | None:
        with self._lock:
            return self._rates.get(key)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A reserved slot: send when ``clock.monotonic()`` reaches ``ready_at``."""

    key: str
    plan: Plan
    ready_at: float


class RateLimiter:
    """Hands out send slots per bucket key, on a clock (a scaled clock scales the waits)."""

    def __init__(self, backend: RateBackend, clock: Clock) -> None:
        self.backend = backend
        self.clock = clock

    def plan(self, key: str, rate: float | None, burst: int | None) -> Plan | None:
        """The bucket's plan: Amazon's reported rate if known, else the catalog's; None if unlimited."""
        learned = self.backend.learned(key)
        rate = learned or rate
        if not rate or rate <= 0:
            return None
        return Plan(rate, burst or 1)

    def reserve(self, key: str, rate: float | None, burst: int | None) -> Reservation | None:
        plan = self.plan(key, rate, burst)
        if plan is None:
            return None
        now = self.clock.now().timestamp()
        mono = self.clock.monotonic()
        send_at = self.backend.reserve(key, plan, now)
        return Reservation(key, plan, mono + (send_at - now))

    def throttled(self, key: str, rate: float | None, burst: int | None) -> None:
        plan = self.plan(key, rate, burst)
        if plan is not None:
            self.backend.drain(key, plan, self.clock.now().timestamp())

    def observe(self, key: str, reported_rate: float | None) -> None:
        if reported_rate and reported_rate > 0 and reported_rate != self.backend.learned(key):
            self.backend.learn(key, reported_rate)


def bucket_key(client_id: str, selling_partner: str, region: str, operation: str) -> str:
    """Amazon meters calls per application and selling partner, in each region, per operation."""
    return "\x1f".join((client_id, selling_partner, region, operation))
