"""What a call does after an attempt failed: a pure decision from the failure, what was sent, the
budget spent and the policy (small checks combined, as botocore's standard retry conditions are).

The call plan (caller.py) applies the decision. Nothing here blocks or reads a clock: the time
(``now``) and the jitter (``draw``, uniform in [0, 1)) come in as values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from amazon_connector.api.catalog import Operation, catalog
from amazon_connector.errors import AmazonConnectorError, ApiError, MissingRoleError, TransportError
from amazon_connector.runtime.restricted import RestrictedResource, roles_needed

RETRIED_STATUSES = frozenset({500, 502, 503, 504})
BACKOFF_BASE = 0.5
"""Seconds before the first retry of a failure (doubling, up to the policy's retry wait)."""


@dataclass(frozen=True, slots=True)
class CallPolicy:
    """How calls behave: the Advanced node's retries plus an overall deadline per call."""

    retries: int = 3
    retry_wait: float = 3.0
    deadline: float = 900.0
    """Seconds a call may spend retrying (waiting for its rate-limit slot does not count)."""
    max_wait: float | None = None
    """Seconds a call may wait for its rate-limit slot (None: as long as its deadline)."""
    data_elements: tuple[str, ...] | None = None
    """Restricted data asked for by default (None: buyerInfo and shippingAddress)."""

    @property
    def slot_wait(self) -> float:
        return self.deadline if self.max_wait is None else self.max_wait


@dataclass(frozen=True, slots=True)
class Attempts:
    """What one call has spent of its retries, and until when (``clock.monotonic()``) it may retry."""

    deadline: float
    throttled: int = 0
    failed: int = 0
    renewed: frozenset[str] = frozenset()
    """The tokens (by identity) renewed once already after Amazon called them expired."""


@dataclass(frozen=True, slots=True)
class Sent:
    """The attempt that failed."""

    operation: Operation
    idempotent: bool
    """Sending it twice does no harm."""
    identity: str
    """Which token it carried (the seller's, a grantless scope's, or an RDT's resource)."""
    resource: RestrictedResource | None
    """The restricted resource its Restricted Data Token covered; None: it carried no RDT."""
    rdt_left: bool = False
    """It went without an RDT although one may make it pass (a restricted report document)."""


Failure = ApiError | TransportError
"""An attempt's failure: Amazon's answer (status, headers, its errors) or no answer at all."""


@dataclass(frozen=True, slots=True)
class Retry:
    """Send again after ``wait`` seconds, with ``attempts`` as the budget left."""

    wait: float
    attempts: Attempts
    reason: str


@dataclass(frozen=True, slots=True)
class Renew:
    """The token expired: drop it and send again with a new one."""

    attempts: Attempts


@dataclass(frozen=True, slots=True)
class UseRdt:
    """Send again with a Restricted Data Token."""


@dataclass(frozen=True, slots=True)
class Raise:
    """Give up with ``error``."""

    error: AmazonConnectorError


Decision = Retry | Renew | UseRdt | Raise


def decide(
    failure: Failure, sent: Sent, attempts: Attempts, policy: CallPolicy, *, now: float, draw: float
) -> Decision:
    """What to do after ``failure``."""
    name = sent.operation.operation_id
    if isinstance(failure, TransportError):
        if failure.delivered and not sent.idempotent:
            return Raise(may_have_happened(failure, sent.operation))
        return backoff(attempts, policy, now=now, draw=draw, reason=f"{name}: {failure.message}") or Raise(
            failure
        )
    if failure.status == 429:
        return after_throttling(attempts, policy, now=now, draw=draw, name=name) or Raise(failure)
    if token_expired(failure) and sent.identity not in attempts.renewed:
        return Renew(replace(attempts, renewed=attempts.renewed | {sent.identity}))
    if failure.status == 403 and sent.rdt_left:
        return UseRdt()
    if failure.status in RETRIED_STATUSES:
        if not sent.idempotent:
            return Raise(may_have_happened(failure, sent.operation))
        reason = f"{name}: HTTP {failure.status}"
        return backoff(attempts, policy, now=now, draw=draw, reason=reason) or Raise(failure)
    if failure.status == 403 and not token_refused(failure):
        return Raise(missing_role(failure, sent.operation, sent.resource))
    return Raise(failure)


def after_throttling(
    attempts: Attempts, policy: CallPolicy, *, now: float, draw: float, name: str
) -> Retry | None:
    """A 429: wait the Advanced node's Retry Wait Time (plus up to a quarter, jitter), while retries
    and the deadline allow."""
    if attempts.throttled >= policy.retries:
        return None
    wait = policy.retry_wait * (1.0 + 0.25 * draw)
    if now + wait > attempts.deadline:
        return None
    throttled = attempts.throttled + 1
    return Retry(
        wait,
        replace(attempts, throttled=throttled),
        f"{name} was throttled; retry {throttled} in {wait:.1f} s",
    )


def backoff(attempts: Attempts, policy: CallPolicy, *, now: float, draw: float, reason: str) -> Retry | None:
    """A failure worth another try: exponential backoff with jitter, capped by the Retry Wait Time,
    while retries and the deadline allow."""
    if attempts.failed >= policy.retries:
        return None
    failed = attempts.failed + 1
    ceiling = min(policy.retry_wait, BACKOFF_BASE * 2 ** (failed - 1))
    wait = ceiling * (0.5 + 0.5 * draw)
    if now + wait > attempts.deadline:
        return None
    return Retry(wait, replace(attempts, failed=failed), f"{reason}; retry {failed} in {wait:.2f} s")


def _error_text(error: ApiError) -> str:
    return " ".join(f"{e.get('message', '')} {e.get('details', '')}" for e in error.errors).casefold()


def token_expired(error: ApiError) -> bool:
    """Amazon's 401/403 saying the access token (or RDT) expired or is no longer valid: a new one may work."""
    if error.status not in (401, 403):
        return False
    text = _error_text(error)
    stale = "expired" in text or "revoked" in text or "invalid" in text
    return stale and "token" in text and "secret" not in text


def token_refused(error: ApiError) -> bool:
    """A 401/403 about the token itself (expired, revoked, malformed), not about a missing role."""
    return error.status == 401 or ("token" in _error_text(error) and error.status == 403)


def missing_role(error: ApiError, op: Operation, resource: RestrictedResource | None) -> ApiError:
    """A 403 that is not about the token: the application lacks a role (named when we know it)."""
    roles = roles_needed(op, resource)
    if not roles:
        return error
    return MissingRoleError(
        error.message,
        roles=roles,
        status=error.status,
        errors=error.errors,
        request_id=error.request_id,
        headers=error.headers,
        operation=error.operation,
        hint=f"The application needs the role {' / '.join(roles)}. Request it in the Solution Provider "
        "Portal (Develop Apps → Edit App), then authorise the connection again: a new role takes effect "
        "only after re-authorisation (in Restricted Data Access Mode: self-authorise the app again in "
        "Seller Central and enter the new refresh token).",
    )


_VERB = re.compile(r"^[a-z]+")


def lookups(op: Operation) -> list[str]:
    """The operations that show whether ``op`` took effect: for ``createReport`` getReports, found by
    name among the GET operations of its API (the list of the thing it names, else the thing itself),
    else those GET operations that take no path parameter."""
    gets = [o for o in catalog().operations if (o.api, o.version, o.method) == (op.api, op.version, "GET")]
    by_name = {o.operation_id.casefold(): o.operation_id for o in gets}
    thing = _VERB.sub("", op.operation_id)
    plural = thing[:-1] + "ies" if thing.endswith("y") else thing + "s"
    for candidate in (f"get{plural}", f"list{plural}", f"listAll{plural}", f"search{plural}", f"get{thing}"):
        if (found := by_name.get(candidate.casefold())) is not None:
            return [found]
    return [o.operation_id for o in gets if "{" not in o.path][:3]


def may_have_happened(error: AmazonConnectorError, op: Operation) -> AmazonConnectorError:
    """``error`` for a call that is not safe to repeat and may have reached Amazon: it may have been
    carried out (a report created, a feed submitted), so it must be checked before it is sent again."""
    found = lookups(op)
    check = (
        f"Check with {' or '.join(found)} whether it did"
        if found
        else "Check in Seller Central whether it did"
    )
    return error.with_hint(
        f"{op.operation_id} may have been carried out: Amazon may have received the request before it "
        f"failed, so it was not sent again. {check} before sending it again, or it may happen twice."
    )
