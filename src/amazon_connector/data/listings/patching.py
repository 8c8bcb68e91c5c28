"""Listing updates one SKU at a time with patchListingsItem (or its ``VALIDATION_PREVIEW``), many in
flight, paced by the runtime to the operation's usage plan; each answer kept as soon as it comes.

An answer that settles a record (ACCEPTED, INVALID with Amazon's issues as the catalog's rule for the
operation reads them, or a 4xx refusal of the request) is recorded; a record without one (no answer, a
server error after the retries) is not, so that a rerun sends it again and nothing else. A 401 or 403
stops the whole run: the credentials, not the records, are at fault.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from amazon_connector.api.catalog import catalog
from amazon_connector.connections.connection import Connection
from amazon_connector.data.calls import Unanswered, answer_issues, answered, gather_limited
from amazon_connector.data.listings.amazon import PATCH, seller_id
from amazon_connector.data.listings.updates import ListingUpdate, patches
from amazon_connector.data.results import RecordResult


async def send(
    connection: Connection,
    work: Sequence[tuple[ListingUpdate, str]],
    *,
    preview: bool,
    settled: Callable[[ListingUpdate, RecordResult], None],
    advance: Callable[[int], None],
) -> list[tuple[RecordResult, bool]]:
    """Patch each (update, product type); each result with whether it is settled (``settled`` is told at
    once, in a worker thread, to record it)."""
    seller, marketplace = seller_id(connection), connection.marketplace
    operation = catalog().get(PATCH)
    via = "preview" if preview else "patch"

    async def one(item: tuple[ListingUpdate, str]) -> tuple[RecordResult, bool]:
        update, product_type = item
        answer = await answered(
            connection.acall(
                PATCH,
                sellerId=seller,
                sku=update.sku,
                marketplaceIds=[marketplace.marketplace_id],
                includedData=["issues"],
                mode="VALIDATION_PREVIEW" if preview else None,
                body={"productType": product_type, "patches": patches(update, marketplace)},
            )
        )
        if isinstance(answer, Unanswered):
            result = RecordResult(
                update.record,
                update.sku,
                answer.issues,
                via,
                request_id=answer.request_id,
                sent=update.sent(),
            )
            is_settled = answer.settled
        else:
            data = answer.data if isinstance(answer.data, dict) else {}
            result = RecordResult(
                update.record,
                update.sku,
                answer_issues(operation, data),
                via,
                reference=f"submission {data['submissionId']}" if data.get("submissionId") else None,
                request_id=answer.request_id,
                sent=update.sent(),
            )
            is_settled = True
        if is_settled:
            await asyncio.to_thread(settled, update, result)
        advance(1)
        return result, is_settled

    return await gather_limited(work, one)
