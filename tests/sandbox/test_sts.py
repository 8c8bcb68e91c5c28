"""Legacy AWS credentials: STS AssumeRole through botocore's own client, and SigV4-signed SP-API calls."""

from typing import Any

import botocore.session
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.sandbox.conftest import access_token

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
APP = "Demo Private App (restricted)"


def sts_client(emulator, key: str, secret: str) -> Any:
    return botocore.session.get_session().create_client(
        "sts",
        region_name="us-east-1",
        endpoint_url=f"{emulator.url}/sts/",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )


@pytest.fixture
def iam(apps) -> dict[str, str]:
    app = apps[APP]
    return {k: app[k] for k in ("aws_access_key_id", "aws_secret_access_key", "aws_role_arn")}


def assume(emulator, iam, **more: Any) -> dict[str, Any]:
    client = sts_client(emulator, iam["aws_access_key_id"], iam["aws_secret_access_key"])
    answer = client.assume_role(RoleArn=iam["aws_role_arn"], RoleSessionName="amazon-connector", **more)
    return dict(answer["Credentials"])


def signed_get(emulator, path: str, token: str, credentials: Credentials, region: str) -> httpx.Response:
    """GET ``path`` signed with SigV4 (service execute-api) as legacy SP-API clients did."""
    request = AWSRequest(method="GET", url=f"{emulator.url}{path}", headers={"x-amz-access-token": token})
    SigV4Auth(credentials, "execute-api", region).add_auth(request)
    return httpx.get(request.url, headers=dict(request.headers.items()))


def test_only_the_restricted_private_app_has_aws_credentials(apps, iam):
    assert iam["aws_access_key_id"].startswith("AKIA")
    assert len(iam["aws_secret_access_key"]) == 40
    assert iam["aws_role_arn"] == "arn:aws:iam::123456789012:role/SellingPartnerRole"
    assert [name for name, app in apps.items() if "aws_access_key_id" in app] == [APP]


def test_assume_role(emulator, iam, clock):
    credentials = assume(emulator, iam, DurationSeconds=1800)
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40
    assert credentials["SessionToken"]
    assert (credentials["Expiration"] - clock.now()).total_seconds() == pytest.approx(1800, abs=1)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"aws_secret_access_key": "x" * 40}, "SignatureDoesNotMatch"),
        ({"aws_access_key_id": "AKIAAAAAAAAAAAAAAAAA"}, "InvalidClientTokenId"),
        ({"aws_role_arn": "arn:aws:iam::123456789012:role/Other"}, "AccessDenied"),
    ],
)
def test_assume_role_refusals(emulator, iam, change, code):
    with pytest.raises(ClientError) as info:
        assume(emulator, {**iam, **change})
    assert info.value.response["Error"]["Code"] == code


def test_duration_is_at_most_one_hour(emulator, iam):
    with pytest.raises(ClientError) as info:
        assume(emulator, iam, DurationSeconds=7200)
    assert info.value.response["Error"]["Code"] == "ValidationError"


def test_signed_spapi_calls(http, emulator, apps, iam, clock):
    token = access_token(http, apps[APP], "DE")
    issued = assume(emulator, iam)
    temporary = Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
    assert signed_get(emulator, PARTICIPATIONS, token, temporary, "eu-west-1").status_code == 200
    assert http.get(PARTICIPATIONS, headers={"x-amz-access-token": token}).status_code == 200  # unsigned
    user = Credentials(iam["aws_access_key_id"], iam["aws_secret_access_key"])
    assert signed_get(emulator, PARTICIPATIONS, token, user, "eu-west-1").status_code == 200
    wrong_region = signed_get(emulator, PARTICIPATIONS, token, temporary, "us-east-1")
    assert wrong_region.status_code == 403
    assert wrong_region.json()["errors"][0]["code"] == "InvalidSignature"
    wrong_secret = Credentials(issued["AccessKeyId"], "y" * 40, issued["SessionToken"])
    assert signed_get(emulator, PARTICIPATIONS, token, wrong_secret, "eu-west-1").status_code == 403
    unknown = Credentials("ASIAAAAAAAAAAAAAAAAA", "z" * 40, "token")
    invalid = signed_get(emulator, PARTICIPATIONS, token, unknown, "eu-west-1")
    assert invalid.json()["errors"][0]["message"] == "The security token included in the request is invalid."
    clock.advance(3600)
    token = access_token(http, apps[APP], "DE")
    expired = signed_get(emulator, PARTICIPATIONS, token, temporary, "eu-west-1")
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["message"] == "The security token included in the request is expired"


def test_signed_query_strings(http, emulator, apps, iam):
    token = access_token(http, apps[APP], "DE")
    issued = assume(emulator, iam)
    temporary = Credentials(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
    path = "/orders/v0/orders?MarketplaceIds=A1PA6795UKMFR9&CreatedAfter=2025-12-01T00%3A00%3A00Z"
    assert signed_get(emulator, path, token, temporary, "eu-west-1").status_code == 200
