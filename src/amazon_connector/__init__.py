"""amazon-connector: link Amazon Selling Partner API marketplaces to your own systems."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from amazon_connector.connections import (  # noqa: E402 (the version must exist first)
    AdvancedSettings,
    AuthorisationFlow,
    CheckStep,
    Connection,
    ConnectionRecord,
    Connections,
    ConnectionSettings,
    Mode,
    Outcome,
    Status,
    TestReport,
)
from amazon_connector.errors import (  # noqa: E402
    AmazonConnectorError,
    ApiError,
    AuthError,
    AuthorisationError,
    ConfigurationError,
    ForbiddenError,
    InvalidClientError,
    InvalidGrantError,
    LwaError,
    StateError,
    StoreError,
    ThrottledError,
    TransportError,
)
from amazon_connector.marketplaces import Marketplace, Region, all_marketplaces, get_marketplace  # noqa: E402

__all__ = [
    "AdvancedSettings",
    "AmazonConnectorError",
    "ApiError",
    "AuthError",
    "AuthorisationError",
    "AuthorisationFlow",
    "CheckStep",
    "ConfigurationError",
    "Connection",
    "ConnectionRecord",
    "ConnectionSettings",
    "Connections",
    "ForbiddenError",
    "InvalidClientError",
    "InvalidGrantError",
    "LwaError",
    "Marketplace",
    "Mode",
    "Outcome",
    "Region",
    "StateError",
    "Status",
    "StoreError",
    "TestReport",
    "ThrottledError",
    "TransportError",
    "__version__",
    "all_marketplaces",
    "get_marketplace",
]
