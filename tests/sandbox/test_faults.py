"""Fault injection and request stats, over real HTTP: what the client sees, what the emulator did."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from amazon_connector.clock import ManualClock
from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.faults import Fault, parse_faults
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.sandbox.conftest import access_token, spapi

UK = get_marketplace("UK").marketplace_id
REPORTS = "/reports/2021-06-30/reports"
CREATE = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [UK]}


@contextmanager
def faulty(faults: str, seed: int = 0) -> Iterator[tuple[RunningEmulator, httpx.Client, str]]:
    """An emulator with ``faults``, a client, and a seller token of the private app (UK seller)."""
    world = demo_world(seed)
    app = {a["name"]: a for a in world.credentials()}["Demo Private App"]
    with (
        running_emulator(world, clock=ManualClock(), faults=faults) as emulator,
        httpx.Client(base_url=emulator.url, timeout=10.0) as http,
    ):
        yield emulator, http, access_token(http, app, "UK")


def reports_of(emulator: RunningEmulator) -> int:
    return len(emulator.app.state.sandbox.reports.all())


def test_parse_faults():
    assert parse_faults("500=0.05, 503=0.05,reset=0.02,slow=0.02@2.0") == (
        Fault("500", 0.05),
        Fault("503", 0.05),
        Fault("reset", 0.02),
        Fault("slow", 0.02, 2.0),
    )
    assert parse_faults("") == ()
    assert parse_faults("slow=0.1")[0].delay == 5.0
    for bad in ("404=0.1", "500", "500=x", "500=1.5", "500=0.6,503=0.6", "500=0.1@2", "500=0.1,500=0.1"):
        with pytest.raises(ConfigurationError):
            parse_faults(bad)


@pytest.mark.parametrize(
    ("kind", "status", "code", "processed"),
    [
        ("500", 500, "InternalFailure", 0),
        ("503", 503, "ServiceUnavailable", 0),
        ("500-after", 500, "InternalFailure", 1),
    ],
)
def test_error_faults(kind, status, code, processed):
    with faulty(f"{kind}=1") as (emulator, http, token):
        response = spapi(http, "POST", REPORTS, token, json=CREATE)
        assert response.status_code == status
        assert response.headers["x-amzn-RequestId"]
        assert response.headers["x-amzn-RateLimit-Limit"] == "0.0167"  # fault answers carry it too
        assert response.json()["errors"][0]["code"] == code
        assert reports_of(emulator) == processed
        assert emulator.app.state.sandbox.stats.count("reports/2021-06-30/createReport", status) == 1


@pytest.mark.parametrize(("kind", "processed"), [("reset", 0), ("reset-after", 1)])
def test_reset_drops_the_connection_without_an_answer(kind, processed):
    with faulty(f"{kind}=1") as (emulator, http, token):
        with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
            spapi(http, "POST", REPORTS, token, json=CREATE)
        assert reports_of(emulator) == processed
        assert emulator.app.state.sandbox.stats.snapshot() == {
            "reports/2021-06-30/createReport": {"reset": 1}
        }


def test_slow_answers_arrive_late():
    with faulty("slow=1@0.5") as (emulator, http, token):
        with pytest.raises(httpx.ReadTimeout):
            spapi(http, "POST", REPORTS, token, json=CREATE, timeout=0.2)
        assert reports_of(emulator) == 1
        assert spapi(http, "POST", REPORTS, token, json=CREATE).status_code == 202
        assert reports_of(emulator) == 2


def test_faults_spare_lwa_and_the_emulators_own_endpoints():
    with faulty("500=1") as (_, http, token):
        assert token  # the LWA token endpoint answered
        assert http.get("/_sandbox/credentials").status_code == 200


def outcomes(seed: int) -> list[int | str]:
    with faulty("500=0.2,503=0.1,reset=0.1", seed) as (_, http, token):
        seen: list[int | str] = []
        for _ in range(25):
            try:
                seen.append(spapi(http, "GET", "/orders/v0/orders/111-1111111-1111111", token).status_code)
            except httpx.RemoteProtocolError:
                seen.append("reset")
        return seen


def test_faults_are_deterministic_given_the_seed():
    first = outcomes(seed=3)
    assert first == outcomes(seed=3)
    assert {500, 503, 404, "reset"} <= set(first)
    assert first != outcomes(seed=4)


def test_stats_over_http_and_in_python():
    with faulty("") as (emulator, http, token):
        for _ in range(17):
            spapi(http, "GET", "/sellers/v1/marketplaceParticipations", token)
        spapi(http, "POST", REPORTS, token, json=CREATE)
        stats = emulator.app.state.sandbox.stats
        assert stats.count("sellers/v1/getMarketplaceParticipations", 200) == 15
        assert stats.throttled == 2
        body: dict[str, Any] = http.get("/_sandbox/stats").json()
        assert body["requests"] == {
            "reports/2021-06-30/createReport": {"202": 1},
            "sellers/v1/getMarketplaceParticipations": {"200": 15, "429": 2},
        }
        assert body["throttled"] == 2
        assert body["records"] == {"reports": 1, "feeds": 0, "documents": 0, "destinations": 0}
        assert body["documents_being_written"] == 0
        assert http.delete("/_sandbox/stats").status_code == 200
        assert http.get("/_sandbox/stats").json()["requests"] == {}
        assert stats.count() == 0


def test_serve_refuses_bad_faults_and_order_counts():
    from amazon_connector.sandbox.server import serve

    with pytest.raises(ConfigurationError, match="not valid"):
        serve(faults="boom=1")
    with pytest.raises(ConfigurationError, match="orders"):
        serve(orders=-1)
