"""Orders into a destination: list, get, export and sync, each one async implementation (the sync
functions run it on an event loop of their own).

An export or sync is a job kept in the connection store. Each page of orders is stored together with the
page token that follows it (one transaction), so a run killed at any moment resumes after the last page
stored. The destination is written from the stored orders: an export once the window is complete (so a
reader never sees part of an export), a sync also every few thousand orders (upsert). A sync stores its
position only after the destination has committed: a crash in between re-writes the same records, which
upsert makes harmless. For a long window without buyer data, the order report is asked for too, and
whichever of the report and the API pages covers the window first wins (a sync then tops up with the
API from where the report ended).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from amazon_connector.api.catalog import catalog
from amazon_connector.connections.connection import Connection
from amazon_connector.connections.model import Mode
from amazon_connector.data.destinations import open_destination
from amazon_connector.data.orders.normalise import OrderRecords
from amazon_connector.data.orders.query import (
    QUIET,
    REPORT_AFTER,
    V0_WARNING,
    Api,
    DateField,
    OrderQuery,
    Path,
    Resolved,
    resolve,
)
from amazon_connector.data.orders.records import ORDER_ITEMS, ORDERS, RECORD_SETS, BuyerData
from amazon_connector.data.orders.sources import ReportProgress, api_pages, orders_by_id, report_spans
from amazon_connector.data.orders.state import Job, OrderState
from amazon_connector.data.targets import DestinationError, Format, Target, parse_target
from amazon_connector.data.writer import WriteMode
from amazon_connector.errors import AmazonConnectorError, ConfigurationError

T = TypeVar("T")
API_RANK, REPORT_RANK = 2, 1
"""At the same update time, an order from the API (with buyer data) wins over the report's."""
DELIVER_EVERY = 5_000
"""A sync writes to its destination whenever this many fetched orders wait (and at the end)."""
DEFAULT_OVERLAP = timedelta(minutes=15)
"""Each sync starts this long before where the last ended: orders Amazon indexed late are caught."""


@dataclass
class Progress:
    """How a run is going, told to ``on_progress`` after every page and change of phase."""

    connection: str
    phase: str = "starting"
    """starting, fetching, waiting for the report, writing, done."""
    pages: int = 0
    orders: int = 0
    items: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        """Orders a second (real time)."""
        return self.orders / max(time.monotonic() - self.started, 1e-9)


ProgressCallback = Callable[[Progress], None]


@dataclass
class OrdersResult:
    """What a run did for one connection."""

    connection: str
    destination: str
    orders: int = 0
    items: int = 0
    pages: int = 0
    sources: list[str] = field(default_factory=list)
    """``api``, ``report``: what the orders came from."""
    finished_by: str | None = None
    """Which source covered the window (``api`` or ``report``) in an export or sync."""
    since: datetime | None = None
    until: datetime | None = None
    """The window fetched (its end as Amazon stated it)."""
    position: datetime | None = None
    """A sync's new position."""
    resumed: bool = False
    buyer_data: Counter[str] = field(default_factory=Counter)
    """How many orders have buyer data, and why the others have not (BuyerData values)."""
    not_found: list[str] = field(default_factory=list)
    error: AmazonConnectorError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_found

    def buyer_note(self) -> str | None:
        """Why orders lack buyer data, in a sentence (None when nothing is missing or it was not asked for)."""
        withheld = self.buyer_data.get(BuyerData.WITHHELD, 0)
        in_report = self.buyer_data.get(BuyerData.NOT_IN_REPORT, 0)
        notes = []
        if withheld:
            notes.append(
                f"Amazon gave no buyer data for {withheld} of {self.orders} orders: it gives it only when the "
                f"app has the role {buyer_roles()}, and then not for pending or cancelled orders (nor the "
                "buyer's email for orders fulfilled by Amazon)."
            )
        if in_report:
            notes.append(
                f"{in_report} orders came from the order report, which has no buyer data "
                "(path api fetches them with it, more slowly)."
            )
        return " ".join(notes) or None


def buyer_roles() -> str:
    """The roles that open buyer data, as the catalog names them."""
    restricted = catalog().get("orders/v0/getOrders").restricted
    roles = sorted({r for rs in (restricted.data_elements.values() if restricted else ()) for r in rs})
    return " / ".join(roles)


# --- running async code from sync callers ---------------------------------------------------------


