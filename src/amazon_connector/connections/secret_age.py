"""The client secret's age against Amazon's 180-day rotation rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

SECRET_LIFETIME = timedelta(days=180)
WARN_BEFORE = timedelta(days=90)
URGENT_BEFORE = timedelta(days=7)
ROTATION_DOCS = "https://developer-docs.amazon.com/sp-api/docs/rotating-your-apps-lwa-credentials"


class SecretLevel(StrEnum):
    OK = "ok"
    WARNING = "warning"
    URGENT = "urgent"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class SecretAge:
    set_at: datetime
    expires_at: datetime
    days_old: int
    days_left: int
    level: SecretLevel

    @property
    def message(self) -> str:
        when = self.expires_at.date().isoformat()
        if self.level is SecretLevel.EXPIRED:
            return (
                f"The client secret was entered {self.days_old} days ago and passed Amazon's 180-day limit on "
                f"{when}. Rotate it in Developer Central now and enter the new one ({ROTATION_DOCS})."
            )
        if self.level is SecretLevel.URGENT:
            return (
                f"ROTATE NOW: the client secret expires in {self.days_left} day(s), on {when}. Every call "
                f"will fail with invalid_client after that. Rotate it in Developer Central ({ROTATION_DOCS})."
            )
        if self.level is SecretLevel.WARNING:
            return (
                f"The client secret is {self.days_old} days old and must be rotated by {when} "
                f"({self.days_left} days left)."
            )
        return f"The client secret is {self.days_old} days old; rotate it by {when}."


def secret_age(set_at: datetime | None, now: datetime) -> SecretAge | None:
    """How old the secret is and how loudly to warn; None when no secret was entered."""
    if set_at is None:
        return None
    expires_at = set_at + SECRET_LIFETIME
    left = expires_at - now
    if left <= timedelta(0):
        level = SecretLevel.EXPIRED
    elif left <= URGENT_BEFORE:
        level = SecretLevel.URGENT
    elif left <= WARN_BEFORE:
        level = SecretLevel.WARNING
    else:
        level = SecretLevel.OK
    return SecretAge(
        set_at=set_at,
        expires_at=expires_at,
        days_old=(now - set_at).days,
        days_left=max(0, -(-int(left.total_seconds()) // 86400)),
        level=level,
    )
