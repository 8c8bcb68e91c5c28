"""Login with Amazon's token endpoint over real HTTP: each grant, each error, expiry on the clock."""

import re
import uuid
from typing import Any

import httpx
import pytest

from amazon_connector.api.schemas import LwaErrorResponse, TokenResponse
from amazon_connector.sandbox.lwa.token import INVALID_CODE, INVALID_REFRESH_GRANT
from amazon_connector.sandbox.robot import approve
from amazon_connector.sandbox.server import RunningEmulator
from tests.sandbox.conftest import consent_url, lwa, query, seller_in

ROTATION = "sellingpartnerapi::client_credential:rotation"
NOTIFICATIONS = "sellingpartnerapi::notifications"


def _token(response: httpx.Response, status: int = 200) -> TokenResponse:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    uuid.UUID(response.headers["x-amzn-RequestId"])
    return TokenResponse.model_validate(response.json())


def _refused(
    response: httpx.Response, status: int, error: str, description: str | None = None
) -> LwaErrorResponse:
    assert response.status_code == status, response.text
    uuid.UUID(response.headers["x-amzn-RequestId"])
    body = LwaErrorResponse.model_validate(response.json())
    assert body.error == error
    if description is not None:
        assert body.error_description == description
    return body


def test_refresh_token_grant_form_and_json(http, apps):
    app = apps["Demo Private App"]
    refresh = seller_in(app, "UK")["refresh_token"]
    form = _token(lwa(http, app, grant_type="refresh_token", refresh_token=refresh))
    assert re.fullmatch(r"Atza\|[A-Za-z0-9_\-]{350,}", form.access_token)
    assert (form.token_type, form.expires_in, form.refresh_token) == ("bearer", 3600, refresh)
    body = {
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        **{k: app[k] for k in ("client_id", "client_secret")},
    }
    as_json = _token(http.post("/auth/o2/token", json=body))
    assert as_json.access_token != form.access_token


def test_client_credentials_grant(http, apps):
    app = apps["Demo Public App"]
    token = _token(lwa(http, app, grant_type="client_credentials", scope=f"{NOTIFICATIONS} {ROTATION}"))
    assert token.access_token.startswith("Atc|")
    assert len(token.access_token) >= 350
    assert token.scope == f"{NOTIFICATIONS} {ROTATION}"
    assert token.refresh_token is None
    for scope in ("sellingpartnerapi::client_credentials:rotation", "sellingpartnerapi::orders", " "):
        _refused(lwa(http, app, grant_type="client_credentials", scope=scope), 400, "invalid_scope")


def test_missing_parameters_and_unknown_grant_type(http, apps):
    app = apps["Demo Private App"]
    _refused(
        lwa(http, app), 400, "invalid_request", "The request is missing a required parameter : grant_type"
    )
    _refused(
        lwa(http, app, grant_type="refresh_token"),
        400,
        "invalid_request",
        "The request is missing a required parameter : refresh_token",
    )
    _refused(lwa(http, app, grant_type="authorization_code", code="x"), 400, "invalid_request")
    _refused(lwa(http, app, grant_type="password"), 400, "unsupported_grant_type")
    _refused(
        http.post("/auth/o2/token", content=b"{", headers={"content-type": "application/json"}),
        400,
        "invalid_request",
    )
    broken = http.post("/auth/o2/token", content=b"--x", headers={"content-type": "multipart/form-data"})
    _refused(broken, 400, "invalid_request", "Malformed request")
    no_secret = {"grant_type": "client_credentials", "scope": ROTATION, "client_id": app["client_id"]}
    _refused(http.post("/auth/o2/token", data=no_secret), 400, "invalid_request")


