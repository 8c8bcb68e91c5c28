"""`amazon-connector demo`: the main job, end to end, with no input needed.

Against the built-in emulator unless Amazon credentials are in the environment; then against Amazon.
"""

from __future__ import annotations

import os
import socket
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from amazon_connector.cli.context import console, state
from amazon_connector.cli.output import print_step, status_text, table
from amazon_connector.clock import ScaledClock
from amazon_connector.connections import Connection, Connections, TestReport

AMAZON_ENV = {
    "country": "AMAZON_CONNECTOR_COUNTRY",
    "app_id": "AMAZON_CONNECTOR_APP_ID",
    "client_id": "AMAZON_CONNECTOR_CLIENT_ID",
    "client_secret": "AMAZON_CONNECTOR_CLIENT_SECRET",
    "refresh_token": "AMAZON_CONNECTOR_REFRESH_TOKEN",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _heading(text: str) -> None:
    console.rule(f"[bold]{text}")


def _test(connection: Connection) -> TestReport:
    _heading(f"Test Connection: {connection.name}")
    report = connection.test(on_step=print_step)
    console.print(f"[bold]{'✓ works' if report.ok else '✗ failed'}[/]: {report.summary}")
    return report


def _orders(connection: Connection, days: int, folder: Path) -> int:
    """Data in: the orders of the last ``days`` days with their items into CSV files, then a look at them."""
    from amazon_connector.data import read_records
    from amazon_connector.data.orders import ORDER_ITEMS, ORDERS, BuyerData, OrderQuery, export_orders

    _heading(f"Orders of the last {days} days with their items into files: {connection.name}")
    target = folder / "orders.csv"
    since = connection.clock.now() - timedelta(days=days)
    result = export_orders(connection, str(target), OrderQuery(since=since))
    console.print(
        f"✓ {result.orders} orders ({result.buyer_data[BuyerData.INCLUDED]} with buyer data) and "
        f"{result.items} items into {target} and {target.with_suffix('.order_items.csv').name}"
    )
    orders = list(read_records(str(target), [ORDERS, ORDER_ITEMS], ORDERS.name))
    rows = [
        [
            o["order_id"],
            f"{o['purchased_at']:%Y-%m-%d}",
            o["status"],
            f"{o['order_total'] or ''} {o['currency'] or ''}",
            "yes" if o["ship_name"] else "no",
        ]
        for o in orders[:5]
    ]
    table(
        ["Order", "Date", "Status", "Total", "Buyer data"], rows, title=f"{len(orders)} orders, the first 5"
    )
    return result.orders


PRICES_STEP = """\
# Prices and stock: one patchListingsItem per row of prices.csv (amazon-connector step run prices.toml)
name = "prices and stock"
connection = "{connection}"
operation = "patchListingsItem"

[source]
path = "prices.csv"

[mapping]
references = ["row"]              # into OutputData and ErrorData, never sent to Amazon

[mapping.fields]
sellerId = "{seller}"
"body.productType" = {{ column = "product_type" }}
"body.patches[0].op" = "merge"
"body.patches[0].path" = "/attributes/purchasable_offer"
"body.patches[0].value[0].marketplace_id" = "{marketplace}"
"body.patches[0].value[0].currency" = "{currency}"
"body.patches[0].value[0].our_price[0].schedule[0].value_with_tax" = {{ column = "price", transform = {{ decimal = 2 }} }}
"body.patches[1].op" = "merge"
"body.patches[1].path" = "/attributes/fulfillment_availability"
"body.patches[1].value[0].fulfillment_channel_code" = "DEFAULT"
"body.patches[1].value[0].quantity" = {{ column = "quantity", transform = "number" }}
"""


def _own_offer_without_minimum(item: dict[str, Any]) -> bool:
    """A listing the seller ships (it takes a quantity) with no minimum price (any price is accepted)."""
    attributes = item.get("attributes") or {}
    channels = {a.get("fulfillment_channel_code") for a in attributes.get("fulfillment_availability", [])}
    offers = attributes.get("purchasable_offer", [])
    return channels == {"DEFAULT"} and not any("minimum_seller_allowed_price" in o for o in offers)


def _step(connections: Connections, name: str, folder: Path) -> int:
    """Data out: a step file that patches prices and stock from a CSV file, a result per row."""
    from amazon_connector.data import read_records
    from amazon_connector.data.results import ERRORS
    from amazon_connector.data.step import OUTPUT, load_step, run_step

    connection = connections.get(name)
    _heading(f"A step: prices and stock from a CSV file, patchListingsItem once per row: {name}")
    seller = connection.settings.selling_partner_id or ""
    marketplace = connection.marketplace
    listed = connection.call(
        "searchListingsItems",
        sellerId=seller,
        includedData=["summaries", "attributes"],
        pageSize=20,
        paginate=False,
    ).data["items"]
    found = [item for item in listed if _own_offer_without_minimum(item)][:4]
    rows = ["sku,product_type,price,quantity,row"]
    rows += [
        f"{item['sku']},{item['summaries'][0]['productType']},{19.99 + n},{10 + n},ROW-{n + 1}"
        for n, item in enumerate(found)
    ]
    rows.append(
        f"NO-SUCH-SKU,{found[0]['summaries'][0]['productType'] if found else 'LUGGAGE'},9.99,1,ROW-{len(found) + 1}"
    )
    (folder / "prices.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    step_file = folder / "prices.toml"
    step_file.write_text(
        PRICES_STEP.format(
            connection=connection.name,
            seller=seller,
            marketplace=marketplace.marketplace_id,
            currency=marketplace.currency,
        ),
        encoding="utf-8",
    )
    result = run_step(load_step(step_file), connections)
    console.print(f"✓ {step_file}: {result}")
    for record in read_records(str(result.output), OUTPUT):
        answer = record["answer"] or {}
        console.print(
            f"  OutputData, line {record['line']} ({record['references']}): {answer.get('sku')} {answer.get('status')}"
        )
    for error in read_records(str(result.errors), ERRORS):
        console.print(
            f"  ErrorData, line {error['line']} ({error['input']['references']}): {error['code']} {error['message']}"
        )
    return result.answered


def _report(connection: Connection) -> int:
    """Data out of Amazon's reports: request one (or reuse a recent one), wait until it is done, stream
    its rows into a table."""
    from amazon_connector.data.reports import ReportError, Reports

    _heading(f"A report: {connection.name}")
    reports = Reports(connection)
    try:
        job = reports.get(reports.request_for("GET_MERCHANT_LISTINGS_ALL_DATA"), timeout=600)
    except ReportError as exc:
        console.print(f"Report: {exc.message}")
        return 0
    with reports.open_rows(job) as rows:
        (listings,) = rows.record_sets
        records = [r for _, batch in rows.pieces for r in batch.to_pylist()]  # type: ignore[union-attr]
    console.print(
        f"✓ report {job.report_id}: {len(records)} listings in the document's charset, columns "
        f"{listings.column_names[:4]} …; first: {records[0]['item_name'] if records else '-'}"
    )
    return len(records)


def _summary(connections: Connections) -> None:
    table(
        ["Name", "Country", "Mode", "Status", "Last test"],
        [
            [c.name, c.settings.country, c.settings.mode, status_text(c.status), c.record.last_test_summary]
            for c in connections.list()
        ],
        title="Connections",
    )


def demo(
    ctx: typer.Context,
    keep: Annotated[
        bool, typer.Option(help="Keep the demo's store (in the data directory) instead of a temporary one.")
    ] = False,
) -> None:
    """Run the main job: start the emulator, add connections, authorise through the consent page, test them,
    then fetch orders with their items and a report.

    With AMAZON_CONNECTOR_COUNTRY, _APP_ID, _CLIENT_ID, _CLIENT_SECRET and _REFRESH_TOKEN set, it
    connects to Amazon instead (Restricted Data Access Mode, self-authorised refresh token)."""
    given = {field: os.environ.get(env) for field, env in AMAZON_ENV.items()}
    if all(given.values()):
        raise typer.Exit(_demo_amazon(state(ctx).connections(), given))
    if keep:
        raise typer.Exit(_demo_emulator(state(ctx).connections()))
    with (
        tempfile.TemporaryDirectory(prefix="amazon-connector-demo-") as tmp,
        Connections.open(home=Path(tmp)) as c,
    ):
        raise typer.Exit(_demo_emulator(c))


def _demo_amazon(connections: Connections, given: dict[str, Any]) -> int:
    _heading("Amazon (production): Restricted Data Access Mode")
    name = f"demo-{str(given['country']).lower()}"
    if name in connections.names():
        connection = connections.edit(name, mode="restricted", **given)
    else:
        connection = connections.add(name, mode="restricted", **given)
    connection.verify_refresh_token()
    report = _test(connection)
    if report.ok:
        folder = connections.home / "demo"
        folder.mkdir(mode=0o700, exist_ok=True)
        _orders(connection, days=7, folder=folder)
    _summary(connections)
    return 0 if report.ok else 1


EMULATOR_SPEED = 30.0
"""The demo's emulator runs this much faster than real time, so its reports are ready in a second."""


def _demo_emulator(connections: Connections) -> int:
    from amazon_connector.sandbox.robot import approve
    from amazon_connector.sandbox.server import running_emulator
    from amazon_connector.sandbox.world import demo_world

    redirect_uri = f"http://127.0.0.1:{_free_port()}/amazon-connector/callback"
    with running_emulator(
        demo_world(redirect_uris=[redirect_uri]), clock=ScaledClock(EMULATOR_SPEED)
    ) as emulator:
        apps = {app["name"]: app for app in emulator.world.credentials()}
        console.print(f"Emulator of Amazon (LWA, Seller Central, SP-API) at {emulator.url}")

        _heading("Add a connection (General node): UK, Authorise mode")
        public = apps["Demo Public App"]
        seller = next(s for s in public["sellers"] if "UK" in s["countries"])
        uk = connections.add(
            "demo-uk",
            country="UK",
            app_id=public["app_id"],
            client_id=public["client_id"],
            client_secret=public["client_secret"],
            redirect_uri=redirect_uri,
            environment=emulator.url,
        )
        console.print(f"{uk.name}: {status_text(uk.status)}")

        _heading("Authorise through the consent page")
        with uk.start_authorisation() as flow:
            console.print(f"Consent page: {flow.url.split('?')[0]}?… (state, application_id, redirect_uri)")
            console.print(f"The seller {seller['store_name']} signs in and clicks Confirm …")
            approve(flow.url, selling_partner_id=seller["selling_partner_id"])
            record = flow.wait(30)
        console.print(f"✓ authorised for {record.settings.selling_partner_id}: {status_text(record.status)}")
        reports = [_test(connections.get("demo-uk"))]

        _heading("Add a connection in Restricted Data Access Mode: DE")
        private = apps["Demo Private App (restricted)"]
        eu_seller = next(s for s in private["sellers"] if "DE" in s["countries"])
        de = connections.add(
            "demo-de-restricted",
            country="DE",
            mode="restricted",
            app_id=private["app_id"],
            client_id=private["client_id"],
            client_secret=private["client_secret"],
            refresh_token=eu_seller["refresh_token"],
            selling_partner_id=eu_seller["selling_partner_id"],
            environment=emulator.url,
        )
        de.verify_refresh_token()
        console.print(
            f"✓ Login with Amazon accepted the app's credentials and refresh token: {status_text(de.status)}"
        )
        reports.append(_test(connections.get("demo-de-restricted")))
        de = connections.get("demo-de-restricted")
        folder = connections.home / "demo"
        folder.mkdir(mode=0o700, exist_ok=True)
        _orders(de, days=30, folder=folder)
        _report(de)
        _step(connections, de.name, folder)

        _heading("Result")
        _summary(connections)
    ok = all(r.ok for r in reports)
    console.print(
        "[bold green]Demo finished: every connection tested OK.[/]" if ok else "[bold red]Demo failed.[/]"
    )
    return 0 if ok else 1
