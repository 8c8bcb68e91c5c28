"""`amazon-connector orders …` in-process: the commands, their output and exit codes; bad input is one
clear message, exit code 1, nothing written and the sync position unchanged.

The command line keeps real time while the emulator's clock stands still, so usage plans are lifted
here (the library's tests run both on one clock)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amazon_connector.connections.store.schema import order_jobs_table, order_sync_positions_table
from amazon_connector.data.orders import ORDER_ITEMS, ORDERS
from tests.data.orders.conftest import SEARCH_ORDERS, World, differences, expected, held

SINCE = "2025-11-01"
ITEMS = "orders/v0/getOrderItems"
V0_ORDERS = "orders/v0/getOrders"


@pytest.fixture
def world(make_world) -> World:
    made = make_world(orders=60)
    made.unlimited(SEARCH_ORDERS, ITEMS, V0_ORDERS, "orders/2026-01-01/getOrder", "orders/v0/getOrder")
    made.connect()
    return made


def stored(world: World) -> tuple[int, list[tuple[object, ...]]]:
    """How many jobs are under way, and the sync positions."""
    with world.connections.store.transaction() as conn:
        jobs = conn.execute(select(func.count()).select_from(order_jobs_table)).scalar_one()
        positions = [tuple(r) for r in conn.execute(select(order_sync_positions_table)).all()]
    return jobs, positions


def test_export_list_and_get(run, world, tmp_path):
    target = tmp_path / "orders.csv"
    done = run("orders", "export", "-c", "uk", "--to", str(target), "--since", SINCE)
    assert "uk: 60 orders" in done.stderr
    want_orders, want_items = expected(world.truth())
    got_orders, got_items = held(str(target))
    assert differences(got_orders, want_orders, ORDERS.key_of) == []
    assert differences(got_items, want_items, ORDER_ITEMS.key_of) == []
    listed = run("orders", "list", "-c", "uk", "--since", SINCE, "--status", "shipped", "--channel", "MFN")
    shipped = [
        t["order_id"] for t in world.truth() if t["status"] == "Shipped" and t["fulfillment_channel"] == "MFN"
    ]
    assert shipped
    assert all(order_id in listed.stdout for order_id in shipped)
    truth = world.truth()
    got = run("orders", "get", truth[0]["order_id"], truth[1]["order_id"], "-c", "uk", "--api", "v0")
    assert truth[0]["order_id"] in got.stdout
    assert truth[0]["items"][0]["order_item_id"] in got.stdout
    assert "Orders API v0 is deprecated and Amazon removes it on 2027-03-27" in got.stderr
    by_output, by_to = tmp_path / "got.jsonl", tmp_path / "got-to.jsonl"
    run("orders", "get", truth[0]["order_id"], "-c", "uk", "--output", str(by_output), "--quiet")
    run("orders", "get", truth[0]["order_id"], "-c", "uk", "--to", str(by_to), "--quiet")
    assert truth[0]["order_id"] in by_output.read_text()
    assert by_output.read_text() == by_to.read_text()  # --to: the same option under its earlier name
    missing = run("orders", "get", "999-0000000-0000000", "-c", "uk", expect=3)
    assert "Not found: 999-0000000-0000000" in missing.stderr


def test_sync_remembers_where_it_got(run, world, tmp_path):
    target = str(tmp_path / "orders.db")
    first = run("orders", "sync", "-c", "uk", "--to", target, "--since", SINCE)
    assert "uk: 60 orders" in first.stderr
    assert "next sync continues from" in first.stderr
    _, positions = stored(world)
    assert len(positions) == 1
    again = run("orders", "sync", "--all", "--to", target, "--quiet")
    assert again.stderr == ""
    assert len(held(target)[0]) == 60
    needs_since = run("orders", "sync", "-c", "uk", "--to", str(tmp_path / "other.db"), expect=1)
    assert "needs the start of its window" in needs_since.stderr
    assert "--since" in needs_since.stderr


def _bad_destinations(tmp_path: Path) -> dict[str, str]:
    read_only = tmp_path / "read-only.csv"
    read_only.write_text("order_id\n")
    read_only.chmod(0o444)
    other_columns = tmp_path / "other.db"
    with sqlite3.connect(other_columns) as db:
        db.execute("CREATE TABLE orders (id TEXT PRIMARY KEY, note TEXT)")
    return {
        "read-only": str(read_only),
        "missing directory": str(tmp_path / "nowhere" / "orders.csv"),
        "wrong URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "other columns": str(other_columns),
        "unknown format": str(tmp_path / "orders.txt"),
    }


BOTH, EXPORT = ("export", "sync"), ("export",)


@pytest.mark.parametrize(
    ("arguments", "commands", "message"),
    [
        (["-c", "nobody"], BOTH, "No connection is named 'nobody'"),
        (["-c", "incomplete"], BOTH, "Configuration Incomplete"),
        (["-c", "uk", "--since", "2031-01-01"], BOTH, "The window starts in the future"),
        (["-c", "uk", "--since", "2025-12-20", "--until", "2025-12-10"], EXPORT, "before it starts"),
        (["-c", "uk", "--status", "Lost"], EXPORT, "Unknown order status 'Lost'"),
        (["-c", "uk", "--channel", "FBA"], EXPORT, "Unknown fulfilment channel"),
        (["-c", "uk", "--marketplace", "US"], BOTH, "not in the connection's region"),
        (["-c", "uk", "--since", "yesterday-ish"], BOTH, "is not a date or time"),
        (["-c", "uk", "--api", "v1"], BOTH, "Unknown Orders API version"),
        (["-c", "uk", "--path", "faster"], BOTH, "Unknown path"),
    ],
)
def test_bad_input_is_one_message_and_nothing_changes(run, world, tmp_path, arguments, commands, message):
    world.connections.add("incomplete", country="UK")
    target = str(tmp_path / "orders.db")
    run("orders", "sync", "-c", "uk", "--to", target, "--since", SINCE, "--quiet")
    before, content = stored(world), held(target)
    for command in commands:
        given = arguments if "--since" in arguments else [*arguments, "--since", SINCE]
        out = tmp_path / f"{command}.csv"
        result = run("orders", command, *given, "--to", str(out) if command == "export" else target, expect=1)
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists()
    assert stored(world) == before
    assert held(target) == content


def test_bad_destinations_are_refused_before_anything_is_fetched(run, world, tmp_path):
    requests = world.emulator.sandbox.stats.snapshot
    for what, target in _bad_destinations(tmp_path).items():
        before = requests().get(SEARCH_ORDERS, {})
        for command in ("export", "sync"):
            result = run("orders", command, "-c", "uk", "--to", target, "--since", SINCE, expect=1)
            assert "Error:" in result.stderr, (what, result.stderr)
        assert requests().get(SEARCH_ORDERS, {}) == before, what
        assert stored(world) == (0, [])
    assert (tmp_path / "read-only.csv").read_text() == "order_id\n"


def test_a_run_that_fails_part_way_exits_5_not_the_usage_errors_2(run, world, tmp_path):
    world.connections.edit("uk", refresh_token="Atzr|revoked-or-wrong")
    target = tmp_path / "orders.csv"
    failed = run("orders", "export", "-c", "uk", "--to", str(target), "--since", SINCE, expect=5)
    assert "run the same command again to resume" in failed.stderr
    assert not target.exists()
    usage = run("orders", "export", "-c", "uk", "--to", str(target), "--bogus", expect=2)
    assert "No such option" in usage.stderr


def test_the_output_says_why_buyer_data_is_missing(run, world, tmp_path):
    world.connect("plain", app="Demo Private App")
    result = run("orders", "export", "-c", "plain", "--to", str(tmp_path / "o.csv"), "--since", SINCE)
    assert "Buyer data: Amazon gave no buyer data for 60 of 60 orders" in " ".join(result.stderr.split())
    assert "Direct-to-Consumer Shipping (Restricted)" in result.stderr
