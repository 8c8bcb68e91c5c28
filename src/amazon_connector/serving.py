"""Run an ASGI app with uvicorn on a background thread: the emulator and the redirect listener use it."""

from __future__ import annotations

import ipaddress
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from amazon_connector.errors import ConfigurationError


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
