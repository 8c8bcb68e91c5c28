"""Report and feed documents at Amazon's presigned URLs: downloaded as a stream, uploaded whole.

A download is one streaming plan (``document_plan``, run by ``http.drivers.stream`` or ``astream``):
getReportDocument or getFeedDocument (with a Restricted Data Token for restricted report types, by the
caller), then the presigned URL read a piece at a time, gunzipped on the fly (``compressionAlgorithm:
GZIP`` or ``Content-Encoding: gzip``) unless the raw bytes are asked for. A transfer that fails midway
resumes where it stopped with a ``Range`` request (``If-Match`` the ETag, so a changed document is not
spliced), after the connection's retry wait; a URL that expired (valid 5 minutes) is asked for again.
Memory holds one piece at a time, whatever the document's size.
"""

from __future__ import annotations

import io
import re
import threading
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from amazon_connector.errors import ApiError, DocumentError, TransportError
from amazon_connector.http.clients import Streamed
from amazon_connector.http.drivers import Abandoned, Emit, Plan, StreamPlan
from amazon_connector.http.effects import CloseBody, Open, ReadChunk, Send
from amazon_connector.runtime.caller import Caller
from amazon_connector.runtime.charsets import Transcoder, choose_charset
from amazon_connector.runtime.decisions import RETRIED_STATUSES, Attempts, backoff

DocumentKind = Literal["report", "feed"]
UPLOAD = "feed document upload"
_LOCATE = {"report": ("getReportDocument", "reportDocumentId"), "feed": ("getFeedDocument", "feedDocumentId")}
NEW_URLS = 3
"""Times an expired URL is asked for again during one download."""
ERROR_BODY = 4096
"""Bytes of an error answer kept for its message."""
FILE_BUFFER = 1 << 20
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True, slots=True)
class DocumentHead:
    """What is known of a document before its first byte: emitted first by ``document_plan``."""

    document_id: str
    kind: DocumentKind
    content_type: str
    """As the document's URL serves it (its ``charset`` names the text's encoding)."""
    compressed: bool
    """Stored gzipped (and decompressed on the way unless the raw bytes were asked for)."""
    size: int | None
    """Bytes to transfer (as stored), when the answer says."""


class Gunzip:
    """gzip undone a piece at a time (several members one after another too); ``finish`` says whether
    the stream was complete."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._inflater = zlib.decompressobj(31)
        self._started = False

    def feed(self, data: bytes) -> bytes:
        out = []
        while data:
            if self._inflater.eof:  # another member follows
                self._inflater = zlib.decompressobj(31)
            try:
                out.append(self._inflater.decompress(data))
            except zlib.error as exc:
                raise DocumentError(f"{self.name} is not valid gzip: {exc}.", delivered=True) from None
            self._started = True
            data = self._inflater.unused_data if self._inflater.eof else b""
        return b"".join(out)

    def finish(self) -> bytes:
        if self._started and not self._inflater.eof:
            raise DocumentError(
                f"{self.name} ends before its gzip stream does: it was cut short.",
                delivered=True,
                hint="Download it again.",
            )
        return b""


def _transfer_plan(caller: Caller, request: httpx.Request, service: str) -> Plan[httpx.Response]:
    """Send a presigned-URL request (idempotent: GET or PUT), retrying failures and 5xx answers."""
    attempts = Attempts(deadline=caller.clock.monotonic() + caller.policy.deadline)
    while True:
        failure: TransportError | None = None
        try:
            response: httpx.Response = yield Send(request, service, caller.http)
        except TransportError as exc:
            failure, reason = exc, f"{service}: {exc.message}"
        else:
            if response.status_code not in RETRIED_STATUSES:
                break
            reason = f"{service}: HTTP {response.status_code}"
        retry = backoff(
            attempts, caller.policy, now=caller.clock.monotonic(), draw=caller.rng.random(), reason=reason
        )
        if retry is None:
            if failure is not None:
                raise failure
            break
        attempts = retry.attempts
        yield from caller.pause(retry)
    if not response.is_success:
        raise ApiError(
            f"The {service} failed with HTTP {response.status_code}: {response.text[:200]}",
            status=response.status_code,
            headers=response.headers,
            operation=service,
            hint="The document URL is valid for 5 minutes; ask for the document again.",
        )
    return response


def _located(
    caller: Caller, kind: DocumentKind, document_id: str, restricted: bool
) -> Plan[tuple[str, bool]]:
    """The document's presigned URL (new each time) and whether it is stored gzipped."""
    operation, parameter = _LOCATE[kind]
    answer = yield from caller.plan(operation, {parameter: document_id}, rdt_first=restricted)
    info = answer.data if isinstance(answer.data, dict) else {}
    return str(info.get("url", "")), info.get("compressionAlgorithm") == "GZIP"


