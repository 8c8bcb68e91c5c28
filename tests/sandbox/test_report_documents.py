"""The emulator's report documents over real HTTP: each marketplace's charset, gzip or not, any size,
byte ranges and ETags, downloads cut short on request, FATAL with an error document, CANCELLED for no
data, schedules and Amazon's own settlement reports."""

import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.spapi import report_documents
from amazon_connector.sandbox.spapi.jobs import PROCESSING, QUEUED
from tests.sandbox.conftest import access_token, restricted_data_token, spapi

REPORTS = "/reports/2021-06-30/reports"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
DONE_AFTER = (QUEUED + PROCESSING).total_seconds()


@pytest.fixture
def sized(world, clock) -> Iterator[Any]:
    """An emulator making documents of ``rows`` rows per marketplace."""
    running: list[Any] = []

    def start(rows: int) -> RunningEmulator:
        context = running_emulator(world, clock=clock, report_rows=rows)
        running.append(context)
        return context.__enter__()

    yield start
    for context in running:
        context.__exit__(None, None, None)


def token_for(http, apps, country: str) -> str:
    return access_token(http, apps["Demo Private App (restricted)"], country)


def done_report(http, token, clock, country: str, report_type: str = LISTINGS, **more: Any) -> dict[str, Any]:
    market = get_marketplace(country).marketplace_id
    body = {"reportType": report_type, "marketplaceIds": [market], **more}
    created = spapi(http, "POST", REPORTS, token, json=body)
    assert created.status_code == 202, created.text
    clock.advance(DONE_AFTER)
    report = spapi(http, "GET", f"{REPORTS}/{created.json()['reportId']}", token).json()
    return dict(report)


