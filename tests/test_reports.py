"""Reports end to end against the emulator: each way a report ends (DONE, FATAL, CANCELLED, not ready),
reuse, resume after an interruption or a kill, each charset into rows, scheduled reports, the commands
and their exit codes, and bad input refused before anything is asked or written."""

import asyncio
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from amazon_connector import Connections
from amazon_connector.cli.context import State
from amazon_connector.clock import ManualClock
from amazon_connector.data import DestinationError, read_records
from amazon_connector.data.reports import (
    ReportCancelledError,
    ReportFatalError,
    ReportNotReadyError,
    Reports,
)
from amazon_connector.data.staging import Staging
from amazon_connector.errors import ConfigurationError
from amazon_connector.sandbox.spapi.jobs import PROCESSING, QUEUED
from tests.conftest import app_settings, seller_in

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
CREATE = "reports/2021-06-30/createReport"
PRIVATE = "Demo Private App (restricted)"


@pytest.fixture
def lib(home: Path, emulator_clock: ManualClock) -> Iterator[Connections]:
    with Connections.open(home=home, clock=emulator_clock) as connections:
        yield connections


def connect(lib: Connections, emulator: Any, country: str, name: str | None = None) -> Any:
    app = next(a for a in emulator.world.credentials() if a["name"] == PRIVATE)
    return lib.add(
        name or country.lower(),
        country=country,
        mode="restricted",
        refresh_token=seller_in(app, country)["refresh_token"],
        **app_settings(app, emulator),
    )


@pytest.fixture
def on_the_emulators_clock(monkeypatch: pytest.MonkeyPatch, emulator_clock: ManualClock) -> Iterator[None]:
    """Commands run in this process on the emulator's clock (their waits take no real time)."""
    opened: list[Connections] = []

    def connections(self: State) -> Connections:
        if self._connections is None:
            self._connections = Connections.open(
                self.database, home=self.home, key_file=self.key_file, clock=emulator_clock
            )
            opened.append(self._connections)
        return self._connections

    monkeypatch.setattr(State, "connections", connections)
    yield
    for connections_opened in opened:
        connections_opened.close()


def created(emulator: Any) -> int:
    return emulator.sandbox.stats.count(CREATE)


# --- the library ---------------------------------------------------------------------------------


def test_done_reports_stream_into_rows_in_each_marketplaces_charset(lib, emulator, tmp_path):
    for country, name in (
        ("DE", "Trinkflasche – groß"),
        ("JP", "ステンレス水筒 ブルー"),
        ("US", "Water Bottle, Large"),
    ):
        reports = Reports(connect(lib, emulator, country))
        job = reports.get(reports.request_for(LISTINGS))
        assert job.status == "DONE"
        exported = reports.export(job, str(tmp_path / f"{country}.parquet"))
        assert exported.counts == {"get_merchant_listings_all_data": 20}
        with reports.open_rows(job) as rows:
            (listing,) = rows.record_sets
            records = [r for _, batch in rows.pieces for r in batch.to_pylist()]  # type: ignore[union-attr]
        assert listing.column_names[:4] == ["item_name", "item_description", "listing_id", "seller_sku"]
        assert any(r["item_name"].startswith(name) for r in records)
        if country == "JP":  # Amazon's Japanese headers are kept as the columns' docs
            assert listing.by_name["item_name"].doc == "商品名 (item-name)"
        written = list(read_records(str(tmp_path / f"{country}.parquet"), listing))
        assert [r["seller_sku"] for r in written] == [r["seller_sku"] for r in records]


