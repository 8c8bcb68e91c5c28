"""Times as SP-API writes them (ISO 8601, UTC, ``Z``) and reads them from query parameters and bodies."""

from __future__ import annotations

from datetime import UTC, datetime

from amazon_connector.sandbox.errors import invalid_input

INPUT_NOT_VALID = "The input you have submitted is not valid. Please check your input and try again."


def iso(moment: datetime) -> str:
    """``2026-01-01T12:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str, name: str) -> datetime:
    """An ISO 8601 date or date-time (UTC unless it says otherwise); 400 InvalidInput if it is not one."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise invalid_input(INPUT_NOT_VALID, f"{name} is not an ISO 8601 date-time: {value!r}.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
