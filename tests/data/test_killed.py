"""A writer killed with SIGKILL midway leaves the old content intact, and the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from amazon_connector.data import Record, open_destination, read_records
from tests.data.sets import ITEMS, ORDERS, item, order

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import sys
from amazon_connector.data import open_destination
from tests.data.sets import ITEMS, ORDERS, item, order

destination = open_destination(sys.argv[1], [ORDERS, ITEMS], mode="upsert")
destination.write(ORDERS, (order(n, note="the killed run") for n in range(3000)))
destination.write(ITEMS, (item(n, 1, sku="killed") for n in range(3000)))
print("written", flush=True)
sys.stdin.readline()  # killed here, with everything written and nothing committed
destination.commit()
"""


def run_killed_writer(target: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, target],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    assert child.stdout.readline() == b"written\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL


def contents(target: str) -> tuple[list[Record], list[Record]]:
    return list(read_records(target, [ORDERS, ITEMS])), list(
        read_records(target, [ORDERS, ITEMS], "order_items")
    )


def upsert(target: str, orders, items) -> None:
    with open_destination(target, [ORDERS, ITEMS], mode="upsert") as destination:
        destination.write(ORDERS, orders)
        destination.write(ITEMS, items)


@pytest.fixture(params=[".csv", ".jsonl", ".parquet", ".xml", ".db", "postgresql"])
def target(request, tmp_path) -> str:
    if request.param == "postgresql":
        return f"{request.getfixturevalue('postgres_url')}?table_prefix=killed_"
    return str(tmp_path / f"orders{request.param}")


def test_a_killed_writer_leaves_the_old_content_and_the_next_run_completes(target, tmp_path):
    upsert(target, [order(n) for n in range(0, 10)], [item(n, 1) for n in range(0, 10)])
    before = contents(target)
    run_killed_writer(target)
    assert contents(target) == before
    if target.endswith((".csv", ".jsonl", ".parquet", ".xml")):
        assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # the killed run's staged files
    upsert(
        target,
        [order(n, note="next run") for n in range(5, 15)],
        [item(n, 1, sku="next") for n in range(5, 15)],
    )
    orders, items = contents(target)
    expected = {r["order_id"]: r for r in before[0]}
    expected |= {r["order_id"]: r for r in (ORDERS.coerce(order(n, note="next run")) for n in range(5, 15))}
    assert sorted(orders, key=ORDERS.key_of) == sorted(expected.values(), key=ORDERS.key_of)
    assert len(items) == 15
    assert {r["sku"] for r in items} == {"SKU-1", "next"}
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".commit"))]
