"""The emulator on 127.0.0.1 (a free port) with a settable clock, and helpers to talk to it over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from amazon_connector.api.schemas import ErrorList
from amazon_connector.clock import ManualClock
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import World, demo_world
from tests.conftest import free_port

SELLER_COUNTRIES = {"NA": ["US", "CA", "MX"], "EU": ["UK", "DE", "FR", "IT", "ES"], "FE": ["JP", "AU", "SG"]}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def redirect_uri() -> str:
    """A loopback redirect URI on a free port (nobody listens unless a test starts a listener there)."""
    return f"http://127.0.0.1:{free_port()}/amazon-connector/callback"


@pytest.fixture
def world(redirect_uri: str) -> World:
    return demo_world(redirect_uris=[redirect_uri])


@pytest.fixture
def emulator(world: World, clock: ManualClock) -> Iterator[RunningEmulator]:
    with running_emulator(world, clock=clock) as running:
        yield running


@pytest.fixture
def http(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, timeout=10.0) as client:
        yield client


@pytest.fixture
def apps(world: World) -> dict[str, dict[str, Any]]:
    return {app["name"]: app for app in world.credentials()}


def seller_in(app: dict[str, Any], country: str) -> dict[str, Any]:
    return next(s for s in app["sellers"] if country in s["countries"])


def lwa(http: httpx.Client, app: dict[str, Any], **fields: str) -> httpx.Response:
    """POST a form to the LWA token endpoint with the app's client ID and secret."""
    form = {"client_id": app["client_id"], "client_secret": app["client_secret"], **fields}
    return http.post("/auth/o2/token", data=form)


def access_token(http: httpx.Client, app: dict[str, Any], country: str) -> str:
    """A seller access token of a private app, for the seller selling in ``country``."""
    response = lwa(
        http, app, grant_type="refresh_token", refresh_token=seller_in(app, country)["refresh_token"]
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def consent_url(emulator: RunningEmulator, app: dict[str, Any], **params: str) -> str:
    return f"{emulator.url}/apps/authorize/consent?{urlencode({'application_id': app['app_id'], **params})}"


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def restricted_data_token(http: httpx.Client, token: str, *resources: dict[str, Any]) -> str:
    """An RDT for ``resources``, asked for with the access token ``token``."""
    response = http.post(
        "/tokens/2021-03-01/restrictedDataToken",
        headers={"x-amz-access-token": token},
        json={"restrictedResources": list(resources)},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["restrictedDataToken"])


def spapi(http: httpx.Client, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
    """An SP-API request with ``token`` in ``x-amz-access-token``."""
    return http.request(method, path, headers={"x-amz-access-token": token}, **kwargs)


def errors(response: httpx.Response, status: int, code: str) -> ErrorList:
    """Amazon's error list of ``response``: one error of ``code``, with ``status`` and a request ID."""
    assert response.status_code == status, response.text
    uuid.UUID(response.headers["x-amzn-RequestId"])
    body = ErrorList.model_validate(response.json())
    assert [e.code for e in body.errors] == [code]
    return body


def denied(response: httpx.Response, details: str) -> None:
    """Amazon's 403 for a request its token does not allow, which draws on no usage plan."""
    error = errors(response, 403, "Unauthorized").errors[0]
    assert (error.message, error.details) == ("Access to requested resource is denied.", details)
    assert "x-amzn-RateLimit-Limit" not in response.headers
