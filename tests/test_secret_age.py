from datetime import UTC, datetime, timedelta

import pytest

from amazon_connector.connections import SecretLevel, secret_age

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days", "level"),
    [
        (0, SecretLevel.OK),
        (89, SecretLevel.OK),
        (90, SecretLevel.WARNING),
        (172, SecretLevel.WARNING),
        (173, SecretLevel.URGENT),
        (179, SecretLevel.URGENT),
        (180, SecretLevel.EXPIRED),
        (400, SecretLevel.EXPIRED),
    ],
)
def test_levels(days, level):
    age = secret_age(T0, T0 + timedelta(days=days))
    assert age is not None
    assert age.level is level
    assert age.expires_at == T0 + timedelta(days=180)


def test_messages_say_what_to_do():
    urgent = secret_age(T0, T0 + timedelta(days=175))
    assert urgent is not None
    assert "ROTATE NOW" in urgent.message
    assert "5 day(s)" in urgent.message
    assert "2026-06-30" in urgent.message
    warning = secret_age(T0, T0 + timedelta(days=100))
    assert warning is not None
    assert "80 days left" in warning.message
    assert secret_age(None, T0) is None