def test_a_finished_report_is_reused_and_one_in_progress_elsewhere_too(lib, emulator, home, emulator_clock):
    de = connect(lib, emulator, "DE")
    reports = Reports(de)
    request = reports.request_for(ALL_ORDERS, start=emulator_clock.now() - timedelta(days=10))
    first = reports.get(request)
    again = reports.get(request)
    assert again.report_id == first.report_id
    assert created(emulator) == 1
    # another machine (its own store) asks for the same while a new one is being made: it waits for that
    fresh = reports.request(request, reuse=False)
    assert created(emulator) == 2
    with Connections.open(home=home / "elsewhere", clock=emulator_clock) as other:
        elsewhere = Reports(connect(other, emulator, "DE"))
        found = elsewhere.get(elsewhere.request_for(ALL_ORDERS, start=request.start))
    assert found.report_id in (first.report_id, fresh.report_id)
    assert created(emulator) == 2
    # a report asked for with options is reused only by whoever knows its options
    with_options = reports.request_for("GET_LEDGER_SUMMARY_VIEW_DATA", options={"aggregateByLocation": "FC"})
    plain = reports.request_for("GET_LEDGER_SUMMARY_VIEW_DATA")
    reports.get(with_options)
    assert reports.get(plain).report_id != reports.get(with_options).report_id


def test_fatal_shows_amazons_reason_and_cancelled_says_what_it_means(lib, emulator, emulator_clock):
    reports = Reports(connect(lib, emulator, "DE"))
    vendor = reports.request_for(
        "GET_VENDOR_TRAFFIC_REPORT",
        start="2026-01-04",
        end="2026-01-10",
        options={"reportPeriod": "WEEK"},
    )
    with pytest.raises(ReportFatalError) as fatal:
        reports.get(vendor)
    assert (
        fatal.value.reason
        == "Report type GET_VENDOR_TRAFFIC_REPORT is available to vendors only; this account is a seller."
    )
    assert fatal.value.job.status == "FATAL"
    now = emulator_clock.now()
    with pytest.raises(ReportCancelledError) as cancelled:
        reports.get(
            reports.request_for(ALL_ORDERS, start=now - timedelta(days=400), end=now - timedelta(days=399))
        )
    assert "there is no data for this request" in cancelled.value.message
    assert "Ask for another window" in (cancelled.value.hint or "")
    # one more soon after a report of the type was made: the cooldown is named, with that report
    made = reports.get(reports.request_for(ALL_ORDERS, start=now - timedelta(days=5)))
    with pytest.raises(ReportCancelledError) as soon:
        reports.get(
            reports.request_for(ALL_ORDERS, start=now - timedelta(days=300), end=now - timedelta(days=299))
        )
    assert f"reports export {made.report_id}" in (soon.value.hint or "")


def test_a_wait_cut_short_resumes_with_the_same_report(lib, emulator):
    reports = Reports(connect(lib, emulator, "UK"))
    request = reports.request_for(LISTINGS)
    with pytest.raises(ReportNotReadyError) as not_ready:
        reports.get(request, timeout=0)
    assert not_ready.value.job.status == "IN_QUEUE"
    assert "Run the same command again" in (not_ready.value.hint or "")
    resumed = Reports(lib.get("uk")).get(request)
    assert resumed.report_id == not_ready.value.job.report_id
    assert created(emulator) == 1


def test_async_get_and_export(lib, emulator, tmp_path):
    reports = Reports(connect(lib, emulator, "UK"))

    async def fetch() -> Any:
        job = await reports.aget(
            reports.request_for("GET_SALES_AND_TRAFFIC_REPORT", options={"asinGranularity": "SKU"})
        )
        return await reports.aexport(job, str(tmp_path / "traffic.jsonl"))

    exported = asyncio.run(fetch())
    assert exported.counts == {
        "get_sales_and_traffic_report_salesAndTrafficByDate": 4,  # Amazon's example in its schema
        "get_sales_and_traffic_report_salesAndTrafficByAsin": 3,
    }
    by_date = (tmp_path / "traffic.jsonl").read_text().splitlines()
    assert json.loads(by_date[0])["salesByDate_unitsOrdered"] == 23
    assert (tmp_path / "traffic.get_sales_and_traffic_report_salesAndTrafficByAsin.jsonl").exists()


