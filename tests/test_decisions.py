"""The decision after a failed attempt, every branch, as a pure function (no I/O, no clock)."""

from __future__ import annotations

import pytest

from amazon_connector.api.catalog import catalog
from amazon_connector.errors import (
    ApiError,
    ForbiddenError,
    MissingRoleError,
    NotFoundError,
    RequestTimeoutError,
    ServerError,
    ThrottledError,
    TransportError,
    UnauthorizedError,
)
from amazon_connector.runtime.decisions import (
    Attempts,
    CallPolicy,
    Raise,
    Renew,
    Retry,
    Sent,
    UseRdt,
    decide,
    lookups,
)
from amazon_connector.runtime.restricted import RestrictedResource, roles_needed

POLICY = CallPolicy(retries=2, retry_wait=4.0, deadline=100.0)
FRESH = Attempts(deadline=100.0)
NOW = 10.0

GET_ORDERS = catalog().get("getOrders")
CREATE_REPORT = catalog().get("createReport")
GET_DOCUMENT = catalog().get("getReportDocument")
GET_ADDRESS = catalog().get("getOrderAddress")
SEARCH_CATALOG = catalog().get("searchCatalogItems")


def sent(op=GET_ORDERS, *, idempotent=True, identity="", resource=None, rdt_left=False) -> Sent:
    return Sent(op, idempotent, identity, resource, rdt_left)


def answer(cls: type[ApiError], status: int, message: str = "", code: str = "X") -> ApiError:
    return cls(f"HTTP {status}", status=status, errors=[{"code": code, "message": message}])


def test_a_429_waits_the_retry_wait_with_jitter_while_retries_and_the_deadline_last():
    throttled = answer(ThrottledError, 429, "You exceeded your quota")
    first = decide(throttled, sent(CREATE_REPORT, idempotent=False), FRESH, POLICY, now=NOW, draw=0.5)
    assert first == Retry(4.5, Attempts(100.0, throttled=1), "createReport was throttled; retry 1 in 4.5 s")
    spent = Attempts(100.0, throttled=2)
    assert decide(throttled, sent(), spent, POLICY, now=NOW, draw=0.5) == Raise(throttled)
    assert decide(throttled, sent(), FRESH, POLICY, now=96.0, draw=0.5) == Raise(
        throttled
    )  # past the deadline


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_retried_with_backoff_only_when_the_call_is_safe_to_repeat(status):
    failure = answer(ServerError, status)
    retry = decide(failure, sent(), FRESH, POLICY, now=NOW, draw=1.0)
    assert retry == Retry(0.5, Attempts(100.0, failed=1), f"getOrders: HTTP {status}; retry 1 in 0.50 s")
    again = decide(failure, sent(), Attempts(100.0, failed=1), POLICY, now=NOW, draw=0.0)
    assert isinstance(again, Retry)
    assert again.wait == 0.5  # the ceiling doubled to 1.0, the draw takes half
    assert decide(failure, sent(), Attempts(100.0, failed=2), POLICY, now=NOW, draw=0.0) == Raise(failure)
    assert decide(failure, sent(), FRESH, POLICY, now=99.9, draw=1.0) == Raise(failure)

    created = decide(failure, sent(CREATE_REPORT, idempotent=False), FRESH, POLICY, now=NOW, draw=0.0)
    assert isinstance(created, Raise)
    assert type(created.error) is ServerError
    assert created.error.status == status
    assert "createReport may have been carried out" in str(created.error)
    assert "Check with getReports" in str(created.error)
    assert failure.hint is None  # the original error is left as it was


def test_the_backoff_ceiling_is_the_retry_wait():
    policy = CallPolicy(retries=10, retry_wait=1.0, deadline=100.0)
    retry = decide(answer(ServerError, 503), sent(), Attempts(100.0, failed=6), policy, now=NOW, draw=1.0)
    assert isinstance(retry, Retry)
    assert retry.wait == 1.0


def test_a_transport_failure_is_retried_unless_a_creating_call_may_have_arrived():
    never_sent = TransportError("connection refused", delivered=False, hint="The request can be retried.")
    lost = RequestTimeoutError("timed out", delivered=True, hint="The request can be retried.")
    assert isinstance(
        decide(never_sent, sent(CREATE_REPORT, idempotent=False), FRESH, POLICY, now=NOW, draw=0), Retry
    )
    assert isinstance(decide(lost, sent(), FRESH, POLICY, now=NOW, draw=0), Retry)
    gone = decide(lost, sent(CREATE_REPORT, idempotent=False), FRESH, POLICY, now=NOW, draw=0)
    assert isinstance(gone, Raise)
    assert isinstance(gone.error, RequestTimeoutError)
    assert "can be retried" not in str(gone.error)
    assert "createReport may have been carried out" in str(gone.error)
    assert "Check with getReports whether it did before sending it again" in str(gone.error)
    spent = Attempts(100.0, failed=2)
    assert decide(never_sent, sent(), spent, POLICY, now=NOW, draw=0) == Raise(never_sent)


