"""Printing: tables, JSON, and the colours of statuses and check outcomes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from amazon_connector.cli.context import console
from amazon_connector.clock import iso_utc
from amazon_connector.connections import CheckStep, Outcome, SecretLevel, SecretStatus, Status

STATUS_STYLE = {Status.READY: "green", Status.NOT_AUTHORISED: "yellow", Status.INCOMPLETE: "red"}
OUTCOME_MARK = {Outcome.PASS: "[green]✓[/]", Outcome.WARN: "[yellow]⚠[/]", Outcome.FAIL: "[red]✗[/]"}
WIDEST = 10_000
"""Columns a table printed to a pipe may take."""
SECRET_STYLE = {
    SecretLevel.OK: "",
    SecretLevel.WARNING: "yellow",
    SecretLevel.URGENT: "bold red",
    SecretLevel.EXPIRED: "bold red",
}


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    t = Table(*headers, title=title, show_lines=False)
    for row in rows:
        t.add_row(*(str(c) if c is not None else "" for c in row))
    if console.is_terminal:
        console.print(t)
    else:  # a pipe or a file: as wide as the table needs, no value cut to fit 80 columns
        natural = console.measure(t, options=console.options.update_width(WIDEST)).maximum
        Console(file=console.file, width=max(console.width, natural), highlight=False).print(t)


def shown(value: Any) -> str:
    """A value as the command line shows it: times as Amazon writes them (ISO 8601, UTC, ``Z``)."""
    return iso_utc(value) if isinstance(value, datetime) else str(value)


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=shown, ensure_ascii=False))


def status_text(status: Status) -> str:
    return f"[{STATUS_STYLE[status]}]{status}[/]"


def secret_text(status: SecretStatus | None) -> str:
    if status is None:
        return ""
    style = SECRET_STYLE[status.level]
    text = f"{status.days_old} d, {status.days_left} left"
    return f"[{style}]{text}[/]" if style else text


def print_step(step: CheckStep) -> None:
    line = f"{OUTCOME_MARK[step.outcome]} {step.name}: {escape(step.detail)}"
    if step.request_id and step.outcome is Outcome.FAIL and step.request_id not in step.detail:
        line += f" [dim](x-amzn-RequestId {step.request_id})[/]"
    console.print(line, soft_wrap=True)


def warn_secret(name: str, status: SecretStatus | None) -> None:
    """Say the client-secret warning for a connection or application, loudly when it is urgent."""
    if status is None or status.level is SecretLevel.OK:
        return
    style = SECRET_STYLE[status.level]
    console.print(f"[{style}]⚠ {escape(name)}: {escape(status.message)}[/]", soft_wrap=True)