def run_sync(work: Coroutine[Any, Any, T]) -> T:
    """Run the async implementation for a sync caller: on a new event loop, in a thread of its own when
    this thread already runs one (a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(asyncio.run(work))
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="amazon-connector-orders")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


# --- checking input ------------------------------------------------------------------------------


def _resolve(connection: Connection, query: OrderQuery, *, needs_since: bool = True) -> Resolved:
    marketplace = connection.marketplace  # Configuration Incomplete is raised here
    resolved = resolve(
        query,
        marketplace=marketplace,
        restricted_mode=connection.settings.mode is Mode.RESTRICTED,
        now=connection.clock.now(),
        needs_since=needs_since,
    )
    if resolved.api is Api.V0:
        warnings.warn(V0_WARNING, FutureWarning, stacklevel=3)
    return resolved


def _target(target: str | Target) -> Target:
    return parse_target(target) if isinstance(target, str) else target


def _check_destination(target: Target, mode: WriteMode) -> None:
    """Open the destination and leave it untouched: a destination that cannot be written is an error
    before anything is fetched."""
    if target.format is Format.TABLE:
        return
    open_destination(target, RECORD_SETS, mode=mode).abort()


# --- list and get: straight to the destination ---------------------------------------------------


async def alist_orders(
    connection: Connection,
    query: OrderQuery,
    target: str | Target = "-",
    *,
    mode: WriteMode | str = WriteMode.REPLACE,
    on_progress: ProgressCallback | None = None,
) -> OrdersResult:
    """Fetch the query's orders (by ID, or a window's pages of the API) and write them to ``target``
    (default the terminal) as they come, with no state kept: nothing to resume."""
    resolved = _resolve(connection, query)
    parsed, write_mode = _target(target), _mode(mode)
    result = OrdersResult(connection.name, parsed.shown, since=resolved.since, sources=["api"])
    progress = Progress(connection.name, "fetching")
    destination = await asyncio.to_thread(open_destination, parsed, RECORD_SETS, mode=write_mode)
    try:
        if resolved.order_ids:
            found, result.not_found = await orders_by_id(connection, resolved)
            await asyncio.to_thread(_write, destination, found, result)
        else:
            async for page in api_pages(connection, resolved, None):
                result.until = result.until or page.bound
                result.pages += 1
                await asyncio.to_thread(_write, destination, page.orders, result)
                _told(on_progress, progress, page.orders)
        await asyncio.to_thread(destination.commit)
    except BaseException:
        destination.abort()
        raise
    progress.phase = "done"
    if on_progress:
        on_progress(progress)
    return result


def list_orders(
    connection: Connection,
    query: OrderQuery,
    target: str | Target = "-",
    *,
    mode: WriteMode | str = WriteMode.REPLACE,
    on_progress: ProgressCallback | None = None,
) -> OrdersResult:
    """The sync twin of alist_orders."""
    return run_sync(alist_orders(connection, query, target, mode=mode, on_progress=on_progress))


async def aget_orders(
    connection: Connection, order_ids: Sequence[str], target: str | Target = "-", **options: Any
) -> OrdersResult:
    """Orders by ID (``options``: ``api``, ``buyer_data``) written to ``target``; IDs Amazon does not
    know are in the result's ``not_found``."""
    return await alist_orders(connection, OrderQuery(order_ids=tuple(order_ids), **options), target)


def get_orders(
    connection: Connection, order_ids: Sequence[str], target: str | Target = "-", **options: Any
) -> OrdersResult:
    """The sync twin of aget_orders."""
    return run_sync(aget_orders(connection, order_ids, target, **options))


def _write(destination: Any, orders: list[OrderRecords], result: OrdersResult) -> None:
    destination.write(ORDERS, [o.order for o in orders])
    destination.write(ORDER_ITEMS, [i for o in orders for i in o.items])
    result.orders += len(orders)
    result.items += sum(len(o.items) for o in orders)
    result.buyer_data.update(str(o.order["buyer_data"]) for o in orders)


def _told(on_progress: ProgressCallback | None, progress: Progress, orders: list[OrderRecords]) -> None:
    progress.pages += 1
    progress.orders += len(orders)
    progress.items += sum(len(o.items) for o in orders)
    if on_progress:
        on_progress(progress)


# --- jobs: export and sync -----------------------------------------------------------------------


