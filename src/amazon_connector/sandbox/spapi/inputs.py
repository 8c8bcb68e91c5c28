"""A request's parameters, read as the operation's model says, and checked as Amazon checks them.

Query values are read by their type (integers, numbers, booleans; lists comma-separated for ``csv``,
repeated for ``multi``), the body as JSON. ``check`` refuses the first missing or invalid parameter with
400 InvalidInput naming it: required parameters and body fields, types, enums, patterns, lengths,
limits, list sizes, date-time formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from amazon_connector.api.shapes import OperationShape, ParameterShape, Schema
from amazon_connector.sandbox.spapi.errors import SpApiError, invalid_input

INTEGER = re.compile(r"^[+-]?\d+$")
NOT_JSON = "The request body is not JSON."
INPUT_NOT_VALID = "The input you have submitted is not valid. Please check your input and try again."

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if isinstance(value, str):
        datetime.fromisoformat(value)
    return True


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


def parse_time(value: str, name: str) -> datetime:
    """An ISO 8601 date or date-time (UTC unless it says otherwise); 400 InvalidInput if it is not one."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise invalid_input(INPUT_NOT_VALID, f"{name} is not an ISO 8601 date-time: {value!r}.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def problem(where: str, details: str) -> SpApiError:
    """400 InvalidInput naming the parameter (or body field) at fault."""
    return invalid_input(f"Missing or invalid request parameters: [{where}]", details)


@dataclass(slots=True)
class Inputs:
    """The parameters a request gave, by the model's names: values read by their type, the body as
    JSON (None when there is none); and the values that could not be read so."""

    path: dict[str, str]
    query: dict[str, Any]
    headers: dict[str, str]
    body: Any = None
    unreadable: list[SpApiError] = field(default_factory=list)

    def given(self, param: ParameterShape) -> bool:
        return self.value(param) is not None

    def value(self, param: ParameterShape) -> Any:
        """The value given for ``param``; None when it is absent."""
        if param.location == "body":
            return self.body
        source: Mapping[str, Any] = {"path": self.path, "query": self.query, "header": self.headers}.get(
            param.location, {}
        )
        return source.get(param.name)


def _scalar(text: str, schema: Mapping[str, Any]) -> Any:
    """``text`` as the schema's type; ValueError when it is not one."""
    kind = schema.get("type")
    if kind == "integer":
        if not INTEGER.match(text.strip()):
            raise ValueError(f"{text!r} is not an integer.")
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number.") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false.")
        return text.lower() == "true"
    return text


def _query_value(param: ParameterShape, values: list[str]) -> Any:
    if param.schema.get("type") != "array":
        return _scalar(values[-1], param.schema)
    items = (
        values if param.collection_format == "multi" else [v for value in values for v in value.split(",")]
    )
    item_schema = param.schema.get("items") or {}
    return [_scalar(item, item_schema) for item in items if item != ""]


def read(
    shape: OperationShape,
    path: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> Inputs:
    """The parameters of a request (``query``: each name's values in order) as ``shape`` declares them."""
    inputs = Inputs(dict(path), {}, {})
    for param in shape.parameters:
        if param.location == "query" and query.get(param.name):
            try:
                inputs.query[param.name] = _query_value(param, query[param.name])
            except ValueError as exc:
                inputs.query[param.name] = query[param.name][-1]
                inputs.unreadable.append(problem(param.name, str(exc)))
        elif param.location == "header" and param.name.lower() in headers:
            inputs.headers[param.name] = headers[param.name.lower()]
        elif param.location == "body" and body.strip():
            try:
                inputs.body = json.loads(body)
            except ValueError:
                inputs.body = body.decode("utf-8", "replace")
                inputs.unreadable.append(problem(param.name, NOT_JSON))
    return inputs


_VALIDATORS: dict[int, tuple[Schema, Draft4Validator]] = {}


def validator(schema: Schema, definitions: Schema) -> Draft4Validator:
    """The validator of a schema of the shapes (kept with it: the shapes live as long as the process)."""
    found = _VALIDATORS.get(id(schema))
    if found is None or found[0] is not schema:
        found = schema, Draft4Validator({**schema, "definitions": definitions}, format_checker=FORMATS)
        _VALIDATORS[id(schema)] = found
    return found[1]


def _where(name: str, error: ValidationError) -> str:
    """``body.restrictedResources[0].method``: the parameter and the path into its value."""
    where = name
    for step in error.absolute_path:
        where += f"[{step}]" if isinstance(step, int) else f".{step}"
    required = error.validator_value
    if error.validator == "required" and isinstance(error.instance, dict) and isinstance(required, list):
        missing = [p for p in required if p not in error.instance]
        where += f".{missing[0]}" if missing else ""
    return where


def check(shape: OperationShape, inputs: Inputs) -> None:
    """Raise 400 InvalidInput for the first parameter that is missing or not as the model says."""
    if inputs.unreadable:
        raise inputs.unreadable[0]
    for param in shape.parameters:
        value = inputs.value(param)
        if value is None or (param.location == "path" and not value.strip()):
            if param.required:
                raise problem(param.name, f"{param.name} is required.")
            continue
        error = best_match(validator(param.schema, shape.definitions).iter_errors(value))
        if error is not None:
            raise problem(_where(param.name, error), error.message)
