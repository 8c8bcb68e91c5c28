"""A step's mapping compiled against its operation (``compile_mapping``), then each record mapped onto the
operation's fields (``map_record``): explicit fields first, then (``auto``) parameters and top-level body
fields named like a column; references set apart, never sent.

Values: ``column`` (a name, or a dotted path into a nested value: ``answer.reportId``), ``variable``
(``--var``, else the environment), a fixed value (``${name}`` in a string: a variable, else the
record's column, else the environment's variable), or ``each``: a child list of the record, each child
mapped with ``fields`` onto one item of the field's array (nested looping).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from amazon_connector.api.catalog import Catalog, Operation, catalog
from amazon_connector.api.shapes import Schema
from amazon_connector.data.sources import InputRecord
from amazon_connector.data.step.fields import (
    BODY,
    OperationFields,
    UnknownField,
    generic,
    split_target,
)
from amazon_connector.data.step.model import FieldSpec, FieldValue, Problem, Step, dotted_path
from amazon_connector.data.step.transforms import apply, convert, empty, json_value
from amazon_connector.errors import ConfigurationError

TEMPLATE = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}")


@dataclass(frozen=True)
class Target:
    """One mapped field: its parts (relative to the enclosing item for ``each`` children), where in the
    step file it is, its schema, and where its value comes from."""

    parts: tuple[str | int, ...]
    place: tuple[str | int, ...]
    schema: Schema
    source: FieldValue
    children: tuple[Target, ...] = ()

    @property
    def spec(self) -> FieldSpec | None:
        return self.source if isinstance(self.source, FieldSpec) else None

    @property
    def per_record(self) -> bool:
        """Whether the value comes from the record (a column, a child list, a ``${column}``): such a
        parameter is a key field of OutputData."""
        spec = self.spec
        if spec is not None:
            return spec.column is not None or spec.each is not None
        return isinstance(self.source, str) and bool(TEMPLATE.search(self.source))


@dataclass(frozen=True)
class CompiledMapping:
    operation: Operation
    fields: OperationFields
    targets: tuple[Target, ...]
    auto: tuple[tuple[str, tuple[str | int, ...], Schema], ...]
    """(column name, parts, schema) of each field a column of the same name fills when ``auto``."""
    references: tuple[str, ...]


@dataclass(frozen=True)
class MappedRecord:
    """A record ready to send: the connection's name, the call's parameters (``body`` for the body), the
    key fields it was mapped from, and its references."""

    line: int
    connection: str
    params: dict[str, Any]
    keys: dict[str, Any]
    references: dict[str, Any]

    @property
    def input_data(self) -> dict[str, Any]:
        """ErrorData's InputData: the mapped input and the references."""
        return {"mapped": self.params, "references": self.references}


@dataclass(frozen=True)
class Refusal:
    """A record refused before sending: why, and what of it could be mapped."""

    line: int
    code: str
    message: str
    references: dict[str, Any] = field(default_factory=dict)

    @property
    def input_data(self) -> dict[str, Any]:
        return {"mapped": None, "references": self.references}


def flattened(
    targets: Sequence[Target], prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Target]]:
    """Every mapped field with its whole path (an ``each`` list's fields below its first item, ``0``)."""
    for target in targets:
        parts = (*prefix, *target.parts)
        yield parts, target
        yield from flattened(target.children, (*parts, 0))


