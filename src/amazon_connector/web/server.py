"""Serve the page: loopback by default; any other address only behind a login token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from types import TracebackType

from amazon_connector.connections import Connections
from amazon_connector.serving import ServerThread, is_loopback
from amazon_connector.web.app import create_app

DEFAULT_PORT = 8720
"""A fixed port, so that the redirect URI registered for the app stays the same between runs."""


@dataclass
class RunningUi:
    """The page being served; ``login_token`` is set when the address is not loopback."""

    server: ServerThread
    url: str
    login_token: str | None

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> RunningUi:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_ui(
    connections: Connections, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT, login: bool | None = None
) -> RunningUi:
    """Serve the connection dialog on ``host``:``port`` (0 = any free port). ``login`` (default: when
    ``host`` is not loopback) asks each browser once for a token made now."""
    loopback = is_loopback(host)
    token = secrets.token_urlsafe(24) if (not loopback if login is None else login) else None
    app = create_app(connections, login_token=token, loopback_only=loopback)
    server = ServerThread(app, host=host, port=port, allow_remote=token is not None).start()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host  # noqa: S104 (naming, not binding)
    shown = f"[{shown.strip('[]')}]" if ":" in shown else shown
    return RunningUi(server, f"http://{shown}:{server.port}/", token)
