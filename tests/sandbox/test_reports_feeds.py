"""Reports and Feeds 2021-06-30 over real HTTP: processing on the clock, presigned documents, RDTs."""

import gzip
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from amazon_connector.api.schemas import (
    CreateFeedDocumentResponse,
    Feed,
    GetReportsResponse,
    Report,
    ReportDocument,
)
from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.spapi.jobs import PROCESSING, QUEUED
from amazon_connector.sandbox.times import iso
from tests.sandbox.conftest import access_token, restricted_data_token, seller_in, spapi

UK = get_marketplace("UK").marketplace_id
DE = get_marketplace("DE").marketplace_id
REPORTS = "/reports/2021-06-30/reports"
FEEDS = "/feeds/2021-06-30"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
SHIPPING = "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING"


@pytest.fixture
def token(http, apps) -> str:
    return access_token(http, apps["Demo Private App (restricted)"], "UK")


def create_report(http, token, report_type: str = ALL_ORDERS, **more: Any) -> str:
    response = spapi(
        http, "POST", REPORTS, token, json={"reportType": report_type, "marketplaceIds": [UK], **more}
    )
    assert response.status_code == 202, response.text
    assert set(response.json()) == {"reportId"}
    return str(response.json()["reportId"])


def report(http, token, report_id: str) -> Report:
    response = spapi(http, "GET", f"{REPORTS}/{report_id}", token)
    assert response.status_code == 200, response.text
    return Report.model_validate(response.json())


def download(url: str) -> httpx.Response:
    """The presigned URL, fetched as an S3 client would: no SP-API headers."""
    return httpx.get(url, timeout=10.0)


def test_a_report_is_processed_on_the_clock(http, token, clock, emulator):
    report_id = create_report(http, token)
    assert report(http, token, report_id).processingStatus == "IN_QUEUE"
    clock.advance(QUEUED.total_seconds())
    started = report(http, token, report_id)
    assert started.processingStatus == "IN_PROGRESS"
    assert started.processingStartTime
    assert started.reportDocumentId is None
    clock.advance(PROCESSING.total_seconds())
    done = report(http, token, report_id)
    assert done.processingStatus == "DONE"
    assert done.processingEndTime
    assert done.reportDocumentId is not None
    assert done.reportDocumentId.startswith("amzn1.spdoc.1.4.eu.")
    response = spapi(http, "GET", f"/reports/2021-06-30/documents/{done.reportDocumentId}", token)
    assert response.status_code == 200
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    document = ReportDocument.model_validate(response.json())
    assert document.compressionAlgorithm == "GZIP"
    content = download(document.url)
    assert content.status_code == 200
    assert content.headers["content-type"] == "text/plain;charset=windows-1252"
    rows = gzip.decompress(content.content).decode("cp1252").splitlines()
    assert rows[0].startswith("amazon-order-id\torder-item-id\tmerchant-order-id\tpurchase-date")
    assert "buyer-email" not in rows[0]
    assert len(rows) > emulator.world.orders_per_marketplace  # one row per item
    assert [j.job_id for j in emulator.app.state.sandbox.reports.all() if j.schedule_id is None] == [
        report_id
    ]


def test_content_encoding_header_and_url_expiry(http, token, clock):
    report_id = create_report(http, token)
    clock.advance((QUEUED + PROCESSING).total_seconds())
    document_id = report(http, token, report_id).reportDocumentId
    path = f"/reports/2021-06-30/documents/{document_id}"
    encoded = spapi(http, "GET", path, token, params={"enableContentEncodingUrlHeader": "true"}).json()
    fetched = download(encoded["url"])
    assert fetched.headers["content-encoding"] == "gzip"
    assert fetched.text.startswith("amazon-order-id")  # httpx decompressed it
    url = spapi(http, "GET", path, token).json()["url"]
    assert download(url + "x").status_code == 403
    clock.advance(299)
    assert download(url).status_code == 200
    clock.advance(1)
    expired = download(url)
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.text


def test_restricted_report_documents_need_an_rdt_for_the_concrete_path(http, token, clock):
    report_id = create_report(http, token, SHIPPING)
    clock.advance((QUEUED + PROCESSING).total_seconds())
    document_id = report(http, token, report_id).reportDocumentId
    path = f"/reports/2021-06-30/documents/{document_id}"
    refused = spapi(http, "GET", path, token)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "Unauthorized"
    rdt = restricted_data_token(http, token, {"method": "GET", "path": path})
    document = ReportDocument.model_validate(spapi(http, "GET", path, rdt).json())
    header = gzip.decompress(download(document.url).content).decode("cp1252").splitlines()[0]
    assert header.endswith("buyer-email\tbuyer-name\tship-address-1")
    other = create_report(http, token, SHIPPING)
    clock.advance((QUEUED + PROCESSING).total_seconds())
    other_path = f"/reports/2021-06-30/documents/{report(http, token, other).reportDocumentId}"
    assert spapi(http, "GET", other_path, rdt).status_code == 403


