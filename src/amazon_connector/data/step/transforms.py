"""Values on their way from a record to a field: the step's transforms (trim, upper, lower, number,
decimal, date with a format, default, lookup), then the conversion the field's schema asks for (a CSV's
``"5"`` into an integer field is 5). A value that cannot convert is a ``ValueError`` saying why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from amazon_connector.api.shapes import Schema
from amazon_connector.clock import iso_utc
from amazon_connector.data.step.model import (
    DateTransform,
    DecimalTransform,
    DefaultTransform,
    LookupTransform,
    Transform,
)

_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = Decimal(str(value).strip().replace(",", "") if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return number


def _number(value: Any) -> int | float:
    number = _decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _date(value: Any, pattern: str) -> str:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value.isoformat()
    else:
        try:
            moment = datetime.strptime(str(value).strip(), pattern)
        except ValueError:
            raise ValueError(f"{value!r} is not a date in the format {pattern}") from None
        if not any(code in pattern for code in ("%H", "%I", "%M", "%S", "%z")):
            return moment.date().isoformat()
    return iso_utc(moment)


def apply(value: Any, transforms: Sequence[Transform]) -> Any:
    """``value`` through each transform in turn."""
    for transform in transforms:
        if isinstance(transform, DefaultTransform):
            value = transform.default if empty(value) else value
        elif empty(value):
            continue  # an empty value stays empty (a later default may fill it)
        elif transform == "trim":
            value = value.strip() if isinstance(value, str) else value
        elif transform == "upper":
            value = str(value).upper()
        elif transform == "lower":
            value = str(value).lower()
        elif transform == "number":
            value = _number(value)
        elif transform == "decimal":
            value = _decimal(value)
        elif isinstance(transform, DecimalTransform):
            number = _decimal(value)
            exponent = number.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > transform.decimal:
                raise ValueError(f"{value!r} has more than {transform.decimal} decimal places")
            value = number
        elif isinstance(transform, DateTransform):
            value = _date(value, transform.date)
        elif isinstance(transform, LookupTransform):
            key = str(value)
            if key not in transform.lookup:
                raise ValueError(f"{value!r} is not in the lookup table ({', '.join(transform.lookup)})")
            value = transform.lookup[key]
    return value


def convert(value: Any, schema: Schema) -> Any:
    """``value`` as the field's schema types it (JSON values only: decimals as numbers, times as
    ISO 8601 text); ValueError when it cannot be."""
    if value is None:
        return None
    kind = schema.get("type")
    if kind == "array":
        items = value if isinstance(value, list | tuple) else _split(value)
        return [convert(v, schema.get("items") or {}) for v in items]
    if kind == "integer":
        number = _decimal(value)
        if number != number.to_integral_value():
            raise ValueError(f"{value!r} is not a whole number")
        value = int(number)
    elif kind == "number":
        value = _number(value)
    elif kind == "boolean":
        value = _boolean(value)
    elif kind == "string":
        value = _text(value)
        if schema.get("format") in ("date-time", "date"):
            _check_time(value, schema["format"])
    else:
        value = json_value(value)
    if "enum" in schema and value not in schema["enum"]:
        raise ValueError(f"{value!r} is not one of {', '.join(str(v) for v in schema['enum'])}")
    return value


def _split(value: Any) -> list[Any]:
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else [value]


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"{value!r} is not true or false")


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict | list):
        raise ValueError(f"{value!r} is not text")
    return str(value)


def _check_time(text: str, kind: str) -> None:
    try:
        (datetime if kind == "date-time" else date).fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 {kind} (use the date transform)") from None


def json_value(value: Any) -> Any:
    """A value as JSON: decimals as numbers, times as ISO 8601 text, containers converted throughout."""
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, datetime | date):
        return _text(value)
    return value
