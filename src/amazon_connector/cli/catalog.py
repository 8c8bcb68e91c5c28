"""`amazon-connector catalog search | get` and `pricing competitive | offers`: catalog items and prices as
rows to a destination."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import typer
from rich.markup import escape

from amazon_connector.cli import bulk
from amazon_connector.cli.bulk import Connection, Encoding, Query
from amazon_connector.cli.context import console, state
from amazon_connector.data import RecordSet, open_destination
from amazon_connector.data.catalog import (
    CATALOG,
    OFFERS,
    PRICES,
    competitive_prices,
    get_catalog_item,
    offers,
    search_catalog,
)

catalog_app = typer.Typer(no_args_is_help=True, help="Catalog items (Catalog Items 2022-04-01).")
pricing_app = typer.Typer(no_args_is_help=True, help="Competitive prices and offers of ASINs or SKUs.")

Output = Annotated[
    str, typer.Option("--output", "-o", help="Where the rows go: - (a table), a file, a database.")
]
Asins = Annotated[list[str] | None, typer.Option("--asin", help="An ASIN (repeatable).")]
Skus = Annotated[list[str] | None, typer.Option("--sku", help="A seller SKU (repeatable).")]
From = Annotated[
    str | None,
    typer.Option("--from", help="Read the ASINs or SKUs from the asin or sku column of a file or database."),
]


def _write(output: str, record_set: RecordSet, rows: Iterator[dict[str, Any]]) -> None:
    with open_destination(output, record_set) as destination:
        count = destination.write(record_set, rows)
    if output not in ("-", "table"):
        console.print(f"{count} row(s) written to {escape(output)}.", soft_wrap=True)


def _identifiers(
    asin: list[str] | None, sku: list[str] | None, source: str | None, query: str | None, encoding: str | None
) -> tuple[list[str], list[str]]:
    """The ASINs and SKUs given, or read from a source's asin or sku column."""
    if source is None:
        return asin or [], sku or []
    records = bulk.read_source(source, query, encoding)
    records.require(any_of=("asin", "sku"))
    column = "asin" if records.columns is None or "asin" in records.columns else "sku"
    values = [str(r.values[column]).strip() for r in records if r.problem is None and r.values.get(column)]
    return (values, []) if column == "asin" else ([], values)


@catalog_app.command("search")
def search(
    ctx: typer.Context,
    keywords: Annotated[
        list[str] | None, typer.Argument(help="Words to search for.", show_default=False)
    ] = None,
    connection: Connection = ...,  # type: ignore[assignment]
    identifier: Annotated[list[str] | None, typer.Option(help="An identifier instead (repeatable).")] = None,
    identifiers_type: Annotated[
        str, typer.Option(help="ASIN, EAN, GTIN, ISBN, JAN, MINSAN, SKU or UPC.")
    ] = "ASIN",
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many items (keywords).")] = None,
    output: Output = "-",
) -> None:
    """Catalog items of the connection's marketplace by keywords (every page) or identifiers."""
    conn = state(ctx).connections().get(connection)
    rows = search_catalog(
        conn,
        keywords=keywords or (),
        identifiers=identifier or (),
        identifiers_type=identifiers_type,
        limit=limit,
    )
    _write(output, CATALOG, rows)


@catalog_app.command("get")
def get(
    ctx: typer.Context,
    asin: Annotated[str, typer.Argument(help="The ASIN.")],
    connection: Connection = ...,  # type: ignore[assignment]
) -> None:
    """One catalog item with everything Amazon has on it, as JSON."""
    found = get_catalog_item(state(ctx).connections().get(connection), asin)
    sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")


def _pricing(
    ctx: typer.Context,
    connection: str,
    read: Callable[..., Iterator[dict[str, Any]]],
    record_set: RecordSet,
    identifiers: tuple[list[str], list[str]],
    output: str,
) -> None:
    asins, skus = identifiers
    if not asins and not skus:
        raise typer.BadParameter("give --asin, --sku or --from.")
    _write(output, record_set, read(state(ctx).connections().get(connection), asins=asins, skus=skus))


@pricing_app.command("competitive")
def competitive(
    ctx: typer.Context,
    connection: Connection = ...,  # type: ignore[assignment]
    asin: Asins = None,
    sku: Skus = None,
    source: From = None,
    query: Query = None,
    encoding: Encoding = None,
    output: Output = "-",
) -> None:
    """Competitive prices (Buy Box prices, offer counts) of ASINs or SKUs, 20 a call."""
    _pricing(
        ctx, connection, competitive_prices, PRICES, _identifiers(asin, sku, source, query, encoding), output
    )


@pricing_app.command("offers")
def offers_command(
    ctx: typer.Context,
    connection: Connection = ...,  # type: ignore[assignment]
    asin: Asins = None,
    sku: Skus = None,
    source: From = None,
    query: Query = None,
    encoding: Encoding = None,
    output: Output = "-",
) -> None:
    """Lowest and Buy Box prices and offer counts of ASINs or SKUs through Amazon's batch operations
    (getItemOffersBatch, getListingOffersBatch), 20 a call."""
    _pricing(ctx, connection, offers, OFFERS, _identifiers(asin, sku, source, query, encoding), output)
