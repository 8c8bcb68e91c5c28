"""The terminal table: rich on a terminal, tab-separated lines otherwise, nothing shown on abort."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from amazon_connector.data import DestinationError, open_destination
from amazon_connector.data.table import TABLE_ROWS
from tests.data.sets import ITEMS, ORDERS, item, order


def test_a_terminal_gets_a_table_per_record_set():
    console = Console(file=io.StringIO(), force_terminal=True, width=200, color_system=None)
    with open_destination("-", [ORDERS, ITEMS], console=console) as destination:
        destination.write(ORDERS, [order(1, note="plain")])
        destination.write(ITEMS, [item(1, 1)])
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "order_items" in shown
    assert "202-0000001" in shown
    assert "┃" in shown or "│" in shown


def test_plain_lines_when_not_a_terminal_and_a_bound_on_rows():
    console = Console(file=io.StringIO(), force_terminal=False, width=40)
    with open_destination("table", ITEMS, console=console) as destination:
        destination.write(ITEMS, (item(n, 1) for n in range(TABLE_ROWS + 5)))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "order_id\tline\tsku\tprice"
    assert lines[1] == "202-0000000\t1\tSKU-1\t9.99"
    assert len(lines) == TABLE_ROWS + 2
    assert lines[-1] == "# … and 5 more order_items records"


def test_nothing_is_shown_on_abort_and_only_replace_makes_sense():
    console = Console(file=io.StringIO(), force_terminal=False)
    destination = open_destination("-", ITEMS, console=console)
    destination.write(ITEMS, [item(1, 1)])
    destination.abort()
    assert console.file.getvalue() == ""  # type: ignore[attr-defined]
    with pytest.raises(DestinationError, match="cannot upsert"):
        open_destination("-", ITEMS, mode="upsert")
