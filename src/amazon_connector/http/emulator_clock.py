"""Following an emulator's clock: its time scale and time, read from ``GET /_sandbox/clock`` once and
corrected from the ``x-emulator-clock`` header of every answer (``scale=60.0; now=…``), so that a client
in another process runs on the emulator's time and notices a restart with another scale.

Only connections whose environment is an emulator use this; Amazon's endpoints never do.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from amazon_connector.clock import FollowedClock
from amazon_connector.errors import TransportError
from amazon_connector.http.clients import HttpClients

CLOCK_PATH = "/_sandbox/clock"
CLOCK_HEADER = "x-emulator-clock"
READ_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
"""The clock's first reading waits no longer than this (an emulator that is down means real time)."""

clock_log = logging.getLogger("amazon_connector.clock")
"""The time scale adopted (INFO; the command line shows it on the terminal)."""


@dataclass(frozen=True, slots=True)
class ClockReading:
    """What an emulator says of its clock: its time scale (None: a test's clock that moves only when
    told, which is not followed) and its time."""

    scale: float | None
    now: datetime


def _reading(scale: Any, now: Any) -> ClockReading | None:
    try:
        moment = datetime.fromisoformat(str(now))
        told = None if scale in (None, "manual") else float(scale)
    except (TypeError, ValueError):
        return None
    if (told is not None and not told > 0) or moment.tzinfo is None:
        return None
    return ClockReading(told, moment.astimezone(UTC))


def parse_clock_header(value: str | None) -> ClockReading | None:
    """``scale=60.0; now=2026-01-01T00:00:00.000000Z`` (``scale=manual``); None when absent or malformed."""
    if not value:
        return None
    fields = dict(part.strip().partition("=")[::2] for part in value.split(";"))
    return _reading(fields.get("scale"), fields.get("now"))


def parse_clock_answer(response: httpx.Response) -> ClockReading | None:
    """The reading in ``GET /_sandbox/clock``'s JSON (``{"scale": 60.0, "now": "…"}``); None otherwise."""
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return _reading(body.get("scale"), body.get("now")) if isinstance(body, dict) else None


class EmulatorClock:
    """Keeps ``clock`` on the clock of the emulator at ``base_url``.

    A reading taken between the real instants ``sent`` and ``received`` was true at some moment in
    between, so it only moves the clock when it falls outside what the clock read over that span, and
    then only as far as its nearest end: the clock never moves on a slow answer, and every answer
    brings it closer. A new scale (a restart) is adopted at once, as if read when its request was sent:
    the clock is then ahead of the emulator's by less than that request took, and later answers can
    only hold it back, which never cuts a wait for a rate-limit slot short."""

    def __init__(self, base_url: str, clock: FollowedClock) -> None:
        self.base_url = base_url
        self.clock = clock
        self.scale: float | None = None
        """The scale followed (None: real time, as before the first reading or for a manual clock)."""
        self._lock = threading.Lock()
        self._first = threading.Lock()
        self._asked = False

    def read(self, http: HttpClients) -> None:
        """Ask the emulator for its clock, the first time only (callers meanwhile wait for the answer).
        When it cannot tell (it is down, or the URL is not an emulator's), time stays real until an
        answer carries the header."""
        if self._asked:
            return
        with self._first:
            if self._asked:
                return
            request = httpx.Request(
                "GET", self.base_url + CLOCK_PATH, extensions={"timeout": READ_TIMEOUT.as_dict()}
            )
            sent = time.monotonic()
            try:
                response = http.send(request, service="the emulator's clock")
            except TransportError as exc:
                clock_log.debug("Could not read the clock of %s: %s", self.base_url, exc.message)
            else:
                self.observe(parse_clock_answer(response), sent, time.monotonic())
            self._asked = True

    def observe(self, reading: ClockReading | None, sent: float, received: float) -> None:
        """A reading the emulator gave in an answer to a request sent at the real instant ``sent``
        (``time.monotonic()``) and received at ``received``."""
        if reading is None:
            return
        with self._lock:
            if reading.scale != self.scale:
                self._adopt(reading, sent)
            elif reading.scale is not None:
                if reading.now < self.clock.at(sent):
                    self.clock.follow(reading.scale, reading.now, sent)
                elif reading.now > self.clock.at(received):
                    self.clock.follow(reading.scale, reading.now, received)

    def _adopt(self, reading: ClockReading, real: float) -> None:
        before = self.scale or 1.0
        self.scale = reading.scale
        if reading.scale is None:
            self.clock.follow(1.0, datetime.now(UTC), time.monotonic())
        else:
            self.clock.follow(reading.scale, reading.now, real)
        if (reading.scale or 1.0) != before:
            clock_log.info(
                "The emulator at %s runs %s; so do this connection's rate limits, token lifetimes and waits.",
                self.base_url,
                f"{reading.scale:g} times faster than real time" if reading.scale else "in real time",
            )


class FollowingClients(HttpClients):
    """HttpClients whose every answer keeps an EmulatorClock on time (see HttpClients for the options)."""

    def __init__(self, follower: EmulatorClock, **options: Any) -> None:
        super().__init__(**options)
        self.follower = follower

    def send(self, request: httpx.Request, *, service: str) -> httpx.Response:
        sent = time.monotonic()
        response = super().send(request, service=service)
        self.follower.observe(parse_clock_header(response.headers.get(CLOCK_HEADER)), sent, time.monotonic())
        return response

    async def asend(self, request: httpx.Request, *, service: str) -> httpx.Response:
        sent = time.monotonic()
        response = await super().asend(request, service=service)
        self.follower.observe(parse_clock_header(response.headers.get(CLOCK_HEADER)), sent, time.monotonic())
        return response
