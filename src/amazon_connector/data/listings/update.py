"""Bulk listing updates (prices, stock, attributes) from input records, by patches or by feed, with one
result per record; safe to run again after a crash or a kill.

1. The records are read and checked (``updates``): the ones at fault are refused with their line, the
   rest go on.
2. Patches or a feed: chosen by the number of SKUs and the usage plans (``choose``), or as asked.
3. The run is found again if the latest run had the same input (``submissions``): feeds it created are
   waited for, not created again; records Amazon answered are not sent again (after a finished run,
   none is: every result is reported again from the store), unless ``again``.
4. Each listing's product type is taken from the listing (searchListingsItems, 20 SKUs a call) unless
   the input gives it; a SKU without a listing, and a quantity for a listing Amazon fulfils, are refused
   before sending.
5. The updates go out; every record gets its result.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

from amazon_connector.api.catalog import catalog
from amazon_connector.connections.connection import Connection
from amazon_connector.data.listings import feed as feeds
from amazon_connector.data.listings.amazon import PATCH, Listed, look_up, seller_id
from amazon_connector.data.listings.patching import send
from amazon_connector.data.listings.updates import ListingUpdate, What, parse
from amazon_connector.data.progress import SILENT, Progress
from amazon_connector.data.results import Issue, RecordResult, answer_of, from_answer
from amazon_connector.data.sources import InputRecord
from amazon_connector.data.submissions import FeedPart, Run, Submissions
from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces import Marketplace

Via = Literal["auto", "patches", "feed"]
KIND = "listings"
FEED_TURNAROUND = 300.0
"""Seconds Amazon is assumed to take to process a listings feed (it publishes no figure; feeds wait in
a queue), weighed against the patches' time under their usage plan."""


@dataclass(frozen=True)
class UpdateReport:
    """What a bulk update did: how (``via``) and why, every record's result, the feeds it created or
    found again, those still being processed, and whether it continued an earlier run."""

    via: str
    reason: str
    results: list[RecordResult]
    feeds: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    resumed: bool = False


def parse_via(text: str) -> Via:
    """``auto``, ``patches`` or ``feed``; anything else is a ConfigurationError."""
    if text not in ("auto", "patches", "feed"):
        raise ConfigurationError(
            f"Unknown way to send {text!r}.", field="via", hint="Use auto, patches or feed."
        )
    return cast(Via, text)


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def choose(count: int, via: Via = "auto") -> tuple[str, str]:
    """``patches`` or ``feed`` for ``count`` SKUs, and why: patches while one call per SKU at
    patchListingsItem's usage plan is quicker than a feed's processing, else a feed."""
    operation = catalog().get(PATCH)
    rate, burst = operation.rate or 1.0, operation.burst or 1
    patch_time = max(0, count - burst) / rate
    parts = max(1, math.ceil(count / feeds.MAX_MESSAGES))
    plan = f"patchListingsItem's usage plan ({rate:g} a second, burst {burst})"
    if via != "auto":
        return via, f"{count} SKU(s) by {via}, as asked."
    if patch_time <= FEED_TURNAROUND:
        return "patches", (
            f"{count} SKU(s) by patches: one call each takes at least {_duration(patch_time)} at {plan}, "
            f"less than a feed's processing (about {_duration(FEED_TURNAROUND)})."
        )
    return "feed", (
        f"{count} SKU(s) by feed ({parts} JSON_LISTINGS_FEED{'s' if parts > 1 else ''}): one patch each "
        f"would take at least {_duration(patch_time)} at {plan}; a feed's processing takes about "
        f"{_duration(FEED_TURNAROUND)}."
    )


def _digest(what: What, marketplace: Marketplace, updates: Sequence[ListingUpdate]) -> str:
    """The identity of an input: a rerun of an unfinished run of it continues that run, the way it was
    begun (patches or feed) whatever is asked now, so that nothing is sent twice."""
    identity = [KIND, str(what), marketplace.marketplace_id, [u.identity() for u in updates]]
    return hashlib.sha256(json.dumps(identity, default=str, separators=(",", ":")).encode()).hexdigest()


