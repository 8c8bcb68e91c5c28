"""`amazon-connector feeds submit | status | results`: listing updates as JSON_LISTINGS_FEED, and any
feed's state and per-message results."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from amazon_connector import exit_codes
from amazon_connector.cli import bulk
from amazon_connector.cli.bulk import Again, Connection, Encoding, Errors, Query, Results, SourceArgument
from amazon_connector.cli.context import Quiet, console, state
from amazon_connector.cli.listings import Timeout, Wait, run_update
from amazon_connector.data import Column, RecordSet, open_destination
from amazon_connector.data.listings.feed import FEED_TYPE, afeed_results
from amazon_connector.data.listings.updates import What
from amazon_connector.data.results import ResultFiles

app = typer.Typer(no_args_is_help=True, help="Listing updates by feed; feeds' state and results.")

FEEDS = RecordSet(
    "feeds",
    [
        Column("feed_id", "string"),
        Column("feed_type", "string"),
        Column("status", "string", doc="IN_QUEUE, IN_PROGRESS, DONE, CANCELLED or FATAL."),
        Column("created", "timestamp"),
        Column("started", "timestamp"),
        Column("ended", "timestamp"),
        Column("result_document_id", "string", doc="The processing report's feedDocumentId."),
    ],
    primary_key=["feed_id"],
)


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def _row(feed: dict[str, Any]) -> dict[str, Any]:
    return {
        "feed_id": feed.get("feedId"),
        "feed_type": feed.get("feedType"),
        "status": feed.get("processingStatus"),
        "created": _time(feed.get("createdTime")),
        "started": _time(feed.get("processingStartTime")),
        "ended": _time(feed.get("processingEndTime")),
        "result_document_id": feed.get("resultFeedDocumentId"),
    }


@app.command("submit")
def submit(
    ctx: typer.Context,
    source: SourceArgument = None,
    connection: Connection = ...,  # type: ignore[assignment]
    query: Query = None,
    encoding: Encoding = None,
    results: Results = None,
    errors: Errors = None,
    wait: Wait = True,
    timeout: Timeout = None,
    quiet: Quiet = False,
    again: Again = False,
) -> None:
    """Send the listing updates of a SOURCE (as `listings update`) by JSON_LISTINGS_FEED, whatever their
    number; a rerun of the same input finds its feeds again instead of submitting them twice."""
    run_update(
        ctx, What.LISTINGS, source, connection=connection, query=query, encoding=encoding, via="feed",
        dry_run=False, results=results, errors=errors, wait=wait, timeout=timeout, quiet=quiet, again=again,
    )  # fmt: skip


@app.command("status")
def status(
    ctx: typer.Context,
    feed_ids: Annotated[
        list[str] | None, typer.Argument(help="Feed IDs (default: the recent listings feeds).")
    ] = None,
    connection: Connection = ...,  # type: ignore[assignment]
    feed_type: Annotated[str, typer.Option(help="The feed type listed without IDs.")] = FEED_TYPE,
    output: Annotated[str, typer.Option("--output", "-o", help="Where the rows go (- for a table).")] = "-",
) -> None:
    """The state of feeds: the given IDs (getFeed), or the connection's recent ones of a type (getFeeds)."""
    conn = state(ctx).connections().get(connection)
    if feed_ids:
        found = [conn.call("feeds/2021-06-30/getFeed", feedId=feed_id).data for feed_id in feed_ids]
    else:
        found = list(
            conn.call(
                "feeds/2021-06-30/getFeeds",
                feedTypes=[feed_type],
                marketplaceIds=[conn.marketplace.marketplace_id],
                pageSize=100,
            )
        )
    with open_destination(output, FEEDS) as destination:
        destination.write(FEEDS, (_row(f) for f in found))


@app.command("results")
def results(
    ctx: typer.Context,
    feed_id: Annotated[str, typer.Argument(help="The feed ID.")],
    connection: Connection = ...,  # type: ignore[assignment]
    results: Annotated[str, typer.Option(help="Where every message's result goes (- for a table).")] = "-",
    errors: Annotated[str, typer.Option(help="Where the refused messages go.")] = "feed-errors.csv",
    quiet: Quiet = False,
) -> None:
    """A JSON_LISTINGS_FEED's processing report, one result per message (joined to the input's lines
    when this connection submitted the feed); exit 3 when any message was refused, 5 while the feed is
    still being processed."""
    conn = state(ctx).connections().get(connection)
    with ResultFiles(results, errors) as files:
        feed, found = asyncio.run(afeed_results(conn, feed_id))
        if not found:
            console.print(
                f"Feed {escape(feed_id)} is {feed.get('processingStatus')}: no results yet.", soft_wrap=True
            )
            raise typer.Exit(exit_codes.UNFINISHED)
        bulk.finish(files, found, shown=(results, errors), object_name="listings", quiet=quiet)
