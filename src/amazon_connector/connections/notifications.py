"""Amazon's notifications about an application's client secret (the SQS message bodies of sp-api-facts §5.2)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from amazon_connector.connections.model import CLIENT_ID_RE, CLIENT_SECRET_RE
from amazon_connector.errors import ConfigurationError

NEW_SECRET = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"  # noqa: S105 (a notification type)
SECRET_EXPIRY = "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY"  # noqa: S105
_PAYLOADS = {
    NEW_SECRET: "applicationOAuthClientNewSecret",
    SECRET_EXPIRY: "applicationOAuthClientSecretExpiry",
}


@dataclass(frozen=True, slots=True)
class NewSecret:
    """A rotation's new secret; the old one works until ``old_expires_at``."""

    client_id: str
    secret: str = field(repr=False)
    new_expires_at: datetime | None
    old_expires_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class SecretExpiry:
    """Amazon's announcement of when the current secret expires."""

    client_id: str
    expires_at: datetime
    reason: str | None
    sent_at: datetime | None


Notification = NewSecret | SecretExpiry


def _bad(what: str) -> ConfigurationError:
    return ConfigurationError(
        f"The notification is not usable: {what}.",
        hint=f"Give the SQS message body of an {NEW_SECRET} or {SECRET_EXPIRY} notification, as Amazon sent it.",
    )


def _time(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise _bad(f"{name} {value!r} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_notification(document: Any) -> Notification | None:
    """The client-secret notification in ``document`` (a JSON object or its text); None for any other
    notification type. Malformed ones raise ConfigurationError (without echoing a secret)."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except ValueError:
            raise _bad("it is not JSON") from None
    if not isinstance(document, Mapping):
        raise _bad("it is not a JSON object")
    kind = document.get("notificationType")
    if kind not in _PAYLOADS:
        return None
    payload = document.get("payload")
    body = payload.get(_PAYLOADS[kind]) if isinstance(payload, Mapping) else None
    if not isinstance(body, Mapping):
        raise _bad(f"payload.{_PAYLOADS[kind]} is missing")
    client_id = body.get("clientId")
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise _bad("clientId is missing or not a client identifier")
    metadata = document.get("notificationMetadata")
    sent_at = _time(document.get("eventTime"), "eventTime") or _time(
        metadata.get("publishTime") if isinstance(metadata, Mapping) else None, "publishTime"
    )
    if kind == SECRET_EXPIRY:
        expires_at = _time(body.get("clientSecretExpiryTime"), "clientSecretExpiryTime")
        if expires_at is None:
            raise _bad("clientSecretExpiryTime is missing")
        reason = body.get("clientSecretExpiryReason")
        return SecretExpiry(client_id, expires_at, str(reason) if reason else None, sent_at)
    secret = body.get("newClientSecret")
    if not isinstance(secret, str) or not CLIENT_SECRET_RE.match(secret):
        raise _bad("newClientSecret is missing or not a client secret")
    return NewSecret(
        client_id,
        secret,
        _time(body.get("newClientSecretExpiryTime"), "newClientSecretExpiryTime"),
        _time(body.get("oldClientSecretExpiryTime"), "oldClientSecretExpiryTime"),
        sent_at,
    )
