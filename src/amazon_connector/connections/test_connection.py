"""Test Connection: each step's result, as it happens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from amazon_connector.api.catalog import catalog
from amazon_connector.auth.authenticator import Authenticator
from amazon_connector.clock import Clock
from amazon_connector.connections.model import ConnectionRecord, Mode
from amazon_connector.connections.secret_status import SecretLevel, secret_status
from amazon_connector.connections.store import Store
from amazon_connector.errors import AmazonConnectorError, ApiError, ForbiddenError, LwaError
from amazon_connector.marketplaces import Marketplace
from amazon_connector.runtime.restricted import (
    DEFAULT_DATA_ELEMENTS,
    RDT_OPERATION,
    resource_for,
    roles_needed,
)
from amazon_connector.runtime.spapi import ApiResponse

RESTRICTED_CHECK = "orders/v0/getOrders"
"""The operation whose Restricted Data Token (with the default data elements) proves restricted access."""


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class CheckStep:
    name: str
    outcome: Outcome
    detail: str
    request_id: str | None = None

    @property
    def passed(self) -> bool:
        return self.outcome is not Outcome.FAIL


@dataclass(slots=True)
class TestReport:
    connection: str
    started_at: datetime
    steps: list[CheckStep] = field(default_factory=list)

    __test__ = False  # not a pytest test class

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.passed for step in self.steps)

    @property
    def summary(self) -> str:
        failed = [s.name for s in self.steps if not s.passed]
        return "all checks passed" if not failed else "failed: " + ", ".join(failed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "connection": self.connection,
            "ok": self.ok,
            "started_at": self.started_at.isoformat(),
            "steps": [
                {"name": s.name, "outcome": str(s.outcome), "detail": s.detail, "request_id": s.request_id}
                for s in self.steps
            ],
        }


class Tested(Protocol):
    """What Test Connection needs of a connection (see Connection)."""

    @property
    def name(self) -> str: ...
    @property
    def record(self) -> ConnectionRecord: ...
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def marketplace(self) -> Marketplace: ...
    @property
    def authenticator(self) -> Authenticator: ...
    def call(self, operation: str, /, **params: Any) -> ApiResponse: ...


def _failure(name: str, exc: AmazonConnectorError) -> CheckStep:
    request_id = exc.request_id if isinstance(exc, ApiError | LwaError) else None
    return CheckStep(name, Outcome.FAIL, str(exc), request_id)


def run_checks(connection: Tested) -> Iterator[CheckStep]:
    """Yield each step of Test Connection. The application's secret status is always reported, last."""
    yield from _access_checks(connection)
    application = connection.store.connections.get_by_id(connection.record.id).application
    status = secret_status(application, connection.clock.now()) if application else None
    if status is not None:
        outcome = {SecretLevel.OK: Outcome.PASS, SecretLevel.EXPIRED: Outcome.FAIL}.get(
            status.level, Outcome.WARN
        )
        yield CheckStep("Client secret age", outcome, status.message)


def _access_checks(connection: Tested) -> Iterator[CheckStep]:
    """The steps that talk to Amazon; they stop at the first failure that makes the rest meaningless."""
    record = connection.record
    if record.settings.missing() or record.settings.refresh_token is None:
        yield CheckStep("Settings", Outcome.FAIL, record.status_detail + ".")
        return

    try:
        token = connection.authenticator.new_access_token()
    except AmazonConnectorError as exc:
        yield _failure("Token exchange", exc)
        return
    minutes = int((token.expires_at - connection.clock.now()).total_seconds() // 60)
    yield CheckStep(
        "Token exchange", Outcome.PASS, f"Login with Amazon issued an access token ({minutes} min left)."
    )

    try:
        response = connection.call("sellers.getMarketplaceParticipations")
    except AmazonConnectorError as exc:
        yield _failure("getMarketplaceParticipations", exc)
        return
    participations = response.data if isinstance(response.data, list) else []
    codes = [str(p.get("marketplace", {}).get("countryCode", "?")) for p in participations]
    yield CheckStep(
        "getMarketplaceParticipations",
        Outcome.PASS,
        f"The seller has {len(participations)} marketplace(s): {', '.join(codes) or 'none'}.",
        response.request_id,
    )

    yield _country_step(connection, participations)

    if record.settings.mode is Mode.RESTRICTED:
        yield _restricted_step(connection)


def _country_step(connection: Tested, participations: list[Any]) -> CheckStep:
    marketplace = connection.marketplace
    for p in participations:
        market = p.get("marketplace", {}) if isinstance(p, dict) else {}
        if market.get("id") == marketplace.marketplace_id:
            if p.get("participation", {}).get("isParticipating", False):
                store = p.get("storeName") or "the seller's store"
                return CheckStep(
                    "Country", Outcome.PASS, f"{marketplace} is among the seller's marketplaces ({store})."
                )
            return CheckStep(
                "Country",
                Outcome.FAIL,
                f"The seller is registered in {marketplace} but does not participate there (selling is off).",
            )
    return CheckStep(
        "Country",
        Outcome.FAIL,
        f"{marketplace} is not among the seller's marketplaces. Choose one of the seller's countries, or "
        "authorise with the seller account that sells there.",
    )


def _restricted_step(connection: Tested) -> CheckStep:
    name = "Restricted Data Token"
    operation = catalog().get(RESTRICTED_CHECK)
    resource = resource_for(operation, {}, DEFAULT_DATA_ELEMENTS)
    assert resource is not None  # the operation takes these data elements (the catalog says so)
    asked = f"{operation.operation_id} ({', '.join(resource.data_elements)})"
    try:
        response = connection.call(RDT_OPERATION, body={"restrictedResources": [resource.as_json()]})
    except ForbiddenError as exc:
        roles = " and ".join(roles_needed(operation, resource))
        return CheckStep(
            name,
            Outcome.FAIL,
            f"Amazon refused a Restricted Data Token for {asked}: the app lacks the {roles} role. Request it "
            f"in Developer Central (Develop Apps > Edit App > Roles), then authorise again. ({exc})",
            exc.request_id,
        )
    except AmazonConnectorError as exc:
        return _failure(name, exc)
    body = response.data if isinstance(response.data, dict) else {}
    if not str(body.get("restrictedDataToken", "")).startswith("Atz.sprdt|"):
        return CheckStep(
            name, Outcome.FAIL, "Amazon's answer held no Restricted Data Token.", response.request_id
        )
    return CheckStep(
        name,
        Outcome.PASS,
        f"Created a Restricted Data Token for {asked}: restricted access works.",
        response.request_id,
    )


def collect(connection: Tested, on_step: Callable[[CheckStep], None] | None = None) -> TestReport:
    report = TestReport(connection.name, connection.store.clock.now())  # the store's, as it is kept there
    for step in run_checks(connection):
        report.steps.append(step)
        if on_step is not None:
            on_step(step)
    return report
