"""What a command reads besides its options: a secret or a JSON document from a file or standard input
(``-``), and a warning for secrets on the command line (where `ps` shows them to every user of the
machine and the shell's history keeps them)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.markup import escape

from amazon_connector.cli.context import err_console
from amazon_connector.errors import ConfigurationError

STDIN = "-"


def _source(path: Path) -> str:
    return "standard input" if str(path) == STDIN else str(path)


def _problem(field: str | None, text: str, hint: str | None = None) -> ConfigurationError:
    """A problem with an input, named after the option or parameter it was given to (if any)."""
    return ConfigurationError(
        f"{field}: {text}" if field else text[:1].upper() + text[1:], field=field, hint=hint
    )


def read_text(path: Path, *, field: str | None = None) -> str:
    """The text of ``path`` (``-``: standard input); a ConfigurationError naming ``field`` (the option
    or parameter it was given to) when it cannot be read."""
    try:
        return sys.stdin.read() if str(path) == STDIN else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _problem(field, f"cannot read {_source(path)}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise _problem(field, f"{_source(path)} is not a text file.") from None


def read_secret(path: Path, option: str) -> str:
    """The secret in ``path`` (``-``: standard input), without its trailing newline."""
    secret = read_text(path, field=option).rstrip("\r\n")
    if not secret.strip():
        raise _problem(option, f"{_source(path)} is empty.", hint="Put the secret in it, on one line.")
    return secret


def read_json(path: Path, *, field: str | None = None) -> Any:
    """The JSON document in ``path`` (``-``: standard input)."""
    text = read_text(path, field=field)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _problem(field, f"{_source(path)} is not JSON: {exc}.") from None


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
