"""The order book's world on the clock: orders that arrive, change status and reach the search index late;
explicit changes; the same seed giving the same world; 10,000 orders made quickly."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from amazon_connector.clock import ManualClock
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.spapi.assortment import Assortment
from amazon_connector.sandbox.spapi.order_book import (
    LATEST_INDEX,
    QUIET,
    OrderBook,
    OrderStateError,
    Status,
    View,
    truth,
)
from amazon_connector.sandbox.world import demo_world

UK = get_marketplace("UK").marketplace_id


def book(orders: int = 200, clock: ManualClock | None = None) -> tuple[OrderBook, ManualClock]:
    clock = clock or ManualClock()
    world = demo_world(orders_per_marketplace=orders)
    return OrderBook(world, clock, Assortment(world, clock.now())), clock


def seller(order_book: OrderBook):
    return next(s for s in order_book.world.sellers if "UK" in s.countries)


def test_a_fresh_book_has_its_history_indexed_and_quiet_before_the_start():
    order_book, clock = book()
    uk = seller(order_book)
    searched = order_book.orders(uk, UK, View.SEARCH)
    assert searched == order_book.orders(uk, UK, View.NOW)
    assert len(searched) == 200
    assert all(h.updated <= clock.now() - QUIET for h in searched)
    assert [h.index for h in searched] == list(range(200))


def test_orders_move_through_their_lives_on_the_clock():
    order_book, clock = book()
    uk = seller(order_book)
    before = {h.order_id: h for h in order_book.orders(uk, UK, View.NOW)}
    clock.advance(3 * 24 * 3600)
    after = {h.order_id: h for h in order_book.orders(uk, UK, View.NOW)}
    assert len(after) > len(before)  # new orders arrived at the same pace
    assert 15 <= len(after) - len(before) <= 25  # 200 orders a month: about 20 in three days
    changed = [i for i, h in before.items() if after[i] != h]
    assert changed
    for order_id in changed:
        old, new = before[order_id], after[order_id]
        assert new.updated > old.updated
        assert new.status in {Status.SHIPPED, Status.CANCELED, Status.PARTIALLY_SHIPPED}
    statuses = {h.status for h in after.values()}
    assert {Status.SHIPPED, Status.UNSHIPPED, Status.CANCELED} <= statuses or Status.SHIPPED in statuses


def test_searches_see_steps_late_and_lookups_at_once():
    order_book, clock = book(orders=1000)
    uk = seller(order_book)
    start = clock.now()
    clock.advance(4 * 86_400)
    lags = []
    for header in order_book.orders(uk, UK, View.NOW):
        if header.updated <= start:
            continue
        assert order_book.find(uk, header.order_id) == header
        at_once = {h.order_id: h for h in order_book.orders(uk, UK, View.SEARCH, at=header.updated)}
        assert at_once.get(header.order_id) != header  # not indexed the moment it happened
        later = {h.order_id: h for h in order_book.orders(uk, UK, View.SEARCH, at=header.updated + QUIET)}
        lags.append(later.get(header.order_id) != header)
        indexed = order_book.orders(uk, UK, View.SEARCH, at=header.updated + LATEST_INDEX)
        assert header in indexed
    assert len(lags) > 100
    assert 0 < sum(lags) < len(lags) / 10  # a few steps take longer than the two minutes searches leave


def test_the_same_seed_and_start_give_the_same_world():
    first, clock = book()
    second, other_clock = book(clock=ManualClock(clock.now()))
    for moving in (clock, other_clock):
        moving.advance(86_400)
    one, other = seller(first), seller(second)
    assert first.orders(one, UK, View.NOW) == second.orders(other, UK, View.NOW)
    header = first.orders(one, UK)[17]
    assert truth(first.details(one, header)) == truth(second.details(other, header))


def test_explicit_changes_take_over_the_order():
    order_book, clock = book()
    uk = seller(order_book)
    clock.advance(3600 * 30)
    unshipped = next(h for h in order_book.orders(uk, UK, View.NOW) if h.status is Status.UNSHIPPED)
    changed = order_book.change_status(uk, unshipped.order_id, "Shipped")
    assert (changed.status, changed.updated) == (Status.SHIPPED, clock.now())
    assert order_book.find(uk, unshipped.order_id) == changed
    clock.advance(30 * 24 * 3600)  # its own life would have gone on; the explicit step stays
    assert order_book.find(uk, unshipped.order_id) == changed
    with pytest.raises(OrderStateError, match="is Shipped and cannot become Canceled"):
        order_book.change_status(uk, unshipped.order_id, Status.CANCELED)
    with pytest.raises(OrderStateError, match="not found"):
        order_book.change_status(uk, "999-0000000-0000000", Status.SHIPPED)
    with pytest.raises(OrderStateError, match="Unknown order status 'Lost'"):
        order_book.change_status(uk, unshipped.order_id, "Lost")


def test_ten_thousand_orders_are_made_quickly():
    order_book, _ = book(orders=10_000)
    uk = seller(order_book)
    started = time.process_time()
    headers = order_book.orders(uk, UK)
    details = [order_book.details(uk, h) for h in headers]
    assert len(details) == 10_000
    assert time.process_time() - started < 5
    assert sum(len(d.items) for d in details) > 15_000
    assert len({h.order_id for h in headers}) == 10_000
    assert max(h.purchased for h in headers) <= order_book.end
    assert min(h.purchased for h in headers) >= order_book.end - timedelta(days=30)
