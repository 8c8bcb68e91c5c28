"""amazon-connector: link Amazon Selling Partner API marketplaces to your own systems."""

import logging

from amazon_connector.connections import (
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
from amazon_connector.errors import (
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
from amazon_connector.marketplaces import Marketplace, Region, all_marketplaces, get_marketplace
from amazon_connector.version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

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
