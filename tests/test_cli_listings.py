"""`listings`, `prices`, `stock` and `feeds` from the command line against the emulator: results and
errors files, exit codes, bad input refused before anything is sent, and a rerun after a kill during
the wait that submits no second feed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from amazon_connector.data import read_records
from amazon_connector.data.listings.reading import LISTINGS
from amazon_connector.data.results import ERRORS, RESULTS
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.spapi.jobs import PROCESSING, QUEUED
from tests.conftest import connect_uk_seller

UK = get_marketplace("UK").marketplace_id
FEED_TIME = (QUEUED + PROCESSING).total_seconds()


@pytest.fixture
def seller(emulator, home) -> dict[str, Any]:
    """The UK seller, with a connection `uk` to it in the test's store."""
    return connect_uk_seller(emulator, home)


def listings(emulator, seller) -> dict[str, dict[str, Any]]:
    found = httpx.get(f"{emulator.url}/_sandbox/listings/{seller['selling_partner_id']}").json()
    return {f["sku"]: f for f in found}


def merchant_skus(emulator, seller) -> list[str]:
    return [
        sku
        for sku, f in listings(emulator, seller).items()
        if f["channel"] == "DEFAULT"
        and "minimum_seller_allowed_price" not in f["attributes"]["purchasable_offer"][0]
    ]


def stock_file(tmp_path: Path, emulator, seller) -> tuple[Path, list[str]]:
    skus = merchant_skus(emulator, seller)[:4]
    fba = next(sku for sku, f in listings(emulator, seller).items() if f["channel"] != "DEFAULT")
    rows = ["sku,quantity", *(f"{sku},{n + 10}" for n, sku in enumerate(skus)), "NO-SUCH,1", f"{fba},2"]
    path = tmp_path / "stock.csv"
    path.write_text("\n".join(rows) + "\n")
    return path, skus


def test_stock_by_feed_not_waited_for_is_collected_by_a_rerun(
    run, emulator, emulator_clock, seller, tmp_path
):
    path, skus = stock_file(tmp_path, emulator, seller)
    pending = run("stock", "set", str(path), "-c", "uk", "--via", "feed", "--no-wait", expect=5)
    feed_id = emulator.sandbox.feeds.all()[0].job_id
    assert f"Feed(s) {feed_id} still being processed" in pending.stdout
    assert not (tmp_path / "stock.results.csv").exists()
    emulator_clock.advance(FEED_TIME)
    done = run("stock", "set", str(path), "-c", "uk", expect=3)
    assert "6 records: 4 accepted, 0 with warnings, 2 refused." in done.stdout
    assert f"Feed {feed_id} was submitted before; not sending it again." in done.stderr
    assert len(emulator.sandbox.feeds.all()) == 1
    results = list(read_records(str(tmp_path / "stock.results.csv"), RESULTS))
    assert [(r["line"], r["outcome"]) for r in results] == [
        (2, "ACCEPTED"), (3, "ACCEPTED"), (4, "ACCEPTED"), (5, "ACCEPTED"), (6, "ERROR"), (7, "ERROR"),
    ]  # fmt: skip
    assert results[0]["reference"] == f"feed {feed_id} message 1"
    errors = list(read_records(str(tmp_path / "stock.errors.csv"), ERRORS))
    assert [(e["line"], e["key"], e["code"]) for e in errors] == [
        (6, "NO-SUCH", "UNKNOWN_SKU"),
        (7, results[5]["key"], "AMAZON_FULFILLED"),
    ]
    assert [listings(emulator, seller)[sku]["quantity"] for sku in skus] == [10, 11, 12, 13]

    status = run("feeds", "status", "-c", "uk").stdout
    assert f"{feed_id}\tJSON_LISTINGS_FEED\tDONE" in status
    report = run(
        "feeds", "results", feed_id, "-c", "uk", "--results", str(tmp_path / "r.jsonl"), "--errors", str(tmp_path / "e.jsonl"),
        expect=3,
    )  # fmt: skip
    assert "6 records: 4 accepted, 0 with warnings, 2 refused." in report.stdout
    assert [r["line"] for r in read_records(str(tmp_path / "e.jsonl"), ERRORS)] == [6, 7]


def test_one_sku_is_previewed_then_set(run, emulator, seller):
    minimum = next(
        sku
        for sku, f in listings(emulator, seller).items()
        if "minimum_seller_allowed_price" in f["attributes"]["purchasable_offer"][0]
    )
    before = listings(emulator, seller)[minimum]
    preview = run(
        "listings", "update", "-c", "uk", "--sku", minimum, "--price", "0.01", "--dry-run", expect=3
    )
    assert f"{minimum}: ERROR" in preview.stdout
    assert "ERROR 99300 [purchasable_offer.our_price]: The price 0.01 is below the minimum" in preview.stdout
    assert listings(emulator, seller)[minimum] == before
    assert run("listings", "update", "-c", "uk", "--sku", minimum, "--price", "0.01", expect=3)
    accepted = run("prices", "set", "-c", "uk", "--sku", minimum, "--price", "999.99")
    assert f"{minimum}: ACCEPTED" in accepted.stdout
    shown = json.loads(run("listings", "get", minimum, "-c", "uk").stdout)
    offer = next(o for o in shown["offers"] if o["marketplaceId"] == UK)
    assert Decimal(offer["price"]["amount"]) == Decimal("999.99")
    assert shown["summaries"][0]["productType"] == before["productType"]


