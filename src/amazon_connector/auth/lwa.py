"""Login with Amazon: the three grants, Amazon's error bodies turned into what to do."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from pydantic import ValidationError

from amazon_connector.api.schemas import TokenResponse
from amazon_connector.clock import SYSTEM_CLOCK, Clock
from amazon_connector.errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidScopeError,
    LwaError,
    UnauthorizedClientError,
)
from amazon_connector.http.clients import HttpClients
from amazon_connector.http.drivers import Plan
from amazon_connector.http.effects import Blocking, Send

# What each Amazon error code means for the user, by grant.
_HINTS: dict[tuple[str, str], str] = {
    ("invalid_grant", "refresh_token"): (
        "The refresh token was revoked by the seller, its authorisation lapsed (public apps: 365 days), "
        "it belongs to another client ID, or it was mistyped. Authorise the connection again (Restricted "
        "Data Access Mode: generate a new refresh token in Developer Central > Develop Apps > Authorize)."
    ),
    ("invalid_grant", "authorization_code"): (
        "The authorisation code expired (codes live 5 minutes) or was already used, or the redirect URI "
        "differs from the one on the consent page. Authorise again and finish within 5 minutes."
    ),
    ("invalid_client", ""): (
        "The Client Identifier or Client Secret is wrong, or the client secret expired (Amazon requires "
        "rotation every 180 days; an old secret dies 7 days after a new one is generated). Check both in "
        "Developer Central (Apps and Services > Develop Apps > LWA credentials) and rotate the secret if "
        "it expired."
    ),
    ("invalid_scope", ""): "The grantless scope is not valid for this application.",
    ("access_denied", ""): "The seller or Amazon refused access for this application; authorise again.",
    ("unauthorized_client", ""): "This application may not use this kind of grant; check the app's type.",
    ("invalid_request", ""): "The token request was malformed; this is a bug, please report it.",
    ("unsupported_grant_type", ""): "The grant type was not recognised; this is a bug, please report it.",
    ("server_error", ""): "Login with Amazon failed on Amazon's side; try again shortly.",
    ("temporarily_unavailable", ""): "Login with Amazon is temporarily unavailable; try again shortly.",
}

_ERRORS: dict[str, type[LwaError]] = {
    "invalid_grant": InvalidGrantError,
    "invalid_client": InvalidClientError,
    "invalid_scope": InvalidScopeError,
    "unauthorized_client": UnauthorizedClientError,
}


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An LWA access token and when it stops being valid."""

    value: str
    expires_at: datetime
    refresh_token: str | None = None

    def fresh(self, now: datetime, margin: float = 60.0) -> bool:
        return now + timedelta(seconds=margin) < self.expires_at


@dataclass(frozen=True, slots=True)
class LwaCredentials:
    token_url: str
    client_id: str
    client_secret: str


class SecretSource(Protocol):
    """Where an application's client secret is kept: it changes when the secret is rotated."""

    def current(self) -> str:
        """The client secret to use now."""
        ...

    def replacement(self, refused: str) -> str | None:
        """A different secret, still valid, to retry with after ``refused`` got invalid_client."""
        ...


def refresh_grant(refresh_token: str) -> dict[str, str]:
    return {"grant_type": "refresh_token", "refresh_token": refresh_token}


def code_grant(code: str, redirect_uri: str) -> dict[str, str]:
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}


def client_credentials_grant(*scopes: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "scope": " ".join(scopes)}


@dataclass(frozen=True, slots=True)
class CurrentSecret(Blocking[str]):
    """The client secret to use now (the store's, which a rotation may have changed)."""

    source: SecretSource = field(repr=False)

    def perform(self) -> str:
        return self.source.current()


@dataclass(frozen=True, slots=True)
class ReplacementSecret(Blocking[str | None]):
    """Another still-valid client secret to retry with after ``refused`` got invalid_client."""

    source: SecretSource = field(repr=False)
    refused: str = field(repr=False)

    def perform(self) -> str | None:
        return self.source.replacement(self.refused)


class LwaClient:
    """Exchanges grants for tokens at Login with Amazon: ``exchange`` is a plan (run it with
    amazon_connector.http.drivers.run or arun, or yield from it in another plan).

    With ``secrets``, each exchange uses the application's current client secret, and one refused
    with invalid_client is retried once with the replacement the source offers."""

    def __init__(
        self,
        credentials: LwaCredentials,
        http: HttpClients,
        *,
        clock: Clock = SYSTEM_CLOCK,
        secrets: SecretSource | None = None,
    ) -> None:
        self.credentials = credentials
        self.http = http
        self.clock = clock
        self.secrets = secrets

    def _use(self, secret: str) -> LwaCredentials:
        credentials = self.credentials
        if secret != credentials.client_secret:
            credentials = self.credentials = replace(credentials, client_secret=secret)
        return credentials

    def _request(self, credentials: LwaCredentials, grant: dict[str, str]) -> httpx.Request:
        form = {**grant, "client_id": credentials.client_id, "client_secret": credentials.client_secret}
        return httpx.Request(
            "POST",
            credentials.token_url,
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
        )

    def _parse(self, grant: dict[str, str], response: httpx.Response) -> AccessToken:
        request_id = response.headers.get("x-amzn-RequestId")
        body = _json(response)
        if response.status_code == 200 and body is not None:
            try:
                token = TokenResponse.model_validate(body)
            except ValidationError:
                pass
            else:
                return AccessToken(
                    value=token.access_token,
                    expires_at=self.clock.now() + timedelta(seconds=token.expires_in or 3600),
                    refresh_token=token.refresh_token,
                )
        raise lwa_error(grant["grant_type"], response.status_code, body, request_id)

    def _send(self, credentials: LwaCredentials, grant: dict[str, str]) -> Plan[AccessToken]:
        response: httpx.Response = yield Send(
            self._request(credentials, grant), "Login with Amazon", self.http
        )
        return self._parse(grant, response)

    def exchange(self, grant: dict[str, str]) -> Plan[AccessToken]:
        """The token Login with Amazon gives for ``grant``."""
        if self.secrets is None:
            return (yield from self._send(self.credentials, grant))
        credentials = self._use((yield CurrentSecret(self.secrets)))
        try:
            return (yield from self._send(credentials, grant))
        except InvalidClientError:
            secret = yield ReplacementSecret(self.secrets, credentials.client_secret)
            if secret is None:
                raise
        return (yield from self._send(self._use(secret), grant))


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def lwa_error(grant_type: str, status: int, body: dict[str, Any] | None, request_id: str | None) -> LwaError:
    """Build the error for a refused token request from Amazon's ``error`` and ``error_description``."""
    error = str((body or {}).get("error") or ("server_error" if status >= 500 else "unknown_error"))
    description = str((body or {}).get("error_description") or "")
    hint = _HINTS.get((error, grant_type)) or _HINTS.get((error, ""))
    where = f" (HTTP {status}{', request ID ' + request_id if request_id else ''})"
    message = f"Login with Amazon refused the {grant_type.replace('_', ' ')} request: {error}"
    if description:
        message += f" — {description}"
    return _ERRORS.get(error, LwaError)(
        message + where,
        error=error,
        description=description,
        status=status,
        request_id=request_id,
        hint=hint,
    )
