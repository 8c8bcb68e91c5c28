"""Documents streamed from the emulator's presigned URLs (sync and async): gunzipped on the fly, raw
on request, a dropped transfer resumed with a Range request, an expired URL asked for again, a document
that changed refused, an early stop releasing the connection."""

import asyncio
import gzip
import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from amazon_connector import Connections
from amazon_connector.clock import ManualClock
from amazon_connector.errors import DocumentError
from amazon_connector.runtime.documents import DocumentHead, DocumentReader
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.conftest import app_settings, seller_in

ROWS = 40_000
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"


@pytest.fixture
def emulator(emulator_clock: ManualClock) -> Iterator[RunningEmulator]:
    with running_emulator(demo_world(), clock=emulator_clock, report_rows=ROWS) as running:
        yield running


@pytest.fixture
def connection(home, emulator, emulator_clock) -> Iterator[Any]:
    app = next(a for a in emulator.world.credentials() if a["name"] == "Demo Private App (restricted)")
    with Connections.open(home=home, clock=emulator_clock) as lib:
        yield lib.add(
            "de",
            country="DE",
            mode="restricted",
            refresh_token=seller_in(app, "DE")["refresh_token"],
            advanced={"extended_logging": True, "retry_wait": 1},
            **app_settings(app, emulator),
        )


def document_of(connection, emulator, clock) -> tuple[str, bytes]:
    """A listings report's document ID and its bytes as stored (gzip)."""
    body = {"reportType": LISTINGS, "marketplaceIds": [connection.marketplace.marketplace_id]}
    report_id = connection.call("createReport", body=body).data["reportId"]
    clock.advance(60)
    document_id = connection.call("getReport", reportId=report_id).data["reportDocumentId"]
    stored = emulator.sandbox.documents.find(document_id)
    return document_id, stored.path.read_bytes()


def cut(emulator, document_id: str, after: int) -> None:
    httpx.post(
        f"{emulator.url}/_sandbox/documents/{document_id}/cut", json={"after": after}
    ).raise_for_status()


def test_a_document_streams_gunzipped_and_raw_as_stored(connection, emulator, emulator_clock):
    document_id, stored = document_of(connection, emulator, emulator_clock)
    with connection.open_document(document_id) as document:
        assert document.head.compressed
        assert document.head.size == len(stored)
        assert document.head.content_type == "text/plain;charset=windows-1252"
        pieces = list(document)
    assert len(pieces) > 1
    assert b"".join(pieces) == gzip.decompress(stored)
    with connection.open_document(document_id, raw=True) as document:
        assert b"".join(document) == stored
    text = connection.open_document(document_id).text().read().decode()
    assert text == gzip.decompress(stored).decode("cp1252")
    assert text.count("\n") == ROWS + 1


