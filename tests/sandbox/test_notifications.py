"""Notifications destinations over real HTTP: grantless, with the scope the catalog names."""

import pytest

from amazon_connector.api.catalog import catalog
from amazon_connector.api.schemas import DestinationResponse, GetDestinationsResponse
from tests.sandbox.conftest import access_token, lwa, spapi

DESTINATIONS = "/notifications/v1/destinations"
SCOPE = "sellingpartnerapi::notifications"
SQS = {"sqs": {"arn": "arn:aws:sqs:us-east-2:444455556666:queue1"}}


def grantless(http, app, scope: str = SCOPE) -> str:
    response = lwa(http, app, grant_type="client_credentials", scope=scope)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_the_catalog_names_the_scope():
    assert catalog().get("createDestination").grantless_scope == SCOPE


def test_create_list_get_delete(http, apps):
    app = apps["Demo Public App"]
    token = grantless(http, app)
    created = spapi(
        http, "POST", DESTINATIONS, token, json={"name": "orders-queue", "resourceSpecification": SQS}
    )
    assert created.status_code == 200, created.text
    assert created.headers["x-amzn-RateLimit-Limit"] == "1.0"
    destination = DestinationResponse.model_validate(created.json()).payload
    assert destination is not None
    assert destination.resource.sqs is not None
    assert destination.resource.sqs.arn == SQS["sqs"]["arn"]
    again = spapi(http, "POST", DESTINATIONS, token, json={"name": "twice", "resourceSpecification": SQS})
    assert again.status_code == 409
    listed = GetDestinationsResponse.model_validate(spapi(http, "GET", DESTINATIONS, token).json()).payload
    assert [d.destinationId for d in listed or []] == [destination.destinationId]
    one = spapi(http, "GET", f"{DESTINATIONS}/{destination.destinationId}", token).json()
    assert one["payload"]["name"] == "orders-queue"
    other_app = grantless(http, apps["Demo Private App"])
    assert spapi(http, "GET", DESTINATIONS, other_app).json() == {"payload": []}
    assert spapi(http, "DELETE", f"{DESTINATIONS}/{destination.destinationId}", other_app).status_code == 404
    deleted = spapi(http, "DELETE", f"{DESTINATIONS}/{destination.destinationId}", token)
    assert (deleted.status_code, deleted.json()) == (200, {})
    assert spapi(http, "GET", f"{DESTINATIONS}/{destination.destinationId}", token).status_code == 404


def test_event_bridge_destination(http, apps):
    app = apps["Demo Public App"]
    spec = {"eventBridge": {"region": "us-east-1", "accountId": "123456789012"}}
    body = spapi(
        http, "POST", DESTINATIONS, grantless(http, app), json={"name": "eb", "resourceSpecification": spec}
    )
    resource = body.json()["payload"]["resource"]["eventBridge"]
    assert resource["name"] == f"aws.partner/sellingpartnerapi.amazon.com/123456789012/{app['app_id']}"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x"},
        {"name": "x", "resourceSpecification": {}},
        {"name": "x", "resourceSpecification": {"sqs": {"arn": "not-an-arn"}}},
        {"name": "", "resourceSpecification": SQS},
    ],
)
def test_invalid_destinations(http, apps, body):
    response = spapi(http, "POST", DESTINATIONS, grantless(http, apps["Demo Public App"]), json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"


def test_seller_tokens_and_other_scopes_are_refused(http, apps):
    app = apps["Demo Private App"]
    for token in (
        access_token(http, app, "UK"),
        grantless(http, app, "sellingpartnerapi::client_credential:rotation"),
    ):
        response = spapi(http, "GET", DESTINATIONS, token)
        assert response.status_code == 403
        assert response.json()["errors"] == [
            {"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": ""}
        ]
    refused = spapi(http, "GET", "/orders/v0/orders/111-1111111-1111111", grantless(http, app))
    assert refused.status_code == 403
