"""The runtime over real HTTP: calls, rate limits before 429, throttling retries, token renewal."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from amazon_connector import Connections
from amazon_connector.cli.app import _configure_logging
from amazon_connector.cli.context import show_notices
from amazon_connector.clock import ManualClock
from amazon_connector.errors import ConfigurationError, ThrottledError
from amazon_connector.sandbox.spapi.usage import UsagePlan
from tests.conftest import EmulatorProcess, app_settings, seller_in

RESTRICTED_APP = "Demo Private App (restricted)"
PARTICIPATIONS = "sellers/v1/getMarketplaceParticipations"
RDT_BODY = {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}]}


def connect(
    connections: Connections, emulator: Any, apps: dict[str, Any], country: str = "DE", **advanced: Any
):
    app = apps[RESTRICTED_APP]
    return connections.add(
        f"{country.lower()}-{len(connections.names())}",
        country=country,
        mode="restricted",
        refresh_token=seller_in(app, country)["refresh_token"],
        advanced=advanced,
        **app_settings(app, emulator),
    )


@pytest.fixture
def scaled(home: Path, emulator_clock: ManualClock):
    """Connections on the emulator's clock: waits for rate limits move that clock, not real time."""
    with Connections.open(home=home, clock=emulator_clock) as c:
        yield c


def test_call_and_acall_give_data_request_id_and_rate(scaled, emulator, apps):
    c = connect(scaled, emulator, apps)
    answer = c.call("getMarketplaceParticipations")
    assert answer.status == 200
    assert any(p["marketplace"]["countryCode"] == "DE" for p in answer.data)
    assert answer.body["payload"] == answer.data
    assert answer.request_id
    assert answer.rate_limit == 0.016
    again = asyncio.run(c.acall("sellers.getMarketplaceParticipations"))
    assert again.data == answer.data


SCALE = 25.0


@pytest.fixture
def fast():
    """The emulator in its own process, 25 times faster than real time (clients follow its clock)."""
    running = EmulatorProcess("--time-scale", str(SCALE))
    yield running
    running.close()


@pytest.mark.timing
def test_200_concurrent_calls_draw_no_429_and_share_one_token(home, fast):
    with Connections.open(home=home) as scaled:
        c = connect(scaled, fast, fast.apps, retries=0)
        clock = c.clock
        assert clock.scale == SCALE
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                c.call("createRestrictedDataToken", body=RDT_BODY)
            except BaseException as exc:
                errors.append(exc)

        async def tasks() -> None:
            results = await asyncio.gather(
                *(c.acall("createRestrictedDataToken", body=RDT_BODY) for _ in range(100)),
                return_exceptions=True,
            )
            errors.extend(r for r in results if isinstance(r, BaseException))

        start = clock.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(100)]
        for t in threads:
            t.start()
        asyncio.run(tasks())
        for t in threads:
            t.join()
        elapsed = clock.monotonic() - start
        assert errors == []
        assert fast.stats()["throttled"] == 0
        # rate 1/s, burst 10 of which 9 go at once: the last of 200 calls can go at 191 s at the earliest
        assert 191.0 <= elapsed <= 191.0 * 1.15
        assert c.timeline.token_cache.fetches == 1


def test_throttled_calls_wait_and_retry_then_raise_with_headers(home, emulator, apps, emulator_clock):
    # Two hosts sharing one seller, each with its own in-memory buckets: the second draws 429s.
    with (
        Connections.open(home=home, clock=emulator_clock, rate_limits="memory") as one,
        Connections.open(home=home, clock=emulator_clock, rate_limits="memory") as two,
    ):
        first = connect(one, emulator, apps, retries=0)
        for _ in range(9):
            first.call("createRestrictedDataToken", body=RDT_BODY)
        other = two.get(first.name)
        other.call("createRestrictedDataToken", body=RDT_BODY)  # Amazon's tenth token
        with pytest.raises(ThrottledError) as info:
            other.call("createRestrictedDataToken", body=RDT_BODY)
        error = info.value
        assert error.status == 429
        assert error.code == "QuotaExceeded"
        assert error.request_id
        assert "x-amzn-RequestId" in error.headers or "x-amzn-requestid" in error.headers

        retrying = two.edit(first.name, advanced={"retries": 2, "retry_wait": 1})
        before = emulator_clock.monotonic()
        assert retrying.call("createRestrictedDataToken", body=RDT_BODY).status == 200
        assert emulator_clock.monotonic() - before >= 1.0


def test_store_buckets_are_shared_by_every_user_of_the_store(home, emulator, apps, emulator_clock):
    with (
        Connections.open(home=home, clock=emulator_clock, rate_limits="store") as one,
        Connections.open(home=home, clock=emulator_clock, rate_limits="store") as two,
    ):
        first = connect(one, emulator, apps, retries=0)
        second = two.get(first.name)
        start = emulator_clock.monotonic()
        for _ in range(10):
            first.call("createRestrictedDataToken", body=RDT_BODY)
            second.call("createRestrictedDataToken", body=RDT_BODY)
        assert 10.0 <= emulator_clock.monotonic() - start <= 12.0