def test_search_writes_a_row_per_listing(run, emulator, seller, tmp_path):
    skus = sorted(listings(emulator, seller))[:3]
    out = tmp_path / "listings.csv"
    said = run("listings", "search", "-c", "uk", *(a for sku in skus for a in ("--sku", sku)), "-o", str(out))
    assert f"3 listing(s) written to {out}." in said.stdout
    rows = list(read_records(str(out), LISTINGS))
    assert [r["sku"] for r in rows] == skus
    first = listings(emulator, seller)[skus[0]]
    assert rows[0]["product_type"] == first["productType"]
    assert rows[0]["price"] == Decimal(first["prices"][UK])
    assert rows[0]["currency"] == "GBP"
    table = run("listings", "search", "-c", "uk", "--sku", skus[0]).stdout
    assert table.splitlines()[0].startswith("sku\tasin\tproduct_type\tstatus")  # plain text: not a terminal
    assert table.splitlines()[1].startswith(f"{skus[0]}\t{first['asin']}\t{first['productType']}")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["prices", "set", "{no_price}"], "has no column price (its columns: sku, cost). Nothing was sent."),
        (["stock", "set", "{missing}"], "Cannot read"),
        (["stock", "set", "{stock}", "--via", "carrier-pigeon"], "Unknown way to send 'carrier-pigeon'"),
        (["stock", "set", "{stock}", "--results", "{nowhere}"], "does not exist"),
        (
            ["stock", "set", "{stock}", "--results", "{same}", "--errors", "{same}"],
            "must go to different places",
        ),
    ],
)
def test_bad_input_is_one_message_and_nothing_is_sent(run, emulator, seller, tmp_path, arguments, message):
    files = {
        "no_price": tmp_path / "prices.csv",
        "missing": tmp_path / "missing.csv",
        "stock": tmp_path / "stock.csv",
        "nowhere": tmp_path / "no" / "such" / "dir" / "results.csv",
        "same": tmp_path / "out.csv",
    }
    files["no_price"].write_text("sku,cost\nA,1\n")
    files["stock"].write_text("sku,quantity\nA,1\n")
    emulator.sandbox.stats.reset()
    failed = run(*[a.format(**files) for a in arguments], "-c", "uk", expect=1)
    assert message in failed.stderr
    assert "Traceback" not in failed.stderr
    assert emulator.sandbox.stats.snapshot() == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "prices.csv", "stock.csv"]


def test_a_rerun_after_a_kill_during_the_wait_submits_no_second_feed(
    cli, run, emulator, emulator_clock, seller, tmp_path
):
    path, skus = stock_file(tmp_path, emulator, seller)
    child = subprocess.Popen(
        [sys.executable, "-m", "amazon_connector", "stock", "set", str(path), "-c", "uk", "--via", "feed"],
        env=cli.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        seen = []
        for line in child.stderr:  # plain lines: stderr is not a terminal
            seen.append(line)
            if line.startswith("Waiting for feed"):
                break
        else:
            pytest.fail("".join(seen))
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    assert len(emulator.sandbox.feeds.all()) == 1
    emulator_clock.advance(FEED_TIME)
    again = run("stock", "set", str(path), "-c", "uk", "--via", "feed", expect=3)
    assert "Continuing the unfinished run of this input" in again.stderr
    assert len(emulator.sandbox.feeds.all()) == 1
    assert "6 records: 4 accepted, 0 with warnings, 2 refused." in again.stdout
    assert [listings(emulator, seller)[sku]["quantity"] for sku in skus] == [10, 11, 12, 13]


@pytest.mark.parametrize("via", ["patches", "feed"])
def test_a_rerun_of_an_input_sent_already_sends_nothing_until_again(
    run, emulator, emulator_clock, seller, tmp_path, via
):
    path, skus = stock_file(tmp_path, emulator, seller)
    with path.open("a") as more:
        more.write(f"{skus[0]}x,-1\n")  # line 8: bad input, refused before sending
    files = tmp_path / "stock.results.csv", tmp_path / "stock.errors.csv"
    if via == "feed":
        run("stock", "set", str(path), "-c", "uk", "--via", via, "--no-wait", expect=5)
        emulator_clock.advance(FEED_TIME)
    first = run("stock", "set", str(path), "-c", "uk", "--via", via, expect=3)
    assert "7 records: 4 accepted, 0 with warnings, 3 refused." in first.stdout
    written = [f.read_bytes() for f in files]
    calls = emulator.sandbox.stats.snapshot()

    rerun = run("stock", "set", str(path), "-c", "uk", "--via", via, expect=3)
    assert "This input was sent already: run 1, begun at " in rerun.stderr
    assert "To send it again on purpose, use --again." in rerun.stderr
    assert "7 records: 4 accepted, 0 with warnings, 3 refused." in rerun.stdout
    assert emulator.sandbox.stats.snapshot() == calls  # nothing sent, nothing even read
    assert [f.read_bytes() for f in files] == written
    assert [e["line"] for e in read_records(str(files[1]), ERRORS)] == [6, 7, 8]

    emulator_clock.advance(60)  # patchListingsItem's usage plan refilled
    again = run(
        "stock",
        "set",
        str(path),
        "-c",
        "uk",
        "--via",
        via,
        "--again",
        "--no-wait",
        expect=5 if via == "feed" else 3,
    )
    assert "sent already" not in again.stderr
    if via == "feed":
        assert len(emulator.sandbox.feeds.all()) == 2
    else:
        patches = "listings-items/2021-08-01/patchListingsItem"
        assert emulator.sandbox.stats.snapshot()[patches] == {"200": 8}
