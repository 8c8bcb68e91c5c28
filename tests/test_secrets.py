"""Client secrets belong to the application: rotation through Amazon, notifications, manual change,
warnings before a secret dies, and the runtime switching secrets with no call lost. Over real HTTP."""

import json
import logging
import threading
import time
from datetime import timedelta

import boto3
import httpx
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from amazon_connector.auth.lwa import LwaClient, LwaCredentials, client_credentials_grant
from amazon_connector.connections import Connections, Outcome, SecretLevel
from amazon_connector.errors import (
    ConfigurationError,
    InvalidClientError,
    QueueError,
    SecretRotationError,
)
from amazon_connector.http import drivers
from amazon_connector.http.clients import HttpClients
from amazon_connector.sandbox.aws.queues import queue_name, queue_url
from tests.conftest import app_settings, seller_in

APP = "Demo Private App (restricted)"
SCOPE = "sellingpartnerapi::client_credential:rotation"
WEEK = 7 * 86400


@pytest.fixture
def connections(home, emulator_clock):
    with Connections.open(home=home, clock=emulator_clock) as c:
        yield c


def restricted(connections, emulator, app, country):
    seller = seller_in(app, country)
    name = f"{country.lower()}-store"
    connections.add(
        name,
        country=country,
        mode="restricted",
        refresh_token=seller["refresh_token"],
        **app_settings(app, emulator),
    )
    connections.get(name).verify_refresh_token()
    return connections.get(name)


def queue_of(emulator, app):
    return queue_url(emulator.url, queue_name(app["client_id"]))


def take_raw_notification(emulator, app) -> str:
    """Read one notification off the app's queue, as the user's own SQS consumer would."""
    sqs = boto3.client(
        "sqs",
        region_name="us-east-1",
        endpoint_url=f"{emulator.url}/sqs",
        config=Config(signature_version=UNSIGNED),
    )
    (message,) = sqs.receive_message(QueueUrl=queue_of(emulator, app))["Messages"]
    sqs.delete_message(QueueUrl=queue_of(emulator, app), ReceiptHandle=message["ReceiptHandle"])
    return str(message["Body"])


def accepted(emulator, client_id, secret) -> bool:
    lwa = LwaClient(LwaCredentials(f"{emulator.url}/auth/o2/token", client_id, secret), HttpClients())
    try:
        drivers.run(lwa.exchange(client_credentials_grant(SCOPE)))
    except InvalidClientError:
        return False
    return True


def test_rotation_under_load_loses_no_call(home, connections, emulator, apps, emulator_clock):
    app = apps[APP]
    restricted(connections, emulator, app, "DE")
    connections.applications.configure_queue(app["client_id"], queue_of(emulator, app))
    calls: list[int] = []
    failures: list[Exception] = []
    stop = threading.Event()

    def caller() -> None:
        with Connections.open(home=home, clock=emulator_clock) as elsewhere:  # as another process would
            connection = elsewhere.get("de-store")
            while not stop.is_set():
                try:
                    calls.append(connection.call("getMarketplaceParticipations").status)
                except Exception as exc:  # every failure counts
                    failures.append(exc)

    def made(n: int) -> None:
        deadline = time.monotonic() + 60
        while len(calls) + len(failures) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(calls) + len(failures) >= n

    thread = threading.Thread(target=caller)
    thread.start()
    try:
        made(20)
        rotation = connections.applications.rotate(app["client_id"], wait_seconds=5)
        assert rotation.switched, rotation
        made(len(calls) + 20)
        emulator_clock.advance(WEEK + 3600)  # the old secret is dead now, and every access token expired
        made(len(calls) + 20)
    finally:
        stop.set()
        thread.join(60)
    assert failures == []
    assert set(calls) == {200}
    assert not accepted(emulator, app["client_id"], app["client_secret"])
    new = connections.get("de-store").settings.secret("client_secret")
    assert new != app["client_secret"]
    assert accepted(emulator, app["client_id"], new)


