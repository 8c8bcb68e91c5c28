"""`amazon-connector ui`: the connection dialog as a local web page."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from amazon_connector.cli.context import console, err_console, state
from amazon_connector.serving import until_stop_signal, wait_for_stop_signal
from amazon_connector.web.server import DEFAULT_PORT, start_ui


def ui(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on; anything but loopback is served over HTTPS and asks for a login token."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 = any free one).", min=0, max=65535)] = DEFAULT_PORT,
    steps: Annotated[
        Path | None,
        typer.Option(
            help="The folder of step files the Steps section lists and runs (default: steps in the data "
            "directory).",
            file_okay=False,
            dir_okay=True,
            exists=True,
            resolve_path=True,
        ),
    ] = None,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the page in a browser.")
    ] = True,
    cert: Annotated[
        Path | None,
        typer.Option(
            help="HTTPS certificate (PEM); off loopback, without it a self-signed one is made in the "
            "data directory."
        ),
    ] = None,
    key: Annotated[Path | None, typer.Option(help="The certificate's private key (PEM).")] = None,
    insecure: Annotated[
        bool,
        typer.Option(
            "--insecure",
            help="Off loopback, serve plain HTTP anyway (the token and secrets cross unencrypted).",
        ),
    ] = False,
) -> None:
    """Open the connection dialog in the browser: add, authorise, test, log out, edit, remove; and the
    Steps section: view and run the step files of a folder."""
    with (
        until_stop_signal(),
        start_ui(
            state(ctx).connections(),
            host=host,
            port=port,
            steps=steps,
            certfile=cert,
            keyfile=key,
            insecure=insecure,
        ) as running,
    ):
        console.print(
            f"The connection dialog is at [bold]{running.url}[/] (Ctrl+C stops it).", soft_wrap=True
        )
        if running.fingerprint:
            console.print(
                f"Its certificate's SHA-256 fingerprint (check that the browser shows the same):\n"
                f"  {running.fingerprint}",
                soft_wrap=True,
                emoji=False,  # not :AB: as an emoji
            )
        if running.login_token:
            if running.url.startswith("http:"):
                err_console.print(
                    f"[yellow]Warning:[/] --insecure: the page on {host} is plain HTTP, so the login token, "
                    "the cookie and every secret typed into it cross the network unencrypted.",
                    soft_wrap=True,
                )
            console.print(
                f"It listens on {host}, so each browser must log in once with this token:\n"
                f"  [bold]{running.login_token}[/]",
                soft_wrap=True,
            )
        if browser:
            webbrowser.open(running.url)
        wait_for_stop_signal()
    console.print("Stopped.")
