"""The consent flow's server side: open consent pages, Log-in URI hops and authorisation codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from amazon_connector.clock import Clock
from amazon_connector.sandbox.sellercentral.single_use import SingleUse

LIFETIME = timedelta(minutes=5)
"""Codes, ``amazon_state`` values and consent pages all expire after 5 minutes."""


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """A validated consent URL: which app asks, where the answer goes, the client's state."""

    app_id: str
    redirect_uri: str
    state: str | None
    beta: bool


@dataclass(frozen=True, slots=True)
class Hop:
    """A confirmed consent waiting for the app's Log-in URI to send the browser back."""

    consent: ConsentRequest
    selling_partner_id: str


@dataclass(frozen=True, slots=True)
class CodeGrant:
    """What an ``spapi_oauth_code`` stands for; it is exchanged with the same redirect URI."""

    client_id: str
    selling_partner_id: str
    redirect_uri: str


class Authorisations:
    """Single-use keys of the consent flow, each valid 5 minutes on the clock."""

    def __init__(self, clock: Clock) -> None:
        self.pages: SingleUse[ConsentRequest] = SingleUse(clock, LIFETIME)
        self.hops: SingleUse[Hop] = SingleUse(clock, LIFETIME)
        self.codes: SingleUse[CodeGrant] = SingleUse(clock, LIFETIME, prefix="AN", size=15)