def test_an_expired_token_is_renewed_once_per_token():
    expired = answer(ForbiddenError, 403, "The access token you provided has expired.", "Unauthorized")
    renew = decide(expired, sent(identity="seller"), FRESH, POLICY, now=NOW, draw=0)
    assert renew == Renew(Attempts(100.0, renewed=frozenset({"seller"})))
    assert isinstance(renew, Renew)
    assert decide(expired, sent(identity="seller"), renew.attempts, POLICY, now=NOW, draw=0) == Raise(expired)
    other = decide(expired, sent(identity="rdt"), renew.attempts, POLICY, now=NOW, draw=0)
    assert isinstance(other, Renew)
    revoked = answer(UnauthorizedError, 401, "Access token is revoked")
    assert isinstance(decide(revoked, sent(), FRESH, POLICY, now=NOW, draw=0), Renew)


def test_a_refused_restricted_report_document_is_asked_for_again_with_an_rdt():
    refused = answer(ForbiddenError, 403, "Access to requested resource is denied.", "Unauthorized")
    first = decide(refused, sent(GET_DOCUMENT, rdt_left=True), FRESH, POLICY, now=NOW, draw=0)
    assert first == UseRdt()
    resource = RestrictedResource("GET", "/reports/2021-06-30/documents/D1")
    after = decide(refused, sent(GET_DOCUMENT, resource=resource), FRESH, POLICY, now=NOW, draw=0)
    assert isinstance(after, Raise)
    assert isinstance(after.error, MissingRoleError)
    assert "Tax Invoicing (Restricted)" in " ".join(after.error.roles)


def test_a_403_that_is_not_about_the_token_names_the_missing_role():
    refused = answer(ForbiddenError, 403, "Access to requested resource is denied.", "Unauthorized")
    plain = decide(refused, sent(SEARCH_CATALOG), FRESH, POLICY, now=NOW, draw=0)
    assert isinstance(plain, Raise)
    assert isinstance(plain.error, MissingRoleError)
    assert plain.error.roles == ["Product Listing"]
    assert plain.error.request_id == refused.request_id
    address = RestrictedResource("GET", "/orders/v0/orders/{orderId}/address")
    restricted = decide(refused, sent(GET_ADDRESS, resource=address), FRESH, POLICY, now=NOW, draw=0)
    assert isinstance(restricted, Raise)
    assert restricted.error.roles == ["Direct-to-Consumer Shipping (Restricted)"]  # type: ignore[attr-defined]
    unknown = decide(
        refused, sent(catalog().get("getMarketplaceParticipations")), FRESH, POLICY, now=NOW, draw=0
    )
    assert unknown == Raise(refused)  # no role known: Amazon's error as it is
    bad_token = answer(ForbiddenError, 403, "Invalid access token")
    spent = Attempts(100.0, renewed=frozenset({""}))
    assert decide(bad_token, sent(), spent, POLICY, now=NOW, draw=0) == Raise(bad_token)


def test_a_role_that_grants_every_data_element_asked_for_is_named_alone():
    """buyerInfo needs Direct-to-Consumer Shipping or Tax Invoicing, shippingAddress the first: asking for
    both needs Direct-to-Consumer Shipping, and nothing else is worth requesting."""
    both = RestrictedResource("GET", "/orders/v0/orders", ("buyerInfo", "shippingAddress"))
    assert roles_needed(GET_ORDERS, both) == ["Direct-to-Consumer Shipping (Restricted)"]
    buyer = RestrictedResource("GET", "/orders/v0/orders", ("buyerInfo",))
    assert roles_needed(GET_ORDERS, buyer) == [
        "Direct-to-Consumer Shipping (Restricted) or Tax Invoicing (Restricted)"
    ]


def test_other_answers_are_raised_as_they_are():
    for failure in (answer(NotFoundError, 404), answer(ApiError, 400), answer(ApiError, 409)):
        assert decide(failure, sent(), FRESH, POLICY, now=NOW, draw=0) == Raise(failure)


@pytest.mark.parametrize(
    ("operation", "found"),
    [
        ("createReport", ["getReports"]),
        ("createFeed", ["getFeeds"]),
        ("createDestination", ["getDestinations"]),
        ("data-kiosk.createQuery", ["getQueries"]),
        ("createFulfillmentOrder", ["listAllFulfillmentOrders"]),
        ("createInboundPlan", ["listInboundPlans"]),
        ("merchant-fulfillment.createShipment", ["getShipment"]),
        ("confirmShipment", ["getOrders"]),
        ("rotateApplicationClientSecret", []),
    ],
)
def test_how_to_check_whether_a_call_took_effect(operation, found):
    assert lookups(catalog().get(operation)) == found
