"""`orders export` run as a real process and killed with SIGKILL at 10 random moments, resumed each time:
the destination ends equal to the ground truth, and the runs resumed rather than started over.

The emulator runs in this process on a clock 1,500 times faster than real time, which the command follows
(issue 16): searchOrders is paced at its usage plan (one page per 180 s after a burst of 20: some 10 s of
real time for the 100 pages). The window ends four days before the emulator started, so every order in it
has finished its life (shipped or cancelled) and the ground truth holds still while the clock runs.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta

import httpx

from amazon_connector.clock import ScaledClock
from amazon_connector.connections import Connections
from amazon_connector.data.orders import ORDER_ITEMS, ORDERS
from amazon_connector.sandbox.server import running_emulator
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import demo_world
from tests.data.orders.conftest import RESTRICTED_APP, SEARCH_ORDERS, UK, differences, expected, held

KILLS = 10
ORDERS_PER_MARKETPLACE = 11_540
"""Placed over 30 days: about 10,000 of them in the 26 days of the window."""
SCALE = 1500


def test_an_export_killed_ten_times_ends_equal_to_the_ground_truth(home, tmp_path):
    world = demo_world(orders_per_marketplace=ORDERS_PER_MARKETPLACE)
    app = next(a for a in world.credentials() if a["name"] == RESTRICTED_APP)
    seller = next(s for s in app["sellers"] if "UK" in s["countries"])
    with running_emulator(world, clock=ScaledClock(SCALE)) as emulator:
        start = emulator.sandbox.orders.start
        since, until = start - timedelta(days=31), start - timedelta(days=4)
        with Connections.open(home=home) as connections:
            connections.add(
                "uk",
                country="UK",
                mode="restricted",
                app_id=app["app_id"],
                client_id=app["client_id"],
                client_secret=app["client_secret"],
                refresh_token=seller["refresh_token"],
                environment=emulator.url,
            ).verify_refresh_token()
        target = str(tmp_path / "orders.parquet")
        command = [
            sys.executable, "-m", "amazon_connector", "orders", "export", "-c", "uk", "--to", target,
            "--since", iso(since), "--until", iso(until), "--path", "api", "--quiet",
        ]  # fmt: skip
        env = {**os.environ, "AMAZON_CONNECTOR_HOME": str(home)}
        rng = random.Random(12)
        killed = completed = 0
        while killed < KILLS:
            child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0.5, 2.0))  # a random moment: starting, fetching, writing or finishing
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                killed += 1
            else:
                completed += 1  # it finished first: the next run exports afresh
            _, errors = child.communicate(timeout=120)
            assert b"Traceback" not in errors, errors.decode()
            assert child.returncode in (0, -signal.SIGKILL), errors.decode()
            visible = {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} - {"home"}
            assert visible <= {"orders.parquet", "orders.order_items.parquet"}  # no part of a file
            if visible:  # what a reader sees is a whole export (one that finished before its kill)
                assert len(held(target)[0]) >= 10_000
        final = subprocess.run(command, env=env, capture_output=True, timeout=600, check=False)
        assert final.returncode == 0, final.stderr.decode()
        truth = httpx.get(
            f"{emulator.url}/_sandbox/orders",
            params={"seller": seller["selling_partner_id"], "marketplace": UK},
            timeout=120,
        ).json()
        pages = sum(emulator.sandbox.stats.snapshot()[SEARCH_ORDERS].values())
    in_window = [t for t in truth if iso(since) <= t["purchased"] <= iso(until)]
    assert len(in_window) >= 10_000
    assert all(t["status"] in ("Shipped", "Canceled") for t in in_window)  # their lives are over
    want_orders, want_items = expected(in_window)
    got_orders, got_items = held(target)
    assert differences(got_orders, want_orders, ORDERS.key_of) == []
    assert differences(got_items, want_items, ORDER_ITEMS.key_of) == []
    # each run resumed where the last stopped, losing at most the page it was fetching (fresh starts
    # would have asked for all the pages each)
    whole = -(-len(in_window) // 100)
    assert pages <= whole * (completed + 1) + KILLS
