"""amazon-connector: link Amazon Selling Partner API marketplaces to your own systems.

``import amazon_connector`` loads only the errors: every other name here is imported on first use, so that
a program (or the command line) pays only for what it uses."""

import importlib
import logging
from typing import TYPE_CHECKING, Any

from amazon_connector.errors import (
    AmazonConnectorError,
    ApiError,
    AuthError,
    AuthorisationCancelledError,
    AuthorisationError,
    ConcurrentUpdateError,
    ConfigurationError,
    ConnectionNotFoundError,
    DocumentDecodeError,
    DocumentError,
    DocumentFormatError,
    DuplicateConnectionError,
    ForbiddenError,
    IncompleteConfigurationError,
    InvalidClientError,
    InvalidGrantError,
    InvalidInputError,
    InvalidScopeError,
    LwaError,
    MissingExtraError,
    MissingRoleError,
    NewerStoreError,
    NotFoundError,
    QueueError,
    ReportCancelledError,
    ReportError,
    ReportFatalError,
    ReportNotReadyError,
    RequestTimeoutError,
    SecretKeyError,
    SecretRotationError,
    ServerError,
    StateError,
    StoreConflictError,
    StoreError,
    StoreWarning,
    ThrottledError,
    TransportError,
    UnauthorizedClientError,
    UnauthorizedError,
    UnknownMarketplaceError,
    UnreadableConnectionError,
)
from amazon_connector.version import __version__

if TYPE_CHECKING:
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
    from amazon_connector.data import DestinationError
    from amazon_connector.marketplaces import Marketplace, Region, all_marketplaces, get_marketplace
    from amazon_connector.runtime.spapi import ApiResponse

_LAZY = {
    "AdvancedSettings": "amazon_connector.connections",
    "AuthorisationFlow": "amazon_connector.connections",
    "CheckStep": "amazon_connector.connections",
    "Connection": "amazon_connector.connections",
    "ConnectionRecord": "amazon_connector.connections",
    "ConnectionSettings": "amazon_connector.connections",
    "Connections": "amazon_connector.connections",
    "Mode": "amazon_connector.connections",
    "Outcome": "amazon_connector.connections",
    "Status": "amazon_connector.connections",
    "TestReport": "amazon_connector.connections",
    "DestinationError": "amazon_connector.data",
    "Marketplace": "amazon_connector.marketplaces",
    "Region": "amazon_connector.marketplaces",
    "all_marketplaces": "amazon_connector.marketplaces",
    "get_marketplace": "amazon_connector.marketplaces",
    "ApiResponse": "amazon_connector.runtime.spapi",
}
"""Each name's module, imported when the name is first used."""

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "AdvancedSettings",
    "AmazonConnectorError",
    "ApiError",
    "ApiResponse",
    "AuthError",
    "AuthorisationCancelledError",
    "AuthorisationError",
    "AuthorisationFlow",
    "CheckStep",
    "ConcurrentUpdateError",
    "ConfigurationError",
    "Connection",
    "ConnectionNotFoundError",
    "ConnectionRecord",
    "ConnectionSettings",
    "Connections",
    "DestinationError",
    "DocumentDecodeError",
    "DocumentError",
    "DocumentFormatError",
    "DuplicateConnectionError",
    "ForbiddenError",
    "IncompleteConfigurationError",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidInputError",
    "InvalidScopeError",
    "LwaError",
    "Marketplace",
    "MissingExtraError",
    "MissingRoleError",
    "Mode",
    "NewerStoreError",
    "NotFoundError",
    "Outcome",
    "QueueError",
    "Region",
    "ReportCancelledError",
    "ReportError",
    "ReportFatalError",
    "ReportNotReadyError",
    "RequestTimeoutError",
    "SecretKeyError",
    "SecretRotationError",
    "ServerError",
    "StateError",
    "Status",
    "StoreConflictError",
    "StoreError",
    "StoreWarning",
    "TestReport",
    "ThrottledError",
    "TransportError",
    "UnauthorizedClientError",
    "UnauthorizedError",
    "UnknownMarketplaceError",
    "UnreadableConnectionError",
    "__version__",
    "all_marketplaces",
    "get_marketplace",
]
