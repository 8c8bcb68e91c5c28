"""Calling any SP-API operation: the right token, a rate-limit slot, retries, pagination.

Each call is one plan (see steps.py) run by ``call`` or ``acall``, so sync and async share every rule.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import httpx

from amazon_connector.api.catalog import Operation, catalog
from amazon_connector.auth.authenticator import Authenticator
from amazon_connector.auth.lwa import AccessToken
from amazon_connector.clock import Clock
from amazon_connector.errors import ApiError, ForbiddenError, MissingRoleError, TransportError
from amazon_connector.runtime.http import HttpClients
from amazon_connector.runtime.limiter import RateLimiter, Reservation, bucket_key
from amazon_connector.runtime.pagination import can_follow, next_page_params
from amazon_connector.runtime.restricted import (
    RDT_OPERATION,
    RestrictedResource,
    allowed_elements,
    plain_first,
    resource_for,
    roles_needed,
)
from amazon_connector.runtime.sigv4 import Signer
from amazon_connector.runtime.spapi import (
    ApiResponse,
    CallParams,
    api_error,
    build_request,
    call_params,
    parse_response,
)
from amazon_connector.runtime.steps import Plan, Step, arun, run

log = logging.getLogger("amazon_connector.runtime")

RETRIED_STATUSES = frozenset({500, 502, 503, 504})
BACKOFF_BASE = 0.5
SLACK = 0.001
"""Seconds early a slot may be used (clocks and timestamps are not finer than this)."""
TOKEN_MARGIN = 30.0
"""A token must still be valid this long when its request goes out."""


@dataclass(frozen=True, slots=True)
class CallPolicy:
    """How calls behave: the Advanced node's settings plus an overall deadline per call."""

    retries: int = 3
    retry_wait: float = 3.0
    paginate: bool = True
    deadline: float = 900.0
    """Seconds a call may spend retrying (waiting for its rate-limit slot does not count)."""
    data_elements: tuple[str, ...] | None = None
    """Restricted data asked for by default (None: buyerInfo and shippingAddress)."""


@dataclass(slots=True)
class Attempts:
    """What one call has spent of its retries, and until when it may retry."""

    deadline: float
    throttled: int = 0
    failed: int = 0
    renewed: set[str] = field(default_factory=set)


def is_idempotent(operation: Operation, params: CallParams) -> bool:
    """Whether sending the call twice does no harm."""
    return operation.idempotent or params.idempotency_key


def token_expired(error: ApiError) -> bool:
    """Amazon's 401/403 saying the access token (or RDT) expired or is no longer valid: a new one may work."""
    if error.status not in (401, 403):
        return False
    text = " ".join(f"{e.get('message', '')} {e.get('details', '')}" for e in error.errors).casefold()
    stale = "expired" in text or "revoked" in text or "invalid" in text
    return stale and "token" in text and "secret" not in text


def token_refused(error: ApiError) -> bool:
    """A 401/403 about the token itself (expired, revoked, malformed), not about a missing role."""
    text = " ".join(f"{e.get('message', '')} {e.get('details', '')}" for e in error.errors).casefold()
    return error.status == 401 or ("token" in text and error.status == 403)