def test_when_the_new_secret_never_arrives_the_user_is_told_before_the_old_one_dies(
    connections, emulator, apps, emulator_clock, caplog
):
    app = apps[APP]
    restricted(connections, emulator, app, "DE")
    rotation = connections.applications.rotate(app["client_id"])  # no queue: the secret is not read
    assert not rotation.switched
    dies = emulator_clock.now() + timedelta(seconds=WEEK)
    assert rotation.next_step is not None
    assert f"the current one stops working on {dies:%Y-%m-%d %H:%M} UTC" in rotation.next_step
    assert f"`amazon-connector secrets receive --client-id {app['client_id']}`" in rotation.next_step
    assert f"`amazon-connector secrets set --client-id {app['client_id']}`" in rotation.next_step

    emulator_clock.advance(WEEK - 86400)
    (status,) = connections.applications.status()
    assert status.level is SecretLevel.URGENT
    assert status.level.exit_code == 2
    assert status.secret is not None
    assert "has not arrived" in status.secret.message
    assert "(1 day(s) left)" in status.secret.message
    with caplog.at_level(logging.WARNING, logger="amazon_connector"):
        report = connections.get("de-store").test()
    assert report.ok  # it still works, and says what to do
    step = {s.name: s for s in report.steps}["Client secret age"]
    assert step.outcome is Outcome.WARN
    assert "has not arrived" in step.detail
    assert "has not arrived" in caplog.text  # the log at each use

    emulator_clock.advance(86400)  # the moment the warning named
    with pytest.raises(InvalidClientError):
        connections.get("de-store").authenticator.new_access_token()
    (status,) = connections.applications.status()
    assert status.level is SecretLevel.EXPIRED
    assert status.secret is not None
    assert "Generate a new secret in Seller Central" in status.secret.message


def test_a_secret_changed_by_hand_reaches_every_connection(connections, emulator, apps, emulator_clock):
    app = apps[APP]
    cid = app["client_id"]
    restricted(connections, emulator, app, "DE")
    restricted(connections, emulator, app, "US")
    connections.applications.rotate(cid)  # as if rotated in Seller Central: the secret is copied by hand
    new = json.loads(take_raw_notification(emulator, app))["payload"]["applicationOAuthClientNewSecret"]
    with pytest.raises(ConfigurationError, match="not in the expected form"):
        connections.applications.set_secret(cid, "not-a-secret")
    with pytest.raises(SecretRotationError, match="refused the new client secret"):
        connections.applications.set_secret(cid, "amzn1.oa2-cs.v1." + "0" * 64)
    assert connections.get("us-store").settings.secret("client_secret") == app["client_secret"]

    record = connections.applications.set_secret(cid, new["newClientSecret"])
    assert record.rotation_requested_at is None
    assert record.previous_expires_at == record.secret_issued_at + timedelta(seconds=WEEK)
    for name in ("de-store", "us-store"):
        assert connections.get(name).settings.secret("client_secret") == new["newClientSecret"]
    emulator_clock.advance(WEEK + 3600)
    assert connections.get("us-store").test().ok


def test_a_refused_secret_falls_back_to_the_previous_one_until_it_expires(
    connections, emulator, apps, emulator_clock, caplog
):
    app = apps[APP]
    restricted(connections, emulator, app, "DE")
    typo = "amzn1.oa2-cs.v1." + "1" * 64  # edited without verification, and wrong
    connections.edit("de-store", client_secret=typo)
    connection = connections.get("de-store")
    with caplog.at_level(logging.WARNING, logger="amazon_connector"):
        assert connection.authenticator.new_access_token().value.startswith("Atza|")
    assert "retrying with the application's previous one" in caplog.text
    assert app["client_secret"] not in caplog.text
    emulator_clock.advance(WEEK)  # the previous secret's 7 days are over: it is never used again
    application = connections.get("de-store").record.application
    assert application is not None
    assert application.previous(emulator_clock.now()) is None
    with pytest.raises(InvalidClientError):
        connections.get("de-store").authenticator.new_access_token()


def test_expiry_notices_are_recorded(connections, emulator, apps, emulator_clock):
    app = apps[APP]
    restricted(connections, emulator, app, "DE")
    connections.applications.configure_queue(app["client_id"], queue_of(emulator, app))
    when = emulator_clock.now() + timedelta(days=40)
    answer = httpx.post(
        f"{emulator.url}/_sandbox/applications/{app['client_id']}/secret-expiry",
        json={"clientSecretExpiryTime": when.isoformat()},
        timeout=10,
    )
    assert answer.status_code == 200
    (received,) = connections.applications.receive(app["client_id"])
    assert not received.switched
    assert f"expires on {when:%Y-%m-%d %H:%M} UTC (PERIODIC_ROTATION)" in received.message
    (status,) = connections.applications.status()
    assert status.secret is not None
    assert status.secret.expiry_announced
    assert abs(status.secret.expires_at - when) < timedelta(milliseconds=1)
    assert status.level is SecretLevel.WARNING
    assert "must be rotated by" in status.secret.message
    assert connections.applications.receive(app["client_id"]) == []


