"""The client secrets the emulator's Login with Amazon accepts, their rotation, and the notifications
Amazon sends about them (delivered to each enrolled app's local queue)."""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from amazon_connector.clock import Clock
from amazon_connector.sandbox.aws.queues import LocalQueues, queue_name
from amazon_connector.sandbox.world import App, World

SECRET_LIFETIME = timedelta(days=180)
OLD_SECRET_LIFETIME = timedelta(days=7)
EXPIRY_NOTICE = timedelta(days=90)
"""Amazon's first reminder comes 90 days before a secret expires."""


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class _Secret:
    value: str
    expires_at: datetime | None


class ClientSecrets:
    """Each app's client secrets Login with Amazon accepts: the world's, then each rotation's; a replaced
    secret dies 7 days after the rotation, and a secret whose expiry was announced dies then."""

    def __init__(self, world: World, clock: Clock, queues: LocalQueues) -> None:
        self.clock = clock
        self.queues = queues
        self._lock = threading.Lock()
        now = clock.now()
        self._secrets = {
            app.client_id: [
                _Secret(app.client_secret, now - timedelta(days=1) if app.secret_expired else None)
            ]
            for app in world.apps
        }
        for app in world.apps:
            if app.rotation_notifications:
                queues.create(queue_name(app.client_id))

    def accepts(self, client_id: str, secret: str) -> bool:
        now = self.clock.now()
        with self._lock:
            known = list(self._secrets.get(client_id, []))
        return any(
            hmac.compare_digest(s.value.encode(), secret.encode())
            and (s.expires_at is None or now < s.expires_at)
            for s in known
        )

    def rotate(self, app: App) -> None:
        """Make a new secret, give every older one 7 more days at most, and notify the app's queue (the
        SP-API refuses to rotate for an app not enrolled for notifications)."""
        now = self.clock.now()
        with self._lock:
            secret = "amzn1.oa2-cs.v1." + secrets.token_hex(32)
            old_expires_at = now + OLD_SECRET_LIFETIME
            for known in self._secrets[app.client_id]:
                known.expires_at = min(known.expires_at or old_expires_at, old_expires_at)
            self._secrets[app.client_id].append(_Secret(secret, now + SECRET_LIFETIME))
        self._notify(
            app,
            "APPLICATION_OAUTH_CLIENT_NEW_SECRET",
            {
                "applicationOAuthClientNewSecret": {
                    "clientId": app.client_id,
                    "newClientSecret": secret,
                    "newClientSecretExpiryTime": iso(now + SECRET_LIFETIME),
                    "oldClientSecretExpiryTime": iso(old_expires_at),
                }
            },
        )

    def announce_expiry(self, app: App, expires_at: datetime | None) -> datetime:
        """Send APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY for the current secret, which then dies at
        ``expires_at`` (default: its expiry, or 90 days from now); returns the announced time."""
        with self._lock:
            current = self._secrets[app.client_id][-1]
            current.expires_at = expires_at or current.expires_at or self.clock.now() + EXPIRY_NOTICE
            announced = current.expires_at
        self._notify(
            app,
            "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY",
            {
                "applicationOAuthClientSecretExpiry": {
                    "clientId": app.client_id,
                    "clientSecretExpiryTime": iso(announced),
                    "clientSecretExpiryReason": "PERIODIC_ROTATION",
                }
            },
        )
        return announced

    def _notify(self, app: App, kind: str, payload: dict[str, Any]) -> None:
        if not app.rotation_notifications:
            return
        now = iso(self.clock.now())
        notification = {
            "notificationVersion": "1.0",
            "notificationType": kind,
            "payloadVersion": "2023-11-30",
            "eventTime": now,
            "payload": payload,
            "notificationMetadata": {
                "applicationId": app.app_id,
                "subscriptionId": str(uuid.uuid4()),
                "publishTime": now,
                "notificationId": str(uuid.uuid4()),
            },
        }
        self.queues.send(queue_name(app.client_id), json.dumps(notification))
