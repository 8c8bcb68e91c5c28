"""Report and feed documents: downloaded (and decompressed) or uploaded at Amazon's presigned URLs,
with the request timeout and the connection's retries, sync and async from one plan."""

from __future__ import annotations

import gzip
import zlib

import httpx

from amazon_connector.errors import ApiError, TransportError
from amazon_connector.http.drivers import Plan
from amazon_connector.http.effects import Send
from amazon_connector.runtime.caller import Caller
from amazon_connector.runtime.decisions import RETRIED_STATUSES, Attempts, backoff

DOWNLOAD = "report document download"
UPLOAD = "feed document upload"


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
        now, draw = caller.clock.monotonic(), caller.rng.random()
        retry = backoff(attempts, caller.policy, now=now, draw=draw, reason=reason)
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


def download_plan(caller: Caller, report_document_id: str) -> Plan[bytes]:
    """getReportDocument (with an RDT for restricted report types), then the document itself."""
    answer = yield from caller.plan("getReportDocument", {"reportDocumentId": report_document_id})
    info = answer.data if isinstance(answer.data, dict) else {}
    response = yield from _transfer_plan(caller, httpx.Request("GET", str(info.get("url", ""))), DOWNLOAD)
    if info.get("compressionAlgorithm") == "GZIP":
        try:
            return gzip.decompress(response.content)
        except (OSError, EOFError, zlib.error) as exc:
            raise TransportError(
                f"The report document {report_document_id} is not valid GZIP: {exc}."
            ) from None
    return response.content


def upload_plan(caller: Caller, content: bytes, content_type: str) -> Plan[str]:
    """createFeedDocument, then the upload; the feedDocumentId to give createFeed."""
    answer = yield from caller.plan("createFeedDocument", {"body": {"contentType": content_type}})
    info = answer.data if isinstance(answer.data, dict) else {}
    request = httpx.Request(
        "PUT", str(info.get("url", "")), content=content, headers={"Content-Type": content_type}
    )
    yield from _transfer_plan(caller, request, UPLOAD)
    return str(info["feedDocumentId"])