def test_queue_and_notification_errors_are_clear(connections, emulator, apps):
    app = apps[APP]
    restricted(connections, emulator, app, "DE")
    cid = app["client_id"]
    with pytest.raises(ConfigurationError, match="No SQS queue is configured"):
        connections.applications.receive(cid)
    with pytest.raises(QueueError, match="NonExistentQueue"):
        connections.applications.configure_queue(
            cid, queue_of(emulator, app).replace("notifications", "none")
        )
    with pytest.raises(ConfigurationError, match="not an SQS queue URL"):
        connections.applications.configure_queue(cid, "https://example.invalid")
    with pytest.raises(ConfigurationError, match="newClientSecret is missing"):
        connections.applications.take_notification(
            {
                "notificationType": "APPLICATION_OAUTH_CLIENT_NEW_SECRET",
                "payload": {"applicationOAuthClientNewSecret": {"clientId": cid}},
            }
        )
    assert connections.applications.take_notification({"notificationType": "ANY_OFFER_CHANGED"}) is None
    with pytest.raises(ConfigurationError, match="No connection uses client ID"):
        connections.applications.set_secret("amzn1.application-oa2-client." + "f" * 32, "x")


def test_the_secrets_commands(run, connections, emulator, apps, tmp_path):
    app = apps[APP]
    cid = app["client_id"]
    restricted(connections, emulator, app, "DE")
    out = run("secrets", "status").stdout
    assert cid in out
    assert "de-store" in out

    rotated = run("secrets", "rotate", "--client-id", cid).stdout
    assert "Amazon is rotating the client secret" in rotated
    assert "has not arrived" in rotated
    waiting = run("secrets", "status", expect=2).stdout
    assert "has not arrived" in waiting
    assert "has not arrived" in run("connections", "list").stdout

    notification = tmp_path / "notification.json"
    notification.write_text(take_raw_notification(emulator, app))
    taken = run("secrets", "receive", "--file", str(notification)).stdout
    assert "now uses the new client secret" in taken
    shown = run("secrets", "status", "--json").stdout
    new = json.loads(notification.read_text())["payload"]["applicationOAuthClientNewSecret"][
        "newClientSecret"
    ]
    assert new not in shown
    assert app["client_secret"] not in shown
    (entry,) = json.loads(shown)
    assert (entry["level"], entry["connections"], entry["rotation_requested_at"]) == (
        "ok",
        ["de-store"],
        None,
    )
    assert entry["previous_secret_usable_until"] is not None

    httpx.post(
        f"{emulator.url}/_sandbox/applications/{cid}/secret-expiry",
        json={"clientSecretExpiryTime": (connections.clock.now() + timedelta(days=60)).isoformat()},
        timeout=10,
    ).raise_for_status()
    run("secrets", "queue", "--client-id", cid, "--queue-url", queue_of(emulator, app))
    assert "expires on" in run("secrets", "receive", "--client-id", cid).stdout
    assert "must be rotated by" in run("secrets", "status", expect=1).stdout

    notification.write_text("{not json")
    assert "is not JSON" in run("secrets", "receive", "--file", str(notification), expect=1).stderr
    assert "No client secret given" in run("secrets", "set", "--client-id", cid, expect=1).stderr
    same = run("secrets", "set", "--client-id", cid, env={"AMAZON_CONNECTOR_CLIENT_SECRET": new})
    assert "nothing changed" in same.stdout


def test_an_app_not_enrolled_for_notifications_is_told_how_to_enrol(run, connections, emulator, apps):
    app = apps["Demo Draft App"]
    connections.add("draft", country="UK", **app_settings(app, emulator))
    failed = run("secrets", "rotate", "--client-id", app["client_id"], expect=1).stderr
    assert "Application is not enrolled for rotation notification" in failed
    assert "Register an SQS queue for 'Application Client New Secret'" in failed
    (status,) = connections.applications.status()
    assert status.application.rotation_requested_at is None
