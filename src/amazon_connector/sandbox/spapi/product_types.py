"""The few product types the emulator's listings know, and how a listing's attributes are checked
against them (Amazon checks against each product type's JSON Schema from the Product Type Definitions
API; these rules keep the parts that updates of offers, stock and titles meet).

Every problem is an issue as the Listings Items API reports it: a code, a message, a severity, the
attribute and a category. The codes are the emulator's own, in Amazon's numeric style (90220 and 99022
as in Amazon's processing report example).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MISSING_ATTRIBUTE = "90220"
TOO_FEW_VALUES = "99022"
NOT_IN_PRODUCT_TYPE = "90244"
INVALID_VALUE = "99010"
BELOW_MINIMUM_PRICE = "99300"
ABOVE_MAXIMUM_PRICE = "99301"
UNKNOWN_SKU = "99404"
WRONG_PRODUCT_TYPE = "90120"
AMAZON_FULFILLED_QUANTITY = "99050"
NOT_BUYABLE = "18156"
"""A warning: the offer is accepted but shoppers cannot buy it (no stock)."""

OFFER_ATTRIBUTES = frozenset(
    {
        "purchasable_offer",
        "fulfillment_availability",
        "condition_type",
        "condition_note",
        "list_price",
        "merchant_shipping_group",
        "max_order_quantity",
        "skip_offer",
    }
)
"""Sales terms: every product type takes them (``PRODUCT`` takes only them)."""


@dataclass(frozen=True, slots=True)
class ProductType:
    """A product type: the product facts it takes besides the sales terms, and those a full listing needs."""

    name: str
    facts: frozenset[str]
    required: frozenset[str]

    @property
    def attributes(self) -> frozenset[str]:
        return self.facts | OFFER_ATTRIBUTES


_COMMON = ("item_name", "brand", "bullet_point", "product_description", "manufacturer", "item_type_keyword")
PRODUCT_TYPES: dict[str, ProductType] = {
    p.name: p
    for p in (
        ProductType(
            "LUGGAGE",
            frozenset({*_COMMON, "color", "size", "material", "number_of_wheels", "lining_description"}),
            frozenset({"item_name", "brand", "condition_type"}),
        ),
        ProductType(
            "SHOES",
            frozenset({*_COMMON, "color", "footwear_size", "sole_material", "department", "style"}),
            frozenset({"item_name", "brand", "condition_type"}),
        ),
        ProductType(
            "KITCHEN",
            frozenset({*_COMMON, "color", "material", "capacity", "is_dishwasher_safe"}),
            frozenset({"item_name", "brand", "condition_type"}),
        ),
        ProductType("PRODUCT", frozenset(), frozenset({"condition_type"})),
    )
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One listing issue, as the Listings Items API and the JSON_LISTINGS_FEED report show it."""

    code: str
    message: str
    severity: str = "ERROR"
    attribute: str | None = None
    category: str = "INVALID_ATTRIBUTE"

    def as_api(self) -> dict[str, Any]:
        found: dict[str, Any] = {"code": self.code, "message": self.message, "severity": self.severity}
        if self.attribute:
            found["attributeNames"] = [self.attribute]
        found["categories"] = [self.category]
        return found


@dataclass(frozen=True, slots=True)
class Market:
    """What checking an offer needs to know about a marketplace."""

    marketplace_id: str
    currency: str


def check_attributes(
    product_type: ProductType, attributes: Mapping[str, Any], markets: Mapping[str, Market], *, full: bool
) -> list[Issue]:
    """The issues of a listing's attributes under its product type; ``full``: a whole listing (every
    required attribute must be there), else a partial update (only what is given is checked)."""
    issues: list[Issue] = []
    for name, value in attributes.items():
        if name not in product_type.attributes:
            issues.append(
                Issue(
                    NOT_IN_PRODUCT_TYPE,
                    f"'{name}' is not an attribute of product type {product_type.name}.",
                    attribute=name,
                )
            )
            continue
        issues += _check_values(name, value, markets)
    if full:
        issues += [
            Issue(
                MISSING_ATTRIBUTE,
                f"'[{name}]' is required but not supplied.",
                attribute=name,
                category="MISSING_ATTRIBUTE",
            )
            for name in sorted(product_type.required - set(attributes))
        ]
    return issues


def _check_values(name: str, value: Any, markets: Mapping[str, Market]) -> list[Issue]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        return [
            Issue(
                TOO_FEW_VALUES,
                f"The attribute '{name}' must be a list of one or more objects.",
                attribute=name,
            )
        ]
    checker = _CHECKERS.get(name, _check_plain)
    return [issue for entry in value for issue in checker(name, entry, markets)]


