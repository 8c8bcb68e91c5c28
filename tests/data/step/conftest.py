"""A busy emulator (orders to ship) on a scaled clock, and a connection `uk` to its UK seller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from amazon_connector import Connections
from amazon_connector.clock import ScaledClock
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.conftest import app_settings, seller_in


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(demo_world(orders_per_marketplace=200), clock=ScaledClock(100)) as running:
        yield running


@pytest.fixture
def seller(emulator, home) -> dict[str, Any]:
    app = {a["name"]: a for a in emulator.world.credentials()}["Demo Private App (restricted)"]
    found = seller_in(app, "UK")
    with Connections.open(home=home) as connections:
        connections.add(
            "uk",
            country="UK",
            mode="restricted",
            refresh_token=found["refresh_token"],
            selling_partner_id=found["selling_partner_id"],
            **app_settings(app, emulator),
        )
    return found


@pytest.fixture
def connections(home, seller) -> Iterator[Connections]:
    with Connections.open(home=home) as opened:
        yield opened
