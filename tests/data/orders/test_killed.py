"""`orders export` run as a real process and killed with SIGKILL at 10 random moments, resumed each time:
the destination ends equal to the ground truth, and the runs resumed rather than started over.

The emulator runs in this process on a clock that stands still, with searchOrders' usage plan lifted, so
that the world does not move while the export runs: the `amazon-connector` process keeps real time and
cannot follow a scaled emulator's clock until issue 16 lets the runtime do so; then this test can run
at the usage plans' pace on the emulator's time scale instead.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from amazon_connector.data.orders import ORDER_ITEMS, ORDERS
from tests.data.orders.conftest import SEARCH_ORDERS, differences, expected, held

KILLS = 10
PAGES = 100


def test_an_export_killed_ten_times_ends_equal_to_the_ground_truth(make_world, home, tmp_path):
    world = make_world(orders=10_000, rate_limits="store")
    world.unlimited(SEARCH_ORDERS)
    world.connect()
    target = str(tmp_path / "orders.parquet")
    command = [
        sys.executable, "-m", "amazon_connector", "orders", "export", "-c", "uk", "--to", target,
        "--since", world.since().isoformat(), "--path", "api", "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "AMAZON_CONNECTOR_HOME": str(home)}
    rng = random.Random(12)
    killed = completed = 0
    while killed < KILLS:
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(1.0, 4.0))  # a random moment: starting, fetching, writing or finishing
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        else:
            completed += 1  # it finished first: the next run exports afresh
        _, errors = child.communicate(timeout=120)
        assert b"Traceback" not in errors, errors.decode()
        assert child.returncode in (0, -signal.SIGKILL), errors.decode()
        assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir() if p.name.startswith("orders."))
    final = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)
    assert final.returncode == 0, final.stderr.decode()
    want_orders, want_items = expected(world.truth())
    got_orders, got_items = held(target)
    assert differences(got_orders, want_orders, ORDERS.key_of) == []
    assert differences(got_items, want_items, ORDER_ITEMS.key_of) == []
    assert len(got_orders) == 10_000
    pages = sum(world.emulator.sandbox.stats.snapshot()[SEARCH_ORDERS].values())
    # each run resumed where the last stopped, losing at most the page it was fetching (fresh starts
    # would have asked for 100 pages each)
    assert pages <= PAGES * (completed + 1) + KILLS
