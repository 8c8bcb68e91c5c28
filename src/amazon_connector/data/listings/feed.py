"""Listing updates through JSON_LISTINGS_FEED: documents built within Amazon's limits, uploaded with the
exact content type they declare, submitted once (recorded in the store before createFeed is sent),
waited for, and their processing report turned into one result per input record.

Amazon's limits: at most 25,000 messages a feed (the feed schema's ``maxItems``) and, as the Feeds API's
best practices ask, documents under 10 MiB; a larger input is split into several feeds.

If a process dies after sending createFeed but before recording its answer, the next run looks for that
feed among the connection's recent listings feeds (created within five minutes of the moment it was
sent, and not recorded by any run) and adopts it; only when there is none is the feed created again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from amazon_connector.connections.connection import Connection
from amazon_connector.data.listings.amazon import Listed
from amazon_connector.data.listings.updates import ListingUpdate, patches
from amazon_connector.data.results import Issue, RecordResult
from amazon_connector.data.sources import InputRecord
from amazon_connector.data.submissions import FeedPart, Submissions
from amazon_connector.marketplaces import Marketplace

FEED_TYPE = "JSON_LISTINGS_FEED"
CONTENT_TYPE = "application/json; charset=UTF-8"
MAX_MESSAGES = 25_000
MAX_BYTES = 10 * 1024 * 1024
"""Amazon's recommended largest feed document (10 MiB, the Feeds API's best practices)."""
PRODUCT_TYPE_ROOM = 64
"""Bytes kept in each message for the product type, which is known only when the part is sent."""
ADOPT_WINDOW = timedelta(minutes=5)
FINAL = frozenset({"DONE", "CANCELLED", "FATAL"})
FIRST_POLL, LONGEST_POLL = 5.0, 60.0
"""Seconds between getFeed calls: the least and the most."""


def message(
    message_id: int, update: ListingUpdate, product_type: str, marketplace: Marketplace
) -> dict[str, Any]:
    """The PATCH message of one update."""
    return {
        "messageId": message_id,
        "sku": update.sku,
        "operationType": "PATCH",
        "productType": product_type,
        "patches": patches(update, marketplace),
    }


def document(seller: str, messages: Sequence[Mapping[str, Any]]) -> bytes:
    """A JSON_LISTINGS_FEED document (schema version 2.0)."""
    body = {"header": {"sellerId": seller, "version": "2.0"}, "messages": list(messages)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def split(updates: Sequence[ListingUpdate], marketplace: Marketplace) -> list[list[ListingUpdate]]:
    """The updates in parts that each fit one feed (messages and bytes), in input order. The split
    depends on the input alone, so that a rerun finds the same parts."""
    parts: list[list[ListingUpdate]] = []
    current: list[ListingUpdate] = []
    size = len(document("A" * 20, []))
    for update in updates:
        length = (
            len(json.dumps(message(MAX_MESSAGES, update, "", marketplace), ensure_ascii=False))
            + PRODUCT_TYPE_ROOM
        )
        if current and (len(current) == MAX_MESSAGES or size + length > MAX_BYTES):
            parts.append(current)
            current, size = [], len(document("A" * 20, []))
        current.append(update)
        size += length + 1
    if current:
        parts.append(current)
    return parts


@dataclass(frozen=True, slots=True)
class Prepared:
    """A part ready to send: its document, which line each message carries, and the lines refused
    before sending (with their issue)."""

    content: bytes
    lines: list[int]
    refused: dict[int, Issue]

    def records(self) -> dict[str, Any]:
        return {"lines": self.lines, "refused": {str(k): v.as_json() for k, v in self.refused.items()}}


def prepare(
    part: Sequence[ListingUpdate],
    listed: Mapping[str, Listed],
    marketplace: Marketplace,
    seller: str,
    refuse: Callable[[ListingUpdate, Listed | None], Issue | None],
) -> Prepared:
    """Messages for the part's updates whose listing allows them (``refuse`` says why not)."""
    messages: list[dict[str, Any]] = []
    lines: list[int] = []
    refusals: dict[int, Issue] = {}
    for update in part:
        found = listed.get(update.sku)
        problem = refuse(update, found)
        if problem is not None:
            refusals[update.record.line] = problem
            continue
        product_type = update.product_type or (found.product_type if found else "PRODUCT")
        messages.append(message(len(messages) + 1, update, product_type, marketplace))
        lines.append(update.record.line)
    return Prepared(document(seller, messages), lines, refusals)


async def submit(
    connection: Connection, submissions: Submissions, run_id: int, part: int, prepared: Prepared
) -> FeedPart:
    """Upload the part's document and create its feed, recording the document before createFeed is
    sent and the feed ID as soon as it answers."""
    document_id = await connection.aupload_document(prepared.content, CONTENT_TYPE)
    recorded = submissions.creating_feed(run_id, part, document_id, prepared.records())
    return await _create(connection, submissions, recorded)


async def _create(connection: Connection, submissions: Submissions, part: FeedPart) -> FeedPart:
    answer = await connection.acall(
        "feeds/2021-06-30/createFeed",
        body={
            "feedType": FEED_TYPE,
            "marketplaceIds": [connection.marketplace.marketplace_id],
            "inputFeedDocumentId": part.feed_document_id,
        },
    )
    feed_id = str(answer.data["feedId"])
    submissions.feed_created(part.run_id, part.part, feed_id)
    return FeedPart(
        part.run_id, part.part, part.feed_document_id, part.records, part.creating_at, feed_id, None, None
    )