@pytest.mark.parametrize("case", ["unknown client", "wrong secret", "expired secret"])
def test_invalid_client(http, apps, case):
    app = dict(apps["Demo Expired-Secret App" if case == "expired secret" else "Demo Private App"])
    refresh = seller_in(app, "US")["refresh_token"]
    if case == "unknown client":
        app["client_id"] = "amzn1.application-oa2-client." + "0" * 32
    if case == "wrong secret":
        app["client_secret"] = "amzn1.oa2-cs.v1." + "0" * 64
    response = lwa(http, app, grant_type="refresh_token", refresh_token=refresh)
    _refused(response, 401, "invalid_client", "Client authentication failed")
    _refused(lwa(http, app, grant_type="client_credentials", scope=ROTATION), 401, "invalid_client")


def test_invalid_refresh_tokens(http, apps):
    app = apps["Demo Private App (restricted)"]
    revoked = next(s["revoked_refresh_token"] for s in app["sellers"] if "revoked_refresh_token" in s)
    other_clients = seller_in(apps["Demo Private App"], "UK")["refresh_token"]
    for token in (revoked, other_clients, "Atzr|" + "x" * 120):
        response = lwa(http, app, grant_type="refresh_token", refresh_token=token)
        _refused(response, 400, "invalid_grant", INVALID_REFRESH_GRANT)


def _code(emulator: RunningEmulator, app: dict[str, Any], redirect_uri: str) -> str:
    url = consent_url(emulator, app, state="s1", redirect_uri=redirect_uri)
    return query(approve(url, follow=False))["spapi_oauth_code"]


def test_authorization_code_grant_gives_a_lasting_refresh_token(http, emulator, apps, redirect_uri, clock):
    app = apps["Demo Public App"]
    token = _token(
        lwa(
            http,
            app,
            grant_type="authorization_code",
            code=_code(emulator, app, redirect_uri),
            redirect_uri=redirect_uri,
        )
    )
    assert re.fullmatch(r"Atzr\|[A-Za-z0-9_\-]{100,}", token.refresh_token or "")
    clock.advance(400 * 86400)
    again = _token(lwa(http, app, grant_type="refresh_token", refresh_token=token.refresh_token or ""))
    assert again.access_token.startswith("Atza|")
    other = apps["Demo Draft App"]
    response = lwa(http, other, grant_type="refresh_token", refresh_token=token.refresh_token or "")
    _refused(response, 400, "invalid_grant", INVALID_REFRESH_GRANT)


def test_a_code_is_single_use(http, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    code = _code(emulator, app, redirect_uri)
    _token(lwa(http, app, grant_type="authorization_code", code=code, redirect_uri=redirect_uri))
    again = lwa(http, app, grant_type="authorization_code", code=code, redirect_uri=redirect_uri)
    _refused(again, 400, "invalid_grant", INVALID_CODE)


def test_a_code_expires_after_five_minutes(http, emulator, apps, redirect_uri, clock):
    app = apps["Demo Public App"]
    fresh, stale = _code(emulator, app, redirect_uri), _code(emulator, app, redirect_uri)
    clock.advance(299)
    _token(lwa(http, app, grant_type="authorization_code", code=fresh, redirect_uri=redirect_uri))
    clock.advance(2)
    response = lwa(http, app, grant_type="authorization_code", code=stale, redirect_uri=redirect_uri)
    _refused(response, 400, "invalid_grant", INVALID_CODE)


def test_a_code_is_bound_to_its_redirect_uri_and_client(http, emulator, apps, redirect_uri):
    app, other = apps["Demo Public App"], apps["Demo Log-in URI App"]
    wrong_uri = lwa(
        http,
        app,
        grant_type="authorization_code",
        code=_code(emulator, app, redirect_uri),
        redirect_uri="https://localhost:8721/amazon-connector/callback",
    )
    _refused(wrong_uri, 400, "invalid_grant", INVALID_CODE)
    wrong_client = lwa(
        http,
        other,
        grant_type="authorization_code",
        code=_code(emulator, app, redirect_uri),
        redirect_uri=redirect_uri,
    )
    _refused(wrong_client, 400, "invalid_grant", INVALID_CODE)
    _refused(
        lwa(http, app, grant_type="authorization_code", code="ANnope", redirect_uri=redirect_uri),
        400,
        "invalid_grant",
    )
