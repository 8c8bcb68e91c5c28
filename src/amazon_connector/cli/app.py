"""The `amazon-connector` command: a thin skin over the library, one command per library call."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from typer.core import TyperGroup

from amazon_connector.cli import call, connections, demo, sandbox, secrets, store, ui
from amazon_connector.cli.context import State, console, fail, show_warnings
from amazon_connector.cli.secret_input import warn_on_command_line
from amazon_connector.connections.secretbox import KEY_FILE_ENV, generate_key, new_key_file
from amazon_connector.connections.store import DATABASE_ENV
from amazon_connector.errors import AmazonConnectorError, ConfigurationError
from amazon_connector.marketplaces import all_marketplaces
from amazon_connector.redaction import RedactingFilter
from amazon_connector.runtime.caller import wait_log
from amazon_connector.version import __version__


class _Root(TyperGroup):
    """The root command: a library error anywhere below it is one clear message and exit code 1."""

    def invoke(self, ctx: Any) -> Any:  # typer.Context (typer bundles its own click)
        try:
            return super().invoke(ctx)
        except AmazonConnectorError as exc:
            fail(exc)


app = typer.Typer(
    cls=_Root,
    name="amazon-connector",
    help="Connect Amazon Selling Partner API marketplaces to your own systems.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.add_typer(connections.app, name="connections", help="Add, authorise, test and manage connections.")
app.add_typer(
    secrets.app,
    name="secrets",
    help="Client secrets: status, rotation, Amazon's notifications, manual change.",
)
app.add_typer(sandbox.app, name="sandbox", help="The local SP-API emulator.")
app.add_typer(store.app, name="store", help="The store itself: check it, back it up.")
key_app = typer.Typer(help="The key that encrypts secrets at rest.", no_args_is_help=True)
app.add_typer(key_app, name="key")
app.command("demo")(demo.demo)
app.command("call")(call.call)
app.command("download")(call.download)
app.command("upload")(call.upload)
app.command("ui")(ui.ui)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"amazon-connector {__version__}")
        raise typer.Exit


class _Terminal(logging.Handler):
    """Shows a record's message on stderr (looked up when it is written, as the CLI's tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(self.format(record), err=True)


def _show_waits(on: bool) -> None:
    """Long waits for a rate-limit slot on the terminal (with -v the log shows them anyway)."""
    for handler in [h for h in wait_log.handlers if isinstance(h, _Terminal)]:
        wait_log.removeHandler(handler)
    if on:
        wait_log.addHandler(_Terminal())
        wait_log.setLevel(logging.INFO)


def _configure_logging(verbose: bool, log_file: Path | None) -> None:
    _show_waits(not verbose)
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
        typer.Option(envvar="AMAZON_CONNECTOR_HOME", help="Data directory (store, key file, certificates)."),
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


@key_app.command("generate")
def key_generate(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write it to this new file (0600) instead of printing it."),
    ] = None,
) -> None:
    """A new random key: printed for $AMAZON_CONNECTOR_KEY, or written to a new key file for --key-file
    (keep a copy somewhere safe: without it the store's secrets cannot be read)."""
    if output is None:
        typer.echo(generate_key())
        return
    new_key_file(output)
    console.print(f"Wrote a new key to {output}. Use it with --key-file {output} or ${KEY_FILE_ENV}.")


def main() -> None:
    """Entry point: run the CLI (library errors become one clear message and exit code 1)."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
