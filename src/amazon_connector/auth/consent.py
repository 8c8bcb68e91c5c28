"""The website authorisation workflow's URLs: the consent URL, the Log-in URI hop, the redirect back."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from amazon_connector.errors import AuthorisationCancelledError, AuthorisationError

STATE_LIFETIME = 300.0
"""Seconds a ``state`` stays valid: as long as the authorisation code Amazon sends back."""

_AMAZON_HOST = re.compile(r"^(sellercentral|vendorcentral)(-[a-z]+)?\.amazon\.[a-z.]{2,9}$")


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
    """What Amazon sent to the redirect URI."""

    state: str
    selling_partner_id: str | None
    code: str


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def parse_callback(url: str) -> Callback:
    """Read ``state``, ``selling_partner_id`` and ``spapi_oauth_code`` from the address Amazon redirected to."""
    text = url.strip()
    if not text:
        raise AuthorisationError(
            "No address was given.", hint="Paste the whole address from the browser's bar."
        )
    params = parse_qs(urlsplit(text).query)
    if "error" in params:
        raise AuthorisationCancelledError(
            f"Amazon reported {_single(params, 'error')}: {_single(params, 'error_description') or ''}".strip(),
            hint="Authorise again; if it repeats, check the app's settings in Developer Central.",
        )
    state = _single(params, "state")
    code = _single(params, "spapi_oauth_code")
    if not state or not code:
        raise AuthorisationError(
            "That address has no state and spapi_oauth_code parameters.",
            hint="Paste the full address the browser landed on after you clicked Confirm on the consent page.",
        )
    return Callback(state=state, selling_partner_id=_single(params, "selling_partner_id"), code=code)


def is_amazon_callback(url: str, seller_central_url: str) -> bool:
    """Whether ``amazon_callback_uri`` points at Amazon (or at this environment's emulator)."""
    target, expected = urlsplit(url), urlsplit(seller_central_url)
    if (target.scheme, target.netloc) == (expected.scheme, expected.netloc):
        return True
    return target.scheme == "https" and bool(_AMAZON_HOST.match(target.hostname or ""))


def login_hop_url(
    amazon_callback_uri: str, *, amazon_state: str, state: str, redirect_uri: str, draft: bool
) -> str:
    """Where the Log-in URI sends the browser next: back to Amazon with both states."""
    params = {"amazon_state": amazon_state, "state": state, "redirect_uri": redirect_uri}
    if draft:
        params["version"] = "beta"
    separator = "&" if urlsplit(amazon_callback_uri).query else "?"
    return f"{amazon_callback_uri}{separator}{urlencode(params)}"
