"""Secrets given to a command: read from a file or stdin, and a warning when they are on the command line
(where `ps` shows them to every user of the machine and the shell's history keeps them)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape

from amazon_connector.cli.context import err_console
from amazon_connector.errors import ConfigurationError

STDIN = "-"


def read_secret(path: Path, option: str) -> str:
    """The secret in ``path`` (``-``: standard input), without its trailing newline."""
    source = "standard input" if str(path) == STDIN else str(path)
    try:
        text = sys.stdin.read() if str(path) == STDIN else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{option}: cannot read {source}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{option}: {source} is not a text file.") from None
    secret = text.rstrip("\r\n")
    if not secret.strip():
        raise ConfigurationError(f"{option}: {source} is empty.", hint="Put the secret in it, on one line.")
    return secret


def one_stdin(files: Sequence[tuple[str, Path]]) -> None:
    """Refuse two options that both read standard input."""
    from_stdin = [option for option, path in files if str(path) == STDIN]
    if len(from_stdin) > 1:
        raise ConfigurationError(
            f"Only one secret can come from standard input, not {' and '.join(from_stdin)}.",
            hint="Give the others as files.",
        )


def warn_on_command_line(options: Sequence[str], instead: str) -> None:
    """Say once that these secret options were given on the command line, and what to use instead."""
    if not options:
        return
    err_console.print(
        f"[yellow]Warning:[/] a secret on the command line ({escape(', '.join(options))}) can be seen by "
        f"other users in `ps` and stays in your shell history. {escape(instead)}",
        soft_wrap=True,
    )