def test_xml_and_restricted_reports(lib, emulator, emulator_clock, tmp_path):
    reports = Reports(connect(lib, emulator, "UK"))
    start = emulator_clock.now() - timedelta(days=3)
    orders = reports.get(reports.request_for("GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", start=start))
    exported = reports.export(orders, str(tmp_path / "orders.csv"))
    assert exported.counts["get_xml_all_orders_data_by_order_date_general"] > 0
    header = (tmp_path / "orders.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["MessageID", "Order_AmazonOrderID", "Order_PurchaseDate"]
    shipments = reports.get(reports.request_for("GET_AMAZON_FULFILLED_SHIPMENTS_DATA_TAX", start=start))
    stats, located = emulator.sandbox.stats, "reports/2021-06-30/getReportDocument"
    refused, answered = stats.count(located, 403), stats.count(located, 200)
    with reports.open_rows(shipments) as rows:
        assert "buyer_email" in rows.record_sets[0].column_names  # its document needed an RDT
    rdts = [r.path for grant in emulator.sandbox.grants.rdts for r in grant.resources]
    assert f"/reports/2021-06-30/documents/{shipments.document_id}" in rdts
    # the type is restricted: the document is located with its RDT at once, no refused plain call first
    assert (stats.count(located, 403), stats.count(located, 200)) == (refused, answered + 1)


def test_a_full_disk_keeps_the_old_file_and_the_report_for_a_retry(lib, emulator, tmp_path, monkeypatch):
    reports = Reports(connect(lib, emulator, "US"))
    request = reports.request_for(LISTINGS)
    job = reports.get(request)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "listings.csv"
    target.write_text("old\n")
    create = Staging.create

    def full(self, final):
        staged, file = create(self, final)

        class Full:
            def write(self, data):
                raise OSError(28, "No space left on device")

            def __getattr__(self, name):
                return getattr(file, name)

        return staged, Full()

    monkeypatch.setattr(Staging, "create", full)
    with pytest.raises(DestinationError, match="No space left on device"):
        reports.export(job, str(target))
    assert target.read_text() == "old\n"
    assert [p.name for p in target.parent.iterdir() if not p.name.endswith(".lock")] == ["listings.csv"]
    monkeypatch.undo()
    retried = reports.get(request)
    assert retried.report_id == job.report_id  # kept, not delivered: the retry takes the same report
    reports.export(retried, str(target))
    assert len(target.read_text().splitlines()) == 21
    assert created(emulator) == 1


def test_reports_go_into_sqlite_replaced_or_appended(lib, emulator, tmp_path):
    reports = Reports(connect(lib, emulator, "UK"))
    job = reports.get(reports.request_for(LISTINGS))
    target = f"sqlite:///{tmp_path / 'listings.db'}"
    for mode in ("replace", "replace", "append"):  # (report rows have no key to upsert by)
        reports.export(job, target, mode=mode)
    with sqlite3.connect(tmp_path / "listings.db") as db:
        assert db.execute("SELECT count(*) FROM get_merchant_listings_all_data").fetchone() == (40,)


def test_an_interrupted_fresh_request_resumes_its_report(lib, emulator):
    reports = Reports(connect(lib, emulator, "UK"))
    request = reports.request_for(LISTINGS)
    with pytest.raises(ReportNotReadyError) as interrupted:
        reports.get(request, reuse=False, timeout=0)
    again = reports.get(request, reuse=False)  # the same command again: the same report, not a second
    assert again.report_id == interrupted.value.job.report_id
    assert created(emulator) == 1
    reports.delivered(again)
    newer = reports.get(request, reuse=False)  # delivered: --fresh asks anew
    assert newer.report_id != again.report_id
    assert created(emulator) == 2


def test_an_undelivered_report_older_than_one_delivered_is_not_resumed(lib, emulator, tmp_path):
    reports = Reports(connect(lib, emulator, "UK"))
    request = reports.request_for(LISTINGS)
    older = reports.get(request)  # its rows never written (a full disk, say)
    newer = reports.get(request, reuse=False)
    assert newer.report_id != older.report_id
    reports.export(newer, str(tmp_path / "listings.csv"))
    assert reports.get(request).report_id == newer.report_id  # never the older data over the newer


def test_bad_requests_are_refused_before_anything_is_asked(lib, emulator, emulator_clock):
    reports = Reports(connect(lib, emulator, "DE"))
    now = emulator_clock.now()
    cases = [
        (
            lambda: reports.request_for("GET_MERCHANT_LISTING_ALL_DATA"),
            "Did you mean GET_MERCHANT_LISTINGS_ALL_DATA",
        ),
        (
            lambda: reports.request_for(LISTINGS, start="2026-01-01"),
            "is a snapshot: it takes no start or end date",
        ),
        (
            lambda: reports.request_for(
                "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL", start=now - timedelta(days=40)
            ),
            "covers at most 31 days",
        ),
        (
            lambda: reports.request_for(ALL_ORDERS, start=now - timedelta(days=800)),
            "holds data of the last 730 days",
        ),
        (lambda: reports.request_for(ALL_ORDERS, start="yesterday"), "is not a date or time"),
        (lambda: reports.request_for(ALL_ORDERS, start=now + timedelta(days=1)), "lies in the future"),
        (
            lambda: reports.request_for(LISTINGS, marketplaces=["US"]),
            "is not in this connection's region (EU)",
        ),
        (
            lambda: reports.request_for(
                "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT", start="2026-01-04", end="2026-01-10"
            ),
            "needs the report option(s) reportPeriod",
        ),
        (
            lambda: reports.request_for("GET_SALES_AND_TRAFFIC_REPORT", options={"dateGranularity": "YEAR"}),
            "Use one of: DAY, WEEK, MONTH",
        ),
        (
            lambda: reports.request_for("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"),
            "Amazon makes these reports itself",
        ),
        (lambda: reports.request_for("GET_SOMETHING_NEW", format="PDF"), "Unknown report format"),  # type: ignore[arg-type]
    ]
    for make, message in cases:
        with pytest.raises(ConfigurationError) as refused:
            make()
        assert message in str(refused.value)
    with pytest.raises(ConfigurationError, match=r"does not sell in A1805IZSGTT6HS"):
        reports.get(reports.request_for(LISTINGS, marketplaces=["DE", "NL"]))
    assert created(emulator) == 0
    assert reports.request_for("GET_SOMETHING_NEW", format="TSV").report_type.title.startswith(
        "(not in the table"
    )


# --- the commands ------------------------------------------------------------------------------


def test_get_and_the_other_commands(run, lib, emulator, on_the_emulators_clock, tmp_path, monkeypatch):
    connect(lib, emulator, "JP")
    out = tmp_path / "listings.csv"
    got = run("reports", "get", LISTINGS, "-c", "jp", "-o", str(out))
    assert "DONE" in got.stderr
    assert "Wrote 20 rows of report" in got.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("item_name,item_description,listing_id,seller_sku")
    assert "ステンレス水筒" in out.read_text(encoding="utf-8")
    report_id = got.stderr.split("Report ")[1].split(" ")[0]
    status = json.loads(run("reports", "status", report_id, "-c", "jp", "--json").stdout)
    assert status["processingStatus"] == "DONE"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", status["delivered"]
    )  # as Amazon writes times
    assert f"createdTime: {status['createdTime']}" in run("reports", "status", report_id, "-c", "jp").stdout
    text = run("reports", "download", report_id, "-c", "jp").stdout
    assert text.startswith("商品名\titem-description\t出品ID")
    monkeypatch.chdir(tmp_path)
    assert run("reports", "download", report_id, "-c", "jp", "-o", "-").stdout == text  # - is stdout
    assert not (tmp_path / "-").exists()
    raw = tmp_path / "raw.gz"
    run("reports", "download", report_id, "-c", "jp", "-o", str(raw), "--raw")
    assert raw.read_bytes()[:2] == b"\x1f\x8b"
    assert oct(raw.stat().st_mode & 0o777) == "0o600"
    exported = run("reports", "export", report_id, "-c", "jp", "-o", str(tmp_path / "again.jsonl"), "-q")
    assert exported.stderr == ""
    assert len((tmp_path / "again.jsonl").read_text().splitlines()) == 20
    listed = json.loads(run("reports", "list", "-c", "jp", "--json").stdout)
    assert [r["reportId"] for r in listed] == [report_id]
    assert "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE" in run("reports", "types").stdout
    assert "reportPeriod*" in run("reports", "types", "--category", "analytics").stdout
    unknown = run("reports", "types", "--category", "listing", expect=1)
    assert "There is no report category 'listing'" in unknown.stderr
    assert "orders" in unknown.stderr
    table = run("reports", "get", LISTINGS, "-c", "jp").stdout  # rows to the terminal
    assert "SKU-JP-0000001" in table


