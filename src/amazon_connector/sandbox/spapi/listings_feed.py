"""JSON_LISTINGS_FEED processing: each message of the feed applied to the seller's listings, and the
processing report (Amazon's ``listings-feed-processing-report-schema-v2``) with one issue per problem,
each carrying the message ID and SKU it belongs to.

A document that is not a listings feed at all (not JSON, another seller's, another version, no
messages or more than Amazon's 25,000) ends FATAL, its report naming the problem without a message ID;
otherwise the feed is DONE and each message is accepted or invalid on its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amazon_connector.marketplaces import get_marketplace
from amazon_connector.sandbox.spapi.listings_store import ListingsStore, Submission, markets_of
from amazon_connector.sandbox.spapi.product_types import UNKNOWN_SKU, Issue, Market
from amazon_connector.sandbox.world import Seller

FEED_TYPE = "JSON_LISTINGS_FEED"
MAX_MESSAGES = 25_000
"""Messages per JSON_LISTINGS_FEED (Amazon's feed schema, ``maxItems``; raised from 10,000 in 2025)."""
OPERATIONS = ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE")
FEED_ERROR = "100001"
MESSAGE_ERROR = "100002"


@dataclass(frozen=True, slots=True)
class Processed:
    """A settled listings feed: DONE or FATAL, with its processing report."""

    outcome: str
    report: bytes


def _report(seller_id: str, feed_id: str, issues: list[dict[str, Any]], messages: int, invalid: int) -> bytes:
    summary = {
        "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
        "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
        "messagesProcessed": messages,
        "messagesAccepted": messages - invalid,
        "messagesInvalid": invalid,
    }
    header = {"sellerId": seller_id, "version": "2.0", "feedId": feed_id}
    return json.dumps({"header": header, "issues": issues, "summary": summary}).encode()


def _fatal(seller_id: str, feed_id: str, message: str) -> Processed:
    issue = {"code": FEED_ERROR, "severity": "ERROR", "message": message}
    return Processed("FATAL", _report(seller_id, feed_id, [issue], 0, 0))


def process(
    store: ListingsStore, seller: Seller, feed_id: str, marketplace_ids: list[str], content: bytes
) -> Processed:
    """Apply a listings feed's messages in order; the outcome and the processing report."""
    seller_id = seller.selling_partner_id
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        return _fatal(seller_id, feed_id, f"The feed is not valid JSON: {exc}.")
    header = document.get("header") if isinstance(document, dict) else None
    messages = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(header, dict) or header.get("sellerId") != seller_id:
        return _fatal(seller_id, feed_id, "The feed's header.sellerId is not the seller who submitted it.")
    if header.get("version") != "2.0":
        return _fatal(seller_id, feed_id, 'The feed\'s header.version must be "2.0".')
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        return _fatal(seller_id, feed_id, f"The feed must have 1 to {MAX_MESSAGES} messages.")
    markets = markets_of([get_marketplace(m) for m in marketplace_ids])
    issues: list[dict[str, Any]] = []
    invalid = 0
    seen: set[int] = set()
    for message in messages:
        found = _message(store, seller, markets, message, seen)
        if any(i["severity"] == "ERROR" for i in found):
            invalid += 1
        issues += found
    return Processed("DONE", _report(seller_id, feed_id, issues, len(messages), invalid))


def _message(
    store: ListingsStore, seller: Seller, markets: Mapping[str, Market], message: Any, seen: set[int]
) -> list[dict[str, Any]]:
    """One message's issues (none when it was accepted without warnings)."""
    if not isinstance(message, dict):
        return [{"code": MESSAGE_ERROR, "severity": "ERROR", "message": "A message is not a JSON object."}]
    message_id, sku, operation = message.get("messageId"), message.get("sku"), message.get("operationType")
    where: dict[str, Any] = (
        {"messageId": message_id} if isinstance(message_id, int) and message_id >= 1 else {}
    )
    if isinstance(sku, str) and sku:
        where["sku"] = sku
    problem = _malformed(message, message_id, sku, operation, seen)
    if problem:
        return [{**where, "code": MESSAGE_ERROR, "severity": "ERROR", "message": problem}]
    seen.add(message["messageId"])
    submission = _apply(store, seller, markets, message)
    return [_feed_issue(where, issue) for issue in submission.issues]


def _malformed(
    message: dict[str, Any], message_id: Any, sku: Any, operation: Any, seen: set[int]
) -> str | None:
    if isinstance(message_id, bool) or not isinstance(message_id, int) or message_id < 1:
        return "messageId must be a whole number of 1 or more."
    if message_id in seen:
        return f"messageId {message_id} is used by an earlier message of this feed."
    if not isinstance(sku, str) or not sku:
        return "sku is required."
    if operation not in OPERATIONS:
        return f"operationType must be one of {', '.join(OPERATIONS)}."
    if operation != "DELETE" and not isinstance(message.get("productType"), str):
        return f"productType is required for {operation}."
    if operation == "PATCH" and not (isinstance(message.get("patches"), list) and message["patches"]):
        return "PATCH needs one or more patches."
    if operation in ("UPDATE", "PARTIAL_UPDATE") and not (
        isinstance(message.get("attributes"), dict) and message["attributes"]
    ):
        return f"{operation} needs attributes."
    return None


def _apply(
    store: ListingsStore, seller: Seller, markets: Mapping[str, Market], message: dict[str, Any]
) -> Submission:
    sku, operation = message["sku"], message["operationType"]
    if operation == "DELETE":
        deleted = store.delete(seller, sku)
        if deleted is not None:
            return deleted
        issue = Issue(
            UNKNOWN_SKU, f"The SKU '{sku}' does not match any listing of this seller; nothing was deleted."
        )
        return Submission(sku, "INVALID", "", [issue])
    if operation == "UPDATE":
        return store.put(
            seller,
            sku,
            markets,
            message["productType"],
            message["attributes"],
            requirements=str(message.get("requirements", "LISTING")),
        )
    patches = (
        message["patches"]
        if operation == "PATCH"
        else [
            {"op": "replace", "path": f"/attributes/{n}", "value": v}
            for n, v in message["attributes"].items()
        ]
    )
    return store.patch(seller, sku, markets, message["productType"], patches)


def _feed_issue(where: dict[str, Any], issue: Issue) -> dict[str, Any]:
    found = {**where, "code": issue.code, "severity": issue.severity, "message": issue.message}
    if issue.attribute:
        found["attributeName"] = issue.attribute
    return found
