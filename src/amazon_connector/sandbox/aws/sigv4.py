"""AWS Signature Version 4 checks: the emulator recomputes a request's signature with botocore's signer
over exactly the headers the client signed, and compares."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials
from starlette.requests import Request

ALGORITHM = "AWS4-HMAC-SHA256"
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
    r"(?P<service>[^/,\s]+)/aws4_request,\s*SignedHeaders=(?P<headers>[a-z0-9;\-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass(frozen=True, slots=True)
class Signature:
    """What an ``Authorization: AWS4-HMAC-SHA256 …`` header says."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def signature_of(request: Request) -> Signature | None:
    """The request's SigV4 signature; None when it has no well-formed one."""
    match = _AUTHORIZATION.match(request.headers.get("authorization", "").strip())
    if match is None:
        return None
    return Signature(
        match["key"],
        match["date"],
        match["region"],
        match["service"],
        tuple(match["headers"].split(";")),
        match["signature"],
    )


def is_signed(request: Request) -> bool:
    return request.headers.get("authorization", "").startswith(ALGORITHM)


class _SignedHeadersOnly(SigV4Auth):  # type: ignore[misc]
    """botocore's signer, restricted to the headers the client listed in SignedHeaders."""

    def __init__(self, credentials: Credentials, service: str, region: str, names: tuple[str, ...]) -> None:
        super().__init__(credentials, service, region)
        self._names = names

    def headers_to_sign(self, request: AWSRequest) -> Any:
        headers = HTTPHeaders()
        for name in self._names:
            headers[name] = request.headers.get(name, "")
        return headers


async def verify(request: Request, signature: Signature, secret_access_key: str, token: str | None) -> bool:
    """Whether ``signature`` is right for the request, signed with ``secret_access_key``."""
    amz_date = request.headers.get("x-amz-date", "")
    if not amz_date.startswith(signature.date):
        return False
    url = f"{request.url.scheme}://{request.headers.get('host', '')}{request.scope.get('raw_path', b'').decode()}"
    query = request.scope.get("query_string", b"").decode()
    copy = AWSRequest(
        method=request.method,
        url=f"{url}?{query}" if query else url,
        data=await request.body(),
        headers={name: request.headers.get(name, "") for name in signature.signed_headers},
    )
    if "x-amz-content-sha256" in request.headers:
        copy.headers["X-Amz-Content-SHA256"] = request.headers["x-amz-content-sha256"]
    copy.context["timestamp"] = amz_date
    signer = _SignedHeadersOnly(
        Credentials(signature.access_key_id, secret_access_key, token),
        signature.service,
        signature.region,
        signature.signed_headers,
    )
    expected = signer.signature(signer.string_to_sign(copy, signer.canonical_request(copy)), copy)
    return hmac.compare_digest(str(expected), signature.signature)
