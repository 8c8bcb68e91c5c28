"""Made answers, directly (no HTTP): valid against every operation's model for any seed, and patterns."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from jsonschema import Draft4Validator

from amazon_connector.api.catalog import catalog
from amazon_connector.api.shapes import shape
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.spapi.patterns import matches, sample
from amazon_connector.sandbox.spapi.values import Context, Generator, seed_of

CONTEXT = Context(
    (get_marketplace("JP"),), datetime(2026, 1, 1, tzinfo=UTC), {"amazonorderid": "503-1234567-7654321"}
)


def _patterns(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return found.union(*(_patterns(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_patterns(v) for v in node))
    return set()


def every_pattern() -> list[str]:
    found: set[str] = set()
    for operation in catalog().operations:
        model = shape(operation)
        found |= _patterns(model.definitions) | _patterns([p.schema for p in model.parameters])
    return sorted(found)


@pytest.mark.parametrize("pattern", every_pattern())
def test_samples_match_every_pattern_of_the_models(pattern):
    rng = random.Random(7)
    for _ in range(20):
        value = sample(pattern, rng)
        assert matches(pattern, value), (pattern, value)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_made_answers_are_valid_for_every_operation(seed):
    for operation in catalog().operations:
        model = shape(operation)
        schema = model.schema(model.success_status)
        if schema is None:
            continue
        made = Generator(model.definitions, CONTEXT, seed_of(seed, operation.qualified_name)).value(schema)
        errors = list(Draft4Validator(schema).iter_errors(made))
        assert errors == [], (operation.qualified_name, errors[0].message)


def test_values_look_like_amazons():
    order = catalog().get("orders/v0/getOrder")
    model = shape(order)
    made = Generator(model.definitions, CONTEXT, 1).value(model.schema(200) or {})["payload"]
    assert made["AmazonOrderId"] == "503-1234567-7654321"  # the request's own identifier
    assert made["MarketplaceId"] == "A1VC38T7YXB528"
    assert made["OrderTotal"]["CurrencyCode"] == "JPY"
    assert datetime.fromisoformat(made["PurchaseDate"]) < CONTEXT.now
    assert Generator(model.definitions, CONTEXT, 1).value(model.schema(200) or {})["payload"] == made
