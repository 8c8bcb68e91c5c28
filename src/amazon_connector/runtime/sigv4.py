"""Legacy AWS Signature Version 4 for connections that still sign (off by default; Amazon has ignored
signatures since October 2023). botocore signs; STS AssumeRole supplies temporary credentials. botocore
is the [aws] extra, imported when a signer is first used."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx

from amazon_connector.clock import Clock
from amazon_connector.errors import AuthError
from amazon_connector.extras import require
from amazon_connector.http.effects import Blocking
from amazon_connector.marketplaces.environment import STS_REGION

if TYPE_CHECKING:
    from botocore.credentials import Credentials

SERVICE = "execute-api"
SESSION_NAME = "amazon-connector"
REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class IamUser:
    access_key_id: str
    secret_access_key: str
    role_arn: str | None


class Signer:
    """Signs SP-API requests for one IAM user (and role), caching the role's temporary credentials."""

    def __init__(
        self, user: IamUser, *, region: str, sts_url: str, clock: Clock, timeout: float = 30.0
    ) -> None:
        require("aws", "Signing requests (SigV4)")
        self.user = user
        self.region = region
        self.sts_url = sts_url
        self.clock = clock
        self.timeout = timeout
        self._credentials: Credentials | None = None
        self._expires_at: datetime | None = None
        self._lock = threading.Lock()

    def _assume_role(self, role_arn: str) -> tuple[Credentials, datetime]:
        from botocore.config import Config
        from botocore.credentials import Credentials
        from botocore.exceptions import BotoCoreError, ClientError
        from botocore.session import get_session

        client = get_session().create_client(
            "sts",
            region_name=STS_REGION,
            endpoint_url=self.sts_url,
            aws_access_key_id=self.user.access_key_id,
            aws_secret_access_key=self.user.secret_access_key,
            config=Config(
                connect_timeout=self.timeout, read_timeout=self.timeout, retries={"max_attempts": 3}
            ),
        )
        try:
            answer = client.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=3600)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise AuthError(
                f"AWS STS refused to assume the role {role_arn}: {error.get('Code')}: {error.get('Message')}",
                hint="Check the IAM user's access keys and that its policy allows sts:AssumeRole on the "
                "role ARN (or turn request signing off: Amazon no longer requires it).",
            ) from None
        except BotoCoreError as exc:
            raise AuthError(f"AWS STS could not be reached at {self.sts_url}: {exc}") from None
        finally:
            client.close()
        c = answer["Credentials"]
        return Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]), c["Expiration"]

    def credentials(self) -> Credentials:
        """The IAM user's keys, or the role's temporary credentials (renewed shortly before expiry)."""
        from botocore.credentials import Credentials

        if self.user.role_arn is None:
            return Credentials(self.user.access_key_id, self.user.secret_access_key)
        with self._lock:
            now = self.clock.now()
            if (
                self._credentials is None
                or self._expires_at is None
                or now + REFRESH_MARGIN >= self._expires_at
            ):
                self._credentials, self._expires_at = self._assume_role(self.user.role_arn)
            return self._credentials

    def sign(self, request: httpx.Request, credentials: Credentials) -> None:
        """Add the SigV4 headers (Authorization, X-Amz-Date, X-Amz-Security-Token) to ``request``."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length",)}
        aws = AWSRequest(method=request.method, url=str(request.url), data=request.content, headers=headers)
        SigV4Auth(credentials, SERVICE, self.region).add_auth(aws)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in aws.headers:
                request.headers[name] = aws.headers[name]


@dataclass(frozen=True, slots=True)
class SigningCredentials(Blocking["Credentials"]):
    """The credentials to sign with: the role's come from STS (a blocking botocore call when renewed)."""

    signer: Signer = field(repr=False, compare=False)

    @property
    def blocks(self) -> bool:
        return self.signer.user.role_arn is not None

    def perform(self) -> Credentials:
        return self.signer.credentials()
