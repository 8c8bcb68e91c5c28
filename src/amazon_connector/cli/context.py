"""What every command shares: the store location, opening it, and printing errors."""

from __future__ import annotations

import logging
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, NoReturn, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from amazon_connector.connections import Connections
from amazon_connector.errors import AmazonConnectorError, StoreWarning

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class State:
    home: Path | None = None
    database: str | None = None
    key_file: Path | None = None
    _connections: Connections | None = field(default=None, repr=False)

    def connections(self) -> Connections:
        if self._connections is None:
            self._connections = Connections.open(self.database, home=self.home, key_file=self.key_file)
        return self._connections

    def close(self) -> None:
        """Close the store a command opened, when the command ends (as the end of its process would)."""
        if self._connections is not None:
            self._connections.close()
            self._connections = None


class _Terminal(logging.Handler):
    """Shows a record's message on stderr (looked up when it is written, as the CLI's tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(self.format(record), err=True)


def show_notices(on: bool) -> None:
    """Long waits for a rate-limit slot, and the time scale of an emulator whose clock a connection
    follows, on the terminal (with -v the log shows them anyway; --quiet hides them)."""
    from amazon_connector.http.emulator_clock import clock_log
    from amazon_connector.runtime.caller import wait_log

    for logger in (wait_log, clock_log):
        for handler in [h for h in logger.handlers if isinstance(h, _Terminal)]:
            logger.removeHandler(handler)
        if on:
            logger.addHandler(_Terminal())
            logger.setLevel(logging.INFO)


def _quieten(quiet: bool) -> bool:
    if quiet:
        show_notices(False)
    return quiet


Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", callback=_quieten, help="Print nothing but errors (for cron).")
]
"""A command's --quiet: its own output and the notices alike."""


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def _explain(label: str, exc: AmazonConnectorError) -> None:
    err_console.print(f"{label} {escape(exc.message)}", soft_wrap=True)
    if exc.hint:
        err_console.print(f"[yellow]What to do:[/] {escape(exc.hint)}", soft_wrap=True)


def fail(exc: AmazonConnectorError) -> NoReturn:
    """Print a library error as one clear message (and what to do), never a traceback; exit 1."""
    _explain("[bold red]Error:[/]", exc)
    sys.exit(1)


def warn(exc: AmazonConnectorError) -> None:
    """Print a problem that does not stop the command, with what to do."""
    _explain("[bold yellow]Warning:[/]", exc)


_python_showwarning = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    if issubclass(category, StoreWarning):
        err_console.print(f"[bold yellow]Warning:[/] {escape(str(message))}", soft_wrap=True)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


def show_warnings() -> None:
    """The library's warnings about the store appear as plain lines, like errors."""
    warnings.showwarning = _show_warning
