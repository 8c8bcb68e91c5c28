"""What every store fixture holds: written by the old version itself (make.py), checked after the
upgrade (tests/test_store_upgrade.py). Plain values only: this module also runs under old code."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
"""The fixtures' encryption key (also in secret.key)."""

START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
STEP = timedelta(minutes=1)
"""Each connection is added one STEP after the one before, from START."""

APP_ID = "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f"
CLIENT_A = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
CLIENT_B = "amzn1.application-oa2-client.fedcba9876543210fedcba9876543210"
SECRET_OLD = "amzn1.oa2-cs.v1." + "0a" * 32
SECRET_NEW = "amzn1.oa2-cs.v1." + "ab" * 32
SECRET_B = "amzn1.oa2-cs.v1." + "bb" * 32
SECRET_LEGACY = "amzn1.oa2-cs.v1." + "1e" * 32
REFRESH_UK = "Atzr|IwEBI" + "u" * 120
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ROLE_ARN = "arn:aws:iam::123456789012:role/SellingPartnerRole"
EMULATOR = "http://127.0.0.1:9"

CONNECTIONS: list[tuple[str, dict[str, Any]]] = [
    (
        "shop-uk",
        {
            "country": "UK",
            "mode": "restricted",
            "app_id": APP_ID,
            "client_id": CLIENT_A,
            "client_secret": SECRET_OLD,
            "refresh_token": REFRESH_UK,
            "selling_partner_id": "A2EXAMPLE12345",
            "aws_access_key_id": AWS_KEY,
            "aws_secret_access_key": AWS_SECRET,
            "aws_role_arn": ROLE_ARN,
            "advanced": {"retries": 5, "pagination": False},
        },
    ),
    ("shop-de", {"country": "DE", "app_id": APP_ID, "client_id": CLIENT_A, "client_secret": SECRET_NEW}),
    ("shop-fr", {"country": "FR", "app_id": APP_ID, "client_id": CLIENT_A, "client_secret": SECRET_NEW}),
    ("legacy", {"country": "IT", "client_secret": SECRET_LEGACY}),
    (
        "emulated",
        {"country": "US", "client_id": CLIENT_B, "client_secret": SECRET_B, "environment": EMULATOR},
    ),
    ("draft", {}),
]
"""Added in this order. shop-de replaces the client secret shop-uk gave client A."""

STATE = "fixture-state-0123456789"
STATE_REDIRECT = "https://localhost:8721/amazon-connector/callback"
STATE_FINGERPRINT = "f" * 64
FAR_FUTURE = datetime(2099, 1, 1, tzinfo=UTC)
TOKEN_KEY = "fixture-token-key"
TOKEN = "Atza|fixture-access-token"
BUCKET = "fixture-bucket"
BUCKET_RATE = 0.5


def added_at(name: str) -> datetime:
    """When make.py added the connection ``name``."""
    return START + STEP * [n for n, _ in CONNECTIONS].index(name)
