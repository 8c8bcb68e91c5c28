"""Amazon's notifications from an AWS SQS queue, read with boto3 (or from any SQS-compatible endpoint)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from amazon_connector.errors import ConfigurationError, QueueError
from amazon_connector.extras import require

_AWS_HOST = re.compile(r"^(?:sqs\.(?P<a>[a-z0-9-]+)|(?P<b>[a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?$")
DEFAULT_REGION = "us-east-1"
PERMISSIONS = "sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes"


@dataclass(frozen=True, slots=True)
class QueueMessage:
    body: str = field(repr=False)
    receipt_handle: str = field(repr=False)


def check_queue_url(queue_url: str) -> str:
    """The queue URL as given, if it looks like one (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)."""
    parts = urlsplit(queue_url.strip())
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme not in ("http", "https") or not parts.hostname or len(segments) < 2:
        raise ConfigurationError(
            f"{queue_url!r} is not an SQS queue URL.",
            field="queue_url",
            hint="Use the queue's URL, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/sp-api-notifications.",
        )
    return queue_url.strip()


class NotificationQueue:
    """One SQS queue: receive, delete, and check that it can be read."""

    def __init__(self, queue_url: str, *, region: str | None = None, profile: str | None = None) -> None:
        self.queue_url = check_queue_url(queue_url)
        parts = urlsplit(self.queue_url)
        aws = _AWS_HOST.match(parts.hostname or "")
        self.region = region or (aws and (aws["a"] or aws["b"])) or DEFAULT_REGION
        self.profile = profile
        path = "/".join(parts.path.rstrip("/").split("/")[:-2])
        self.endpoint_url = None if aws else f"{parts.scheme}://{parts.netloc}{path}"
        self._client: Any = None

    def _sqs(self) -> Any:
        require("aws", "Reading notifications from SQS")
        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError

        if self._client is None:
            try:
                session = boto3.Session(profile_name=self.profile, region_name=self.region)
                unsigned = self.endpoint_url is not None and session.get_credentials() is None
                config = Config(
                    connect_timeout=10,
                    read_timeout=30,
                    retries={"max_attempts": 3, "mode": "standard"},
                    signature_version=UNSIGNED if unsigned else None,
                )
                self._client = session.client("sqs", endpoint_url=self.endpoint_url, config=config)
            except BotoCoreError as exc:
                raise self._error(exc) from None
        return self._client

    def _error(self, exc: Exception) -> QueueError:
        detail = getattr(exc, "response", {}).get("Error", {})
        reason = ": ".join(x for x in (detail.get("Code"), detail.get("Message")) if x) or str(exc)
        return QueueError(
            f"Cannot read the SQS queue {self.queue_url}: {reason}",
            hint=f"Check the queue URL, the AWS region ({self.region}) and the AWS credentials"
            f"{f' of profile {self.profile}' if self.profile else ''}; they need {PERMISSIONS}.",
        )

    def receive(self, wait_seconds: int = 0) -> list[QueueMessage]:
        """Up to 10 messages, waiting up to ``wait_seconds`` (0-20) for the first (long polling)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._sqs().receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=max(0, min(wait_seconds, 20))
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc) from None
        return [
            QueueMessage(m["Body"], m["ReceiptHandle"])
            for m in answer.get("Messages", [])
            if "Body" in m and "ReceiptHandle" in m
        ]

    def delete(self, message: QueueMessage) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._sqs().delete_message(QueueUrl=self.queue_url, ReceiptHandle=message.receipt_handle)
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc) from None

    def waiting(self) -> int:
        """How many messages wait in the queue (proves the queue exists and may be read)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._sqs().get_queue_attributes(
                QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc) from None
        return int(answer.get("Attributes", {}).get("ApproximateNumberOfMessages", "0"))