@dataclass
class _Run:
    """One job being run: where it delivers and how it tells its progress."""

    connection: Connection
    query: Resolved
    target: Target
    mode: WriteMode
    state: OrderState
    job: Job
    result: OrdersResult
    progress: Progress
    on_progress: ProgressCallback | None
    lock: asyncio.Lock
    """Held while writing to the destination (several connections may share it)."""
    chunked: bool
    """Write every DELIVER_EVERY orders (upsert), not only at the end."""
    busy: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while a source stores a page or writes to the destination: a source is stopped only
    between such steps, never while its thread is in the middle of one."""

    def tell(self, phase: str | None = None) -> None:
        if phase:
            self.progress.phase = phase
        if self.on_progress:
            self.on_progress(self.progress)

    async def stage(self, orders: list[OrderRecords], rank: int, **progress: Any) -> None:
        """Store fetched orders and the source's progress; then, in a sync, write them out every
        DELIVER_EVERY orders."""
        async with self.busy:
            await asyncio.to_thread(self.state.stage, self.job.id, orders, rank, **progress)
            if self.chunked and (
                await asyncio.to_thread(self.state.count, self.job.id, undelivered_only=True) >= DELIVER_EVERY
            ):
                await self.deliver(final=False)

    async def deliver(self, *, final: bool) -> None:
        """Write the fetched orders not yet written (all of them, for a replace) and commit."""
        self.tell("writing")
        async with self.lock:
            await asyncio.to_thread(self._deliver, final)
        self.tell("fetching" if not final else None)

    def _deliver(self, final: bool) -> None:
        undelivered_only = self.mode is not WriteMode.REPLACE
        written: list[str] = []
        counts: Counter[str] = Counter()
        items = 0
        with open_destination(self.target, RECORD_SETS, mode=self.mode) as destination:
            for batch in self.state.staged(self.job.id, undelivered_only=undelivered_only):
                destination.write(ORDERS, [o.order for o in batch])
                destination.write(ORDER_ITEMS, [i for o in batch for i in o.items])
                written += [o.order_id for o in batch]
                counts.update(str(o.order["buyer_data"]) for o in batch)
                items += sum(len(o.items) for o in batch)
        if not final:
            self.state.delivered(self.job.id, written)
        if self.mode is WriteMode.REPLACE:
            self.result.orders, self.result.items, self.result.buyer_data = len(written), items, counts
        else:
            self.result.orders += len(written)
            self.result.items += items
            self.result.buyer_data.update(counts)


def _long(query: Resolved, now: datetime) -> bool:
    assert query.since is not None
    return (query.until or now) - query.since > REPORT_AFTER


async def _fetch(run: _Run) -> None:
    """Fetch the job's window: API pages, and (for the report path, or a long window without buyer data)
    the order report; the first to cover the window wins and the other is stopped."""
    job, query, connection = run.job, run.query, run.connection
    if job.fetched:
        return
    with_report = query.path is Path.REPORT or (
        query.path is Path.AUTO and not query.buyer_data and _long(query, connection.clock.now())
    )
    with_api = query.path is not Path.REPORT
    bound: list[datetime] = [job.bound] if job.bound else []
    bound_known = asyncio.Event()
    if not with_api and not bound:  # the report alone: its window ends two minutes ago (this clock's)
        bound.append(query.until or connection.clock.now() - QUIET)
        await run.stage([], API_RANK, bound=bound[0])
    if bound:
        bound_known.set()

    async def from_api() -> None:
        async for page in api_pages(connection, query, job.api_cursor):
            progress: dict[str, Any] = {"api_cursor": page.cursor, "api_done": page.cursor is None}
            if not bound:  # Amazon states the window's end; else it ended two minutes before the job began
                bound.append(page.bound or query.until or job.created_at - QUIET)
                progress["bound"] = bound[0]
            await run.stage(page.orders, API_RANK, **progress)
            if bound:
                bound_known.set()
            if "api" not in run.result.sources:
                run.result.sources.append("api")
            run.result.pages += 1
            _told(run.on_progress, run.progress, page.orders)

    async def from_report() -> None:
        await bound_known.wait()
        assert query.since is not None
        where = ReportProgress(job.report_id, job.report_from or query.since)

        async def started(report_id: str) -> None:
            await run.stage([], REPORT_RANK, report_id=report_id)
            run.tell("waiting for the report")

        async for orders, following in report_spans(connection, query, bound[0], where, started):
            if following is None:  # a piece of a span's orders
                await run.stage(orders, REPORT_RANK)
                _told(run.on_progress, run.progress, orders)
            else:  # the span is read: the next one starts there
                done = following >= bound[0]
                await run.stage([], REPORT_RANK, report_id=None, report_from=following, report_done=done)
            if "report" not in run.result.sources:
                run.result.sources.append("report")
        if not bound[0] > (job.report_from or query.since):  # an empty window: nothing to report on
            await run.stage([], REPORT_RANK, report_done=True)

    run.tell("fetching")
    tasks = [asyncio.create_task(f()) for f, on in ((from_api, with_api), (from_report, with_report)) if on]
    await _first_to_finish(tasks, run.busy)
    run.job = await asyncio.to_thread(run.state.job, job.id)


async def _first_to_finish(tasks: list[asyncio.Task[None]], busy: asyncio.Lock) -> None:
    """Wait until one task has finished well, then stop the others (once none is storing or writing:
    ``busy``); raise if every one failed."""
    failures: list[BaseException] = []
    pending = set(tasks)
    try:
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task.exception() is None:
                    return
                failures.append(task.exception())  # type: ignore[arg-type]
        raise failures[0]
    finally:
        async with busy:
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def _run_job(
    connection: Connection,
    query: Resolved,
    target: Target,
    *,
    kind: str,
    mode: WriteMode,
    identity: str,
    on_progress: ProgressCallback | None,
    lock: asyncio.Lock,
    scope: str | None = None,
) -> OrdersResult:
    """Run (or resume) one job to its end: fetch, write, finish (a sync's position with it)."""
    state = OrderState(connection.store, connection.clock)
    job, resumed = await asyncio.to_thread(
        state.open_job, connection.record.id, identity, kind, query.params()
    )
    if resumed:
        query = Resolved.from_params(job.params)
    result = OrdersResult(connection.name, target.shown, since=query.since, resumed=resumed)
    run = _Run(
        connection,
        query,
        target,
        mode,
        state,
        job,
        result,
        Progress(connection.name),
        on_progress,
        lock,
        chunked=mode is WriteMode.UPSERT,
    )
    await _fetch(run)
    result.finished_by = "report" if run.job.report_done and not run.job.api_done else "api"
    if not result.sources:  # resumed after everything was fetched
        result.sources.append(result.finished_by)
    await run.deliver(final=True)
    bound = run.job.bound
    result.until = bound
    finish = None
    if scope is not None and bound is not None:
        finish = (connection.record.id, scope, list(query.marketplaces), target.key, bound)
        result.position = bound
    await asyncio.to_thread(state.finish, run.job.id, position=finish)
    run.tell("done")
    return result


async def aexport_orders(
    connection: Connection,
    target: str | Target,
    query: OrderQuery,
    *,
    mode: WriteMode | str = WriteMode.REPLACE,
    restart: bool = False,
    on_progress: ProgressCallback | None = None,
) -> OrdersResult:
    """Export the query's orders to ``target``, resuming the same export if an earlier run was stopped
    (``restart`` forgets it). With ``replace`` (the default) the destination ends holding exactly the
    window's orders, written once the window is complete."""
    resolved = _resolve(connection, query)
    if resolved.order_ids:
        raise ConfigurationError("Export a window of orders; orders by ID: get.", field="order_id")
    parsed, write_mode = _target(target), _mode(mode)
    await asyncio.to_thread(_check_destination, parsed, write_mode)
    identity = resolved.identity("export", parsed.key, write_mode)
    if restart:
        await asyncio.to_thread(_forget, connection, identity)
    return await _run_job(
        connection,
        resolved,
        parsed,
        kind="export",
        mode=write_mode,
        identity=identity,
        on_progress=on_progress,
        lock=asyncio.Lock(),
    )


def export_orders(
    connection: Connection,
    target: str | Target,
    query: OrderQuery,
    *,
    mode: WriteMode | str = WriteMode.REPLACE,
    restart: bool = False,
    on_progress: ProgressCallback | None = None,
) -> OrdersResult:
    """The sync twin of aexport_orders."""
    return run_sync(
        aexport_orders(connection, target, query, mode=mode, restart=restart, on_progress=on_progress)
    )


def _mode(mode: WriteMode | str) -> WriteMode:
    try:
        return WriteMode(mode)
    except ValueError:
        raise ConfigurationError(
            f"Unknown write mode {mode!r}.", field="mode", hint="Use replace or upsert."
        ) from None


def _forget(connection: Connection, identity: str) -> None:
    state = OrderState(connection.store, connection.clock)
    job = state.find_job(connection.record.id, identity)
    if job is not None:
        state.drop_job(job.id)


def sync_scope(marketplaces: Sequence[str], target: Target) -> str:
    """What a sync position belongs to besides the connection: the marketplace set and the destination."""
    text = "|".join([*sorted(marketplaces), target.key])
    return hashlib.sha256(text.encode()).hexdigest()


async def _sync_one(
    connection: Connection,
    target: Target,
    query: OrderQuery,
    *,
    overlap: timedelta,
    on_progress: ProgressCallback | None,
    lock: asyncio.Lock,
) -> OrdersResult:
    """One connection's sync: from its position (less the overlap) or ``query.since``; after a window
    the report answered, once more through the API from where the report ended. A sync interrupted
    earlier is finished first."""
    if query.until is not None or query.order_ids:
        raise ConfigurationError("A sync runs up to now and takes no end or order IDs.", field="until")
    resolved = _resolve(connection, replace(query, by=DateField.UPDATED), needs_since=False)
    scope = sync_scope(resolved.marketplaces, target)
    identity = hashlib.sha256(f"sync|{scope}".encode()).hexdigest()
    state = OrderState(connection.store, connection.clock)
    position = await asyncio.to_thread(state.position, connection.record.id, scope)
    unfinished = await asyncio.to_thread(state.find_job, connection.record.id, identity)
    if position is not None:
        resolved = resolved.with_window(position - overlap, None)
    elif resolved.since is None and unfinished is None:
        raise ConfigurationError(
            f"The first sync of {connection.name} to {target.shown} needs the start of its window.",
            field="since",
            hint="Give --since (e.g. --since 2025-01-01); later syncs continue from where the last one ended.",
        )
    results = []
    while True:
        result = await _run_job(
            connection,
            resolved,
            target,
            kind="sync",
            mode=WriteMode.UPSERT,
            identity=identity,
            on_progress=on_progress,
            lock=lock,
            scope=scope,
        )
        results.append(result)
        if result.finished_by != "report" or result.position is None:
            break
        resolved = replace(resolved.with_window(result.position - overlap, None), path=Path.API)
    return _combined(results)


def _combined(results: list[OrdersResult]) -> OrdersResult:
    first, last = results[0], results[-1]
    combined = replace(last, since=first.since, resumed=first.resumed)
    combined.orders = sum(r.orders for r in results)
    combined.items = sum(r.items for r in results)
    combined.pages = sum(r.pages for r in results)
    combined.sources = list(dict.fromkeys(s for r in results for s in r.sources))
    combined.buyer_data = sum((r.buyer_data for r in results), Counter())
    return combined


async def async_orders(
    connections: Connection | Sequence[Connection],
    target: str | Target,
    query: OrderQuery | None = None,
    *,
    overlap: timedelta = DEFAULT_OVERLAP,
    on_progress: ProgressCallback | None = None,
) -> list[OrdersResult]:
    """Sync each connection's orders into ``target`` (upsert), all at once on this event loop, each at
    its own usage plans: from where its last sync ended (less ``overlap``), or from ``query.since`` the
    first time (``query`` also chooses marketplaces, API, path and buyer data). One result per
    connection; a connection that fails has its ``error`` set and the others go on."""
    parsed = _target(target)
    if parsed.format is Format.TABLE:
        raise DestinationError(
            "A sync needs a destination that keeps its records.",
            destination=parsed.shown,
            hint="Give a file (.csv, .jsonl, .parquet, .xml) or a database.",
        )
    if overlap < timedelta(0):
        raise ConfigurationError("The overlap cannot be negative.", field="overlap")
    await asyncio.to_thread(_check_destination, parsed, WriteMode.UPSERT)
    chosen = [connections] if isinstance(connections, Connection) else list(connections)
    lock = asyncio.Lock()

    async def one(connection: Connection) -> OrdersResult:
        try:
            return await _sync_one(
                connection, parsed, query or OrderQuery(), overlap=overlap, on_progress=on_progress, lock=lock
            )
        except AmazonConnectorError as exc:
            return OrdersResult(connection.name, parsed.shown, error=exc)

    return list(await asyncio.gather(*(one(c) for c in chosen)))


def sync_orders(
    connections: Connection | Sequence[Connection],
    target: str | Target,
    query: OrderQuery | None = None,
    *,
    overlap: timedelta = DEFAULT_OVERLAP,
    on_progress: ProgressCallback | None = None,
) -> list[OrdersResult]:
    """The sync twin of async_orders."""
    return run_sync(async_orders(connections, target, query, overlap=overlap, on_progress=on_progress))
