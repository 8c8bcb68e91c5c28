"""Connections to an emulator run on the emulator's clock: read once, kept on time by its answers,
a restart with another scale noticed; Amazon's environments and a clock given to open() never read it."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from amazon_connector import Connections
from amazon_connector.clock import SYSTEM_CLOCK, Clock, FollowedClock, ManualClock, ScaledClock
from amazon_connector.connections.connection import Connection
from amazon_connector.errors import TransportError
from amazon_connector.http.clients import HttpClients
from amazon_connector.http.emulator_clock import (
    ClockReading,
    EmulatorClock,
    parse_clock_header,
)
from amazon_connector.runtime.limiter import (
    CLOCK_STEP,
    Bucket,
    MemoryBackend,
    RateLimiter,
    UsagePlan,
    bucket_key,
    reserve_slot,
)
from amazon_connector.sandbox.app import create_app
from amazon_connector.sandbox.world import demo_world
from amazon_connector.serving import ServerThread
from tests.conftest import app_settings, seller_in

SCALE = 100.0
RESTRICTED_APP = "Demo Private App (restricted)"
CHEAP = "getMarketplaceParticipations"
"""Usage plan 0.016 calls/s, burst 15: its 17th call waits two minutes after the burst (at real time)."""


@dataclass
class Served:
    """An emulator on 127.0.0.1 whose requests' paths are recorded."""

    url: str
    port: int
    clock: Clock
    app: Any
    paths: list[str] = field(default_factory=list)

    @property
    def apps(self) -> dict[str, dict[str, Any]]:
        return {app["name"]: app for app in self.app.state.sandbox.world.credentials()}

    @property
    def throttled(self) -> int:
        return int(self.app.state.sandbox.stats.throttled)


@contextmanager
def serve(clock: Clock, port: int = 0) -> Iterator[Served]:
    app = create_app(demo_world(), clock)
    paths: list[str] = []

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            paths.append(scope["path"])
        await app(scope, receive, send)

    with ServerThread(recording, port=port) as server:
        yield Served(f"http://127.0.0.1:{server.port}", server.port, clock, app, paths)


@pytest.fixture
def scaled() -> Iterator[Served]:
    with serve(ScaledClock(SCALE)) as served:
        yield served


def connect(connections: Connections, emulator: Any, name: str = "de", **more: Any) -> Connection:
    app = emulator.apps[RESTRICTED_APP] if isinstance(emulator, Served) else more.pop("app")
    return connections.add(
        name,
        country="DE",
        mode="restricted",
        refresh_token=seller_in(app, "DE")["refresh_token"],
        **{**app_settings(app, emulator), **more},
    )


def test_a_connection_to_an_emulator_runs_on_its_clock(connections, scaled):
    c = connect(connections, scaled)
    assert scaled.paths == ["/_sandbox/clock"]  # read once, for the client secret's issue date
    before = scaled.clock.now()
    now = c.clock.now()
    after = scaled.clock.now()
    assert c.clock.scale == SCALE
    assert before - timedelta(seconds=10) <= now <= after + timedelta(seconds=10)  # 0.1 s of real time
    for _ in range(17):  # two calls past the burst: paced at 62.5 s of the emulator's time each
        c.call(CHEAP)
    assert scaled.throttled == 0
    token = c.authenticator.access_token()  # issued at the first call for an hour of the emulator's
    assert abs(token.expires_at - (after + timedelta(hours=1))) < timedelta(seconds=30)
    other = connect(connections, scaled, "de-2")
    other.call(CHEAP)
    assert other.clock is c.clock
    assert scaled.paths.count("/_sandbox/clock") == 1  # once per emulator, then its answers tell


def test_a_clock_given_to_open_is_every_connection_s_clock(home, scaled):
    clock = ManualClock(datetime.now(UTC))
    with Connections.open(home=home, clock=clock) as connections:
        c = connect(connections, scaled)
        assert c.clock is clock
        c.call(CHEAP)
        assert c.clock is clock
    assert "/_sandbox/clock" not in scaled.paths


