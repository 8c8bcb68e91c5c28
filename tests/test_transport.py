"""Both HTTP engines over real HTTP to the emulator: answers, timeouts, refused and reset connections."""

from __future__ import annotations

import asyncio
import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from amazon_connector import Connections
from amazon_connector.errors import RequestTimeoutError, TransportError
from amazon_connector.http.clients import USER_AGENT, HttpClients, HttpEngine
from amazon_connector.http.transport import AiohttpTransport, Urllib3Transport
from amazon_connector.sandbox.server import running_emulator
from amazon_connector.sandbox.world import demo_world
from amazon_connector.serving import ServerThread
from tests.conftest import app_settings, free_port, seller_in

ENGINES: list[HttpEngine] = ["urllib3+aiohttp", "httpx"]
MODES = ["sync", "async"]


def exchange(engine: HttpEngine, mode: str, request: httpx.Request, timeout: float = 10.0) -> httpx.Response:
    """Send ``request`` through fresh HttpClients of ``engine``, sync or async."""
    http = HttpClients(engine=engine, timeout=httpx.Timeout(timeout))
    if mode == "sync":
        try:
            return http.send(request, service="the test")
        finally:
            http.close()

    async def send() -> httpx.Response:
        try:
            return await http.asend(request, service="the test")
        finally:
            await http.aclose()

    return asyncio.run(send())


