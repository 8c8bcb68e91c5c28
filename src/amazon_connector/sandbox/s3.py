"""The document store's presigned URLs: download (GET) and upload (PUT), without SP-API tokens."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response

from amazon_connector.sandbox.context import SandboxDep
from amazon_connector.sandbox.documents import PATH, s3_error

router = APIRouter(prefix=PATH, include_in_schema=False)


@router.get("/{document_id}")
async def download(document_id: str, request: Request, sandbox: SandboxDep) -> Response:
    """The document's bytes as stored (gzipped ones with ``Content-Encoding: gzip`` if the URL asked)."""
    found = sandbox.documents.check(request, document_id, "")
    if isinstance(found, Response):
        return found
    if found.content is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    headers = {"Content-Encoding": "gzip"} if request.query_params.get("encoding") == "gzip" else {}
    return Response(found.content, media_type=found.content_type, headers=headers)


@router.put("/{document_id}")
async def upload(document_id: str, request: Request, sandbox: SandboxDep) -> Response:
    """Store the uploaded bytes; the Content-Type must be the one the URL was made for."""
    found = sandbox.documents.check(request, document_id, request.headers.get("content-type", ""))
    if isinstance(found, Response):
        return found
    sandbox.documents.store(found, await request.body())
    return Response(status_code=200, headers={"ETag": f'"{hashlib.md5(found.content or b"").hexdigest()}"'})  # noqa: S324
