"""`amazon-connector call`: any SP-API operation from the shell, its JSON answer on stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from amazon_connector.cli.context import state
from amazon_connector.errors import ConfigurationError


def parse_argument(argument: str) -> tuple[str, Any]:
    """``key=value`` gives a string, ``key:=json`` a JSON value, ``key=@file`` a JSON file's content."""
    key, sep, value = argument.partition("=")
    if not sep or not key.rstrip(":"):
        raise ConfigurationError(
            f"Argument {argument!r} is not key=value.",
            hint="Write parameters as Name=value (a string), Name:=<json> (a number, list, object) or body=@file.json.",
        )
    if key.endswith(":"):
        key = key[:-1]
        try:
            return key, json.loads(value)
        except ValueError as exc:
            raise ConfigurationError(f"{key}:= is not valid JSON: {exc}.", field=key) from None
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            return key, json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(f"Cannot read {path}: {exc.strerror}.", field=key) from None
        except ValueError as exc:
            raise ConfigurationError(f"{path} is not valid JSON: {exc}.", field=key) from None
    return key, value


def call(
    ctx: typer.Context,
    operation: Annotated[
        str, typer.Argument(help="operationId, api.operationId or api/version/operationId.")
    ],
    arguments: Annotated[
        list[str] | None,
        typer.Argument(help="Parameters as Name=value, Name:=<json> or body=@file.json.", show_default=False),
    ] = None,
    connection: Annotated[str, typer.Option("--connection", "-c", help="The connection to call with.")] = ...,  # type: ignore[assignment]
    paginate: Annotated[
        bool | None,
        typer.Option(
            "--paginate/--one-page", help="Override the connection's pagination setting.", show_default=False
        ),
    ] = None,
    data_elements: Annotated[
        str | None,
        typer.Option(help="Restricted data to ask for, comma-separated (default buyerInfo,shippingAddress)."),
    ] = None,
) -> None:
    """Call any SP-API operation and print its JSON answer (all pages merged when paginating)."""
    params = dict(parse_argument(a) for a in arguments or [])
    elements = None if data_elements is None else [e.strip() for e in data_elements.split(",") if e.strip()]
    conn = state(ctx).connections().get(connection)
    answer = conn.call(operation, data_elements=elements, paginate=paginate, **params)
    data = answer.merged() if answer.pager is not None else answer.data
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
