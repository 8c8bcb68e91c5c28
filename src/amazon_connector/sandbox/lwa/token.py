"""Login with Amazon's token endpoint: the refresh_token, authorization_code and client_credentials grants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from amazon_connector.api.catalog import catalog
from amazon_connector.api.schemas import AmazonResponse, LwaErrorResponse, TokenResponse
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.context import Sandbox, sandbox_of
from amazon_connector.sandbox.grants import TOKEN_LIFETIME
from amazon_connector.sandbox.world import App

GRANTLESS_SCOPES = frozenset(op.grantless_scope for op in catalog().operations if op.grantless_scope)

INVALID_CLIENT = "Client authentication failed"
INVALID_REFRESH_GRANT = (
    "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission."
)
INVALID_CODE = "The request has an invalid grant parameter : code"
INVALID_SCOPE = "The request has an invalid parameter : scope"
UNSUPPORTED_GRANT_TYPE = "The authorization grant type is not supported by the authorization server"
MALFORMED = "Malformed request"

Fields = dict[str, str]


class LwaRefusal(Exception):
    """A token request LWA refuses: HTTP status, ``error`` and ``error_description``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def _missing(name: str) -> LwaRefusal:
    return LwaRefusal(400, "invalid_request", f"The request is missing a required parameter : {name}")


async def _fields(request: Request) -> Fields:
    """The request's fields, from a JSON body (Amazon's Java and C# SDKs) or a form (everyone else)."""
    if "json" in request.headers.get("content-type", ""):
        try:
            body = await request.json()
        except ValueError:
            raise LwaRefusal(400, "invalid_request", MALFORMED) from None
        if not isinstance(body, dict):
            raise LwaRefusal(400, "invalid_request", MALFORMED)
        return {str(k): str(v) for k, v in body.items() if v is not None}
    try:
        form = await request.form()
    except HTTPException:
        raise LwaRefusal(400, "invalid_request", MALFORMED) from None
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _client(sandbox: Sandbox, fields: Fields) -> App:
    app = sandbox.world.app_for_client(fields["client_id"])
    if app is None or not sandbox.client_secrets.accepts(app.client_id, fields["client_secret"]):
        raise LwaRefusal(401, "invalid_client", INVALID_CLIENT)
    return app


def _expires_in() -> int:
    return int(TOKEN_LIFETIME.total_seconds())


def _refresh_token(sandbox: Sandbox, app: App, fields: Fields) -> TokenResponse:
    token = fields["refresh_token"]
    grant = sandbox.grants.refresh_grant(token)
    if grant is None or grant.client_id != app.client_id:
        raise LwaRefusal(400, "invalid_grant", INVALID_REFRESH_GRANT)
    access = sandbox.grants.issue_access_token(app.client_id, grant.selling_partner_id)
    return TokenResponse(access_token=access, refresh_token=token, expires_in=_expires_in())


def _authorization_code(sandbox: Sandbox, app: App, fields: Fields) -> TokenResponse:
    code = sandbox.authorisations.codes.take(fields["code"])
    if code is None or code.client_id != app.client_id or code.redirect_uri != fields["redirect_uri"]:
        raise LwaRefusal(400, "invalid_grant", INVALID_CODE)
    refresh = sandbox.grants.issue_refresh_token(app.client_id, code.selling_partner_id)
    access = sandbox.grants.issue_access_token(app.client_id, code.selling_partner_id)
    return TokenResponse(access_token=access, refresh_token=refresh, expires_in=_expires_in())


def _client_credentials(sandbox: Sandbox, app: App, fields: Fields) -> TokenResponse:
    scopes = fields["scope"].split()
    if not scopes or not set(scopes) <= GRANTLESS_SCOPES:
        raise LwaRefusal(400, "invalid_scope", INVALID_SCOPE)
    access = sandbox.grants.issue_access_token(app.client_id, None, scopes)
    return TokenResponse(access_token=access, expires_in=_expires_in(), scope=" ".join(scopes))


@dataclass(frozen=True, slots=True)
class Grant:
    """One grant type: the fields it needs besides the client's, and what it issues."""

    required: tuple[str, ...]
    issue: Callable[[Sandbox, App, Fields], TokenResponse]


GRANTS = {
    "refresh_token": Grant(("refresh_token",), _refresh_token),
    "authorization_code": Grant(("code", "redirect_uri"), _authorization_code),
    "client_credentials": Grant(("scope",), _client_credentials),
}


def _answer(body: AmazonResponse, status: int) -> JSONResponse:
    return answer(body, status, {"Cache-Control": "no-store", "Pragma": "no-cache"})


async def token(request: Request) -> JSONResponse:
    """Exchange a grant for an access token, as api.amazon.com does."""
    sandbox = sandbox_of(request)
    try:
        fields = await _fields(request)
        grant_type = fields.get("grant_type")
        if not grant_type:
            raise _missing("grant_type")
        grant = GRANTS.get(grant_type)
        if grant is None:
            raise LwaRefusal(400, "unsupported_grant_type", UNSUPPORTED_GRANT_TYPE)
        for name in (*grant.required, "client_id", "client_secret"):
            if not fields.get(name):
                raise _missing(name)
        body = grant.issue(sandbox, _client(sandbox, fields), fields)
    except LwaRefusal as refusal:
        return _answer(
            LwaErrorResponse(error=refusal.error, error_description=refusal.description), refusal.status
        )
    return _answer(body, 200)


ROUTES = [Route("/auth/o2/token", token, methods=["POST"])]
