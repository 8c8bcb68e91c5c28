"""Rate limits before 429: a token bucket per (application, selling partner, region, operation).

A bucket follows the generic cell rate algorithm: its state is the theoretical arrival time (``tat``)
of the next call. A call reserves its slot at once and learns when it may go, so waiting happens
outside any lock, and the same reservation serves threads, asyncio tasks and processes.

Amazon counts a call when it *arrives*, later than it was sent, and a burst's calls arrive spread
out (new connections, queues). A schedule counted from the send times would run ahead of Amazon's
bucket and draw 429s once the burst is spent. So each burst opens an *epoch*: its paced calls are
timed from the last answer to the burst (no call arrives after its own answer). Reserved slots are
offsets in their epoch; a caller checks its slot again after sleeping, as the anchor may move.

Rates start from the catalog's usage plan and follow ``x-amzn-RateLimit-Limit`` once Amazon sends it.

A call plan reaches the limiter through three effects, each one trip to the backend (off the event
loop when the backend is a store): Reserve (take a slot, learn when it is due), Recheck (after
sleeping: is it due, or missed and taken again) and Settle (the answer came: anchor, drain, new rate).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from amazon_connector.clock import Clock
from amazon_connector.http.effects import Blocking
from amazon_connector.marketplaces import PRODUCTION

JITTER = 0.1
"""Real seconds by which a paced call may be counted earlier than its slot says, relative to the one
before it (that one delayed by this machine, the network or the server): the bucket keeps tokens spare
to cover it (one, and more for rates of 10 calls/s or more, or on a faster clock)."""


@dataclass(frozen=True, slots=True)
class UsagePlan:
    """A usage plan: ``rate`` calls per second, bursts of ``burst``; ``spare`` tokens stay in Amazon's
    bucket while calls are paced, so that a call arriving up to ``spare`` intervals early finds one."""

    rate: float
    burst: int
    spare: int = 1

    @property
    def interval(self) -> float:
        return 1.0 / self.rate

    @property
    def headroom(self) -> int:
        """Calls sent at once before pacing starts: the burst less the tokens kept spare."""
        return max(1, self.burst - self.spare)


@dataclass(frozen=True, slots=True)
class Bucket:
    """A bucket's state. Times are epoch seconds; ``tat`` already includes the epoch's ``shift``.
    ``issued`` counts the epoch's slots, ``answered`` the answers to its burst."""

    tat: float | None = None
    epoch: int = 0
    start: float = 0.0
    shift: float = 0.0
    issued: int = 0
    answered: int = 0


@dataclass(frozen=True, slots=True)
class Slot:
    """A reserved send slot: the ``index``-th of its epoch, ``offset`` seconds after the epoch's start
    (paced slots move with the anchor)."""

    epoch: int
    index: int
    offset: float


CLOCK_STEP = 60.0
"""Seconds an epoch may seem to start in the future (the clocks of processes differ a little). Beyond
that the clock went back (an emulator restarted, the system clock was set back): the bucket's times
are void."""


def reserve_slot(bucket: Bucket, usage: UsagePlan, now: float) -> tuple[Slot, Bucket]:
    """The next slot of ``bucket`` and the bucket's new state."""
    if bucket.tat is None or bucket.tat <= now or bucket.start > now + CLOCK_STEP:
        bucket = Bucket(tat=now, epoch=bucket.epoch + 1, start=now)  # full again: a new burst, a new epoch
    assert bucket.tat is not None
    send_at = max(now, bucket.tat - (usage.headroom - 1) * usage.interval)
    slot = Slot(bucket.epoch, bucket.issued, send_at - (bucket.start + bucket.shift))
    return slot, replace(bucket, tat=max(bucket.tat, send_at) + usage.interval, issued=bucket.issued + 1)


ANCHOR_WAIT = 60.0
"""Seconds a slot waits for its epoch's first answer before going ahead without it."""


def due(bucket: Bucket, slot: Slot, usage: UsagePlan, now: float) -> float:
    """When ``slot`` may be used (epoch seconds), or when to look again.

    A paced slot waits for every answer to its epoch's burst, which fixes the anchor.
    """
    if slot.epoch != bucket.epoch:
        return now  # its epoch has ended, so its time has passed
    at = bucket.start + bucket.shift + slot.offset
    burst_done = bucket.answered >= min(usage.headroom, bucket.issued)
    if slot.index < usage.headroom or burst_done or at > now or now >= at + ANCHOR_WAIT:
        return at
    return now + min(usage.interval / 4, 0.25)


def anchor(bucket: Bucket, slot: Slot, usage: UsagePlan, answered_at: float) -> Bucket:
    """An answer to a burst call: paced calls start no earlier than one interval after it."""
    if slot.epoch != bucket.epoch or slot.index >= usage.headroom or bucket.tat is None:
        return bucket
    shift = max(bucket.shift, answered_at - bucket.start)
    return replace(bucket, tat=bucket.tat + (shift - bucket.shift), shift=shift, answered=bucket.answered + 1)


