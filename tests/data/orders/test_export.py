"""Exports against the emulator: the records equal the ground truth, from Orders v2026-01-01, v0 and the
order report alike; 10,000 orders; buyer data and why it is missing."""

from __future__ import annotations

import asyncio

import pytest

from amazon_connector.data.orders import ORDER_ITEMS, ORDERS, OrderQuery, export_orders, list_orders
from tests.data.orders.conftest import PLAIN_APP, SEARCH_ORDERS, UK, differences, expected, held

pytestmark = pytest.mark.filterwarnings("ignore:Orders API v0 is deprecated:FutureWarning")  # shown once


def check(target: str, truth, **how) -> None:
    want_orders, want_items = expected(truth, **how)
    got_orders, got_items = held(target)
    assert differences(got_orders, want_orders, ORDERS.key_of) == []
    assert differences(got_items, want_items, ORDER_ITEMS.key_of) == []
    assert len(got_orders) == len(truth)


def test_ten_thousand_orders_with_their_items_equal_the_ground_truth(make_world, tmp_path):
    world = make_world(orders=10_000)
    world.unlimited(SEARCH_ORDERS)  # the world stands still, so the truth afterwards is the truth during
    uk = world.connect()
    target = str(tmp_path / "orders.parquet")
    result = export_orders(uk, target, OrderQuery(since=world.since(), path="api"))
    assert (result.orders, result.pages, result.sources) == (10_000, 100, ["api"])
    check(target, world.truth())
    assert result.items == len(held(target)[1]) > 20_000


@pytest.mark.parametrize("api", ["2026-01-01", "v0"])
def test_both_apis_and_the_report_give_the_same_records(make_world, tmp_path, api):
    world = make_world(orders=150)
    uk = world.connect()
    target = str(tmp_path / f"{api}.jsonl")
    with pytest.warns(FutureWarning, match="2027-03-27") if api == "v0" else _nothing():
        export_orders(uk, target, OrderQuery(since=world.since(), api=api))
    check(target, world.truth())
    report = str(tmp_path / "report.csv")
    result = export_orders(uk, report, OrderQuery(since=world.since(), path="report", api=api))
    assert result.sources == ["report"]
    check(report, world.truth(), buyer="not_in_report")


def _nothing():
    import contextlib

    return contextlib.nullcontext()


def test_buyer_data_says_why_it_is_missing(make_world, tmp_path):
    world = make_world(orders=60)
    without_role = world.connect("plain", app=PLAIN_APP)
    target = str(tmp_path / "plain.csv")
    result = export_orders(without_role, target, OrderQuery(since=world.since()))
    orders, _ = held(target)
    assert {o["buyer_data"] for o in orders} == {"withheld"}
    assert all(
        o[c] is None for o in orders for c in ("buyer_name", "buyer_email", "ship_name", "ship_postal_code")
    )
    assert "Direct-to-Consumer Shipping (Restricted)" in (result.buyer_note() or "")
    not_asked = export_orders(
        world.connect(), str(tmp_path / "none.csv"), OrderQuery(since=world.since(), buyer_data=False)
    )
    assert not_asked.buyer_data == {"not_requested": 60}
    assert not_asked.buyer_note() is None
    check(str(tmp_path / "none.csv"), world.truth(), buyer="not_requested")


def test_filters_and_lookups_by_id(make_world, tmp_path):
    world = make_world(orders=150)
    uk = world.connect()
    truth = world.truth()
    target = str(tmp_path / "shipped.csv")
    export_orders(uk, target, OrderQuery(since=world.since(), statuses=("Shipped",), channels=("MFN",)))
    check(target, [t for t in truth if t["status"] == "Shipped" and t["fulfillment_channel"] == "MFN"])
    picked = [truth[3]["order_id"], truth[50]["order_id"]]
    for api in ("2026-01-01", "v0"):
        found = str(tmp_path / f"picked-{api}.csv")
        result = list_orders(uk, OrderQuery(order_ids=(*picked, "999-0000000-0000000"), api=api), found)
        assert result.not_found == ["999-0000000-0000000"]
        check(found, [truth[3], truth[50]])
    de = str(tmp_path / "de.csv")
    export_orders(uk, de, OrderQuery(since=world.since(), marketplaces=("DE", UK)))
    assert len(held(de)[0]) == 300


