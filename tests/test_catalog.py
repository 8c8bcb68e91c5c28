import csv
from pathlib import Path

import pytest

from amazon_connector.api.catalog import catalog
from amazon_connector.errors import ConfigurationError
from amazon_connector.runtime.caller import is_idempotent
from amazon_connector.runtime.spapi import call_params

REFERENCE = Path(__file__).resolve().parent / "reference" / "sp-api-operations.tsv"


def reference_operations() -> list[dict[str, str]]:
    """The project's reference list of operations (a digest of Amazon's models and documentation)."""
    lines = [line for line in REFERENCE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def optional(text: str) -> str | None:
    return text or None


def test_catalog_matches_the_reference_in_every_field():
    reference = reference_operations()
    ops = catalog().operations
    assert len(ops) == len(reference) == 370
    for op, ref in zip(ops, reference, strict=True):
        where = f"{ref['api']}/{ref['version']}/{ref['operationId']}"
        assert (op.api, op.version, op.operation_id, op.method, op.path) == (
            ref["api"],
            ref["version"],
            ref["operationId"],
            ref["method"],
            ref["path"],
        )
        assert (op.rate, op.burst) == (
            float(ref["rate"]) if ref["rate"] else None,
            int(ref["burst"]) if ref["burst"] else None,
        ), where
        assert (op.deprecated, op.restricted is not None, op.sandbox_only) == (
            ref["deprecated"] == "true",
            ref["restricted"] == "true",
            ref["sandbox_only"] == "true",
        ), where
        assert op.grantless_scope == optional(ref["grantless_scope"]), where
        paging = op.pagination
        tokens = (paging.token, paging.next, paging.previous) if paging else (None, None, None)
        assert tokens[0] == optional(ref["request_token"]), where
        assert [t for t in tokens[1:] if t] == [t for t in ref["response_tokens"].split(",") if t], where
        params = " ".join(f"{p.location}:{p.name}{'*' if p.required else ''}" for p in op.parameters)
        assert params == ref["parameters"], where


def test_lookup_by_name():
    c = catalog()
    assert c.get("getMarketplaceParticipations").rate == 0.016
    assert c.get("tokens.createRestrictedDataToken").burst == 10
    assert (
        c.get("rotateApplicationClientSecret").grantless_scope
        == "sellingpartnerapi::client_credential:rotation"
    )


def test_every_operation_is_found_by_its_qualified_name():
    names = [op.qualified_name for op in catalog().operations]
    assert len(set(names)) == len(names)
    for op in catalog().operations:
        assert catalog().get(op.qualified_name) is op


def test_an_operationid_with_two_methods_is_told_apart_by_the_method():
    c = catalog()
    put, post = c.get("shipping/v2/linkCarrierAccount:PUT"), c.get("linkCarrierAccount:post")
    assert (put.method, post.method) == ("PUT", "POST")
    assert put.qualified_name == "shipping/v2/linkCarrierAccount:PUT"
    assert c.get("shipping.linkCarrierAccount:POST") is post
    for name in ("linkCarrierAccount", "shipping/v2/linkCarrierAccount"):
        with pytest.raises(ConfigurationError, match="ambiguous") as info:
            c.get(name)
        assert info.value.hint == (
            "Use one of: shipping/v2/linkCarrierAccount:POST, shipping/v2/linkCarrierAccount:PUT."
        )
    with pytest.raises(ConfigurationError, match="Unknown SP-API operation"):
        c.get("linkCarrierAccount:DELETE")


def test_ambiguous_and_unknown_names_say_what_to_use():
    with pytest.raises(ConfigurationError, match="ambiguous") as info:
        catalog().get("getAccount")
    choices = str(info.value.hint).removeprefix("Use one of: ").removesuffix(".").split(", ")
    assert "sellers/v1/getAccount" in choices
    assert len(set(choices)) == len(choices)
    assert all(catalog().get(choice).operation_id == "getAccount" for choice in choices)
    with pytest.raises(ConfigurationError, match="Unknown SP-API operation"):
        catalog().get("getEverything")


def test_idempotent_calls_come_from_the_catalog():
    c = catalog()
    get_orders, create_report = c.get("getOrders"), c.get("createReport")
    assert is_idempotent(
        get_orders, call_params(get_orders, {"CreatedAfter": "2026-01-01"}, marketplace_id="X")
    )
    assert not is_idempotent(create_report, call_params(create_report, {"body": {}}, marketplace_id="X"))
    fees = c.get("getMyFeesEstimates")  # a POST that only reads
    assert fees.method == "POST"
    assert is_idempotent(fees, call_params(fees, {"body": []}, marketplace_id="X"))
    # a POST with an idempotency key: Amazon does it once however often it is sent
    purchase = c.get("shipping/v2/purchaseShipment")
    assert (purchase.idempotent, purchase.idempotency_key) == (False, "x-amzn-IdempotencyKey")
    params = call_params(purchase, {"body": {}}, marketplace_id="X")
    assert params.headers["x-amzn-IdempotencyKey"]
    assert is_idempotent(purchase, params)
