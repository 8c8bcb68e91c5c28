"""The command-line tool run in-process (Typer's CliRunner): what a user sees for careless input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from amazon_connector.cli.app import app

Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    for name in ("CLIENT_SECRET", "REFRESH_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(f"AMAZON_CONNECTOR_{name}", raising=False)

    def invoke(*args: str, expect: int = 0, stdin: str | None = None) -> Result:
        result = CliRunner().invoke(app, list(args), input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback the user would have seen
        assert result.exit_code == expect, (result.stdout, result.stderr)
        return result

    return invoke


def test_a_log_file_in_a_missing_directory_is_one_clear_error(run: Run, tmp_path: Path) -> None:
    for where in (tmp_path / "missing" / "cli.log", tmp_path):
        failed = run("--log-file", str(where), "marketplaces", expect=1)
        assert failed.stderr.startswith(f"Error: Cannot write the log to {where}: "), failed.stderr
        assert "What to do: Give --log-file a file in a directory that exists" in failed.stderr
        assert failed.stdout == ""
    assert not (tmp_path / "missing").exists()


def test_a_library_error_is_one_clear_message(run: Run) -> None:
    failed = run("connections", "show", "nope", expect=1)
    assert failed.stderr.splitlines()[0] == "Error: No connection is named 'nope'."