@pytest.mark.parametrize("rate_limits", ["memory", "store"])
@pytest.mark.parametrize(("amazons_rate", "least", "most"), [(1.0, 6.0, 7.0), (0.01, 600.0, 700.0)])
def test_a_reported_rate_retimes_the_bucket_at_once(
    home, emulator, apps, emulator_clock, rate_limits, amazons_rate, least, most
):
    # The catalog says 0.016/s, Amazon 1/s (or 0.01/s): after the first answer, calls follow Amazon's
    # rate, neither held back by the slots counted at the catalog's nor sent too soon.
    emulator.app.state.sandbox.usage.overrides[PARTICIPATIONS] = UsagePlan(amazons_rate, 15)
    with Connections.open(home=home, clock=emulator_clock, rate_limits=rate_limits) as connections:
        c = connect(connections, emulator, apps, retries=0)
        start = emulator_clock.monotonic()
        for _ in range(20):
            assert c.call("getMarketplaceParticipations").rate_limit == amazons_rate
        assert least <= emulator_clock.monotonic() - start <= most


def test_a_slot_wait_is_bounded_and_a_long_one_shows_on_the_terminal(
    home, emulator, apps, emulator_clock, capsys
):
    with Connections.open(home=home, clock=emulator_clock, rate_limits="memory", max_wait=30) as lib:
        c = connect(lib, emulator, apps, retries=0)
        for _ in range(14):  # the burst (15, one kept spare) goes at once; the next slot is 62.5 s away
            c.call("getMarketplaceParticipations")
        before = emulator_clock.monotonic()
        with pytest.raises(ThrottledError) as info:
            c.call("getMarketplaceParticipations")
        assert "was not sent: its rate-limit slot is 62 s away, more than the 30 s" in str(info.value)
        assert info.value.request_id is None
        assert emulator_clock.monotonic() == before
        assert emulator.app.state.sandbox.stats.count(PARTICIPATIONS) == 14
        _configure_logging(verbose=False, log_file=None)  # what the command line does
        try:
            assert c.call("getMarketplaceParticipations", max_wait=120).status == 200
        finally:
            show_notices(False)
        assert emulator_clock.monotonic() - before >= 62.0
        err = capsys.readouterr().err
        assert "getMarketplaceParticipations waits 62 s for its rate-limit slot" in err


def test_an_expired_access_token_is_renewed_once(connections, emulator, apps, emulator_clock):
    # The emulator's clock is a test's manual one, which a client does not follow: the connection's
    # clock is real time and only Amazon's moves, so only Amazon knows the token expired.
    c = connect(connections, emulator, apps)
    c.call("getMarketplaceParticipations")
    fetches = c.timeline.token_cache.fetches
    emulator_clock.advance(timedelta(hours=2).total_seconds())
    assert c.call("getMarketplaceParticipations").status == 200
    assert c.timeline.token_cache.fetches == fetches + 1


def test_parameters_are_checked_before_anything_is_sent(scaled, emulator, apps):
    c = connect(scaled, emulator, apps)
    with pytest.raises(ConfigurationError, match="has no parameter 'Colour'") as info:
        c.call("getMarketplaceParticipations", Colour="red")
    assert info.value.hint == "Its parameters are: none."
    with pytest.raises(ConfigurationError, match="needs the parameter 'reportId'"):
        c.call("getReport")
    with pytest.raises(ConfigurationError, match="ambiguous"):
        c.call("getAccount")


WORKER = """
import sys
from amazon_connector import Connections
from amazon_connector.cli.app import _configure_logging
body = {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}]}
with Connections.open(rate_limits=sys.argv[2]) as connections:  # on the emulator's clock
    connection = connections.get(sys.argv[3])
    assert connection.clock.scale == float(sys.argv[1])
    connection.authenticator.access_token()
    print("ready", flush=True)
    sys.stdin.readline()  # both processes start calling together, when both are ready
    for _ in range(10):
        connection.call("createRestrictedDataToken", body=body)
"""


@pytest.mark.timing
@pytest.mark.parametrize("rate_limits", ["store", "memory"])
def test_processes_sharing_a_store_share_its_buckets(home, fast, rate_limits):
    with Connections.open(home=home) as lib:
        name = connect(lib, fast, fast.apps, retries=0).name
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(SCALE), rate_limits, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for w in workers:
        assert w.stdout is not None
        assert w.stdout.readline() == "ready\n", w.communicate(timeout=60)[1]
    for w in workers:  # both start calling together
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    failures = [w.communicate(timeout=60)[1] for w in workers]
    throttled = fast.stats()["throttled"]
    if rate_limits == "store":
        assert throttled == 0, failures
        assert all(w.returncode == 0 for w in workers), failures
    else:  # each process thinks the whole burst is its own: Amazon refuses some
        assert throttled > 0
