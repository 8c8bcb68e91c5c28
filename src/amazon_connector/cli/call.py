"""`amazon-connector call`, `download` and `upload`: any SP-API operation and document from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from amazon_connector.cli.context import state
from amazon_connector.cli.inputs import read_json
from amazon_connector.errors import ConfigurationError
from amazon_connector.private_files import open_private_file


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
        return key, read_json(Path(value[1:]), field=key)
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
            "--paginate/--one-page",
            help="Follow every page, or give one page and its token (default: the connection's Enable "
            "Pagination).",
            show_default=False,
        ),
    ] = None,
    data_elements: Annotated[
        str | None,
        typer.Option(help="Restricted data to ask for, comma-separated (default buyerInfo,shippingAddress)."),
    ] = None,
    max_wait: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="Seconds to wait at most for a rate-limit slot (default: the call's deadline, 15 minutes).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Call any SP-API operation and print its JSON answer (all pages merged when paginating)."""
    params = dict(parse_argument(a) for a in arguments or [])
    elements = None if data_elements is None else [e.strip() for e in data_elements.split(",") if e.strip()]
    conn = state(ctx).connections().get(connection)
    follow = conn.settings.advanced.pagination if paginate is None else paginate
    answer = conn.call(operation, data_elements=elements, paginate=follow, max_wait=max_wait, **params)
    data = answer.merged() if answer.pager is not None else answer.data
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


Connection = Annotated[str, typer.Option("--connection", "-c", help="The connection to use.")]


def download(
    ctx: typer.Context,
    report_document_id: Annotated[str, typer.Argument(help="The reportDocumentId getReport gave.")],
    connection: Connection = ...,  # type: ignore[assignment]
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this new file (0600) instead of stdout.")
    ] = None,
) -> None:
    """Download a report document, decompressed (restricted report types get their RDT), streamed: see
    also `reports download`, which decodes its text."""
    conn = state(ctx).connections().get(connection)
    try:
        out = sys.stdout.buffer if output is None else open_private_file(output)
    except FileExistsError:
        raise ConfigurationError(f"{output} exists already.", hint="Choose a new file name.") from None
    except OSError as exc:
        raise ConfigurationError(f"Cannot write {output}: {exc.strerror}.") from None
    try:
        with conn.open_document(report_document_id) as document:
            for piece in document:
                out.write(piece)
    except BaseException:
        if output is not None:
            out.close()
            output.unlink(missing_ok=True)
        raise
    if output is not None:
        out.close()


def upload(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The feed's content.")],
    content_type: Annotated[
        str, typer.Option(help="The feed's content type.")
    ] = "text/tab-separated-values; charset=UTF-8",
    connection: Connection = ...,  # type: ignore[assignment]
) -> None:
    """Upload a feed document; prints the feedDocumentId to give createFeed."""
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"Cannot read {file}: {exc.strerror}.") from None
    typer.echo(state(ctx).connections().get(connection).upload_document(content, content_type))
