"""SP-API over real HTTP: getMarketplaceParticipations, createRestrictedDataToken, auth errors, usage plans."""

import uuid
from typing import Any

import httpx
import pytest

from amazon_connector.api.catalog import catalog
from amazon_connector.api.schemas import (
    CreateRestrictedDataTokenResponse,
    GetMarketplaceParticipationsResponse,
)
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.robot import approve
from amazon_connector.sandbox.spapi.stateful import HANDLERS
from tests.sandbox.conftest import (
    SELLER_COUNTRIES,
    access_token,
    consent_url,
    denied,
    errors,
    lwa,
    query,
    seller_in,
)

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
RDT = "/tokens/2021-03-01/restrictedDataToken"
ORDERS_PII = {"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo", "shippingAddress"]}


def rdt(http: httpx.Client, token: str, *resources: dict[str, Any], **more: str) -> httpx.Response:
    return http.post(
        RDT, headers={"x-amz-access-token": token}, json={"restrictedResources": list(resources), **more}
    )


@pytest.mark.parametrize("region", ["NA", "EU", "FE"])
def test_marketplace_participations_of_each_seller(http, apps, region):
    app = apps["Demo Private App"]
    countries = SELLER_COUNTRIES[region]
    response = http.get(PARTICIPATIONS, headers={"x-amz-access-token": access_token(http, app, countries[0])})
    assert response.status_code == 200
    uuid.UUID(response.headers["x-amzn-RequestId"])
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.016"
    payload = GetMarketplaceParticipationsResponse.model_validate(response.json()).payload or []
    assert [p.marketplace.id for p in payload] == [get_marketplace(c).marketplace_id for c in countries]
    assert {p.storeName for p in payload} == {seller_in(app, countries[0])["store_name"]}
    assert all(p.participation.isParticipating and not p.participation.hasSuspendedListings for p in payload)
    first = payload[0].marketplace
    if region == "EU":
        assert (first.countryCode, first.name, first.defaultCurrencyCode) == ("GB", "Amazon.co.uk", "GBP")
        assert (first.defaultLanguageCode, first.domainName) == ("en_GB", "www.amazon.co.uk")


