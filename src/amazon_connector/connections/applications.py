"""An application's client secret, shared by every connection with its client ID: its status, rotation
through the Application Management API, Amazon's notifications (file, stdin or SQS), a manual change."""

from __future__ import annotations

import builtins
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from amazon_connector.api.catalog import catalog
from amazon_connector.auth.lwa import LwaClient, LwaCredentials, client_credentials_grant
from amazon_connector.clock import Clock
from amazon_connector.connections.model import (
    FIELD_RULES,
    OLD_SECRET_LIFETIME,
    ApplicationRecord,
    ConnectionRecord,
)
from amazon_connector.connections.notifications import (
    NEW_SECRET,
    SECRET_EXPIRY,
    NewSecret,
    Notification,
    parse_notification,
)
from amazon_connector.connections.secret_status import SecretLevel, SecretStatus, secret_status
from amazon_connector.connections.sqs import NotificationQueue, check_queue_url
from amazon_connector.connections.store import AppKey, ApplicationRows, Store, application_key
from amazon_connector.errors import (
    AmazonConnectorError,
    ApiError,
    ConfigurationError,
    IncompleteConfigurationError,
    InvalidClientError,
    InvalidInputError,
    LwaError,
    SecretRotationError,
)
from amazon_connector.http.clients import HttpClients
from amazon_connector.http.drivers import run
from amazon_connector.marketplaces import lwa_token_url, token_url_environment
from amazon_connector.runtime.spapi import ApiResponse

log = logging.getLogger("amazon_connector.secrets")

ROTATE_OPERATION = "rotateApplicationClientSecret"
ENROL_HINT = (
    "Register an SQS queue for 'Application Client New Secret' in the Developer Console (Notification "
    "Preferences); its policy must let arn:aws:iam::437568002678:root call sqs:SendMessage and "
    "sqs:GetQueueAttributes. Then rotate again, or rotate in Seller Central and run `amazon-connector secrets set`."
)


@dataclass(frozen=True, slots=True)
class ApplicationStatus:
    """One application, the connections that use it and its secret's status (None: no secret yet)."""

    application: ApplicationRecord
    connections: list[str]
    secret: SecretStatus | None

    @property
    def level(self) -> SecretLevel:
        return self.secret.level if self.secret else SecretLevel.OK


@dataclass(frozen=True, slots=True)
class Received:
    """What taking one notification did."""

    client_id: str
    notification_type: str
    switched: bool
    message: str


@dataclass(frozen=True, slots=True)
class Rotation:
    """A rotation requested from Amazon, and the notifications read from the queue since."""

    application: ApplicationRecord
    received: list[Received] = field(default_factory=list)
    next_step: str | None = None

    @property
    def switched(self) -> bool:
        return any(r.switched and r.client_id == self.application.client_id for r in self.received)


class Calls(Protocol):
    """Calls SP-API operations (a Connection)."""

    def call(self, operation: str, /, **params: Any) -> ApiResponse: ...


class StoredSecret:
    """The application's client secret as the store has it at each token exchange (a SecretSource):
    a rotation by any process reaches every connection, and a replaced secret is never used after
    Amazon's ``oldClientSecretExpiryTime``. Warns in the log while the secret needs attention."""

    def __init__(self, applications: ApplicationRows, key: AppKey, clock: Clock) -> None:
        self.applications = applications
        self.key = key
        self.clock = clock

    def _application(self) -> ApplicationRecord:
        application = self.applications.get(*self.key)
        if application is None or application.client_secret is None:
            raise IncompleteConfigurationError(
                f"No client secret is stored for client ID {self.key[0]}.",
                missing=[FIELD_RULES["client_secret"][0]],
                hint=f"Enter it with `amazon-connector secrets set --client-id {self.key[0]}`.",
            )
        return application

    def current(self) -> str:
        application = self._application()
        status = secret_status(application, self.clock.now())
        if status is not None and status.level is not SecretLevel.OK:
            log.warning("%s", status.message)
        secret = application.secret()
        assert secret is not None
        return secret

    def replacement(self, refused: str) -> str | None:
        application = self._application()
        for candidate in (application.secret(), application.previous(self.clock.now())):
            if candidate is not None and candidate != refused:
                log.warning(
                    "Login with Amazon refused a client secret of %s (invalid_client); retrying with the "
                    "application's %s one.",
                    self.key[0],
                    "current" if candidate == application.secret() else "previous",
                )
                return candidate
        return None


