import logging

import httpx

from amazon_connector.redaction import RedactingFilter, log_exchange, redact_data, redact_text, redact_url
from tests.values import AWS_KEY, CLIENT_SECRET, REFRESH_TOKEN

ACCESS = "Atza|" + "y" * 400
RDT = "Atz.sprdt|" + "z" * 60


def test_token_shapes_are_masked_anywhere():
    text = f"token {ACCESS} refresh={REFRESH_TOKEN}&secret={CLIENT_SECRET} rdt {RDT} key {AWS_KEY}"
    out = redact_text(text)
    for secret in (ACCESS, REFRESH_TOKEN, CLIENT_SECRET, RDT, AWS_KEY):
        assert secret not in out
    assert "Atza|***" in out


def test_pii_and_secret_keys_in_json():
    body = {
        "payload": {
            "BuyerInfo": {"BuyerEmail": "a@b.c", "BuyerName": "Ann"},
            "ShippingAddress": {"Name": "Ann", "AddressLine1": "1 Road", "CountryCode": "GB"},
            "OrderStatus": "Shipped",
        },
        "errors": [{"code": "InvalidInput", "message": "bad"}],
        "access_token": "anything",
    }
    out = redact_data(body)
    assert out["payload"]["BuyerInfo"] == "***"
    assert out["payload"]["ShippingAddress"] == "***"
    assert out["payload"]["OrderStatus"] == "Shipped"
    assert out["errors"][0]["code"] == "InvalidInput"
    assert out["access_token"] == "***"


def test_query_strings_hide_codes_and_states():
    url = redact_url("http://127.0.0.1:1/cb?state=abc&spapi_oauth_code=RHxyz&selling_partner_id=A1&code=c")
    assert "abc" not in url
    assert "RHxyz" not in url
    assert "=c&" not in url + "&"
    assert "selling_partner_id=A1" in url


def test_log_exchange_and_filter(caplog):
    logger = logging.getLogger("amazon_connector.test")
    request = httpx.Request(
        "POST",
        "https://api.amazon.com/auth/o2/token",
        data={"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN, "client_secret": CLIENT_SECRET},
    )
    response = httpx.Response(200, json={"access_token": ACCESS, "expires_in": 3600}, request=request)
    with caplog.at_level(logging.DEBUG, logger="amazon_connector"):
        log_exchange(logger, request, response)
        logger.addFilter(RedactingFilter())
        logger.debug("raw %s", ACCESS)
    text = caplog.text
    for secret in (ACCESS, REFRESH_TOKEN, CLIENT_SECRET):
        assert secret not in text
    assert "grant_type=refresh_token" in text
