"""Report and feed documents, as Amazon keeps them in S3: fetched and uploaded through presigned URLs.

A presigned URL needs no SP-API token; it names one document and one method, and it expires after 5
minutes on the clock. An upload URL also fixes the Content-Type, as S3's signature does. ``ROUTES``
serve the URLs (download and upload).
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from amazon_connector.clock import Clock

URL_LIFETIME = timedelta(minutes=5)
PATH = "/_s3/documents"


@dataclass(slots=True)
class Document:
    """A document's bytes (``None`` until an upload URL is used), as stored: gzipped when ``gzip``."""

    document_id: str
    selling_partner_id: str
    content_type: str
    gzip: bool = False
    content: bytes | None = None
    uploaded_at: datetime | None = None
    uploads: int = field(default=0)


def _signed(*parts: str) -> str:
    return "\n".join(parts)


class Documents:
    """Every document, by ID, and the presigned URLs to them."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._documents: dict[str, Document] = {}
        self._lock = threading.Lock()

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
        document = Document(
            f"{prefix}.{uuid.uuid4()}",
            selling_partner_id,
            content_type,
            gzip_content,
            gzip.compress(content, mtime=0) if content is not None and gzip_content else content,
            self.clock.now() if content is not None else None,
        )
        with self._lock:
            self._documents[document.document_id] = document
        return document

    def get(self, document_id: str, selling_partner_id: str) -> Document | None:
        """The seller's document with that ID, if any."""
        with self._lock:
            document = self._documents.get(document_id)
        return document if document and document.selling_partner_id == selling_partner_id else None

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

    def store(self, document: Document, content: bytes) -> None:
        with self._lock:
            document.content = content
            document.uploaded_at = self.clock.now()
            document.uploads += 1


def s3_error(status: int, code: str, message: str) -> Response:
    """S3's XML error body."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


async def download(request: Request) -> Response:
    """The document's bytes as stored (gzipped ones with ``Content-Encoding: gzip`` if the URL asked)."""
    documents: Documents = request.app.state.sandbox.documents
    found = documents.check(request, request.path_params["document_id"], "")
    if isinstance(found, Response):
        return found
    if found.content is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    headers = {"Content-Encoding": "gzip"} if request.query_params.get("encoding") == "gzip" else {}
    return Response(found.content, media_type=found.content_type, headers=headers)


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