def _invalid(name: str, message: str) -> Issue:
    return Issue(INVALID_VALUE, message, attribute=name)


def _check_plain(name: str, entry: dict[str, Any], markets: Mapping[str, Market]) -> Iterator[Issue]:
    if "value" not in entry:
        yield _invalid(name, f"The attribute '{name}' needs a 'value'.")
    elif isinstance(entry["value"], str) and not entry["value"].strip():
        yield _invalid(name, f"The attribute '{name}' has an empty value.")
    marketplace = entry.get("marketplace_id")
    if marketplace is not None and marketplace not in markets:
        yield _invalid(name, f"The attribute '{name}' names marketplace {marketplace!r}, not one requested.")


def _check_item_name(name: str, entry: dict[str, Any], markets: Mapping[str, Market]) -> Iterator[Issue]:
    yield from _check_plain(name, entry, markets)
    value = entry.get("value")
    if isinstance(value, str) and len(value) > 200:
        yield _invalid(name, f"The attribute '{name}' is longer than 200 characters.")


def _amount(schedule_holder: Any) -> Decimal | None:
    """The ``value_with_tax`` of an ``our_price``-style list (the first schedule); None if it has none."""
    try:
        schedule = schedule_holder[0]["schedule"][0]
        value = schedule["value_with_tax"]
    except (LookupError, TypeError):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def offer_price(entry: Mapping[str, Any], key: str = "our_price") -> Decimal | None:
    """An offer's price (``our_price``), or its minimum or maximum seller-allowed price."""
    return _amount(entry.get(key)) if key in entry else None


def _check_offer(name: str, entry: dict[str, Any], markets: Mapping[str, Market]) -> Iterator[Issue]:
    marketplace = entry.get("marketplace_id")
    market = markets.get(marketplace) if isinstance(marketplace, str) else None
    if market is None:
        yield _invalid(name, f"The offer names marketplace {marketplace!r}, not one requested.")
    elif entry.get("currency") != market.currency:
        yield _invalid(
            name,
            f"The offer's currency {entry.get('currency')!r} is not {market.currency}, the marketplace's.",
        )
    if "our_price" not in entry:
        yield Issue(
            TOO_FEW_VALUES,
            "The field 'our_price' for the attribute 'purchasable_offer' does not have enough values. "
            "The required minimum is '1' value(s).",
            attribute="purchasable_offer.our_price",
            category="MISSING_PRICE",
        )
        return
    prices = {key: offer_price(entry, key) for key in ("our_price", *_LIMITS) if key in entry}
    for key, price in prices.items():
        if price is None or not price.is_finite() or price <= 0:
            yield Issue(
                INVALID_VALUE,
                f"The value of 'purchasable_offer.{key}' must be a number greater than 0.",
                attribute=f"purchasable_offer.{key}",
                category="INVALID_PRICE",
            )
            return
    price = prices["our_price"]
    assert price is not None
    minimum, maximum = prices.get("minimum_seller_allowed_price"), prices.get("maximum_seller_allowed_price")
    if minimum is not None and price < minimum:
        yield Issue(
            BELOW_MINIMUM_PRICE,
            f"The price {price} is below the minimum seller allowed price {minimum}.",
            attribute="purchasable_offer.our_price",
            category="INVALID_PRICE",
        )
    if maximum is not None and price > maximum:
        yield Issue(
            ABOVE_MAXIMUM_PRICE,
            f"The price {price} is above the maximum seller allowed price {maximum}.",
            attribute="purchasable_offer.our_price",
            category="INVALID_PRICE",
        )


_LIMITS = ("minimum_seller_allowed_price", "maximum_seller_allowed_price")


def _check_availability(name: str, entry: dict[str, Any], markets: Mapping[str, Market]) -> Iterator[Issue]:
    channel = entry.get("fulfillment_channel_code")
    if not isinstance(channel, str) or not channel:
        yield _invalid(name, "'fulfillment_channel_code' is required in 'fulfillment_availability'.")
        return
    quantity = entry.get("quantity")
    if channel != "DEFAULT":
        if quantity is not None:
            yield Issue(
                AMAZON_FULFILLED_QUANTITY,
                f"The quantity of a listing fulfilled by Amazon ({channel}) cannot be set; "
                "Amazon counts it from its fulfilment centres.",
                attribute="fulfillment_availability.quantity",
            )
        return
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        yield _invalid(
            "fulfillment_availability.quantity",
            "The value of 'fulfillment_availability.quantity' must be a whole number of 0 or more.",
        )


_CHECKERS = {
    "item_name": _check_item_name,
    "purchasable_offer": _check_offer,
    "fulfillment_availability": _check_availability,
}
