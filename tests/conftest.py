"""Shared fixtures: a private data directory per test, and stores in it."""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from typer.testing import CliRunner, Result

from amazon_connector.connections import Connections
from tests.postgres import URL_ENV, new_database, postgres_server

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def pytest_configure(config: pytest.Config) -> None:
    """Tests talk to 127.0.0.1 only: a proxy set on the machine must not stand in between. Tests read
    the command line's output: wide and without colours whatever terminal pytest runs in (set before the
    command line's consoles are made, in this process and in every process a test starts)."""
    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)
        os.environ.pop(name.lower(), None)
    os.environ["COLUMNS"] = "250"
    os.environ["NO_COLOR"] = "1"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data directory; nothing touches the user's real store."""
    home = tmp_path / "home"
    monkeypatch.setenv("AMAZON_CONNECTOR_HOME", str(home))
    for var in ("AMAZON_CONNECTOR_KEY", "AMAZON_CONNECTOR_KEY_FILE", "AMAZON_CONNECTOR_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    return _isolated_home


@pytest.fixture
def connections(home: Path) -> Iterator[Connections]:
    with Connections.open(home=home) as c:
        yield c


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test process's own, on a throwaway PostgreSQL server (or on the server of
    $AMAZON_CONNECTOR_TEST_POSTGRES_URL): tests running in other processes never see its tables."""
    with postgres_server(free_port()) as server:
        if server is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is not installed and ${URL_ENV} is not set; .ci/run installs it")
            pytest.skip("PostgreSQL is not installed here")
        with new_database(server, f"session_{uuid.uuid4().hex}") as url:
            yield url


IGNORING_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


@contextmanager
def python_process(*args: str, sigint_ignored: bool = False) -> Iterator[subprocess.Popen[str]]:
    """`python *args` in its own process, its output piped; with ``sigint_ignored`` it starts with
    SIGINT ignored, as a non-interactive shell starts a background job. It is killed after the block if
    still running: a failed test never leaves it behind nor waits for it."""
    python = [sys.executable, "-c", IGNORING_SIGINT] if sigint_ignored else [sys.executable]
    process = subprocess.Popen(
        [*python, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def ended_by(process: subprocess.Popen[Any], signum: signal.Signals, within: float = 30) -> tuple[Any, Any]:
    """Send ``signum``; the rest of the process's output once it has ended. Still running ``within``
    seconds later, it is killed and the test fails."""
    process.send_signal(signum)
    try:
        return process.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(
            f"{shlex.join(cast(list[str], process.args))} still ran {within} s after {signum.name}: killed it."
        )


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redirect_uri() -> str:
    """A loopback redirect URI on a free port, registered with every app of the emulator's world."""
    return f"http://127.0.0.1:{free_port()}/amazon-connector/callback"


@pytest.fixture
def https_redirect_uri() -> str:
    return f"https://127.0.0.1:{free_port()}/amazon-connector/callback"


@pytest.fixture
def emulator_clock():
    from amazon_connector.clock import ManualClock

    return ManualClock(datetime.now(UTC))


@pytest.fixture
def emulator(redirect_uri: str, https_redirect_uri: str, emulator_clock):
    from amazon_connector.sandbox.server import running_emulator
    from amazon_connector.sandbox.world import demo_world

    world = demo_world(redirect_uris=[redirect_uri, https_redirect_uri])
    with running_emulator(world, clock=emulator_clock) as running:
        yield running


@pytest.fixture
def apps(emulator) -> dict[str, dict[str, Any]]:
    return {app["name"]: app for app in emulator.world.credentials()}


def seller_in(app: dict[str, Any], country: str) -> dict[str, Any]:
    return next(s for s in app["sellers"] if country in s["countries"])


def connect_uk_seller(emulator: Any, home: Path) -> dict[str, Any]:
    """Add a connection `uk` to the UK seller of the restricted private app to the store in ``home``;
    the seller (its refresh token and selling partner ID)."""
    app = {a["name"]: a for a in emulator.world.credentials()}["Demo Private App (restricted)"]
    found = seller_in(app, "UK")
    with Connections.open(home=home) as connections:
        connections.add(
            "uk",
            country="UK",
            mode="restricted",
            refresh_token=found["refresh_token"],
            selling_partner_id=found["selling_partner_id"],
            **app_settings(app, emulator),
        )
    return found


def app_settings(app: dict[str, Any], emulator: Any, **more: Any) -> dict[str, Any]:
    """Connection settings for one of the emulator's apps."""
    return {
        "app_id": app["app_id"],
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "draft_app": app["draft"],
        "environment": emulator.url,
        **more,
    }


class EmulatorProcess:
    """`amazon-connector sandbox serve` in its own process (its own CPU, as Amazon would be)."""

    def __init__(self, *options: str) -> None:
        import subprocess
        import sys
        import time

        import httpx

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "amazon_connector",
                "sandbox",
                "serve",
                "--port",
                str(self.port),
                *options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"{self.url}/_sandbox/credentials", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.1)
        self.apps = {app["name"]: app for app in answer.json()}

    def stats(self) -> dict[str, Any]:
        import httpx

        return dict(httpx.get(f"{self.url}/_sandbox/stats", timeout=5.0).json())

    def close(self) -> None:
        ended_by(self.process, signal.SIGTERM)


@pytest.fixture
def cli(home):
    """Run `amazon-connector` as a user does (its own process), with this test's data directory."""
    env = {**os.environ, "AMAZON_CONNECTOR_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("AMAZON_CONNECTOR_CLIENT_SECRET", None)

    def run(
        *args: str, expect: int = 0, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "amazon_connector", *args],
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    run.env = env  # type: ignore[attr-defined]
    return run


Run = Callable[..., Result]
"""The ``run`` fixture: ``run(*args, expect=0, stdin=None, env=None)``."""


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """Run `amazon-connector` in this process (Typer's CliRunner), as quick as a function call. Each run
    shows the warnings a new process would (each once), and leaves the library's log as it found it."""
    for name in ("CLIENT_SECRET", "REFRESH_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(f"AMAZON_CONNECTOR_{name}", raising=False)
    logger = logging.getLogger("amazon_connector")  # --verbose and --log-file add a handler to it
    handlers, level = list(logger.handlers), logger.level

    def invoke(
        *args: str, expect: int = 0, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        from amazon_connector.cli.app import app

        with warnings.catch_warnings():
            result = CliRunner().invoke(app, list(args), input=stdin, env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback the user would have seen
        assert result.exit_code == expect, (result.stdout, result.stderr)
        return result

    yield invoke
    for handler in set(logger.handlers) - set(handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(level)
