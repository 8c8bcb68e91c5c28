"""Call plans driven by a script instead of a network: each effect a plan yields is matched by type and
fields, and answered with a scripted outcome. No sockets, no sleeps; each test runs in milliseconds."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from amazon_connector.auth.authenticator import Authenticator
from amazon_connector.auth.lwa import (
    AccessToken,
    CurrentSecret,
    LwaClient,
    LwaCredentials,
    ReplacementSecret,
    refresh_grant,
)
from amazon_connector.auth.token_cache import LoadToken, SaveToken, TokenCache
from amazon_connector.clock import ManualClock
from amazon_connector.errors import (
    ConfigurationError,
    MissingRoleError,
    ServerError,
    ThrottledError,
    TransportError,
)
from amazon_connector.http.clients import HttpClients
from amazon_connector.http.drivers import Plan, arun, run
from amazon_connector.http.effects import Blocking, Join, Send, Sleep
from amazon_connector.runtime.caller import Caller
from amazon_connector.runtime.decisions import CallPolicy
from amazon_connector.runtime.limiter import (
    MemoryBackend,
    RateLimiter,
    Recheck,
    Reservation,
    Reserve,
    Settle,
    Slot,
    TooFar,
    UsagePlan,
)

TOKEN_URL = "https://api.amazon.com/auth/o2/token"
SELLER_TOKEN = "Atza|seller"


# --- the scripted driver ------------------------------------------------------------------------


@dataclass
class Expect:
    """The next effect must be a ``kind`` whose fields match (a value, or a check of the value); it is
    answered with ``result`` (a value, or a function of the effect) or by ``raises`` thrown in."""

    kind: type[Any]
    result: Any = None
    raises: BaseException | None = None
    fields: dict[str, Any] | None = None

    def answer(self, effect: Any) -> tuple[Any, BaseException | None]:
        assert isinstance(effect, self.kind), f"expected {self.kind.__name__}, the plan yielded {effect!r}"
        for name, wanted in (self.fields or {}).items():
            got = getattr(effect, name)
            assert wanted(got) if callable(wanted) else got == wanted, f"{name} of {effect!r}: {got!r}"
        if self.raises is not None:
            return None, self.raises
        return (self.result(effect) if callable(self.result) else self.result), None


def expect(
    kind: type[Any], result: Any = None, *, raises: BaseException | None = None, **fields: Any
) -> Expect:
    return Expect(kind, result, raises, fields)


class Script:
    """Drives a plan through the expected effects, in order; all of them must be used."""

    def __init__(self, *steps: Expect) -> None:
        self.steps = list(steps)
        self.seen: list[Any] = []

    def run(self, plan: Plan[Any]) -> Any:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = plan.send(value) if error is None else plan.throw(error)
            except StopIteration as stop:
                assert not self.steps, f"effects expected but not yielded: {self.steps}"
                return stop.value
            self.seen.append(effect)
            assert self.steps, f"unexpected effect {effect!r}"
            value, error = self.steps.pop(0).answer(effect)


def answer(status: int, body: Any = None, **headers: str) -> Callable[[Send], httpx.Response]:
    def respond(effect: Send) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers, request=effect.request)

    return respond


def token_from_lwa(value: str = SELLER_TOKEN) -> Expect:
    body = {"access_token": value, "token_type": "bearer", "expires_in": 3600}
    return expect(Send, answer(200, body), service="Login with Amazon")


def sent_with(token: str) -> Callable[[httpx.Request], bool]:
    return lambda request: request.headers["x-amz-access-token"] == token


def sp_api(
    operation: str, status: int, body: Any = None, *, token: str = SELLER_TOKEN, **headers: str
) -> Expect:
    return expect(
        Send, answer(status, body, **headers), service=f"SP-API {operation}", request=sent_with(token)
    )


def no_slot(operation: str) -> Expect:
    """A Reserve for ``operation``'s bucket, answered "no usage plan" (the slot is not the point)."""
    return expect(Reserve, None, key=lambda key: key.endswith(operation))