def _refusal(update: ListingUpdate, listed: Listed | None, marketplace: Marketplace) -> Issue | None:
    """Why an update must not be sent, found from its listing (None: send it)."""
    if listed is None and update.product_type is None:
        return Issue(
            "UNKNOWN_SKU",
            f"SKU {update.sku} has no listing in {marketplace.name}: nothing was sent. Create the listing "
            "first (or give its product_type to send the update anyway).",
        )
    if update.quantity is not None and listed is not None and listed.channel not in (None, "DEFAULT"):
        return Issue(
            "AMAZON_FULFILLED",
            f"SKU {update.sku} is fulfilled by Amazon ({listed.channel}): Amazon counts its stock, and a "
            "quantity would make it merchant-fulfilled. Nothing was sent.",
        )
    return None


class _Updater:
    """One bulk update on one connection."""

    def __init__(self, connection: Connection, progress: Progress) -> None:
        self.connection = connection
        self.marketplace = connection.marketplace
        self.progress = progress
        self.submissions = Submissions(connection.store, connection.clock)

    async def listed(self, updates: Sequence[ListingUpdate]) -> dict[str, Listed]:
        """The listings of the updates that do not name their product type."""
        skus = [u.sku for u in updates if u.product_type is None]
        if not skus:
            return {}
        self.progress.start("Looking up listings", len(skus))
        try:
            return await look_up(
                self.connection, self.marketplace.marketplace_id, skus, self.progress.advance
            )
        finally:
            self.progress.finish()

    # --- patches ---------------------------------------------------------------------------------

    def kept(
        self, updates: Sequence[ListingUpdate], run: Run | None
    ) -> tuple[list[RecordResult], list[ListingUpdate]]:
        """The results the run kept, and the updates it has none for."""
        answered = self.submissions.answers(run.id) if run else {}
        results = [
            from_answer(u.record, u.sku, answered[u.record.line], u.sent())
            for u in updates
            if u.record.line in answered
        ]
        return results, [u for u in updates if u.record.line not in answered]

    async def by_patches(
        self, updates: Sequence[ListingUpdate], run: Run | None
    ) -> tuple[list[RecordResult], bool]:
        """Every update patched (or previewed when ``run`` is None); the results, and whether every
        record is settled."""
        results, waiting = self.kept(updates, run)
        listed = await self.listed(waiting)
        work = []
        for update in waiting:
            found = listed.get(update.sku)
            problem = _refusal(update, found, self.marketplace)
            if problem is None:
                work.append((update, update.product_type or (found.product_type if found else "PRODUCT")))
                continue
            refused = RecordResult(update.record, update.sku, (problem,))
            if run:
                self.submissions.answered(run.id, update.record.line, answer_of(refused))
            results.append(refused)

        def keep(update: ListingUpdate, result: RecordResult) -> None:
            if run:
                self.submissions.answered(run.id, update.record.line, answer_of(result))

        self.progress.start("Previewing" if run is None else "Patching", len(work))
        try:
            sent = await send(
                self.connection, work, preview=run is None, settled=keep, advance=self.progress.advance
            )
        finally:
            self.progress.finish()
        results += [result for result, _ in sent]
        return results, all(settled for _, settled in sent)

    # --- feeds -----------------------------------------------------------------------------------

    async def by_feed(
        self, updates: Sequence[ListingUpdate], run: Run, wait: bool | float
    ) -> tuple[list[RecordResult], list[str], list[str]]:
        """Every part of the input submitted as a feed once, waited for, its report read; the results,
        the feed IDs, and those still being processed."""
        recorded = self.submissions.feeds(run.id)
        seller = seller_id(self.connection)
        results: list[RecordResult] = []
        submitted: list[FeedPart] = []
        for number, part in enumerate(feeds.split(updates, self.marketplace)):
            found = recorded.get(number)
            if found is None:
                listed = await self.listed(part)
                prepared = feeds.prepare(
                    part, listed, self.marketplace, seller, lambda u, f: _refusal(u, f, self.marketplace)
                )
                if not prepared.lines:
                    results += [
                        RecordResult(u.record, u.sku, (prepared.refused[u.record.line],)) for u in part
                    ]
                    continue
                found = await feeds.submit(self.connection, self.submissions, run.id, number, prepared)
                self.progress.note(f"Submitted feed {found.feed_id} ({len(prepared.lines)} messages).")
            elif found.feed_id is None:
                found = await feeds.recover(self.connection, self.submissions, found)
                self.progress.note(f"Found feed {found.feed_id} again (its submission was not recorded).")
            else:
                self.progress.note(f"Feed {found.feed_id} was submitted before; not sending it again.")
            submitted.append(found)
        by_line = {u.record.line: u for u in updates}
        clock = self.connection.clock
        until = None if wait is True else clock.monotonic() + (0.0 if wait is False else float(wait))
        pending = []
        for sent in submitted:
            assert sent.feed_id is not None
            if sent.status in feeds.FINAL:
                state: Mapping[str, object] = {
                    "processingStatus": sent.status,
                    "resultFeedDocumentId": sent.result_document_id,
                }
            else:
                self.progress.note(f"Waiting for feed {sent.feed_id}.")
                state = await feeds.wait(self.connection, sent.feed_id, until)
                status = str(state.get("processingStatus"))
                if status not in feeds.FINAL:
                    pending.append(sent.feed_id)
                    continue
                document = state.get("resultFeedDocumentId")
                self.submissions.feed_status(run.id, sent.part, status, str(document) if document else None)
                self.progress.note(f"Feed {sent.feed_id}: {status}.")
            document = state.get("resultFeedDocumentId")
            report = await feeds.processing_report(self.connection, str(document)) if document else None
            results += feeds.results(
                sent,
                state,
                report,
                lambda line: (by_line[line].record, by_line[line].sku, by_line[line].sent()),
            )
        return results, [p.feed_id for p in submitted if p.feed_id], pending


