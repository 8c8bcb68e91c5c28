"""The SP-API as the models say, over real HTTP: every static sandbox example answered exactly (the
``static`` mode of Amazon's sandbox), requests checked by the models, answers made from them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from jsonschema import Draft4Validator

from amazon_connector.api.catalog import Operation, catalog
from amazon_connector.api.shapes import Example, ParameterShape, shape
from amazon_connector.clock import ManualClock
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.spapi.usage import UsagePlan
from amazon_connector.sandbox.world import demo_world
from tests.conftest import EmulatorProcess
from tests.sandbox.conftest import access_token, lwa

UNTHROTTLED = UsagePlan(1000.0, 1000)
CATALOG_ITEM = "/catalog/2020-12-01/items/B07N4M94X4"
"""An operation answered from its model's data (the 2022-04-01 version answers from the emulator's catalogue)."""


def examples() -> list[tuple[Operation, Example]]:
    return [(op, example) for op in catalog().operations for example in shape(op).examples]


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def request_of(operation: Operation, example: Example) -> dict[str, Any]:
    """The HTTP request an example describes: method, URL path, query, headers and JSON body."""
    params = {p.name: p for p in shape(operation).parameters}
    path = operation.path
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    body = None
    for name, value in example.parameters.items():
        param: ParameterShape = params[name]
        if param.location == "path":
            path = path.replace("{" + name + "}", quote(_text(value), safe="/" if param.greedy else ""))
        elif param.location == "body":
            body = value
        elif param.location == "header":
            headers[name] = _text(value)
        elif isinstance(value, list) and param.collection_format == "multi":
            query += [(name, _text(v)) for v in value]
        else:
            query.append(
                (name, ",".join(_text(v) for v in value) if isinstance(value, list) else _text(value))
            )
    return {"method": operation.method, "url": path, "params": query, "headers": headers, "json": body}


def reachable(pairs: list[tuple[Operation, Example]]) -> Iterator[tuple[Operation, Example]]:
    """The examples whose request no earlier example of the operation answers already."""
    seen: set[str] = set()
    for operation, example in pairs:
        key = json.dumps(
            [operation.qualified_name, operation.method, request_of(operation, example)], sort_keys=True
        )
        if key not in seen:
            seen.add(key)
            yield operation, example


@pytest.fixture(scope="module")
def static_emulator() -> Iterator[RunningEmulator]:
    with running_emulator(demo_world(), clock=ManualClock(), static=True) as running:
        running.sandbox.usage.overrides.update(
            dict.fromkeys({op.qualified_name for op in catalog().operations}, UNTHROTTLED)
        )
        yield running


@pytest.fixture(scope="module")
def tokens(static_emulator: RunningEmulator) -> dict[str | None, str]:
    """A seller token and a grantless token for each scope, of the restricted private app."""
    app = {a["name"]: a for a in static_emulator.world.credentials()}["Demo Private App (restricted)"]
    with httpx.Client(base_url=static_emulator.url) as http:
        found: dict[str | None, str] = {None: access_token(http, app, "US")}
        for scope in {op.grantless_scope for op in catalog().operations if op.grantless_scope}:
            answer = lwa(http, app, grant_type="client_credentials", scope=scope)
            found[scope] = answer.json()["access_token"]
    return found


def test_every_static_example_is_answered_exactly(static_emulator, tokens):
    pairs = list(reachable(examples()))
    assert len(pairs) > 900  # 910 of 912: two getAccount 400s repeat an earlier request
    with httpx.Client(base_url=static_emulator.url, timeout=10.0) as http:
        for operation, example in pairs:
            request = request_of(operation, example)
            request["headers"]["x-amz-access-token"] = tokens[operation.grantless_scope]
            answer = http.request(**request)
            where = f"{operation.qualified_name} {request}"
            assert answer.status_code == example.status, where
            if example.body is None or example.status == 204:
                assert answer.content == b"", where
            else:
                assert answer.json() == example.body, where
            for name, value in example.headers.items():
                assert answer.headers[name] == str(value), where


def test_static_mode_refuses_what_no_example_names(static_emulator, tokens):
    with httpx.Client(base_url=static_emulator.url, timeout=10.0) as http:
        answer = http.get(
            CATALOG_ITEM,
            params={"marketplaceIds": "ATVPDKIKX0DER", "includedData": "images"},
            headers={"x-amz-access-token": tokens[None]},
        )
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [{"code": "InvalidInput", "message": "Could not match input arguments", "details": ""}]
    }


def test_a_missing_required_parameter_is_named(http, apps):
    token = access_token(http, apps["Demo Private App"], "UK")
    answer = http.get(CATALOG_ITEM, headers={"x-amz-access-token": token})
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {
                "code": "InvalidInput",
                "message": "Missing or invalid request parameters: [marketplaceIds]",
                "details": "marketplaceIds is required.",
            }
        ]
    }
    assert answer.headers["x-amzn-RateLimit-Limit"] == "2.0"


@pytest.mark.parametrize(
    ("params", "where", "details"),
    [
        (
            {"marketplaceIds": "A1F83G8C2ARO7P", "includedData": "pictures"},
            "includedData[0]",
            "'pictures' is not",
        ),
        ({"marketplaceIds": "A1F83G8C2ARO7P", "locale": ""}, "marketplaceIds", None),
    ],
)
def test_enums_and_types_are_checked(http, apps, params, where, details):
    token = access_token(http, apps["Demo Private App"], "UK")
    answer = http.get(CATALOG_ITEM, params=params, headers={"x-amz-access-token": token})
    if details is None:
        assert answer.status_code == 200, answer.text
        return
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["message"] == f"Missing or invalid request parameters: [{where}]"
    assert error["details"].startswith(details)


def test_body_fields_are_checked_by_path(http, apps):
    token = access_token(http, apps["Demo Private App"], "UK")
    answer = http.post(
        "/tokens/2021-03-01/restrictedDataToken",
        headers={"x-amz-access-token": token},
        json={"restrictedResources": [{"method": "GET"}]},
    )
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["message"] == "Missing or invalid request parameters: [body.restrictedResources[0].path]"
    assert error["details"] == "'path' is a required property"


def test_made_answers_are_valid_deterministic_and_look_like_amazons(http, apps, world):
    token = access_token(http, apps["Demo Private App"], "DE")
    params = {"marketplaceIds": "A1PA6795UKMFR9", "includedData": "summaries,attributes"}
    first = http.get(CATALOG_ITEM, params=params, headers={"x-amz-access-token": token})
    assert first.status_code == 200
    assert http.get(CATALOG_ITEM, params=params, headers={"x-amz-access-token": token}).json() == first.json()
    operation = catalog().get("catalog-items/2020-12-01/getCatalogItem")
    schema = shape(operation).schema(200)
    assert schema is not None
    Draft4Validator(schema).validate(first.json())
    body = first.json()
    assert body["asin"] == "B07N4M94X4"  # the request's identifier comes back
    assert {s["marketplaceId"] for s in body.get("summaries", [])} <= {"A1PA6795UKMFR9"}
    other = http.get(
        CATALOG_ITEM.replace("B07N4M94X4", "B000000001"), params=params, headers={"x-amz-access-token": token}
    )
    assert other.json() != body


def test_error_bodies_take_each_models_shape(http, apps):
    """The Services API answers errors of setAppointmentFulfillmentData as a bare array, as its model says."""
    token = access_token(http, apps["Demo Private App"], "UK")
    path = "/service/v1/serviceJobs/JOB1/appointments/APPOINTMENT1/fulfillment"
    refused = http.put(path, headers={"x-amz-access-token": token})
    assert refused.status_code == 400
    assert refused.json() == [
        {
            "code": "InvalidInput",
            "message": "Missing or invalid request parameters: [body]",
            "details": "body is required.",
        }
    ]
    done = http.put(path, headers={"x-amz-access-token": token}, json={})
    assert (done.status_code, done.content) == (204, b"")


def test_a_token_of_the_wrong_kind_is_refused(http, apps):
    app = apps["Demo Private App (restricted)"]
    seller = access_token(http, app, "UK")
    grantless = lwa(
        http, app, grant_type="client_credentials", scope="sellingpartnerapi::notifications"
    ).json()["access_token"]
    subscriptions = "/notifications/v1/subscriptions/ANY_OFFER_CHANGED"
    assert http.get(subscriptions, headers={"x-amz-access-token": grantless}).status_code == 403
    assert http.get(subscriptions, headers={"x-amz-access-token": seller}).status_code == 200
    assert (
        http.get("/notifications/v1/destinations", headers={"x-amz-access-token": seller}).status_code == 403
    )


def test_sandbox_serve_static_from_the_command_line():
    process = EmulatorProcess("--static")
    try:
        app = process.apps["Demo Private App"]
        with httpx.Client(base_url=process.url, timeout=10.0) as http:
            token = {"x-amz-access-token": access_token(http, app, "US")}
            participations = http.get("/sellers/v1/marketplaceParticipations", headers=token)
            operation = catalog().get("getMarketplaceParticipations")
            assert participations.json() == shape(operation).examples[0].body  # Amazon's, not the world's
            assert http.get(CATALOG_ITEM, params={"marketplaceIds": "x"}, headers=token).status_code == 400
    finally:
        process.close()
