"""What the benchmarks share: the emulator in a process of its own, a connection to it, and the least time
a usage plan allows for a number of calls."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amazon_connector import Connections
from amazon_connector.api.catalog import Operation, catalog
from amazon_connector.connections.connection import Connection

HERE = Path(__file__).resolve().parent
APP = "Demo Private App (restricted)"
COUNTRY = "DE"
PAGE_SIZE = 100


# --- the emulator --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Emulator:
    url: str
    app: dict[str, Any]

    @property
    def seller(self) -> dict[str, Any]:
        return self.seller_in(COUNTRY)

    def seller_in(self, country: str) -> dict[str, Any]:
        return dict(next(s for s in self.app["sellers"] if country in s["countries"]))

    @property
    def refresh_token(self) -> str:
        return str(self.seller["refresh_token"])

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/_sandbox/stats") as answer:  # noqa: S310 (loopback)
            return json.load(answer)  # type: ignore[no-any-return]

    def wait_until_idle(self, timeout: float = 1800) -> None:
        """Until the emulator writes no document (a report asked for starts Amazon's automatic settlement
        reports too, each of the same number of rows): a busy emulator takes a core from what is measured."""
        deadline = time.monotonic() + timeout
        while self.stats()["documents_being_written"]:
            if time.monotonic() > deadline:
                raise SystemExit("The emulator was still writing documents after the time allowed.")
            time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def emulator(
    *,
    scale: float = 1.0,
    orders: int = 0,
    listings: int | None = None,
    unlimited: tuple[str, ...] = (),
    report_rows: int | None = None,
) -> Iterator[Emulator]:
    """The emulator in a child process, until the block ends: ``amazon-connector sandbox serve``, or
    this directory's emulator.py where usage plans are ``unlimited``."""
    port = _free_port()
    if unlimited:
        command = [sys.executable, str(HERE / "emulator.py"), "--port", str(port), "--scale", str(scale)]
        command += ["--orders", str(orders), *(a for name in unlimited for a in ("--unlimited", name))]
    else:
        command = [sys.executable, "-m", "amazon_connector", "sandbox", "serve", "--port", str(port)]
        command += ["--time-scale", str(scale), "--orders", str(orders)]
    if listings is not None:
        command += ["--listings", str(listings)]
    if report_rows is not None:
        command += ["--report-rows", str(report_rows)]
    url = f"http://127.0.0.1:{port}"
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_sandbox/credentials") as answer:  # noqa: S310
                    apps = {app["name"]: app for app in json.load(answer)}
                break
            except OSError:
                if child.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("The emulator did not start.") from None
                time.sleep(0.1)
        yield Emulator(url, apps[APP])
    finally:
        child.terminate()
        child.wait(10)


def connect(connections: Connections, emu: Emulator, country: str = COUNTRY) -> Connection:
    """A restricted-mode connection to the emulator's demo seller (in ``country``)."""
    app, seller = emu.app, emu.seller_in(country)
    return connections.add(
        "bench",
        country=country,
        mode="restricted",
        app_id=app["app_id"],
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        refresh_token=seller["refresh_token"],
        selling_partner_id=seller["selling_partner_id"],
        environment=emu.url,
    )


# --- the least time the usage plans allow ------------------------------------------------------------


def usage_plan(operation: Operation) -> tuple[float, int]:
    """The operation's rate and burst in the catalog (the emulator's usage plan)."""
    if not operation.rate or not operation.burst:
        raise SystemExit(f"{operation.qualified_name} has no usage plan in the catalog.")
    return operation.rate, operation.burst


def earliest_end(calls: int, rate: float, burst: int, available: Callable[[int], float]) -> float:
    """When the last of ``calls`` calls can go at the earliest under a usage plan (a token bucket
    full at 0), call ``k`` not before ``available(k)``."""
    interval, tolerance = 1.0 / rate, (burst - 1) / rate
    tat = at = 0.0
    for k in range(calls):
        at = max(available(k), tat - tolerance)
        tat = max(tat, at) + interval
    return at


SEARCH, V0_ORDERS, V0_ITEMS = (
    "orders/2026-01-01/searchOrders",
    "orders/v0/getOrders",
    "orders/v0/getOrderItems",
)


def least(requests: dict[str, dict[str, int]]) -> float:
    """The least time the usage plans allow for the order requests made (bursts included): searchOrders
    pages, or getOrders pages and getOrderItems calls, whose order is known once its page has come."""
    count = {name: sum(requests.get(name, {}).values()) for name in (SEARCH, V0_ORDERS, V0_ITEMS)}
    if count[SEARCH]:
        return earliest_end(count[SEARCH], *usage_plan(catalog().get(SEARCH)), lambda k: 0.0)
    pages_plan, items_plan = usage_plan(catalog().get(V0_ORDERS)), usage_plan(catalog().get(V0_ITEMS))
    pages_end = earliest_end(count[V0_ORDERS], *pages_plan, lambda k: 0.0)
    items_end = earliest_end(
        count[V0_ITEMS], *items_plan, lambda k: earliest_end(k // PAGE_SIZE + 1, *pages_plan, lambda j: 0.0)
    )
    return max(pages_end, items_end)
