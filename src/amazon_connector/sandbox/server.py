"""Run the emulator: in the foreground (``sandbox serve``) or on a background thread (tests, demo)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from amazon_connector.clock import Clock, ScaledClock
from amazon_connector.errors import ConfigurationError
from amazon_connector.sandbox.app import create_app
from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.faults import Fault, parse_faults
from amazon_connector.sandbox.traffic import Emulator
from amazon_connector.sandbox.world import DEFAULT_LISTINGS, DEFAULT_ORDERS, World, demo_world
from amazon_connector.serving import (
    ServerThread,
    bind_address,
    is_loopback,
    until_stop_signal,
    wait_for_stop_signal,
)


@dataclass(frozen=True, slots=True)
class RunningEmulator:
    """An emulator accepting connections at ``url``."""

    url: str
    port: int
    world: World
    app: Emulator

    @property
    def sandbox(self) -> Sandbox:
        """The emulator's state: what it issued and created, its stats."""
        sandbox: Sandbox = self.app.state.sandbox
        return sandbox


def check_host(host: str, *, allow_remote: bool = False) -> None:
    """Refuse a non-loopback address unless remote access is explicitly allowed."""
    if not allow_remote and not is_loopback(host):
        raise ConfigurationError(
            f"Refusing to serve the emulator on {host}: it hands out credentials to anyone who can reach it.",
            hint="Use 127.0.0.1 or localhost; to serve other hosts on purpose, allow it (allow_remote=True, --allow-remote).",
        )


def base_url(host: str, port: int) -> str:
    address = bind_address(host)
    return f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"


@contextmanager
def running_emulator(
    world: World | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
    faults: str | tuple[Fault, ...] = (),
    static: bool = False,
    allow_remote: bool = False,
    report_rows: int | None = None,
) -> Iterator[RunningEmulator]:
    """Serve ``world`` (default: the demo world) on a background thread until the block ends.

    Port 0 picks a free port; the block starts once the emulator accepts connections. ``faults``,
    ``static`` and ``report_rows``: see ``create_app``.
    """
    check_host(host, allow_remote=allow_remote)
    world = world or demo_world()
    app = create_app(world, clock, faults=faults, static=static, report_rows=report_rows)
    try:
        with ServerThread(app, host=host, port=port, allow_remote=allow_remote) as server:
            yield RunningEmulator(base_url(host, server.port), server.port, world, app)
    finally:
        app.state.sandbox.close()


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    seed: int = 0,
    time_scale: float = 1.0,
    redirect_uris: Sequence[str] = (),
    *,
    orders: int = DEFAULT_ORDERS,
    listings: int = DEFAULT_LISTINGS,
    faults: str = "",
    static: bool = False,
    allow_remote: bool = False,
    report_rows: int | None = None,
    on_ready: Callable[[RunningEmulator], None] = lambda emulator: None,
) -> None:
    """Serve the demo world of ``seed`` (``orders`` per seller and marketplace, ``listings`` per
    seller) in the foreground until SIGINT (Ctrl+C) or SIGTERM (see until_stop_signal); time runs
    ``time_scale`` times faster for expiry, usage plans and processing. With ``static`` the SP-API
    answers only its models' sandbox examples; ``report_rows``: rows per marketplace of generated report
    documents. ``on_ready`` is called once it accepts connections."""
    check_host(host, allow_remote=allow_remote)
    if time_scale <= 0:
        raise ConfigurationError(f"The time scale must be positive, not {time_scale}.", field="time_scale")
    if orders < 0:
        raise ConfigurationError(f"The number of orders must not be negative, not {orders}.", field="orders")
    if listings < 0:
        raise ConfigurationError(
            f"The number of listings must not be negative, not {listings}.", field="listings"
        )
    if report_rows is not None and report_rows < 0:
        raise ConfigurationError(
            f"The number of report rows must not be negative, not {report_rows}.", field="report_rows"
        )
    injected = parse_faults(faults)
    world = demo_world(seed, redirect_uris, orders_per_marketplace=orders, listings_per_seller=listings)
    with (
        until_stop_signal(),
        running_emulator(
            world,
            host=host,
            port=port,
            clock=ScaledClock(time_scale),
            faults=injected,
            static=static,
            allow_remote=allow_remote,
            report_rows=report_rows,
        ) as emulator,
    ):
        on_ready(emulator)
        wait_for_stop_signal()
