"""`amazon-connector inventory list`: FBA inventory summaries as rows to a destination."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape

from amazon_connector.cli.bulk import Connection
from amazon_connector.cli.context import console, state
from amazon_connector.data import open_destination
from amazon_connector.data.inventory import INVENTORY, inventory_rows

app = typer.Typer(no_args_is_help=True, help="FBA inventory (merchant-fulfilled stock: `stock set`).")


@app.command("list")
def list_inventory(
    ctx: typer.Context,
    connection: Connection = ...,  # type: ignore[assignment]
    sku: Annotated[list[str] | None, typer.Option(help="Only these SKUs (repeatable).")] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Only SKUs whose quantities changed since (ISO 8601).")
    ] = None,
    details: Annotated[
        bool, typer.Option(help="Fulfillable, reserved, inbound, researching and unfulfillable units.")
    ] = False,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where the rows go: - (a table), a file, a database.")
    ] = "-",
    mode: Annotated[
        str, typer.Option(help="replace, upsert (by marketplace and SKU) or append.")
    ] = "replace",
) -> None:
    """The FBA inventory of the connection's marketplace, one row per SKU, every page."""
    conn = state(ctx).connections().get(connection)
    with open_destination(output, INVENTORY, mode=mode) as destination:
        count = destination.write(
            INVENTORY, inventory_rows(conn, skus=sku or (), since=since, details=details)
        )
    if output not in ("-", "table"):
        console.print(f"{count} SKU(s) written to {escape(output)}.", soft_wrap=True)
