"""Redaction of tokens, secrets and buyer PII, for extended logging and anything else that prints."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

MASK = "***"

# Token and secret shapes that must never appear anywhere, whatever key they sit under.
_SECRET_PATTERNS = re.compile(
    r"(Atza\||Atzr\||Atc\||Atz\.sprdt\||amzn1\.oa2-cs\.v1\.)[^\s\"'&,;]+"
    r"|(?<![A-Za-z0-9/+=])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"
)
SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "spapi_oauth_code",
        "state",
        "amazon_state",
        "restricteddatatoken",
        "x-amz-access-token",
        "x-amz-security-token",
        "authorization",
        "aws_secret_access_key",
        "secretaccesskey",
        "sessiontoken",
        "newclientsecret",
        "password",
        "cookie",
        "set-cookie",
    }
)
# In forms and query strings ``code`` is an authorisation code; in JSON bodies it is an error code.
FORM_SECRET_KEYS = frozenset(
    {"code", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature"}
)
"""Query and form parameters masked: the OAuth code and a presigned URL's signature."""
PII_KEYS = frozenset(
    {
        "buyeremail",
        "buyername",
        "buyercounty",
        "buyertaxinfo",
        "buyertaxinformation",
        "buyerinfo",
        "shippingaddress",
        "defaultshipfromlocationaddress",
        "address",
        "addressline1",
        "addressline2",
        "addressline3",
        "phone",
        "email",
        "name",
        "companyname",
        "purchaseordernumber",
        "taxregistrationid",
    }
)


def redact_text(text: str) -> str:
    """Mask every token- or secret-shaped substring."""
    return _SECRET_PATTERNS.sub(lambda m: (m.group(1) or m.group(0)[:4]) + MASK, text)


def redact_data(value: Any, key: str = "") -> Any:
    """A copy of JSON-like data with secrets and buyer PII masked."""
    lowered = key.casefold()
    if lowered in SECRET_KEYS or (lowered in PII_KEYS and value not in (None, "", [], {})):
        return MASK
    if isinstance(value, dict):
        return {k: redact_data(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_data(v, key) for v in value]
    if isinstance(value, str):
        return redact_url(value) if value.startswith(("https://", "http://")) else redact_text(value)
    return value


def redact_form(text: str) -> str:
    """A query string or form body with secret parameters masked."""
    pairs = parse_qsl(text, keep_blank_values=True)
    return urlencode([(k, MASK if k.casefold() in FORM_SECRET_KEYS else redact_data(v, k)) for k, v in pairs])


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    return redact_text(urlunsplit(parts._replace(query=redact_form(parts.query))))


def redact_body(content: bytes, content_type: str) -> str:
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.dumps(redact_data(json.loads(text)), ensure_ascii=False)
        except ValueError:
            pass
    if "x-www-form-urlencoded" in content_type:
        return redact_form(text)
    if not content or content_type.startswith(("text/html", "application/xml")):
        return redact_text(text)
    return (
        f"<{len(content)} bytes of {content_type or 'unknown type'}, not logged>"  # documents hold buyer data
    )


def redact_headers(headers: httpx.Headers) -> dict[str, str]:
    return {k: str(redact_data(v, k)) for k, v in headers.items()}


def log_exchange(
    logger: logging.Logger, request: httpx.Request, response: httpx.Response, *, streamed: bool = False
) -> None:
    """Log one request and its response at DEBUG, redacted (a streamed body is not logged)."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "request %s %s headers=%s body=%s",
        request.method,
        redact_url(str(request.url)),
        redact_headers(request.headers),
        redact_body(request.content, request.headers.get("content-type", "")),
    )
    logger.debug(
        "response %s %s headers=%s body=%s",
        response.status_code,
        redact_url(str(request.url)),
        redact_headers(response.headers),
        "<streamed, not logged>"
        if streamed
        else redact_body(response.content, response.headers.get("content-type", "")),
    )


class RedactingFilter(logging.Filter):
    """A logging filter that masks token-shaped text in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = ()
        return True
