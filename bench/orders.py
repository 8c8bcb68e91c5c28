"""(f) Orders into a destination: an export of ``--orders`` orders (default 10,000) with their items into a
Parquet file, on a clock running ``--scale`` times faster than real time, by each way there is:

* Orders v2026-01-01 through the API (searchOrders, pages of 100 with items);
* Orders v0 through the API (getOrders, pages of 100, and getOrderItems for each order);
* the order report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL), whatever the API version.

For each: the time taken over the least the usage plans allow (the API paths, on the scaled clock; the
report's least is the emulator's processing, 30 s, which no usage plan sets, and it runs in real time),
the 429s the emulator answered, the client's CPU per order and its peak memory (each export runs in a
process of its own, against an emulator of its own in another).

Run with ``.venv/bin/python bench/run.py --only export`` (or ``bench/orders.py`` directly).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import Emulator, connect, emulator, least  # bench/common.py

from amazon_connector import Connections
from amazon_connector.clock import ScaledClock
from amazon_connector.sandbox.spapi.jobs import PROCESSING, QUEUED

HERE = Path(__file__).resolve().parent
VARIANTS = {
    "v2026-01-01 API": {"api": "2026-01-01", "path": "api"},
    "v0 API": {"api": "v0", "path": "api"},
    "order report": {"api": "2026-01-01", "path": "report"},
}


def export(url: str, app: dict[str, object], scale: float, api: str, path: str) -> dict[str, float]:
    """One export in this process (the child's side): what it took."""
    from amazon_connector.data.orders import OrderQuery, export_orders

    clock = ScaledClock(scale)
    with tempfile.TemporaryDirectory() as home, Connections.open(home=home, clock=clock) as connections:
        connection = connect(connections, Emulator(url, app))
        query = OrderQuery(since=clock.now() - timedelta(days=31), api=api, path=path, buyer_data=False)
        start, cpu = clock.monotonic(), time.process_time()
        result = export_orders(connection, str(Path(home) / "orders.parquet"), query)
        elapsed, cpu = clock.monotonic() - start, time.process_time() - cpu
    return {
        "elapsed": elapsed,
        "cpu": cpu,
        "orders": result.orders,
        "items": result.items,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_export(orders: int, scale: float) -> None:
    print(f"(f) an export of {orders} orders with their items into Parquet")
    print("    | way | time scale | measured ÷ least | 429s | CPU per order | peak memory | orders, items |")
    for name, how in VARIANTS.items():
        # the report's time is the client's work and Amazon's processing, which a time scale would only
        # multiply: it runs in real time
        speed = scale if how["path"] == "api" else 1.0
        with emulator(scale=speed, orders=orders) as emu:
            command = [sys.executable, __file__, "--child", emu.url, json.dumps(emu.app), str(speed)]
            child = subprocess.run(  # noqa: S603 (our own script)
                [*command, how["api"], how["path"]], capture_output=True, text=True, check=False
            )
            if child.returncode != 0:
                raise SystemExit(f"{name} failed:\n{child.stderr}")
            taken = json.loads(child.stdout.splitlines()[-1])
            stats = emu.stats()
        # the report's least is the emulator's processing, which no usage plan sets
        floor = (QUEUED + PROCESSING).total_seconds() if how["path"] == "report" else least(stats["requests"])
        ratio = f"{taken['elapsed'] / floor:.3f}" if floor else "— (within the burst)"
        print(
            f"    | {name} | {speed:g} | {taken['elapsed']:.0f} s ÷ {floor:.0f} s = {ratio} "
            f"| {stats['throttled']} | {taken['cpu'] / max(taken['orders'], 1) * 1e6:.0f} µs "
            f"| {taken['peak_mb']:.0f} MB | {taken['orders']}, {taken['items']} |",
            flush=True,
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, app, scale, api, path = sys.argv[2:7]
        print(json.dumps(export(url, json.loads(app), float(scale), api, path)))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "--orders", type=int, default=10_000, help="orders in the marketplace (default 10,000)"
    )
    parser.add_argument("--scale", type=float, default=200, help="time scale (default 200)")
    args = parser.parse_args()
    bench_export(args.orders, args.scale)


if __name__ == "__main__":
    main()
