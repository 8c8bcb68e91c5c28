import pytest
from pydantic import ValidationError

from amazon_connector.connections.model import ConnectionSettings, Mode, validation_message
from tests.values import (
    APP_ID,
    AWS_KEY,
    AWS_SECRET,
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    RESTRICTED,
    ROLE_ARN,
)


def settings(**kw):
    return ConnectionSettings(name="uk-store", **kw)


def test_partial_settings_are_valid_and_say_what_is_missing():
    s = settings(country="GB")
    assert s.country == "UK"
    assert s.missing() == ["App ID", "Client Identifier", "Client Secret"]
    r = settings(
        country="DE", mode=Mode.RESTRICTED, app_id=APP_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )
    assert r.missing() == ["Refresh Token"]


def test_complete_restricted_settings():
    s = settings(
        country="UK",
        **RESTRICTED,
        aws_access_key_id=AWS_KEY,
        aws_secret_access_key=AWS_SECRET,
        aws_role_arn=ROLE_ARN,
    )
    assert s.missing() == []
    assert s.secret("refresh_token") == REFRESH_TOKEN
    assert REFRESH_TOKEN not in repr(s)
    assert CLIENT_SECRET not in str(s.model_dump())


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("app_id", "amzn1.application-oa2-client.abc", "App ID"),
        ("client_id", "amzn1.sp.solution.123", "Client Identifier"),
        ("client_secret", "secret123", "Client Secret"),
        ("refresh_token", "Atza|notarefreshtoken", "Refresh Token"),
        ("aws_access_key_id", "XKIA123", "AWS IAM User Access Key"),
        ("aws_role_arn", "arn:aws:iam::12:user/x", "AWS IAM Role ARN"),
        ("country", "Atlantis", "not an Amazon marketplace"),
        ("redirect_uri", "https://localhost:8721/cb#frag", "MD5110"),
        ("redirect_uri", "http://127.0.0.1:99999/cb", "invalid port"),
        ("environment", "http://127.0.0.1:abc", "Environment"),
        ("environment", "ftp://example", "Environment"),
        ("name", "bad name!", "Name"),
    ],
)
def test_bad_values_get_a_clear_message(field, value, expected):
    kw = {"name": "uk-store", field: value}
    with pytest.raises(ValidationError) as info:
        ConnectionSettings(**kw)
    message = validation_message(info.value)
    assert expected in message
    if field in ("client_secret", "refresh_token"):
        assert value not in message


@pytest.mark.parametrize(("retries", "wait"), [(-1, 3), (11, 3), (3, 0), (3, 31)])
def test_advanced_ranges(retries, wait):
    with pytest.raises(ValidationError):
        settings(advanced={"retries": retries, "retry_wait": wait})


def test_advanced_defaults():
    a = settings().advanced
    assert (a.retries, a.retry_wait, a.pagination, a.extended_logging) == (3, 3, True, False)