def test_a_manual_clock_is_not_followed(connections, emulator, apps, emulator_clock):
    c = connect(connections, emulator, app=apps[RESTRICTED_APP])
    emulator_clock.advance(timedelta(days=1).total_seconds())
    c.call(CHEAP)
    assert c.clock.scale == 1.0
    assert abs(c.clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_restart_with_another_scale_is_noticed(connections, caplog):
    caplog.set_level(logging.INFO, logger="amazon_connector.clock")
    with serve(ScaledClock(SCALE)) as first:
        c = connect(connections, first, advanced={"retries": 3})
        c.call(CHEAP)
        clock, port = c.clock, first.port
        assert clock.scale == SCALE
        ahead = clock.monotonic()
    time.sleep(0.5)  # 50 s of the first emulator's time: it ran ahead of real time
    with serve(ScaledClock(10.0), port=port) as second:
        c.call(CHEAP)
        assert clock.scale == 10.0
        assert clock.monotonic() >= ahead  # never goes back
        assert abs(clock.now() - second.clock.now()) < timedelta(seconds=1)  # moved back to the emulator's
    notices = [r.getMessage() for r in caplog.records if r.name == "amazon_connector.clock"]
    assert notices == [
        f"The emulator at {first.url} runs 100 times faster than real time; so do this connection's rate "
        "limits, token lifetimes and waits.",
        f"The emulator at {first.url} runs 10 times faster than real time; so do this connection's rate "
        "limits, token lifetimes and waits.",
    ]


class _Listener:
    """A proxy that records who connects and answers nothing."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                peer, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            peer.close()

    def close(self) -> None:
        self.socket.close()


@pytest.mark.parametrize("environment", ["production", "sandbox"])
def test_amazon_s_environments_never_read_an_emulator_clock(home, scaled, monkeypatch, environment):
    listener = _Listener()
    for name in ("HTTPS_PROXY", "HTTP_PROXY"):  # every request to Amazon would reach the listener
        monkeypatch.setenv(name, f"http://127.0.0.1:{listener.port}")
    try:
        with Connections.open(home=home) as connections:
            c = connect(connections, scaled, environment=environment, advanced={"retries": 0})
            assert c.clock is SYSTEM_CLOCK
            assert c.caller.clock is SYSTEM_CLOCK
            assert c.lwa.clock is SYSTEM_CLOCK
            connections.applications.status()
            assert listener.accepted == 0  # the first use of the clock sent nothing anywhere
            answer = c.http.send(httpx.Request("GET", f"{scaled.url}/nowhere"), service="test")
            assert answer.headers["x-emulator-clock"].startswith("scale=100.0; ")
            assert type(c.http) is HttpClients
            assert c.clock.scale == 1.0
            with pytest.raises(TransportError):
                c.call(CHEAP)
            assert listener.accepted >= 1  # requests to Amazon do reach the listener
    finally:
        listener.close()
    assert "/_sandbox/clock" not in scaled.paths


def test_the_command_line_shows_the_scale_once(run, home, scaled):
    with Connections.open(home=home) as connections:
        name = connect(connections, scaled).name
    result = run("call", CHEAP, "-c", name)
    assert result.stderr.count("times faster than real time") == 1
    assert f"The emulator at {scaled.url} runs 100 times faster than real time" in result.stderr


def test_quiet_commands_show_no_notices(run, home, scaled, tmp_path):
    with Connections.open(home=home) as connections:
        name = connect(connections, scaled).name
    for command in (["orders", "export", "--since", "2d"], ["orders", "sync", "--since", "2d"]):
        result = run(*command, "-c", name, "--to", str(tmp_path / f"{command[1]}.csv"), "--quiet")
        assert result.stderr == ""  # cron mails any output


class _Ahead(ScaledClock):
    """An emulator's clock that has run for a month ahead of real time (a long-running emulator)."""

    def now(self) -> datetime:
        return super().now() + timedelta(days=30)


def test_a_window_relative_to_now_is_on_the_emulator_s_clock(run, home, tmp_path):
    with serve(_Ahead(SCALE)) as ahead:
        with Connections.open(home=home) as connections:
            name = connect(connections, ahead).name
        result = run("orders", "export", "-c", name, "--since", "2d", "--to", str(tmp_path / "o.csv"))
        start = datetime.fromisoformat(result.stderr.split("window ")[1].split(" ")[0])
        assert abs(start - (ahead.clock.now() - timedelta(days=2))) < timedelta(hours=1), result.stderr


class _Jumping(ScaledClock):
    """An emulator's clock that can be moved on at once (as if much time had passed)."""

    ahead = timedelta(0)

    def now(self) -> datetime:
        return super().now() + self.ahead


def test_restricted_data_tokens_expire_on_the_emulator_s_clock(home):
    clock = _Jumping(SCALE)
    with serve(clock) as jumping, Connections.open(home=home) as connections:
        c = connect(connections, jumping)
        stats = jumping.app.state.sandbox.stats
        created_after = (clock.now() - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
        orders = c.call(
            "getOrders", MarketplaceIds=[c.marketplace.marketplace_id], CreatedAfter=created_after
        )
        order_id = orders.data["Orders"][0]["AmazonOrderId"]
        c.call("getOrderAddress", orderId=order_id)
        rdts = sum(stats.snapshot()["tokens/2021-03-01/createRestrictedDataToken"].values())
        c.call("getOrderAddress", orderId=order_id)  # with the same token
        clock.ahead = timedelta(hours=2)  # past the hour each token lives
        c.call(CHEAP)  # its answer tells the client the emulator's time
        c.call("getOrderAddress", orderId=order_id)
        snapshot = stats.snapshot()
    assert (
        sum(snapshot["tokens/2021-03-01/createRestrictedDataToken"].values()) == rdts + 1
    )  # a new one, in time
    assert set(snapshot["orders/v0/getOrderAddress"]) == {"200"}  # no expired token was sent


# --- the rules, directly ---------------------------------------------------------------------


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_header_is_read_or_ignored():
    assert parse_clock_header("scale=60.0; now=2026-01-01T00:00:00.000000Z") == ClockReading(60.0, T0)
    assert parse_clock_header("scale=manual; now=2026-01-01T00:00:00.000000Z") == ClockReading(None, T0)
    for bad in (None, "", "scale=fast; now=2026-01-01T00:00:00Z", "scale=0; now=2026-01-01T00:00:00Z"):
        assert parse_clock_header(bad) is None
    assert parse_clock_header("scale=2; now=2026-01-01T00:00:00") is None  # no time zone
    assert parse_clock_header("now=2026-01-01T00:00:00Z") == ClockReading(None, T0)


def test_a_followed_clock_jumps_to_the_time_told_but_never_goes_back():
    clock = FollowedClock()
    assert clock.scale == 1.0
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)
    real = time.monotonic()
    clock.follow(100.0, T0, real)
    assert abs(clock.at(real) - T0) < timedelta(milliseconds=1)
    assert abs(clock.at(real + 1.0) - (T0 + timedelta(seconds=100))) < timedelta(milliseconds=1)
    before = clock.monotonic()
    clock.follow(2.0, T0 - timedelta(days=1), time.monotonic())
    assert clock.monotonic() >= before
    assert clock.scale == 2.0
    assert abs(clock.now() - (T0 - timedelta(days=1))) < timedelta(seconds=1)


def test_an_answer_moves_the_clock_only_when_it_falls_outside_the_request_s_span():
    clock = FollowedClock()
    follower = EmulatorClock("http://127.0.0.1:1", clock)
    sent = time.monotonic()
    follower.observe(ClockReading(100.0, T0), sent, sent + 0.02)  # as if read when sent: ahead
    assert abs(clock.at(sent) - T0) < timedelta(milliseconds=1)
    start, end = clock.at(sent), clock.at(sent + 0.02)  # 2 s of the emulator's time apart
    follower.observe(ClockReading(100.0, start + timedelta(seconds=0.5)), sent, sent + 0.02)
    assert clock.at(sent) == start  # inside the span: it was true at some moment of it
    follower.observe(ClockReading(100.0, start - timedelta(seconds=3)), sent, sent + 0.02)
    assert abs(clock.at(sent) - (start - timedelta(seconds=3))) < timedelta(milliseconds=1)
    follower.observe(ClockReading(100.0, end + timedelta(seconds=4)), sent, sent + 0.02)
    assert abs(clock.at(sent + 0.02) - (end + timedelta(seconds=4))) < timedelta(milliseconds=1)
    follower.observe(None, sent, sent + 0.02)  # an answer without the header changes nothing
    follower.observe(ClockReading(None, T0), sent, sent + 0.02)  # a manual clock: back to real time
    assert follower.scale is None
    assert clock.scale == 1.0
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)


