"""HTTP plumbing shared by LWA, SP-API and document calls: clients, timeouts, transport errors."""

from __future__ import annotations

import asyncio
import logging
import platform
import threading
from typing import Any, Literal

import httpx

from amazon_connector import __version__
from amazon_connector.errors import RequestTimeoutError, TransportError
from amazon_connector.redaction import log_exchange
from amazon_connector.runtime.transport import AiohttpTransport, Urllib3Transport

USER_AGENT = f"amazon-connector/{__version__} (Language=Python/{platform.python_version()}; Platform={platform.system()})"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

http_log = logging.getLogger("amazon_connector.http")

HttpEngine = Literal["urllib3+aiohttp", "httpx"]
"""What carries requests under httpx's interface: urllib3 (sync) and aiohttp (async), which cost a
fraction of the CPU per request (bench/), or httpx's own transport."""


class HttpClients:
    """A pair of pooled httpx clients (sync and async) with one configuration, created on first use.
    ``engine`` picks their transports unless ``transport`` / ``async_transport`` are given."""

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
        self._transport = transport or (Urllib3Transport() if native else None)
        self._async_transport = async_transport or (AiohttpTransport() if native else None)
        self._sync: httpx.Client | None = None
        self._async: httpx.AsyncClient | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _options(self) -> dict[str, Any]:
        return {
            "timeout": self.timeout,
            "headers": {"User-Agent": USER_AGENT},
            "follow_redirects": False,
        }

    @property
    def sync(self) -> httpx.Client:
        with self._lock:
            if self._sync is None:
                self._sync = httpx.Client(transport=self._transport, **self._options())
            return self._sync

    @property
    def async_(self) -> httpx.AsyncClient:
        """The async client of the running event loop (an httpx pool belongs to the loop it was made on;
        the one of a loop that has ended is dropped)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._async is None or self._async_loop is not loop:
                self._async = httpx.AsyncClient(transport=self._async_transport, **self._options())
                self._async_loop = loop
            return self._async

    def send(self, request: httpx.Request, *, service: str) -> httpx.Response:
        """Send and read the whole response; transport failures become TransportError."""
        request.headers.setdefault("User-Agent", USER_AGENT)  # send() skips the client's own headers
        try:
            response = self.sync.send(request)
            response.read()
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _transport_error(exc, request, service) from None
        if self.extended_logging:
            log_exchange(http_log, request, response)
        return response

    async def asend(self, request: httpx.Request, *, service: str) -> httpx.Response:
        """The async twin of send."""
        request.headers.setdefault("User-Agent", USER_AGENT)
        try:
            response = await self.async_.send(request)
            await response.aread()
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _transport_error(exc, request, service) from None
        if self.extended_logging:
            log_exchange(http_log, request, response)
        return response

    def close(self) -> None:
        with self._lock:
            if self._sync is not None:
                self._sync.close()
                self._sync = None

    async def aclose(self) -> None:
        self.close()
        with self._lock:
            client, loop, self._async = self._async, self._async_loop, None
        if client is not None and loop is asyncio.get_running_loop():
            await client.aclose()


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
