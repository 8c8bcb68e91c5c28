"""`amazon-connector key`: the key that encrypts secrets at rest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from amazon_connector.cli.context import console
from amazon_connector.connections.secretbox import generate_key, new_key_file
from amazon_connector.locations import KEY_FILE_ENV

app = typer.Typer(no_args_is_help=True)


@app.command("generate")
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
