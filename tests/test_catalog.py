import json
from pathlib import Path

import pytest

from amazon_connector.api.catalog import catalog
from amazon_connector.errors import ConfigurationError
from amazon_connector.runtime.caller import READ_ONLY_POSTS, is_idempotent
from amazon_connector.runtime.spapi import call_params

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "sp-api-operations.json"


def test_catalog_matches_the_reference():
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ops = catalog().operations
    assert len(ops) == len(reference) == 370
    for op, ref in zip(ops, reference, strict=True):
        assert (op.api, op.version, op.operation_id, op.method, op.path) == (
            ref["api"],
            ref["version"],
            ref["operationId"],
            ref["method"],
            ref["path"],
        )
        assert (op.rate, op.burst, op.restricted, op.grantless_scope) == (
            ref["rate"],
            ref["burst"],
            ref["restricted"],
            ref["grantless_scope"],
        )


def test_lookup_by_name_and_request():
    c = catalog()
    assert c.get("getMarketplaceParticipations").rate == 0.016
    assert c.get("tokens.createRestrictedDataToken").burst == 10
    assert (
        c.get("rotateApplicationClientSecret").grantless_scope
        == "sellingpartnerapi::client_credential:rotation"
    )
    order = c.match("GET", "/orders/v0/orders/123-1234567-1234567")
    assert order is not None
    assert order.operation_id == "getOrder"
    assert c.match("GET", "/nothing/here") is None


def test_ambiguous_and_unknown_names_say_what_to_use():
    with pytest.raises(ConfigurationError, match="ambiguous") as info:
        catalog().get("getAccount")
    assert "sellers/v1/getAccount" in str(info.value)
    with pytest.raises(ConfigurationError, match="Unknown SP-API operation"):
        catalog().get("getEverything")


def test_read_only_posts_name_post_operations_of_the_catalog():
    posts = {op.operation_id for op in catalog().operations if op.method == "POST"}
    assert posts >= READ_ONLY_POSTS, READ_ONLY_POSTS - posts
    get_orders, create_report = catalog().get("getOrders"), catalog().get("createReport")
    assert is_idempotent(
        get_orders, call_params(get_orders, {"CreatedAfter": "2026-01-01"}, marketplace_id="X")
    )
    assert not is_idempotent(create_report, call_params(create_report, {"body": {}}, marketplace_id="X"))
    fees = catalog().get("getMyFeesEstimates")
    assert is_idempotent(fees, call_params(fees, {"body": []}, marketplace_id="X"))
