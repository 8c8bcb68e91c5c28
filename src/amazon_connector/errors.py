"""The exception hierarchy: every error the library raises derives from AmazonConnectorError.

Each error carries a message that says what went wrong and, where we know it, ``hint``: what to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self


class AmazonConnectorError(Exception):
    """Base class of every error raised by amazon_connector."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message

    def with_hint(self, hint: str) -> Self:
        """A copy of this error that gives ``hint`` as what to do."""
        copied = type(self).__new__(type(self), *self.args)
        copied.__dict__.update(self.__dict__)
        copied.hint = hint
        return copied


# --- configuration and input -------------------------------------------------------------


class ConfigurationError(AmazonConnectorError):
    """Bad input: a value the user gave is wrong. The message says which and how to fix it.

    ``field`` names the (first) setting at fault; ``fields`` maps each setting at fault to its message."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        hint: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.field = field
        self.fields = dict(fields) if fields else ({field: message} if field else {})


class MissingExtraError(ConfigurationError):
    """An optional part of amazon-connector is not installed; ``extra`` names it, the hint gives the
    ``pip install`` to run (see amazon_connector.extras)."""

    def __init__(self, message: str, *, extra: str, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.extra = extra


class UnknownMarketplaceError(ConfigurationError):
    """A country, code or marketplace ID that is not one of the SP-API marketplaces."""


class ConnectionNotFoundError(ConfigurationError):
    """No connection has that name."""


class DuplicateConnectionError(ConfigurationError):
    """A connection with that name exists already."""


class IncompleteConfigurationError(ConfigurationError):
    """The connection lacks settings needed for the requested action."""

    def __init__(self, message: str, *, missing: Sequence[str] = (), hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.missing = list(missing)


# --- store -------------------------------------------------------------------------------


class StoreError(AmazonConnectorError):
    """The connection store cannot be opened, read or written."""


class SecretKeyError(StoreError):
    """The key that encrypts secrets at rest is missing, malformed or not the one used to encrypt."""


class ConcurrentUpdateError(StoreError):
    """Another process changed the connection while this one was editing it."""


class StoreConflictError(StoreError):
    """The database refused a change that breaks one of its rules (a unique name, a reference)."""


class NewerStoreError(StoreError):
    """The store was written by a newer version of amazon-connector; it is left untouched."""


class UnreadableConnectionError(StoreError):
    """One stored connection cannot be read (the others can); it can still be removed."""


class StoreWarning(UserWarning):
    """Something about the store needs attention but does not stop it: file permissions, settings a
    newer version wrote."""


# --- network -----------------------------------------------------------------------------


class TransportError(AmazonConnectorError):
    """The request never got an HTTP answer: connection refused or reset, DNS failure, timeout.

    ``delivered`` is False only when the request provably never reached the server (no connection was
    made), which makes even a call that creates something safe to send again."""

    def __init__(self, message: str, *, delivered: bool = True, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.delivered = delivered


class RequestTimeoutError(TransportError):
    """No answer within the request's timeout."""


# --- Login with Amazon -------------------------------------------------------------------


class AuthError(AmazonConnectorError):
    """Authentication or authorisation failed."""


class LwaError(AuthError):
    """Login with Amazon refused a token request; ``error`` is Amazon's code from the body."""

    def __init__(
        self,
        message: str,
        *,
        error: str,
        description: str = "",
        status: int = 0,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.error = error
        self.description = description
        self.status = status
        self.request_id = request_id

    @property
    def retriable(self) -> bool:
        return self.error in {"server_error", "temporarily_unavailable"} or self.status >= 500


class InvalidGrantError(LwaError):
    """``invalid_grant``: the refresh token or authorisation code is not (or no longer) valid."""


class InvalidClientError(LwaError):
    """``invalid_client``: the client ID or secret is wrong, or the secret expired."""


class InvalidScopeError(LwaError):
    """``invalid_scope``: the grantless scope is unknown or not allowed."""


class UnauthorizedClientError(LwaError):
    """``unauthorized_client``: the app may not use this grant type."""


class AuthorisationError(AuthError):
    """The consent (website authorisation) flow failed."""


class StateError(AuthorisationError):
    """The ``state`` that came back is unknown, expired or already used."""


class AuthorisationCancelledError(AuthorisationError):
    """The seller cancelled on the consent page, or Amazon reported a consent error."""


# --- client-secret rotation ---------------------------------------------------------------


class SecretRotationError(AmazonConnectorError):
    """A client secret could not be switched: Login with Amazon refused the new one, or it is not known."""


class QueueError(AmazonConnectorError):
    """The SQS queue that receives Amazon's notifications cannot be read."""


# --- SP-API ------------------------------------------------------------------------------


class ApiError(AmazonConnectorError):
    """SP-API answered with an error status. ``errors`` is Amazon's ``errors`` list."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        errors: Sequence[Mapping[str, Any]] = (),
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.errors = [dict(e) for e in errors]
        self.request_id = request_id
        self.headers = dict(headers or {})
        self.operation = operation

    @property
    def code(self) -> str | None:
        return str(self.errors[0].get("code")) if self.errors else None


class InvalidInputError(ApiError):
    """400/413/415: the request was malformed or a parameter is invalid."""


class UnauthorizedError(ApiError):
    """401: the request's access token is missing or malformed."""


class ForbiddenError(ApiError):
    """403: access denied: expired or invalid token, or the app lacks a role."""


class NotFoundError(ApiError):
    """404: the resource does not exist."""


class MissingRoleError(ForbiddenError):
    """The application lacks a role the operation needs; ``roles`` names the ones to request."""

    def __init__(self, message: str, *, roles: Sequence[str], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.roles = list(roles)


class ThrottledError(ApiError):
    """429: the usage plan's rate was exceeded; or, with nothing sent, the call's rate-limit slot was
    further away than the call may wait."""


class ServerError(ApiError):
    """500/503: Amazon failed; the call may be retried."""


# --- report and feed documents, reports ---------------------------------------------------


class DocumentError(TransportError):
    """A document that downloading again from where it stopped cannot fix: not valid gzip, cut short
    inside its gzip stream, or changed during the download. Downloading it anew may."""


class DocumentDecodeError(AmazonConnectorError):
    """A document's bytes are not text in the charset it was read as."""


class DocumentFormatError(AmazonConnectorError):
    """A report document is not what its format says (a row with too many fields, broken JSON or XML)."""


class ReportError(AmazonConnectorError):
    """A report that gives no rows; ``job`` is the report as last seen (a ``ReportJob``)."""

    def __init__(self, message: str, *, job: Any, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.job = job


class ReportFatalError(ReportError):
    """Amazon ended the report FATAL; ``reason`` is what its error document says."""

    def __init__(self, message: str, *, job: Any, reason: str | None, hint: str | None = None) -> None:
        super().__init__(message, job=job, hint=hint)
        self.reason = reason


class ReportCancelledError(ReportError):
    """Amazon cancelled the report: no data for the request, or asked too often, or cancelled by hand."""


class ReportNotReadyError(ReportError):
    """The wait ended before the report did; the job is kept, and the next run resumes it."""
