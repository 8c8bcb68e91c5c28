"""What every command shares: the store location, opening it, and printing errors."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from amazon_connector.connections import Connections
from amazon_connector.errors import AmazonConnectorError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class State:
    home: Path | None = None
    database: str | None = None
    _connections: Connections | None = field(default=None, repr=False)

    def connections(self) -> Connections:
        if self._connections is None:
            self._connections = Connections.open(self.database, home=self.home)
        return self._connections


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def fail(exc: AmazonConnectorError) -> NoReturn:
    """Print a library error as one clear message (and what to do), never a traceback; exit 1."""
    err_console.print(f"[bold red]Error:[/] {escape(exc.message)}", soft_wrap=True)
    if exc.hint:
        err_console.print(f"[yellow]What to do:[/] {escape(exc.hint)}", soft_wrap=True)
    sys.exit(1)
