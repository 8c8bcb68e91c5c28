"""Record sets: named, typed, ordered columns with a primary key; records are plain dicts checked against them.

A record's values are Python values of its columns' types: ``str``, ``int``, ``Decimal``, ``bool``,
``datetime`` (timezone-aware, UTC), ``date``, and ``dict``/``list`` for JSON. ``coerce`` also accepts their
text forms (as read from CSV or XML) and turns them into those values, or names the column and value at fault.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from amazon_connector.clock import iso_utc
from amazon_connector.errors import ConfigurationError

Record = dict[str, Any]
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
DECIMAL_PRECISION = 38


class ColumnType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"
    DATE = "date"
    JSON = "json"


class RecordError(ConfigurationError):
    """A record does not fit its record set: a missing, unknown or mistyped column."""


@dataclass(frozen=True, init=False)
class Column:
    """One column: ``scale`` is the number of decimal places a DECIMAL column keeps (38 digits in all)."""

    name: str
    type: ColumnType
    nullable: bool
    doc: str
    scale: int

    def __init__(
        self, name: str, type: ColumnType | str, nullable: bool = True, doc: str = "", scale: int = 6
    ) -> None:
        if not NAME.match(name):
            raise ValueError(f"column name {name!r} is not a letter or _ followed by letters, digits or _")
        if not 0 <= scale <= DECIMAL_PRECISION:
            raise ValueError(f"column {name}: scale must be between 0 and {DECIMAL_PRECISION}")
        set_attribute = object.__setattr__  # the dataclass is frozen
        set_attribute(self, "name", name)
        set_attribute(self, "type", ColumnType(type))
        set_attribute(self, "nullable", nullable)
        set_attribute(self, "doc", doc)
        set_attribute(self, "scale", scale)


@dataclass(frozen=True, init=False)
class RecordSet:
    """A named kind of record (``orders``, ``order_items``): its columns in order and its primary key.

    ``xml_row`` names the element of one record in XML output (the set's name is the root element)."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    doc: str
    xml_row: str
    by_name: Mapping[str, Column] = field(repr=False, compare=False)

    def __init__(
        self,
        name: str,
        columns: Iterable[Column],
        primary_key: Sequence[str] = (),
        doc: str = "",
        xml_row: str = "record",
    ) -> None:
        columns = tuple(columns)
        by_name = {c.name: c for c in columns}
        for label, value in (("record set", name), ("xml_row", xml_row)):
            if not NAME.match(value):
                raise ValueError(
                    f"{label} name {value!r} is not a letter or _ followed by letters, digits or _"
                )
        if not columns:
            raise ValueError(f"record set {name} has no columns")
        if len(by_name) != len(columns):
            raise ValueError(f"record set {name} names a column twice")
        if unknown := [k for k in primary_key if k not in by_name]:
            raise ValueError(f"record set {name}: primary key column(s) {', '.join(unknown)} are not columns")
        # A primary-key column is never null.
        columns = tuple(
            Column(c.name, c.type, False, c.doc, c.scale) if c.name in primary_key else c for c in columns
        )
        set_attribute = object.__setattr__  # the dataclass is frozen
        set_attribute(self, "name", name)
        set_attribute(self, "columns", columns)
        set_attribute(self, "primary_key", tuple(primary_key))
        set_attribute(self, "doc", doc)
        set_attribute(self, "xml_row", xml_row)
        set_attribute(self, "by_name", {c.name: c for c in columns})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def key_of(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        """The primary-key values of a (coerced) record."""
        return tuple(record[k] for k in self.primary_key)

    def coerce(self, record: Mapping[str, Any]) -> Record:
        """The record with exactly this set's columns, in order, each value of its column's type.

        A missing nullable column is None; an unknown column or a value that does not fit is a RecordError."""
        if unknown := [k for k in record if k not in self.by_name]:
            raise RecordError(
                f"Record set {self.name} has no column {', '.join(map(repr, unknown))}.",
                hint=f"Its columns are: {', '.join(self.column_names)}.",
            )
        return {c.name: coerce_value(self.name, c, record.get(c.name)) for c in self.columns}


def column_differences(record_set: RecordSet, found: Sequence[str]) -> list[str]:
    """How columns found in a destination differ from the record set's (empty when they are the same)."""
    expected = record_set.column_names
    differences = []
    if missing := [n for n in expected if n not in found]:
        differences.append(f"missing column(s) {', '.join(missing)}")
    if extra := [n for n in found if n not in expected]:
        differences.append(f"column(s) {', '.join(extra)} not in record set {record_set.name}")
    if not differences and list(found) != expected:
        differences.append(f"the columns are in another order (expected {', '.join(expected)})")
    return differences


def coerce_value(set_name: str, column: Column, value: Any) -> Any:
    """``value`` as ``column``'s Python type (text forms parsed), or a RecordError naming column and value."""
    if value is None:
        if column.nullable:
            return None
        raise RecordError(f"{set_name}.{column.name} must have a value (it is not nullable).")
    try:
        return _COERCE[column.type](column, value)
    except (ValueError, TypeError, InvalidOperation, ArithmeticError) as exc:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise RecordError(
            f"{set_name}.{column.name} ({column.type}) cannot take {shown}: {_reason(exc)}"
        ) from None


def _reason(exc: Exception) -> str:
    return str(exc) if str(exc) and not isinstance(exc, InvalidOperation) else "not a decimal number"


def _string(column: Column, value: Any) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected text, got {type(value).__name__}")


def _integer(column: Column, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return int(value)


def _decimal(column: Column, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("expected a decimal number, got bool")
    if isinstance(value, float):
        value = repr(value)  # the shortest text that reads back as this float: 12.99, not 12.9900000000000002
    if not isinstance(value, Decimal | int | str):
        raise TypeError(f"expected a decimal number, got {type(value).__name__}")
    number = Decimal(value.strip() if isinstance(value, str) else value)
    if not number.is_finite():
        raise ValueError("not a finite number")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > column.scale and number != number.quantize(Decimal(1).scaleb(-column.scale)):
        raise ValueError(f"more than {column.scale} decimal places")
    if number.adjusted() >= DECIMAL_PRECISION - column.scale:
        raise ValueError(f"more than {DECIMAL_PRECISION - column.scale} digits before the point")
    return number


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _boolean(column: Column, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("expected true or false")


def _timestamp(column: Column, value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if not isinstance(value, datetime):
        raise TypeError(f"expected a timestamp, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("the timestamp has no time zone (give UTC, e.g. 2026-01-31T12:00:00Z)")
    return value.astimezone(UTC)


def _date(column: Column, value: Any) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return value


def _json(column: Column, value: Any) -> Any:
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict | list):
        raise TypeError(f"expected a JSON object or array, got {type(value).__name__}")
    return value


_COERCE = {
    ColumnType.STRING: _string,
    ColumnType.INTEGER: _integer,
    ColumnType.DECIMAL: _decimal,
    ColumnType.BOOLEAN: _boolean,
    ColumnType.TIMESTAMP: _timestamp,
    ColumnType.DATE: _date,
    ColumnType.JSON: _json,
}


def text_of(column: Column, value: Any) -> str:
    """A coerced value as text (CSV, XML, the terminal): ISO 8601 times with Z, decimals without exponent."""
    if column.type is ColumnType.TIMESTAMP:
        return iso_utc(value)
    if column.type is ColumnType.DECIMAL:
        return format(value, "f")
    if column.type is ColumnType.BOOLEAN:
        return "true" if value else "false"
    if column.type is ColumnType.JSON:
        return json_text(value)
    return str(value)


def json_text(value: Any) -> str:
    """Compact JSON text of a json column's value."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise RecordError(f"A JSON value cannot be written: {exc}.") from None


def json_value(column: Column, value: Any) -> Any:
    """A coerced value as a JSON Lines value: decimals, times and dates as text, the rest as they are."""
    if value is None:
        return None
    if column.type in (ColumnType.DECIMAL, ColumnType.TIMESTAMP, ColumnType.DATE):
        return text_of(column, value)
    return value
