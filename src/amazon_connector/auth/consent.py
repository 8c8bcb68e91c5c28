"""The website authorisation workflow's URLs: the consent URL, the Log-in URI hop, the redirect back."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qs, urlencode, urlsplit

from amazon_connector.errors import AuthorisationCancelledError, AuthorisationError, StateError
from amazon_connector.marketplaces import all_marketplaces

SELLING_PARTNER_ID_RE = re.compile(r"^[A-Z0-9]{8,20}$")

STATE_LIFETIME = 300.0
"""Seconds a ``state`` stays valid: as long as the authorisation code Amazon sends back."""


def new_state() -> str:
    """A random, unguessable state value (256 bits)."""
    return secrets.token_urlsafe(32)


def consent_url(consent_page: str, *, app_id: str, state: str, redirect_uri: str, draft: bool) -> str:
    """The Seller Central consent URL for the app; ``version=beta`` while the app is a draft."""
    params = {"application_id": app_id, "state": state, "redirect_uri": redirect_uri}
    if draft:
        params["version"] = "beta"
    return f"{consent_page}?{urlencode(params)}"


@dataclass(frozen=True, slots=True)
class Callback:
    """What Amazon sent to the redirect URI: a code, or an error."""

    state: str
    selling_partner_id: str | None
    code: str | None
    error: str | None = None


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def parse_callback(url: str) -> Callback:
    """Read ``state``, ``selling_partner_id`` and ``spapi_oauth_code`` (or ``error``) from the address
    Amazon redirected to. Without a state nothing in it can be trusted: StateError."""
    params = parse_qs(urlsplit(url.strip()).query)
    state = _single(params, "state")
    if not state:
        raise StateError(
            "That address has no state parameter, so it is not the answer to this authorisation.",
            hint="Paste the full address the browser landed on after you clicked Confirm on the consent page.",
        )
    error = _single(params, "error")
    return Callback(
        state=state,
        selling_partner_id=_single(params, "selling_partner_id"),
        code=_single(params, "spapi_oauth_code"),
        error=f"{error}: {_single(params, 'error_description') or ''}".strip(": ") if error else None,
    )


def check_callback(callback: Callback) -> str:
    """The authorisation code of a callback whose state was accepted, or the error it carries."""
    if callback.error:
        raise AuthorisationCancelledError(
            f"Amazon reported {callback.error}.",
            hint="Authorise again; if it repeats, check the app's settings in Developer Central.",
        )
    if not callback.code:
        raise AuthorisationError("Amazon's redirect carried no spapi_oauth_code.", hint="Authorise again.")
    if callback.selling_partner_id and not SELLING_PARTNER_ID_RE.match(callback.selling_partner_id):
        raise AuthorisationError(
            "Amazon's redirect carried a malformed selling_partner_id.", hint="Authorise again."
        )
    return callback.code


@cache
def _amazon_origins() -> frozenset[tuple[str, str]]:
    urls = [u for m in all_marketplaces() for u in (m.seller_central_url, m.vendor_central_url)]
    return frozenset((urlsplit(u).scheme, urlsplit(u).netloc) for u in urls)


def is_amazon_callback(url: str, seller_central_url: str) -> bool:
    """Whether ``amazon_callback_uri`` points at a Seller/Vendor Central host (or this environment's)."""
    parts = urlsplit(url)
    origin = (parts.scheme, parts.netloc)
    own = urlsplit(seller_central_url)
    return origin == (own.scheme, own.netloc) or origin in _amazon_origins()


def login_hop_url(
    amazon_callback_uri: str, *, amazon_state: str, state: str, redirect_uri: str, draft: bool
) -> str:
    """Where the Log-in URI sends the browser next: back to Amazon with both states."""
    params = {"amazon_state": amazon_state, "state": state, "redirect_uri": redirect_uri}
    if draft:
        params["version"] = "beta"
    separator = "&" if urlsplit(amazon_callback_uri).query else "?"
    return f"{amazon_callback_uri}{separator}{urlencode(params)}"