def test_a_bucket_whose_epoch_starts_in_the_future_is_void():
    plan = UsagePlan(rate=1.0, burst=5)
    now = 1_000_000.0
    queued = Bucket(tat=now + 500, epoch=3, start=now + 400, issued=400)  # the clock went back 400 s
    slot, after = reserve_slot(queued, plan, now)
    assert (slot.epoch, slot.offset, after.start) == (4, 0.0, now)  # a new burst, at once
    nearly = Bucket(tat=now + 500, epoch=3, start=now + CLOCK_STEP - 1, issued=400)  # another process
    slot, after = reserve_slot(nearly, plan, now)
    assert slot.epoch == 3
    assert after.tat == now + 501.0


def test_an_emulator_s_buckets_are_its_own():
    amazon = bucket_key("app", "seller", "eu-west-1", "sellers/v1/getMarketplaceParticipations")
    assert amazon == "app\x1fseller\x1feu-west-1\x1fsellers/v1/getMarketplaceParticipations"
    assert bucket_key("app", "seller", "eu-west-1", "op", "http://127.0.0.1:8765").endswith(
        "\x1fhttp://127.0.0.1:8765"
    )
    assert bucket_key("app", "seller", "eu-west-1", "op", "sandbox") != bucket_key(
        "app", "seller", "eu-west-1", "op"
    )


def test_a_faster_clock_keeps_more_tokens_spare():
    # 0.1 s of real jitter is 10 s of a clock 100 times faster: five getOrderItems intervals more
    followed = FollowedClock()
    followed.follow(100.0, T0, time.monotonic())
    fast, real = RateLimiter(MemoryBackend(), followed), RateLimiter(MemoryBackend(), SYSTEM_CLOCK)
    assert fast.usage_plan("k", 0.5, 30) == UsagePlan(0.5, 30, spare=6)
    assert UsagePlan(0.5, 30, spare=6).headroom == 24
    assert real.usage_plan("k", 0.5, 30) == UsagePlan(0.5, 30, spare=1)
    assert real.usage_plan("k", 20.0, 40) == UsagePlan(20.0, 40, spare=3)  # at Amazon too
    assert fast.usage_plan("k", 0.0167, 20) == UsagePlan(0.0167, 20, spare=1)
