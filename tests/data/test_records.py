"""Record sets and coercion: pure logic."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from amazon_connector.data import Column, RecordError, RecordSet
from tests.data.sets import ORDERS, order


def test_coerce_orders_columns_and_fills_missing_nullable_with_none():
    coerced = ORDERS.coerce({"order_id": "1"})
    assert list(coerced) == ORDERS.column_names
    assert coerced["order_id"] == "1"
    assert all(coerced[n] is None for n in ORDERS.column_names[1:])


def test_coerce_parses_text_forms():
    coerced = ORDERS.coerce(
        {
            "order_id": "1",
            "items": "7",
            "total": "12.30",
            "prime": "TRUE",
            "purchased_at": "2026-01-02T03:04:05+01:00",
            "ship_by": "2026-01-05",
            "buyer": '{"a": [1]}',
        }
    )
    assert coerced["items"] == 7
    assert coerced["total"] == Decimal("12.30")
    assert coerced["prime"] is True
    assert coerced["purchased_at"] == datetime(2026, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert coerced["purchased_at"].tzinfo is UTC
    assert coerced["ship_by"] == date(2026, 1, 5)
    assert coerced["buyer"] == {"a": [1]}


def test_a_float_becomes_the_decimal_it_prints_as():
    assert ORDERS.coerce({"order_id": "1", "total": 12.99})["total"] == Decimal("12.99")


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("items", "seven", "orders.items (integer) cannot take 'seven'"),
        ("items", True, "expected an integer, got bool"),
        ("total", "12.345", "more than 2 decimal places"),
        ("total", "abc", "not a decimal number"),
        ("total", Decimal("NaN"), "not a finite number"),
        ("prime", "maybe", "expected true or false"),
        ("purchased_at", datetime(2026, 1, 1), "has no time zone"),
        ("purchased_at", "2026-01-01T00:00:00", "has no time zone"),
        ("ship_by", datetime(2026, 1, 1, tzinfo=UTC), "expected a date, got datetime"),
        ("buyer", 5, "expected a JSON object or array"),
        ("note", 5, "expected text, got int"),
    ],
)
def test_a_value_that_does_not_fit_names_column_and_value(column, value, words):
    with pytest.raises(RecordError, match="orders") as caught:
        ORDERS.coerce(order(1, **{column: value}))
    assert words in str(caught.value)
    assert f"orders.{column}" in str(caught.value)


def test_unknown_column_and_missing_key_are_refused():
    with pytest.raises(RecordError, match="has no column 'nots'") as caught:
        ORDERS.coerce({"order_id": "1", "nots": 1})
    assert "Its columns are: order_id, items" in str(caught.value)
    with pytest.raises(RecordError, match=r"orders.order_id must have a value"):
        ORDERS.coerce({"items": 1})


def test_primary_key_columns_are_not_nullable_and_sets_are_checked():
    assert ORDERS.by_name["order_id"].nullable is False
    with pytest.raises(ValueError, match="not a letter"):
        Column("bad name", "string")
    with pytest.raises(ValueError, match="primary key column"):
        RecordSet("s", [Column("a", "string")], primary_key=["b"])
    with pytest.raises(ValueError, match="names a column twice"):
        RecordSet("s", [Column("a", "string"), Column("a", "integer")])
    with pytest.raises(ValueError, match="'nope'"):
        Column("a", "nope")
