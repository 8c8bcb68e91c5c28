"""`amazon-connector listings | prices | stock | feeds`: read listings, and send prices, stock and
attributes in bulk (by patches or JSON_LISTINGS_FEED) with a result per record.

Exit codes of the commands that send: see ``bulk``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.markup import escape

from amazon_connector import exit_codes
from amazon_connector.cli import bulk
from amazon_connector.cli.bulk import (
    Again,
    Connection,
    Encoding,
    Errors,
    Query,
    Results,
    SourceArgument,
)
from amazon_connector.cli.context import Quiet, console, state
from amazon_connector.cli.progress import progress
from amazon_connector.data import open_destination
from amazon_connector.data.listings import What, update_listings
from amazon_connector.data.listings.reading import LISTINGS, get_listing, search_listings
from amazon_connector.data.listings.update import parse_via
from amazon_connector.data.results import Outcome, RecordResult, ResultFiles
from amazon_connector.data.sources import InputRecord

listings_app = typer.Typer(no_args_is_help=True, help="Read listings; update them one by one or in bulk.")
prices_app = typer.Typer(no_args_is_help=True, help="Set prices (purchasable_offer) from a file or database.")
stock_app = typer.Typer(
    no_args_is_help=True,
    help="Set merchant-fulfilled stock (fulfillment_availability) from a file or database.",
)

ViaOption = Annotated[
    str,
    typer.Option(
        "--via",
        help="auto (patches for few SKUs, a feed for many, by the usage plans), patches or feed.",
    ),
]
DryRun = Annotated[
    bool,
    typer.Option(
        help="Run Amazon's validation (VALIDATION_PREVIEW) on every update and show the issues; change nothing."
    ),
]
Wait = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait", help="Wait for feeds to be processed (or exit 5 and collect them later)."
    ),
]
Timeout = Annotated[
    float | None, typer.Option(help="Wait at most this many seconds for feeds (then exit 5).")
]
Sku = Annotated[str | None, typer.Option(help="Update one SKU (instead of a SOURCE).")]
Price = Annotated[Decimal | None, typer.Option(help="Its new price, in the marketplace's currency.")]
Quantity = Annotated[int | None, typer.Option(help="Its new merchant-fulfilled quantity.")]
ProductType = Annotated[str | None, typer.Option(help="Its product type (default: the listing's).")]
Output = Annotated[
    str, typer.Option("--output", "-o", help="Where the rows go: - (a table), a file, or a database.")
]


def show_result(result: RecordResult) -> None:
    reference = f" ({escape(result.reference)})" if result.reference else ""
    console.print(f"{escape(result.key or '?')}: {result.outcome}{reference}", soft_wrap=True)
    for issue in result.issues:
        attribute = " " + escape(f"[{issue.attribute}]") if issue.attribute else ""
        console.print(
            f"  {issue.severity} {escape(issue.code)}{attribute}: {escape(issue.message)}", soft_wrap=True
        )


def run_update(
    ctx: typer.Context,
    what: What,
    source: str | None,
    *,
    connection: str,
    query: str | None,
    encoding: str | None,
    via: str,
    dry_run: bool,
    results: str | None,
    errors: str | None,
    wait: bool,
    timeout: float | None,
    quiet: bool,
    again: bool = False,
    single: dict[str, Any] | None = None,
) -> None:
    chosen = parse_via(via)
    reports = progress(quiet)
    waiting: bool | float = timeout if wait and timeout is not None else wait
    if single is not None:
        if source is not None:
            raise typer.BadParameter("give a SOURCE or --sku, not both.")
        conn = state(ctx).connections().get(connection)
        record = InputRecord(1, {k: v for k, v in single.items() if v is not None})
        report = update_listings(
            conn,
            [record],
            what,
            via="patches" if chosen == "auto" else chosen,
            dry_run=dry_run,
            wait=waiting,
            again=again,
            progress=reports,
        )
        bulk.exit_if_pending(report.pending)
        for result in report.results:
            show_result(result)
        if any(r.outcome is Outcome.ERROR for r in report.results):
            raise typer.Exit(exit_codes.SOME_FAILED)
        return
    records = bulk.read_source(source, query, encoding)
    what.require(records)
    assert source is not None
    shown = bulk.targets(source, str(what), results, errors)
    conn = state(ctx).connections().get(connection)
    with ResultFiles(*shown) as files:
        report = update_listings(
            conn, records, what, via=chosen, dry_run=dry_run, wait=waiting, again=again, progress=reports
        )
        bulk.exit_if_pending(report.pending)
        bulk.finish(files, report.results, shown=shown, object_name="listings", quiet=quiet)


# --- listings -------------------------------------------------------------------------------------


@listings_app.command("get")
def listings_get(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The SKU.")],
    connection: Connection = ...,  # type: ignore[assignment]
) -> None:
    """One listing with everything Amazon has on it (summaries, attributes, issues, offers, availability), as JSON."""
    found = get_listing(state(ctx).connections().get(connection), sku)
    sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")


@listings_app.command("search")
def listings_search(
    ctx: typer.Context,
    connection: Connection = ...,  # type: ignore[assignment]
    sku: Annotated[list[str] | None, typer.Option(help="Only these SKUs (repeatable).")] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="Only listings with this status: BUYABLE, DISCOVERABLE.")
    ] = None,
    without_status: Annotated[
        list[str] | None, typer.Option(help="Only listings without this status.")
    ] = None,
    issues: Annotated[
        list[str] | None, typer.Option(help="Only listings with issues of this severity: ERROR, WARNING.")
    ] = None,
    updated_since: Annotated[
        datetime | None, typer.Option(help="Only listings changed since (ISO 8601, UTC).")
    ] = None,
    output: Output = "-",
) -> None:
    """The seller's listings in the connection's marketplace, one row per SKU (Amazon pages through at
    most 1,000; name SKUs to read others)."""
    conn = state(ctx).connections().get(connection)
    with open_destination(output, LISTINGS) as destination:
        count = destination.write(
            LISTINGS,
            search_listings(
                conn,
                skus=sku or (),
                with_status=status or (),
                without_status=without_status or (),
                issue_severities=issues or (),
                updated_since=updated_since,
            ),
        )
    if output not in ("-", "table"):
        console.print(f"{count} listing(s) written to {escape(output)}.", soft_wrap=True)


@listings_app.command("update")
def listings_update(
    ctx: typer.Context,
    source: SourceArgument = None,
    connection: Connection = ...,  # type: ignore[assignment]
    sku: Sku = None,
    price: Price = None,
    quantity: Quantity = None,
    product_type: ProductType = None,
    via: ViaOption = "auto",
    dry_run: DryRun = False,
    query: Query = None,
    encoding: Encoding = None,
    results: Results = None,
    errors: Errors = None,
    wait: Wait = True,
    timeout: Timeout = None,
    quiet: Quiet = False,
    again: Again = False,
) -> None:
    """Update listings: one SKU (--sku with --price, --quantity) or every record of a SOURCE with the
    columns sku, price, quantity, product_type, attributes (JSON) and any attribute by name."""
    single = None
    if sku is not None:
        if price is None and quantity is None:
            raise typer.BadParameter("give --price, --quantity or both.", param_hint="--sku")
        single = {"sku": sku, "price": price, "quantity": quantity, "product_type": product_type}
    run_update(
        ctx, What.LISTINGS, source, connection=connection, query=query, encoding=encoding, via=via,
        dry_run=dry_run, results=results, errors=errors, wait=wait, timeout=timeout, quiet=quiet, again=again, single=single,
    )  # fmt: skip


@prices_app.command("set")
def prices_set(
    ctx: typer.Context,
    source: SourceArgument = None,
    connection: Connection = ...,  # type: ignore[assignment]
    sku: Sku = None,
    price: Price = None,
    via: ViaOption = "auto",
    dry_run: DryRun = False,
    query: Query = None,
    encoding: Encoding = None,
    results: Results = None,
    errors: Errors = None,
    wait: Wait = True,
    timeout: Timeout = None,
    quiet: Quiet = False,
    again: Again = False,
) -> None:
    """Set prices: one SKU (--sku --price) or every record of a SOURCE with the columns sku and price."""
    single = None
    if sku is not None:
        if price is None:
            raise typer.BadParameter("give the --price.", param_hint="--sku")
        single = {"sku": sku, "price": price}
    run_update(
        ctx, What.PRICES, source, connection=connection, query=query, encoding=encoding, via=via,
        dry_run=dry_run, results=results, errors=errors, wait=wait, timeout=timeout, quiet=quiet, again=again, single=single,
    )  # fmt: skip


@stock_app.command("set")
def stock_set(
    ctx: typer.Context,
    source: SourceArgument = None,
    connection: Connection = ...,  # type: ignore[assignment]
    sku: Sku = None,
    quantity: Quantity = None,
    via: ViaOption = "auto",
    dry_run: DryRun = False,
    query: Query = None,
    encoding: Encoding = None,
    results: Results = None,
    errors: Errors = None,
    wait: Wait = True,
    timeout: Timeout = None,
    quiet: Quiet = False,
    again: Again = False,
) -> None:
    """Set merchant-fulfilled stock: one SKU (--sku --quantity) or every record of a SOURCE with the
    columns sku and quantity (FBA stock is Amazon's count: see `inventory list`)."""
    single = None
    if sku is not None:
        if quantity is None:
            raise typer.BadParameter("give the --quantity.", param_hint="--sku")
        single = {"sku": sku, "quantity": quantity}
    run_update(
        ctx, What.STOCK, source, connection=connection, query=query, encoding=encoding, via=via,
        dry_run=dry_run, results=results, errors=errors, wait=wait, timeout=timeout, quiet=quiet, again=again, single=single,
    )  # fmt: skip
