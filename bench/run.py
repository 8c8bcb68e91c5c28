"""The runtime's performance in one run, against the emulator (in its own process).

(a) Orders: every order with getOrders (pages of 100) and each order's items with getOrderItems, from
    ``amazon-connector sandbox serve --time-scale S`` whose clock the client follows (as every client
    does); the time taken over the least the usage plans allow, and the 429s the emulator answered.
(b) Client CPU per call: ``--calls`` calls of getMarketplaceParticipations (its usage plan lifted) by our
    runtime (sync and async, each HTTP transport) and by python-amazon-sp-api, with raw urllib3, aiohttp
    and httpx requests as the floor.
(c) Start-up: ``import amazon_connector`` and ``amazon-connector --help``, each the median of ``--runs``
    fresh processes (wall time), beside its target and beside ``python -c pass``.
(d) Report documents of ``--report-sizes`` MB to Parquet, beside python-amazon-sp-api and gzip -dc
    (bench/reports.py).
(e) The command line on the emulator's clock (issue 16): ``amazon-connector orders export`` of every
    order with its items (Orders v2026-01-01, then ``--api v0``) in its own process against
    ``sandbox serve --time-scale S --orders N`` in another: real time over the least the usage plans
    allow divided by S, and the 429s the emulator counted.
(f) Orders into a destination: an export of 10,000 orders by Orders v2026-01-01, v0 and the order report
    (``bench/orders.py``).
(g) Listing updates: ``--skus`` price and stock changes by patches and by a feed, each over the least the
    usage plans allow (``bench/listings.py``).

Run with ``make bench`` or ``.venv/bin/python bench/run.py [--orders N] [--scale S] [--calls C]
[--runs R] [--report-sizes 20,100,1000] [--skus N]
[--only orders|cpu|startup|reports|cli|export|listings]``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import urllib3
from common import (  # bench/common.py
    V0_ITEMS,
    V0_ORDERS,
    Emulator,
    connect,
    emulator,
    least,
)
from reports import SIZES as REPORT_SIZES  # bench/reports.py
from reports import bench_reports

from amazon_connector import Connections
from amazon_connector.connections.connection import Connection
from amazon_connector.http.clients import HttpEngine

CHEAP = "sellers/v1/getMarketplaceParticipations"
MODES = ("sync", "async")
ENGINES: tuple[HttpEngine, ...] = ("urllib3+aiohttp", "httpx")


# --- (a) orders at the usage plans' limit ----------------------------------------------------------


async def fetch_orders(connection: Connection) -> tuple[int, int]:
    """Every order and its items, item requests going out as soon as their order is known."""

    async def items_of(order_id: str) -> int:
        return len([item async for item in await connection.acall("getOrderItems", orderId=order_id)])

    tasks = []
    async for order in await connection.acall("getOrders", CreatedAfter="2000-01-01T00:00:00Z"):
        tasks.append(asyncio.create_task(items_of(order["AmazonOrderId"])))
    return len(tasks), sum(await asyncio.gather(*tasks))


def bench_orders(orders: int, scale: float, rate_limits: str) -> None:
    print(f"(a) {orders} orders with their items, time scale {scale:g}, rate limits in {rate_limits}")
    with emulator(scale=scale, orders=orders) as emu, tempfile.TemporaryDirectory() as home:
        # every item call is queued as its order arrives, its slot up to half an hour (virtual) ahead
        with Connections.open(
            home=home,
            rate_limits=rate_limits,  # type: ignore[arg-type]
            max_wait=math.inf,
        ) as connections:
            connection = connect(connections, emu)
            clock = connection.clock  # the emulator's, read from it
            start, real, cpu = clock.monotonic(), time.monotonic(), time.process_time()
            fetched, items = asyncio.run(fetch_orders(connection))
            elapsed, cpu = clock.monotonic() - start, time.process_time() - cpu
            real = time.monotonic() - real
        requests = emu.stats()["requests"]
    pages, item_calls = (sum(requests.get(name, {}).values()) for name in (V0_ORDERS, V0_ITEMS))
    throttled = sum(counts.get("429", 0) for counts in requests.values())
    floor = least(requests)
    print(f"    {fetched} orders, {items} items: {pages} getOrders + {item_calls} getOrderItems calls")
    print(f"    took {elapsed:.0f} s (the emulator's), the usage plans allow {floor:.0f} s at best")
    print(f"    measured / minimum = {elapsed / floor:.3f}   (target <= 1.05)")
    print(
        f"    real time {real:.1f} s = {real * scale / floor:.3f} x (minimum / {scale:g})   "
        f"(the client followed a scale of {clock.scale:g})"
    )
    print(f"    429s drawn = {throttled}   (target 0)")
    print(f"    client CPU {cpu:.2f} s, {cpu / (pages + item_calls) * 1e6:.0f} µs per call")


# --- (b) client CPU per call ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cost:
    name: str
    cpu: float
    wall: float


def measure(name: str, calls: int, one: Callable[[], object]) -> Cost:
    for _ in range(max(20, calls // 20)):
        one()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        one()
    return Cost(name, (time.process_time() - cpu) / calls, (time.perf_counter() - wall) / calls)


def ameasure(
    name: str, calls: int, one: Callable[[], Awaitable[object]], close: Callable[[], Awaitable[None]]
) -> Cost:
    """measure on an event loop; ``close`` releases the async client bound to it."""

    async def repeat(times: int) -> None:
        for _ in range(times):
            await one()

    async def timed() -> Cost:
        try:
            await repeat(max(20, calls // 20))
            wall, cpu = time.perf_counter(), time.process_time()
            await repeat(calls)
            return Cost(name, (time.process_time() - cpu) / calls, (time.perf_counter() - wall) / calls)
        finally:
            await close()

    return asyncio.run(timed())


def bench_cpu(calls: int, passes: int) -> None:
    print(
        f"\n(b) client CPU per call: {passes} passes of {calls} sequential getMarketplaceParticipations "
        "calls per variant, the median pass"
    )
    runs: dict[str, list[Cost]] = {}
    with emulator(unlimited=(CHEAP,)) as emu:
        for _ in range(passes):  # passes interleave the variants, so that a busy moment hits them all
            measured = [
                *(c for engine in ENGINES for c in our_costs(emu, engine, calls)),
                *peer_costs(emu, calls),
                *raw_costs(emu, calls),
            ]
            for cost in measured:
                runs.setdefault(cost.name, []).append(cost)
    costs = [sorted(found, key=lambda c: c.cpu)[len(found) // 2] for found in runs.values()]
    peer = {mode: next(c.cpu for c in costs if c.name == f"python-amazon-sp-api {mode}") for mode in MODES}
    print(f"    {'':42} {'CPU µs/call':>12} {'÷ sp-api':>9} {'wall µs/call':>13}")
    for cost in costs:
        ratio = cost.cpu / peer[cost.name.rsplit(" ", 1)[1]]
        print(f"    {cost.name:42} {cost.cpu * 1e6:12.0f} {ratio:9.2f} {cost.wall * 1e6:13.0f}")
    print("    (÷ sp-api: over python-amazon-sp-api's CPU per call, sync with sync and async with async)")


def our_costs(emu: Emulator, engine: HttpEngine, calls: int) -> list[Cost]:
    with (
        tempfile.TemporaryDirectory() as home,
        Connections.open(home=home, rate_limits="memory", http_engine=engine) as connections,
    ):
        connection = connect(connections, emu)
        name = f"amazon-connector ({engine})"
        return [
            measure(f"{name} sync", calls, lambda: connection.call(CHEAP)),
            ameasure(f"{name} async", calls, lambda: connection.acall(CHEAP), connection.http.aclose),
        ]


def raw_costs(emu: Emulator, calls: int) -> list[Cost]:
    """Bare GETs of the same resource with a valid token: what a request costs before any SP-API logic."""
    answer = httpx.post(
        f"{emu.url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": emu.refresh_token,
            "client_id": emu.app["client_id"],
            "client_secret": emu.app["client_secret"],
        },
    )
    target = f"{emu.url}/sellers/v1/marketplaceParticipations"
    headers = {"x-amz-access-token": answer.json()["access_token"]}
    pool = urllib3.PoolManager()
    costs = [measure("urllib3 raw sync", calls, lambda: pool.request("GET", target, headers=headers).data)]
    session: aiohttp.ClientSession | None = None

    async def aiohttp_get() -> bytes:
        nonlocal session
        session = session or aiohttp.ClientSession()
        async with session.get(target, headers=headers) as response:
            return await response.read()

    async def aiohttp_close() -> None:
        if session is not None:
            await session.close()

    costs.append(ameasure("aiohttp raw async", calls, aiohttp_get, aiohttp_close))
    with httpx.Client() as client:
        costs.append(measure("httpx raw sync", calls, lambda: client.get(target, headers=headers).content))
    async_client = httpx.AsyncClient()

    async def httpx_get() -> bytes:
        return (await async_client.get(target, headers=headers)).content

    costs.append(ameasure("httpx raw async", calls, httpx_get, async_client.aclose))
    return costs


def peer_costs(emu: Emulator, calls: int) -> list[Cost]:
    """python-amazon-sp-api pointed at the emulator: its LWA client's host and the client's endpoint."""
    from sp_api.api import Sellers
    from sp_api.asyncio.api import Sellers as AsyncSellers
    from sp_api.asyncio.auth import AccessTokenClient as AsyncTokenClient
    from sp_api.auth import AccessTokenClient
    from sp_api.base import Marketplaces

    local = {"scheme": "http://", "host": emu.url.removeprefix("http://")}
    LocalTokenClient = type("LocalTokenClient", (AccessTokenClient,), local)
    AsyncLocalTokenClient = type("AsyncLocalTokenClient", (AsyncTokenClient,), local)

    credentials = {"lwa_app_id": emu.app["client_id"], "lwa_client_secret": emu.app["client_secret"]}
    options = {"refresh_token": emu.refresh_token, "credentials": credentials}
    sellers = Sellers(Marketplaces.DE, auth_token_client_class=LocalTokenClient, **options)
    sellers.endpoint = emu.url
    costs = [measure("python-amazon-sp-api sync", calls, sellers.get_marketplace_participation)]
    sellers.close()

    client = AsyncSellers(Marketplaces.DE, auth_token_client_class=AsyncLocalTokenClient, **options)
    client.endpoint = emu.url
    costs.append(
        ameasure("python-amazon-sp-api async", calls, client.get_marketplace_participation, client.aclose)
    )
    return costs


# --- (c) start-up ----------------------------------------------------------------------------------

STARTUP_TARGETS = {"import amazon_connector": 0.150, "amazon-connector --help": 0.300}
"""The most each may take (seconds, wall time of a whole process)."""


def startup_commands() -> dict[str, list[str]]:
    python = sys.executable
    return {
        "python -c pass": [python, "-c", "pass"],
        "import amazon_connector": [python, "-c", "import amazon_connector"],
        "amazon-connector --help": [str(Path(python).with_name("amazon-connector")), "--help"],
    }


def wall_median(command: list[str], runs: int) -> float:
    """The median wall time of ``runs`` runs of ``command`` (after one run not counted)."""
    times = []
    for index in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        if index:
            times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def bench_startup(runs: int) -> None:
    print(f"\n(c) Start-up: median wall time of {runs} processes each")
    print(f"{'':26} {'median ms':>10} {'target ms':>10} {'over pass ms':>13}")
    medians = {name: wall_median(command, runs) for name, command in startup_commands().items()}
    floor = medians["python -c pass"]
    for name, median in medians.items():
        target = STARTUP_TARGETS.get(name)
        shown = f"{target * 1000:.0f}" if target else ""
        verdict = "" if target is None else ("  ok" if median <= target else "  OVER TARGET")
        print(f"{name:26} {median * 1000:10.0f} {shown:>10} {(median - floor) * 1000:13.0f}{verdict}")


# --- (e) the command line on the emulator's clock ----------------------------------------------------

CLI_APIS = {"Orders v2026-01-01 (the default)": [], "Orders v0 (--api v0)": ["--api", "v0"]}


def bench_cli(orders: int, scale: float) -> None:
    """``amazon-connector orders export`` of every order with its items, in its own process."""
    print(
        f"\n(e) `amazon-connector orders export` of every order with its items: --orders {orders}, scale {scale:g}"
    )
    for name, options in CLI_APIS.items():
        with emulator(scale=scale, orders=orders) as emu, tempfile.TemporaryDirectory() as home:
            with Connections.open(home=home) as connections:
                connection = connect(connections, emu)
            command = [sys.executable, "-m", "amazon_connector", "--home", home]
            started = time.monotonic()
            subprocess.run([*command, "connections", "list"], capture_output=True, check=True)  # noqa: S603
            start = time.monotonic() - started
            export = [*command, "orders", "export", "-c", connection.name, "--since", "31d", *options]
            export += ["--output", str(Path(home) / "orders.parquet")]
            real = time.monotonic()
            done = subprocess.run(export, capture_output=True, text=True, check=False)  # noqa: S603
            real = time.monotonic() - real
            if done.returncode != 0:
                raise SystemExit(f"{name}: the export failed:\n{done.stderr}")
            stats = emu.stats()
        calls = {
            op.rsplit("/", 1)[1]: sum(counts.values())
            for op, counts in stats["requests"].items()
            if op.startswith("orders/")
        }
        floor = least(stats["requests"])
        print(f"    {name}: {', '.join(f'{n} {op}' for op, n in calls.items())}")
        print(f"        {done.stderr.splitlines()[-1]}")
        if floor:
            print(
                f"        real time {real:.1f} s ÷ ({floor:.0f} s ÷ {scale:g} = {floor / scale:.1f} s) = "
                f"{real * scale / floor:.3f}, the command's start included"
            )
        else:
            print(
                f"        real time {real:.1f} s, the command's start included (within the usage plans' burst)"
            )
        print(f"        429s drawn = {stats['throttled']}   (target 0)")
        print(f"        (the command's start, `connections list`, takes {start:.1f} s here)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument(
        "--orders", type=int, default=1000, help="orders per marketplace in (a) and (e) (default 1000)"
    )
    parser.add_argument("--scale", type=float, default=100, help="time scale for (a) and (e) (default 100)")
    parser.add_argument(
        "--calls", type=int, default=1000, help="calls per variant and pass in (b) (default 1000)"
    )
    parser.add_argument("--passes", type=int, default=5, help="passes in (b) (default 5)")
    parser.add_argument(
        "--rate-limits", choices=("store", "memory"), default="store", help="where (a) keeps its buckets"
    )
    parser.add_argument("--runs", type=int, default=10, help="processes per command in (c) (default 10)")
    parser.add_argument(
        "--report-sizes",
        default=REPORT_SIZES,
        help=f"report document sizes in MB for (d) (default {REPORT_SIZES})",
    )
    parser.add_argument(
        "--export-orders", type=int, default=10_000, help="orders exported in (f) (default 10,000)"
    )
    parser.add_argument("--export-scale", type=float, default=200, help="time scale for (f) (default 200)")
    parser.add_argument("--skus", type=int, default=5000, help="SKUs updated in (g) (default 5000)")
    parser.add_argument("--listings-scale", type=float, default=10, help="time scale for (g) (default 10)")
    parser.add_argument(
        "--only",
        choices=("orders", "cpu", "startup", "reports", "cli", "export", "listings"),
        help="run one part",
    )
    args = parser.parse_args()
    if args.only in (None, "orders"):
        bench_orders(args.orders, args.scale, args.rate_limits)
    if args.only in (None, "cpu"):
        bench_cpu(args.calls, args.passes)
    if args.only in (None, "startup"):
        bench_startup(args.runs)
    if args.only in (None, "reports"):
        bench_reports([int(s) for s in args.report_sizes.split(",")])
    if args.only in (None, "cli"):
        bench_cli(args.orders, args.scale)
    if args.only in (None, "export"):
        from orders import bench_export  # bench/orders.py, which imports this module's helpers

        bench_export(args.export_orders, args.export_scale)
    if args.only in (None, "listings"):
        from listings import bench_listings  # bench/listings.py, which imports this module's helpers

        bench_listings(args.skus, args.listings_scale, args.rate_limits)


if __name__ == "__main__":
    main()
