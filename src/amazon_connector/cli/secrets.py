"""`amazon-connector secrets …`: each application's client secret: status, rotation, notifications."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from amazon_connector.cli.context import console, state
from amazon_connector.cli.inputs import read_json, read_secret
from amazon_connector.cli.output import SECRET_STYLE, print_json, secret_text, table, warn_secret
from amazon_connector.connections import Received, SecretLevel
from amazon_connector.connections.applications import summary
from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces.environment import LWA_TOKEN_URL, token_url_environment

app = typer.Typer(no_args_is_help=True)

SECRET_ENV = "AMAZON_CONNECTOR_CLIENT_SECRET"  # noqa: S105 (a variable's name)
ClientId = Annotated[str, typer.Option("--client-id", help="The application's LWA client identifier.")]
OptionalClientId = Annotated[
    str | None, typer.Option("--client-id", help="The application's LWA client identifier.")
]
Environment = Annotated[
    str | None,
    typer.Option(help="Only needed when the client ID is used both with Amazon and an emulator."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _environment(token_url: str) -> str:
    return "Amazon" if token_url == LWA_TOKEN_URL else token_url_environment(token_url)


def _said(results: list[Received]) -> None:
    if not results:
        console.print("No client-secret notification was waiting.")
    for result in results:
        mark = "[green]✓[/]" if result.switched else "•"
        console.print(f"{mark} {escape(result.message)}", soft_wrap=True)


@app.command("status")
def status(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Each application's client secret: issued, expires, what to do. Exit code 0: fine; 1: expires within
    90 days; 2: within 7 days, expired, or a requested new secret has not arrived (any error also exits 1)."""
    found = state(ctx).connections().applications.status()
    worst = max((s.level.exit_code for s in found), default=0)
    if as_json:
        print_json([summary(s) for s in found])
        raise typer.Exit(worst)
    if not found:
        console.print("No application yet: add a connection with a client ID first.")
        raise typer.Exit(0)
    table(
        ["Client ID", "Environment", "Connections", "Issued", "Expires", "Age", "Status"],
        [
            [
                s.application.client_id,
                _environment(s.application.token_url),
                ", ".join(s.connections) or "—",
                f"{s.secret.issued_at:%Y-%m-%d}" if s.secret else "—",
                f"{s.secret.expires_at:%Y-%m-%d}{'' if s.secret.expiry_announced else ' (180 d)'}"
                if s.secret
                else "—",
                secret_text(s.secret),
                f"[{SECRET_STYLE[s.level] or 'green'}]{s.level}[/]" if s.secret else "no secret",
            ]
            for s in found
        ],
    )
    for s in found:
        if s.secret is not None and s.level is SecretLevel.OK:
            console.print(f"• {escape(s.secret.message)}", soft_wrap=True)
        warn_secret(s.application.client_id, s.secret)
    raise typer.Exit(worst)


@app.command("rotate")
def rotate(
    ctx: typer.Context,
    client_id: ClientId,
    environment: Environment = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for the new secret in the SQS queue.", min=0)
    ] = 20,
) -> None:
    """Ask Amazon for a new client secret (rotateApplicationClientSecret). With an SQS queue configured,
    the new secret is read from it, verified and switched to for every connection; the old one keeps
    working for 7 days."""
    rotation = (
        state(ctx).connections().applications.rotate(client_id, environment=environment, wait_seconds=wait)
    )
    console.print(f"[green]✓[/] Amazon is rotating the client secret of {client_id}.")
    _said(rotation.received)
    if rotation.next_step:
        console.print(f"[yellow]⚠ {escape(rotation.next_step)}[/]", soft_wrap=True)


@app.command("receive")
def receive(
    ctx: typer.Context,
    client_id: OptionalClientId = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="A notification's JSON (or a list of them) instead of the queue; - for stdin.",
            allow_dash=True,
        ),
    ] = None,
    queue_url: Annotated[
        str | None, typer.Option(help="Read this SQS queue instead of the client ID's configured one.")
    ] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for a message (long polling).", min=0)] = 0,
    environment: Environment = None,
) -> None:
    """Take Amazon's client-secret notifications (new secret, expiry time) from the SQS queue or a file.
    A new secret is switched to once Login with Amazon accepts it."""
    applications = state(ctx).connections().applications
    if file is None:
        if client_id is None:
            raise ConfigurationError(
                "Say whose queue to read with --client-id, or give the notification with --file."
            )
        _said(
            applications.receive(client_id, environment=environment, queue_url=queue_url, wait_seconds=wait)
        )
        return
    documents = _documents(file)
    results = [r for d in documents if (r := applications.take_notification(d, environment=environment))]
    if len(results) < len(documents):
        console.print(f"Skipped {len(documents) - len(results)} notification(s) not about a client secret.")
    _said(results)


def _documents(source: Path) -> list[Any]:
    document = read_json(source)
    return document if isinstance(document, list) else [document]


@app.command("set")
def set_(
    ctx: typer.Context,
    client_id: ClientId,
    environment: Environment = None,
    client_secret_file: Annotated[
        Path | None,
        typer.Option(
            help="Read the new secret from this file (- for stdin; a final newline is dropped).",
            allow_dash=True,
        ),
    ] = None,
) -> None:
    """Enter a client secret rotated by hand in Seller Central: after Login with Amazon accepts it, every
    connection with the client ID uses it. It is read from --client-secret-file,
    $AMAZON_CONNECTOR_CLIENT_SECRET or a hidden prompt."""
    secret = (
        read_secret(client_secret_file, "--client-secret-file")
        if client_secret_file
        else os.environ.get(SECRET_ENV)
    )
    if not secret:
        if not (sys.stdin.isatty() and os.environ.get("CI") != "true"):
            raise ConfigurationError(
                "No client secret given.",
                hint=f"Give --client-secret-file, set ${SECRET_ENV}, or run this in a terminal to be asked.",
            )
        secret = typer.prompt("New client secret (hidden)", hide_input=True)
    applications = state(ctx).connections().applications
    before = applications.get(client_id, environment=environment)
    application = applications.set_secret(client_id, secret, environment=environment)
    if application.version == before.version:
        console.print(f"That is the current secret of {client_id} already; nothing changed.")
        return
    until = application.previous_expires_at
    console.print(
        f"[green]✓[/] Login with Amazon accepted the new secret; every connection of {client_id} now uses it"
        + (f" (the old one stays a fallback until {until:%Y-%m-%d %H:%M} UTC)." if until else ".")
    )


@app.command("queue")
def queue(
    ctx: typer.Context,
    client_id: ClientId,
    queue_url: Annotated[
        str | None, typer.Option(help="The SQS queue registered for the app's notifications.")
    ] = None,
    aws_region: Annotated[str | None, typer.Option(help="AWS region (default: from the queue URL).")] = None,
    aws_profile: Annotated[
        str | None, typer.Option(help="AWS credentials profile (default: boto3's).")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Stop reading a queue.")] = False,
    environment: Environment = None,
) -> None:
    """Where Amazon's notifications for the client ID arrive: read with boto3 by `rotate` and `receive`."""
    if not clear and queue_url is None:
        raise ConfigurationError("Give --queue-url, or --clear to forget the queue.")
    application = (
        state(ctx)
        .connections()
        .applications.configure_queue(
            client_id,
            None if clear else queue_url,
            aws_region=aws_region,
            aws_profile=aws_profile,
            environment=environment,
        )
    )
    if application.queue_url:
        console.print(f"[green]✓[/] The queue answered; notifications for {client_id} are read from it.")
    else:
        console.print(f"No queue is read for {client_id} any more.")
