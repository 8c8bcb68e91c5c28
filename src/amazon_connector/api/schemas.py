"""Typed shapes of Amazon's requests and responses, written from the field names of Amazon's models.

Response models allow extra fields, so a client keeps working when Amazon adds some. The emulator
builds its answers through the same models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DATA_ELEMENTS = ("buyerInfo", "shippingAddress", "buyerTaxInformation")
"""The documented values of ``RestrictedResource.dataElements``."""


class AmazonResponse(BaseModel):
    """Base of every response shape: unknown fields are kept, not refused."""

    model_config = ConfigDict(extra="allow")


# --- errors (every SP-API model) ------------------------------------------------------------


class Error(AmazonResponse):
    """One error of an unsuccessful SP-API request."""

    code: str
    message: str
    details: str | None = None


class ErrorList(AmazonResponse):
    """The body of an SP-API error response."""

    errors: list[Error]


# --- Sellers API v1 -------------------------------------------------------------------------


class Marketplace(AmazonResponse):
    """An Amazon marketplace where a seller can list items."""

    id: str
    name: str
    countryCode: str = Field(pattern=r"^([A-Z]{2})$")
    defaultCurrencyCode: str
    defaultLanguageCode: str
    domainName: str


class Participation(AmazonResponse):
    """The seller's standing in one marketplace."""

    isParticipating: bool
    hasSuspendedListings: bool


class MarketplaceParticipation(AmazonResponse):
    marketplace: Marketplace
    participation: Participation
    storeName: str


class GetMarketplaceParticipationsResponse(AmazonResponse):
    """getMarketplaceParticipations: the list is in ``payload`` (or ``errors``)."""

    payload: list[MarketplaceParticipation] | None = None
    errors: list[Error] | None = None


# --- Tokens API 2021-03-01 ------------------------------------------------------------------


class RestrictedResource(BaseModel):
    """A restricted operation's method and path (generic ``{orderId}`` or concrete), and the PII wanted."""

    method: Literal["GET", "PUT", "POST", "DELETE"]
    path: str
    dataElements: list[str] | None = None


class CreateRestrictedDataTokenRequest(BaseModel):
    """The createRestrictedDataToken body."""

    targetApplication: str | None = None
    restrictedResources: list[RestrictedResource] = Field(min_length=1, max_length=50)


class CreateRestrictedDataTokenResponse(AmazonResponse):
    """createRestrictedDataToken: a top-level object (no ``payload`` envelope)."""

    restrictedDataToken: str | None = None
    expiresIn: int | None = None


# --- Login with Amazon ----------------------------------------------------------------------


class TokenResponse(AmazonResponse):
    """A successful answer of the LWA token endpoint."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 (a token type, not a password)
    expires_in: int | None = None
    refresh_token: str | None = None
    scope: str | None = None


class LwaErrorResponse(AmazonResponse):
    """A refused LWA token request."""

    error: str
    error_description: str | None = None