def test_exit_codes_for_fatal_cancelled_and_not_ready(
    run, lib, emulator, on_the_emulators_clock, emulator_clock
):
    connect(lib, emulator, "DE")
    fatal = run(
        "reports", "get", "GET_VENDOR_TRAFFIC_REPORT", "-c", "de", "--start", "2026-01-04", "--end", "2026-01-10",
        "--option", "reportPeriod=WEEK", expect=4,
    )  # fmt: skip
    assert "available to vendors only" in fatal.stderr
    day = (emulator_clock.now() - timedelta(days=400)).date().isoformat()
    cancelled = run("reports", "get", ALL_ORDERS, "-c", "de", "--start", day, "--end", day, expect=3)
    assert "that means there is no data for this request" in cancelled.stderr
    waiting = run("reports", "get", LISTINGS, "-c", "de", "--timeout", "0", expect=5)
    assert "is still IN_QUEUE" in waiting.stderr
    easy_ship = run("reports", "get", "GET_EASYSHIP_DOCUMENTS", "-c", "de", "-o", "labels.zip", expect=3)
    assert "Cancelled:" in easy_ship.stderr
    assert "Run the same command again" in waiting.stderr
    assert created(emulator) == 4
    done = run("reports", "get", LISTINGS, "-c", "de", "-o", "-")
    assert "SKU-DE-0000001" in done.stdout
    assert created(emulator) == 4  # the same report, resumed