def test_the_seller_who_consented_is_the_one_served(http, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    seller = seller_in(app, "JP")
    landed = approve(
        consent_url(emulator, app, redirect_uri=redirect_uri),
        selling_partner_id=seller["selling_partner_id"],
        follow=False,
    )
    code = query(landed)["spapi_oauth_code"]
    token = lwa(http, app, grant_type="authorization_code", code=code, redirect_uri=redirect_uri).json()[
        "access_token"
    ]
    body = http.get(PARTICIPATIONS, headers={"x-amz-access-token": token}).json()
    assert [p["marketplace"]["countryCode"] for p in body["payload"]] == ["JP", "AU", "SG"]


def test_missing_invalid_and_expired_access_tokens(http, apps, clock):
    denied(http.get(PARTICIPATIONS), "Access token is missing in the request header.")
    bad = http.get(PARTICIPATIONS, headers={"x-amz-access-token": "Atza|" + "x" * 400})
    denied(bad, "The access token you provided is revoked, malformed or invalid.")
    token = access_token(http, apps["Demo Private App"], "UK")
    clock.advance(3599)
    assert http.get(PARTICIPATIONS, headers={"x-amz-access-token": token}).status_code == 200
    clock.advance(1)
    denied(
        http.get(PARTICIPATIONS, headers={"x-amz-access-token": token}),
        "The access token you provided has expired.",
    )


def test_grantless_token_and_rdt_do_not_open_seller_operations(http, apps):
    app = apps["Demo Private App (restricted)"]
    grantless = lwa(
        http, app, grant_type="client_credentials", scope="sellingpartnerapi::notifications"
    ).json()
    denied(http.get(PARTICIPATIONS, headers={"x-amz-access-token": grantless["access_token"]}), "")
    denied(rdt(http, grantless["access_token"], ORDERS_PII), "")
    restricted = rdt(http, access_token(http, app, "DE"), ORDERS_PII).json()["restrictedDataToken"]
    denied(http.get(PARTICIPATIONS, headers={"x-amz-access-token": restricted}), "")


def test_unknown_paths_and_methods_are_404_with_an_errors_body(http):
    for response in (http.get("/sellers/v2/nothing"), http.delete(PARTICIPATIONS), http.get("/")):
        error = errors(response, 404, "ResourceNotFound").errors[0]
        assert error.message == "Cannot find resource by the given URI"
        assert "x-amzn-RateLimit-Limit" not in response.headers


def test_quota_exceeded_past_the_burst_and_refilled_on_the_clock(http: httpx.Client, apps, clock):
    app = apps["Demo Private App"]
    uk, jp = access_token(http, app, "UK"), access_token(http, app, "JP")

    def call(token: str) -> httpx.Response:
        return http.get(PARTICIPATIONS, headers={"x-amz-access-token": token})

    assert [call(uk).status_code for _ in range(15)] == [200] * 15
    throttled = call(uk)
    body = errors(throttled, 429, "QuotaExceeded")
    assert body.model_dump(exclude_none=True) == {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }
    assert throttled.headers["x-amzn-RateLimit-Limit"] == "0.016"  # the models declare it on 429 too
    assert call(jp).status_code == 200  # each seller has its own bucket
    other_app = access_token(http, apps["Demo Private App (restricted)"], "UK")
    assert call(other_app).status_code == 200  # and each application
    clock.advance(1 / 0.016)
    assert call(uk).status_code == 200
    assert call(uk).status_code == 429


def test_restricted_data_token(http, emulator, apps, world):
    app = apps["Demo Private App (restricted)"]
    token = access_token(http, app, "DE")
    address = {"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}
    concrete = {
        "method": "GET",
        "path": "/orders/v0/orders/123-1234567-1234567",
        "dataElements": ["buyerInfo"],
    }
    response = rdt(http, token, ORDERS_PII, address, concrete)
    assert response.status_code == 200, response.text
    assert response.headers["x-amzn-RateLimit-Limit"] == "1.0"
    body = CreateRestrictedDataTokenResponse.model_validate(response.json())
    assert set(response.json()) == {"restrictedDataToken", "expiresIn"}
    assert (body.restrictedDataToken or "").startswith("Atz.sprdt|")
    assert body.expiresIn == 3600
    [issued] = emulator.app.state.sandbox.grants.rdts
    assert issued.selling_partner_id == seller_in(app, "DE")["selling_partner_id"]
    assert issued.covers("GET", "/orders/v0/orders/111-2222222-3333333/address")
    assert issued.covers("GET", "/orders/v0/orders/123-1234567-1234567")
    assert not issued.covers("GET", "/orders/v0/orders/111-2222222-3333333")
    assert not issued.covers("DELETE", "/orders/v0/orders")


def test_rdt_without_the_restricted_role_is_refused(http, apps):
    token = access_token(http, apps["Demo Private App"], "UK")
    denied(
        rdt(http, token, ORDERS_PII),
        "Application does not have access to one or more requested data elements: [buyerInfo, shippingAddress]",
    )
    denied(rdt(http, token, {"method": "GET", "path": "/mfn/v0/shipments/{shipmentId}"}), "")
    restricted = access_token(http, apps["Demo Private App (restricted)"], "UK")
    tax = {
        "method": "GET",
        "path": "/orders/v0/orders",
        "dataElements": ["shippingAddress", "buyerTaxInformation"],
    }
    denied(
        rdt(http, restricted, tax),
        "Application does not have access to one or more requested data elements: [buyerTaxInformation]",
    )


def test_rdt_for_a_delegatee_needs_the_delegatees_role(http, apps):
    plain, restricted = apps["Demo Private App"], apps["Demo Private App (restricted)"]
    ok = rdt(http, access_token(http, plain, "UK"), ORDERS_PII, targetApplication=restricted["app_id"])
    assert ok.status_code == 200
    refused = rdt(http, access_token(http, restricted, "UK"), ORDERS_PII, targetApplication=plain["app_id"])
    denied(
        refused,
        "Application does not have access to one or more requested data elements: [buyerInfo, shippingAddress]",
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"restrictedResources": []},
        {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders"}] * 51},
        {"restrictedResources": [{"method": "PATCH", "path": "/orders/v0/orders"}]},
        {"restrictedResources": [{"method": "GET"}]},
        {"restrictedResources": [{"method": "GET", "path": "/sellers/v1/marketplaceParticipations"}]},
        {"restrictedResources": [{"method": "POST", "path": "/orders/v0/orders"}]},
        {"restrictedResources": [{"method": "GET", "path": "/nowhere"}]},
        {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["email"]}]},
        {
            "restrictedResources": [
                {"method": "GET", "path": "/reports/2021-06-30/documents/{reportDocumentId}"}
            ]
        },
        {"restrictedResources": [ORDERS_PII], "targetApplication": "amzn1.sp.solution.unknown"},
        [ORDERS_PII],
    ],
)
def test_rdt_invalid_input(http, apps, body):
    token = access_token(http, apps["Demo Private App (restricted)"], "UK")
    response = http.post(RDT, headers={"x-amz-access-token": token}, json=body)
    error = errors(response, 400, "InvalidInput").errors[0]
    assert error.message
    assert response.headers["x-amzn-RateLimit-Limit"] == "1.0"


def test_rdt_body_that_is_not_json(http, apps):
    token = access_token(http, apps["Demo Private App (restricted)"], "UK")
    response = http.post(RDT, headers={"x-amz-access-token": token}, content=b"restrictedResources=1")
    assert errors(response, 400, "InvalidInput").errors[0].details == "The request body is not JSON."


def test_concrete_report_document_path_is_accepted(http, apps):
    token = access_token(http, apps["Demo Private App (restricted)"], "UK")
    resource = {"method": "GET", "path": "/reports/2021-06-30/documents/amzn1.spdoc.1.4.na.123"}
    assert rdt(http, token, resource).status_code == 200


def test_every_stateful_handler_is_an_operation_of_the_catalog():
    names = {op.qualified_name for op in catalog().operations}
    assert HANDLERS
    assert set(HANDLERS) <= names
