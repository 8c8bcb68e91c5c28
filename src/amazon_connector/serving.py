"""Run an ASGI app with uvicorn on a background thread (the page, the emulator, the redirect listener),
and serve in the foreground until SIGINT or SIGTERM."""

from __future__ import annotations

import ipaddress
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, NoReturn
from urllib.parse import urlsplit

import uvicorn
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from amazon_connector.errors import ConfigurationError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SHUTDOWN_GRACE = 2
"""Seconds the requests in flight get to finish when a server stops; then they are cancelled."""
STOP_DEADLINE = 10
"""Seconds after a stop signal by which a process serving in the foreground has ended, cleanly or not."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def addressed_to_loopback(host_header: str) -> bool:
    """Whether a request's Host header names a loopback address: a server on loopback answers only
    those, so that a page of another site cannot reach it through a name of its own (DNS rebinding)."""
    try:
        hostname = urlsplit(f"//{host_header}").hostname
    except ValueError:
        return False
    return is_loopback(hostname or "")


def misdirected() -> Response:
    """The answer to a request addressed to another name than loopback's."""
    return PlainTextResponse(
        "This address answers only requests addressed to localhost, 127.0.0.1 or [::1].", status_code=421
    )


class LoopbackHostOnly:
    """ASGI middleware: requests whose Host header is not a loopback name get 421 Misdirected Request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
        if scope["type"] == "http" and not addressed_to_loopback(host):
            await misdirected()(scope, receive, send)
            return
        await self.app(scope, receive, send)


def bind_address(host: str) -> str:
    """The address to bind for a loopback host name (``localhost`` binds 127.0.0.1 only)."""
    return "127.0.0.1" if host == "localhost" else host.strip("[]")


class ServerThread:
    """A uvicorn server running ``app`` on a daemon thread until stop()."""

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        certfile: Path | None = None,
        keyfile: Path | None = None,
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ConfigurationError(
                f"Refusing to listen on {host}: only loopback addresses are allowed.",
                hint="Use 127.0.0.1 or localhost.",
            )
        config = uvicorn.Config(
            app,
            host=bind_address(host),
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=SHUTDOWN_GRACE,
            ssl_certfile=str(certfile) if certfile else None,
            ssl_keyfile=str(keyfile) if keyfile else None,
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, name="amazon-connector-server", daemon=True)
        self.host = host
        self.port = port

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive():
                raise ConfigurationError(
                    f"Cannot listen on {self.host}:{self.port}: the address is in use or not available.",
                    hint="Free the port or choose another one.",
                )
            if time.monotonic() > deadline:
                raise ConfigurationError(
                    f"The server on {self.host}:{self.port} did not start in {timeout} s."
                )
            time.sleep(0.01)
        sockets = self.server.servers[0].sockets
        self.port = int(sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class StopSignal(KeyboardInterrupt):
    """Raised in the main thread by the first SIGINT or SIGTERM within until_stop_signal()."""


@contextmanager
def until_stop_signal(deadline: int = STOP_DEADLINE) -> Iterator[None]:
    """Serve in the block (which ends in wait_for_stop_signal()) until SIGINT (Ctrl+C) or SIGTERM: the
    block then unwinds as on an error, stopping its servers, and the with statement ends normally.

    Either signal stops it even where SIGINT was inherited ignored (a non-interactive shell's background
    job). From the first on, a second one ends the process at once, and so does ``deadline`` seconds
    later anything still running (a request stuck in a thread): for a command's main thread only."""

    def stop(signum: int, frame: FrameType | None) -> None:
        for stop_signal in STOP_SIGNALS:
            signal.signal(stop_signal, signal.SIG_DFL)
        signal.signal(signal.SIGALRM, end)
        signal.alarm(deadline)
        raise StopSignal

    def end(signum: int, frame: FrameType | None) -> None:
        os.write(2, f"Not stopped {deadline} s after the signal: ending the process.\n".encode())
        os._exit(1)

    previous = {stop_signal: signal.signal(stop_signal, stop) for stop_signal in STOP_SIGNALS}
    stopped = False
    try:
        yield
    except StopSignal:
        stopped = True
    finally:
        if not stopped:
            for stop_signal, handler in previous.items():
                signal.signal(stop_signal, handler)


def wait_for_stop_signal() -> NoReturn:
    """Wait, in an until_stop_signal() block, for the signal that ends it."""
    while True:
        threading.Event().wait()
