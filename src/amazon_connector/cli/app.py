"""The `amazon-connector` command: a thin skin over the library, one command per library call.

Each command's module is imported only when that command runs (``amazon-connector --help`` lists them
from COMMANDS without importing any), so that starting the command stays quick and a command never
loads what another one needs (the web server, the emulator, AWS, Parquet)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from amazon_connector.cli.lazy import Command, LazyGroup
from amazon_connector.errors import AmazonConnectorError, ConfigurationError
from amazon_connector.locations import DATABASE_ENV, HOME_ENV, KEY_FILE_ENV
from amazon_connector.version import __version__

COMMANDS = {
    "connections": Command(
        "amazon_connector.cli.connections:app", "Add, authorise, test and manage connections."
    ),
    "secrets": Command(
        "amazon_connector.cli.secrets:app",
        "Client secrets: status, rotation, Amazon's notifications, manual change.",
    ),
    "orders": Command(
        "amazon_connector.cli.orders:app",
        "Orders into files and databases: list, get, export, sync (incremental); confirm shipments.",
    ),
    "sandbox": Command("amazon_connector.cli.sandbox:app", "The local SP-API emulator."),
    "reports": Command(
        "amazon_connector.cli.reports:app",
        "Reports: types, and reports requested or reused, waited for, streamed into rows or downloaded.",
    ),
    "store": Command("amazon_connector.cli.store:app", "The store itself: check it, back it up."),
    "key": Command("amazon_connector.cli.key:app", "The key that encrypts secrets at rest."),
    "demo": Command("amazon_connector.cli.demo:demo", "Run the demo: connections, orders and a report."),
    "call": Command("amazon_connector.cli.call:call", "Call any SP-API operation and print its JSON answer."),
    "download": Command("amazon_connector.cli.call:download", "Download a report document."),
    "upload": Command("amazon_connector.cli.call:upload", "Upload a feed document."),
    "ui": Command("amazon_connector.cli.ui:ui", "The connection dialog as a local web page."),
    "listings": Command("amazon_connector.cli.listings:listings_app", "Read listings; update them in bulk."),
    "prices": Command("amazon_connector.cli.listings:prices_app", "Set prices from a file or database."),
    "stock": Command("amazon_connector.cli.listings:stock_app", "Set merchant-fulfilled stock in bulk."),
    "feeds": Command("amazon_connector.cli.feeds:app", "Listing updates by feed; feeds' state and results."),
    "inventory": Command("amazon_connector.cli.inventory:app", "FBA inventory summaries."),
    "catalog": Command("amazon_connector.cli.catalog:catalog_app", "Catalog items (2022-04-01)."),
    "step": Command(
        "amazon_connector.cli.step:app", "Run an operation once per input record from a step file."
    ),
    "pricing": Command("amazon_connector.cli.catalog:pricing_app", "Competitive prices and offers."),
}


class _Root(LazyGroup):
    """The root command: its commands (COMMANDS) load when used, and a library error anywhere below it
    is one clear message and exit code 1."""

    lazy = COMMANDS
    lazy_first = True

    def invoke(self, ctx: Any) -> Any:  # typer.Context
        try:
            return super().invoke(ctx)
        except AmazonConnectorError as exc:
            from amazon_connector.cli.context import fail

            fail(exc)


app = typer.Typer(
    cls=_Root,
    name="amazon-connector",
    help="Connect Amazon Selling Partner API marketplaces to your own systems.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"amazon-connector {__version__}")
        raise typer.Exit


def _configure_logging(verbose: bool, log_file: Path | None) -> None:
    from amazon_connector.cli.context import show_notices

    show_notices(not verbose)
    if not (verbose or log_file):
        return
    try:
        handler: logging.Handler = (
            logging.FileHandler(log_file) if log_file else logging.StreamHandler(sys.stderr)
        )
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot write the log to {log_file}: {exc.strerror or exc}.",
            hint="Give --log-file a file in a directory that exists and that you may write to.",
        ) from None
    from amazon_connector.redaction import RedactingFilter

    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("amazon_connector")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(envvar=HOME_ENV, help="Data directory (store, key file, certificates)."),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            envvar=DATABASE_ENV,
            help="Store URL: sqlite:///path.db (default in the data directory) or postgresql+psycopg://…",
        ),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            envvar=KEY_FILE_ENV,
            help="The key file (default: secret.key in the data directory, made with a new store).",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the library's log (extended logging) on stderr.")
    ] = False,
    log_file: Annotated[Path | None, typer.Option(help="Write the library's log to this file.")] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Global options; every command below uses them."""
    from amazon_connector.cli.context import State, show_warnings
    from amazon_connector.cli.inputs import warn_on_command_line

    _configure_logging(verbose, log_file)
    show_warnings()
    if database and database != os.environ.get(DATABASE_ENV) and urlsplit(database).password:
        warn_on_command_line(
            ["the password in --database"],
            f"Give the URL in ${DATABASE_ENV} instead, or leave the password out of it for PostgreSQL "
            "to read from ~/.pgpass or $PGPASSWORD.",
        )
    ctx.obj = State(home=home, database=database, key_file=key_file)
    ctx.call_on_close(ctx.obj.close)


@app.command("marketplaces")
def marketplaces() -> None:
    """List the 23 SP-API marketplaces: country, codes, marketplace ID, region, Seller Central."""
    from amazon_connector.cli.output import table
    from amazon_connector.marketplaces import all_marketplaces

    table(
        ["Code", "Country", "Marketplace ID", "Region", "Seller Central"],
        [
            [
                m.code + (f"/{m.alt_code}" if m.alt_code else ""),
                m.country,
                m.marketplace_id,
                m.region,
                m.seller_central_url,
            ]
            for m in all_marketplaces()
        ],
    )


def main() -> None:
    """Entry point: run the CLI (library errors become one clear message and exit code 1)."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
