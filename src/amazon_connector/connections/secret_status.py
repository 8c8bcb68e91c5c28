"""How long an application's client secret has left under Amazon's rotation rules, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from amazon_connector.connections.model import OLD_SECRET_LIFETIME, ApplicationRecord

SECRET_LIFETIME = timedelta(days=180)
WARN_BEFORE = timedelta(days=90)
URGENT_BEFORE = timedelta(days=7)
ROTATION_DOCS = "https://developer-docs.amazon.com/sp-api/docs/rotating-your-apps-lwa-credentials"
SELLER_CENTRAL_ROTATION = (
    "Seller Central (Apps and Services > Develop Apps > LWA credentials > Rotate secret)"
)


class SecretLevel(StrEnum):
    OK = "ok"
    WARNING = "warning"
    URGENT = "urgent"
    EXPIRED = "expired"

    @property
    def exit_code(self) -> int:
        """`secrets status` exit code: 0 ok, 1 within 90 days, 2 within 7 days or expired."""
        return {SecretLevel.OK: 0, SecretLevel.WARNING: 1}.get(self, 2)


@dataclass(frozen=True, slots=True)
class SecretStatus:
    """The current secret of one application: when it stops working and how loudly to say so."""

    client_id: str
    issued_at: datetime
    expires_at: datetime
    expiry_announced: bool
    """``expires_at`` is Amazon's clientSecretExpiryTime (else: 180 days after the issue date)."""
    rotation_requested_at: datetime | None
    days_old: int
    days_left: int
    level: SecretLevel

    @property
    def message(self) -> str:
        cid = self.client_id
        rotate = f"`amazon-connector secrets rotate --client-id {cid}`"
        set_ = f"`amazon-connector secrets set --client-id {cid}`"
        when = _when(self.expires_at, self.level)
        if self.level is SecretLevel.EXPIRED:
            limit = "the expiry Amazon announced" if self.expiry_announced else "Amazon's 180-day limit"
            if self.rotation_requested_at is not None:
                limit = "the 7 days a replaced secret keeps working"
            return (
                f"The client secret of {cid} passed {limit} on {when}: every call fails with invalid_client. "
                f"Generate a new secret in {SELLER_CENTRAL_ROTATION} and run {set_}."
            )
        if self.rotation_requested_at is not None:
            return (
                f"A new client secret for {cid} was requested on {_when(self.rotation_requested_at, self.level)} "
                f"but has not arrived; the current one stops working on {when} ({self.days_left} day(s) left). "
                f"Run `amazon-connector secrets receive --client-id {cid}` (it reads the SQS queue, or --file "
                f"with the APPLICATION_OAUTH_CLIENT_NEW_SECRET notification). If the notification never came, "
                f"rotate in {SELLER_CENTRAL_ROTATION} and run {set_} before {when}."
            )
        if self.level is SecretLevel.URGENT:
            return (
                f"ROTATE NOW: the client secret of {cid} expires in {self.days_left} day(s), on {when}. Every "
                f"call will fail with invalid_client after that. Run {rotate} now (or rotate in "
                f"{SELLER_CENTRAL_ROTATION} and run {set_})."
            )
        if self.level is SecretLevel.WARNING:
            return (
                f"The client secret of {cid} is {self.days_old} days old and must be rotated by {when} "
                f"({self.days_left} days left). Run {rotate}."
            )
        return f"The client secret of {cid} is {self.days_old} days old; rotate it by {when}."


def _when(moment: datetime, level: SecretLevel) -> str:
    return (
        f"{moment:%Y-%m-%d %H:%M} UTC"
        if level in (SecretLevel.URGENT, SecretLevel.EXPIRED)
        else f"{moment:%Y-%m-%d}"
    )


def secret_status(application: ApplicationRecord, now: datetime) -> SecretStatus | None:
    """The status of the application's current secret; None when it has none."""
    issued_at = application.secret_issued_at
    if application.client_secret is None or issued_at is None:
        return None
    expires_at = application.secret_expires_at or issued_at + SECRET_LIFETIME
    requested = application.rotation_requested_at
    if requested is not None:
        expires_at = min(expires_at, requested + OLD_SECRET_LIFETIME)
    left = expires_at - now
    if left <= timedelta(0):
        level = SecretLevel.EXPIRED
    elif left <= URGENT_BEFORE:
        level = SecretLevel.URGENT
    elif left <= WARN_BEFORE:
        level = SecretLevel.WARNING
    else:
        level = SecretLevel.OK
    return SecretStatus(
        client_id=application.client_id,
        issued_at=issued_at,
        expires_at=expires_at,
        expiry_announced=application.secret_expires_at is not None,
        rotation_requested_at=requested,
        days_old=(now - issued_at).days,
        days_left=max(0, -(-int(left.total_seconds()) // 86400)),
        level=level,
    )
