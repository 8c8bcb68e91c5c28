"""`amazon-connector orders list | get | export | sync`: orders into files and databases; `orders ship`
(``shipments``, loaded when it runs) confirms shipments or updates their status.

Exit codes (``exit_codes``): 0 done; 1 bad input (nothing fetched or written, sync positions unchanged);
3 a sync of several connections where some failed and some did not, or some orders asked for by ID do
not exist; 5 a run failed part way (what it fetched is kept: run the same command again to resume).
`orders ship` has the exit codes of the bulk commands (``bulk``).
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer
from rich.markup import escape

from amazon_connector import exit_codes
from amazon_connector.cli.context import Quiet, err_console, state
from amazon_connector.cli.lazy import Command, LazyGroup
from amazon_connector.errors import AmazonConnectorError, ConfigurationError

if TYPE_CHECKING:
    from amazon_connector.connections import Connection
    from amazon_connector.data.orders import OrderQuery, OrdersResult, Progress


class _Orders(LazyGroup):
    """`orders`: its own commands, and `ship` (``shipments``), loaded when it runs."""

    lazy: ClassVar[dict[str, Command]] = {
        "ship": Command(
            "amazon_connector.cli.shipments:ship",
            "Confirm merchant-fulfilled orders shipped (carrier, tracking) or update their shipment status.",
        )
    }


app = typer.Typer(cls=_Orders, no_args_is_help=True)

PLAIN_EVERY = 5.0
"""Seconds between plain progress lines (when stderr is not a terminal)."""
RELATIVE = re.compile(r"(\d+)\s*([dhm])\Z")

ConnectionName = Annotated[str, typer.Option("--connection", "-c", help="The connection to use.")]
Since = Annotated[
    str | None,
    typer.Option(
        help="Start of the window: 2025-01-01, 2025-01-01T08:00:00Z (UTC if no zone) or 30d, 12h, 90m ago."
    ),
]
Until = Annotated[
    str | None, typer.Option(help="End of the window (default: two minutes ago, as Amazon allows).")
]
By = Annotated[str, typer.Option(help="Which date the window is of: created (purchase) or updated.")]
Statuses = Annotated[
    list[str] | None,
    typer.Option("--status", help="Only orders in this status (repeat for several): Shipped, UNSHIPPED, …"),
]
Channels = Annotated[
    list[str] | None, typer.Option("--channel", help="AFN (fulfilled by Amazon) or MFN (by you).")
]
Marketplaces = Annotated[
    list[str] | None,
    typer.Option(
        "--marketplace",
        "-m",
        help="Marketplace code or ID of the connection's region (repeat; default its own).",
    ),
]
ApiVersion = Annotated[
    str, typer.Option("--api", help="Orders API: 2026-01-01, or v0 (removed by Amazon on 2027-03-27).")
]
BuyerData = Annotated[
    bool | None,
    typer.Option(
        "--buyer-data/--no-buyer-data",
        help="Ask for buyer and shipping data (default: in Restricted Data Access Mode).",
        show_default=False,
    ),
]
PathOption = Annotated[
    str,
    typer.Option(
        "--path", help="auto, api, or report (the order report: fast for long windows, no buyer data)."
    ),
]
Output = Annotated[
    str,
    typer.Option(
        "--output",
        "-o",
        "--to",
        help="Destination: - (terminal), FILE.csv/.jsonl/.parquet/.xml, FILE.db, or a database URL "
        "(--to: the same).",
    ),
]


def parse_moment(text: str | None, name: str) -> datetime | timedelta | None:
    """``2025-01-01`` (midnight UTC), an ISO 8601 time (UTC unless it says), or ``30d``/``12h``/``90m``
    ago: a span, taken from now on the connection's clock (an emulator's may run ahead of this machine's)."""
    if text is None:
        return None
    value = text.strip()
    if RELATIVE.match(value):
        return parse_span(value, name)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ConfigurationError(
            f"--{name} {text!r} is not a date or time.",
            field=name,
            hint="Write 2025-01-01, 2025-01-01T08:00:00Z or 30d (days), 12h, 90m ago.",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_span(text: str, name: str = "overlap") -> timedelta:
    """``30d``, ``12h`` or ``90m``."""
    match = RELATIVE.match(text.strip())
    if match is None:
        raise ConfigurationError(
            f"--{name} {text!r} is not a span of time.", field=name, hint="Write e.g. 15m, 2h or 1d."
        )
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[unit]


def _query(
    since: str | None,
    until: str | None = None,
    by: str = "created",
    statuses: list[str] | None = None,
    channels: list[str] | None = None,
    marketplaces: list[str] | None = None,
    api: str = "2026-01-01",
    path: str = "auto",
    buyer_data: bool | None = None,
    order_ids: tuple[str, ...] = (),
) -> OrderQuery:
    from amazon_connector.data.orders import OrderQuery

    return OrderQuery(
        since=parse_moment(since, "since"),
        until=parse_moment(until, "until"),
        by=by,
        statuses=tuple(statuses or ()),
        channels=tuple(channels or ()),
        marketplaces=tuple(marketplaces or ()),
        order_ids=order_ids,
        api=api,
        path=path,
        buyer_data=buyer_data,
    )


# --- progress and results ------------------------------------------------------------------------


@contextmanager
def progress_shown(quiet: bool) -> Iterator[Callable[[Progress], None] | None]:
    """A callback drawing progress bars on a terminal (stderr), or writing a plain line now and then."""
    if quiet:
        yield None
        return
    if err_console.is_terminal:
        from rich.progress import Progress as Bars
        from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

        with Bars(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}[/]"),
            TextColumn(
                "{task.fields[phase]}: {task.fields[pages]} pages, {task.completed:,.0f} orders, "
                "{task.fields[items]:,} items, {task.fields[rate]:.1f} orders/s"
            ),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bars:
            tasks: dict[str, Any] = {}

            def draw(p: Progress) -> None:
                if p.connection not in tasks:
                    tasks[p.connection] = bars.add_task(
                        p.connection, total=None, phase="", pages=0, items=0, rate=0.0
                    )
                bars.update(
                    tasks[p.connection],
                    completed=p.orders,
                    phase=p.phase,
                    pages=p.pages,
                    items=p.items,
                    rate=p.rate,
                )

            yield draw
        return
    last: dict[str, tuple[float, str]] = {}

    def line(p: Progress) -> None:
        when, phase = last.get(p.connection, (0.0, ""))
        if p.phase != phase or time.monotonic() - when >= PLAIN_EVERY:
            last[p.connection] = (time.monotonic(), p.phase)
            err_console.print(
                f"{p.connection}: {p.phase}, {p.pages} pages, {p.orders} orders, {p.items} items, "
                f"{p.rate:.1f} orders/s",
                soft_wrap=True,
                highlight=False,
            )

    yield line


@contextmanager
def warnings_shown() -> Iterator[None]:
    """The library's warnings (Orders API v0's end) as plain lines on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FutureWarning)
        try:
            yield
        finally:
            for message in {str(w.message) for w in caught if issubclass(w.category, FutureWarning)}:
                err_console.print(f"[bold yellow]Warning:[/] {escape(message)}", soft_wrap=True)


def _window(result: OrdersResult) -> str:
    def shown(moment: datetime | None) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "…"

    return f"{shown(result.since)} – {shown(result.until)}"


def report(result: OrdersResult, quiet: bool) -> None:
    """One connection's outcome on stderr: counts, window, sources, buyer data; or its error."""
    if result.error is not None:
        err_console.print(
            f"[bold red]{escape(result.connection)}: Error:[/] {escape(result.error.message)}", soft_wrap=True
        )
        if result.error.hint:
            err_console.print(f"[yellow]What to do:[/] {escape(result.error.hint)}", soft_wrap=True)
        return
    if result.not_found:
        err_console.print(f"[bold red]Not found:[/] {escape(', '.join(result.not_found))}", soft_wrap=True)
    if quiet:
        return
    resumed = " (resumed)" if result.resumed else ""
    sources = "+".join(result.sources) or "nothing to fetch"
    err_console.print(
        f"{escape(result.connection)}: {result.orders:,} orders, {result.items:,} items → "
        f"{escape(result.destination)}{resumed}; window {_window(result)}; from {sources}",
        soft_wrap=True,
        highlight=False,
    )
    if result.position is not None:
        err_console.print(
            f"  next sync continues from {result.position:%Y-%m-%dT%H:%M:%SZ} (less the overlap)",
            highlight=False,
        )
    if note := result.buyer_note():
        err_console.print(f"  [yellow]Buyer data:[/] {escape(note)}", soft_wrap=True)


def _run(work: Callable[[], OrdersResult], quiet: bool) -> None:
    """Run one connection's work: a failure part way exits 5 (bad input exits 1 through the root)."""
    try:
        with warnings_shown():
            result = work()
    except ConfigurationError:
        raise
    except AmazonConnectorError as exc:
        err_console.print(f"[bold red]Error:[/] {escape(exc.message)}", soft_wrap=True)
        if exc.hint:
            err_console.print(f"[yellow]What to do:[/] {escape(exc.hint)}", soft_wrap=True)
        err_console.print("What was fetched is kept: run the same command again to resume.")
        raise typer.Exit(exit_codes.UNFINISHED) from None
    report(result, quiet)
    if result.not_found:
        raise typer.Exit(exit_codes.SOME_FAILED)


def _connection(ctx: typer.Context, name: str) -> Connection:
    return state(ctx).connections().get(name)


# --- the commands ---------------------------------------------------------------------------------


@app.command("list")
def list_command(
    ctx: typer.Context,
    connection: ConnectionName = ...,  # type: ignore[assignment]
    since: Since = None,
    until: Until = None,
    by: By = "created",
    status: Statuses = None,
    channel: Channels = None,
    marketplace: Marketplaces = None,
    api: ApiVersion = "2026-01-01",
    buyer_data: BuyerData = None,
    output: Output = "-",
    quiet: Quiet = False,
) -> None:
    """Show the orders of a window (or write them to --output), straight from the Orders API."""
    from amazon_connector.data.orders import list_orders

    query = _query(since, until, by, status, channel, marketplace, api, "api", buyer_data)
    conn = _connection(ctx, connection)
    with progress_shown(quiet or output == "-") as on_progress:
        _run(lambda: list_orders(conn, query, output, on_progress=on_progress), quiet)


@app.command("get")
def get_command(
    ctx: typer.Context,
    order_ids: Annotated[list[str], typer.Argument(help="Amazon order IDs (123-1234567-1234567).")],
    connection: ConnectionName = ...,  # type: ignore[assignment]
    api: ApiVersion = "2026-01-01",
    buyer_data: BuyerData = None,
    output: Output = "-",
    quiet: Quiet = False,
) -> None:
    """Show orders by ID with their items (or write them to --output). Exit code 3 if some do not exist."""
    from amazon_connector.data.orders import list_orders

    query = _query(None, api=api, buyer_data=buyer_data, order_ids=tuple(order_ids))
    conn = _connection(ctx, connection)
    _run(lambda: list_orders(conn, query, output), quiet)


@app.command("export")
def export_command(
    ctx: typer.Context,
    connection: ConnectionName = ...,  # type: ignore[assignment]
    output: Output = ...,  # type: ignore[assignment]
    since: Since = None,
    until: Until = None,
    by: By = "created",
    status: Statuses = None,
    channel: Channels = None,
    marketplace: Marketplaces = None,
    api: ApiVersion = "2026-01-01",
    path: PathOption = "auto",
    buyer_data: BuyerData = None,
    mode: Annotated[
        str, typer.Option(help="replace: the destination holds exactly these orders; upsert: merged in.")
    ] = "replace",
    restart: Annotated[
        bool, typer.Option(help="Forget an interrupted run of this export and start again.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Export a window of orders with their items. Interrupted (even killed), the same command resumes;
    the destination is written once, when the window is complete."""
    from amazon_connector.data.orders import export_orders

    query = _query(since, until, by, status, channel, marketplace, api, path, buyer_data)
    conn = _connection(ctx, connection)
    with progress_shown(quiet) as on_progress:
        _run(
            lambda: export_orders(conn, output, query, mode=mode, restart=restart, on_progress=on_progress),
            quiet,
        )


@app.command("sync")
def sync_command(
    ctx: typer.Context,
    output: Output = ...,  # type: ignore[assignment]
    connection: Annotated[
        list[str] | None,
        typer.Option("--connection", "-c", help="A connection to sync (repeat for several)."),
    ] = None,
    all_connections: Annotated[
        bool, typer.Option("--all", help="Sync every connection that is ready.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(help="Where the first sync starts (2025-01-01, 30d, …); later ones continue."),
    ] = None,
    marketplace: Marketplaces = None,
    overlap: Annotated[
        str, typer.Option(help="How far back each sync starts before where the last ended.")
    ] = "15m",
    api: ApiVersion = "2026-01-01",
    path: PathOption = "auto",
    buyer_data: BuyerData = None,
    quiet: Quiet = False,
) -> None:
    """Bring the destination up to date: orders created or changed since the last sync (the first time,
    since --since) are upserted. Several connections run at once, each at its own usage plans."""
    from amazon_connector.connections import Status
    from amazon_connector.data.orders import sync_orders

    if bool(connection) == all_connections:
        raise ConfigurationError("Give --connection (one or more) or --all.", field="connection")
    query = _query(since, by="updated", marketplaces=marketplace, api=api, path=path, buyer_data=buyer_data)
    span = parse_span(overlap)
    connections = state(ctx).connections()
    chosen = (
        [c for c in connections.list() if c.status is Status.READY]
        if all_connections
        else [connections.get(name) for name in dict.fromkeys(connection or ())]
    )
    if not chosen:
        raise ConfigurationError(
            "No connection is ready to sync.",
            hint="Authorise one: amazon-connector connections authorise NAME.",
        )
    with warnings_shown(), progress_shown(quiet) as on_progress:
        results = sync_orders(chosen, output, query, overlap=span, on_progress=on_progress)
    for result in results:
        report(result, quiet)
    failed = [r for r in results if r.error is not None]
    if not failed:
        return
    if len(failed) < len(results):
        raise typer.Exit(exit_codes.SOME_FAILED)
    if all(isinstance(r.error, ConfigurationError) for r in failed):
        raise typer.Exit(exit_codes.ERROR)
    raise typer.Exit(exit_codes.UNFINISHED)