def drained(bucket: Bucket, usage: UsagePlan, now: float) -> Bucket:
    """Amazon answered 429: its bucket is empty now."""
    floor = now + usage.headroom * usage.interval
    return replace(bucket, tat=max(bucket.tat or now, floor))


def retimed(bucket: Bucket, old_rate: float, new_rate: float, now: float) -> Bucket:
    """The bucket's rate changed: the calls it is still paying for are paid at the new rate."""
    if bucket.tat is None or bucket.tat <= now:
        return bucket
    return replace(bucket, tat=now + (bucket.tat - now) * old_rate / new_rate)


class RateBackend(Protocol):
    """Where buckets live. One process: MemoryBackend; processes sharing a store: StoreRateBackend
    (amazon_connector.connections.store); Redis can implement the same calls. ``change`` runs
    with the bucket locked, ``now`` is read under that lock (a time read before waiting for the lock
    would hand out slots in the past)."""

    def update(self, key: str, change: Callable[[Bucket], Bucket]) -> Bucket:
        """Apply ``change`` to the bucket atomically and return the new state."""
        ...

    def read(self, key: str) -> Bucket: ...

    def learn(self, key: str, rate: float) -> None:
        """Amazon reported the rate of this bucket (``x-amzn-RateLimit-Limit``)."""
        ...

    def learned(self, key: str) -> float | None: ...


class MemoryBackend:
    """Buckets in this process, shared by its threads and event loops."""

    def __init__(self) -> None:
        self._buckets: dict[str, Bucket] = {}
        self._rates: dict[str, float] = {}
        self._lock = threading.Lock()

    def update(self, key: str, change: Callable[[Bucket], Bucket]) -> Bucket:
        with self._lock:
            bucket = self._buckets[key] = change(self._buckets.get(key, Bucket()))
            return bucket

    def read(self, key: str) -> Bucket:
        with self._lock:
            return self._buckets.get(key, Bucket())

    def learn(self, key: str, rate: float) -> None:
        with self._lock:
            self._rates[key] = rate

    def learned(self, key: str) -> float | None:
        with self._lock:
            return self._rates.get(key)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A slot taken in a bucket; ``ready_at`` (on ``clock.monotonic()``) is when it may be used, as of
    the last look (the anchor may move it)."""

    key: str
    usage: UsagePlan
    slot: Slot
    ready_at: float

    @property
    def in_burst(self) -> bool:
        """One of its epoch's burst calls, whose answer anchors the paced ones."""
        return self.slot.index < self.usage.headroom

    def missed(self, now: float) -> bool:
        """A paced slot more than an interval gone at ``now`` (``clock.monotonic()``): Amazon's bucket
        may have filled up meanwhile, and then a late call would arrive bunched with punctual ones, so
        a new slot must be taken."""
        return not self.in_burst and now - self.ready_at > self.usage.interval


@dataclass(frozen=True, slots=True)
class TooFar:
    """No slot was taken: the next one is ``wait`` seconds away, more than the caller may wait."""

    wait: float
    usage: UsagePlan