def _error_body(body: Streamed) -> Plan[bytes]:
    """The first bytes of an error answer (its message), then the answer closed."""
    kept = b""
    try:
        while len(kept) < ERROR_BODY and (piece := (yield ReadChunk(body))):
            kept += piece
    except TransportError:
        pass
    yield CloseBody(body)
    return kept[:ERROR_BODY]


def _total(response: httpx.Response, received: int) -> int | None:
    """The document's size as the answer tells it: Content-Range's total, or Content-Length."""
    if response.status_code == 206:
        found = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
        if found is None or int(found.group(1)) != received:
            raise TransportError(
                f"The document's server answered a range other than the one asked for "
                f"({response.headers.get('content-range')!r}, from byte {received}).",
                delivered=True,
            )
        return int(found.group(3)) if found.group(3) != "*" else None
    length = response.headers.get("content-length")
    return int(length) if length and length.isdigit() else None


def document_plan(
    caller: Caller,
    document_id: str,
    *,
    kind: DocumentKind = "report",
    raw: bool = False,
    restricted: bool = False,
) -> StreamPlan[DocumentHead | bytes]:
    """A document as a stream: its DocumentHead first, then its bytes a piece at a time (decompressed
    unless ``raw``), resumed with ranges when the transfer fails midway. ``restricted``: a restricted
    report type's document, located with its RDT from the start."""
    service = f"{kind} document download"
    name = f"The {kind} document {document_id}"
    url, compressed = yield from _located(caller, kind, document_id, restricted)
    attempts = Attempts(deadline=caller.clock.monotonic() + caller.policy.deadline)
    received, total, etag = 0, None, None
    head: DocumentHead | None = None
    gunzip: Gunzip | None = None
    new_urls = 0
    body: Streamed | None = None
    try:
        while True:
            headers = (
                {"Range": f"bytes={received}-", **({"If-Match": etag} if etag else {})} if received else {}
            )
            failure: TransportError | None = None
            try:
                body = yield Open(httpx.Request("GET", url, headers=headers), service, caller.http)
                response = body.response
                status = response.status_code
                if status == 403 and new_urls < NEW_URLS:
                    message = yield from _error_body(body)
                    body = None
                    if b"expired" not in message.lower():
                        raise _refused(service, response, message)
                    new_urls += 1
                    url, compressed = yield from _located(caller, kind, document_id, restricted)
                    continue
                if status in RETRIED_STATUSES:
                    yield from _error_body(body)
                    body = None
                    raise TransportError(f"The {service} answered HTTP {status}.", delivered=True)
                if status == 412:
                    yield from _error_body(body)
                    body = None
                    raise DocumentError(
                        f"{name} changed while it was downloaded.", delivered=True, hint="Download it again."
                    )
                if status not in (200, 206):
                    message = yield from _error_body(body)
                    body = None
                    raise _refused(service, response, message)
                skip = received if status == 200 else 0  # a server that ignored the range: from the start
                total = _total(response, received) if status == 206 else (_total(response, 0) or total)
                if head is None:
                    etag = response.headers.get("etag")
                    compressed = compressed or response.headers.get("content-encoding", "").lower() == "gzip"
                    head = DocumentHead(
                        document_id, kind, response.headers.get("content-type", ""), compressed, total
                    )
                    gunzip = Gunzip(name) if compressed and not raw else None
                    yield Emit(head)
                while piece := (yield ReadChunk(body)):
                    if skip:
                        dropped = min(skip, len(piece))
                        piece, skip = piece[dropped:], skip - dropped
                        if not piece:
                            continue
                    received += len(piece)
                    data = gunzip.feed(piece) if gunzip is not None else piece
                    if data:
                        yield Emit(data)
                yield CloseBody(body)
                body = None
                if total is not None and received < total:
                    raise TransportError(f"{name} ended after {received} of {total} bytes.", delivered=True)
            except DocumentError:
                raise
            except TransportError as exc:
                failure = exc
            if failure is None:
                break
            if body is not None:
                yield CloseBody(body)
                body = None
            reason = f"{service} stopped after {received} bytes: {failure.message}"
            retry = backoff(
                attempts, caller.policy, now=caller.clock.monotonic(), draw=caller.rng.random(), reason=reason
            )
            if retry is None:
                raise failure
            attempts = retry.attempts
            yield from caller.pause(retry)
        if gunzip is not None:
            gunzip.finish()
    except Abandoned:
        if body is not None:
            yield CloseBody(body)
        return


