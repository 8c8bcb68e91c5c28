"""The loopback listener on the OAuth redirect URI: receives Amazon's redirect and the Log-in URI hop."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from amazon_connector.auth.tls import loopback_certificate
from amazon_connector.errors import AmazonConnectorError
from amazon_connector.serving import LoopbackHostOnly, ServerThread, is_loopback

CallbackHandler = Callable[[str], str]
"""Takes the full redirect URL; returns a message for the browser, or raises."""
LoginHandler = Callable[[Mapping[str, str]], str]
"""Takes the Log-in URI's query parameters; returns where to send the browser."""

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer"><title>amazon-connector: {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}}</style>
</head><body><h1 id="result">{title}</h1><p>{message}</p></body></html>"""


def listens_locally(redirect_uri: str) -> bool:
    """Whether we can receive this redirect URI ourselves (a loopback address with an explicit port)."""
    parts = urlsplit(redirect_uri)
    return bool(parts.hostname) and is_loopback(parts.hostname or "") and parts.port is not None


def _page(title: str, message: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        _PAGE.format(title=html.escape(title), message=html.escape(message)),
        status_code=status,
        headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"},
    )


def listener_app(redirect_path: str, on_callback: CallbackHandler, on_login: LoginHandler) -> Starlette:
    """The ASGI app: the redirect path completes the authorisation; any path with
    ``amazon_callback_uri`` is the Log-in URI hop. Only requests addressed to a loopback name are
    answered, as on the web page."""

    async def endpoint(request: Request) -> Response:
        params = dict(request.query_params)
        try:
            if "amazon_callback_uri" in params:
                target = on_login(params)
                return RedirectResponse(target, status_code=302, headers={"Referrer-Policy": "no-referrer"})
            if request.url.path == redirect_path:
                return _page("Authorised", await run_in_threadpool(on_callback, str(request.url)))
        except AmazonConnectorError as exc:
            return _page("Authorisation failed", str(exc), status=400)
        return _page("Not found", "This address is not part of an authorisation.", status=404)

    return Starlette(
        routes=[Route("/{path:path}", endpoint, methods=["GET"])], middleware=[Middleware(LoopbackHostOnly)]
    )


def start_listener(
    redirect_uri: str, on_callback: CallbackHandler, on_login: LoginHandler, *, tls_dir: Path
) -> ServerThread:
    """Listen on the redirect URI's loopback host and port (https with a local certificate if asked)."""
    parts = urlsplit(redirect_uri)
    app = listener_app(parts.path or "/", on_callback, on_login)
    tls = loopback_certificate(tls_dir) if parts.scheme == "https" else None
    return ServerThread(
        app,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 0,
        certfile=tls.certfile if tls else None,
        keyfile=tls.keyfile if tls else None,
    ).start()
