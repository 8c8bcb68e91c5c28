"""Report and feed documents, as Amazon keeps them in S3: fetched and uploaded through presigned URLs.

A presigned URL needs no SP-API token; it names one document and one method, and it expires after 5
minutes on the clock. An upload URL also fixes the Content-Type, as S3's signature does. ``ROUTES``
serve the URLs (download and upload).

Documents live in files of a temporary folder (removed when the emulator stops), so a document of any
size costs no memory: a download streams the file, a single byte range (``Range: bytes=N-``, as S3
answers it, with ``ETag`` and ``If-Match``) included. A document being written is not ready yet; its
report stays IN_PROGRESS until it is.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import re
import secrets
import shutil
import tempfile
import threading
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from amazon_connector.clock import Clock

URL_LIFETIME = timedelta(minutes=5)
PATH = "/_s3/documents"
CHUNK = 1024 * 1024
"""Bytes read from a document's file per piece of an answer."""
GZIP_LEVEL = 6
"""zlib's default level, as Amazon's (Java's) gzip streams use."""
_RANGE = re.compile(r"bytes=(\d*)-(\d*)\Z")


@dataclass(slots=True)
class Document:
    """A document's bytes, as stored (gzipped when ``gzip``), in a file once uploaded or written."""

    document_id: str
    selling_partner_id: str
    content_type: str
    gzip: bool = False
    path: Path | None = None
    size: int = 0
    uploaded_at: datetime | None = None
    uploads: int = 0
    ready: threading.Event = field(default_factory=threading.Event, repr=False)
    cuts: list[int] = field(default_factory=list, repr=False)
    """Downloads still to be cut short: each the number of bytes sent before the connection drops."""

    @property
    def content(self) -> bytes | None:
        """The stored bytes (for small documents: feeds and their results), or None before any."""
        if self.path is None or not self.ready.is_set():
            return None
        return self.path.read_bytes()

    @property
    def etag(self) -> str:
        return f'"{hashlib.md5(f"{self.document_id}:{self.uploads}:{self.size}".encode(), usedforsecurity=False).hexdigest()}"'


def _signed(*parts: str) -> str:
    return "\n".join(parts)


