"""The emulator for the benchmark, in its own process so that its CPU time is not the client's.

``python bench/emulator.py --port P --scale S --orders N [--listings L] [--report-rows R]
[--unlimited QUALIFIED_NAME ...]`` serves the demo world (N orders per seller and marketplace, L
listings per seller) on a clock running S times faster than real time; an ``--unlimited`` operation's
usage plan is raised so high that it never throttles (to measure client cost without waiting);
``--report-rows``: rows per marketplace of generated report documents.
"""

from __future__ import annotations

import argparse

import uvicorn

from amazon_connector.clock import ScaledClock
from amazon_connector.sandbox.app import create_app
from amazon_connector.sandbox.spapi.usage import UsagePlan
from amazon_connector.sandbox.world import DEFAULT_LISTINGS, demo_world

UNLIMITED = UsagePlan(rate=1e9, burst=1_000_000_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--orders", type=int, default=0)
    parser.add_argument("--listings", type=int, default=DEFAULT_LISTINGS)
    parser.add_argument("--unlimited", action="append", default=[])
    parser.add_argument("--report-rows", type=int, default=None)
    args = parser.parse_args()
    app = create_app(
        demo_world(orders_per_marketplace=args.orders, listings_per_seller=args.listings),
        ScaledClock(args.scale),
        report_rows=args.report_rows,
    )
    app.state.sandbox.usage.overrides.update(dict.fromkeys(args.unlimited, UNLIMITED))
    try:
        uvicorn.run(
            app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="off"
        )
    finally:
        app.state.sandbox.close()


if __name__ == "__main__":
    main()
