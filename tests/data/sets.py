"""Record sets with every column type, and records that use each type's edge cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from amazon_connector.data import Column, RecordSet

ORDERS = RecordSet(
    "orders",
    [
        Column("order_id", "string", doc="Amazon's order ID"),
        Column("items", "integer"),
        Column("total", "decimal", scale=2, doc="Order total"),
        Column("rate", "decimal", scale=9),
        Column("prime", "boolean"),
        Column("purchased_at", "timestamp"),
        Column("ship_by", "date"),
        Column("buyer", "json"),
        Column("note", "string"),
    ],
    primary_key=["order_id"],
    doc="One order",
)
ITEMS = RecordSet(
    "order_items",
    [
        Column("order_id", "string"),
        Column("line", "integer"),
        Column("sku", "string"),
        Column("price", "decimal"),
    ],
    primary_key=["order_id", "line"],
)


def order(number: int, **changes: Any) -> dict[str, Any]:
    """A record of ORDERS with varied values; ``changes`` overrides columns."""
    record = {
        "order_id": f"202-{number:07d}",
        "items": number % 5,
        "total": Decimal(number) / 100 + Decimal("0.10"),
        "rate": Decimal("-0.000000001") * number,
        "prime": number % 2 == 0,
        "purchased_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number, microseconds=number),
        "ship_by": date(2026, 1, 2) + timedelta(days=number % 30),
        "buyer": {"name": f"Bü {number}", "tags": [1, 2.5, None, True], "nested": {"k": '"x"\n'}},
        "note": f'comma, "quote" and\nnewline {number}',
    }
    record.update(changes)
    return record


EDGE_ORDERS = [
    order(1),
    order(
        2,
        items=None,
        total=None,
        rate=None,
        prime=None,
        purchased_at=None,
        ship_by=None,
        buyer=None,
        note=None,
    ),
    order(
        3,
        total=Decimal("-99999999999999999999999999999999999.99"),
        purchased_at=datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=-5))),  # not UTC: made UTC
        buyer=[],
        note="日本語 ✓ tab\tend",
        items=2**62,
    ),
]


def item(order_number: int, line: int, **changes: Any) -> dict[str, Any]:
    record = {
        "order_id": f"202-{order_number:07d}",
        "line": line,
        "sku": f"SKU-{line}",
        "price": Decimal("9.99"),
    }
    record.update(changes)
    return record