def _refused(service: str, response: httpx.Response, message: bytes) -> ApiError:
    return ApiError(
        f"The {service} failed with HTTP {response.status_code}: "
        f"{message.decode('utf-8', errors='replace')[:200]}",
        status=response.status_code,
        headers=response.headers,
        operation=service,
        hint="The document URL is valid for 5 minutes; ask for the document again.",
    )


class DocumentReader:
    """A document being downloaded (``document_plan`` run by ``stream``): its ``head``, then its bytes by
    iterating, or as a file object of its text in UTF-8 (``text``). Close it (or use ``with``) to stop
    early; nothing more is downloaded than is read, give or take a piece. It may be read on another
    thread than the one closing it (pyarrow's CSV reader reads ahead on its own): closing waits for the
    piece being read."""

    def __init__(self, pieces: Iterator[DocumentHead | bytes]) -> None:
        self._pieces = pieces
        self._lock = threading.RLock()
        self._closed = False
        first = next(pieces)
        assert isinstance(first, DocumentHead)
        self.head = first

    def __iter__(self) -> Iterator[bytes]:
        while True:
            with self._lock:
                if self._closed:
                    raise ValueError(f"The {self.head.kind} document {self.head.document_id} is closed.")
                piece = next(self._pieces, None)
            if piece is None:
                return
            assert isinstance(piece, bytes)
            yield piece

    def text(self, encoding: str | None = None, fallback: str | None = None) -> io.BufferedReader:
        """The document's text as UTF-8 bytes (a binary file object): read in ``encoding`` if given,
        else its Content-Type's charset, else ``fallback`` (the marketplace's), else UTF-8; a
        byte-order mark overrides all but ``encoding``. Bytes that do not decode: DocumentDecodeError."""
        charset = choose_charset(encoding, self.head.content_type, fallback)
        name = f"The {self.head.kind} document {self.head.document_id}"
        return _file(transcoded(iter(self), Transcoder(charset, name=name)))

    def file(self) -> io.BufferedReader:
        """The document's bytes as a binary file object (as they are, gunzipped)."""
        return _file(iter(self))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            close = getattr(self._pieces, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> DocumentReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncDocumentReader:
    """The async twin of DocumentReader: ``await open()`` (or ``async with``) reads the head, then
    ``async for`` gives its bytes and ``text()`` its text as UTF-8 pieces."""

    def __init__(self, pieces: AsyncIterator[DocumentHead | bytes]) -> None:
        self._pieces = pieces
        self.head: DocumentHead | None = None

    async def open(self) -> AsyncDocumentReader:
        if self.head is None:
            first = await anext(self._pieces)
            assert isinstance(first, DocumentHead)
            self.head = first
        return self

    async def __aiter__(self) -> AsyncIterator[bytes]:
        await self.open()
        async for piece in self._pieces:
            assert isinstance(piece, bytes)
            yield piece

    async def text(self, encoding: str | None = None, fallback: str | None = None) -> AsyncIterator[bytes]:
        await self.open()
        assert self.head is not None
        charset = choose_charset(encoding, self.head.content_type, fallback)
        transcoder = Transcoder(charset, name=f"The {self.head.kind} document {self.head.document_id}")
        async for piece in self:
            if out := transcoder.feed(piece):
                yield out
        if out := transcoder.finish():
            yield out  # (the sync twin: ``transcoded``)

    async def aclose(self) -> None:
        aclose = getattr(self._pieces, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> AsyncDocumentReader:
        return await self.open()

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


def transcoded(pieces: Iterator[bytes], transcoder: Transcoder) -> Iterator[bytes]:
    """``pieces`` of text in some charset as UTF-8 pieces."""
    for piece in pieces:
        if out := transcoder.feed(piece):
            yield out
    if out := transcoder.finish():
        yield out


def _file(pieces: Iterator[bytes]) -> io.BufferedReader:
    return io.BufferedReader(_Pieces(pieces), buffer_size=FILE_BUFFER)


class _Pieces(io.RawIOBase):
    """A raw file object reading from an iterator of pieces of bytes."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._pending = memoryview(piece)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def upload_plan(caller: Caller, content: bytes, content_type: str) -> Plan[str]:
    """createFeedDocument, then the upload; the feedDocumentId to give createFeed."""
    answer = yield from caller.plan("createFeedDocument", {"body": {"contentType": content_type}})
    info = answer.data if isinstance(answer.data, dict) else {}
    request = httpx.Request(
        "PUT", str(info.get("url", "")), content=content, headers={"Content-Type": content_type}
    )
    yield from _transfer_plan(caller, request, UPLOAD)
    return str(info["feedDocumentId"])
