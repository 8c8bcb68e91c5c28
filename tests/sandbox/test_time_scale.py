"""The emulator on a scaled clock: virtual seconds in every answer, expiry and refill sped up."""

import time
from datetime import datetime

import httpx
import pytest

from amazon_connector.clock import ScaledClock
from amazon_connector.sandbox.server import running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.sandbox.conftest import access_token

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


@pytest.mark.timing
def test_a_scaled_clock_keeps_virtual_values_and_speeds_up_expiry():
    world = demo_world()
    app = {a["name"]: a for a in world.credentials()}["Demo Private App"]
    with (
        running_emulator(world, clock=ScaledClock(36_000)) as emulator,
        httpx.Client(base_url=emulator.url, timeout=10.0) as http,
    ):
        token = access_token(http, app, "UK")
        first = http.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
        assert first.status_code == 200
        assert first.headers["x-amzn-RateLimit-Limit"] == "0.016"
        time.sleep(0.15)  # 5400 virtual seconds: past the one-hour lifetime
        expired = http.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
        assert expired.status_code == 403
        assert expired.json()["errors"][0]["details"] == "The access token you provided has expired."


@pytest.mark.timing
def test_the_emulator_tells_its_clock_at_an_endpoint_and_on_every_answer():
    clock = ScaledClock(60)
    with running_emulator(demo_world(), clock=clock) as emulator, httpx.Client(base_url=emulator.url) as http:
        told = http.get("/_sandbox/clock").json()
        assert told["scale"] == 60.0
        now = datetime.fromisoformat(told["now"])
        assert abs((now - clock.now()).total_seconds()) < 60  # less than a real second apart
        for answer in (
            http.get(PARTICIPATIONS),  # SP-API, refused
            http.post("/auth/o2/token", data={}),  # Login with Amazon
            http.get("/nowhere"),
            http.get("/_sandbox/credentials"),
        ):
            scale, at = answer.headers["x-emulator-clock"].split("; ")
            assert scale == "scale=60.0"
            assert datetime.fromisoformat(at.removeprefix("now=")) >= now


def test_a_manual_clock_has_no_scale(http, clock):
    assert http.get("/_sandbox/clock").json() == {"scale": None, "now": "2026-01-01T00:00:00.000000Z"}
    assert http.get("/nowhere").headers["x-emulator-clock"] == "scale=manual; now=2026-01-01T00:00:00.000000Z"