EXPIRED = {"errors": [{"code": "Unauthorized", "message": "The access token you provided has expired."}]}
DENIED = {"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]}
UNAVAILABLE = {"errors": [{"code": "ServiceUnavailable", "message": "Try again"}]}
PARTICIPATIONS = [{"marketplace": {"id": "A1PA6795UKMFR9"}}]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def make_caller(clock: ManualClock, policy: CallPolicy | None = None) -> Caller:
    http = HttpClients()
    lwa = LwaClient(LwaCredentials(TOKEN_URL, "amzn1.application-oa2-client.a", "secret"), http, clock=clock)
    return Caller(
        base_url="https://sellingpartnerapi-eu.amazon.com",
        region="eu-west-1",
        http=http,
        limiter=RateLimiter(MemoryBackend(), clock),
        authenticator=Authenticator(lwa, TokenCache(clock=clock), "Atzr|refresh"),
        client_id="amzn1.application-oa2-client.a",
        selling_partner="A1SELLER",
        marketplace_id="A1PA6795UKMFR9",
        policy=policy or CallPolicy(retries=2, retry_wait=4.0),
        clock=clock,
        rng=random.Random(7),
    )


@pytest.fixture
def caller(clock: ManualClock) -> Caller:
    return make_caller(clock)


# --- calls --------------------------------------------------------------------------------------


def test_a_call_fetches_the_token_takes_a_slot_and_sends_in_one_driver(caller):
    script = Script(
        token_from_lwa(),
        expect(
            Reserve, None, key=lambda k: k.endswith("sellers/v1/getMarketplaceParticipations"), rate=0.016
        ),
        sp_api("getMarketplaceParticipations", 200, {"payload": PARTICIPATIONS}),
    )
    response = script.run(caller.plan("getMarketplaceParticipations", {}))
    assert response.data == PARTICIPATIONS
    # the token is cached: the next call goes straight to its slot
    again = Script(no_slot("getMarketplaceParticipations"), sp_api("getMarketplaceParticipations", 200, {}))
    again.run(caller.plan("getMarketplaceParticipations", {}))


def test_a_429_waits_the_retry_wait_and_tells_the_bucket(caller, clock):
    reservation = Reservation("k", UsagePlan(1.0, 10), Slot(1, 0, 0.0), ready_at=clock.monotonic())
    throttled = {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]}
    script = Script(
        token_from_lwa(),
        expect(Reserve, reservation),
        sp_api("getMarketplaceParticipations", 429, throttled),
        expect(Settle, settlement=lambda s: s.throttled and s.reservation == reservation),
        expect(Sleep, until=lambda t: clock.monotonic() + 4.0 <= t <= clock.monotonic() + 5.0),
        no_slot("getMarketplaceParticipations"),
        sp_api("getMarketplaceParticipations", 200, {"payload": []}),
    )
    assert script.run(caller.plan("getMarketplaceParticipations", {})).data == []


def test_an_expired_token_is_renewed_once_then_the_refusal_is_raised(caller):
    script = Script(
        token_from_lwa(),
        no_slot("getMarketplaceParticipations"),
        sp_api("getMarketplaceParticipations", 403, EXPIRED),
        token_from_lwa("Atza|renewed"),
        no_slot("getMarketplaceParticipations"),
        sp_api("getMarketplaceParticipations", 403, EXPIRED, token="Atza|renewed"),
    )
    with pytest.raises(Exception, match="has expired") as info:
        script.run(caller.plan("getMarketplaceParticipations", {}))
    assert info.value.status == 403  # type: ignore[attr-defined]


def test_a_creating_call_that_may_have_arrived_is_not_sent_again(caller):
    body = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": ["A1PA6795UKMFR9"]}
    lost = TransportError("The connection was reset.", delivered=True, hint="The request can be retried.")
    script = Script(token_from_lwa(), no_slot("createReport"), expect(Send, raises=lost))
    with pytest.raises(TransportError) as info:
        script.run(caller.plan("createReport", {"body": body}))
    assert "may have been carried out" in str(info.value)
    assert "getReports" in str(info.value)
    assert "can be retried" not in str(info.value)

    refused = TransportError("Connection refused.", delivered=False)
    script = Script(
        no_slot("createReport"),
        expect(Send, raises=refused),
        expect(Sleep),
        no_slot("createReport"),
        sp_api("createReport", 202, {"reportId": "R1"}),
    )
    assert script.run(caller.plan("createReport", {"body": body})).data == {"reportId": "R1"}

    script = Script(no_slot("createReport"), sp_api("createReport", 500, UNAVAILABLE))
    with pytest.raises(ServerError, match="may have been carried out"):
        script.run(caller.plan("createReport", {"body": body}))


