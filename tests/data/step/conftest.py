"""A busy emulator (orders to ship) on a scaled clock, and a connection `uk` to its UK seller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from amazon_connector import Connections
from amazon_connector.clock import ScaledClock
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.conftest import connect_uk_seller


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(demo_world(orders_per_marketplace=200), clock=ScaledClock(100)) as running:
        yield running


@pytest.fixture
def seller(emulator, home) -> dict[str, Any]:
    """The UK seller, with a connection `uk` to it in the test's store."""
    return connect_uk_seller(emulator, home)


@pytest.fixture
def connections(home, seller) -> Iterator[Connections]:
    with Connections.open(home=home) as opened:
        yield opened
