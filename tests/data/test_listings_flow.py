"""Bulk listing updates against the emulator over real HTTP: by patches and by feed, a result for every
record, the records at fault named by line, and runs that continue after a crash without sending
anything twice. Client and emulator share one clock running 100 times faster than real time (the rate
limiter paces concurrent calls against it)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from amazon_connector import Connections
from amazon_connector.clock import Clock, FollowedClock, ScaledClock
from amazon_connector.connections.connection import Connection
from amazon_connector.connections.store.schema import submission_feeds_table, submission_runs_table
from amazon_connector.data import read_records
from amazon_connector.data.listings import What, update_listings
from amazon_connector.data.results import ERRORS, RESULTS, Outcome, write_results
from amazon_connector.data.sources import open_source
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.conftest import app_settings, seller_in

UK = get_marketplace("UK").marketplace_id
SCALE = 100.0


@pytest.fixture
def clock() -> ScaledClock:
    return ScaledClock(SCALE)


def start(clock: Clock, listings: int = 200, faults: str = "") -> Any:
    return running_emulator(demo_world(listings_per_seller=listings), clock=clock, faults=faults)


@pytest.fixture
def emulator(clock) -> Iterator[RunningEmulator]:
    with start(clock) as running:
        yield running


def connect(connections: Connections, emulator: RunningEmulator) -> Connection:
    app = {a["name"]: a for a in emulator.world.credentials()}["Demo Private App (restricted)"]
    seller = seller_in(app, "UK")
    return connections.add(
        "uk",
        country="UK",
        mode="restricted",
        refresh_token=seller["refresh_token"],
        selling_partner_id=seller["selling_partner_id"],
        **app_settings(app, emulator),
    )


@pytest.fixture
def connection(home, clock, emulator) -> Iterator[Connection]:
    with Connections.open(home=home, clock=clock) as connections:
        yield connect(connections, emulator)


def listings(emulator: RunningEmulator, connection: Connection) -> dict[str, dict[str, Any]]:
    seller = connection.settings.selling_partner_id
    return {f["sku"]: f for f in httpx.get(f"{emulator.url}/_sandbox/listings/{seller}").json()}


def requests(emulator: RunningEmulator, operation: str) -> int:
    """The operation's requests the emulator processed (answered 200: not refused with a 429)."""
    counts = emulator.sandbox.stats.snapshot().get(f"listings-items/2021-08-01/{operation}", {})
    return int(counts.get("200", 0))


