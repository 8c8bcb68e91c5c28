"""Connections: settings, status, the encrypted store, and the actions of the connection dialog."""

from amazon_connector.connections.authorisation import AuthorisationFlow
from amazon_connector.connections.check import CheckStep, Outcome, TestReport
from amazon_connector.connections.collection import Connections
from amazon_connector.connections.connection import Connection
from amazon_connector.connections.model import (
    AdvancedSettings,
    ConnectionRecord,
    ConnectionSettings,
    Mode,
    Status,
)
from amazon_connector.connections.secret_age import SecretAge, SecretLevel, secret_age
from amazon_connector.connections.store import Store

__all__ = [
    "AdvancedSettings",
    "AuthorisationFlow",
    "CheckStep",
    "Connection",
    "ConnectionRecord",
    "ConnectionSettings",
    "Connections",
    "Mode",
    "Outcome",
    "SecretAge",
    "SecretLevel",
    "Status",
    "Store",
    "TestReport",
    "secret_age",
]
