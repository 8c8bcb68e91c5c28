"""Clocks: the real one, a scaled one for the emulator, one that follows another process's clock (an
emulator's), and a settable one for tests of expiry rules.

Rate limits and retries wait on the clock, so a scaled or manual clock speeds their waits up too.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


def iso_utc(moment: datetime) -> str:
    """A moment as Amazon writes one: ISO 8601 in UTC with ``Z`` (a naive one taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Clock(Protocol):
    @property
    def scale(self) -> float | None:
        """How many times faster than real time the clock runs; None for one that moves only when told."""
        ...

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

    @property
    def scale(self) -> float:
        """How many times faster than real time the clock runs."""
        return 1.0

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
        self._scale = scale
        self._wall0 = datetime.now(UTC)
        self._mono0 = time.monotonic()

    @property
    def scale(self) -> float:
        return self._scale

    def monotonic(self) -> float:
        return self._mono0 + (time.monotonic() - self._mono0) * self._scale

    def now(self) -> datetime:
        return self._wall0 + timedelta(seconds=(time.monotonic() - self._mono0) * self._scale)


@dataclass(frozen=True, slots=True)
class _Course:
    """From the real instant ``real`` (``time.monotonic()``) on, a clock reads ``wall`` and ``mono``
    plus ``scale`` times the real seconds since."""

    real: float
    wall: datetime
    mono: float
    scale: float

    def wall_at(self, real: float) -> datetime:
        return self.wall + timedelta(seconds=(real - self.real) * self.scale)

    def mono_at(self, real: float) -> float:
        return self.mono + (real - self.real) * self.scale


class FollowedClock(_RealSleeps):
    """Follows a clock it is told about (an emulator's, in another process): from the last telling on it
    runs ``scale`` times faster than real time; until told, it is real time. Being told again moves
    ``now()`` to the new time at once, while ``monotonic()`` only changes its pace (it never goes back)."""

    def __init__(self) -> None:
        real = time.monotonic()
        self._course = _Course(real, datetime.now(UTC), real, 1.0)
        self._lock = threading.Lock()

    @property
    def scale(self) -> float:
        return self._course.scale

    def now(self) -> datetime:
        return self._course.wall_at(time.monotonic())

    def monotonic(self) -> float:
        return self._course.mono_at(time.monotonic())

    def at(self, real: float) -> datetime:
        """What ``now()`` read, or will read, at the real instant ``real`` (``time.monotonic()``)."""
        return self._course.wall_at(real)

    def follow(self, scale: float, now: datetime, real: float) -> None:
        """The followed clock read ``now`` at the real instant ``real`` and runs ``scale`` times faster
        than real time."""
        if not scale > 0:
            raise ValueError("time scale must be positive")
        with self._lock:
            current = time.monotonic()
            mono = self._course.mono_at(current)
            self._course = _Course(current, now + timedelta(seconds=(current - real) * scale), mono, scale)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._mono = 1000.0
        self._lock = threading.Lock()

    @property
    def scale(self) -> None:
        return None

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
