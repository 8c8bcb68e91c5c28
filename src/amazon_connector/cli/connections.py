"""`amazon-connector connections …`: the connection dialog on the command line."""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import typer

from amazon_connector.cli.context import console, err_console, state, warn
from amazon_connector.cli.inputs import one_stdin, read_json, read_secret, warn_on_command_line
from amazon_connector.cli.output import (
    print_json,
    print_step,
    secret_text,
    status_text,
    table,
    warn_secret,
)
from amazon_connector.connections import (
    AuthorisationFlow,
    Connection,
    ConnectionRecord,
    Mode,
    SecretStatus,
)
from amazon_connector.connections.model import CREDENTIAL_FIELDS, FIELD_LABELS, AdvancedSettings
from amazon_connector.errors import AmazonConnectorError, ConfigurationError, UnreadableConnectionError

app = typer.Typer(no_args_is_help=True)

SECRET_ENV = {
    "client_secret": "AMAZON_CONNECTOR_CLIENT_SECRET",
    "refresh_token": "AMAZON_CONNECTOR_REFRESH_TOKEN",
    "aws_secret_access_key": "AMAZON_CONNECTOR_AWS_SECRET_ACCESS_KEY",
}

# Options shared by `add` and `edit` (None = not given).
Country = Annotated[str | None, typer.Option(help="Country code (UK/GB, DE, US, …), name or marketplace ID.")]
ModeOpt = Annotated[
    Mode | None,
    typer.Option("--mode", help="standard = Authorise; restricted = Restricted Data Access Mode."),
]
AppId = Annotated[str | None, typer.Option(help="App ID (amzn1.sp.solution.… or amzn1.sellerapps.app.…).")]
ClientId = Annotated[str | None, typer.Option(help="LWA Client Identifier (amzn1.application-oa2-client.…).")]
ClientSecret = Annotated[
    str | None, typer.Option(help="LWA Client Secret (shows in `ps`: better --client-secret-file).")
]
RefreshToken = Annotated[
    str | None,
    typer.Option(help="Refresh Token, restricted mode (shows in `ps`: better --refresh-token-file)."),
]
SellingPartner = Annotated[str | None, typer.Option(help="Selling partner (merchant) ID.")]
RedirectUri = Annotated[str | None, typer.Option(help="OAuth redirect URI registered for the app.")]
Draft = Annotated[
    bool | None, typer.Option("--draft/--published", help="The app is a draft (adds version=beta).")
]
AwsKey = Annotated[str | None, typer.Option(help="Legacy AWS IAM User Access Key (optional).")]
AwsSecret = Annotated[
    str | None,
    typer.Option(help="Legacy AWS IAM User Secret Access Key (shows in `ps`: better its -file option)."),
]
RoleArn = Annotated[str | None, typer.Option(help="Legacy AWS IAM Role ARN (optional).")]
Environment = Annotated[
    str | None,
    typer.Option(help="production (default), sandbox, or an emulator URL such as http://127.0.0.1:8765."),
]
Retries = Annotated[
    int | None, typer.Option(help="Advanced: number of retries on throttling, 0-10 (default 3).")
]
RetryWait = Annotated[
    int | None, typer.Option(help="Advanced: retry wait time in seconds, 1-30 (default 3).")
]
Pagination = Annotated[
    bool | None, typer.Option("--pagination/--no-pagination", help="Advanced: merge all pages.")
]
ExtendedLogging = Annotated[
    bool | None,
    typer.Option("--extended-logging/--no-extended-logging", help="Advanced: log requests, redacted."),
]
SignRequests = Annotated[
    bool | None,
    typer.Option(
        "--sign-requests/--no-sign-requests",
        help="Advanced: sign requests with the AWS IAM keys (legacy SigV4; Amazon no longer needs it).",
    ),
]
SECRET_FILE_OPTIONS: dict[str, Any] = {
    f"{field}_file": Annotated[
        Path | None,
        typer.Option(
            f"--{field.replace('_', '-')}-file",
            help=f"Read the {FIELD_LABELS[field]} from this file (- for stdin; a final newline is dropped).",
            allow_dash=True,
            show_default=False,
        ),
    ]
    for field in SECRET_ENV
}
Name = Annotated[str, typer.Argument(help="The connection's name.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _interactive() -> bool:
    return sys.stdin.isatty() and os.environ.get("CI") != "true"


def _settings(*, from_env: bool, **given: Any) -> dict[str, Any]:
    """The options that were given, advanced ones grouped; with ``from_env`` (add only, so that an
    edit never replaces a stored secret unasked) secrets not given come from their env vars."""
    advanced = {k: given.pop(k) for k in AdvancedSettings.model_fields}
    out = {k: v for k, v in given.items() if v is not None}
    for field, env in SECRET_ENV.items():
        if from_env and field not in out and os.environ.get(env):
            out[field] = os.environ[env]
    if adv := {k: v for k, v in advanced.items() if v is not None}:
        out["advanced"] = adv
    return out


def _option(field: str) -> str:
    return f"--{field.replace('_', '-')}"


def _secrets(given: dict[str, Any], *, prompt_and_env: bool) -> None:
    """Read the secrets given as files into ``given``; warn (once) about secrets typed on the command
    line, naming what ``add`` (``prompt_and_env``) or ``edit`` accepts instead."""
    files = {field: path for field in SECRET_ENV if (path := given.pop(f"{field}_file")) is not None}
    typed = [field for field in SECRET_ENV if given[field] is not None]
    for field in typed:
        if field in files:
            raise ConfigurationError(f"Give {_option(field)} or {_option(field)}-file, not both.")
    one_stdin([(f"{_option(field)}-file", path) for field, path in files.items()])
    if typed:
        options = " / ".join(f"{_option(field)}-file" for field in typed)
        env = " / ".join(f"${SECRET_ENV[field]}" for field in typed)
        them = "them" if len(typed) > 1 else "it"
        warn_on_command_line(
            [_option(field) for field in typed],
            f"Leave {them} out to be asked (hidden input), or use {options} FILE (- for stdin), or {env}."
            if prompt_and_env
            else f"Use {options} FILE (- for stdin) instead.",
        )
    for field, path in files.items():
        given[field] = read_secret(path, f"{_option(field)}-file")


def _prompt_secrets(values: dict[str, Any], mode: Mode, has: set[str]) -> None:
    """Ask (hidden) for the secrets the mode needs that were given neither by flag nor env var."""
    if not _interactive():
        return
    wanted = ["client_secret"] + (["refresh_token"] if mode is Mode.RESTRICTED else [])
    if values.get("aws_access_key_id"):
        wanted.append("aws_secret_access_key")
    for field in wanted:
        if field in values or field in has:
            continue
        label = FIELD_LABELS[field]
        answer = typer.prompt(
            f"{label} (hidden; Enter to skip)", default="", hide_input=True, show_default=False
        )
        if answer:
            values[field] = answer


def _after_save(connection: Connection) -> None:
    record = connection.record
    console.print(f"Saved {connection.name!r}: {status_text(record.status)} — {record.status_detail}")
    settings = connection.settings
    if settings.aws_access_key_id or settings.aws_secret_access_key or settings.aws_role_arn:
        console.print(
            "[dim]Note: the AWS IAM keys and Role ARN are stored encrypted, but Amazon has not required IAM or "
            "SigV4 signing since 2023-10-02 and ignores signatures; calls authenticate with LWA tokens only.[/]"
        )


SETTINGS_OPTIONS: dict[str, Any] = {
    "country": Country,
    "mode": ModeOpt,
    "app_id": AppId,
    "client_id": ClientId,
    "client_secret": ClientSecret,
    "refresh_token": RefreshToken,
    "selling_partner_id": SellingPartner,
    "redirect_uri": RedirectUri,
    "draft_app": Draft,
    "aws_access_key_id": AwsKey,
    "aws_secret_access_key": AwsSecret,
    "aws_role_arn": RoleArn,
    "environment": Environment,
    "retries": Retries,
    "retry_wait": RetryWait,
    "pagination": Pagination,
    "extended_logging": ExtendedLogging,
    "sign_requests": SignRequests,
}


def _settings_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` (which takes ``**given``) one option per General and Advanced setting, and one
    per secret to read it from a file."""
    signature = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in signature.parameters.values()
        if p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    params += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
        for name, annotation in (SETTINGS_OPTIONS | SECRET_FILE_OPTIONS).items()
    ]
    command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return command


@app.command("add")
@_settings_options
def add(ctx: typer.Context, name: Name, **given: Any) -> None:
    """Add a connection. Anything left out can be set later; it is then saved as Configuration Incomplete.

    Secrets not given as options come from $AMAZON_CONNECTOR_CLIENT_SECRET, $AMAZON_CONNECTOR_REFRESH_TOKEN
    and $AMAZON_CONNECTOR_AWS_SECRET_ACCESS_KEY, or a hidden prompt."""
    _secrets(given, prompt_and_env=True)
    values = _settings(from_env=True, **given)
    _prompt_secrets(values, given.get("mode") or Mode.STANDARD, set())
    _after_save(state(ctx).connections().add(name, **values))


@app.command("edit")
@_settings_options
def edit(
    ctx: typer.Context,
    name: Name,
    rename: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    clear: Annotated[
        list[str] | None, typer.Option(help="Clear a setting (e.g. --clear aws_role_arn); repeatable.")
    ] = None,
    **given: Any,
) -> None:
    """Change a connection's settings (the General and Advanced nodes); secrets only when given."""
    _secrets(given, prompt_and_env=False)
    values = _settings(from_env=False, **given)
    for field in clear or []:
        values[field.replace("-", "_")] = None
    if rename:
        values["name"] = rename
    _after_save(state(ctx).connections().edit(name, **values))


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List connections with their status, client-secret age and last test."""
    connections = state(ctx).connections()
    items = connections.list()
    secrets = [connections.applications.connection_status(c.record) for c in items]
    unreadable = connections.unreadable()
    for problem in unreadable:
        warn(problem.error())
    if as_json:
        print_json([_summary(c, secret) for c, secret in zip(items, secrets, strict=True)])
        return
    if not items and not unreadable:
        console.print(
            "No connections yet. Add one with `amazon-connector connections add NAME --country UK …`."
        )
        return
    table(
        ["Name", "Country", "Mode", "Status", "Environment", "Secret age", "Last test"],
        [
            [
                c.name,
                c.settings.country or "—",
                c.settings.mode,
                status_text(c.status),
                c.settings.environment,
                secret_text(secret),
                _last_test(c.record),
            ]
            for c, secret in zip(items, secrets, strict=True)
        ],
    )
    for c, secret in zip(items, secrets, strict=True):
        warn_secret(c.name, secret)


def _last_test(record: ConnectionRecord) -> str:
    if record.last_test_at is None:
        return "never"
    mark = "[green]✓[/]" if record.last_test_ok else "[red]✗[/]"
    return f"{mark} {record.last_test_at:%Y-%m-%d %H:%M}"


def _summary(connection: Connection, secret: SecretStatus | None) -> dict[str, Any]:
    """The connection as JSON-ready data; ``secret``: its client secret's status."""
    record = connection.record
    data = record.settings.model_dump(mode="json", exclude=set(CREDENTIAL_FIELDS))
    for field in CREDENTIAL_FIELDS:
        data[field] = "set" if record.settings.secret(field) else None
    data.update(
        status=str(record.status),
        status_detail=record.status_detail,
        client_secret_set_at=record.client_secret_set_at,
        client_secret_expires_at=secret.expires_at if secret else None,
        client_secret_warning=secret.message if secret and secret.level != "ok" else None,
        authorised_at=record.authorised_at,
        last_test_ok=record.last_test_ok,
        last_test_at=record.last_test_at,
        last_test_summary=record.last_test_summary,
    )
    return data


@app.command("show")
def show(ctx: typer.Context, name: Name, as_json: AsJson = False) -> None:
    """Show one connection's settings (secrets only as set / not set)."""
    connections = state(ctx).connections()
    connection = connections.get(name)
    secret = connections.applications.connection_status(connection.record)
    data = _summary(connection, secret)
    if as_json:
        print_json(data)
        return
    advanced = data.pop("advanced")
    table(["Setting", "Value"], [[k, "—" if v is None else v] for k, v in data.items()], title=name)
    table(["Advanced", "Value"], [[k, v] for k, v in advanced.items()])
    warn_secret(name, secret)


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove a connection and everything stored for it."""
    connections = state(ctx).connections()
    with contextlib.suppress(UnreadableConnectionError):  # one that cannot be read can be removed
        connections.get(name)
    if not yes:
        if not _interactive():
            raise ConfigurationError(f"Removing {name!r} needs confirmation.", hint="Add --yes.")
        typer.confirm(f"Remove connection {name!r}?", abort=True)
    connections.remove(name)
    console.print(f"Removed {name!r}.")


@app.command("authorise")
def authorise(
    ctx: typer.Context,
    name: Name,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open the consent page.")] = True,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for Amazon's redirect.")] = True,
    complete: Annotated[
        str | None, typer.Option("--complete", help="Finish with the address the browser landed on.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds to wait (default: the 5-minute state life).")
    ] = None,
) -> None:
    """Authorise: the consent page in Seller Central (standard), or verify the refresh token (restricted)."""
    connection = state(ctx).connections().get(name)
    if complete is not None:
        _done(connection.complete_authorisation(complete))
        return
    if connection.settings.mode is Mode.RESTRICTED:
        record = connection.verify_refresh_token()
        console.print("[green]✓[/] Login with Amazon accepted the client credentials and refresh token.")
        _done(record)
        return
    with connection.start_authorisation(listen=wait) as flow:
        _run_flow(flow, name, browser=browser, wait=wait, timeout=timeout)


app.command("authorize", help="Alias of authorise.")(authorise)


def _run_flow(
    flow: AuthorisationFlow, name: str, *, browser: bool, wait: bool, timeout: float | None
) -> None:
    console.print(f"Consent page (valid 5 minutes):\n{flow.url}", soft_wrap=True)
    if browser and wait:
        webbrowser.open(flow.url)
    if not wait:
        console.print(
            f"After Confirm, finish with: amazon-connector connections authorise {name} --complete 'ADDRESS'"
        )
        return
    if flow.listening:
        console.print(f"Waiting for Amazon's redirect to {flow.redirect_uri} …")
        if _interactive():
            console.print("(Or paste the address your browser landed on and press Enter.)")
            threading.Thread(target=_read_pasted, args=(flow,), daemon=True).start()
        _done(flow.wait(timeout))
        return
    if not _interactive():
        raise ConfigurationError(
            f"Nothing can listen on {flow.redirect_uri} and there is no terminal to paste into.",
            hint=f"Run: amazon-connector connections authorise {name} --complete 'ADDRESS'",
        )
    _done(flow.complete(typer.prompt("Paste the address your browser landed on")))


def _read_pasted(flow: AuthorisationFlow) -> None:
    while not flow.done:
        line = sys.stdin.readline()
        if not line:
            return
        if not line.strip():
            continue
        try:
            flow.complete(line)
        except AmazonConnectorError as exc:
            err_console.print(f"[red]✗[/] {exc}")


def _done(record: ConnectionRecord) -> None:
    spid = record.settings.selling_partner_id
    console.print(
        f"[green]✓[/] {record.name!r} authorised{f' for selling partner {spid}' if spid else ''}: "
        f"{status_text(record.status)}. Next: amazon-connector connections test {record.name}"
    )


@app.command("test")
def check_connection(ctx: typer.Context, name: Name, as_json: AsJson = False) -> None:
    """Test Connection: token exchange, marketplaces, country, restricted access, secret age. Exit 0 only
    when every step passes."""
    connection = state(ctx).connections().get(name)
    report = connection.test(on_step=None if as_json else print_step)
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(f"[bold]{'✓ Connection works' if report.ok else '✗ Test failed'}[/]: {report.summary}")
    raise typer.Exit(0 if report.ok else 1)


@app.command("logout")
def logout(ctx: typer.Context, name: Name) -> None:
    """Log Out: forget the refresh token and cached tokens, keep every other setting."""
    record = state(ctx).connections().get(name).logout()
    console.print(f"Logged out {name!r}: {status_text(record.status)}. Authorise again to reconnect.")


app.command("log-out", hidden=True)(logout)


@app.command("export")
def export(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Connections to export (default: all).")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Export connections without their credentials."""
    text = json.dumps(state(ctx).connections().export(names), indent=2)
    if output:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"Cannot write {output}: {exc.strerror}.") from None
        console.print(f"Wrote {output}.")
    else:
        typer.echo(text)


@app.command("import")
def import_(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="An export file, or - for stdin.", allow_dash=True)],
    skip_existing: Annotated[bool, typer.Option(help="Skip connections whose names exist already.")] = False,
) -> None:
    """Import exported connections; they arrive Configuration Incomplete until credentials are added."""
    document = read_json(source)
    if not isinstance(document, dict):
        raise ConfigurationError(f"{source} is not an amazon-connector export.")
    added = state(ctx).connections().import_(document, skip_existing=skip_existing)
    console.print(f"Imported {len(added)} connection(s): {', '.join(c.name for c in added) or 'none'}.")