def test_bad_input_on_the_command_line_is_one_message_and_nothing_is_asked(
    run, lib, emulator, on_the_emulators_clock, tmp_path
):
    connect(lib, emulator, "DE")
    for args, message in [
        (["get", "NOPE", "-c", "de"], "Unknown report type 'NOPE'"),
        (["get", LISTINGS, "-c", "de", "--start", "2026-01-01"], "takes no start or end date"),
        (["get", LISTINGS, "-c", "de", "--option", "custom"], "is not NAME=VALUE"),
        (["get", LISTINGS, "-c", "de", "--timeout", "soon"], "is not a duration"),
        (["get", LISTINGS, "-c", "de", "-o", "out.unknown"], "out.unknown"),
        (["get", LISTINGS, "-c", "de", "-m", "JP"], "is not in this connection's region"),
        (["list", "-c", "de"], "Which report types?"),
        (["get", "GET_EASYSHIP_DOCUMENTS", "-c", "de"], "documents are ZIP files, not rows"),
    ]:
        failed = run("reports", *args, expect=1)
        assert message in failed.stderr, failed.stderr
    assert created(emulator) == 0
    missing = tmp_path / "no-such-dir" / "out.csv"
    for report_type, out in [(LISTINGS, missing), ("GET_EASYSHIP_DOCUMENTS", missing.with_suffix(".zip"))]:
        failed = run("reports", "get", report_type, "-c", "de", "-o", str(out), expect=1)
        assert "The directory" in failed.stderr
        assert "does not exist" in failed.stderr
        assert not missing.parent.exists()
        assert created(emulator) == 0
    (tmp_path / "locked").mkdir(mode=0o500)
    failed = run("reports", "get", LISTINGS, "-c", "de", "-o", str(tmp_path / "locked" / "out.csv"), expect=1)
    assert "is read-only" in failed.stderr
    assert created(emulator) == 0


