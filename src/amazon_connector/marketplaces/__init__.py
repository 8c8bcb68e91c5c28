"""The 23 SP-API marketplaces and the endpoints of each environment."""

from amazon_connector.marketplaces.environment import (
    PRODUCTION,
    SANDBOX,
    Endpoints,
    endpoints_for,
    is_emulator,
    lwa_token_url,
    normalise_environment,
    token_url_environment,
)
from amazon_connector.marketplaces.marketplace import (
    Marketplace,
    Region,
    all_marketplaces,
    get_marketplace,
    valid_values,
)

__all__ = [
    "PRODUCTION",
    "SANDBOX",
    "Endpoints",
    "Marketplace",
    "Region",
    "all_marketplaces",
    "endpoints_for",
    "get_marketplace",
    "is_emulator",
    "lwa_token_url",
    "normalise_environment",
    "token_url_environment",
    "valid_values",
]