async def recover(connection: Connection, submissions: Submissions, part: FeedPart) -> FeedPart:
    """A part whose createFeed may have been sent without its answer being recorded: the feed it
    created if Amazon lists one (adopted), else the feed created now."""
    claimed = submissions.claimed_feeds(connection.record.id)
    answer = await connection.acall(
        "feeds/2021-06-30/getFeeds",
        feedTypes=[FEED_TYPE],
        marketplaceIds=[connection.marketplace.marketplace_id],
        createdSince=part.creating_at - ADOPT_WINDOW,
        pageSize=100,
    )
    candidates = sorted(
        [
            (_created(feed), str(feed["feedId"]))
            async for feed in answer
            if str(feed.get("feedId")) not in claimed
            and abs(_created(feed) - part.creating_at) <= ADOPT_WINDOW
        ]
    )
    if not candidates:
        return await _create(connection, submissions, part)
    feed_id = candidates[0][1]
    submissions.feed_created(part.run_id, part.part, feed_id)
    return FeedPart(
        part.run_id, part.part, part.feed_document_id, part.records, part.creating_at, feed_id, None, None
    )


def _created(feed: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(feed["createdTime"]).replace("Z", "+00:00"))


async def wait(connection: Connection, feed_id: str, until: float | None) -> Mapping[str, Any]:
    """getFeed until the feed is DONE, CANCELLED or FATAL, or ``until`` (the clock's monotonic time)
    passes; the last answer. Polls every 5 s at first, then a sixth of the time waited so far (at most
    a minute), so a long feed costs few calls and a short one is seen soon after it ends."""
    clock = connection.clock
    began = clock.monotonic()
    while True:
        feed: Mapping[str, Any] = (await connection.acall("feeds/2021-06-30/getFeed", feedId=feed_id)).data
        if feed.get("processingStatus") in FINAL or (until is not None and clock.monotonic() >= until):
            return feed
        delay = min(LONGEST_POLL, max(FIRST_POLL, (clock.monotonic() - began) / 6))
        wake = clock.monotonic() + delay
        await clock.asleep_until(wake if until is None else min(wake, until))


async def processing_report(connection: Connection, feed_document_id: str) -> dict[str, Any]:
    """The processing report of a feed: its result document (the runtime's download: gunzipped, read in
    its charset, a dropped transfer resumed) as JSON."""
    async with connection.aopen_document(feed_document_id, kind="feed") as document:
        text = b"".join([piece async for piece in document.text()])
    report: dict[str, Any] = json.loads(text)
    return report


Described = tuple[InputRecord, str | None, Mapping[str, Any]]
"""An input record as results show it: the record, its key (the SKU) and what was sent for it."""


def results(
    part: FeedPart,
    feed: Mapping[str, Any],
    report: Mapping[str, Any] | None,
    describe: Callable[[int], Described],
) -> list[RecordResult]:
    """One result per record of the part (``describe`` gives each input line's record): refused before
    sending, or as the processing report says (issues joined to the input by message ID; a message
    without issues was accepted)."""
    feed_id = part.feed_id
    found: list[RecordResult] = []
    for line, issue in part.records["refused"].items():
        record, key, _ = describe(int(line))
        found.append(RecordResult(record, key, (Issue.from_json(issue),)))
    by_message: dict[int, list[Issue]] = {}
    skus: dict[int, str] = {}
    general: list[Issue] = []
    for raw in (report or {}).get("issues") or []:
        issue = Issue(
            str(raw.get("code", "")),
            str(raw.get("message", "")),
            str(raw.get("severity", "ERROR")),
            raw.get("attributeName"),
        )
        if isinstance(raw.get("messageId"), int):
            by_message.setdefault(raw["messageId"], []).append(issue)
            if raw.get("sku"):
                skus[raw["messageId"]] = str(raw["sku"])
        else:
            general.append(issue)
    status = str(feed.get("processingStatus"))
    if status != "DONE":
        general.append(Issue(f"FEED_{status}", _unfinished(status, feed_id)))
    for number, line in enumerate(part.records["lines"], start=1):
        record, key, sent = describe(line)
        found.append(
            RecordResult(
                record,
                key or skus.get(number),
                tuple(general + by_message.get(number, [])),
                via="feed",
                reference=f"feed {feed_id} message {number}",
                sent=sent,
            )
        )
    return found


async def afeed_results(connection: Connection, feed_id: str) -> tuple[Mapping[str, Any], list[RecordResult]]:
    """A feed's state and, once it has ended, a result per message: joined to the input lines when a run
    of this connection submitted it (the records themselves are not kept), else numbered by message."""
    feed: Mapping[str, Any] = (await connection.acall("feeds/2021-06-30/getFeed", feedId=feed_id)).data
    if feed.get("processingStatus") not in FINAL:
        return feed, []
    document = feed.get("resultFeedDocumentId")
    report = await processing_report(connection, str(document)) if document else None
    part = Submissions(connection.store, connection.clock).find_feed(connection.record.id, feed_id)
    if part is None:
        messages = (report or {}).get("summary", {}).get("messagesProcessed") or 0
        numbered = sorted(
            {
                *range(1, int(messages) + 1),
                *(
                    i["messageId"]
                    for i in (report or {}).get("issues") or []
                    if isinstance(i.get("messageId"), int)
                ),
            }
        )
        part = FeedPart(0, 0, "", {"lines": numbered, "refused": {}}, datetime.min, feed_id, None, None)
    return feed, results(part, feed, report, lambda line: (InputRecord(line, {}), None, {}))


def _unfinished(status: str, feed_id: str | None) -> str:
    if status == "CANCELLED":
        return f"Feed {feed_id} was cancelled before Amazon processed it; nothing of it was applied."
    return (
        f"Feed {feed_id} ended {status}: Amazon may have applied some, all or none of it. Check the "
        "listings (amazon-connector listings get SKU) before sending again."
    )
