"""Listing updates read from input records: a SKU with a new price, a quantity, a product type and
other attributes, each checked before anything is sent; and the JSON Patch operations that carry one
update (the same for ``patchListingsItem`` and a JSON_LISTINGS_FEED ``PATCH`` message).

Prices and quantities are patched with ``merge`` so that an offer keeps what the update does not name
(its minimum and maximum prices, a restock date); other attributes are replaced whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from amazon_connector.data.results import RecordResult, refused
from amazon_connector.data.sources import InputRecord, Source
from amazon_connector.marketplaces import Marketplace

KNOWN_COLUMNS = ("sku", "price", "quantity", "product_type", "attributes")
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})
"""Currencies whose prices have no decimal places."""


class What(StrEnum):
    """What an input updates: prices, stock, or any listing attributes."""

    PRICES = "prices"
    STOCK = "stock"
    LISTINGS = "listings"

    def require(self, source: Source) -> None:
        """Refuse a source whose header lacks the columns every record of this kind needs."""
        if self is What.PRICES:
            source.require("sku", "price")
        elif self is What.STOCK:
            source.require("sku", "quantity")
        else:
            columns = source.columns or ()
            others = tuple(c for c in columns if c not in KNOWN_COLUMNS)
            source.require("sku", any_of=("price", "quantity", "attributes", *others))


@dataclass(frozen=True, slots=True)
class ListingUpdate:
    """One SKU's changes; ``product_type`` as the input gives it (else it is taken from the listing)."""

    record: InputRecord
    sku: str
    price: Decimal | None = None
    quantity: int | None = None
    product_type: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def sent(self) -> dict[str, Any]:
        """What the update sends, for the results."""
        found: dict[str, Any] = {}
        if self.price is not None:
            found["price"] = self.price
        if self.quantity is not None:
            found["quantity"] = self.quantity
        if self.attributes:
            found["attributes"] = sorted(self.attributes)
        return found

    def identity(self) -> list[Any]:
        """The update as plain values, for the digest that recognises a rerun of the same input."""
        price = None if self.price is None else format(self.price, "f")
        return [self.record.line, self.sku, price, self.quantity, self.product_type, dict(self.attributes)]


