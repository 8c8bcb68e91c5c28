"""`amazon-connector sandbox`: run the local emulator of Amazon and print its demo credentials."""

from __future__ import annotations

import json
from typing import Annotated

import httpx
import typer

from amazon_connector.sandbox.server import RunningEmulator, base_url, serve
from amazon_connector.sandbox.world import DEFAULT_LISTINGS, DEFAULT_ORDERS

app = typer.Typer(no_args_is_help=True)


@app.command("serve")
def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback only, unless --allow-remote).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8765,
    seed: Annotated[
        int, typer.Option(help="Seed of the demo world: the same seed gives the same credentials.")
    ] = 0,
    time_scale: Annotated[
        float, typer.Option(help="How much faster than real time tokens expire and usage plans refill.")
    ] = 1.0,
    redirect_uri: Annotated[
        list[str] | None,
        typer.Option(help="Also register this OAuth redirect URI with every app (repeatable)."),
    ] = None,
    orders: Annotated[
        int, typer.Option(min=0, help="Orders of each seller in each of its marketplaces.")
    ] = DEFAULT_ORDERS,
    listings: Annotated[int, typer.Option(min=0, help="Listings of each seller.")] = DEFAULT_LISTINGS,
    faults: Annotated[
        str,
        typer.Option(
            help="Inject faults into SP-API requests, drawn from --seed: e.g. "
            "500=0.05,503=0.05,reset=0.02,slow=0.02@2.0 (kinds: 500, 503, 500-after, reset, reset-after, slow)."
        ),
    ] = "",
    static: Annotated[
        bool,
        typer.Option(
            help="Play Amazon's sandbox endpoints: SP-API answers only the models' static examples "
            "(anything else: 400 'Could not match input arguments')."
        ),
    ] = False,
    allow_remote: Annotated[
        bool, typer.Option(help="Allow a non-loopback --host: anyone who reaches it gets the credentials.")
    ] = False,
    report_rows: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Rows per marketplace of the listings, inventory, settlement and other generated report "
            "documents (default 20); documents of any size are written to disk and streamed.",
        ),
    ] = None,
) -> None:
    """Serve Login with Amazon, the Seller Central consent page and SP-API until Ctrl-C (or SIGTERM)."""

    def announce(emulator: RunningEmulator) -> None:
        mode = " answering only the models' sandbox examples" if static else ""
        typer.echo(f"Emulator of Amazon (Login with Amazon, Seller Central, SP-API) at {emulator.url}{mode}")
        typer.echo(
            f"Use environment = {emulator.url} in a connection; its credentials: "
            f"amazon-connector sandbox credentials --url {emulator.url}"
        )

    serve(
        host,
        port,
        seed,
        time_scale,
        redirect_uri or (),
        orders=orders,
        listings=listings,
        faults=faults,
        static=static,
        allow_remote=allow_remote,
        report_rows=report_rows,
        on_ready=announce,
    )
    typer.echo("Stopped.")


@app.command("credentials")
def credentials_command(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of an emulator on 127.0.0.1.")] = 8765,
    url: Annotated[str | None, typer.Option(help="Base URL of the emulator (instead of --port).")] = None,
) -> None:
    """Print the running emulator's apps, credentials and sellers as JSON."""
    base = (url or base_url("127.0.0.1", port)).rstrip("/")
    try:
        response = httpx.get(f"{base}/_sandbox/credentials", timeout=10.0, trust_env=False)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        typer.echo(
            f"Error: no emulator answered at {base} ({exc}); start one with: amazon-connector sandbox serve",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(json.dumps(response.json(), indent=2))
