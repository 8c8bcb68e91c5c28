"""Well-formed example credentials for tests that do not talk to the emulator."""

APP_ID = "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
CLIENT_SECRET = "amzn1.oa2-cs.v1." + "ab" * 32
REFRESH_TOKEN = "Atzr|IwEBI" + "x" * 120
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ROLE_ARN = "arn:aws:iam::123456789012:role/SellingPartnerRole"

RESTRICTED = {
    "mode": "restricted",
    "app_id": APP_ID,
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "refresh_token": REFRESH_TOKEN,
}
"""A complete Restricted Data Access Mode configuration but for the country."""