class RateLimiter:
    """Hands out send slots per bucket key, on a clock (a scaled clock scales the waits)."""

    def __init__(self, backend: RateBackend, clock: Clock) -> None:
        self.backend = backend
        self.clock = clock

    @property
    def blocks(self) -> bool:
        """Whether the backend may block (a store, a server): its work then runs off the event loop."""
        return not isinstance(self.backend, MemoryBackend)

    def _epoch_now(self) -> float:
        return self.clock.now().timestamp()

    def usage_plan(self, key: str, rate: float | None, burst: int | None) -> UsagePlan | None:
        """The bucket's usage plan: Amazon's reported rate if known, else the catalog's; None if unlimited."""
        rate = self.backend.learned(key) or rate
        if not rate or rate <= 0:
            return None
        # on a clock S times faster (an emulator's), JITTER real seconds are S times as many of its own
        return UsagePlan(rate, burst or 1, 1 + int(JITTER * (self.clock.scale or 1.0) * rate))

    def reserve(
        self, key: str, rate: float | None, burst: int | None, max_wait: float = math.inf
    ) -> Reservation | TooFar | None:
        """Take the bucket's next slot, unless it is more than ``max_wait`` seconds away (then TooFar and
        nothing taken); None when the operation has no usage plan."""
        usage = self.usage_plan(key, rate, burst)
        if usage is None:
            return None
        taken: list[Reservation | TooFar] = []

        def take(bucket: Bucket) -> Bucket:
            now, monotonic = self._epoch_now(), self.clock.monotonic()
            slot, after = reserve_slot(bucket, usage, now)
            wait = after.start + after.shift + slot.offset - now
            if wait > max_wait:
                taken.append(TooFar(wait, usage))
                return bucket
            taken.append(Reservation(key, usage, slot, monotonic + due(after, slot, usage, now) - now))
            return after

        self.backend.update(key, take)
        return taken[-1]

    def ready_at(self, reservation: Reservation) -> float | None:
        """When the reservation may be used, on ``clock.monotonic()``; None when its time is more than
        an interval gone (Amazon's bucket may have filled up meanwhile and then a late call would
        arrive bunched with punctual ones: the caller must take a new slot)."""
        now, monotonic = self._epoch_now(), self.clock.monotonic()
        when = due(self.backend.read(reservation.key), reservation.slot, reservation.usage, now)
        ready = monotonic + (when - now)
        return None if replace(reservation, ready_at=ready).missed(monotonic) else ready

    def recheck(self, reservation: Reservation, max_wait: float = math.inf) -> Reservation | TooFar:
        """The reservation with its time looked at again; a missed one is given back and a new slot
        taken (within ``max_wait``)."""
        ready = self.ready_at(reservation)
        if ready is not None:
            return replace(reservation, ready_at=ready)
        self.answered(reservation)
        again = self.reserve(reservation.key, reservation.usage.rate, reservation.usage.burst, max_wait)
        assert again is not None
        return again

    def answered(self, reservation: Reservation) -> None:
        """Amazon answered the reserved call (whatever the status)."""
        if not reservation.in_burst:
            return
        now = self._epoch_now()
        self.backend.update(reservation.key, lambda b: anchor(b, reservation.slot, reservation.usage, now))

    def throttled(self, reservation: Reservation) -> None:
        self.backend.update(reservation.key, lambda b: drained(b, reservation.usage, self._epoch_now()))

    def observe(self, key: str, reported_rate: float | None, rate: float | None) -> None:
        """Amazon reported the bucket's rate (``rate``: the catalog's). A rate that differs from the one
        in use re-times the bucket at once, or the slots already counted at the old rate would hold
        calls back (a higher rate) or let them go too soon (a lower one)."""
        learned = self.backend.learned(key)
        if not reported_rate or reported_rate <= 0 or reported_rate == learned:
            return
        self.backend.learn(key, reported_rate)
        old = learned or rate
        if old and old > 0:
            self.backend.update(key, lambda b: retimed(b, old, reported_rate, self._epoch_now()))

    def settle(self, settlement: Settlement) -> None:
        """Everything an answer (or a failure) tells the bucket."""
        reservation = settlement.reservation
        if reservation is not None:
            self.answered(reservation)
            if settlement.throttled:
                self.throttled(reservation)
        self.observe(settlement.key, settlement.reported_rate, settlement.rate)


@dataclass(frozen=True, slots=True)
class Settlement:
    """What one attempt tells its bucket: its slot was used (None: it had none), whether Amazon
    answered 429, and the rate Amazon reported (``rate``: the catalog's)."""

    key: str
    reservation: Reservation | None
    throttled: bool = False
    reported_rate: float | None = None
    rate: float | None = None

    @property
    def needed(self) -> bool:
        """Whether the bucket must be told at all: a burst slot's answer anchors, a 429 drains, a
        rate other than the one in use re-times (answers to paced slots at the known rate change
        nothing, so they cost no trip to the backend)."""
        in_use = self.reservation.usage.rate if self.reservation is not None else None
        if self.reservation is not None and (self.reservation.in_burst or self.throttled):
            return True
        return bool(self.reported_rate) and self.reported_rate != in_use


@dataclass(frozen=True, slots=True)
class Reserve(Blocking[Reservation | TooFar | None]):
    """Take the next slot of the bucket ``key`` (see RateLimiter.reserve)."""

    limiter: RateLimiter = field(repr=False, compare=False)
    key: str
    rate: float | None
    burst: int | None
    max_wait: float = math.inf

    @property
    def blocks(self) -> bool:
        return self.limiter.blocks

    def perform(self) -> Reservation | TooFar | None:
        return self.limiter.reserve(self.key, self.rate, self.burst, self.max_wait)


@dataclass(frozen=True, slots=True)
class Recheck(Blocking[Reservation | TooFar]):
    """Look at a reservation's time again after sleeping (see RateLimiter.recheck)."""

    limiter: RateLimiter = field(repr=False, compare=False)
    reservation: Reservation
    max_wait: float = math.inf

    @property
    def blocks(self) -> bool:
        return self.limiter.blocks

    def perform(self) -> Reservation | TooFar:
        return self.limiter.recheck(self.reservation, self.max_wait)


@dataclass(frozen=True, slots=True)
class Settle(Blocking[None]):
    """Tell the bucket what an attempt's answer says (see RateLimiter.settle)."""

    limiter: RateLimiter = field(repr=False, compare=False)
    settlement: Settlement

    @property
    def blocks(self) -> bool:
        return self.limiter.blocks

    def perform(self) -> None:
        self.limiter.settle(self.settlement)


def bucket_key(
    client_id: str, selling_partner: str, region: str, operation: str, environment: str = PRODUCTION
) -> str:
    """Amazon meters calls per application and selling partner, in each region, per operation; its
    sandbox and each emulator meter their own (an emulator on its own clock)."""
    parts = (client_id, selling_partner, region, operation)
    return "\x1f".join(parts if environment == PRODUCTION else (*parts, environment))