def state(listed: dict[str, Any]) -> tuple[Decimal, int | None]:
    """A listing's price in the UK and its quantity."""
    return Decimal(listed["prices"][UK]), listed["quantity"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def pick(found: dict[str, dict[str, Any]], *, fba: bool = False, minimum: bool = False) -> list[str]:
    return [
        sku
        for sku, f in found.items()
        if (f["channel"] != "DEFAULT") == fba
        and ("minimum_seller_allowed_price" in f["attributes"]["purchasable_offer"][0]) == minimum
    ]


def test_prices_and_stock_by_patches_name_every_record_at_fault(tmp_path, emulator, connection):
    before = listings(emulator, connection)
    plain, fba, minimum = pick(before), pick(before, fba=True), pick(before, minimum=True)
    path = tmp_path / "stock.csv"
    lines = [
        "sku,price,quantity",
        f"{plain[0]},19.99,7",  # 2 accepted
        f"{plain[1]},abc,1",  # 3 not a number
        f"{plain[2]},5.00,-2",  # 4 negative
        "UNKNOWN-SKU,5.00,2",  # 5 no listing
        f"{plain[3]},8.50,0",  # 6 accepted with a warning (no stock)
        f"{minimum[0]},0.05,3",  # 7 below the minimum price: Amazon refuses
        f"{fba[0]},11.00,4",  # 8 a quantity for an FBA listing
        f"{plain[4]},6.00",  # 9 a missing field
        f"{plain[5]},4.00,1",  # 10 the same SKU twice
        f"{plain[6]},12.00,",  # 11 a price alone
        f"{plain[5]},4.50,2",  # 12 the same SKU twice
    ]
    path.write_bytes(
        ("\n".join(lines) + "\n").encode() + f"{plain[7]},3.00,caf\xe9\n".encode("latin-1")
    )  # 13
    report = update_listings(connection, open_source(str(path)), What.LISTINGS)
    assert report.via == "patches"
    assert report.reason.startswith("6 SKU(s) by patches: one call each takes at least 0.2 s")
    outcomes = {r.record.line: (r.outcome, r.issues[0].code if r.issues else None) for r in report.results}
    assert outcomes == {
        2: (Outcome.ACCEPTED, None),
        3: (Outcome.ERROR, "INVALID_PRICE"),
        4: (Outcome.ERROR, "INVALID_QUANTITY"),
        5: (Outcome.ERROR, "UNKNOWN_SKU"),
        6: (Outcome.WARNING, "18156"),
        7: (Outcome.ERROR, "99300"),
        8: (Outcome.ERROR, "AMAZON_FULFILLED"),
        9: (Outcome.ERROR, "UNREADABLE"),
        10: (Outcome.ERROR, "DUPLICATE_SKU"),
        11: (Outcome.ACCEPTED, None),
        12: (Outcome.ERROR, "DUPLICATE_SKU"),
        13: (Outcome.ERROR, "UNREADABLE"),
    }
    assert requests(emulator, "patchListingsItem") == 4  # lines 2, 6, 7 and 11
    after = listings(emulator, connection)
    assert state(after[plain[0]]) == (Decimal("19.99"), 7)
    assert state(after[plain[3]]) == (Decimal("8.50"), 0)
    assert state(after[plain[6]]) == (Decimal("12.00"), before[plain[6]]["quantity"])
    for sku in (minimum[0], fba[0], plain[1], plain[2], plain[5], plain[7]):
        assert after[sku] == before[sku]

    tally = write_results(
        report.results, to=str(tmp_path / "r.csv"), errors_to=str(tmp_path / "e.csv"), object_name="listings"
    )
    assert (tally.accepted, tally.warnings, tally.errors) == (2, 1, 9)
    errors = list(read_records(str(tmp_path / "e.csv"), ERRORS))
    assert [e["line"] for e in errors] == [3, 4, 5, 7, 8, 9, 10, 12, 13]
    refused_by_amazon = next(e for e in errors if e["line"] == 7)
    assert refused_by_amazon["key"] == minimum[0]
    assert refused_by_amazon["request_id"]  # the answer's x-amzn-RequestId
    assert refused_by_amazon["input"] == {"sku": minimum[0], "price": "0.05", "quantity": "3"}
    assert "below the minimum seller allowed price" in refused_by_amazon["message"]
    results = list(read_records(str(tmp_path / "r.csv"), RESULTS))
    assert [r["line"] for r in results] == list(range(2, 14))
    assert results[0]["via"] == "patch"
    assert results[0]["sent"] == {"price": "19.99", "quantity": 7}


def test_a_dry_run_previews_and_changes_nothing(tmp_path, emulator, connection):
    before = listings(emulator, connection)
    minimum = pick(before, minimum=True)
    path = write_csv(tmp_path / "prices.csv", [["sku", "price"], [minimum[0], "0.10"], [minimum[1], "99.00"]])
    report = update_listings(connection, open_source(str(path)), What.PRICES, dry_run=True)
    assert report.via == "preview"
    assert [(r.outcome, r.via) for r in report.results] == [
        (Outcome.ERROR, "preview"),
        (Outcome.ACCEPTED, "preview"),
    ]
    assert report.results[0].issues[0].code == "99300"
    assert listings(emulator, connection) == before
    assert connection.store.engine.connect().execute(submission_runs_table.select()).all() == []


def test_unsettled_patches_are_sent_again_and_nothing_else(tmp_path, home, clock):
    with (
        start(clock, faults="reset-after=0.3") as emulator,
        Connections.open(home=home, clock=clock) as connections,
    ):
        connection = connect(connections, emulator)
        plain = pick(listings(emulator, connection))[:40]
        path = write_csv(
            tmp_path / "stock.csv", [["sku", "quantity"]] + [[sku, str(n)] for n, sku in enumerate(plain, 1)]
        )
        first = update_listings(connection, open_source(str(path)), What.STOCK)
        lost = [r for r in first.results if r.issues and r.issues[0].code == "NO_ANSWER"]
        assert 0 < len(lost) < 40
        assert "Amazon may or may not have done it" in lost[0].issues[0].message
        sent = requests(emulator, "patchListingsItem")
        emulator.sandbox.faults.faults = ()
        second = update_listings(connection, open_source(str(path)), What.STOCK)
        assert second.resumed
        assert requests(emulator, "patchListingsItem") - sent == len(lost)
        assert all(r.outcome is Outcome.ACCEPTED for r in second.results)
        after = listings(emulator, connection)
        assert [after[sku]["quantity"] for sku in plain] == list(range(1, 41))
        third = update_listings(connection, open_source(str(path)), What.STOCK)
        assert third.resumed  # the same input, finished: nothing is sent again, the results are kept
        assert sorted((r.record.line, r.outcome, r.request_id) for r in third.results) == sorted(
            (r.record.line, r.outcome, r.request_id) for r in second.results
        )
        assert requests(emulator, "patchListingsItem") - sent == len(lost)
        fourth = update_listings(connection, open_source(str(path)), What.STOCK, again=True)
        assert not fourth.resumed
        assert requests(emulator, "patchListingsItem") - sent == len(lost) + 40


def round_trip_input(
    tmp_path: Path, found: dict[str, dict[str, Any]]
) -> tuple[Path, dict[int, str], dict[str, tuple[str, int | None]]]:
    """5,000 price and stock changes, and the lines seeded to fail with the code each must get."""
    rows = [["sku", "price", "quantity", "sparkle_level"]]
    expected: dict[str, tuple[str, int | None]] = {}
    failing: dict[int, str] = {}
    minimum = set(pick(found, minimum=True)[:3])
    for n, (listed_sku, listed) in enumerate(sorted(found.items())):
        line, sku = n + 2, listed_sku
        fba = listed["channel"] != "DEFAULT"
        offer = next(o for o in listed["attributes"]["purchasable_offer"] if o["marketplace_id"] == UK)
        floor = offer.get("minimum_seller_allowed_price", [{"schedule": [{"value_with_tax": 0}]}])
        price = f"{max((n % 9000) / 100 + 10, floor[0]['schedule'][0]['value_with_tax'] + 1):.2f}"
        quantity = "" if fba else str(n % 97)
        sparkle = ""
        if sku in minimum:
            price = "0.01"
            failing[line] = "99300"
        elif n in (100, 2000):
            sku = f"GONE-{n}"
            failing[line] = "UNKNOWN_SKU"
        elif n == 3000 and not fba:
            sparkle = "very"
            failing[line] = "90244"
        else:
            expected[sku] = (price, None if fba else int(quantity))
        rows.append([sku, price, quantity, sparkle])
    return write_csv(tmp_path / "round-trip.csv", rows), failing, expected


def test_5000_skus_round_trip_through_one_feed(tmp_path, home, clock):
    with start(clock, listings=5000) as emulator, Connections.open(home=home, clock=clock) as connections:
        connection = connect(connections, emulator)
        before = listings(emulator, connection)
        path, failing, expected = round_trip_input(tmp_path, before)
        report = update_listings(connection, open_source(str(path)), What.LISTINGS)
        assert report.via == "feed"
        assert len(report.feeds) == 1
        tally = write_results(
            report.results,
            to=str(tmp_path / "results.csv"),
            errors_to=str(tmp_path / "errors.csv"),
            object_name="listings",
        )
        assert tally.records == 5000
        errors = {e["line"]: e["code"] for e in read_records(str(tmp_path / "errors.csv"), ERRORS)}
        assert errors == failing
        after = listings(emulator, connection)
        for sku, (price, quantity) in expected.items():
            assert Decimal(after[sku]["prices"][UK]) == Decimal(price), sku
            assert after[sku]["quantity"] == (
                quantity if quantity is not None else before[sku]["quantity"]
            ), sku
        unchanged = [sku for sku in before if sku not in expected]
        assert all(after[sku] == before[sku] for sku in unchanged if sku in after)
        assert len(emulator.sandbox.feeds.all()) == 1
        job = emulator.sandbox.feeds.all()[0]
        sent = emulator.sandbox.documents.get(job.input_document_id or "", job.selling_partner_id)
        assert sent is not None
        assert len(json.loads(sent.content or b"")["messages"]) == 4998  # the unknown SKUs were not sent


def test_a_feed_whose_creation_was_not_recorded_is_found_again(tmp_path, emulator, connection):
    plain = pick(listings(emulator, connection))[:30]
    path = write_csv(tmp_path / "stock.csv", [["sku", "quantity"]] + [[sku, "3"] for sku in plain])
    first = update_listings(connection, open_source(str(path)), What.STOCK, via="feed")
    assert all(r.outcome is Outcome.ACCEPTED for r in first.results)
    with connection.store.transaction() as conn:  # as if killed after createFeed, before its answer was kept
        conn.execute(
            update(submission_feeds_table).values(feed_id=None, status=None, result_document_id=None)
        )
        conn.execute(update(submission_runs_table).values(finished=False))
    again = update_listings(connection, open_source(str(path)), What.STOCK, via="feed")
    assert again.resumed
    assert again.feeds == first.feeds
    assert len(emulator.sandbox.feeds.all()) == 1
    assert [(r.record.line, r.outcome) for r in again.results] == [
        (r.record.line, r.outcome) for r in first.results
    ]


def test_a_feed_is_found_again_on_the_clock_of_the_emulator_the_connection_follows(tmp_path, home):
    """The store keeps this machine's time; the feed's createdTime is the emulator's, hours ahead here:
    the moment createFeed was sent is kept on the connection's clock, which follows the emulator's."""
    ahead = FollowedClock()
    ahead.follow(SCALE, datetime.now(UTC) + timedelta(hours=6), time.monotonic())
    with start(ahead) as emulator, Connections.open(home=home) as connections:  # no clock: it follows
        connection = connect(connections, emulator)
        plain = pick(listings(emulator, connection))[:5]
        path = write_csv(tmp_path / "stock.csv", [["sku", "quantity"]] + [[sku, "4"] for sku in plain])
        first = update_listings(connection, open_source(str(path)), What.STOCK, via="feed")
        assert connection.clock.now() - connections.store.clock.now() > timedelta(hours=5)
        with connection.store.transaction() as conn:  # killed after createFeed, before its answer was kept
            conn.execute(
                update(submission_feeds_table).values(feed_id=None, status=None, result_document_id=None)
            )
            conn.execute(update(submission_runs_table).values(finished=False))
        again = update_listings(connection, open_source(str(path)), What.STOCK, via="feed")
        assert again.feeds == first.feeds
        assert len(emulator.sandbox.feeds.all()) == 1


def test_a_feed_not_waited_for_is_collected_by_the_next_run(tmp_path, emulator, connection):
    plain = pick(listings(emulator, connection))[:10]
    path = write_csv(tmp_path / "prices.csv", [["sku", "price"]] + [[sku, "15.00"] for sku in plain])
    first = update_listings(connection, open_source(str(path)), What.PRICES, via="feed", wait=False)
    assert first.pending == first.feeds
    assert first.results == []
    second = update_listings(connection, open_source(str(path)), What.PRICES, via="feed")
    assert second.resumed
    assert second.feeds == first.feeds
    assert not second.pending
    assert len(second.results) == 10
    assert len(emulator.sandbox.feeds.all()) == 1


def test_a_search_reads_every_page(emulator, connection):
    from amazon_connector.data.listings.reading import search_listings

    rows = list(search_listings(connection))
    found = listings(emulator, connection)
    assert [r["sku"] for r in rows] == sorted(found)
    assert all(r["quantity"] == found[r["sku"]]["quantity"] for r in rows)
    buyable = [r["sku"] for r in search_listings(connection, with_status=["BUYABLE"])]
    others = [r["sku"] for r in search_listings(connection, without_status=["BUYABLE"])]
    assert buyable == [r["sku"] for r in rows if "BUYABLE" in r["status"]]
    assert sorted(buyable + others) == [r["sku"] for r in rows]
