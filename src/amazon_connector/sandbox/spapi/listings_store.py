"""The sellers' listings: what the Listings Items API and the JSON_LISTINGS_FEED read and change.

Each seller's listings start as its assortment (on first use) and change only through submissions: a
whole listing (``put``, the feed's UPDATE), JSON Patch operations on top-level attributes (``patch``, the
feed's PATCH and PARTIAL_UPDATE) and deletion. A submission is checked against the listing's product
type (``product_types``); one with an ERROR changes nothing (INVALID), one without is applied at once
(ACCEPTED) and keeps its warnings as the listing's issues. A preview (``VALIDATION_PREVIEW``) answers
VALID or INVALID and changes nothing.

The emulator differs from Amazon in one documented way: a patch of a SKU the seller has no listing for
is refused with an ERROR (Amazon may accept it as a new, incomplete offer), so that an unknown SKU in
a stock or price update is reported instead of silently creating a listing.
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from amazon_connector.clock import Clock
from amazon_connector.marketplaces import Marketplace
from amazon_connector.sandbox.ids import derived_alnum
from amazon_connector.sandbox.spapi.assortment import Assortment, Product, amazon_channel
from amazon_connector.sandbox.spapi.product_types import (
    AMAZON_FULFILLED_QUANTITY,
    NOT_BUYABLE,
    PRODUCT_TYPES,
    TOO_FEW_VALUES,
    UNKNOWN_SKU,
    WRONG_PRODUCT_TYPE,
    Issue,
    Market,
    check_attributes,
    offer_price,
)
from amazon_connector.sandbox.world import Seller, World

Attributes = dict[str, list[dict[str, Any]]]
ATTRIBUTE_PATH = re.compile(r"^/attributes/([a-z0-9_]+)$")
SELECTORS = ("marketplace_id", "language_tag", "currency", "audience", "fulfillment_channel_code")
"""The fields that pick which value of an attribute a merge or a delete means."""
GENERIC = "PRODUCT"


@dataclass(slots=True)
class Listing:
    """One listing of a seller: its product type, attributes (Amazon's JSON form) and current issues."""

    sku: str
    product_type: str
    attributes: Attributes
    asin: str | None
    fn_sku: str | None
    created: datetime
    updated: datetime
    issues: list[Issue] = field(default_factory=list)

    def offer(self, marketplace_id: str) -> dict[str, Any] | None:
        """The listing's offer (a ``purchasable_offer`` value) in a marketplace."""
        return next(
            (
                o
                for o in self.attributes.get("purchasable_offer", [])
                if o.get("marketplace_id") == marketplace_id
            ),
            None,
        )

    def price(self, marketplace_id: str) -> Decimal | None:
        offer = self.offer(marketplace_id)
        return None if offer is None else offer_price(offer)

    @property
    def channel(self) -> str | None:
        """The fulfilment channel code (``DEFAULT``: the seller ships; ``AMAZON_*``: FBA)."""
        found = self.attributes.get("fulfillment_availability", [])
        return str(found[0].get("fulfillment_channel_code")) if found else None

    @property
    def quantity(self) -> int | None:
        """The seller's quantity of a merchant-fulfilled listing."""
        found = [
            a
            for a in self.attributes.get("fulfillment_availability", [])
            if a.get("fulfillment_channel_code") == "DEFAULT"
        ]
        quantity = found[0].get("quantity") if found else None
        return quantity if isinstance(quantity, int) else None

    def value(self, name: str) -> Any:
        """The first value of a plain attribute (``item_name``, ``condition_type``)."""
        found = self.attributes.get(name)
        return found[0].get("value") if found else None


@dataclass(frozen=True, slots=True)
class Submission:
    """The outcome of one submission: ACCEPTED (applied), VALID (a preview that would be), INVALID."""

    sku: str
    status: str
    submission_id: str
    issues: list[Issue]
    asin: str | None = None


def markets_of(marketplaces: Sequence[Marketplace]) -> dict[str, Market]:
    return {m.marketplace_id: Market(m.marketplace_id, m.currency) for m in marketplaces}


def _number(amount: Decimal) -> int | float:
    """A price as the JSON number Amazon's attributes hold."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _schedule(amount: Decimal) -> list[dict[str, Any]]:
    return [{"schedule": [{"value_with_tax": _number(amount)}]}]


def _initial(product: Product, seller: Seller) -> Attributes:
    markets = seller.marketplaces()
    offers = []
    for market in markets:
        offer: dict[str, Any] = {
            "marketplace_id": market.marketplace_id,
            "currency": market.currency,
            "audience": "ALL",
            "our_price": _schedule(product.price_in(market)),
        }
        minimum = product.minimum_in(market)
        if minimum is not None:
            offer["minimum_seller_allowed_price"] = _schedule(minimum)
        offers.append(offer)
    availability: dict[str, Any] = (
        {"fulfillment_channel_code": amazon_channel(seller)}
        if product.amazon_fulfilled
        else {"fulfillment_channel_code": "DEFAULT", "quantity": product.stock}
    )
    return {
        "item_name": [
            {"value": product.title, "language_tag": m.language, "marketplace_id": m.marketplace_id}
            for m in markets
        ],
        "brand": [{"value": product.brand}],
        "color": [{"value": product.colour}],
        "condition_type": [{"value": "new_new"}],
        "purchasable_offer": offers,
        "fulfillment_availability": [availability],
    }


def _selected(entry: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    """Whether ``entry`` is the value ``given`` means (its selector fields, those it names, agree)."""
    keys = [k for k in SELECTORS if k in given]
    return bool(keys) and all(entry.get(k) == given[k] for k in keys)


def apply_patches(
    attributes: Attributes, patches: Sequence[Mapping[str, Any]]
) -> tuple[Attributes, list[str], list[Issue]]:
    """The attributes after JSON Patch operations on top-level attributes (add, replace, merge,
    delete), the attributes they touch, and the issues of operations that cannot be applied."""
    result = copy.deepcopy(attributes)
    touched: list[str] = []
    issues: list[Issue] = []
    for patch in patches:
        op, path = patch.get("op"), str(patch.get("path", ""))
        value: Any = patch.get("value")
        match = ATTRIBUTE_PATH.match(path)
        if match is None:
            issues.append(
                Issue(
                    "99010",
                    f"The path {path!r} is not a top-level attribute (/attributes/NAME): only whole "
                    "attributes can be patched.",
                )
            )
            continue
        name = match.group(1)
        if op != "delete" and not isinstance(value, list):
            issues.append(
                Issue(TOO_FEW_VALUES, f"The {op} of '{name}' needs a list of values.", attribute=name)
            )
            continue
        touched.append(name)
        if op in ("add", "replace"):
            result[name] = copy.deepcopy(value)
        elif op == "merge":
            merged = result.setdefault(name, [])
            for given in value:
                target = next((e for e in merged if isinstance(given, dict) and _selected(e, given)), None)
                if target is None:
                    merged.append(copy.deepcopy(given))
                else:
                    target.update(copy.deepcopy(given))
        elif op == "delete":
            if isinstance(value, list) and value:
                kept = [e for e in result.get(name, []) if not any(_selected(e, g) for g in value)]
                if kept:
                    result[name] = kept
                else:
                    result.pop(name, None)
            else:
                result.pop(name, None)
            touched.remove(name)
        else:
            issues.append(Issue("99010", f"The patch operation {op!r} is not add, replace, merge or delete."))
    return result, touched, issues


class ListingsStore:
    """Every seller's listings, by SKU."""

    def __init__(self, world: World, assortment: Assortment, clock: Clock) -> None:
        self.world = world
        self.assortment = assortment
        self.clock = clock
        self._listings: dict[str, dict[str, Listing]] = {}
        self._lock = threading.RLock()

    def _of(self, seller: Seller) -> dict[str, Listing]:
        found = self._listings.get(seller.selling_partner_id)
        if found is None:
            found = {
                p.sku: Listing(
                    p.sku,
                    p.product_type,
                    _initial(p, seller),
                    p.asin,
                    p.fn_sku if p.amazon_fulfilled else None,
                    p.created,
                    p.created,
                )
                for p in self.assortment.products(seller)
            }
            self._listings[seller.selling_partner_id] = found
        return found

    def get(self, seller: Seller, sku: str) -> Listing | None:
        with self._lock:
            return self._of(seller).get(sku)

    def listings(self, seller: Seller) -> list[Listing]:
        """The seller's listings, in the order they were created."""
        with self._lock:
            return list(self._of(seller).values())

    # --- submissions ------------------------------------------------------------------------------

    def put(
        self,
        seller: Seller,
        sku: str,
        markets: Mapping[str, Market],
        product_type: str,
        attributes: Attributes,
        *,
        requirements: str = "LISTING",
        preview: bool = False,
    ) -> Submission:
        """Create or replace a whole listing."""
        with self._lock:
            existing = self._of(seller).get(sku)
            kind = PRODUCT_TYPES.get(product_type)
            if kind is None:
                return self._refused(sku, [_unknown_type(product_type)], existing)
            checked = PRODUCT_TYPES[GENERIC] if requirements == "LISTING_OFFER_ONLY" else kind
            issues = check_attributes(checked, attributes, markets, full=True)
            issues += _warnings(attributes)
            submission = self._outcome(sku, issues, preview, existing)
            if submission.status == "ACCEPTED":
                now = self.clock.now()
                asin = (
                    existing.asin
                    if existing
                    else "B0"
                    + derived_alnum(self.world.seed, "asin", seller.selling_partner_id, sku, length=8)
                )
                listing = Listing(
                    sku,
                    product_type,
                    copy.deepcopy(attributes),
                    asin,
                    existing.fn_sku if existing else None,
                    existing.created if existing else now,
                    now,
                    _only_warnings(issues),
                )
                self._of(seller)[sku] = listing
            return submission

    def patch(
        self,
        seller: Seller,
        sku: str,
        markets: Mapping[str, Market],
        product_type: str,
        patches: Sequence[Mapping[str, Any]],
        *,
        preview: bool = False,
    ) -> Submission:
        """Apply JSON Patch operations to a listing's attributes."""
        with self._lock:
            listing = self._of(seller).get(sku)
            if listing is None:
                issue = Issue(
                    UNKNOWN_SKU,
                    f"The SKU '{sku}' does not match any listing of this seller; nothing was changed.",
                    category="INVALID_ATTRIBUTE",
                )
                return self._refused(sku, [issue], None)
            kind = PRODUCT_TYPES.get(product_type)
            if kind is None:
                return self._refused(sku, [_unknown_type(product_type)], listing)
            if product_type not in (listing.product_type, GENERIC):
                issue = Issue(
                    WRONG_PRODUCT_TYPE,
                    f"The product type {product_type} does not match the listing's product type "
                    f"{listing.product_type}.",
                )
                return self._refused(sku, [issue], listing)
            attributes, touched, issues = apply_patches(listing.attributes, patches)
            if not issues:
                issues = check_attributes(
                    kind, _changed(listing.attributes, attributes, touched), markets, full=False
                )
                if "fulfillment_availability" in touched:
                    issues += _channel_kept(listing, attributes) + _warnings(attributes)
            submission = self._outcome(sku, issues, preview, listing)
            if submission.status == "ACCEPTED":
                listing.attributes = attributes
                listing.updated = self.clock.now()
                listing.issues = _only_warnings(issues)
            return submission

    def delete(self, seller: Seller, sku: str) -> Submission | None:
        """Delete a listing; None when the seller has none with that SKU."""
        with self._lock:
            listing = self._of(seller).pop(sku, None)
        if listing is None:
            return None
        return Submission(sku, "ACCEPTED", uuid.uuid4().hex, [], listing.asin)

    def _outcome(self, sku: str, issues: list[Issue], preview: bool, listing: Listing | None) -> Submission:
        failed = any(i.severity == "ERROR" for i in issues)
        status = "INVALID" if failed else ("VALID" if preview else "ACCEPTED")
        return Submission(sku, status, uuid.uuid4().hex, issues, listing.asin if listing else None)

    def _refused(self, sku: str, issues: list[Issue], listing: Listing | None) -> Submission:
        return Submission(sku, "INVALID", uuid.uuid4().hex, issues, listing.asin if listing else None)


def _changed(before: Attributes, after: Attributes, touched: Sequence[str]) -> Attributes:
    """The values of the touched attributes that are new or changed (values left as they were, such
    as another marketplace's offer, are not checked again)."""
    changed = {}
    for name in touched:
        if name not in after:
            continue
        value = after[name]
        old = before.get(name, [])
        fresh = [e for e in value if e not in old] if isinstance(value, list) else value
        if fresh != [] or value == []:
            changed[name] = fresh
    return changed


def _unknown_type(product_type: str) -> Issue:
    return Issue(
        WRONG_PRODUCT_TYPE,
        f"The product type {product_type!r} is not one the emulator knows ({', '.join(sorted(PRODUCT_TYPES))}).",
    )


def _channel_kept(listing: Listing, attributes: Attributes) -> list[Issue]:
    """A listing fulfilled by Amazon takes no quantity of the seller's own (Amazon would make it
    merchant-fulfilled; the emulator refuses, so that no update does so by accident)."""
    amazon = listing.channel not in (None, "DEFAULT")
    if amazon and any(
        a.get("fulfillment_channel_code") == "DEFAULT" for a in attributes["fulfillment_availability"]
    ):
        return [
            Issue(
                AMAZON_FULFILLED_QUANTITY,
                f"The listing is fulfilled by Amazon ({listing.channel}); its quantity is Amazon's count "
                "and cannot be set.",
                attribute="fulfillment_availability",
            )
        ]
    return []


def _warnings(attributes: Attributes) -> list[Issue]:
    """Warnings of an accepted listing: a merchant-fulfilled offer without stock cannot be bought."""
    for entry in attributes.get("fulfillment_availability", []):
        if entry.get("fulfillment_channel_code") == "DEFAULT" and entry.get("quantity") == 0:
            return [
                Issue(
                    NOT_BUYABLE,
                    "The quantity is 0: the offer stays listed, but shoppers cannot buy it until stock is added.",
                    severity="WARNING",
                    attribute="fulfillment_availability",
                    category="INVALID_ATTRIBUTE",
                )
            ]
    return []


def _only_warnings(issues: Sequence[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity != "ERROR"]
