"""AWS STS AssumeRole (Query protocol, ``POST /sts/``) for legacy SP-API configurations.

The request must be SigV4-signed (service ``sts``, region ``us-east-1``) by one of the world's IAM users,
for the role that user may assume; the answer and the errors are STS's XML.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from amazon_connector.sandbox.aws.sigv4 import SIGNATURE_MISMATCH, signature_of, verify
from amazon_connector.sandbox.context import sandbox_of
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import AWS_ACCOUNT_ID

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
VERSION = "2011-06-15"
MIN_DURATION, MAX_DURATION = 900, 3600
"""DurationSeconds: at least 15 minutes, at most the role's maximum session duration (one hour)."""


class StsError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> Response:
        body = (
            f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type><Code>{self.code}</Code>'
            f"<Message>{escape(self.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId>"
            "</ErrorResponse>"
        )
        return Response(body, status_code=self.status, media_type="text/xml")


def _duration(text: str | None) -> timedelta:
    try:
        seconds = int(text) if text else MAX_DURATION
    except ValueError:
        raise StsError(
            400, "ValidationError", f"Value '{text}' at 'durationSeconds' is not a number."
        ) from None
    if seconds < MIN_DURATION:
        raise StsError(
            400,
            "ValidationError",
            f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {MIN_DURATION}",
        )
    if seconds > MAX_DURATION:
        raise StsError(
            400,
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )
    return timedelta(seconds=seconds)


async def assume_role(request: Request) -> Response:
    """AssumeRole: temporary credentials (``ASIA…``) for the role, valid DurationSeconds on the clock."""
    sandbox = sandbox_of(request)
    try:
        signature = signature_of(request)
        if signature is None:
            raise StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        user = sandbox.world.iam_user(signature.access_key_id)
        app = next((a for a in sandbox.world.apps if a.iam_user is user), None) if user else None
        if user is None or app is None:
            raise StsError(
                403, "InvalidClientTokenId", "The security token included in the request is invalid."
            )
        if (signature.service, signature.region) != ("sts", "us-east-1") or not await verify(
            request, signature, user.secret_access_key, None
        ):
            raise StsError(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH)
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if fields.get("Action") != "AssumeRole" or fields.get("Version") != VERSION:
            raise StsError(
                400,
                "InvalidAction",
                f"Could not find operation {fields.get('Action')} for version {fields.get('Version')}",
            )
        role_arn, session_name = fields.get("RoleArn", ""), fields.get("RoleSessionName", "")
        if not role_arn or not session_name:
            raise StsError(400, "MissingParameter", "RoleArn and RoleSessionName are required.")
        if role_arn != user.role_arn:
            raise StsError(
                403,
                "AccessDenied",
                f"User: arn:aws:iam::{AWS_ACCOUNT_ID}:user/{app.app_id} is not authorized to perform: "
                f"sts:AssumeRole on resource: {role_arn}",
            )
        session = sandbox.sessions.assume_role(
            app, role_arn, session_name, _duration(fields.get("DurationSeconds"))
        )
    except StsError as refusal:
        return refusal.response()
    role_name = role_arn.rsplit("/", 1)[-1]
    body = (
        f'<AssumeRoleResponse xmlns="{NAMESPACE}"><AssumeRoleResult><AssumedRoleUser>'
        f"<AssumedRoleId>AROA{session.access_key_id[4:]}:{escape(session_name)}</AssumedRoleId>"
        f"<Arn>arn:aws:sts::{AWS_ACCOUNT_ID}:assumed-role/{escape(role_name)}/{escape(session_name)}</Arn>"
        "</AssumedRoleUser><Credentials>"
        f"<AccessKeyId>{session.access_key_id}</AccessKeyId>"
        f"<SecretAccessKey>{session.secret_access_key}</SecretAccessKey>"
        f"<SessionToken>{session.session_token}</SessionToken>"
        f"<Expiration>{iso(session.expiration)}</Expiration>"
        "</Credentials></AssumeRoleResult>"
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></AssumeRoleResponse>"
    )
    return Response(body, media_type="text/xml")


ROUTES = [Route("/sts/", assume_role, methods=["POST"])]
