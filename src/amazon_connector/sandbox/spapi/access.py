"""Who calls an SP-API operation: the access token checked against the operation, the request's SigV4
signature (if any) verified, and a usage-plan token taken."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from amazon_connector.api.catalog import Operation
from amazon_connector.sandbox.aws.sigv4 import SIGNATURE_MISMATCH, is_signed, signature_of, verify
from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.grants import AccessGrant, RestrictedGrant
from amazon_connector.sandbox.spapi.errors import SpApiError, denied
from amazon_connector.sandbox.world import App, Seller

# Header name and Amazon's messages, not passwords:
TOKEN_HEADER = "x-amz-access-token"  # noqa: S105
TOKEN_MISSING = "Access token is missing in the request header."  # noqa: S105
TOKEN_EXPIRED = "The access token you provided has expired."  # noqa: S105
TOKEN_INVALID = "The access token you provided is revoked, malformed or invalid."  # noqa: S105
QUOTA_EXCEEDED = "You exceeded your quota for the requested resource."
SECURITY_TOKEN_INVALID = "The security token included in the request is invalid."  # noqa: S105
SECURITY_TOKEN_EXPIRED = "The security token included in the request is expired"  # noqa: S105
SP_API_AWS_REGIONS = ("us-east-1", "eu-west-1", "us-west-2")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a request is from: the calling app, the seller (None for grantless calls) and the token's
    grant (an access token's or a Restricted Data Token's)."""

    app: App
    seller: Seller | None
    grant: AccessGrant | RestrictedGrant

    def data_elements(self, method: str, path: str) -> frozenset[str] | None:
        """The PII the token opens for ``method path``: None for a plain access token, else the RDT's
        ``dataElements`` for it."""
        if not isinstance(self.grant, RestrictedGrant):
            return None
        return self.grant.data_elements(method, path)

    @property
    def authorising_seller(self) -> Seller:
        """The seller whose authorisation the token carries; grantless calls have none."""
        if self.seller is None:
            raise denied()
        return self.seller


async def _check_signature(request: Request, sandbox: Sandbox, seller: Seller | None) -> None:
    """A SigV4-signed request must be signed right (Amazon ignores signatures since 2023, but a wrong
    one must not pass silently here): service execute-api, the seller's region, known keys."""
    if not is_signed(request):
        return
    signature = signature_of(request)
    if signature is None:
        raise SpApiError(403, "InvalidSignature", SIGNATURE_MISMATCH)
    session = sandbox.sessions.get(signature.access_key_id)
    user = sandbox.world.iam_user(signature.access_key_id)
    security_token = request.headers.get("x-amz-security-token")
    if session is not None and security_token == session.session_token:
        secret = session.secret_access_key
        if session.expiration <= sandbox.clock.now():
            raise SpApiError(403, "Unauthorized", SECURITY_TOKEN_EXPIRED)
    elif user is not None and security_token is None:
        secret = user.secret_access_key
    else:
        raise SpApiError(403, "Unauthorized", SECURITY_TOKEN_INVALID)
    regions = {m.aws_region for m in seller.marketplaces()} if seller else set(SP_API_AWS_REGIONS)
    if (
        signature.service != "execute-api"
        or signature.region not in regions
        or not await verify(request, signature, secret, security_token)
    ):
        raise SpApiError(403, "InvalidSignature", SIGNATURE_MISMATCH)


def _permits(grant: AccessGrant | RestrictedGrant, operation: Operation, method: str, path: str) -> bool:
    """Whether the token is of the kind the operation takes: a grantless token with its scope, a seller's
    token, or an RDT for this very resource (of a restricted operation)."""
    if isinstance(grant, RestrictedGrant):
        return operation.restricted is not None and grant.covers(method, path)
    if operation.grantless_scope is not None:
        return operation.grantless_scope in grant.scopes
    return grant.selling_partner_id is not None


async def authorise(request: Request, sandbox: Sandbox, operation: Operation) -> Identity:
    """Check ``x-amz-access-token`` (and a signature) for the operation, then take a usage-plan token:
    403 Unauthorized or 429 QuotaExceeded as Amazon answers."""
    token = request.headers.get(TOKEN_HEADER)
    if not token:
        raise denied(TOKEN_MISSING)
    grant = sandbox.grants.access_grant(token)
    app = sandbox.world.app_for_client(grant.client_id) if grant is not None else None
    if grant is None or app is None:
        raise denied(TOKEN_INVALID)
    if grant.expires_at <= sandbox.clock.now():
        raise denied(TOKEN_EXPIRED)
    seller = sandbox.world.seller(grant.selling_partner_id) if grant.selling_partner_id else None
    await _check_signature(request, sandbox, seller)
    if not _permits(grant, operation, request.method, request.url.path):
        raise denied()
    if not sandbox.usage.take(app.client_id, grant.selling_partner_id, operation):
        raise SpApiError(429, "QuotaExceeded", QUOTA_EXCEEDED)
    return Identity(app, seller, grant)
