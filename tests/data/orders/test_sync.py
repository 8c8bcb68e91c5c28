"""Incremental syncs against a world that moves: sync, the world changes (status steps, explicit changes,
new orders), sync again: every destination type ends equal to the new ground truth, with no duplicates.
The overlap catches what Amazon indexed late; several connections sync at once; a shipment confirmed
(issue 14) shows in the next sync."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from amazon_connector.data.orders import ORDER_ITEMS, ORDERS, OrderQuery, sync_orders
from amazon_connector.data.results import Outcome
from amazon_connector.data.shipments import confirm_shipments, shipment_record
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.spapi.order_book import LATEST_INDEX, QUIET, View
from tests.data.orders.conftest import SEARCH_ORDERS, UK, World, differences, expected, held

US = get_marketplace("US").marketplace_id


def settle(world: World, marketplace: str = UK, country: str = "UK") -> None:
    """Move the clock on until no order changed in the last minutes (so every step is indexed and within
    the next sync's window): the ground truth then is what a complete sync must hold."""
    book, seller = (
        world.emulator.sandbox.orders,
        world.emulator.world.seller(world.seller(country)["selling_partner_id"]),
    )
    assert seller is not None
    while True:
        latest = max(h.updated for h in book.orders(seller, marketplace, View.NOW))
        if world.clock.now() - latest > LATEST_INDEX + QUIET:
            return
        world.clock.advance(60)


def check(target: str, truth) -> None:
    want_orders, want_items = expected(truth)
    got_orders, got_items = held(target)
    assert differences(got_orders, want_orders, ORDERS.key_of) == []
    assert differences(got_items, want_items, ORDER_ITEMS.key_of) == []
    assert len(got_orders) == len({o["order_id"] for o in got_orders}) == len(truth)


@pytest.fixture(params=[".csv", ".jsonl", ".parquet", ".xml", ".db", "postgresql"])
def target(request, tmp_path) -> str:
    if request.param == "postgresql":
        name = request.node.name.split("[")[0][-20:].replace("-", "_")
        return f"{request.getfixturevalue('postgres_url')}?table_prefix=sync_{abs(hash(name)) % 10**6}_"
    return str(tmp_path / f"orders{request.param}")


def test_sync_change_sync_equals_the_new_ground_truth(make_world, target):
    world = make_world(orders=150)
    world.unlimited(SEARCH_ORDERS)
    uk = world.connect()
    settle(world)
    [first] = sync_orders(uk, target, OrderQuery(since=world.since()))
    assert first.error is None
    assert first.orders == 150
    check(target, world.truth())
    before = {t["order_id"]: t for t in world.truth()}
    unshipped = [t["order_id"] for t in before.values() if t["status"] == "Unshipped"]
    world.change(unshipped[0], "Shipped")
    world.change(unshipped[1], "Canceled")
    world.clock.advance(2 * 86_400)  # orders go on through their lives; new ones arrive
    settle(world)
    [second] = sync_orders(uk, target)
    assert second.error is None
    truth = world.truth()
    assert len(truth) > 150
    assert sum(1 for t in truth if t != before.get(t["order_id"])) <= second.orders < 150
    check(target, truth)
    assert first.position is not None
    assert second.since == first.position - timedelta(minutes=15)


def test_the_overlap_catches_steps_amazon_indexed_late(make_world, tmp_path):
    world = make_world(orders=2000)
    world.unlimited(SEARCH_ORDERS)
    uk = world.connect()
    without, with_overlap = str(tmp_path / "no-overlap.db"), str(tmp_path / "overlap.db")
    for target in (without, with_overlap):
        sync_orders(uk, target, OrderQuery(since=world.since()))
    late = _wait_for_a_late_step(world)
    for target, overlap in ((without, timedelta(0)), (with_overlap, timedelta(minutes=15))):
        [result] = sync_orders(uk, target, overlap=overlap)
        assert result.error is None
    world.clock.advance(LATEST_INDEX.total_seconds())
    for target, overlap in ((without, timedelta(0)), (with_overlap, timedelta(minutes=15))):
        sync_orders(uk, target, overlap=overlap)
    updated = datetime.fromisoformat({t["order_id"]: t for t in world.truth()}[late]["updated"])
    assert _held_order(with_overlap, late)["last_updated_at"] == updated
    missed = _held_order(without, late)
    assert missed is None or missed["last_updated_at"] < updated  # without an overlap it is lost


def _wait_for_a_late_step(world: World) -> str:
    """Move the clock to just after a coming step that Amazon will index late, so that the step is older
    than the two minutes searches leave but not yet indexed; the order's ID."""
    now = world.clock.now()
    for order in world.truth(view="now"):
        for step in order["steps"]:
            at, indexed = datetime.fromisoformat(step["at"]), datetime.fromisoformat(step["indexed"])
            if at > now + timedelta(minutes=20) and indexed - at > QUIET + timedelta(seconds=10):
                world.clock.advance((at + QUIET + timedelta(seconds=5) - now).total_seconds())
                return str(order["order_id"])
    raise AssertionError("no step to come is indexed late")


def _held_order(target: str, order_id: str):
    return next((o for o in held(target)[0] if o["order_id"] == order_id), None)


def test_several_connections_sync_at_once_each_reported(make_world, tmp_path):
    world = make_world(orders=100)
    world.unlimited(SEARCH_ORDERS)
    uk, us = world.connect("uk"), world.connect("us", country="US")
    incomplete = world.connections.add("incomplete", country="DE")
    target = str(tmp_path / "all.db")
    results = sync_orders([uk, us, incomplete], target, OrderQuery(since=world.since()))
    assert [r.connection for r in results] == ["uk", "us", "incomplete"]
    assert [r.orders for r in results[:2]] == [100, 100]
    assert results[2].error is not None
    assert "Configuration Incomplete" in results[2].error.message
    orders = held(target)[0]
    assert {o["marketplace_id"] for o in orders} == {UK, US}
    assert len(orders) == 200


def test_after_the_report_a_sync_tops_up_through_the_api(make_world, tmp_path):
    world = make_world(orders=3000)
    uk = world.connect()
    target = str(tmp_path / "orders.db")
    [result] = sync_orders(uk, target, OrderQuery(since=world.since(), buyer_data=False))
    assert result.error is None
    assert result.sources == ["api", "report"]  # the report covered the long window, the API the rest
    assert result.position is not None
    assert result.position > world.clock.now() - timedelta(minutes=10)
    assert len(held(target)[0]) == len({o["order_id"] for o in held(target)[0]})


def test_a_shipment_confirmed_shows_in_the_next_sync(make_world, tmp_path):
    world = make_world(orders=150)
    world.unlimited(SEARCH_ORDERS)
    uk = world.connect()
    settle(world)
    target = str(tmp_path / "orders.db")
    sync_orders(uk, target, OrderQuery(since=world.since()))
    waiting = next(
        t for t in world.truth() if t["status"] == "Unshipped" and t["fulfillment_channel"] == "MFN"
    )
    assert _held_order(target, waiting["order_id"])["status"] == "UNSHIPPED"
    record = shipment_record({"order_id": waiting["order_id"], "carrier": "UPS", "tracking": "1Z9"})
    [result] = confirm_shipments(uk, [record]).results
    assert result.outcome is Outcome.ACCEPTED
    settle(world)
    [second] = sync_orders(uk, target)
    assert second.error is None
    assert _held_order(target, waiting["order_id"])["status"] == "SHIPPED"
    check(target, world.truth())