def compile_mapping(
    step: Step, within: Catalog | None = None
) -> tuple[CompiledMapping | None, list[Problem]]:
    """The step's mapping against its operation (in ``within``, default the package's catalog), or
    the problems that stop it."""
    try:
        op = (within or catalog()).get(step.operation)
    except ConfigurationError as exc:
        return None, [Problem(step.place("operation"), str(exc))]
    fields = OperationFields(op)
    problems: list[Problem] = []
    targets: list[Target] = []
    for name, source in step.mapping.fields.items():
        place = ("mapping", "fields", name)
        try:
            parts = split_target(name)
            if fields.parameter(str(parts[0])) is None and str(parts[0]).casefold() == BODY:
                raise UnknownField(f"{op.operation_id} has no body")
            parts = _canonical(fields, parts)
            schema = fields.schema_of(parts)
            targets.append(
                _target(fields, parts, place, schema=schema, source=source, step=step, problems=problems)
            )
        except UnknownField as exc:
            problems.append(Problem(step.place(*place), str(exc)))
    mapped = {generic(t.parts) for t in targets}
    auto: list[tuple[str, tuple[str | int, ...], Schema]] = []
    if step.mapping.auto:
        for p in fields.parameters():
            if p.location != "body" and (p.name,) not in mapped:
                auto.append((p.name, (p.name,), fields.resolve(p.schema)))
        body = fields.body_parameter()
        if body is not None and not any(m[:1] == (BODY,) and len(m) == 1 for m in mapped):
            for prop, schema in (fields.resolve(body.schema).get("properties") or {}).items():
                if not any(m[:2] == (BODY, prop) for m in mapped) and prop.casefold() not in {
                    a[0].casefold() for a in auto
                }:
                    auto.append((prop, (BODY, prop), fields.resolve(schema)))
    return CompiledMapping(op, fields, tuple(targets), tuple(auto), tuple(step.mapping.references)), problems


