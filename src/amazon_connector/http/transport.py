"""httpx transports over urllib3 (sync) and aiohttp (async): httpx's interface at a fraction of its CPU
cost per request (see bench/). Failures surface as the httpx exceptions that httpx's own transport
raises, so callers cannot tell the difference."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import urllib3
import urllib3.exceptions

if TYPE_CHECKING:  # aiohttp is imported on first async use: sync-only processes start faster
    import aiohttp

CHUNK = 64 * 1024
POOL_SIZE = 20
"""Idle connections kept per host by the sync transport (more are opened when needed)."""
MAX_CONNECTIONS = 100
"""Connections open at once in the async transport (httpx's default)."""


def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()  # httpx's certificate store, so both transports trust the same CAs


def _timeouts(request: httpx.Request) -> dict[str, float | None]:
    return dict(request.extensions.get("timeout") or {})


def _sync_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception matching a urllib3 one."""
    kind: type[httpx.TransportError]
    if isinstance(exc, urllib3.exceptions.NewConnectionError | urllib3.exceptions.SSLError):
        kind = httpx.ConnectError  # NewConnectionError is also a ConnectTimeoutError: test it first
    elif isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        kind = httpx.ReadTimeout
    elif isinstance(exc, urllib3.exceptions.ProxyError):
        kind = httpx.ProxyError
    elif isinstance(exc, urllib3.exceptions.ProtocolError):
        kind = httpx.ReadError
    else:
        kind = httpx.NetworkError
    return kind(str(exc), request=request)


class _Urllib3Body(httpx.SyncByteStream):
    def __init__(self, response: urllib3.BaseHTTPResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._response.stream(CHUNK, decode_content=False)
        except urllib3.exceptions.HTTPError as exc:
            raise _sync_error(exc, self._request) from exc

    def close(self) -> None:
        if not self._response.closed:  # read in part: the connection cannot serve another request
            self._response.close()
        self._response.release_conn()


class Urllib3Transport(httpx.BaseTransport):
    """A pooled httpx transport over urllib3 (TLS verified against httpx's certificate store)."""

    def __init__(self, *, pool_size: int = POOL_SIZE) -> None:
        self._pool = urllib3.PoolManager(maxsize=pool_size, ssl_context=_ssl_context())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts, url = _timeouts(request), request.url
        try:
            pool = self._pool.connection_from_host(url.host, url.port, url.scheme)
            response = pool.urlopen(
                request.method,
                url.raw_path.decode("ascii"),
                body=request.read() or None,
                headers=dict(request.headers.items()),
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                timeout=urllib3.Timeout(connect=timeouts.get("connect"), read=timeouts.get("read")),
            )
        except urllib3.exceptions.LocationValueError as exc:
            raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise _sync_error(exc, request) from exc
        return httpx.Response(
            response.status,
            headers=list(response.headers.iteritems()),
            stream=_Urllib3Body(response, request),
            extensions={"http_version": b"HTTP/1.1"},
        )

    def close(self) -> None:
        self._pool.clear()


def _async_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception matching an aiohttp one."""
    import aiohttp

    kind: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        kind = httpx.ProxyError
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = httpx.ConnectError
    elif isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, TimeoutError):  # aiohttp's read timeouts are TimeoutErrors too
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.InvalidURL):
        kind = httpx.UnsupportedProtocol
    else:
        kind = httpx.ReadError
    return kind(str(exc) or exc.__class__.__name__, request=request)


class _AiohttpBody(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import aiohttp

        try:
            async for chunk in self._response.content.iter_chunked(CHUNK):
                yield chunk
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _async_error(exc, self._request) from exc

    async def aclose(self) -> None:
        self._response.release()


async def _held(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    """Holds ``session`` open until closed, or until its event loop shuts down: asyncio.run finalises
    the async generators still open on its loop, which closes the session there."""
    try:
        yield
    finally:
        await session.close()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """A pooled async httpx transport over aiohttp. Its connections belong to one event loop: on
    another loop it opens a new pool (the old one was closed when its loop shut down)."""

    def __init__(self, *, connections: int = MAX_CONNECTIONS) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._holder: AsyncGenerator[None, None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _current(self) -> aiohttp.ClientSession:
        import aiohttp

        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, ssl=_ssl_context()),
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
                auto_decompress=False,  # httpx decodes
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),  # httpx sets them
            )
            self._holder = _held(session)
            await anext(self._holder)
            self._session, self._loop = session, loop
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import aiohttp
        from yarl import URL

        timeouts = _timeouts(request)
        options: dict[str, Any] = {
            "headers": list(request.headers.items()),
            "data": await request.aread() or None,
            "allow_redirects": False,
            "timeout": aiohttp.ClientTimeout(
                sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read")
            ),
        }
        session = await self._current()
        try:
            response = await session.request(request.method, URL(str(request.url), encoded=True), **options)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _async_error(exc, request) from exc
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=_AiohttpBody(response, request),
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        holder, self._holder, self._session = self._holder, None, None
        if holder is not None and self._loop is asyncio.get_running_loop():
            await holder.aclose()
