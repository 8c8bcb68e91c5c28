"""The command-line tool run in-process (Typer's CliRunner): what a user sees for careless input."""

from __future__ import annotations

from pathlib import Path

import pytest

from amazon_connector.connections import Connections
from tests.conftest import Run
from tests.values import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN


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


def _stored(home: Path, name: str, field: str) -> str | None:
    with Connections.open(home=home) as connections:
        return connections.get(name).settings.secret(field)


def test_a_secret_on_the_command_line_is_warned_about_once(run: Run, home: Path) -> None:
    added = run(
        "connections", "add", "de", "--country", "DE", "--mode", "restricted",
        "--client-secret", CLIENT_SECRET, "--refresh-token", REFRESH_TOKEN,
    )  # fmt: skip
    assert added.stderr.count("Warning:") == 1
    warning = " ".join(added.stderr.split())
    assert "(--client-secret, --refresh-token) can be seen by other users in `ps`" in warning
    assert "Leave them out to be asked (hidden input)" in warning
    assert "--client-secret-file / --refresh-token-file FILE (- for stdin)" in warning
    assert "$AMAZON_CONNECTOR_CLIENT_SECRET / $AMAZON_CONNECTOR_REFRESH_TOKEN" in warning
    assert CLIENT_SECRET not in added.stdout + added.stderr
    assert _stored(home, "de", "refresh_token") == REFRESH_TOKEN

    edited = run("connections", "edit", "de", "--client-secret", CLIENT_SECRET)
    warning = " ".join(edited.stderr.split())
    assert warning.count("Warning:") == 1
    assert "(--client-secret)" in warning
    assert "Use --client-secret-file FILE (- for stdin) instead." in warning  # edit reads no env var
    assert "$AMAZON_CONNECTOR" not in warning


def test_secrets_come_from_files_or_stdin_without_a_warning(
    run: Run, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "client-secret"
    secret_file.write_text(CLIENT_SECRET + "\n")
    added = run(
        "connections", "add", "de", "--country", "DE", "--mode", "restricted",
        "--client-secret-file", str(secret_file), "--refresh-token-file", "-",
        stdin=REFRESH_TOKEN + "\r\n",
    )  # fmt: skip
    assert added.stderr == ""
    assert (_stored(home, "de", "client_secret"), _stored(home, "de", "refresh_token")) == (
        CLIENT_SECRET,
        REFRESH_TOKEN,
    )
    new_token = REFRESH_TOKEN[:-1] + "y"
    assert run("connections", "edit", "de", "--refresh-token-file", "-", stdin=new_token).stderr == ""
    assert _stored(home, "de", "refresh_token") == new_token

    monkeypatch.setenv("AMAZON_CONNECTOR_CLIENT_SECRET", CLIENT_SECRET)  # the environment still works
    assert run("connections", "add", "uk", "--country", "UK").stderr == ""
    assert _stored(home, "uk", "client_secret") == CLIENT_SECRET


def test_secret_files_that_cannot_be_used_are_clear_errors(run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    secret_file = tmp_path / "client-secret"
    secret_file.write_text(CLIENT_SECRET)
    add = ("connections", "add", "uk", "--country", "UK")
    cases = [
        (("--client-secret-file", str(tmp_path / "missing")), "--client-secret-file: cannot read"),
        (("--client-secret-file", str(empty)), f"--client-secret-file: {empty} is empty."),
        (("--client-secret-file", str(tmp_path)), "--client-secret-file: cannot read"),
        (
            ("--client-secret", CLIENT_SECRET, "--client-secret-file", str(secret_file)),
            "Give --client-secret or --client-secret-file, not both.",
        ),
        (
            ("--client-secret-file", "-", "--refresh-token-file", "-"),
            "Only one secret can come from standard input",
        ),
    ]
    for options, message in cases:
        failed = run(*add, *options, expect=1, stdin="")
        assert message in " ".join(failed.stderr.split()), options
        assert "Warning:" not in failed.stderr
    assert (
        "--client-secret-file: standard input is empty."
        in run(*add, "--client-secret-file", "-", expect=1, stdin="").stderr
    )


def test_secrets_set_reads_the_new_secret_from_a_file(run: Run, home: Path, tmp_path: Path) -> None:
    with Connections.open(home=home) as connections:
        connections.add("uk", country="UK", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    secret_file = tmp_path / "client-secret"
    secret_file.write_text(CLIENT_SECRET + "\n")
    same = run("secrets", "set", "--client-id", CLIENT_ID, "--client-secret-file", str(secret_file))
    assert "That is the current secret" in same.stdout
    secret_file.write_text("not-a-secret\n")
    wrong = run(
        "secrets", "set", "--client-id", CLIENT_ID, "--client-secret-file", str(secret_file), expect=1
    )
    assert "Client Secret is not in the expected form" in wrong.stderr


def test_a_database_password_on_the_command_line_is_warned_about(
    run: Run, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_password = f"sqlite://user:hunter2@/{home / 'store.db'}"
    warned = run("--database", with_password, "marketplaces")
    assert "a secret on the command line (the password in --database)" in " ".join(warned.stderr.split())
    assert "hunter2" not in warned.stderr
    assert run("--database", f"sqlite:///{home / 'store.db'}", "marketplaces").stderr == ""
    monkeypatch.setenv("AMAZON_CONNECTOR_DATABASE_URL", with_password)
    assert run("marketplaces").stderr == ""


def test_a_command_closes_the_store_it_opened(run: Run, home: Path) -> None:
    def open_files() -> list[str]:  # SQLite's write-ahead log is there while a connection is open
        return sorted(p.name for p in home.iterdir() if p.name.startswith("connections.db"))

    run("connections", "add", "uk", "--country", "UK")
    assert open_files() == ["connections.db"]
    run("connections", "show", "nope", expect=1)
    assert open_files() == ["connections.db"]
