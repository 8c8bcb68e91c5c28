"""Connections: settings, status, the encrypted store, and the actions of the connection dialog."""

from amazon_connector.connections.applications import (
    Applications,
    ApplicationStatus,
    Received,
    Rotation,
)
from amazon_connector.connections.authorisation import AuthorisationFlow
from amazon_connector.connections.collection import Connections
from amazon_connector.connections.connection import Connection
from amazon_connector.connections.model import (
    AdvancedSettings,
    ApplicationRecord,
    ConnectionRecord,
    ConnectionSettings,
    Mode,
    Status,
)
from amazon_connector.connections.secret_status import (
    SecretLevel,
    SecretStatus,
    secret_status,
)
from amazon_connector.connections.store import Store
from amazon_connector.connections.test_connection import CheckStep, Outcome, TestReport

__all__ = [
    "AdvancedSettings",
    "ApplicationRecord",
    "ApplicationStatus",
    "Applications",
    "AuthorisationFlow",
    "CheckStep",
    "Connection",
    "ConnectionRecord",
    "ConnectionSettings",
    "Connections",
    "Mode",
    "Outcome",
    "Received",
    "Rotation",
    "SecretLevel",
    "SecretStatus",
    "Status",
    "Store",
    "TestReport",
    "secret_status",
]
