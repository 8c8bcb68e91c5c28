"""Usage plans and single-use keys, on a settable clock."""

from datetime import timedelta

from amazon_connector.api.catalog import catalog
from amazon_connector.clock import ManualClock, ScaledClock
from amazon_connector.sandbox.sellercentral.single_use import SingleUse
from amazon_connector.sandbox.spapi.usage import UsagePlan, UsagePlans


def test_plans_come_from_the_catalog_unless_overridden():
    participations = catalog().get("getMarketplaceParticipations")
    rdt = catalog().get("createRestrictedDataToken")
    plans = UsagePlans(ManualClock(), {"tokens/2021-03-01/createRestrictedDataToken": UsagePlan(5, 15)})
    assert plans.usage_plan(participations) == UsagePlan(0.016, 15)
    assert plans.usage_plan(rdt) == UsagePlan(5, 15)
    assert plans.usage_plan(rdt).header == "5.0"  # type: ignore[union-attr]
    unplanned = next(op for op in catalog().operations if op.rate is None)
    assert plans.usage_plan(unplanned) is None
    assert all(plans.take("c", "s", unplanned) for _ in range(100))


def test_bucket_refills_at_the_rate_up_to_the_burst():
    clock = ManualClock()
    plans = UsagePlans(clock)
    rdt = catalog().get("createRestrictedDataToken")
    assert [plans.take("c", "s", rdt) for _ in range(11)] == [True] * 10 + [False]
    clock.advance(2.5)
    assert [plans.take("c", "s", rdt) for _ in range(3)] == [True, True, False]
    clock.advance(3600)
    assert sum(plans.take("c", "s", rdt) for _ in range(20)) == 10
    assert plans.take("c", None, rdt)


def test_a_scaled_clock_refills_faster():
    plans = UsagePlans(ScaledClock(1e9))  # a microsecond of real time is a quarter of an hour
    rdt = catalog().get("createRestrictedDataToken")
    assert all(plans.take("c", "s", rdt) for _ in range(50))


def test_single_use_keys():
    clock = ManualClock()
    keys: SingleUse[str] = SingleUse(clock, timedelta(minutes=5), prefix="AN")
    first, second = keys.issue("one"), keys.issue("two")
    assert first.startswith("AN")
    assert first != second
    assert keys.take(first) == "one"
    assert keys.take(first) is None
    clock.advance(300)
    assert keys.take(second) is None
    assert keys.take("unknown") is None
