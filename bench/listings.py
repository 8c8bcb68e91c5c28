"""(g) Listing updates at the usage plans' limit: ``--skus`` price and stock changes (5,000 by default)
sent once by patches and once by JSON_LISTINGS_FEED against the emulator (in its own process, on a clock
running ``--scale`` times faster, which the client follows), each timed over the least its usage plans
allow, with the 429s the emulator counted.

The least time of each way, in virtual seconds:

* patches: the product-type lookups (searchListingsItems, 20 SKUs a call, 5/s burst 5) and one
  patchListingsItem per SKU (5/s burst 5), the two chains side by side;
* feed: the lookups, then the emulator's processing of the feed (10 s queued, 20 s in progress), the
  few document and feed calls going within their bursts.

Run with ``.venv/bin/python bench/run.py --only listings [--skus N] [--listings-scale S]`` (or
``bench/listings.py [--skus N] [--scale S]`` directly).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
import urllib.request
from pathlib import Path

from common import Emulator, connect, earliest_end, emulator, usage_plan  # bench/common.py

from amazon_connector import Connections
from amazon_connector.api.catalog import catalog
from amazon_connector.data.listings import What, update_listings
from amazon_connector.data.results import Outcome
from amazon_connector.data.sources import open_source
from amazon_connector.sandbox.spapi.jobs import PROCESSING, QUEUED

LOOKUP = "listings-items/2021-08-01/searchListingsItems"
PATCH = "listings-items/2021-08-01/patchListingsItem"
BATCH = 20


def write_input(emu: Emulator, skus: int, path: Path) -> int:
    """Price (and merchant-fulfilled stock) changes for ``skus`` of the seller's listings; how many."""
    seller = emu.seller["selling_partner_id"]
    with urllib.request.urlopen(f"{emu.url}/_sandbox/listings/{seller}") as answer:  # noqa: S310 (loopback)
        listed = json.load(answer)[:skus]
    rows = ["sku,price,quantity"]
    for n, listing in enumerate(listed):
        offer = listing["attributes"]["purchasable_offer"][0]
        floor = offer.get("minimum_seller_allowed_price", [{"schedule": [{"value_with_tax": 0}]}])
        price = max(20 + n % 50, floor[0]["schedule"][0]["value_with_tax"] + 1)
        quantity = "" if listing["channel"] != "DEFAULT" else str(n % 90 + 1)
        rows.append(f"{listing['sku']},{price:.2f},{quantity}")
    path.write_text("\n".join(rows) + "\n")
    return len(listed)


def least(via: str, skus: int) -> float:
    """The least virtual seconds the usage plans (and the feed's processing) allow."""
    lookups = earliest_end(math.ceil(skus / BATCH), *usage_plan(catalog().get(LOOKUP)), lambda k: 0.0)
    if via == "patches":
        return max(lookups, earliest_end(skus, *usage_plan(catalog().get(PATCH)), lambda k: 0.0))
    return lookups + (QUEUED + PROCESSING).total_seconds()


def measure_way(via: str, skus: int, scale: float, rate_limits: str) -> None:
    with emulator(scale=scale, listings=skus) as emu, tempfile.TemporaryDirectory() as home:
        source = Path(home) / "updates.csv"
        count = write_input(emu, skus, source)
        with Connections.open(home=home, rate_limits=rate_limits) as connections:  # type: ignore[arg-type]
            connection = connect(connections, emu)
            clock = connection.clock  # the emulator's, read from it
            start, cpu = clock.monotonic(), time.process_time()
            report = update_listings(connection, open_source(str(source)), What.LISTINGS, via=via)  # type: ignore[arg-type]
            elapsed, cpu = clock.monotonic() - start, time.process_time() - cpu
        stats = emu.stats()
    accepted = sum(r.outcome is not Outcome.ERROR for r in report.results)
    throttled = sum(c.get("429", 0) for c in stats["requests"].values())
    bound = least(via, count)
    print(f"    by {via}: {count} SKUs, {accepted} accepted, {len(report.feeds)} feed(s)")
    print(f"      took {elapsed:.0f} s (virtual), the usage plans allow {bound:.0f} s at best")
    print(f"      measured / minimum = {elapsed / bound:.3f}   429s drawn = {throttled}")
    print(f"      client CPU {cpu:.2f} s, {elapsed / scale:.1f} s real")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--skus", type=int, default=5000, help="SKUs updated (default 5000)")
    parser.add_argument("--scale", type=float, default=10, help="time scale (default 10)")
    parser.add_argument(
        "--rate-limits", choices=("store", "memory"), default="store", help="where the buckets are kept"
    )
    args = parser.parse_args()
    bench_listings(args.skus, args.scale, args.rate_limits)


def bench_listings(skus: int, scale: float, rate_limits: str) -> None:
    print(f"(g) {skus} SKU price and stock updates, time scale {scale:g}, rate limits in {rate_limits}")
    for via in ("patches", "feed"):
        measure_way(via, skus, scale, rate_limits)


if __name__ == "__main__":
    main()
