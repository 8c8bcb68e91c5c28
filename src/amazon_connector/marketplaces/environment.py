"""Where a connection's requests go: Amazon production, Amazon's sandbox, or a local emulator."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces.marketplace import Marketplace

STS_URL = "https://sts.amazonaws.com"
"""AWS STS's global endpoint (its requests are signed for us-east-1)."""
STS_REGION = "us-east-1"

PRODUCTION = "production"
SANDBOX = "sandbox"
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"  # noqa: S105 (a URL)
"""Login with Amazon's token endpoint, the same for every marketplace and both of Amazon's environments."""


def normalise_environment(value: str | None) -> str:
    """Return ``production``, ``sandbox`` or an emulator base URL without a trailing slash."""
    text = (value or PRODUCTION).strip()
    if text.casefold() in (PRODUCTION, SANDBOX):
        return text.casefold()
    parts = urlsplit(text)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ConfigurationError(
            f"Environment {value!r} is not valid.",
            field="environment",
            hint="Use 'production', 'sandbox', or an emulator's base URL such as http://127.0.0.1:8765.",
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"Environment URL {value!r} must not have a query or fragment.", field="environment"
        )
    return text.rstrip("/")


def is_emulator(environment: str) -> bool:
    """Whether the environment is an emulator's base URL rather than one of Amazon's environments."""
    return normalise_environment(environment) not in (PRODUCTION, SANDBOX)


_TOKEN_PATH = "/auth/o2/token"  # noqa: S105 (a path)


def lwa_token_url(environment: str) -> str:
    """Where an environment's client secrets are checked: Amazon's one LWA endpoint, or an emulator's."""
    env = normalise_environment(environment)
    return f"{env}{_TOKEN_PATH}" if is_emulator(env) else LWA_TOKEN_URL


def token_url_environment(token_url: str) -> str:
    """The environment whose client secrets ``token_url`` checks (``production`` for Amazon's, which
    its sandbox shares), the inverse of lwa_token_url."""
    return PRODUCTION if token_url == LWA_TOKEN_URL else token_url.removesuffix(_TOKEN_PATH)


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The URLs one connection talks to."""

    lwa_token_url: str
    seller_central_url: str
    vendor_central_url: str
    sp_api: str
    aws_region: str
    sts_url: str

    @property
    def consent_url(self) -> str:
        return f"{self.seller_central_url}/apps/authorize/consent"


def endpoints_for(marketplace: Marketplace, environment: str) -> Endpoints:
    """Resolve the LWA, Seller Central and SP-API URLs for a marketplace in an environment.

    An emulator URL serves all three, as ``amazon-connector sandbox serve`` does.
    """
    env = normalise_environment(environment)
    if env == PRODUCTION:
        sp_api = marketplace.endpoint
    elif env == SANDBOX:
        sp_api = marketplace.sandbox_endpoint
    else:
        return Endpoints(lwa_token_url(env), env, env, env, marketplace.aws_region, f"{env}/sts/")
    return Endpoints(
        lwa_token_url=lwa_token_url(env),
        seller_central_url=marketplace.seller_central_url,
        vendor_central_url=marketplace.vendor_central_url,
        sp_api=sp_api,
        aws_region=marketplace.aws_region,
        sts_url=STS_URL,
    )
