"""The pieces of the runtime that are pure rules: bucket arithmetic, next-page parameters, merging pages,
parameter encoding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from amazon_connector import Connections
from amazon_connector.api.catalog import catalog
from amazon_connector.clock import ManualClock
from amazon_connector.errors import ConfigurationError, InvalidInputError
from amazon_connector.runtime.limiter import (
    Bucket,
    MemoryBackend,
    RateLimiter,
    Reservation,
    UsagePlan,
    anchor,
    due,
    reserve_slot,
)
from amazon_connector.runtime.pagination import merge_pages, next_page_params, next_token, records
from amazon_connector.runtime.spapi import build_request, call_params, encode_value, parse_response


def test_a_burst_goes_at_once_then_one_call_per_interval():
    plan = UsagePlan(rate=0.5, burst=4)  # 3 at once (one token kept spare), then every 2 s
    bucket, sends = Bucket(), []
    for _ in range(6):
        slot, bucket = reserve_slot(bucket, plan, now=100.0)
        sends.append(due(bucket, slot, plan, now=200.0))
    assert sends == [100.0, 100.0, 100.0, 102.0, 104.0, 106.0]


def test_paced_calls_are_timed_from_the_last_answer_to_the_burst():
    plan = UsagePlan(rate=1.0, burst=3)
    bucket = Bucket()
    slots = []
    for _ in range(3):
        slot, bucket = reserve_slot(bucket, plan, now=0.0)
        slots.append(slot)
    # the paced slot waits (looks again soon) until both burst calls are answered
    assert due(bucket, slots[2], plan, now=1.0) == pytest.approx(1.25)
    bucket = anchor(bucket, slots[0], plan, answered_at=0.3)
    bucket = anchor(bucket, slots[1], plan, answered_at=0.7)
    assert due(bucket, slots[2], plan, now=1.0) == pytest.approx(1.7)


def test_an_idle_bucket_fills_up_again_and_amazons_rate_replaces_the_catalogs():
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = RateLimiter(MemoryBackend(), clock)
    first = limiter.reserve("k", rate=1.0, burst=2)
    assert isinstance(first, Reservation)
    assert limiter.ready_at(first) == clock.monotonic()
    clock.advance(60)
    again = limiter.reserve("k", rate=1.0, burst=2)
    assert isinstance(again, Reservation)
    assert again.slot.epoch == first.slot.epoch + 1
    limiter.observe("k", 5.0, 1.0)
    assert limiter.usage_plan("k", 1.0, 2) == UsagePlan(5.0, 2)
    assert limiter.reserve("unlimited", rate=None, burst=None) is None


def test_a_slot_missed_by_more_than_an_interval_must_be_taken_again():
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = RateLimiter(MemoryBackend(), clock)
    burst = limiter.reserve("k", rate=1.0, burst=2)
    paced = limiter.reserve("k", rate=1.0, burst=2)
    assert isinstance(burst, Reservation)
    assert isinstance(paced, Reservation)
    limiter.answered(burst)
    clock.advance(5)
    assert limiter.ready_at(paced) is None


def test_next_page_parameters_follow_each_token_style():
    get_orders = catalog().get("getOrders")
    params = {"MarketplaceIds": ["A1PA6795UKMFR9"], "CreatedAfter": "2026-01-01"}
    assert next_page_params(get_orders, params, "t1") == {**params, "NextToken": "t1"}
    get_reports = catalog().get("getReports")
    assert next_page_params(get_reports, {"reportTypes": ["X"], "pageSize": 10}, "t2") == {"nextToken": "t2"}
    body_token = catalog().get("data-kiosk.createQuery")
    assert next_page_params(body_token, {"body": {"a": 1}}, "t3") == {
        "body": {"a": 1, "paginationToken": "t3"}
    }
    # the token replaces the selection, and QueryType says so
    shipments = catalog().get("fulfillment-inbound/v0/getShipments")
    first = {"QueryType": "SHIPMENT", "ShipmentIdList": ["FBA1"], "MarketplaceId": "M1"}
    assert next_page_params(shipments, first, "t4") == {
        "MarketplaceId": "M1",
        "QueryType": "NEXT_TOKEN",
        "NextToken": "t4",
    }
    assert next_token(get_orders, {"payload": {"NextToken": "n", "Orders": []}}) == "n"
    assert next_token(get_orders, {"payload": {"Orders": []}}) is None


def test_pages_merge_into_one_answer_without_tokens():
    op = catalog().get("getOrders")
    pages = [
        {"payload": {"Orders": [{"id": 1}], "NextToken": "a", "CreatedBefore": "x"}},
        {"payload": {"Orders": [{"id": 2}, {"id": 3}], "NextToken": "b", "CreatedBefore": "y"}},
        {"payload": {"Orders": [{"id": 4}], "CreatedBefore": "z"}},
    ]
    merged = merge_pages(op, pages)
    assert merged == {"payload": {"Orders": [{"id": n} for n in (1, 2, 3, 4)], "CreatedBefore": "x"}}
    assert pages[0]["payload"]["NextToken"] == "a"  # the pages themselves are untouched
    assert records(op, pages[1]) == [{"id": 2}, {"id": 3}]
    events = catalog().get("listFinancialEvents")
    nested = [
        {"payload": {"FinancialEvents": {"ShipmentEventList": [1], "RefundEventList": []}, "NextToken": "n"}},
        {"payload": {"FinancialEvents": {"ShipmentEventList": [2], "RefundEventList": [3]}}},
    ]
    assert merge_pages(events, nested) == {
        "payload": {"FinancialEvents": {"ShipmentEventList": [1, 2], "RefundEventList": [3]}}
    }
    assert records(events, nested[0]) is None  # no single list of records: use merged() or pages()


def test_records_sit_where_the_model_of_the_answer_says():
    summaries = catalog().get("getInventorySummaries")  # token in pagination, records in payload
    page = {
        "pagination": {"nextToken": "n"},
        "payload": {"granularity": {"granularityType": "Marketplace"}, "inventorySummaries": [{"sku": "A"}]},
    }
    assert records(summaries, page) == [{"sku": "A"}]
    participations = catalog().get("getMarketplaceParticipations")  # unpaged: the payload is the list
    assert records(participations, {"payload": [{"marketplace": {}}], "errors": []}) == [{"marketplace": {}}]
    items = catalog().get("searchCatalogItems")
    assert records(items, {"numberOfResults": 0, "pagination": {}}) == []  # a page without its list


def test_parameters_are_encoded_the_way_sp_api_reads_them():
    cet = timezone(timedelta(hours=1))
    assert encode_value(datetime(2026, 3, 1, 12, 0, tzinfo=cet)) == "2026-03-01T11:00:00Z"
    assert encode_value(["A", "B"]) == "A,B"
    assert encode_value(True) == "true"
    op = catalog().get("getOrders")
    params = call_params(
        op, {"CreatedAfter": "2026-01-01", "orderstatuses": ["Shipped"]}, marketplace_id="M1"
    )
    assert params.query == {"CreatedAfter": "2026-01-01", "OrderStatuses": "Shipped", "MarketplaceIds": "M1"}
    report = call_params(catalog().get("getReport"), {"reportId": "a/b"}, marketplace_id=None)
    assert report.path == {"reportId": "a/b"}
    with pytest.raises(ConfigurationError, match="needs the parameter 'MarketplaceIds'"):
        call_params(op, {}, marketplace_id=None)


def test_query_lists_are_sent_as_their_model_says():
    prep = catalog().get("listPrepDetails")  # mskus: collectionFormat multi
    params = call_params(prep, {"mskus": ["a", "b,c"], "marketplaceId": "M1"}, marketplace_id=None)
    url = build_request("http://127.0.0.1:1", prep, "token", params).url
    assert url.path == "/inbound/fba/2024-03-20/items/prepDetails"
    assert url.query == b"mskus=a&mskus=b%2Cc&marketplaceId=M1"
    restrictions = catalog().get("getListingsRestrictions")  # marketplaceIds: csv
    params = call_params(
        restrictions, {"asin": "B0", "sellerId": "S", "marketplaceIds": ["M1", "M2"]}, marketplace_id=None
    )
    url = build_request("http://127.0.0.1:1", restrictions, "token", params).url
    assert url.params.get_list("marketplaceIds") == ["M1,M2"]


def test_errors_answered_as_a_bare_list_are_read_like_an_errors_object():
    restrictions = catalog().get("getListingsRestrictions")
    errors = [{"code": "BAD_REQUEST", "message": "Invalid 'asin' provided."}]
    answer = httpx.Response(400, json=errors, headers={"x-amzn-RequestId": "r1"})
    with pytest.raises(InvalidInputError) as info:
        parse_response(restrictions, answer)
    assert info.value.errors == errors
    assert "HTTP 400: BAD_REQUEST: Invalid 'asin' provided., request ID r1" in info.value.message
    wrapped = httpx.Response(400, json={"errors": errors})
    with pytest.raises(InvalidInputError) as info:
        parse_response(restrictions, wrapped)
    assert info.value.errors == errors


def test_a_rate_learned_by_one_process_reaches_the_others_sharing_the_store(tmp_path):
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    with (
        Connections.open(home=tmp_path, clock=clock) as one,
        Connections.open(home=tmp_path, clock=clock) as other,
    ):
        assert other.limiter.usage_plan("k", 1.0, 2) == UsagePlan(1.0, 2)  # the catalog's, now cached
        one.limiter.observe("k", 5.0, 1.0)
        assert other.limiter.reserve("k", rate=1.0, burst=2) is not None  # takes the bucket: sees 5.0
        assert other.limiter.usage_plan("k", 1.0, 2) == UsagePlan(5.0, 2)
