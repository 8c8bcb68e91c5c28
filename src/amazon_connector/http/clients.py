"""Pooled HTTP clients shared by LWA, SP-API and document transfers: timeouts, proxies, transport errors."""

from __future__ import annotations

import asyncio
import logging
import platform
import threading
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Literal

import httpx

from amazon_connector.errors import RequestTimeoutError, TransportError
from amazon_connector.http.transport import AiohttpTransport, Urllib3Transport
from amazon_connector.redaction import log_exchange
from amazon_connector.version import __version__

USER_AGENT = f"amazon-connector/{__version__} (Language=Python/{platform.python_version()}; Platform={platform.system()})"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

http_log = logging.getLogger("amazon_connector.http")

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts reached directly even when a proxy is configured."""

HttpEngine = Literal["urllib3+aiohttp", "httpx"]
"""What carries requests under httpx's interface: urllib3 (sync) and aiohttp (async), which cost a
fraction of the CPU per request (bench/), or httpx's own transport."""


class HttpClients:
    """Pooled HTTP transports (sync, and async per event loop) with one configuration, created on first
    use. ``engine`` picks the transports unless ``transport`` / ``async_transport`` are given.

    Requests go straight to the transport: httpx's client layer (cookies, auth, redirects, hooks) costs
    CPU on every call and SP-API needs none of it. When the environment names a proxy (``HTTPS_PROXY``,
    ``HTTP_PROXY``, ``ALL_PROXY``, with ``NO_PROXY``), requests go through httpx's client and transports
    instead, which route them as those variables say; requests to this machine (an emulator) never do."""

    def __init__(
        self,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        extended_logging: bool = False,
        engine: HttpEngine = "urllib3+aiohttp",
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.extended_logging = extended_logging
        self.engine = engine
        native = engine == "urllib3+aiohttp"
        self._proxied = transport is None and bool(urllib.request.getproxies())
        self._transport = transport or (Urllib3Transport() if native else httpx.HTTPTransport())
        self._async_transport = async_transport or (AiohttpTransport() if native else None)
        self._sync: httpx.Client | None = None
        self._async: _AsyncRoute | None = None
        self._lock = threading.Lock()

    def _prepare(self, request: httpx.Request) -> None:
        request.headers.setdefault("User-Agent", USER_AGENT)
        if "timeout" not in request.extensions:
            request.extensions = {**request.extensions, "timeout": self.timeout.as_dict()}

    def _via_proxy(self, request: httpx.Request) -> bool:
        return self._proxied and request.url.host not in LOOPBACK

    def _sync_route(self, request: httpx.Request) -> Callable[[httpx.Request], httpx.Response]:
        if not self._via_proxy(request):
            return self._transport.handle_request
        with self._lock:
            if self._sync is None:
                self._sync = httpx.Client(follow_redirects=False)  # its transports honour the proxies
            return self._sync.send

    def _async_route(self) -> _AsyncRoute:
        """The route of the running event loop (a pool belongs to the loop it was made on; the one of a
        loop that has ended is dropped)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._async is None or self._async.loop is not loop:
                self._async = _AsyncRoute(loop, self._async_transport, proxied=self._proxied)
            return self._async

    def open(self, request: httpx.Request, *, service: str) -> Streamed:
        """Send and read the answer's status and headers; its body is read piece by piece from the
        Streamed (a large document never whole in memory). Transport failures become TransportError."""
        self._prepare(request)
        try:
            response = self._sync_route(request)(request)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _transport_error(exc, request, service) from None
        response.request = request
        return Streamed(response, service, self.extended_logging)

    async def aopen(self, request: httpx.Request, *, service: str) -> Streamed:
        """The async twin of open."""
        self._prepare(request)
        try:
            response = await self._async_route().send(request, via_proxy=self._via_proxy(request))
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _transport_error(exc, request, service) from None
        response.request = request
        return Streamed(response, service, self.extended_logging)

    def send(self, request: httpx.Request, *, service: str) -> httpx.Response:
        """Send and read the whole response; transport failures become TransportError."""
        streamed = self.open(request, service=service)
        try:
            streamed.response.read()
        except BaseException as exc:
            streamed.close()
            if isinstance(exc, httpx.HTTPError):
                raise _transport_error(exc, request, service) from None
            raise
        streamed.log(whole=True)
        return streamed.response

    async def asend(self, request: httpx.Request, *, service: str) -> httpx.Response:
        """The async twin of send."""
        streamed = await self.aopen(request, service=service)
        try:
            await streamed.response.aread()
        except BaseException as exc:
            await streamed.aclose()
            if isinstance(exc, httpx.HTTPError):
                raise _transport_error(exc, request, service) from None
            raise
        streamed.log(whole=True)
        return streamed.response

    def close(self) -> None:
        with self._lock:
            client, self._sync = self._sync, None
        if client is not None:
            client.close()
        self._transport.close()

    async def aclose(self) -> None:
        self.close()
        with self._lock:
            route, self._async = self._async, None
        if route is not None and route.loop is asyncio.get_running_loop():
            await route.aclose()


class Streamed:
    """An answer whose body is read a piece at a time (``chunk``, or ``achunk`` on an event loop), as
    it arrives; an empty piece is the end. Close it when done (a body read in part closes its
    connection). A failure while reading is a TransportError."""

    def __init__(self, response: httpx.Response, service: str, extended_logging: bool) -> None:
        self.response = response
        self.service = service
        self._logging = extended_logging
        self._sync: Iterator[bytes] | None = None
        self._async: AsyncIterator[bytes] | None = None

    def log(self, *, whole: bool) -> None:
        if self._logging:
            log_exchange(http_log, self.response.request, self.response, streamed=not whole)

    def _failure(self, exc: httpx.HTTPError) -> TransportError:
        return _transport_error(exc, self.response.request, self.service)

    def chunk(self) -> bytes:
        if self._sync is None:
            self.log(whole=False)
            self._sync = self.response.iter_raw()
        try:
            return next(self._sync, b"")
        except httpx.HTTPError as exc:
            raise self._failure(exc) from None

    async def achunk(self) -> bytes:
        if self._async is None:
            self.log(whole=False)
            self._async = self.response.aiter_raw()
        try:
            return await anext(self._async, b"")
        except httpx.HTTPError as exc:
            raise self._failure(exc) from None

    def close(self) -> None:
        self.response.close()

    async def aclose(self) -> None:
        await self.response.aclose()


class _AsyncRoute:
    """How async requests travel on one event loop (httpx's pools belong to a loop): straight to a
    transport, or through an httpx client that honours the environment's proxies."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, transport: httpx.AsyncBaseTransport | None, *, proxied: bool
    ) -> None:
        self.loop = loop
        self._client = httpx.AsyncClient(follow_redirects=False) if proxied else None
        self._transport = transport or httpx.AsyncHTTPTransport()

    async def send(self, request: httpx.Request, *, via_proxy: bool) -> httpx.Response:
        if via_proxy:
            assert self._client is not None
            return await self._client.send(request)
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        await self._transport.aclose()


def _transport_error(
    exc: httpx.HTTPError | httpx.InvalidURL, request: httpx.Request, service: str
) -> TransportError:
    timed_out = isinstance(exc, httpx.TimeoutException)
    never_sent = isinstance(
        exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.InvalidURL
    )
    return (RequestTimeoutError if timed_out else TransportError)(
        f"The request to {service} ({request.method} {request.url.host}{request.url.path}) "
        f"{'timed out' if timed_out else 'failed'}: "
        f"{exc.__class__.__name__}{': ' + str(exc) if str(exc) else ''}",
        delivered=not never_sent,
        hint="Check the network and the connection's environment URL; the request can be retried.",
    )