def test_a_long_window_without_buyer_data_races_the_report_against_the_api(make_world, tmp_path):
    world = make_world(orders=3000)  # 30 pages: past the burst the API needs 180 s a page
    uk = world.connect()
    target = str(tmp_path / "raced.parquet")
    result = export_orders(uk, target, OrderQuery(since=world.since(), buyer_data=False))
    assert (result.sources, result.finished_by) == (["api", "report"], "report")
    pages = sum(world.emulator.sandbox.stats.snapshot()[SEARCH_ORDERS].values())
    assert pages < 30  # the report was done first and the API's pages stopped
    orders, _ = held(target)
    assert {o["buyer_data"] for o in orders} <= {"not_requested", "not_in_report"}
    assert result.until is not None
    placed = {
        t["order_id"] for t in world.truth() if t["purchased"] <= result.until.strftime("%Y-%m-%dT%H:%M:%SZ")
    }
    assert sorted(o["order_id"] for o in orders) == sorted(placed)


def test_the_async_functions_are_the_same_implementation(make_world, tmp_path):
    from amazon_connector.data.orders import aexport_orders, async_orders

    world = make_world(orders=40)
    uk = world.connect()

    async def main():
        exported = await aexport_orders(uk, str(tmp_path / "a.csv"), OrderQuery(since=world.since()))
        [synced] = await async_orders([uk], str(tmp_path / "a.db"), OrderQuery(since=world.since()))
        # the sync functions work inside a running event loop too (a notebook): on a loop of their own
        again = export_orders(uk, str(tmp_path / "b.csv"), OrderQuery(since=world.since()))
        return exported, synced, again

    exported, synced, again = asyncio.run(main())
    assert (exported.orders, synced.orders, synced.error, again.orders) == (40, 40, None, 40)
    assert held(str(tmp_path / "b.csv")) == held(str(tmp_path / "a.csv")) == held(str(tmp_path / "a.db"))


def test_a_report_not_made_in_time_is_waited_for_again_by_the_next_run(make_world, tmp_path, monkeypatch):
    from datetime import timedelta

    from amazon_connector.data.orders import report
    from amazon_connector.errors import ReportNotReadyError

    world = make_world(orders=50)
    uk = world.connect()
    target = str(tmp_path / "orders.csv")
    query = OrderQuery(since=world.since(), path="report")
    monkeypatch.setattr(report, "LONGEST_WAIT", timedelta(seconds=1))
    with pytest.raises(ReportNotReadyError):
        export_orders(uk, target, query)
    monkeypatch.undo()
    result = export_orders(uk, target, query)
    assert result.resumed
    assert result.orders == 50
    created = world.emulator.sandbox.stats.snapshot()["reports/2021-06-30/createReport"]
    assert sum(created.values()) == 2  # the window's two spans of 30 days: each asked for once


class Stopped(Exception):
    """Stands for whatever stops a run part way."""


def test_a_run_stopped_part_way_resumes_and_an_expired_page_token_starts_the_window_again(
    make_world, tmp_path
):
    world = make_world(orders=800)
    world.unlimited(SEARCH_ORDERS)
    uk = world.connect()
    target = str(tmp_path / "orders.csv")
    query = OrderQuery(since=world.since())

    def stop_after_three_pages(progress) -> None:
        if progress.pages == 3:
            raise Stopped

    with pytest.raises(Stopped):
        export_orders(uk, target, query, on_progress=stop_after_three_pages)
    resumed = export_orders(uk, target, query)
    assert (resumed.resumed, resumed.pages, resumed.orders) == (True, 5, 800)  # pages 4 to 8
    with pytest.raises(Stopped):
        export_orders(uk, target, query, on_progress=stop_after_three_pages)
    world.clock.advance(25 * 3600)  # Amazon's page tokens live 24 hours
    again = export_orders(uk, target, query)
    truth = world.truth()  # with the orders of the 25 hours
    assert again.resumed
    assert again.pages == -(-len(truth) // 100)  # the window searched again from its start
    assert {o["order_id"] for o in held(target)[0]} == {t["order_id"] for t in truth}


def test_a_window_relative_to_now_resumes_its_job_on_a_later_run(make_world, tmp_path):
    from datetime import timedelta

    world = make_world(orders=500)
    world.unlimited(SEARCH_ORDERS)
    uk = world.connect()
    target = str(tmp_path / "orders.csv")
    query = OrderQuery(since=timedelta(days=40))  # what --since 40d gives

    def stop_after_two_pages(progress) -> None:
        if progress.pages == 2:
            raise Stopped

    started = world.clock.now()
    with pytest.raises(Stopped):
        export_orders(uk, target, query, on_progress=stop_after_two_pages)
    world.clock.advance(600)
    resumed = export_orders(uk, target, query)
    assert (resumed.resumed, resumed.pages, resumed.orders) == (True, 3, 500)
    assert resumed.since == started - timedelta(days=40)  # the window of the run it resumed
