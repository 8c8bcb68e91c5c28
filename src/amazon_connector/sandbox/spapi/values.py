"""Answers from the models' data: a value valid against the answer's schema, the same for the same
request and seed, that looks like Amazon's.

Required fields are always there, optional ones near the top; enums, formats, patterns and limits are
kept. Strings follow their field's name: ASINs, SKUs, order IDs, the seller's marketplace IDs, their
currency and country codes, ISO dates near the clock's now, e-mail addresses, URLs. An identifier the
request gave (``orderId``, ``sku`` …) comes back in fields of the same name. Paging tokens and an
``errors`` list are left out of a successful answer unless the model requires them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from amazon_connector.api.shapes import Schema
from amazon_connector.marketplaces import Marketplace
from amazon_connector.sandbox.spapi.patterns import matches, sample
from amazon_connector.sandbox.times import iso

OPTIONAL_DEPTH = 4
"""Optional properties are filled up to this depth of nesting; below it only single values (so that an
object is not left empty)."""
MAX_DEPTH = 12
"""Below this depth only required properties and empty lists (when allowed) are made."""
PAGING_TOKEN = re.compile(r"^(?:next|previous|page|pagination)\w*token$", re.IGNORECASE)
_UPPER = string.ascii_uppercase + string.digits
_FIRST = ("Alex", "Sam", "Maria", "Jan", "Yuki", "Chen", "Lea", "Omar", "Ana", "Luca")
_LAST = ("Smith", "Müller", "Rossi", "García", "Tanaka", "Martin", "Novak", "Silva")
_PRODUCTS = ("Water Bottle", "Desk Lamp", "Phone Case", "Yoga Mat", "Coffee Mug", "Notebook", "Backpack")
_ADJECTIVES = ("Blue", "Large", "Compact", "Eco", "Classic", "Travel", "Premium")
_CITIES = ("Springfield", "Riverside", "Fairview", "Kingston", "Ashford", "Milton")
_STREETS = ("Main Street", "High Street", "Station Road", "Park Avenue", "Mill Road")
_WORDS = ("standard", "regular", "primary", "default", "general", "sample", "basic")


@dataclass(frozen=True, slots=True)
class Context:
    """What generated values draw on: the seller's marketplaces, the clock, the request's own values."""

    marketplaces: tuple[Marketplace, ...]
    """The request's (else the seller's) marketplaces; the first one's IDs, currency and country are used."""
    now: datetime
    echoes: Mapping[str, str]
    """The request's scalar parameters by lower-cased name."""