def document(http, token, document_id: str, **params: str) -> dict[str, Any]:
    answer = spapi(http, "GET", f"/reports/2021-06-30/documents/{document_id}", token, params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.parametrize(
    ("country", "charset", "codec", "header", "name"),
    [
        (
            "JP",
            "Windows-31J",
            "cp932",
            "商品名\titem-description\t出品ID\t出品者SKU\t価格\t数量\t出品日",
            "デスクライト ①型",
        ),
        (
            "DE",
            "windows-1252",
            "cp1252",
            "item-name\titem-description\tlisting-id\tseller-sku",
            "Trinkflasche – groß",
        ),
        (
            "US",
            "UTF-8",
            "utf-8",
            "item-name\titem-description\tlisting-id\tseller-sku",
            "Water Bottle, Large",
        ),
    ],
)
def test_flat_files_are_in_their_marketplaces_charset(
    http, apps, clock, country, charset, codec, header, name
):
    token = token_for(http, apps, country)
    report = done_report(http, token, clock, country)
    assert report["processingStatus"] == "DONE"
    info = document(http, token, report["reportDocumentId"])
    assert info["compressionAlgorithm"] == "GZIP"
    fetched = httpx.get(info["url"])
    assert fetched.headers["content-type"] == f"text/plain;charset={charset}"
    text = gzip.decompress(fetched.content).decode(codec)
    lines = text.splitlines()
    assert lines[0].startswith(header)
    assert name in text
    assert len(lines) == 21  # the header and 20 rows (the default)


def test_small_documents_are_not_gzipped_and_large_ones_are_written_before_they_are_done(
    http, apps, clock, sized, monkeypatch
):
    emulator = sized(2)
    with httpx.Client(base_url=emulator.url) as client:
        token = token_for(client, apps, "US")
        small = done_report(client, token, clock, "US", "GET_MERCHANT_LISTINGS_DATA_LITER")
        info = document(client, token, small["reportDocumentId"])
        assert "compressionAlgorithm" not in info
        lines = httpx.get(info["url"]).text.splitlines()
        assert [line.split("\t")[0] for line in lines] == ["seller-sku", "SKU-US-0000001", "SKU-US-0000002"]
    monkeypatch.setattr(report_documents, "READY_WAIT", 0)  # the first look does not wait for the file
    large = sized(100_000)
    with httpx.Client(base_url=large.url, timeout=30.0) as client:
        token = token_for(client, apps, "US")
        report = done_report(client, token, clock, "US")
        # IN_PROGRESS until the file is whole
        assert report["processingStatus"] == "IN_PROGRESS"
        job = next(j for j in large.sandbox.reports.all() if j.job_id == report["reportId"])
        assert job.document_ready is not None
        assert job.document_ready.wait(120)
        report = spapi(client, "GET", f"{REPORTS}/{report['reportId']}", token).json()
        assert report["processingStatus"] == "DONE"
        info = document(client, token, report["reportDocumentId"])
        newlines = 0
        with httpx.stream("GET", info["url"], timeout=30.0) as streamed:
            size = int(streamed.headers["content-length"])
            inflater = zlib.decompressobj(31)
            for piece in streamed.iter_raw():
                newlines += inflater.decompress(piece).count(b"\n")
        assert newlines == 100_001
        assert size == streamed.num_bytes_downloaded


def test_byte_ranges_and_etags_as_s3_answers_them(http, apps, clock):
    token = token_for(http, apps, "US")
    info = document(http, token, done_report(http, token, clock, "US")["reportDocumentId"])
    whole = httpx.get(info["url"])
    etag, size = whole.headers["etag"], len(whole.content)
    assert whole.headers["accept-ranges"] == "bytes"
    part = httpx.get(info["url"], headers={"Range": "bytes=100-", "If-Match": etag})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-{size - 1}/{size}"
    assert part.content == whole.content[100:]
    assert httpx.get(info["url"], headers={"Range": "bytes=10-19"}).content == whole.content[10:20]
    assert httpx.get(info["url"], headers={"Range": "bytes=-5"}).content == whole.content[-5:]
    assert httpx.get(info["url"], headers={"Range": f"bytes={size}-"}).status_code == 416
    changed = httpx.get(info["url"], headers={"Range": "bytes=100-", "If-Match": '"other"'})
    assert changed.status_code == 412
    assert "<Code>PreconditionFailed</Code>" in changed.text
    assert httpx.get(info["url"], headers={"Range": "bytes=100-", "If-Range": '"other"'}).status_code == 200


def test_a_download_can_be_cut_short_after_some_bytes(http, apps, clock, emulator):
    token = token_for(http, apps, "US")
    document_id = done_report(http, token, clock, "US")["reportDocumentId"]
    info = document(http, token, document_id)
    whole = httpx.get(info["url"]).content
    cut = http.post(f"/_sandbox/documents/{document_id}/cut", json={"after": 100, "times": 1})
    assert cut.json() == {"documentId": document_id, "after": 100, "times": 1}
    received: list[bytes] = []

    def read() -> None:
        with httpx.stream("GET", info["url"]) as streamed:
            received.extend(streamed.iter_raw())

    with pytest.raises(httpx.HTTPError):
        read()
    assert b"".join(received) == whole[:100]
    assert httpx.get(info["url"]).content == whole  # only the next download was cut
    assert http.post("/_sandbox/documents/nope/cut", json={"after": 1}).status_code == 404
    assert http.post(f"/_sandbox/documents/{document_id}/cut", json={"after": -1}).status_code == 400


def test_fatal_reports_have_an_error_document_saying_why(http, apps, clock):
    token = token_for(http, apps, "DE")
    vendor = done_report(
        http,
        token,
        clock,
        "DE",
        "GET_VENDOR_TRAFFIC_REPORT",
        reportOptions={"reportPeriod": "WEEK"},
        dataStartTime="2026-01-04T00:00:00Z",
        dataEndTime="2026-01-10T23:59:59Z",
    )
    assert vendor["processingStatus"] == "FATAL"
    info = document(http, token, vendor["reportDocumentId"])
    error = httpx.get(info["url"])
    assert error.headers["content-type"] == "application/json; charset=UTF-8"
    assert error.json() == {
        "errorDetails": "Report type GET_VENDOR_TRAFFIC_REPORT is available to vendors only; this account is a seller."
    }
    missing = done_report(http, token, clock, "DE", "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT")
    assert missing["processingStatus"] == "FATAL"
    reason = httpx.get(document(http, token, missing["reportDocumentId"])["url"]).json()["errorDetails"]
    assert reason == (
        "reportOptions.reportPeriod is required for GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT (DAY, WEEK, MONTH, QUARTER)."
    )
    wrong = done_report(
        http, token, clock, "DE", "GET_SALES_AND_TRAFFIC_REPORT", reportOptions={"dateGranularity": "YEAR"}
    )
    assert wrong["processingStatus"] == "FATAL"


def test_a_report_without_data_is_cancelled_and_json_reports_follow_amazons_schema(http, apps, clock):
    token = token_for(http, apps, "UK")
    empty = done_report(
        http,
        token,
        clock,
        "UK",
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        dataStartTime="2025-01-01T00:00:00Z",
        dataEndTime="2025-01-02T00:00:00Z",
    )
    assert empty["processingStatus"] == "CANCELLED"
    assert "reportDocumentId" not in empty
    traffic = done_report(
        http, token, clock, "UK", "GET_SALES_AND_TRAFFIC_REPORT", reportOptions={"asinGranularity": "SKU"}
    )
    body = httpx.get(document(http, token, traffic["reportDocumentId"])["url"])
    content = gzip.decompress(body.content) if body.content[:2] == b"\x1f\x8b" else body.content
    parsed = json.loads(content)
    assert parsed["reportSpecification"]["reportOptions"] == {"asinGranularity": "SKU"}
    assert parsed["salesAndTrafficByDate"]
    assert parsed["salesAndTrafficByAsin"]


def test_restricted_types_come_from_the_report_types_table(http, apps, clock):
    token = token_for(http, apps, "UK")
    report = done_report(http, token, clock, "UK", "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_TAX")
    path = f"/reports/2021-06-30/documents/{report['reportDocumentId']}"
    assert spapi(http, "GET", path, token).status_code == 403
    rdt = restricted_data_token(http, token, {"method": "GET", "path": path})
    assert spapi(http, "GET", path, rdt).status_code == 200


def test_schedules_make_reports_on_the_clock_and_amazon_makes_settlements(http, apps, clock):
    token = token_for(http, apps, "UK")
    market = get_marketplace("UK").marketplace_id
    refused = spapi(
        http,
        "POST",
        REPORTS,
        token,
        json={"reportType": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", "marketplaceIds": [market]},
    )
    assert refused.status_code == 400
    settlements = spapi(
        http, "GET", REPORTS, token, params={"reportTypes": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"}
    ).json()["reports"]
    assert len(settlements) == 1
    assert settlements[0]["processingStatus"] == "DONE"
    content = gzip.decompress(
        httpx.get(document(http, token, settlements[0]["reportDocumentId"])["url"]).content
    )
    lines = content.decode("cp1252").splitlines()
    assert lines[0].startswith("settlement-id\tsettlement-start-date")
    assert len(lines) == 22  # header, the summary row and 20 transactions
    created = spapi(
        http,
        "POST",
        "/reports/2021-06-30/schedules",
        token,
        json={"reportType": LISTINGS, "marketplaceIds": [market], "period": "P1D"},
    )
    assert created.status_code == 201, created.text
    schedule_id = created.json()["reportScheduleId"]
    listed = spapi(
        http, "GET", "/reports/2021-06-30/schedules", token, params={"reportTypes": LISTINGS}
    ).json()
    assert [s["reportScheduleId"] for s in listed["reportSchedules"]] == [schedule_id]
    clock.advance(timedelta(days=2, minutes=1).total_seconds())
    token = token_for(http, apps, "UK")  # the old one expired
    made = spapi(http, "GET", REPORTS, token, params={"reportTypes": LISTINGS}).json()["reports"]
    assert [r["reportScheduleId"] for r in made] == [schedule_id, schedule_id]
    assert {r["processingStatus"] for r in made} == {"DONE"}
    assert spapi(http, "DELETE", f"/reports/2021-06-30/schedules/{schedule_id}", token).status_code == 200
    assert spapi(http, "GET", f"/reports/2021-06-30/schedules/{schedule_id}", token).status_code == 404
    clock.advance(timedelta(days=1).total_seconds())
    token = token_for(http, apps, "UK")
    assert len(spapi(http, "GET", REPORTS, token, params={"reportTypes": LISTINGS}).json()["reports"]) == 2


def test_documents_are_counted_as_being_written_until_they_are_written_or_fail(clock):
    from amazon_connector.sandbox.aws.storage import Documents

    documents = Documents(clock)
    seen: list[int] = []

    def pieces(fail: bool = False) -> Iterator[bytes]:
        seen.append(documents.being_written)
        yield b"rows\n" * 1000
        if fail:
            raise OSError("the emulator stopped")

    documents.write(documents.create("doc", "A1", "text/plain", gzip_content=True), pieces())
    assert documents.being_written == 0
    with pytest.raises(OSError, match="the emulator stopped"):
        documents.write(documents.create("doc", "A1", "text/plain"), pieces(fail=True))
    assert documents.being_written == 0
    assert seen == [1, 1]
