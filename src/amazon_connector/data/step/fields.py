"""An operation's fields as a step maps them: its path, query and header parameters by name, and its body
by dotted path (``body.packageDetail.orderItems[0].quantity``), each with its schema from Amazon's model.

A target is parsed into parts: a parameter name, then keys and list indexes into the body. ``[]`` stands
for any index when fields are compared (a required field is mapped whatever item carries it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from amazon_connector.api.catalog import Operation
from amazon_connector.api.shapes import Schema, shape
from amazon_connector.data.step.model import dotted_path

BODY = "body"
ANY_INDEX = "[]"
_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_DEFAULTED = frozenset({"marketplaceids", "marketplaceid"})
"""Required parameters the runtime fills in with the connection's marketplace."""
MAX_DEPTH = 8


class UnknownField(ValueError):
    """A target the operation has no field for."""


def split_target(target: str) -> tuple[str | int, ...]:
    """``body.patches[0].value`` → ("body", "patches", 0, "value"); a bad path is a ValueError."""
    text = target.strip()
    parts: list[str | int] = []
    position = 0
    for found in _PART.finditer(text):
        between = text[position : found.start()]
        if between not in ("", "."):
            raise UnknownField(f"{target!r} is not a field path (e.g. body.items[0].sku)")
        parts.append(int(found[1]) if found[1] is not None else found[2].strip())
        position = found.end()
    if not parts or position != len(text) or isinstance(parts[0], int):
        raise UnknownField(f"{target!r} is not a field path (e.g. body.items[0].sku)")
    return tuple(parts)


@dataclass(frozen=True)
class OperationFields:
    """An operation's parameters and body schema, to find a target's schema by its parts."""

    operation: Operation

    @property
    def _shape(self) -> Any:
        return shape(self.operation)

    def parameters(self) -> list[Any]:
        return list(self._shape.parameters)

    def body_parameter(self) -> Any | None:
        return next((p for p in self._shape.parameters if p.location == "body"), None)

    def resolve(self, schema: Schema | None) -> Schema:
        """A schema with its ``$ref`` (and a single ``allOf``) followed."""
        seen = 0
        while schema and seen < 32:
            seen += 1
            if "$ref" in schema:
                schema = self._shape.definitions.get(schema["$ref"].rsplit("/", 1)[-1], {})
            elif "allOf" in schema and len(schema["allOf"]) == 1:
                schema = {**{k: v for k, v in schema.items() if k != "allOf"}, **schema["allOf"][0]}
            else:
                break
        return schema or {}

    def parameter(self, name: str) -> Any | None:
        """The parameter ``name`` (case-insensitive; ``body`` or the body's own name for the body)."""
        for p in self._shape.parameters:
            if p.name.casefold() == name.casefold():
                return p
        return self.body_parameter() if name == BODY else None

    def schema_of(self, parts: tuple[str | int, ...]) -> Schema:
        """The schema of the field ``parts`` name; UnknownField when the operation has none."""
        param = self.parameter(str(parts[0]))
        if param is None:
            known = ", ".join(p.name for p in self._shape.parameters if p.location != "body")
            has_body = " and body.…" if self.body_parameter() else ""
            raise UnknownField(
                f"{self.operation.operation_id} has no field {parts[0]!r} (its fields: {known or 'none'}{has_body})"
            )
        schema = self.resolve(param.schema)
        walked: list[str | int] = [BODY if param.location == "body" else param.name]
        for part in parts[1:]:
            if param.location != "body" and isinstance(part, str):
                raise UnknownField(f"{param.name} is a {param.location} parameter, not an object")
            schema = self.resolve(self.below(schema, part, walked))
            walked.append(part)
        return schema

    def below(self, schema: Schema, part: str | int, walked: list[str | int]) -> Schema:
        """The schema of ``part`` below ``schema`` (``walked``: the path so far, for messages)."""
        here = dotted_path(tuple(walked))
        if isinstance(part, int):
            if schema.get("type") not in (None, "array"):
                raise UnknownField(f"{here} is a {schema['type']}, not a list")
            return schema.get("items") or {}
        properties = schema.get("properties")
        if properties and part in properties:
            return dict(properties[part])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return extra
        if schema.get("type") not in (None, "object") or properties or extra is False:
            known = ", ".join(properties or ()) or "none"
            raise UnknownField(f"{here} has no field {part!r} (its fields: {known})")
        return {}  # free-form: anything goes below

    def required_parameters(self) -> list[str]:
        """The parameters a step must give (not those the runtime fills in)."""
        key = self.operation.idempotency_key
        return [
            p.name
            for p in self._shape.parameters
            if p.required and p.location != "body" and p.name.casefold() not in _DEFAULTED and p.name != key
        ]


def generic(parts: tuple[str | int, ...]) -> tuple[str, ...]:
    """The parts with every index as ``[]``."""
    return tuple(ANY_INDEX if isinstance(p, int) else p for p in parts)


def type_of(schema: Schema) -> str:
    """A schema's type as shown to a user: ``string``, ``date-time``, ``array of string``, ``one of …``."""
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return "array"
    if kind == "string" and schema.get("format") in ("date-time", "date"):
        return str(schema["format"])
    return str(kind) if kind else "any"


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field of an operation: its target path, where it goes, whether its parent requires it."""

    target: str
    location: str
    required: bool
    type: str
    description: str


def walk(fields: OperationFields) -> Iterator[FieldInfo]:
    """Every parameter and every body field (objects opened, list items as ``[0]``), depth first."""
    for p in fields.parameters():
        schema = fields.resolve(p.schema)
        if p.location != "body":
            yield FieldInfo(p.name, p.location, p.required, type_of(schema), schema.get("description", ""))
        else:
            yield from _walk_body(fields, schema, BODY, required=p.required, depth=0, seen=())


def _walk_body(
    fields: OperationFields, schema: Schema, target: str, *, required: bool, depth: int, seen: tuple[int, ...]
) -> Iterator[FieldInfo]:
    kind = schema.get("type")
    properties = schema.get("properties") or {}
    if id(schema) in seen or depth >= MAX_DEPTH:
        return
    if properties:
        if target != BODY:
            yield FieldInfo(target, "body", required, "object", schema.get("description", ""))
        needed = set(schema.get("required", ()))
        for name, sub in properties.items():
            yield from _walk_body(
                fields,
                fields.resolve(sub),
                f"{target}.{name}",
                required=name in needed,
                depth=depth + 1,
                seen=(*seen, id(schema)),
            )
    elif kind == "array":
        items = fields.resolve(schema.get("items"))
        if items.get("properties"):
            yield FieldInfo(target, "body", required, "array", schema.get("description", ""))
            yield from _walk_body(
                fields, items, f"{target}[0]", required=True, depth=depth + 1, seen=(*seen, id(schema))
            )
        else:
            yield FieldInfo(
                target, "body", required, f"array of {type_of(items)}", schema.get("description", "")
            )
    else:
        yield FieldInfo(target, "body", required, type_of(schema), schema.get("description", ""))
