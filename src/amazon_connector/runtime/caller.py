"""Calling any SP-API operation: the right token, a rate-limit slot, retries, pagination.

Each call is one plan (amazon_connector.http.drivers) run by ``call`` or ``acall``, so sync and async
share every rule; what to do after a failure is decided by ``decisions.decide``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import httpx

from amazon_connector.api.catalog import Operation, catalog
from amazon_connector.auth.authenticator import Authenticator
from amazon_connector.auth.lwa import AccessToken
from amazon_connector.clock import Clock
from amazon_connector.errors import (
    AmazonConnectorError,
    ApiError,
    ForbiddenError,
    ThrottledError,
    TransportError,
)
from amazon_connector.http.clients import HttpClients
from amazon_connector.http.drivers import Plan, arun, run
from amazon_connector.http.effects import Send, Sleep
from amazon_connector.marketplaces import PRODUCTION
from amazon_connector.runtime.decisions import (
    Attempts,
    CallPolicy,
    Renew,
    Retry,
    Sent,
    UseRdt,
    decide,
    missing_role,
)
from amazon_connector.runtime.limiter import (
    RateLimiter,
    Recheck,
    Reservation,
    Reserve,
    Settle,
    Settlement,
    TooFar,
    bucket_key,
)
from amazon_connector.runtime.pagination import can_follow, next_page_params
from amazon_connector.runtime.restricted import (
    RDT_OPERATION,
    RestrictedResource,
    allowed_elements,
    plain_first,
    resource_for,
)
from amazon_connector.runtime.sigv4 import Signer, SigningCredentials
from amazon_connector.runtime.spapi import (
    ApiResponse,
    CallParams,
    build_request,
    call_params,
    parse_response,
)

log = logging.getLogger("amazon_connector.runtime")
wait_log = logging.getLogger("amazon_connector.runtime.waits")
"""Long waits for a rate-limit slot (the command line shows them on the terminal)."""

SLACK = 0.001
"""Seconds early a slot may be used (clocks and timestamps are not finer than this)."""
TOKEN_MARGIN = 30.0
"""A token must still be valid this long when its request goes out."""
LONG_WAIT = 10.0
"""A wait for a rate-limit slot at least this long is logged (and shown by the command line)."""
REFUSAL_MEMORY = 3600.0
"""Seconds a refused optional Restricted Data Token is not asked for again."""


def is_idempotent(operation: Operation, params: CallParams) -> bool:
    """Whether sending the call twice does no harm."""
    return operation.idempotent or params.idempotency_key


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
        environment: str = PRODUCTION,
        signer: Signer | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url
        self.environment = environment
        """Where the calls go (production, sandbox or an emulator's URL): its rate limits are its own."""
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

    # --- public ------------------------------------------------------------------------------

    def call(
        self,
        operation: str | Operation,
        /,
        *,
        data_elements: Iterable[str] | None = None,
        paginate: bool = True,
        max_wait: float | None = None,
        **params: Any,
    ) -> ApiResponse:
        """Call ``operation`` with ``params`` named as in Amazon's reference (``body`` for the body)."""
        return run(self.plan(operation, params, data_elements, paginate=paginate, max_wait=max_wait))

    async def acall(
        self,
        operation: str | Operation,
        /,
        *,
        data_elements: Iterable[str] | None = None,
        paginate: bool = True,
        max_wait: float | None = None,
        **params: Any,
    ) -> ApiResponse:
        """The async twin of call."""
        return await arun(self.plan(operation, params, data_elements, paginate=paginate, max_wait=max_wait))

    # --- plans -------------------------------------------------------------------------------

    def plan(
        self,
        operation: str | Operation,
        params: Mapping[str, Any],
        data_elements: Iterable[str] | None = None,
        *,
        paginate: bool = False,
        max_wait: float | None = None,
        rdt_first: bool = False,
    ) -> Plan[ApiResponse]:
        """One call: its answer follows the later pages when ``paginate`` is set; ``max_wait`` bounds
        the wait for its rate-limit slot (default: the policy's). ``rdt_first``: an operation restricted
        for some resources only is called with its RDT straight away, the caller knowing this resource
        is one (a restricted report type's document), sparing the plain call Amazon would refuse."""
        op = operation if isinstance(operation, Operation) else catalog().get(operation)
        prepared = call_params(op, params, marketplace_id=self.marketplace_id)
        elements = self.policy.data_elements if data_elements is None else tuple(data_elements)
        resource = resource_for(op, prepared.path, elements)
        response = yield from self._send_plan(op, prepared, resource, max_wait, rdt_first=rdt_first)
        if paginate and can_follow(op):
            response = replace(response, pager=_Following(self, dict(params), elements, max_wait))
        return response

    def _send_plan(
        self,
        op: Operation,
        params: CallParams,
        resource: RestrictedResource | None,
        max_wait: float | None,
        *,
        rdt_first: bool = False,
    ) -> Plan[ApiResponse]:
        """Attempts until one succeeds or ``decide`` gives up."""
        key = bucket_key(
            self.client_id,
            "" if op.grantless_scope else self.selling_partner,
            self.region,
            op.qualified_name,
            self.environment,
        )
        idempotent = is_idempotent(op, params)
        attempts = Attempts(deadline=self.clock.monotonic() + self.policy.deadline)
        use_rdt = resource is not None and (
            rdt_first or not plain_first(op) or self.authenticator.holds_derived(resource.identity)
        )
        tried_rdt = use_rdt
        while True:
            # the token first, so that nothing delays the request once its slot has come
            identity, token = yield from self._token_plan(op, resource if use_rdt else None)
            if token is None:  # an optional RDT is not to be had: the call goes on without one
                use_rdt = False
                identity, token = yield from self._token_plan(op, None)
            assert token is not None
            covered = resource if use_rdt else None
            outcome, waited = yield from self._attempt_plan(
                key, op, params=params, token=token, resource=covered, max_wait=max_wait
            )
            if isinstance(outcome, ApiResponse):
                return outcome
            attempts = replace(attempts, deadline=attempts.deadline + waited)  # waiting is not retrying
            sent = Sent(op, idempotent, identity, covered, rdt_left=resource is not None and not tried_rdt)
            decision = decide(
                outcome, sent, attempts, self.policy, now=self.clock.monotonic(), draw=self.rng.random()
            )
            if isinstance(decision, Retry):
                attempts = decision.attempts
                yield from self.pause(decision)
            elif isinstance(decision, Renew):
                attempts = decision.attempts
                yield from self._discard(op, covered, token.value)
            elif isinstance(decision, UseRdt):
                use_rdt = tried_rdt = True
            else:
                raise decision.error

    def _attempt_plan(
        self,
        key: str,
        op: Operation,
        *,
        params: CallParams,
        token: AccessToken,
        resource: RestrictedResource | None,
        max_wait: float | None,
    ) -> Plan[tuple[ApiResponse | ApiError | TransportError, float]]:
        """Wait for a slot, then send once: the answer (or why there is none) and the seconds spent
        waiting for the slot. However this ends (an answer, an error, a cancelled task), the slot
        counts as answered, so a burst never leaves later calls waiting for it."""
        bound = self.policy.slot_wait if max_wait is None else max_wait
        started = self.clock.monotonic()
        ticket = yield Reserve(self.limiter, key, op.rate, op.burst, bound)
        reservation = self._slot_taken(op, ticket, bound)
        outcome: ApiResponse | ApiError | TransportError
        if reservation is not None:
            self._announce(op, reservation)
        try:
            while reservation is not None:
                now = self.clock.monotonic()
                if reservation.ready_at > now + SLACK:
                    yield Sleep(reservation.ready_at, self.clock)
                elif not reservation.missed(now):  # taken in another thread: it may be late by now
                    break
                ticket = yield Recheck(self.limiter, reservation, bound)
                reservation = None  # the recheck gave a missed slot back: only the ticket's is held
                reservation = self._slot_taken(op, ticket, bound)
            waited = self.clock.monotonic() - started
            if reservation is not None and not token.fresh(self.clock.now(), TOKEN_MARGIN):
                token = (yield from self._token_plan(op, resource))[1] or token
            request = build_request(self.base_url, op, token.value, params)
            if self.signer is not None:
                self.signer.sign(request, (yield SigningCredentials(self.signer)))
            try:
                response: httpx.Response = yield Send(request, f"SP-API {op.operation_id}", self.http)
            except TransportError as exc:
                outcome = exc
            else:
                outcome = _outcome(op, response)
        except GeneratorExit:  # the plan was closed: no effect can run any more
            if reservation is not None:
                self.limiter.settle(Settlement(key, reservation))
            raise
        except BaseException:
            if reservation is not None and (given_back := Settlement(key, reservation)).needed:
                yield Settle(self.limiter, given_back)
            raise
        settlement = Settlement(
            key,
            reservation,
            throttled=isinstance(outcome, ThrottledError),
            reported_rate=outcome.rate_limit if isinstance(outcome, ApiResponse) else None,
            rate=op.rate,
        )
        if settlement.needed:
            yield Settle(self.limiter, settlement)
        return outcome, waited

    def _slot_taken(
        self, op: Operation, ticket: Reservation | TooFar | None, bound: float
    ) -> Reservation | None:
        """The slot taken (None: the operation has no usage plan); a slot too far away is an error."""
        if isinstance(ticket, TooFar):
            raise ThrottledError(
                f"{op.operation_id} was not sent: its rate-limit slot is {ticket.wait:.0f} s away, "
                f"more than the {bound:.0f} s this call may wait.",
                status=429,
                operation=op.operation_id,
                hint="Other calls with this application and seller hold the slots before it (usage plan "
                f"{ticket.usage.rate:g} calls/s, burst {ticket.usage.burst}). Call again later, spread the "
                "calls over time, or let calls wait longer (max_wait= on the call, or "
                "Connections.open(max_wait=…)).",
            )
        return ticket

    def _announce(self, op: Operation, reservation: Reservation) -> None:
        """Log a long wait for a slot when it starts."""
        wait = reservation.ready_at - self.clock.monotonic()
        if wait >= LONG_WAIT:
            wait_log.info(
                "%s waits %.0f s for its rate-limit slot (usage plan %g calls/s, burst %d).",
                op.operation_id,
                wait,
                reservation.usage.rate,
                reservation.usage.burst,
            )

    def pause(self, retry: Retry) -> Plan[None]:
        """Wait before the retry ``decide`` chose."""
        log.info("%s", retry.reason)
        yield Sleep(self.clock.monotonic() + retry.wait, self.clock)

    # --- tokens ------------------------------------------------------------------------------

    def _token_plan(
        self, op: Operation, resource: RestrictedResource | None
    ) -> Plan[tuple[str, AccessToken | None]]:
        """``(identity, token)`` for a call; the token is None when an optional RDT is not to be had
        (refused a short while ago, or its request failed)."""
        if resource is None:
            scope = op.grantless_scope
            token: AccessToken = yield from self.authenticator.token(scope)
            return scope or "", token
        identity = resource.identity
        optional = bool(allowed_elements(op))
        if optional and self.authenticator.derived_refused(identity):
            return identity, None
        try:
            token = yield from self.authenticator.derived(identity, lambda: self._rdt_plan(resource))
        except ForbiddenError as exc:
            if not optional:
                raise missing_role(exc, op, resource) from None
            if self.authenticator.refuse_derived(identity, REFUSAL_MEMORY):
                log.warning(
                    "%s: Amazon refused a Restricted Data Token for %s (%s); calling without buyer data, "
                    "and not asking again for %.0f minutes.",
                    op.operation_id,
                    ", ".join(resource.data_elements),
                    exc.message,
                    REFUSAL_MEMORY / 60,
                )
            return identity, None
        except AmazonConnectorError as exc:
            if not optional:
                raise
            log.warning(
                "%s: the Restricted Data Token request failed (%s); calling without buyer data.",
                op.operation_id,
                exc.message,
            )
            return identity, None
        return identity, token

    def _rdt_plan(self, resource: RestrictedResource) -> Plan[AccessToken]:
        op = catalog().get(RDT_OPERATION)
        body = {"restrictedResources": [resource.as_json()]}
        params = call_params(op, {"body": body}, marketplace_id=None)
        answer = yield from self._send_plan(op, params, None, None)
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

    def _discard(self, op: Operation, resource: RestrictedResource | None, value: str) -> Plan[None]:
        if resource is None:
            return self.authenticator.expired(op.grantless_scope, value)
        return self.authenticator.derived_expired(resource.identity, value)


def _outcome(op: Operation, response: httpx.Response) -> ApiResponse | ApiError:
    try:
        return parse_response(op, response)
    except ApiError as error:
        return error


@dataclass(frozen=True, slots=True)
class _Following:
    """The Pager of one page: asks for the next with the parameters that produced this one."""

    caller: Caller
    params: dict[str, Any]
    data_elements: tuple[str, ...] | None
    max_wait: float | None

    def plan(self, page: ApiResponse) -> Plan[ApiResponse]:
        assert page.next_token is not None
        params = next_page_params(page.operation, self.params, page.next_token)
        return self.caller.plan(
            page.operation, params, self.data_elements, paginate=True, max_wait=self.max_wait
        )

    def next_page(self, page: ApiResponse) -> ApiResponse:
        return run(self.plan(page))

    async def anext_page(self, page: ApiResponse) -> ApiResponse:
        return await arun(self.plan(page))