def _canonical(fields: OperationFields, parts: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Parts with the parameter's own spelling (``body`` for the body, whatever the model calls it)."""
    param = fields.parameter(str(parts[0]))
    if param is None:
        return parts
    return (BODY if param.location == "body" else param.name, *parts[1:])


def _target(
    fields: OperationFields,
    parts: tuple[str | int, ...],
    place: tuple[str | int, ...],
    *,
    schema: Schema,
    source: FieldValue,
    step: Step,
    problems: list[Problem],
) -> Target:
    spec = source if isinstance(source, FieldSpec) else None
    children: list[Target] = []
    if spec is not None and spec.each is not None:
        if schema.get("type") not in (None, "array"):
            problems.append(
                Problem(step.place(*place), f"each maps a list, and this field is a {schema['type']}")
            )
        items = fields.resolve(schema.get("items"))
        for name, sub in spec.fields.items():
            sub_place = (*place, "fields", name)
            try:
                sub_parts = split_target(name)
                sub_schema = fields.resolve(items)
                walked: list[str | int] = [*parts, 0]
                for part in sub_parts:
                    sub_schema = fields.resolve(fields.below(sub_schema, part, walked))
                    walked.append(part)
                children.append(
                    _target(
                        fields,
                        sub_parts,
                        sub_place,
                        schema=sub_schema,
                        source=sub,
                        step=step,
                        problems=problems,
                    )
                )
            except UnknownField as exc:
                problems.append(Problem(step.place(*sub_place), str(exc)))
    elif spec is None or spec.value is not None or "value" in spec.model_fields_set:
        fixed = spec.value if spec is not None else source
        if not (isinstance(fixed, str) and TEMPLATE.search(fixed)):
            try:
                convert(apply(fixed, spec.transform if spec else []), schema)
            except ValueError as exc:
                problems.append(Problem(step.place(*place), f"the value cannot be used: {exc}"))
    return Target(parts, place, schema, source, tuple(children))


# --- one record ----------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def column_value(values: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """(found, value) of a column: its exact name, else a dotted path into nested values."""
    if name in values:
        return True, values[name]
    current: Any = values
    for part in name.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False, None
    return True, current


def variable_value(name: str, variables: Mapping[str, str]) -> tuple[bool, Any]:
    if name in variables:
        return True, variables[name]
    if name in os.environ:
        return True, os.environ[name]
    return False, None


def fill(text: str, values: Mapping[str, Any], variables: Mapping[str, str]) -> Any:
    """A string with its ``${name}``: a variable, else the record's column, else the environment's; a
    string that is one ``${name}`` keeps the value's type."""

    def one(name: str) -> Any:
        found, value = variable_value(name, variables) if name in variables else (False, None)
        if not found:
            found, value = column_value(values, name)
        if not found:
            found, value = variable_value(name, variables)
        if not found:
            raise _Refused(
                "MISSING_VARIABLE",
                f"${{{name}}} is neither a variable (--var {name}=…), a column nor set in the environment",
            )
        return value

    whole = TEMPLATE.fullmatch(text.strip())
    if whole:
        return one(whole[1])
    return TEMPLATE.sub(lambda m: "" if (v := one(m[1])) is None else str(v), text)


def _value(target: Target, values: Mapping[str, Any], variables: Mapping[str, str], at: str) -> Any:
    spec = target.spec
    if spec is not None and spec.each is not None:
        found, children = column_value(values, spec.each)
        if not found or children is None:
            return None
        if not isinstance(children, list):
            raise _Refused("INVALID_VALUE", f"{at}: {spec.each} is not a list of child records")
        items = []
        for child in children:
            item: dict[str, Any] = {}
            for sub in target.children:
                value = _value(sub, child, variables, f"{at}.{dotted_path(sub.parts)}")
                if not empty(value):
                    _set(item, sub.parts, value)
            items.append(item)
        return items
    if spec is None:
        raw = fill(target.source, values, variables) if isinstance(target.source, str) else target.source
    elif spec.column is not None:
        raw = column_value(values, spec.column)[1]
    elif spec.variable is not None:
        found, raw = variable_value(spec.variable, variables)
        if not found:
            raise _Refused(
                "MISSING_VARIABLE", f"the variable {spec.variable} is not given (--var {spec.variable}=…)"
            )
    else:
        raw = fill(spec.value, values, variables) if isinstance(spec.value, str) else spec.value
    try:
        value = apply(raw, spec.transform if spec else [])
        if empty(value):
            return None
        if isinstance(value, str) and target.schema.get("type") in ("object",) and value.lstrip()[:1] in "{[":
            value = json.loads(value)
        return convert(value, target.schema)
    except (ValueError, TypeError) as exc:
        raise _Refused("INVALID_VALUE", f"{at}: {exc}") from None


def _set(container: Any, parts: tuple[str | int, ...], value: Any) -> None:
    """Put ``value`` at ``parts`` below ``container``, making the objects and lists on the way."""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        nxt: Any = value if last else ([] if isinstance(parts[index + 1], int) else {})
        if isinstance(part, int):
            while len(container) <= part:
                container.append(None)
            if last or container[part] is None:
                container[part] = nxt
            container = container[part]
        else:
            if last or part not in container:
                container[part] = nxt
            container = container[part]


def map_record(
    mapping: CompiledMapping,
    record: InputRecord,
    connection: str,
    variables: Mapping[str, str],
) -> MappedRecord | Refusal:
    """The record as the operation's parameters, or why it cannot be sent."""
    values = record.values
    references = {name: json_value(column_value(values, name)[1]) for name in mapping.references}
    if record.problem is not None:
        return Refusal(
            record.line, "UNREADABLE", f"Line {record.line} cannot be read: {record.problem}.", references
        )
    params: dict[str, Any] = {}
    keys: dict[str, Any] = {}
    try:
        chosen = fill(connection, values, variables)
        for target in mapping.targets:
            value = _value(target, values, variables, dotted_path(target.parts))
            if value is None:
                continue
            _put(params, target.parts, value)
            if target.per_record and len(target.parts) == 1:
                keys[dotted_path(target.parts)] = value
        by_name = {k.casefold(): k for k in values if k not in mapping.references}
        for column, parts, schema in mapping.auto:
            name = by_name.get(column.casefold())
            if name is None:
                continue
            target = Target(parts, (), schema, FieldSpec(column=name))
            value = _value(target, values, variables, dotted_path(parts))
            if value is not None:
                _put(params, parts, value)
                if len(parts) == 1:
                    keys[dotted_path(parts)] = value
    except _Refused as exc:
        return Refusal(record.line, exc.code, f"{exc.message}.", references)
    if empty(chosen):
        return Refusal(
            record.line, "NO_CONNECTION", f"Line {record.line}: the connection is empty.", references
        )
    return MappedRecord(record.line, str(chosen).strip(), params, keys, references)


def _put(params: dict[str, Any], parts: tuple[str | int, ...], value: Any) -> None:
    if len(parts) == 1:
        params[str(parts[0])] = value
    else:
        _set(params, parts, value)