def test_server_errors_back_off_until_the_retries_are_spent(caller):
    script = Script(
        token_from_lwa(),
        no_slot("getOrder"),
        sp_api("getOrder", 503, UNAVAILABLE),
        expect(Sleep),
        no_slot("getOrder"),
        sp_api("getOrder", 503, UNAVAILABLE),
        expect(Sleep),
        no_slot("getOrder"),
        sp_api("getOrder", 503, UNAVAILABLE),
    )
    with pytest.raises(ServerError) as info:
        script.run(caller.plan("orders/v0/getOrder", {"orderId": "111-1"}, ()))
    assert info.value.hint is None


def test_an_empty_path_parameter_is_refused_before_anything_is_sent(caller):
    for empty in ("", "   "):
        with pytest.raises(ConfigurationError, match="'orderId' is empty") as info:
            Script().run(caller.plan("orders/v0/getOrder", {"orderId": empty}))
        assert info.value.field == "orderId"


# --- restricted data ------------------------------------------------------------------------------

RDT = "Atz.sprdt|document"


def rdt_request(path: str, status: int = 200, body: Any = None) -> Expect:
    def asks_for(request: httpx.Request) -> bool:
        resources = json.loads(request.read())["restrictedResources"]
        return bool(resources[0]["path"] == path)

    answered = body if body is not None else {"restrictedDataToken": RDT, "expiresIn": 3600}
    return expect(
        Send, answer(status, answered), service="SP-API createRestrictedDataToken", request=asks_for
    )


def test_a_refused_report_document_is_fetched_again_with_an_rdt_from_a_sub_plan(caller):
    document = "/reports/2021-06-30/documents/D1"
    script = Script(
        token_from_lwa(),
        no_slot("getReportDocument"),
        sp_api("getReportDocument", 403, DENIED),
        no_slot("createRestrictedDataToken"),  # the RDT request: effects of the same driver
        rdt_request(document),
        no_slot("getReportDocument"),
        sp_api("getReportDocument", 200, {"reportDocumentId": "D1", "url": "https://x"}, token=RDT),
    )
    assert script.run(caller.plan("getReportDocument", {"reportDocumentId": "D1"})).data["url"] == "https://x"
    # the RDT is held now: asked with it at once
    again = Script(no_slot("getReportDocument"), sp_api("getReportDocument", 200, {}, token=RDT))
    again.run(caller.plan("getReportDocument", {"reportDocumentId": "D1"}))


def test_a_failing_optional_rdt_request_falls_back_to_the_plain_call(caller, caplog):
    items = "/orders/v0/orders/{orderId}/orderItems"
    script = Script(
        token_from_lwa(),
        no_slot("createRestrictedDataToken"),
        rdt_request(items, 503, UNAVAILABLE),
        expect(Sleep),
        no_slot("createRestrictedDataToken"),
        rdt_request(items, 503, UNAVAILABLE),
        expect(Sleep),
        no_slot("createRestrictedDataToken"),
        rdt_request(items, 503, UNAVAILABLE),
        no_slot("getOrderItems"),
        sp_api("getOrderItems", 200, {"payload": {"OrderItems": []}}),
    )
    with caplog.at_level(logging.WARNING, logger="amazon_connector"):
        script.run(caller.plan("getOrderItems", {"orderId": "111-1"}))
    assert "the Restricted Data Token request failed" in caplog.text
    # not remembered as a refusal: the next call asks again
    Script(
        no_slot("createRestrictedDataToken"),
        rdt_request(items),
        no_slot("getOrderItems"),
        sp_api("getOrderItems", 200, {"payload": {"OrderItems": []}}, token=RDT),
    ).run(caller.plan("getOrderItems", {"orderId": "111-2"}))


def test_a_refused_optional_rdt_is_remembered_and_logged_once(caller, clock, caplog):
    items = "/orders/v0/orders/{orderId}/orderItems"
    plain: dict[str, Any] = {"payload": {"OrderItems": []}}
    with caplog.at_level(logging.WARNING, logger="amazon_connector"):
        Script(
            token_from_lwa(),
            no_slot("createRestrictedDataToken"),
            rdt_request(items, 403, DENIED),
            no_slot("getOrderItems"),
            sp_api("getOrderItems", 200, plain),
        ).run(caller.plan("getOrderItems", {"orderId": "111-1"}))
        for order in ("111-2", "111-3"):
            Script(no_slot("getOrderItems"), sp_api("getOrderItems", 200, plain)).run(
                caller.plan("getOrderItems", {"orderId": order})
            )
    assert caplog.text.count("refused a Restricted Data Token") == 1
    clock.advance(3601)  # a while later it is asked for again
    Script(
        token_from_lwa("Atza|later"),
        no_slot("createRestrictedDataToken"),
        rdt_request(items),
        no_slot("getOrderItems"),
        sp_api("getOrderItems", 200, plain, token=RDT),
    ).run(caller.plan("getOrderItems", {"orderId": "111-4"}))


