"""`amazon-connector orders ship`: confirm merchant-fulfilled orders shipped (confirmShipment) or update
their shipment status (updateShipmentStatus, --status), one order from the command line or every record
of a file or database, each sent once.

Exit codes: see ``bulk`` (0 all sent and accepted, 1 failed, 3 some refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from amazon_connector import exit_codes
from amazon_connector.cli import bulk
from amazon_connector.cli.bulk import Again, Connection, Encoding, Errors, Query, Results
from amazon_connector.cli.context import Quiet, state
from amazon_connector.cli.listings import show_result
from amazon_connector.cli.progress import progress
from amazon_connector.data.results import Outcome, ResultFiles
from amazon_connector.data.shipments import (
    ShipmentStatus,
    confirm_shipments,
    require_columns,
    shipment_record,
)


def ship(
    ctx: typer.Context,
    order: Annotated[
        str | None, typer.Argument(help="The Amazon order ID (or --from FILE).", show_default=False)
    ] = None,
    connection: Connection = ...,  # type: ignore[assignment]
    carrier: Annotated[
        str | None, typer.Option(help="Amazon's carrier code: UPS, USPS, FedEx, DHL, Royal Mail, … or Other.")
    ] = None,
    carrier_name: Annotated[
        str | None, typer.Option(help="The carrier's name (with --carrier Other).")
    ] = None,
    tracking: Annotated[str | None, typer.Option(help="The tracking number.")] = None,
    items: Annotated[
        str | None,
        typer.Option(help="ORDER_ITEM_ID:QUANTITY,… in the package (default: every unit not yet shipped)."),
    ] = None,
    method: Annotated[str | None, typer.Option(help="The shipping method, e.g. Ground.")] = None,
    ship_date: Annotated[
        datetime | None, typer.Option(help="When it was shipped (ISO 8601; default now).")
    ] = None,
    package: Annotated[
        str | None, typer.Option(help="The package's number within the order (default 1).")
    ] = None,
    status: Annotated[
        ShipmentStatus | None,
        typer.Option(
            help="Update the shipment status instead (where the marketplace has that flow, e.g. India's "
            "Easy Ship); no carrier or tracking. --items: only those items.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Confirm every package of a .csv, .tsv or .jsonl file or an SQL database (with --query): "
            "columns order_id, carrier, tracking, and carrier_name, method, ship_date, package, items; or "
            "order_id, status and items to update shipment statuses.",
        ),
    ] = None,
    query: Query = None,
    encoding: Encoding = None,
    results: Results = None,
    errors: Errors = None,
    quiet: Quiet = False,
    again: Again = False,
) -> None:
    """Confirm merchant-fulfilled orders shipped with carrier and tracking; they then show as Shipped
    (or PartiallyShipped) in the next orders sync. With --status (or a status column): update the
    shipment status (ReadyForPickup, PickedUp, RefusedPickup) instead."""
    reports = progress(quiet)
    if (order is None) == (source is None):
        raise typer.BadParameter("give an ORDER or --from FILE (not both).")
    if order is not None:
        record = shipment_record(
            {
                "order_id": order, "carrier": carrier, "carrier_name": carrier_name, "tracking": tracking,
                "items": items, "method": method, "ship_date": ship_date.isoformat() if ship_date else None,
                "package": package, "status": status,
            }
        )  # fmt: skip
        report = confirm_shipments(
            state(ctx).connections().get(connection), [record], again=again, progress=reports
        )
        for result in report.results:
            show_result(result)
        if any(r.outcome is Outcome.ERROR for r in report.results):
            raise typer.Exit(exit_codes.SOME_FAILED)
        return
    assert source is not None
    records = bulk.read_source(source, query, encoding)
    require_columns(records)
    shown = bulk.targets(source, "shipments", results, errors)
    conn = state(ctx).connections().get(connection)
    with ResultFiles(*shown) as files:
        report = confirm_shipments(conn, records, again=again, progress=reports)
        bulk.finish(files, report.results, shown=shown, object_name="shipments", quiet=quiet)