def token_request(emulator: Any, apps: dict[str, Any]) -> httpx.Request:
    app = apps["Demo Private App (restricted)"]
    form = {
        "grant_type": "refresh_token",
        "refresh_token": seller_in(app, "DE")["refresh_token"],
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    return httpx.Request("POST", f"{emulator.url}/auth/o2/token", data=form)


def participations(emulator: Any, apps: dict[str, Any], engine: HttpEngine, mode: str) -> httpx.Request:
    token = exchange(engine, mode, token_request(emulator, apps)).json()["access_token"]
    return httpx.Request(
        "GET", f"{emulator.url}/sellers/v1/marketplaceParticipations", headers={"x-amz-access-token": token}
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("engine", ENGINES)
def test_requests_with_a_body_and_answers_with_headers(emulator, apps, engine, mode):
    answer = exchange(engine, mode, token_request(emulator, apps))
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "bearer"
    assert answer.headers["content-type"].startswith("application/json")
    wrong = httpx.Request(
        "GET", f"{emulator.url}/sellers/v1/marketplaceParticipations", headers={"x-amz-access-token": "no"}
    )
    refused = exchange(engine, mode, wrong)
    assert refused.status_code == 403
    assert refused.headers["x-amzn-RequestId"]


@pytest.fixture(scope="module")
def echo():
    """A loopback server answering with the request's headers."""

    async def headers(request: Request) -> JSONResponse:
        return JSONResponse(dict(request.headers))

    with ServerThread(Starlette(routes=[Route("/", headers)])) as server:
        yield f"http://127.0.0.1:{server.port}/"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("engine", ENGINES)
def test_requests_say_who_sends_them(echo, engine, mode):
    assert exchange(engine, mode, httpx.Request("GET", echo)).json()["user-agent"] == USER_AGENT
    mine = httpx.Request("GET", echo, headers={"User-Agent": "mine"})
    assert exchange(engine, mode, mine).json()["user-agent"] == "mine"


@pytest.mark.parametrize("engine", ENGINES)
def test_connections_call_through_either_engine(home, emulator, apps, engine):
    app = apps["Demo Private App (restricted)"]
    with Connections.open(home=home, http_engine=engine) as connections:
        connection = connections.add(
            "de",
            country="DE",
            mode="restricted",
            refresh_token=seller_in(app, "DE")["refresh_token"],
            **app_settings(app, emulator),
        )
        assert connection.http.engine == engine
        sync = connection.call("getMarketplaceParticipations")
        assert asyncio.run(connection.acall("getMarketplaceParticipations")).data == sync.data
        # each asyncio.run is a new event loop: a new pool serves it
        assert asyncio.run(connection.acall("getMarketplaceParticipations")).data == sync.data


class _Forward(BaseHTTPRequestHandler):
    """A forward proxy for plain HTTP (the request line carries the whole target URL) that sends every
    request to 127.0.0.1, whatever host it names."""

    server: _ProxyServer

    def _forward(self) -> None:
        target = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("connection", "proxy-connection")
        }
        upstream = http.client.HTTPConnection("127.0.0.1", target.port, timeout=10)  # whatever the name
        upstream.request(
            self.command, target.path + (f"?{target.query}" if target.query else ""), body, headers
        )
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        self.server.seen.append(f"{self.command} {self.path}")
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("connection", "content-length", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ProxyServer(ThreadingHTTPServer):
    seen: list[str]


@pytest.fixture
def forward_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[_ProxyServer]:
    """A loopback proxy named in HTTP_PROXY (NO_PROXY cleared)."""
    server = _ProxyServer(("127.0.0.1", 0), _Forward)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("engine", ENGINES)
def test_a_proxy_named_in_the_environment_carries_the_requests(emulator, apps, engine, mode, forward_proxy):
    request = token_request(emulator, apps)
    request.url = request.url.copy_with(host="emulator.invalid")  # only the proxy can reach it
    answer = exchange(engine, mode, request)
    assert answer.status_code == 200
    assert answer.json()["token_type"] == "bearer"
    assert forward_proxy.seen == [f"POST {request.url}"]
    # this machine is reached directly, past the proxy
    assert exchange(engine, mode, token_request(emulator, apps)).status_code == 200
    assert len(forward_proxy.seen) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("engine", ENGINES)
def test_nothing_listening_is_a_transport_error_never_delivered(engine, mode):
    request = httpx.Request("GET", f"http://127.0.0.1:{free_port()}/anything")
    with pytest.raises(TransportError) as info:
        exchange(engine, mode, request)
    assert not isinstance(info.value, RequestTimeoutError)
    assert info.value.delivered is False
    assert "ConnectError" in info.value.message


@pytest.fixture
def faulty(request: pytest.FixtureRequest):
    """An emulator whose every SP-API request meets the fault ``request.param``."""
    with running_emulator(demo_world(), faults=request.param) as running:
        yield running, {app["name"]: app for app in running.world.credentials()}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("faulty", ["slow=1.0@2.0"], indirect=True)
def test_no_answer_in_time_is_a_request_timeout(faulty, engine, mode):
    emulator, apps = faulty
    request = participations(emulator, apps, engine, mode)
    with pytest.raises(RequestTimeoutError) as info:
        exchange(engine, mode, request, timeout=0.3)
    assert info.value.delivered is True
    assert "ReadTimeout" in info.value.message


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("faulty", ["reset=1.0"], indirect=True)
def test_a_dropped_connection_is_a_transport_error_maybe_delivered(faulty, engine, mode):
    emulator, apps = faulty
    request = participations(emulator, apps, engine, mode)
    with pytest.raises(TransportError) as info:
        exchange(engine, mode, request)
    assert not isinstance(info.value, RequestTimeoutError)
    assert info.value.delivered is True


def test_answers_are_read_whole_or_in_parts_and_a_half_read_one_spoils_nothing(emulator):
    url = f"{emulator.url}/_sandbox/credentials"
    whole = httpx.get(url, trust_env=False).content
    with httpx.Client(transport=Urllib3Transport()) as client:
        with client.stream("GET", url) as response:
            assert b"".join(response.iter_bytes(100)) == whole
        with client.stream("GET", url) as response:
            next(response.iter_bytes(100))  # closed half-read
        assert client.get(url).content == whole

    async def read() -> tuple[bytes, bytes]:
        async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
            async with client.stream("GET", url) as response:
                parts = b"".join([part async for part in response.aiter_bytes(100)])
            async with client.stream("GET", url) as response:
                await anext(response.aiter_bytes(100))
            return parts, (await client.get(url)).content

    assert asyncio.run(read()) == (whole, whole)