def _text(value: Any) -> str | None:
    """A cell's text; None for an empty one."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.strip() or None


def _price(value: Any, marketplace: Marketplace) -> Decimal:
    text = _text(value)
    if text is None:
        raise ValueError("no price")
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"the price {text!r} is not a number") from None
    if not price.is_finite() or price <= 0:
        raise ValueError(f"the price {text} is not a positive amount")
    places = 0 if marketplace.currency in ZERO_DECIMAL_CURRENCIES else 2
    if price != price.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"the price {text} has more than {places} decimal places for {marketplace.currency}")
    return price


def _quantity(value: Any) -> int:
    text = _text(value)
    if text is None:
        raise ValueError("no quantity")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"the quantity {text!r} is not a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"the quantity {text!r} is not a whole number")
    if number < 0:
        raise ValueError(f"the quantity {text} is negative")
    return int(number)


def _attributes(record: InputRecord, marketplace: Marketplace) -> dict[str, Any]:
    """The record's other attributes: an ``attributes`` JSON object (Amazon's form) and each other
    column as a plain value in the marketplace (with its language for text)."""
    found: dict[str, Any] = {}
    given = record.values.get("attributes")
    if isinstance(given, str) and given.strip():
        try:
            given = json.loads(given)
        except ValueError as exc:
            raise ValueError(f"attributes is not JSON: {exc}") from None
    if given is not None and given != "" and not isinstance(given, dict):
        raise ValueError("attributes must be a JSON object of attribute names and values")
    for name, value in (given or {}).items():
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ValueError(f"attribute {name} must be a list of objects, as Amazon's attributes are")
        found[name] = value
    for name, value in record.values.items():
        if name in KNOWN_COLUMNS or _text(value) is None:
            continue
        entry: dict[str, Any] = {"value": value, "marketplace_id": marketplace.marketplace_id}
        if isinstance(value, str):
            entry = {
                "value": value.strip(),
                "language_tag": marketplace.language,
                "marketplace_id": marketplace.marketplace_id,
            }
        found[name] = [entry]
    return found


def parse(
    records: Iterable[InputRecord], what: What, marketplace: Marketplace
) -> tuple[list[ListingUpdate], list[RecordResult]]:
    """The updates the records ask for, and the records refused before sending (unreadable, a missing
    or invalid value, a SKU that appears more than once)."""
    updates: list[ListingUpdate] = []
    refusals: list[RecordResult] = []
    for record in records:
        if record.problem is not None:
            refusals.append(
                refused(record, None, "UNREADABLE", f"Line {record.line} cannot be read: {record.problem}.")
            )
            continue
        sku = _text(record.values.get("sku"))
        if sku is None:
            refusals.append(refused(record, None, "MISSING_SKU", f"Line {record.line} has no SKU."))
            continue
        try:
            updates.append(_update(record, sku, what, marketplace))
        except _Refused as exc:
            refusals.append(refused(record, sku, exc.code, f"Line {record.line} (SKU {sku}): {exc.reason}."))
    return _without_duplicates(updates, refusals)


class _Refused(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _checked(kind: str, value: Any, read: Any) -> Any:
    """``read(value)``, or a refusal coded MISSING_<KIND> (no value) or INVALID_<KIND>."""
    try:
        return read(value)
    except ValueError as exc:
        code = f"MISSING_{kind}" if _text(value) is None else f"INVALID_{kind}"
        raise _Refused(code, str(exc)) from None


def _update(record: InputRecord, sku: str, what: What, marketplace: Marketplace) -> ListingUpdate:
    values = record.values
    price = quantity = None
    if what is What.PRICES or (what is What.LISTINGS and _text(values.get("price")) is not None):
        price = _checked("PRICE", values.get("price"), lambda v: _price(v, marketplace))
    if what is What.STOCK or (what is What.LISTINGS and _text(values.get("quantity")) is not None):
        quantity = _checked("QUANTITY", values.get("quantity"), _quantity)
    attributes: dict[str, Any] = {}
    if what is What.LISTINGS:
        attributes = _checked("ATTRIBUTES", record, lambda r: _attributes(r, marketplace))
        if price is None and quantity is None and not attributes:
            raise _Refused("NOTHING_TO_CHANGE", "nothing to change (no price, quantity or attribute)")
    product_type = _text(values.get("product_type"))
    return ListingUpdate(
        record, sku, price, quantity, product_type.upper() if product_type else None, attributes
    )


def _without_duplicates(
    updates: list[ListingUpdate], refusals: list[RecordResult]
) -> tuple[list[ListingUpdate], list[RecordResult]]:
    """Every line of a SKU that appears more than once is refused: which one is meant cannot be known."""
    lines: dict[str, list[int]] = {}
    for update in updates:
        lines.setdefault(update.sku, []).append(update.record.line)
    kept = []
    for update in updates:
        seen = lines[update.sku]
        if len(seen) == 1:
            kept.append(update)
            continue
        refusals.append(
            refused(
                update.record,
                update.sku,
                "DUPLICATE_SKU",
                f"SKU {update.sku} is on lines {', '.join(map(str, seen))}: none of them was sent; keep one "
                "line per SKU.",
            )
        )
    return kept, refusals


def _number(amount: Decimal) -> int | float:
    """A price as a JSON number (exact for prices with up to 15 digits)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def patches(update: ListingUpdate, marketplace: Marketplace) -> list[dict[str, Any]]:
    """The JSON Patch operations of one update, in the connection's marketplace."""
    found: list[dict[str, Any]] = []
    if update.price is not None:
        offer = {
            "marketplace_id": marketplace.marketplace_id,
            "currency": marketplace.currency,
            "audience": "ALL",
            "our_price": [{"schedule": [{"value_with_tax": _number(update.price)}]}],
        }
        found.append({"op": "merge", "path": "/attributes/purchasable_offer", "value": [offer]})
    if update.quantity is not None:
        availability = {"fulfillment_channel_code": "DEFAULT", "quantity": update.quantity}
        found.append({"op": "merge", "path": "/attributes/fulfillment_availability", "value": [availability]})
    found += [
        {"op": "replace", "path": f"/attributes/{name}", "value": value}
        for name, value in update.attributes.items()
    ]
    return found
