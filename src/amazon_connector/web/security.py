"""The page's guards: CSRF tokens, the login token for non-loopback binds, host and origin checks, headers."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections import deque
from datetime import datetime, timedelta

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amazon_connector.clock import Clock
from amazon_connector.serving import addressed_to_loopback, misdirected

SESSION_COOKIE = "ac_session"
LOGIN_COOKIE = "ac_login"
CSRF_FIELD = "csrf_token"
OPEN_PATHS = ("/login", "/static/", "/amazon-connector/")
"""Reachable without logging in: the login form, the assets, and Amazon's redirects (whose own single-use
state protects them)."""

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class Guard:
    """Signs with a key that lives as long as the process: CSRF tokens bound to the browser's session
    cookie, and login cookies. ``login_token`` (when set) must be given once on the login form."""

    def __init__(self, login_token: str | None = None) -> None:
        self._key = secrets.token_bytes(32)
        self.login_token = login_token

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def new_session() -> str:
        return secrets.token_urlsafe(32)

    def csrf_token(self, session: str) -> str:
        return self._sign("csrf", session)

    def csrf_ok(self, session: str | None, token: str | None) -> bool:
        return bool(session and token) and hmac.compare_digest(self.csrf_token(session or ""), token or "")

    @property
    def login_required(self) -> bool:
        return self.login_token is not None

    def token_ok(self, given: str) -> bool:
        return self.login_token is not None and hmac.compare_digest(
            self.login_token.encode(), given.strip().encode()
        )

    def login_cookie(self) -> str:
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{self._sign('login', nonce)}"

    def logged_in(self, cookie: str | None) -> bool:
        if not self.login_required:
            return True
        nonce, _, signature = (cookie or "").partition(".")
        return bool(nonce) and hmac.compare_digest(self._sign("login", nonce), signature)


class LoginThrottle:
    """Wrong login tokens per client address: after ``limit`` within ``window`` seconds (on the page's
    clock) the address must wait until the oldest of them is that old."""

    def __init__(self, clock: Clock, *, limit: int = 5, window: float = 60.0) -> None:
        self._clock = clock
        self._limit = limit
        self._window = timedelta(seconds=window)
        self._failures: dict[str, deque[datetime]] = {}

    def wait(self, address: str) -> int:
        """Seconds ``address`` must wait before it may try again (0: it may now)."""
        now = self._clock.now()
        for key, times in list(self._failures.items()):
            while times and times[0] <= now - self._window:
                times.popleft()
            if not times:
                del self._failures[key]
        recent = self._failures.get(address)
        if recent is None or len(recent) < self._limit:
            return 0
        return max(1, math.ceil((recent[0] + self._window - now).total_seconds()))

    def failed(self, address: str) -> None:
        self._failures.setdefault(address, deque()).append(self._clock.now())

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


def same_origin(request: Request) -> bool:
    """A POST must not come from another site: by Sec-Fetch-Site, else by Origin, when the browser sends
    them (under ``Referrer-Policy: no-referrer`` a form's Origin is "null")."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin in (None, "null") or origin == f"{request.url.scheme}://{request.url.netloc}"


class GuardMiddleware:
    """Host check, login requirement and security headers for every response."""

    def __init__(self, app: ASGIApp, guard: Guard, *, loopback_only: bool) -> None:
        self.app = app
        self.guard = guard
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, with_headers)
            return
        await self.app(scope, receive, with_headers)

    def _refusal(self, request: Request) -> Response | None:
        if self.loopback_only and not addressed_to_loopback(request.headers.get("host", "")):
            return misdirected()
        if request.url.path.startswith(OPEN_PATHS) or self.guard.logged_in(request.cookies.get(LOGIN_COOKIE)):
            return None
        if request.method in ("GET", "HEAD"):
            return RedirectResponse("/login", status_code=303)
        return PlainTextResponse("Log in first.", status_code=401)