class Applications:
    """The applications (client IDs) of a store and their client secrets, whose times are on the clock
    of the secret's environment (``store.clock_of``: an emulator's own). ``http`` gives the HTTP clients
    a new secret is verified with; ``connection_for`` a complete connection of an application, to call
    Amazon with (IncompleteConfigurationError when there is none)."""

    def __init__(
        self,
        store: Store,
        *,
        http: Callable[[], HttpClients],
        connection_for: Callable[[AppKey], Calls],
    ) -> None:
        self.store = store
        self._http = http
        self._connection_for = connection_for

    def clock_of(self, token_url: str) -> Clock:
        """The clock of the secrets checked at this Login with Amazon URL (their environment's)."""
        return self.store.clock_of(token_url_environment(token_url))

    def secret_source(self, key: AppKey) -> StoredSecret:
        return StoredSecret(self.store.applications, key, self.clock_of(key[1]))

    def status_of(self, application: ApplicationRecord) -> SecretStatus | None:
        """The status of the application's current secret now, on its clock; None without one."""
        return secret_status(application, self.clock_of(application.token_url).now())

    def connection_status(self, record: ConnectionRecord) -> SecretStatus | None:
        """The status of the secret a connection uses (its application's); None without one."""
        return self.status_of(record.application) if record.application else None

    # --- reading -----------------------------------------------------------------------------

    def get(self, client_id: str, *, environment: str | None = None) -> ApplicationRecord:
        """The application with this client ID (``environment`` tells apart the same ID used with
        Amazon and with an emulator)."""
        found = [a for a in self.store.applications.all() if a.client_id == client_id.strip()]
        if environment is not None:
            found = [a for a in found if a.token_url == lwa_token_url(environment)]
        if not found:
            raise ConfigurationError(
                f"No connection uses client ID {client_id!r}"
                f"{f' with environment {environment}' if environment else ''}.",
                field="client_id",
                hint="Add a connection with it first (`amazon-connector connections add … --client-id …`); "
                "`amazon-connector secrets status` lists the client IDs in use.",
            )
        if len(found) > 1:
            raise ConfigurationError(
                f"Client ID {client_id} is used with several Login with Amazon endpoints: "
                f"{', '.join(a.token_url for a in found)}.",
                field="environment",
                hint="Say which with --environment (production, or the emulator's URL).",
            )
        return found[0]

    def status(self) -> builtins.list[ApplicationStatus]:
        """Every application with its connections and its secret's status."""
        users: dict[AppKey, builtins.list[str]] = {}
        for record in self.store.connections.list():
            if (key := application_key(record.settings)) is not None:
                users.setdefault(key, []).append(record.name)
        return [
            ApplicationStatus(
                a,
                users.get((a.client_id, a.token_url), []),
                self.status_of(a),
            )
            for a in self.store.applications.all()
        ]

    # --- changing the secret -------------------------------------------------------------------

    def _verify(self, application: ApplicationRecord, secret: str) -> None:
        """Prove ``secret`` with a token exchange (client_credentials, the rotation scope). Any answer
        but invalid_client shows that Login with Amazon authenticated the client."""
        scope = catalog().get(ROTATE_OPERATION).grantless_scope
        assert scope is not None
        lwa = LwaClient(
            LwaCredentials(application.token_url, application.client_id, secret),
            self._http(),
            clock=self.clock_of(application.token_url),
        )
        try:
            run(lwa.exchange(client_credentials_grant(scope)))
        except InvalidClientError as exc:
            raise SecretRotationError(
                f"Login with Amazon refused the new client secret of {application.client_id} (invalid_client"
                f"{f', request ID {exc.request_id}' if exc.request_id else ''}); the current secret stays in use.",
                hint="Check that it is the newest secret of this client ID "
                "(Seller Central > Develop Apps > LWA credentials > View).",
            ) from None
        except LwaError as exc:
            if exc.retriable:
                raise

    def set_secret(self, client_id: str, secret: str, *, environment: str | None = None) -> ApplicationRecord:
        """Switch to a secret rotated by hand (Seller Central) for every connection using the client ID,
        once Login with Amazon accepts it; the old one stays a fallback for 7 days at most."""
        application = self.get(client_id, environment=environment)
        label, pattern, example = FIELD_RULES["client_secret"]
        secret = secret.strip()
        if not pattern.match(secret):
            raise ConfigurationError(
                f"{label} is not in the expected form; it looks like {example}", field="client_secret"
            )
        if secret == application.secret():
            return application
        self._verify(application, secret)
        return self.store.applications.replace_secret(application, secret)

    def take_notification(self, document: Any, *, environment: str | None = None) -> Received | None:
        """Apply one notification (a JSON object or its text): a new secret is verified and switched to;
        an expiry time is recorded. None when it is not about a client secret."""
        notification = parse_notification(document)
        if notification is None:
            return None
        return self._take(notification, environment)

    def _take(self, notification: Notification, environment: str | None) -> Received:
        application = self.get(notification.client_id, environment=environment)
        cid = application.client_id
        if isinstance(notification, NewSecret):
            if notification.secret == application.secret():
                return Received(cid, NEW_SECRET, False, f"The new secret of {cid} is already in use.")
            if (
                application.previous_secret
                and notification.secret == application.previous_secret.get_secret_value()
            ):
                return Received(cid, NEW_SECRET, False, f"Ignored an earlier rotation's secret of {cid}.")
            self._verify(application, notification.secret)
            updated = self.store.applications.replace_secret(
                application,
                notification.secret,
                old_expires_at=notification.old_expires_at,
                new_expires_at=notification.new_expires_at,
            )
            until = updated.previous_expires_at
            log.info("Switched %s to its new client secret.", cid)
            return Received(
                cid,
                NEW_SECRET,
                True,
                f"Every connection of {cid} now uses the new client secret (Login with Amazon accepted it)"
                + (f"; the old one stays a fallback until {until:%Y-%m-%d %H:%M} UTC." if until else "."),
            )
        replaced_until = application.previous_expires_at if application.previous_secret else None
        generated = replaced_until - OLD_SECRET_LIFETIME if replaced_until else None
        if generated and notification.sent_at and notification.sent_at < generated:  # Amazon's clock, both
            return Received(
                cid, SECRET_EXPIRY, False, f"Ignored an expiry notice about a replaced secret of {cid}."
            )
        self.store.applications.update(application, secret_expires_at=notification.expires_at)
        return Received(
            cid,
            SECRET_EXPIRY,
            False,
            f"Amazon says the client secret of {cid} expires on {notification.expires_at:%Y-%m-%d %H:%M} UTC"
            + (f" ({notification.reason})." if notification.reason else "."),
        )

    def configure_queue(
        self,
        client_id: str,
        queue_url: str | None,
        *,
        aws_region: str | None = None,
        aws_profile: str | None = None,
        environment: str | None = None,
    ) -> ApplicationRecord:
        """Read notifications for the client ID from this SQS queue (None: no queue), once it answers."""
        application = self.get(client_id, environment=environment)
        if queue_url is not None:
            queue_url = check_queue_url(queue_url)
            NotificationQueue(queue_url, region=aws_region, profile=aws_profile).waiting()
        return self.store.applications.update(
            application, queue_url=queue_url, aws_region=aws_region, aws_profile=aws_profile
        )

    def receive(
        self,
        client_id: str,
        *,
        environment: str | None = None,
        queue_url: str | None = None,
        wait_seconds: float = 0,
    ) -> builtins.list[Received]:
        """Take the client-secret notifications waiting in the client ID's SQS queue (or ``queue_url``),
        for any application in the store, until the queue is empty or, waiting up to ``wait_seconds``,
        this client ID's new secret arrived. Each message is deleted once it has been applied; others stay."""
        application = self.get(client_id, environment=environment)
        url = queue_url or application.queue_url
        if url is None:
            raise ConfigurationError(
                f"No SQS queue is configured for client ID {application.client_id}.",
                field="queue_url",
                hint=f"Run `amazon-connector secrets queue --client-id {application.client_id} --queue-url URL`, "
                "pass --queue-url, or give the notification with --file.",
            )
        queue = NotificationQueue(url, region=application.aws_region, profile=application.aws_profile)
        deadline = time.monotonic() + wait_seconds
        received: builtins.list[Received] = []
        while True:
            messages = queue.receive(int(max(0, deadline - time.monotonic())))
            for message in messages:
                try:
                    notification = parse_notification(message.body)
                    if notification is None:
                        continue
                    result = self._take(notification, environment)
                except ConfigurationError as exc:
                    log.warning("Left a message in %s: %s", url, exc.message)
                    continue
                queue.delete(message)
                received.append(result)
            done = any(r.switched and r.client_id == application.client_id for r in received)
            if done or (not messages and time.monotonic() >= deadline):
                return received

    def rotate(self, client_id: str, *, environment: str | None = None, wait_seconds: float = 20) -> Rotation:
        """Ask Amazon for a new client secret (rotateApplicationClientSecret, grantless). Amazon sends it
        to the app's SQS queue; with a queue configured it is read, verified and switched to here."""
        application = self.get(client_id, environment=environment)
        key = (application.client_id, application.token_url)
        connection = self._connection_for(key)
        earlier = application.rotation_requested_at
        latest = self.store.applications.update(
            application, rotation_requested_at=earlier or self.clock_of(application.token_url).now()
        )
        try:  # marked first: should Amazon rotate and this process die, the 7-day countdown is still shown
            connection.call(ROTATE_OPERATION)
        except ApiError as exc:  # Amazon refused: nothing was rotated
            self.store.applications.update(latest, rotation_requested_at=earlier)
            if isinstance(exc, InvalidInputError):
                raise SecretRotationError(
                    f"Amazon refused to rotate the client secret of {application.client_id}: {exc.message}",
                    hint=ENROL_HINT,
                ) from None
            raise
        if latest.queue_url is None:
            return Rotation(latest, next_step=self._waiting_for(latest))
        try:
            received = self.receive(client_id, environment=environment, wait_seconds=wait_seconds)
        except AmazonConnectorError as exc:
            return Rotation(latest, next_step=f"{exc} {self._waiting_for(latest)}")
        current = self.store.applications.get(*key) or latest
        rotation = Rotation(current, received)
        return rotation if rotation.switched else Rotation(current, received, self._waiting_for(current))

    def _waiting_for(self, application: ApplicationRecord) -> str:
        status = self.status_of(application)
        return status.message if status else ""


def summary(status: ApplicationStatus) -> Mapping[str, Any]:
    """An application's status as JSON-ready data (no secrets)."""
    a, s = status.application, status.secret
    return {
        "client_id": a.client_id,
        "token_url": a.token_url,
        "connections": status.connections,
        "secret_set": a.client_secret is not None,
        "secret_issued_at": a.secret_issued_at,
        "secret_expires_at": s.expires_at if s else None,
        "expiry_announced_by_amazon": s.expiry_announced if s else False,
        "previous_secret_usable_until": a.previous_expires_at if a.previous_secret else None,
        "rotation_requested_at": a.rotation_requested_at,
        "queue_url": a.queue_url,
        "level": str(status.level),
        "message": s.message if s else "No client secret yet.",
    }
