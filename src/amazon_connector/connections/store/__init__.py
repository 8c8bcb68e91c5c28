"""The connection store: a schema with versioned migrations (Alembic) and one repository per group of
tables. Secrets are encrypted with a SecretBox before they reach the database; the SQLite file is 0600.

A client secret belongs to its application (client ID and LWA endpoint), kept once for every
connection that uses it; only a connection without a client ID keeps the secret it was given itself.
"""

from amazon_connector.connections.store.application_rows import AppKey, ApplicationRows, application_key
from amazon_connector.connections.store.connection_rows import ConnectionRows, UnreadableConnection
from amazon_connector.connections.store.database import Store
from amazon_connector.connections.store.rate_buckets import StoreRateBackend
from amazon_connector.connections.store.states import AuthorisationStates, PendingState
from amazon_connector.connections.store.tokens import AccessTokens

__all__ = [
    "AccessTokens",
    "AppKey",
    "ApplicationRows",
    "AuthorisationStates",
    "ConnectionRows",
    "PendingState",
    "Store",
    "StoreRateBackend",
    "UnreadableConnection",
    "application_key",
]