async def aupdate_listings(
    connection: Connection,
    records: Iterable[InputRecord],
    what: What,
    *,
    via: Via = "auto",
    dry_run: bool = False,
    wait: bool | float = True,
    again: bool = False,
    progress: Progress = SILENT,
) -> UpdateReport:
    """Update listings from input records (see the module's steps); ``dry_run`` previews every update
    with Amazon's validation and changes nothing; ``wait``: wait for feeds until they end (True), at
    most so many seconds, or not at all (False; a rerun collects the results); ``again``: send an
    input sent already again (a fresh run)."""
    if via not in ("auto", "patches", "feed"):
        raise ConfigurationError(
            f"Unknown way to send {via!r}.", field="via", hint="Use auto, patches or feed."
        )
    updater = _Updater(connection, progress)
    updates, refusals = parse(records, what, updater.marketplace)
    seller_id(connection)
    if dry_run:
        reason = (
            f"{len(updates)} SKU(s) previewed with Amazon's validation (VALIDATION_PREVIEW); nothing changes."
        )
        progress.note(reason)
        previewed, _ = await updater.by_patches(updates, None)
        return UpdateReport("preview", reason, refusals + previewed)
    chosen, reason = choose(len(updates), via)
    progress.note(reason)
    if not updates:
        return UpdateReport(chosen, reason, refusals)
    digest = _digest(what, updater.marketplace, updates)
    run = updater.submissions.start(connection.record.id, KIND, digest, chosen, again=again)
    if run.note:
        progress.note(run.note)
        chosen = run.via
    if run.finished_at is not None:
        kept, waiting = updater.kept(updates, run)
        if not waiting:  # (a feed run finished before its answers were kept reads its reports again)
            feeds_of = updater.submissions.feeds(run.id)
            feed_ids = [f.feed_id for _, f in sorted(feeds_of.items()) if f.feed_id]
            return UpdateReport(chosen, reason, refusals + kept, feed_ids, [], True)
    if chosen == "feed":
        results, feed_ids, pending = await updater.by_feed(updates, run, wait)
        done = not pending
    else:
        results, done = await updater.by_patches(updates, run)
        feed_ids, pending = [], []
    if done:
        updater.submissions.finish(run.id, {r.record.line: answer_of(r) for r in results})
    return UpdateReport(chosen, reason, refusals + results, feed_ids, pending, run.resumed)


def update_listings(
    connection: Connection,
    records: Iterable[InputRecord],
    what: What,
    *,
    via: Via = "auto",
    dry_run: bool = False,
    wait: bool | float = True,
    again: bool = False,
    progress: Progress = SILENT,
) -> UpdateReport:
    """The blocking form of ``aupdate_listings`` (it runs it on an event loop of its own)."""
    return asyncio.run(
        aupdate_listings(
            connection, records, what, via=via, dry_run=dry_run, wait=wait, again=again, progress=progress
        )
    )
