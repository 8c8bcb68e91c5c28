"""`amazon-connector ui`: the connection dialog as a local web page."""

from __future__ import annotations

import threading
import webbrowser
from typing import Annotated

import typer

from amazon_connector.cli.context import console, state
from amazon_connector.web import DEFAULT_PORT, start_ui


def ui(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on; anything but loopback asks for a login token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 = any free one).", min=0, max=65535)] = DEFAULT_PORT,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the page in a browser.")
    ] = True,
) -> None:
    """Open the connection dialog in the browser: add, authorise, test, log out, edit, remove."""
    with start_ui(state(ctx).connections(), host=host, port=port) as running:
        console.print(
            f"The connection dialog is at [bold]{running.url}[/] (Ctrl+C stops it).", soft_wrap=True
        )
        if running.login_token:
            console.print(
                f"It listens on {host}, so each browser must log in once with this token:\n"
                f"  [bold]{running.login_token}[/]",
                soft_wrap=True,
            )
        if browser:
            webbrowser.open(running.url)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            console.print("Stopped.")