class Caller:
    """Calls SP-API operations for one application and seller in one region."""

    def __init__(
        self,
        *,
        base_url: str,
        region: str,
        http: HttpClients,
        limiter: RateLimiter,
        authenticator: Authenticator,
        client_id: str,
        selling_partner: str,
        marketplace_id: str | None,
        policy: CallPolicy,
        clock: Clock,
        signer: Signer | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url
        self.region = region
        self.http = http
        self.limiter = limiter
        self.authenticator = authenticator
        self.client_id = client_id
        self.selling_partner = selling_partner
        self.marketplace_id = marketplace_id
        self.policy = policy
        self.clock = clock
        self.signer = signer
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not secrecy)
        self._warned: set[str] = set()

    # --- public ------------------------------------------------------------------------------

    def call(
        self,
        operation: str | Operation,
        /,
        *,
        data_elements: Iterable[str] | None = None,
        paginate: bool | None = None,
        **params: Any,
    ) -> ApiResponse:
        """Call ``operation`` with ``params`` named as in Amazon's reference (``body`` for the body)."""
        return run(self.plan(operation, params, data_elements, paginate))

    async def acall(
        self,
        operation: str | Operation,
        /,
        *,
        data_elements: Iterable[str] | None = None,
        paginate: bool | None = None,
        **params: Any,
    ) -> ApiResponse:
        """The async twin of call."""
        return await arun(self.plan(operation, params, data_elements, paginate))

    # --- plans -------------------------------------------------------------------------------

    def plan(
        self,
        operation: str | Operation,
        params: Mapping[str, Any],
        data_elements: Iterable[str] | None,
        paginate: bool | None,
    ) -> Plan[ApiResponse]:
        op = operation if isinstance(operation, Operation) else catalog().get(operation)
        prepared = call_params(op, params, marketplace_id=self.marketplace_id)
        elements = self.policy.data_elements if data_elements is None else tuple(data_elements)
        resource = resource_for(op, prepared.path, elements)
        response = yield from self._send_plan(op, prepared, resource)
        follow = paginate if paginate is not None else self.policy.paginate
        if follow and can_follow(op):
            response = replace(response, pager=_Following(self, dict(params), elements))
        return response

    def _send_plan(
        self, op: Operation, params: CallParams, resource: RestrictedResource | None
    ) -> Plan[ApiResponse]:
        attempts = self.attempts()
        key = bucket_key(
            self.client_id, "" if op.grantless_scope else self.selling_partner, self.region, op.qualified_name
        )
        use_rdt = resource is not None and (
            not plain_first(op) or self.authenticator.holds_derived(resource.identity)
        )
        tried_rdt = use_rdt
        while True:
            # the token first, so that nothing delays the request once its slot has come
            identity, token = yield from self._token_plan(op, resource if use_rdt else None)
            if token is None:  # the RDT was refused but the call works without one
                use_rdt = False
                identity, token = yield from self._token_plan(op, None)
            assert token is not None
            reservation = self.limiter.reserve(key, op.rate, op.burst)
            try:
                response = yield from self._slot_plan(
                    key=key,
                    op=op,
                    attempts=attempts,
                    reservation=reservation,
                    params=params,
                    token=token,
                    resource=resource if use_rdt else None,
                )
            except TransportError as exc:
                resend = (not exc.delivered) or is_idempotent(op, params)
                if resend and (yield from self.backoff(attempts, f"{op.operation_id}: {exc.message}")):
                    continue
                raise
            if response.is_success:
                answer = parse_response(op, response)
                self.limiter.observe(key, answer.rate_limit, op.rate)
                return answer
            error = api_error(
                op.operation_id,
                response.status_code,
                _body(response),
                response.headers,
                response.headers.get("x-amzn-RequestId"),
            )
            if response.status_code == 429:
                if reservation is not None:
                    self.limiter.throttled(reservation)
                if attempts.throttled < self.policy.retries:
                    attempts.throttled += 1
                    wait = self.policy.retry_wait * (1.0 + 0.25 * self.rng.random())
                    if self.clock.monotonic() + wait <= attempts.deadline:
                        log.info(
                            "%s was throttled; retry %d in %.1f s", op.operation_id, attempts.throttled, wait
                        )
                        yield self._sleep_until(self.clock.monotonic() + wait)
                        continue
                raise error
            if token_expired(error) and identity not in attempts.renewed:
                attempts.renewed.add(identity)
                self._discard(op, resource if use_rdt else None, token.value)
                continue
            if response.status_code == 403 and resource is not None and not tried_rdt:
                use_rdt = tried_rdt = True  # a restricted report document: retry with an RDT
                continue
            transient = response.status_code in RETRIED_STATUSES and is_idempotent(op, params)
            if transient and (
                yield from self.backoff(attempts, f"{op.operation_id}: HTTP {response.status_code}")
            ):
                continue
            if response.status_code == 403 and not token_refused(error):
                raise _missing_role(error, op, resource if use_rdt else None)
            raise error

    def _slot_plan(
        self,
        *,
        key: str,
        op: Operation,
        attempts: Attempts,
        reservation: Reservation | None,
        params: CallParams,
        token: AccessToken,
        resource: RestrictedResource | None,
    ) -> Plan[httpx.Response]:
        """Wait for the slot, then send. However this ends (an answer, an error, a cancelled task), the
        slot counts as answered, so a burst never leaves later calls waiting for it."""
        try:
            if reservation is not None:
                while (
                    ready := self.limiter.ready_at(reservation)
                ) is None or ready > self.clock.monotonic() + SLACK:
                    if ready is None:  # woke too late to use the slot: take a new one
                        self.limiter.answered(reservation)
                        reservation = self.limiter.reserve(key, op.rate, op.burst)
                        assert reservation is not None
                    else:
                        slept_from = self.clock.monotonic()
                        yield self._sleep_until(ready)
                        attempts.deadline += self.clock.monotonic() - slept_from  # waiting is not retrying
                if not token.fresh(self.clock.now(), TOKEN_MARGIN):
                    token = (yield from self._token_plan(op, resource))[1] or token
            request = build_request(self.base_url, op, token.value, params)
            if self.signer is not None:
                self.signer.sign(request, (yield self.signer.credentials_step()))
            response: httpx.Response = yield self.send(request, f"SP-API {op.operation_id}")
            return response
        finally:
            if reservation is not None:
                self.limiter.answered(reservation)

    def backoff(self, attempts: Attempts, what: str) -> Plan[bool]:
        """Wait before retrying a failed call; False when no retry is left."""
        if attempts.failed >= self.policy.retries:
            return False
        attempts.failed += 1
        ceiling = min(self.policy.retry_wait, BACKOFF_BASE * 2 ** (attempts.failed - 1))
        wait = ceiling * (0.5 + 0.5 * self.rng.random())
        if self.clock.monotonic() + wait > attempts.deadline:
            return False
        log.info("%s; retry %d in %.2f s", what, attempts.failed, wait)
        yield self._sleep_until(self.clock.monotonic() + wait)
        return True

    # --- tokens ------------------------------------------------------------------------------

    def _token_plan(
        self, op: Operation, resource: RestrictedResource | None
    ) -> Plan[tuple[str, AccessToken | None]]:
        """``(identity, token)`` for a call; the token is None when an optional RDT was refused."""
        if resource is None:
            scope = op.grantless_scope
            return scope or "", (yield self.authenticator.token(scope))
        identity = resource.identity
        try:
            return identity, (
                yield self.authenticator.derived(
                    identity,
                    lambda: run(self._rdt_plan(resource)),
                    lambda: arun(self._rdt_plan(resource)),
                )
            )
        except ForbiddenError as exc:
            if not allowed_elements(op):
                raise _missing_role(exc, op, resource) from None
            if identity not in self._warned:
                self._warned.add(identity)
                log.warning(
                    "%s: no Restricted Data Token for %s (%s); calling without buyer data.",
                    op.operation_id,
                    ", ".join(resource.data_elements),
                    exc.message,
                )
            return identity, None

    def _rdt_plan(self, resource: RestrictedResource) -> Plan[AccessToken]:
        op = catalog().get(RDT_OPERATION)
        body = {"restrictedResources": [resource.as_json()]}
        params = call_params(op, {"body": body}, marketplace_id=None)
        answer = yield from self._send_plan(op, params, None)
        data = answer.data if isinstance(answer.data, dict) else {}
        value, lifetime = data.get("restrictedDataToken"), data.get("expiresIn") or 3600
        if not value:
            raise ApiError(
                "createRestrictedDataToken answered without a restrictedDataToken.",
                status=answer.status,
                request_id=answer.request_id,
                operation=op.operation_id,
            )
        return AccessToken(str(value), self.clock.now() + timedelta(seconds=float(lifetime)))

    def _discard(self, op: Operation, resource: RestrictedResource | None, value: str) -> None:
        if resource is None:
            self.authenticator.expired(op.grantless_scope, value)
        else:
            self.authenticator.derived_expired(resource.identity, value)

    # --- blocking steps ----------------------------------------------------------------------

    def _sleep_until(self, instant: float) -> Step[None]:
        return Step(lambda: self.clock.sleep_until(instant), lambda: self.clock.asleep_until(instant))

    def attempts(self) -> Attempts:
        """A fresh retry budget under this caller's policy."""
        return Attempts(deadline=self.clock.monotonic() + self.policy.deadline)

    def send(self, request: httpx.Request, service: str) -> Step[httpx.Response]:
        return Step(
            lambda: self.http.send(request, service=service),
            lambda: self.http.asend(request, service=service),
        )


def _body(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def _missing_role(error: ApiError, op: Operation, resource: RestrictedResource | None) -> ApiError:
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


@dataclass(frozen=True, slots=True)
class _Following:
    """The Pager of one page: asks for the next with the parameters that produced this one."""

    caller: Caller
    params: dict[str, Any]
    data_elements: tuple[str, ...] | None

    def plan(self, page: ApiResponse) -> Plan[ApiResponse]:
        assert page.next_token is not None
        params = next_page_params(page.operation, self.params, page.next_token)
        return self.caller.plan(page.operation, params, self.data_elements, True)

    def next_page(self, page: ApiResponse) -> ApiResponse:
        return run(self.plan(page))

    async def anext_page(self, page: ApiResponse) -> ApiResponse:
        return await arun(self.plan(page))
