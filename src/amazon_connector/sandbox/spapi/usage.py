"""Usage plans: a token bucket per application, selling partner and operation, refilled on the clock."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from amazon_connector.api.catalog import Operation
from amazon_connector.clock import Clock


@dataclass(frozen=True, slots=True)
class UsagePlan:
    """``rate`` tokens per second flow into a bucket that holds ``burst``; each call takes one."""

    rate: float
    burst: int

    @property
    def header(self) -> str:
        """The ``x-amzn-RateLimit-Limit`` value."""
        return str(float(self.rate))


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class UsagePlans:
    """The usage-plan table (the catalog's rate and burst, unless overridden by qualified name) and
    the buckets."""

    def __init__(self, clock: Clock, overrides: Mapping[str, UsagePlan] | None = None) -> None:
        self.clock = clock
        self.overrides = dict(overrides or {})
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def usage_plan(self, operation: Operation) -> UsagePlan | None:
        """The operation's usage plan; None when the catalog gives none (then calls are not throttled)."""
        override = self.overrides.get(operation.qualified_name)
        if override is not None:
            return override
        if operation.rate is None or operation.burst is None:
            return None
        return UsagePlan(operation.rate, operation.burst)

    def take(self, client_id: str, selling_partner_id: str | None, operation: Operation) -> bool:
        """Take a token for one call; False when the bucket is empty (the call is throttled)."""
        plan = self.usage_plan(operation)
        if plan is None:
            return True
        now = self.clock.monotonic()
        key = (client_id, selling_partner_id or "", operation.qualified_name)
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket(float(plan.burst), now))
            bucket.tokens = min(float(plan.burst), bucket.tokens + (now - bucket.at) * plan.rate)
            bucket.at = now
            if bucket.tokens < 1.0:
                return False
            bucket.tokens -= 1.0
            return True
