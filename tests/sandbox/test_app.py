"""The emulator's plumbing: crashes become 500 InternalFailure, the credentials endpoint, the server."""

import asyncio
import json
import uuid

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from typer.testing import CliRunner

from amazon_connector.cli.sandbox import app as sandbox_cli
from amazon_connector.errors import ConfigurationError
from amazon_connector.sandbox.app import create_app
from amazon_connector.sandbox.server import running_emulator, serve
from amazon_connector.sandbox.world import demo_world
from tests.conftest import free_port


async def _crash(_: Request) -> Response:
    raise RuntimeError("boom")


def _get(app, path, client=("127.0.0.1", 40000)) -> httpx.Response:
    """GET from the ASGI app directly, as a client at ``client``."""

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
            return await http.get(path)

    return asyncio.run(get())


def test_an_unhandled_exception_is_a_500_internal_failure():
    app = create_app(demo_world())
    app.router.routes.insert(0, Route("/crash", _crash))
    response = _get(app, "/crash")
    assert response.status_code == 500
    uuid.UUID(response.headers["x-amzn-RequestId"])
    assert response.json()["errors"][0]["code"] == "InternalFailure"


def test_credentials_only_for_loopback_clients(http, world, emulator):
    listed = http.get("/_sandbox/credentials").json()
    assert [{k: v for k, v in app.items() if k != "notification_queue_url"} for app in listed] == (
        world.credentials()
    )
    queues = {app["name"]: app["notification_queue_url"] for app in listed}
    assert queues["Demo Draft App"] is None
    assert queues["Demo Public App"].startswith(f"{emulator.url}/sqs/000000000000/notifications-amzn1-")
    assert _get(create_app(world), "/_sandbox/credentials", client=("203.0.113.7", 40000)).status_code == 404


def test_running_emulator_picks_a_free_port_and_stops():
    with running_emulator() as emulator:
        assert emulator.url == f"http://127.0.0.1:{emulator.port}"
        assert emulator.port > 0
        assert httpx.get(f"{emulator.url}/_sandbox/credentials").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{emulator.url}/_sandbox/credentials")


def test_only_loopback_unless_allowed():
    with pytest.raises(ConfigurationError, match=r"Refusing to serve the emulator on 0\.0\.0\.0"):
        running_emulator(host="0.0.0.0").__enter__()  # noqa: S104 (refused, never bound)
    with pytest.raises(ConfigurationError, match="Refusing"):
        serve(host="192.0.2.1")
    with pytest.raises(ConfigurationError, match="time scale"):
        serve(time_scale=0)


def test_cli_credentials(emulator):
    runner = CliRunner()
    result = runner.invoke(sandbox_cli, ["credentials", "--url", emulator.url])
    assert result.exit_code == 0, result.output
    assert [a["client_id"] for a in json.loads(result.stdout)] == [
        a["client_id"] for a in emulator.world.credentials()
    ]
    port = free_port()
    missing = runner.invoke(sandbox_cli, ["credentials", "--port", str(port)])
    assert missing.exit_code == 1
    assert f"no emulator answered at http://127.0.0.1:{port}" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