def seed_of(*parts: Any) -> int:
    """A seed from the world's seed, the operation and the request: the same request, the same answer."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Generator:
    """Makes values for the schemas of one model (whose ``definitions`` the ``$ref`` point into)."""

    def __init__(self, definitions: Mapping[str, Schema], context: Context, seed: int) -> None:
        self.definitions = definitions
        self.context = context
        self.rng = random.Random(seed)  # noqa: S311 (reproducible data, not security)

    # --- schemas ---------------------------------------------------------------------------------

    def value(self, schema: Schema, name: str = "", depth: int = 0, stack: tuple[str, ...] = ()) -> Any:
        ref = schema.get("$ref")
        if ref is not None:
            target = ref.rsplit("/", 1)[-1]
            return self.value(self.definitions[target], name, depth, (*stack, target))
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                made = self.value(part, name, depth, stack)
                if isinstance(made, dict):
                    merged.update(made)
            return merged
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        kind = schema.get("type") or (
            "object" if "properties" in schema else "array" if "items" in schema else "string"
        )
        if kind == "object":
            return self.object(schema, name, depth, stack)
        if kind == "array":
            return self.array(schema, name, depth, stack)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "number"):
            return self.number(schema, name, integer=kind == "integer")
        return self.string(schema, name)

    def object(self, schema: Schema, name: str, depth: int, stack: tuple[str, ...]) -> dict[str, Any]:
        """An object; each property is named ``parent.property`` (the parent tells a unit's kind)."""
        required = set(schema.get("required") or ())
        recursive = len(stack) != len(set(stack))
        made: dict[str, Any] = {}
        for prop, sub in (schema.get("properties") or {}).items():
            optional = prop not in required
            deep = depth >= OPTIONAL_DEPTH and not self._leaf(sub)
            if optional and (deep or recursive or prop == "errors" or PAGING_TOKEN.match(prop)):
                continue
            made[prop] = self.value(sub, f"{name}.{prop}", depth + 1, stack)
        for prop in sorted(required - made.keys()):
            made[prop] = self.string({}, f"{name}.{prop}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not made and depth < OPTIONAL_DEPTH:
            made["key1"] = self.value(extra, f"{name}.key1", depth + 1, stack)
        return made

    def _leaf(self, schema: Schema) -> bool:
        """Whether a schema is of a single value (no object or list)."""
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[-1]]
        return schema.get("type") not in ("object", "array", None) or "enum" in schema

    def array(self, schema: Schema, name: str, depth: int, stack: tuple[str, ...]) -> list[Any]:
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        deep = depth >= MAX_DEPTH or len(stack) != len(set(stack))
        count = low if deep else max(low, 1)
        if high is not None:
            count = min(count, high)
        items = schema.get("items") or {}
        made: list[Any] = []
        for _ in range(count * 4):
            if len(made) == count:
                break
            value = self.value(items, name, depth + 1, stack)
            if not schema.get("uniqueItems") or value not in made:
                made.append(value)
        return made

    def number(self, schema: Schema, name: str, *, integer: bool) -> int | float:
        lowered = name.rsplit(".", 1)[-1].lower()
        money = any(w in lowered for w in ("amount", "price", "cost", "fee", "value", "total"))
        low = float(schema.get("minimum", 0 if money or integer else 1))
        high = float(schema.get("maximum", low + (500 if money else 20)))
        step = float(schema.get("multipleOf", 1 if integer else 0.01))
        first, last = math.ceil(low / step), math.floor(high / step)
        if schema.get("exclusiveMinimum") and first * step <= low:
            first += 1
        if schema.get("exclusiveMaximum") and last * step >= high:
            last -= 1
        value = self.rng.randint(first, max(first, last)) * step
        return int(value) if integer else round(value, 2)

    # --- strings ---------------------------------------------------------------------------------

    def string(self, schema: Schema, name: str) -> str:
        fmt = schema.get("format")
        if fmt in ("date-time", "dateTime"):
            candidate = self.moment()
        elif fmt == "date":
            candidate = self.moment()[:10]
        elif fmt == "byte":
            candidate = base64.b64encode(self.rng.randbytes(12)).decode()
        elif fmt == "uri":
            candidate = self.url()
        else:
            candidate = self.named(name)
        pattern = schema.get("pattern")
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        for attempt in range(20):
            if attempt:
                candidate = sample(pattern, self.rng) if pattern else candidate
            if high is not None and len(candidate) > high:
                candidate = candidate[:high]
            if len(candidate) < low:
                candidate += "".join(self.rng.choice(_UPPER) for _ in range(low - len(candidate)))
            if pattern is None or matches(pattern, candidate):
                break
        return candidate

    def moment(self) -> str:
        return iso(self.context.now - timedelta(minutes=self.rng.randint(10, 60 * 24 * 30)))

    def url(self) -> str:
        domain = self.context.marketplaces[0].domain
        return f"https://{domain}/dp/{self.asin()}"

    def asin(self) -> str:
        return "B0" + self.code(8)

    def code(self, length: int) -> str:
        return "".join(self.rng.choice(_UPPER) for _ in range(length))

    def digits(self, length: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(length))

    def named(self, name: str) -> str:
        """A value for a string field, from its name (``parent.field``)."""
        parent, _, field = name.rpartition(".")
        lowered, parent = field.lower(), parent.rsplit(".", 1)[-1].lower()
        echoed = self.context.echoes.get(lowered)
        if echoed is not None:
            return echoed
        marketplace = self.context.marketplaces[0]
        if lowered.endswith("asin"):
            return self.asin()
        if "sku" in lowered:
            return f"SKU-{self.code(6)}"
        if "marketplaceid" in lowered:
            return marketplace.marketplace_id
        if lowered in ("marketplacename", "saleschannel"):
            return marketplace.name
        if lowered == "storename":
            return f"{self.rng.choice(_ADJECTIVES)} Store"
        if lowered == "unit" or lowered.endswith("unitofmeasure"):
            return "pounds" if "weight" in parent else "inches"
        if lowered == "condition" or lowered.endswith("conditiontype"):
            return "New"
        if "currency" in lowered:
            return marketplace.currency
        if "countrycode" in lowered or lowered == "country":
            return marketplace.iso_country
        if "language" in lowered or "locale" in lowered:
            return marketplace.language
        if "orderid" in lowered:
            return f"{self.digits(3)}-{self.digits(7)}-{self.digits(7)}"
        if "email" in lowered:
            return f"{self.rng.choice(_FIRST).lower()}.{self.code(6).lower()}@example.com"
        if "phone" in lowered:
            return f"+1 206-555-{self.digits(4)}"
        if "postalcode" in lowered or "zip" in lowered:
            return self.digits(5)
        if "city" in lowered:
            return self.rng.choice(_CITIES)
        if "addressline" in lowered or lowered == "street":
            return f"{self.rng.randint(1, 200)} {self.rng.choice(_STREETS)}"
        if "title" in lowered or lowered in ("productname", "itemname", "itemdescription"):
            return f"{self.rng.choice(_ADJECTIVES)} {self.rng.choice(_PRODUCTS)}"
        if lowered.endswith("name"):
            return f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"
        if any(w in lowered for w in ("url", "uri", "link")):
            return self.url()
        if lowered.endswith(("date", "time", "timestamp")):
            return self.moment()
        if lowered.endswith(("id", "ids", "number")):
            return self.code(12)
        if lowered.endswith("token"):
            return base64.urlsafe_b64encode(self.rng.randbytes(24)).decode()
        if lowered.endswith("code"):
            return self.code(4)
        if any(w in lowered for w in ("description", "message", "text", "details", "comment", "note")):
            return f"{self.rng.choice(_ADJECTIVES)} {self.rng.choice(_WORDS)} {lowered or 'value'}."
        return f"{self.rng.choice(_WORDS)}-{self.digits(3)}"