def test_a_report_without_data_is_cancelled(http, token, clock):
    start, end = iso(clock.now() - timedelta(days=400)), iso(clock.now() - timedelta(days=399))
    report_id = create_report(http, token, dataStartTime=start, dataEndTime=end)
    clock.advance((QUEUED + PROCESSING).total_seconds())
    cancelled = report(http, token, report_id)
    assert cancelled.processingStatus == "CANCELLED"
    assert cancelled.reportDocumentId is None


def test_cancel_only_in_queue(http, token, clock):
    first, second = create_report(http, token), create_report(http, token)
    assert spapi(http, "DELETE", f"{REPORTS}/{first}", token).status_code == 200
    assert report(http, token, first).processingStatus == "CANCELLED"
    clock.advance(QUEUED.total_seconds())
    assert spapi(http, "DELETE", f"{REPORTS}/{second}", token).status_code == 400
    assert spapi(http, "DELETE", f"{REPORTS}/1", token).status_code == 404


def test_get_reports_pages_newest_first(http, token, clock, apps):
    ids = []
    for _ in range(5):
        ids.append(create_report(http, token))
        clock.advance(1)
    seen, params = [], {"reportTypes": ALL_ORDERS, "pageSize": "2"}
    while True:
        response = spapi(http, "GET", REPORTS, token, params=params)
        assert response.status_code == 200, response.text
        body = GetReportsResponse.model_validate(response.json())
        seen += [r.reportId for r in body.reports]
        if not body.nextToken:
            break
        params = {"nextToken": body.nextToken}
    assert seen == ids[::-1]
    assert spapi(http, "GET", REPORTS, token).status_code == 400
    statuses = spapi(
        http, "GET", REPORTS, token, params={"reportTypes": ALL_ORDERS, "processingStatuses": "DONE"}
    )
    assert statuses.json()["reports"] == []
    other_seller = access_token(http, apps["Demo Private App (restricted)"], "US")
    assert (
        spapi(http, "GET", REPORTS, other_seller, params={"reportTypes": ALL_ORDERS}).json()["reports"] == []
    )
    assert spapi(http, "GET", f"{REPORTS}/{ids[0]}", other_seller).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reportType": ALL_ORDERS},
        {"reportType": ALL_ORDERS, "marketplaceIds": []},
        {"reportType": "not a type", "marketplaceIds": [UK]},
        {"reportType": ALL_ORDERS, "marketplaceIds": ["ATVPDKIKX0DER"]},
        {"reportType": ALL_ORDERS, "marketplaceIds": [UK], "dataStartTime": "soon"},
    ],
)
def test_create_report_invalid_input(http, token, body, emulator):
    response = spapi(http, "POST", REPORTS, token, json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"
    assert emulator.app.state.sandbox.reports.all() == []


def feed_document(http, token, content_type: str) -> CreateFeedDocumentResponse:
    response = spapi(http, "POST", f"{FEEDS}/documents", token, json={"contentType": content_type})
    assert response.status_code == 201, response.text
    return CreateFeedDocumentResponse.model_validate(response.json())


def create_feed(http, token, document_id: str, feed_type: str = "JSON_LISTINGS_FEED") -> str:
    body = {"feedType": feed_type, "marketplaceIds": [UK], "inputFeedDocumentId": document_id}
    response = spapi(http, "POST", f"{FEEDS}/feeds", token, json=body)
    assert response.status_code == 202, response.text
    return str(response.json()["feedId"])


def feed(http, token, feed_id: str) -> Feed:
    return Feed.model_validate(spapi(http, "GET", f"{FEEDS}/feeds/{feed_id}", token).json())


def test_feed_upload_process_and_result(http, token, clock, emulator, apps):
    content_type = "application/json; charset=UTF-8"
    document = feed_document(http, token, content_type)
    assert document.feedDocumentId.startswith("amzn1.tortuga.4.eu.")
    seller = emulator.world.seller(
        seller_in(apps["Demo Private App (restricted)"], "UK")["selling_partner_id"]
    )
    products = emulator.sandbox.assortment.products(seller)[:3]
    messages = {
        "header": {"sellerId": seller.selling_partner_id, "version": "2.0"},
        "messages": [
            {"messageId": n, "sku": p.sku, "operationType": "DELETE"} for n, p in enumerate(products, 1)
        ],
    }
    wrong_type = httpx.put(document.url, content=json.dumps(messages), headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 403
    assert "SignatureDoesNotMatch" in wrong_type.text
    uploaded = httpx.put(document.url, content=json.dumps(messages), headers={"Content-Type": content_type})
    assert uploaded.status_code == 200
    feed_id = create_feed(http, token, document.feedDocumentId)
    assert feed(http, token, feed_id).processingStatus == "IN_QUEUE"
    clock.advance((QUEUED + PROCESSING).total_seconds())
    done = feed(http, token, feed_id)
    assert done.processingStatus == "DONE"
    result = spapi(http, "GET", f"{FEEDS}/documents/{done.resultFeedDocumentId}", token)
    assert result.status_code == 200
    report = download(result.json()["url"]).json()
    assert report["summary"]["messagesAccepted"] == 3
    assert report["header"]["feedId"] == feed_id
    sandbox = emulator.app.state.sandbox
    assert [j.job_id for j in sandbox.feeds.all()] == [feed_id]


def test_a_feed_without_an_upload_is_fatal(http, token, clock):
    document = feed_document(http, token, "text/xml; charset=UTF-8")
    feed_id = create_feed(http, token, document.feedDocumentId, "POST_PRODUCT_DATA")
    clock.advance((QUEUED + PROCESSING).total_seconds())
    assert feed(http, token, feed_id).processingStatus == "FATAL"
    late = httpx.put(document.url, content=b"<x/>", headers={"Content-Type": "text/xml; charset=UTF-8"})
    assert late.status_code == 200  # the URL still works, but too late for this feed
    assert feed(http, token, feed_id).processingStatus == "FATAL"


def test_upload_url_expires_after_five_minutes(http, token, clock):
    document = feed_document(http, token, "text/xml; charset=UTF-8")
    clock.advance(300)
    late = httpx.put(document.url, content=b"<x/>", headers={"Content-Type": "text/xml; charset=UTF-8"})
    assert late.status_code == 403
    assert "Request has expired" in late.text


def test_xml_feed_and_listing_feeds(http, token, clock):
    content_type = "text/xml; charset=UTF-8"
    document = feed_document(http, token, content_type)
    body = b"<AmazonEnvelope><Message>1</Message><Message>2</Message></AmazonEnvelope>"
    assert httpx.put(document.url, content=body, headers={"Content-Type": content_type}).status_code == 200
    feed_id = create_feed(http, token, document.feedDocumentId, "POST_PRODUCT_DATA")
    assert spapi(http, "DELETE", f"{FEEDS}/feeds/{feed_id}", token).status_code == 200
    again = create_feed(http, token, document.feedDocumentId, "POST_PRODUCT_DATA")
    clock.advance((QUEUED + PROCESSING).total_seconds())
    result_id = feed(http, token, again).resultFeedDocumentId
    xml = download(spapi(http, "GET", f"{FEEDS}/documents/{result_id}", token).json()["url"]).text
    assert "<MessagesProcessed>2</MessagesProcessed>" in xml
    listed = spapi(http, "GET", f"{FEEDS}/feeds", token, params={"feedTypes": "POST_PRODUCT_DATA"}).json()
    assert [(f["feedId"], f["processingStatus"]) for f in listed["feeds"]] == [
        (again, "DONE"),
        (feed_id, "CANCELLED"),
    ]
    unknown = spapi(
        http,
        "POST",
        f"{FEEDS}/feeds",
        token,
        json={"feedType": "X_FEED", "marketplaceIds": [UK], "inputFeedDocumentId": "amzn1.tortuga.4.eu.nope"},
    )
    assert unknown.status_code == 400


def test_document_urls_are_on_the_emulators_own_address_whatever_the_host_header(
    http, token, clock, emulator
):
    odd = {"x-amz-access-token": token, "Host": "ttp:127.0.0.1:1"}  # as python-amazon-sp-api sends it
    created = http.post(f"{FEEDS}/documents", headers=odd, json={"contentType": "text/plain"})
    assert created.status_code == 201, created.text
    assert created.json()["url"].startswith(f"{emulator.url}/_s3/documents/")
    report_id = create_report(http, token)
    clock.advance((QUEUED + PROCESSING).total_seconds())
    document_id = report(http, token, report_id).reportDocumentId
    answer = http.get(f"/reports/2021-06-30/documents/{document_id}", headers=odd)
    assert answer.json()["url"].startswith(f"{emulator.url}/_s3/documents/")
    assert download(answer.json()["url"]).status_code == 200
