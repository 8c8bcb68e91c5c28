"""A local SQS service for the notifications the emulator sends, speaking the AWS JSON 1.0 protocol as boto3
does (``X-Amz-Target: AmazonSQS.<Action>``): ReceiveMessage, DeleteMessage and GetQueueAttributes."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from amazon_connector.sandbox.aws.queues import ACCOUNT, SQS_PATH, LocalQueues
from amazon_connector.sandbox.context import sandbox_of

DEFAULT_VISIBILITY = timedelta(seconds=30)
MAX_WAIT_SECONDS = 20
JSON_10 = "application/x-amz-json-1.0"


class SqsError(Exception):
    def __init__(self, kind: str, query_code: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.query_code = query_code
        self.message = message


def _reply(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=JSON_10, headers=headers)


def _error(exc: SqsError) -> JSONResponse:
    return _reply(
        {"__type": f"com.amazonaws.sqs#{exc.kind}", "message": exc.message},
        400,
        {"x-amzn-query-error": f"{exc.query_code};Sender"},
    )


def _queue(local: LocalQueues, params: dict[str, Any]) -> str:
    parts = [p for p in urlsplit(str(params.get("QueueUrl", ""))).path.split("/") if p]
    name = parts[-1] if len(parts) >= 2 and parts[-2] == ACCOUNT else ""
    if not local.exists(name):
        raise SqsError(
            "QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
            "The specified queue does not exist.",
        )
    return name


async def _receive_message(local: LocalQueues, params: dict[str, Any]) -> dict[str, Any]:
    name = _queue(local, params)
    limit = int(params.get("MaxNumberOfMessages", 1))
    wait = int(params.get("WaitTimeSeconds", 0))
    if not 1 <= limit <= 10 or not 0 <= wait <= MAX_WAIT_SECONDS:
        raise SqsError(
            "InvalidParameterValue",
            "InvalidParameterValue",
            "MaxNumberOfMessages must be 1-10 and WaitTimeSeconds 0-20.",
        )
    visibility = timedelta(seconds=int(params.get("VisibilityTimeout", DEFAULT_VISIBILITY.total_seconds())))
    deadline = asyncio.get_running_loop().time() + wait
    while (
        not (messages := local.receive(name, limit, visibility))
        and asyncio.get_running_loop().time() < deadline
    ):
        await asyncio.sleep(0.05)
    return {
        "Messages": [
            {
                "MessageId": m.message_id,
                "ReceiptHandle": m.receipt_handle,
                "MD5OfBody": hashlib.md5(m.body.encode(), usedforsecurity=False).hexdigest(),
                "Body": m.body,
            }
            for m in messages
        ]
    }


async def _delete_message(local: LocalQueues, params: dict[str, Any]) -> dict[str, Any]:
    if not local.delete(_queue(local, params), str(params.get("ReceiptHandle", ""))):
        raise SqsError(
            "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle is invalid."
        )
    return {}


async def _get_queue_attributes(local: LocalQueues, params: dict[str, Any]) -> dict[str, Any]:
    visible, in_flight = local.count(_queue(local, params))
    return {
        "Attributes": {
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(in_flight),
        }
    }


ACTIONS = {
    "ReceiveMessage": _receive_message,
    "DeleteMessage": _delete_message,
    "GetQueueAttributes": _get_queue_attributes,
}


async def sqs(request: Request) -> JSONResponse:
    """One SQS action, named by the X-Amz-Target header."""
    sandbox = sandbox_of(request)
    target = request.headers.get("x-amz-target", "")
    action = ACTIONS.get(target.removeprefix("AmazonSQS."))
    try:
        if not target.startswith("AmazonSQS.") or action is None:
            raise SqsError(
                "InvalidAction",
                "InvalidAction",
                f"The action {target or '(none)'} is not valid for this endpoint.",
            )
        try:
            params = json.loads(await request.body() or b"{}")
        except ValueError:
            raise SqsError(
                "InvalidParameterValue", "InvalidParameterValue", "The request body is not JSON."
            ) from None
        return _reply(await action(sandbox.queues, params if isinstance(params, dict) else {}))
    except SqsError as exc:
        return _error(exc)


ROUTES = [Route(SQS_PATH, sqs, methods=["POST"]), Route(SQS_PATH + "/", sqs, methods=["POST"])]