def test_a_required_rdt_refused_names_the_missing_role(caller):
    script = Script(
        token_from_lwa(),
        no_slot("createRestrictedDataToken"),
        rdt_request("/orders/v0/orders/{orderId}/address", 403, DENIED),
    )
    with pytest.raises(MissingRoleError) as info:
        script.run(caller.plan("getOrderAddress", {"orderId": "111-1"}))
    assert info.value.roles == ["Direct-to-Consumer Shipping (Restricted)"]


# --- rate-limit slots ------------------------------------------------------------------------------


def test_a_slot_further_away_than_the_call_may_wait_is_a_clear_throttled_error(clock):
    caller = make_caller(clock, CallPolicy(deadline=900.0))
    script = Script(token_from_lwa(), expect(Reserve, TooFar(2100.0, UsagePlan(0.5, 30)), max_wait=900.0))
    with pytest.raises(ThrottledError) as info:
        script.run(caller.plan("getOrderItems", {"orderId": "1"}, ()))
    assert "its rate-limit slot is 2100 s away, more than the 900 s this call may wait" in str(info.value)
    assert "usage plan 0.5 calls/s, burst 30" in str(info.value)
    assert "max_wait" in str(info.value)
    script = Script(expect(Reserve, TooFar(90.0, UsagePlan(0.5, 30)), max_wait=60.0))
    with pytest.raises(ThrottledError, match="90 s away, more than the 60 s"):
        script.run(caller.plan("getOrderItems", {"orderId": "1"}, (), max_wait=60.0))
    bounded = make_caller(clock, CallPolicy(max_wait=5.0))
    with pytest.raises(ThrottledError, match="more than the 5 s"):
        Script(token_from_lwa(), expect(Reserve, TooFar(9.0, UsagePlan(0.5, 30)), max_wait=5.0)).run(
            bounded.plan("getOrderItems", {"orderId": "1"}, ())
        )


def test_a_long_wait_for_a_slot_is_logged_when_it_starts(caller, clock, caplog):
    usage = UsagePlan(0.5, 30)
    waiting = Reservation("k", usage, Slot(1, 40, 80.0), ready_at=clock.monotonic() + 30.0)
    ready = Reservation("k", usage, Slot(1, 40, 80.0), ready_at=clock.monotonic() + 30.0)
    script = Script(
        token_from_lwa(),
        expect(Reserve, waiting),
        expect(Sleep, lambda effect: clock.sleep_until(effect.until), until=waiting.ready_at),
        expect(Recheck, ready, reservation=waiting),
        sp_api("getOrderItems", 200, {"payload": {"OrderItems": []}}),
    )
    with caplog.at_level(logging.INFO, logger="amazon_connector.runtime.waits"):
        script.run(caller.plan("getOrderItems", {"orderId": "1"}, ()))
    assert "getOrderItems waits 30 s for its rate-limit slot" in caplog.text


def test_a_slot_missed_by_the_time_its_reservation_comes_back_is_taken_again(caller, clock):
    # the slot was due 5 s ago (the store was slow to answer): more than an interval (2 s) late
    missed = Reservation("k", UsagePlan(0.5, 30), Slot(1, 40, 80.0), ready_at=clock.monotonic() - 5.0)
    again = Reservation("k", UsagePlan(0.5, 30), Slot(2, 0, 0.0), ready_at=clock.monotonic())
    script = Script(
        token_from_lwa(),
        expect(Reserve, missed),
        expect(Recheck, again, reservation=missed),
        sp_api("getOrderItems", 200, {"payload": {"OrderItems": []}}),
        expect(Settle, settlement=lambda s: s.reservation == again),
    )
    script.run(caller.plan("getOrderItems", {"orderId": "1"}, ()))
    on_time = Reservation("k", UsagePlan(0.5, 30), Slot(1, 41, 82.0), ready_at=clock.monotonic() - 1.0)
    Script(expect(Reserve, on_time), sp_api("getOrderItems", 200, {"payload": {"OrderItems": []}})).run(
        caller.plan("getOrderItems", {"orderId": "2"}, ())
    )


