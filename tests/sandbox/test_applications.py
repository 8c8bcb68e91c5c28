"""Application Management API over real HTTP: rotation, the 7-day overlap, notifications in local SQS queues."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from amazon_connector.sandbox.aws.queues import queue_name, queue_url
from amazon_connector.sandbox.spapi.applications import NOT_ENROLLED
from tests.sandbox.conftest import access_token, denied, errors, lwa

ROTATE = "/applications/2023-11-30/clientSecret"
SCOPE = "sellingpartnerapi::client_credential:rotation"


def grantless(http, app, scope=SCOPE) -> str:
    response = lwa(http, app, grant_type="client_credentials", scope=scope)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def sqs(emulator):
    return boto3.client(
        "sqs",
        region_name="us-east-1",
        endpoint_url=f"{emulator.url}/sqs",
        config=Config(signature_version=UNSIGNED),
    )


def messages(emulator, app):
    client = sqs(emulator)
    url = queue_url(emulator.url, queue_name(app["client_id"]))
    answer = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    for m in answer.get("Messages", []):
        client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


def test_rotation_needs_the_grantless_rotation_scope(http, apps):
    app = apps["Demo Private App"]
    seller_token = access_token(http, app, "UK")
    denied(http.post(ROTATE, headers={"x-amz-access-token": seller_token}), "")
    other = grantless(http, app, "sellingpartnerapi::notifications")
    denied(http.post(ROTATE, headers={"x-amz-access-token": other}), "")


def test_rotation_keeps_the_old_secret_for_seven_days(http, apps, emulator, clock):
    app = apps["Demo Private App"]
    response = http.post(ROTATE, headers={"x-amz-access-token": grantless(http, app)})
    assert (response.status_code, response.content) == (204, b"")
    (note,) = messages(emulator, app)
    assert note["notificationType"] == "APPLICATION_OAUTH_CLIENT_NEW_SECRET"
    body = note["payload"]["applicationOAuthClientNewSecret"]
    assert body["clientId"] == app["client_id"]
    now = clock.now()
    old_expiry = datetime.fromisoformat(body["oldClientSecretExpiryTime"])
    assert abs(old_expiry - (now + timedelta(days=7))) < timedelta(seconds=1)
    assert note["notificationMetadata"]["applicationId"] == app["app_id"]
    new = {**app, "client_secret": body["newClientSecret"]}
    assert new["client_secret"] != app["client_secret"]
    clock.advance(7 * 86400 - 2)
    assert grantless(http, app)
    assert grantless(http, new)
    clock.advance(2)
    refused = lwa(http, app, grant_type="client_credentials", scope=SCOPE)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert grantless(http, new)
    assert messages(emulator, app) == []


def test_an_app_not_enrolled_for_notifications_cannot_rotate(http, apps, emulator):
    app = apps["Demo Draft App"]
    assert app["rotation_notifications"] is False
    response = http.post(ROTATE, headers={"x-amz-access-token": grantless(http, app)})
    error = errors(response, 400, "InvalidInput").errors[0]
    assert error.message == NOT_ENROLLED
    assert grantless(http, app)


def test_expiry_notice_is_announced_and_enforced(http, apps, emulator, clock):
    app = apps["Demo Public App"]
    when = (clock.now() + timedelta(days=30)).replace(microsecond=0)
    answer = http.post(
        f"/_sandbox/applications/{app['client_id']}/secret-expiry",
        json={"clientSecretExpiryTime": when.isoformat()},
    )
    assert answer.status_code == 200
    (note,) = messages(emulator, app)
    assert note["notificationType"] == "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY"
    expiry = note["payload"]["applicationOAuthClientSecretExpiry"]
    assert datetime.fromisoformat(expiry["clientSecretExpiryTime"]) == when.astimezone(UTC)
    clock.advance(30 * 86400)
    assert lwa(http, app, grant_type="client_credentials", scope=SCOPE).status_code == 401
    assert (
        http.post("/_sandbox/applications/amzn1.application-oa2-client.nope/secret-expiry").status_code == 404
    )


def test_the_queue_speaks_sqs(emulator, apps, clock):
    client = sqs(emulator)
    app = apps["Demo Public App"]
    url = queue_url(emulator.url, queue_name(app["client_id"]))
    assert client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"] == {
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
    }
    emulator.app.state.sandbox.client_secrets.announce_expiry(
        emulator.world.app_for_client(app["client_id"]), None
    )
    first = client.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"]
    assert client.receive_message(QueueUrl=url).get("Messages", []) == []  # in flight
    clock.advance(61)
    again = client.receive_message(QueueUrl=url)["Messages"]
    assert again[0]["MessageId"] == first[0]["MessageId"]
    with pytest.raises(ClientError, match="ReceiptHandleIsInvalid"):
        client.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    client.delete_message(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"])
    assert client.get_queue_attributes(QueueUrl=url)["Attributes"]["ApproximateNumberOfMessages"] == "0"
    with pytest.raises(ClientError) as info:
        client.receive_message(QueueUrl=url.replace("notifications-", "nope-"))
    assert info.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