def _ahead(chunks: Iterable[bytes], depth: int = 8) -> Iterator[bytes]:
    """``chunks``, made on a thread of their own up to ``depth`` ahead (so making a document and
    compressing it use two cores; zlib lets go of the GIL)."""
    ready: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=depth)

    def make() -> None:
        try:
            for chunk in chunks:
                ready.put(chunk)
        except BaseException as exc:  # handed to the consumer
            ready.put(exc)
        else:
            ready.put(None)

    threading.Thread(target=make, name="document maker", daemon=True).start()
    while (item := ready.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item


def _gzipped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` as one gzip member, compressed as they come (no timestamp: the same bytes each time)."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    for chunk in _ahead(chunks):
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


class Documents:
    """Every document, by ID, and the presigned URLs to them."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._documents: dict[str, Document] = {}
        self._lock = threading.Lock()
        self._folder = tempfile.TemporaryDirectory(prefix="amazon-connector-emulator-")
        self._writing = 0

    def create(
        self,
        prefix: str,
        selling_partner_id: str,
        content_type: str,
        content: bytes | None = None,
        *,
        gzip_content: bool = False,
    ) -> Document:
        """A new document with an ID of ``prefix`` and a UUID; ``content`` is stored gzipped if asked."""
        document = Document(f"{prefix}.{uuid.uuid4()}", selling_partner_id, content_type, gzip_content)
        with self._lock:
            self._documents[document.document_id] = document
        if content is not None:
            self.write(document, [content])
        return document

    def write(self, document: Document, chunks: Iterable[bytes]) -> None:
        """Store the document's content (gzipped if the document is), piece by piece; it is ready once
        all is written. A failure (the emulator stopping) leaves it not ready."""
        path = Path(self._folder.name) / document.document_id
        size = 0
        with self._lock:
            self._writing += 1
        try:
            with path.open("wb") as file:
                for piece in _gzipped(chunks) if document.gzip else chunks:
                    file.write(piece)
                    size += len(piece)
        finally:
            with self._lock:
                self._writing -= 1
        with self._lock:
            document.path, document.size = path, size
            document.uploaded_at = self.clock.now()
            document.uploads += 1
        document.ready.set()

    @property
    def being_written(self) -> int:
        """Documents whose content is being made or stored now (a large report's takes a while)."""
        with self._lock:
            return self._writing

    def store(self, document: Document, content: bytes) -> None:
        """An upload: the bytes as sent (a new upload replaces the last)."""
        self.write(document, [content])

    def get(self, document_id: str, selling_partner_id: str) -> Document | None:
        """The seller's document with that ID, if any."""
        with self._lock:
            document = self._documents.get(document_id)
        return document if document and document.selling_partner_id == selling_partner_id else None

    def find(self, document_id: str) -> Document | None:
        with self._lock:
            return self._documents.get(document_id)

    def cut(self, document: Document, after: int, times: int = 1) -> None:
        """Make the next ``times`` downloads of the document stop after ``after`` bytes of the answer's
        body, the connection dropped (as a network does)."""
        with self._lock:
            document.cuts.extend([after] * times)

    def take_cut(self, document_id: str) -> int | None:
        """The cut for the download starting now, if one is pending."""
        with self._lock:
            document = self._documents.get(document_id)
            return document.cuts.pop(0) if document is not None and document.cuts else None

    def _signature(self, method: str, document_id: str, date: str, content_type: str, encoding: str) -> str:
        message = _signed(method, document_id, date, content_type, encoding).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def url(self, base_url: str, document: Document, method: str, *, content_encoding: bool = False) -> str:
        """A presigned URL for GET (download) or PUT (upload) of the document, valid 5 minutes."""
        date = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
        content_type = document.content_type if method == "PUT" else ""
        encoding = "gzip" if content_encoding and document.gzip else "identity"
        query = {
            "X-Amz-Date": date,
            "X-Amz-Expires": str(int(URL_LIFETIME.total_seconds())),
            "encoding": encoding,
            "X-Amz-Signature": self._signature(method, document.document_id, date, content_type, encoding),
        }
        return f"{base_url.rstrip('/')}{PATH}/{document.document_id}?{urlencode(query)}"

    def check(self, request: Request, document_id: str, content_type: str) -> Document | Response:
        """The document a presigned request may use, or S3's XML refusal."""
        query = request.query_params
        date, encoding = query.get("X-Amz-Date", ""), query.get("encoding", "identity")
        expected = self._signature(request.method, document_id, date, content_type, encoding)
        if not hmac.compare_digest(expected, query.get("X-Amz-Signature", "")):
            return s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
            )
        signed_at = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=self.clock.now().tzinfo)
        if self.clock.now() >= signed_at + URL_LIFETIME:
            return s3_error(403, "AccessDenied", "Request has expired")
        with self._lock:
            document = self._documents.get(document_id)
        if document is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return document

    def count(self) -> int:
        with self._lock:
            return len(self._documents)

    def close(self) -> None:
        """Remove every document's file."""
        shutil.rmtree(self._folder.name, ignore_errors=True)


def s3_error(status: int, code: str, message: str) -> Response:
    """S3's XML error body."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


def _file_piece(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _byte_range(header: str | None, size: int) -> tuple[int, int] | Response | None:
    """``(start, end)`` (inclusive) of a single-range ``Range`` header, None without one (or with one S3
    ignores), or 416 when the range starts past the end."""
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if found is None or found.group(1) == found.group(2) == "":
        return None
    first, last = found.group(1), found.group(2)
    if first == "":  # the last N bytes
        return max(size - int(last), 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return s3_error(416, "InvalidRange", "The requested range is not satisfiable")
    return start, end


async def download(request: Request) -> Response:
    """The document's bytes as stored (gzipped ones with ``Content-Encoding: gzip`` if the URL asked),
    or the range asked for (206) when the ETag still matches."""
    documents: Documents = request.app.state.sandbox.documents
    found = documents.check(request, request.path_params["document_id"], "")
    if isinstance(found, Response):
        return found
    if found.path is None or not found.ready.is_set():
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    if_match = request.headers.get("if-match")
    if if_match is not None and if_match not in ("*", found.etag):
        return s3_error(
            412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"
        )
    headers = {"Content-Type": found.content_type, "ETag": found.etag, "Accept-Ranges": "bytes"}
    if request.query_params.get("encoding") == "gzip":
        headers["Content-Encoding"] = "gzip"
    wanted = _byte_range(request.headers.get("range"), found.size)
    if isinstance(wanted, Response):
        return wanted
    if request.headers.get("if-range") not in (None, found.etag):
        wanted = None  # the document changed: the whole of it
    start, end = wanted if wanted is not None else (0, found.size - 1)
    length = max(end - start + 1, 0)
    headers["Content-Length"] = str(length)
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{found.size}"
    return StreamingResponse(_file_piece(found.path, start, length), status_code=status, headers=headers)


async def upload(request: Request) -> Response:
    """Store the uploaded bytes; the Content-Type must be the one the URL was made for."""
    documents: Documents = request.app.state.sandbox.documents
    found = documents.check(
        request, request.path_params["document_id"], request.headers.get("content-type", "")
    )
    if isinstance(found, Response):
        return found
    documents.store(found, await request.body())
    etag = hashlib.md5(found.content or b"", usedforsecurity=False).hexdigest()
    return Response(status_code=200, headers={"ETag": f'"{etag}"'})


ROUTES = [
    Route(PATH + "/{document_id}", download, methods=["GET"]),
    Route(PATH + "/{document_id}", upload, methods=["PUT"]),
]
