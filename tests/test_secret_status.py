from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from amazon_connector.connections import ApplicationRecord, SecretLevel, secret_status
from tests.values import CLIENT_ID, CLIENT_SECRET

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def application(**more) -> ApplicationRecord:
    return ApplicationRecord(
        id=1,
        client_id=CLIENT_ID,
        token_url="https://api.amazon.com/auth/o2/token",
        client_secret=SecretStr(CLIENT_SECRET),
        secret_issued_at=T0,
        updated_at=T0,
        **more,
    )


@pytest.mark.parametrize(
    ("days", "level", "exit_code"),
    [
        (0, SecretLevel.OK, 0),
        (89, SecretLevel.OK, 0),
        (90, SecretLevel.WARNING, 1),
        (172, SecretLevel.WARNING, 1),
        (173, SecretLevel.URGENT, 2),
        (179, SecretLevel.URGENT, 2),
        (180, SecretLevel.EXPIRED, 2),
        (400, SecretLevel.EXPIRED, 2),
    ],
)
def test_levels_of_a_secret_without_an_announced_expiry(days, level, exit_code):
    status = secret_status(application(), T0 + timedelta(days=days))
    assert status is not None
    assert (status.level, status.level.exit_code) == (level, exit_code)
    assert status.expires_at == T0 + timedelta(days=180)
    assert not status.expiry_announced


def test_messages_say_what_to_do():
    urgent = secret_status(application(), T0 + timedelta(days=175))
    assert urgent is not None
    assert "ROTATE NOW" in urgent.message
    assert "5 day(s)" in urgent.message
    assert "2026-06-30 00:00 UTC" in urgent.message
    assert f"Run `amazon-connector secrets rotate --client-id {CLIENT_ID}` now" in urgent.message
    warning = secret_status(application(), T0 + timedelta(days=100))
    assert warning is not None
    assert "80 days left" in warning.message
    expired = secret_status(application(), T0 + timedelta(days=181))
    assert expired is not None
    assert "passed Amazon's 180-day limit" in expired.message
    assert f"`amazon-connector secrets set --client-id {CLIENT_ID}`" in expired.message
    assert secret_status(application().model_copy(update={"client_secret": None}), T0) is None


def test_amazons_expiry_and_a_pending_rotation_come_first():
    announced = secret_status(application(secret_expires_at=T0 + timedelta(days=30)), T0)
    assert announced is not None
    assert (announced.level, announced.expiry_announced) == (SecretLevel.WARNING, True)
    pending = secret_status(
        application(rotation_requested_at=T0 + timedelta(days=10)), T0 + timedelta(days=12)
    )
    assert pending is not None
    assert pending.level is SecretLevel.URGENT
    assert pending.expires_at == T0 + timedelta(days=17)
    assert "was requested on 2026-01-11" in pending.message
    assert (
        "has not arrived; the current one stops working on 2026-01-18 00:00 UTC (5 day(s) left)"
        in pending.message
    )


def test_the_previous_secret_is_never_offered_after_its_expiry():
    record = application(previous_secret=SecretStr("amzn1.oa2-cs.v1." + "9" * 64), previous_expires_at=T0)
    assert record.previous(T0 - timedelta(seconds=1)) is not None
    assert record.previous(T0) is None