def test_scheduled_reports_are_taken_once_each(
    run, lib, emulator, on_the_emulators_clock, emulator_clock, tmp_path
):
    connect(lib, emulator, "UK")
    settlement = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"
    (found,) = json.loads(run("reports", "list", "-c", "uk", "-t", settlement, "--json").stdout)
    assert found["processingStatus"] == "DONE"
    first = run("reports", "export", found["reportId"], "-c", "uk", "-o", str(tmp_path / "s1.csv"))
    assert "Wrote 21 rows" in first.stderr  # the summary row and 20 transactions
    none_yet = run("reports", "get", settlement, "-c", "uk", "--schedule", "--timeout", "0", expect=5)
    assert "newer than the last one delivered" in none_yet.stderr
    emulator_clock.advance(timedelta(days=1, minutes=1).total_seconds())  # Amazon makes the next one
    second = run("reports", "get", settlement, "-c", "uk", "--schedule", "-o", str(tmp_path / "s2.csv"))
    assert found["reportId"] not in second.stderr
    assert (tmp_path / "s1.csv").read_text() != (tmp_path / "s2.csv").read_text()


def test_a_killed_wait_resumes_with_the_same_report(
    cli, lib, emulator, emulator_clock, home, run, on_the_emulators_clock, tmp_path
):
    connect(lib, emulator, "UK")
    waiting = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "amazon_connector",
            "reports",
            "get",
            LISTINGS,
            "-c",
            "uk",
            "-o",
            str(tmp_path / "a.csv"),
        ],
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert waiting.stderr is not None
        line = waiting.stderr.readline()  # the first look: the emulator's clock stands still meanwhile
        assert "IN_QUEUE" in line, line
        os.kill(waiting.pid, signal.SIGKILL)
    finally:
        waiting.wait(timeout=30)
    report_id = line.split("Report ")[1].split(" ")[0]
    emulator_clock.advance((QUEUED + PROCESSING).total_seconds())
    resumed = run("reports", "get", LISTINGS, "-c", "uk", "-o", str(tmp_path / "b.csv"))
    assert f"Report {report_id} " in resumed.stderr
    assert created(emulator) == 1
    assert not (tmp_path / "a.csv").exists()


def test_a_report_an_earlier_run_left_is_said_to_be_of_then(
    run, lib, emulator, emulator_clock, on_the_emulators_clock, tmp_path
):
    connect(lib, emulator, "DE")
    run("reports", "get", LISTINGS, "-c", "de", "--timeout", "0", expect=5)
    emulator_clock.advance(timedelta(days=3).total_seconds())
    resumed = run("reports", "get", LISTINGS, "-c", "de", "-o", str(tmp_path / "old.csv"))
    assert "was asked for 3 days ago" in resumed.stderr
    assert "its rows are of then (--fresh asks for a new one)" in resumed.stderr
    made_now = ["--fresh", "--reuse-age", "1s"]  # made in this run, so however long it took, not of then
    again = run("reports", "get", LISTINGS, "-c", "de", *made_now, "-o", str(tmp_path / "new.csv"))
    assert "asked for" not in again.stderr
    assert created(emulator) == 2


def test_cancel_a_report_in_queue_and_not_one_that_is_done(run, lib, emulator, on_the_emulators_clock):
    connect(lib, emulator, "DE")
    waiting = run("reports", "get", LISTINGS, "-c", "de", "--timeout", "0", expect=5)
    report_id = waiting.stderr.split("Report ")[1].split(" ")[0]
    assert run("reports", "cancel", report_id, "-c", "de").stdout.strip() == f"Cancelled report {report_id}."
    status = json.loads(run("reports", "status", report_id, "-c", "de", "--json").stdout)
    assert status["processingStatus"] == "CANCELLED"
    done = run("reports", "get", LISTINGS, "-c", "de", "-o", "-")  # a cancelled report is not resumed
    assert "SKU-DE-0000001" in done.stdout
    assert created(emulator) == 2
    finished = done.stderr.split("Report ")[1].split(" ")[0]
    refused = run("reports", "cancel", finished, "-c", "de", expect=1)
    assert "Traceback" not in refused.stderr
    assert "Error:" in refused.stderr
    status = json.loads(run("reports", "status", finished, "-c", "de", "--json").stdout)
    assert status["processingStatus"] == "DONE"