def test_a_call_cancelled_while_it_waits_gives_its_slot_back(caller, clock):
    waiting = Reservation("k", UsagePlan(1.0, 10), Slot(1, 0, 0.0), ready_at=clock.monotonic() + 3.0)
    script = Script(
        token_from_lwa(),
        expect(Reserve, waiting),
        expect(Sleep, raises=asyncio.CancelledError()),
        expect(Settle, settlement=lambda s: s.reservation == waiting and not s.throttled),
    )
    with pytest.raises(asyncio.CancelledError):
        script.run(caller.plan("getMarketplaceParticipations", {}))


# --- tokens -----------------------------------------------------------------------------------------


class NoSource:
    """A secret source the script answers for: it is never asked directly."""

    def current(self) -> str:
        raise AssertionError("the plan must ask through an effect")

    def replacement(self, refused: str) -> str | None:
        raise AssertionError("the plan must ask through an effect")


def form_secret(request: httpx.Request) -> str:
    return parse_qs(request.read().decode())["client_secret"][0]


def test_lwa_reads_the_current_secret_and_retries_once_with_the_replacement(clock):
    lwa = LwaClient(LwaCredentials(TOKEN_URL, "id", "old"), HttpClients(), clock=clock, secrets=NoSource())
    refused = {"error": "invalid_client", "error_description": "Client authentication failed"}
    script = Script(
        expect(CurrentSecret, "s1"),
        expect(Send, answer(401, refused), request=lambda r: form_secret(r) == "s1"),
        expect(ReplacementSecret, "s2", refused="s1"),
        expect(
            Send,
            answer(200, {"access_token": "Atza|t", "expires_in": 3600}),
            request=lambda r: form_secret(r) == "s2",
        ),
    )
    token = script.run(lwa.exchange(refresh_grant("Atzr|r")))
    assert token.value == "Atza|t"


class NoStore:
    def load_token(self, cache_key: str) -> Any:
        raise AssertionError("the plan must ask through an effect")

    def save_token(self, cache_key: str, subject: str, token: str, expires_at: Any) -> None:
        raise AssertionError("the plan must ask through an effect")

    def forget_tokens(self, subject: str) -> None:
        raise AssertionError("the plan must ask through an effect")


def test_the_token_store_is_read_and_written_through_effects_and_one_caller_fetches(clock):
    cache = TokenCache(NoStore(), clock=clock)
    expires = clock.now().replace(year=2030)

    def fetch() -> Plan[AccessToken]:
        value = yield Send(httpx.Request("POST", TOKEN_URL), "Login with Amazon", HttpClients())
        return AccessToken(value, expires)

    leader = cache.get("k", "s", fetch)
    assert isinstance(next(leader), LoadToken)
    follower = cache.get("k", "s", fetch)
    joined = next(follower)
    assert isinstance(joined, Join)  # the second caller waits for the first one's flight
    assert isinstance(leader.send(None), Send)
    saved = leader.send("Atza|fetched")
    assert isinstance(saved, SaveToken)
    assert (saved.key, saved.subject, saved.token, saved.expires_at) == ("k", "s", "Atza|fetched", expires)
    with pytest.raises(StopIteration) as done:
        leader.send(None)
    assert done.value.value.value == "Atza|fetched"
    with pytest.raises(StopIteration) as followed:
        follower.send(joined.perform())
    assert followed.value.value.value == "Atza|fetched"
    assert cache.fetches == 1


# --- the drivers -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhereRun(Blocking[int]):
    blocking: bool

    @property
    def blocks(self) -> bool:
        return self.blocking

    def perform(self) -> int:
        return threading.get_ident()


def test_blocking_work_runs_off_the_event_loop_and_memory_work_on_it():
    def plan() -> Plan[tuple[int, int]]:
        off = yield WhereRun(True)
        on = yield WhereRun(False)
        return off, on

    async def main() -> tuple[int, int, int]:
        off, on = await arun(plan())
        return off, on, threading.get_ident()

    off, on, loop_thread = asyncio.run(main())
    assert off != loop_thread
    assert on == loop_thread
    assert run(plan()) == (threading.get_ident(), threading.get_ident())


@dataclass(frozen=True, slots=True)
class Failing(Blocking[None]):
    def perform(self) -> None:
        raise ZeroDivisionError


def test_a_failed_effect_is_thrown_into_the_plan_which_decides():
    def plan() -> Plan[str]:
        try:
            yield Failing()
        except ZeroDivisionError:
            return "handled"
        return "not reached"

    assert run(plan()) == "handled"
    assert asyncio.run(arun(plan())) == "handled"
