"""Serve the page: loopback by default; any other address only over HTTPS and behind a login token."""

from __future__ import annotations

import secrets
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from amazon_connector.auth.tls import LOOPBACK_NAMES, TlsFiles, fingerprint, self_signed_certificate
from amazon_connector.connections import Connections
from amazon_connector.errors import ConfigurationError
from amazon_connector.serving import ServerThread, is_loopback
from amazon_connector.web.app import create_app

DEFAULT_PORT = 8720
"""A fixed port, so that the redirect URI registered for the app stays the same between runs."""
WILDCARDS = ("0.0.0.0", "::", "[::]")  # noqa: S104 (names of the wildcard addresses, not a bind)


@dataclass
class RunningUi:
    """The page being served; ``login_token`` is set when the address is not loopback, ``fingerprint``
    (SHA-256 of the certificate) when it is served over HTTPS."""

    server: ServerThread
    url: str
    login_token: str | None
    fingerprint: str | None = None

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> RunningUi:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def page_names(host: str) -> list[str]:
    """The names a browser may use for the page on ``host``: it, this machine's names, loopback's."""
    named = [socket.gethostname()] if host in WILDCARDS else [host.strip("[]"), socket.gethostname()]
    return [*(name for name in named if name.isascii() and name), *LOOPBACK_NAMES]


def page_tls(
    home: Path, host: str, *, certfile: Path | None, keyfile: Path | None, insecure: bool
) -> TlsFiles | None:
    """The certificate to serve the page with: the one given; else, off loopback, one made for it in the
    data directory (unless ``insecure`` asks for plain HTTP); else none (plain HTTP on loopback)."""
    if (certfile is None) != (keyfile is None):
        raise ConfigurationError("Give the certificate and its key together (--cert and --key).")
    if certfile is not None and keyfile is not None:
        if insecure:
            raise ConfigurationError(
                "--insecure serves plain HTTP, but a certificate was given.",
                hint="Leave out --insecure to serve HTTPS with the certificate.",
            )
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
        except ssl.SSLError:
            raise ConfigurationError(
                f"Cannot serve HTTPS with the certificate {certfile} and the key {keyfile}: they are not "
                "a PEM certificate and its private key.",
                hint="Give a PEM certificate and its unencrypted PEM private key.",
            ) from None
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot read the certificate {certfile} or the key {keyfile}: {exc.strerror or exc}."
            ) from None
        return TlsFiles(certfile, keyfile)
    if is_loopback(host) or insecure:
        return None
    return self_signed_certificate(home / "tls", "page", page_names(host))


def start_ui(
    connections: Connections,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    steps: Path | None = None,
    login: bool | None = None,
    certfile: Path | None = None,
    keyfile: Path | None = None,
    insecure: bool = False,
) -> RunningUi:
    """Serve the connection dialog on ``host``:``port`` (0 = any free port), with the step files of
    ``steps`` (default: ``steps`` in the data directory) in its Steps section. ``login`` (default: when
    ``host`` is not loopback) asks each browser once for a token made now. Off loopback the page is
    served over HTTPS (see page_tls) unless ``insecure``."""
    loopback = is_loopback(host)
    tls = page_tls(connections.home, host, certfile=certfile, keyfile=keyfile, insecure=insecure)
    token = secrets.token_urlsafe(24) if (not loopback if login is None else login) else None
    app = create_app(connections, steps=steps, login_token=token, loopback_only=loopback)
    server = ServerThread(
        app,
        host=host,
        port=port,
        allow_remote=token is not None,
        certfile=tls.certfile if tls else None,
        keyfile=tls.keyfile if tls else None,
    ).start()
    shown = "127.0.0.1" if host in WILDCARDS else host
    shown = f"[{shown.strip('[]')}]" if ":" in shown else shown
    scheme = "https" if tls else "http"
    return RunningUi(
        server,
        f"{scheme}://{shown}:{server.port}/",
        token,
        fingerprint(tls.certfile) if tls else None,
    )
