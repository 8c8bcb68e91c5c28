"""Clocks: the real one, a scaled one for the emulator, and a settable one for tests of expiry rules.

Rate limits and retries wait on the clock, so a scaled or manual clock speeds their waits up too.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    def sleep_until(self, instant: float) -> None:
        """Block until ``monotonic()`` reaches ``instant``."""
        ...

    async def asleep_until(self, instant: float) -> None:
        """The async twin of sleep_until."""
        ...


class _RealSleeps:
    """Sleeping for clocks that follow real time at some rate."""

    scale = 1.0

    def monotonic(self) -> float:
        raise NotImplementedError

    def _real_seconds_until(self, instant: float) -> float:
        return max(0.0, (instant - self.monotonic()) / self.scale)

    def sleep_until(self, instant: float) -> None:
        while (delay := self._real_seconds_until(instant)) > 0:
            time.sleep(delay)

    async def asleep_until(self, instant: float) -> None:
        while (delay := self._real_seconds_until(instant)) > 0:
            await asyncio.sleep(delay)


class SystemClock(_RealSleeps):
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class ScaledClock(_RealSleeps):
    """Runs ``scale`` times faster than real time, from the moment it is made."""

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale
        self._wall0 = datetime.now(UTC)
        self._mono0 = time.monotonic()

    def monotonic(self) -> float:
        return self._mono0 + (time.monotonic() - self._mono0) * self.scale

    def now(self) -> datetime:
        return self._wall0 + timedelta(seconds=(time.monotonic() - self._mono0) * self.scale)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._mono += seconds

    def sleep_until(self, instant: float) -> None:
        """Sleeping moves the clock forward to ``instant`` at once (never back)."""
        with self._lock:
            ahead = instant - self._mono
            if ahead > 0:
                self._now += timedelta(seconds=ahead)
                self._mono = instant

    async def asleep_until(self, instant: float) -> None:
        self.sleep_until(instant)
        await asyncio.sleep(0)


SYSTEM_CLOCK = SystemClock()
