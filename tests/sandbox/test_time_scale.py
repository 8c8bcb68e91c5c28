"""The emulator on a scaled clock: virtual seconds in every answer, expiry and refill sped up."""

import time

import httpx

from amazon_connector.clock import ScaledClock
from amazon_connector.sandbox.server import running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.sandbox.conftest import access_token

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


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