def test_a_transfer_dropped_midway_resumes_with_a_range(connection, emulator, emulator_clock, caplog):
    document_id, stored = document_of(connection, emulator, emulator_clock)
    cut(emulator, document_id, len(stored) // 2)
    with (
        caplog.at_level(logging.DEBUG, logger="amazon_connector"),
        connection.open_document(document_id) as document,
    ):
        content = b"".join(document)
    assert content == gzip.decompress(stored)
    assert f"'range': 'bytes={len(stored) // 2}-'" in caplog.text
    assert "if-match" in caplog.text
    assert "stopped after" in caplog.text  # the retry was logged with why


def test_an_expired_url_is_asked_for_again(connection, emulator, emulator_clock):
    document_id, stored = document_of(connection, emulator, emulator_clock)
    stats = emulator.sandbox.stats
    asked = stats.count("reports/2021-06-30/getReportDocument")
    cut(emulator, document_id, len(stored) // 2)
    with connection.open_document(document_id, raw=True) as document:
        pieces = iter(document)
        first = next(pieces)
        emulator_clock.advance(301)  # the URL (5 minutes) expires before the transfer is resumed
        content = first + b"".join(pieces)
    assert content == stored
    assert stats.count("reports/2021-06-30/getReportDocument") == asked + 2


def test_a_document_that_changes_during_the_download_is_refused(connection, emulator, emulator_clock):
    document_id, stored = document_of(connection, emulator, emulator_clock)
    cut(emulator, document_id, len(stored) // 2)
    documents = emulator.sandbox.documents
    with connection.open_document(document_id, raw=True) as document:
        pieces = iter(document)
        next(pieces)
        documents.write(documents.find(document_id), [b"another document"])
        with pytest.raises(DocumentError, match="changed while it was downloaded"):
            b"".join(pieces)


def test_stopping_early_releases_the_transfer(connection, emulator, emulator_clock):
    document_id, _ = document_of(connection, emulator, emulator_clock)
    for _ in range(3):  # a connection left half read would not be reused for the next call
        with connection.open_document(document_id) as document:
            next(iter(document))
    assert connection.call("getReportDocument", reportDocumentId=document_id).status == 200


def test_async_documents_stream_resume_and_stop_early(connection, emulator, emulator_clock):
    document_id, stored = document_of(connection, emulator, emulator_clock)
    cut(emulator, document_id, len(stored) // 3)

    async def read() -> tuple[bytes, str, bytes]:
        async with connection.aopen_document(document_id) as document:
            content = b"".join([piece async for piece in document])
        text = b"".join([piece async for piece in connection.aopen_document(document_id).text()])
        async with connection.aopen_document(document_id) as document:
            first = await anext(aiter(document))
        return content, text.decode(), first

    content, text, first = asyncio.run(read())
    assert content == gzip.decompress(stored)
    assert text == content.decode("cp1252")
    assert first
    assert asyncio.run(connection.adownload_document(document_id)) == content


def test_feed_result_documents_stream_the_same_way(connection, emulator_clock):
    feed_document = connection.upload_document(
        b"sku\tquantity\nA-1\t5\n", "text/tab-separated-values; charset=UTF-8"
    )
    body = {
        "feedType": "POST_FLAT_FILE_INVLOADER_DATA",
        "marketplaceIds": [connection.marketplace.marketplace_id],
        "inputFeedDocumentId": feed_document,
    }
    feed_id = connection.call("createFeed", body=body).data["feedId"]
    emulator_clock.advance(60)
    result = connection.call("getFeed", feedId=feed_id).data["resultFeedDocumentId"]
    with connection.open_document(result, kind="feed") as document:
        assert document.head.kind == "feed"
        text = document.text().read().decode()
    assert "Number of records processed\t\t1" in text


def test_closing_waits_for_a_piece_another_thread_is_reading():
    """pyarrow's CSV reader reads ahead on a thread of its own: a document closed meanwhile (a destination
    failed) waits for that piece, then ends the download, instead of failing ("generator already
    executing"); a read after the close is an error, never a silent end of the document."""
    entered, release = threading.Event(), threading.Event()

    def pieces() -> Iterator[Any]:
        yield DocumentHead("doc", "report", "text/plain;charset=UTF-8", compressed=False, size=None)
        yield b"item-name\n"
        entered.set()
        release.wait()
        yield b"a row\n"

    document = DocumentReader(pieces())
    text = document.text()
    text.read(1)
    read: list[Any] = []
    failures: list[BaseException] = []

    def read_on() -> None:
        try:
            read.append(text.read())
        except ValueError as exc:
            read.append(exc)

    def close() -> None:
        try:
            document.close()
        except BaseException as exc:  # what the test looks for
            failures.append(exc)

    reading = threading.Thread(target=read_on)
    reading.start()
    entered.wait()
    closing = threading.Thread(target=close)
    closing.start()
    closing.join(timeout=0.5)
    assert closing.is_alive(), failures  # waiting for the piece being read, not failing under it
    release.set()
    closing.join()
    reading.join()
    assert not failures
    assert read == [b"tem-name\na row\n"] or "is closed" in str(read[0])  # the rest, or told it closed
    with pytest.raises(ValueError, match="closed"):
        list(document)
