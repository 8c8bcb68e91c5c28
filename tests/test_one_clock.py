"""Times compared on one clock against an emulator whose time is far from real time (one that has run two
real days at scale 100 is 200 days ahead): report jobs and order jobs are stamped on the connection's
clock, client secrets age on their environment's, and the store's own bookkeeping stays on real time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from amazon_connector import Connections
from amazon_connector.clock import FollowedClock, ScaledClock
from amazon_connector.connections import Connection, SecretLevel
from amazon_connector.data.orders import OrderQuery, export_orders
from amazon_connector.data.orders.state import OrderState
from amazon_connector.data.reports import Reports
from amazon_connector.data.reports.jobs import ReportJobs
from amazon_connector.sandbox.server import RunningEmulator, running_emulator
from amazon_connector.sandbox.world import demo_world
from tests.conftest import app_settings, seller_in

SCALE = 100.0
AHEAD = timedelta(days=200)
"""Beyond Amazon's 180 days of a client secret and 90 days of a report."""
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
RESTRICTED_APP = "Demo Private App (restricted)"


def ahead_of_real_time(scale: float, by: timedelta) -> FollowedClock:
    """An emulator's clock that runs ``scale`` times faster than real time and is ``by`` ahead of it."""
    clock = FollowedClock()
    clock.follow(scale, datetime.now(UTC) + by, time.monotonic())
    return clock


@pytest.fixture
def far_ahead() -> Iterator[RunningEmulator]:
    with running_emulator(demo_world(), clock=ahead_of_real_time(SCALE, AHEAD)) as emulator:
        yield emulator


def connect(connections: Connections, emulator: RunningEmulator, name: str = "uk") -> Connection:
    app = next(a for a in emulator.world.credentials() if a["name"] == RESTRICTED_APP)
    connection = connections.add(
        name,
        country="UK",
        mode="restricted",
        refresh_token=seller_in(app, "UK")["refresh_token"],
        **app_settings(app, emulator),
    )
    connection.verify_refresh_token()
    return connections.get(name)


def requests(emulator: RunningEmulator, operation: str) -> int:
    return int(emulator.sandbox.stats.count(f"reports/2021-06-30/{operation}"))


def test_an_interrupted_report_is_resumed_not_asked_for_again(connections, far_ahead):
    c = connect(connections, far_ahead)
    reports = Reports(c)
    request = reports.request_for(LISTINGS)
    made = reports.finish(reports.request(request))  # done; the run stops before its rows are read
    assert made.status == "DONE"
    again = Reports(connections.get("uk")).get(request, reuse_age=timedelta(0))
    assert again.report_id == made.report_id
    assert (requests(far_ahead, "createReport"), requests(far_ahead, "getReports")) == (
        1,
        1,
    )  # the first run's
    assert abs(made.created_at - c.clock.now()) < timedelta(hours=1)  # the emulator's time, not ours


def test_report_jobs_are_forgotten_on_their_own_connection_s_clock(connections, far_ahead):
    with running_emulator(demo_world(), clock=ScaledClock(1.0)) as real_time:
        here = connect(connections, real_time, "here")
        kept = Reports(here).request(Reports(here).request_for(LISTINGS))
        there = connect(connections, far_ahead, "there")
        Reports(there).request(Reports(there).request_for(LISTINGS))  # 200 days on: forgets its own only
        jobs = ReportJobs(connections.store, here.clock).of(here.record.id)
    assert [j.report_id for j in jobs] == [kept.report_id]


def test_an_order_job_starts_on_the_connection_s_clock(connections, far_ahead):
    c = connect(connections, far_ahead)

    class Interrupted(Exception):
        pass

    def stop_after_a_page(progress: Any) -> None:
        if progress.pages:
            raise Interrupted

    query = OrderQuery(since=c.clock.now() - timedelta(days=31), path="api")
    with pytest.raises(Interrupted):
        export_orders(c, "-", query, on_progress=stop_after_a_page)
    (job,) = OrderState(connections.store, c.clock).jobs(c.record.id)
    assert abs(job.created_at - c.clock.now()) < timedelta(hours=1)  # the emulator's time


def test_a_client_secret_ages_on_its_emulator_s_clock_wherever_it_is_shown(connections, far_ahead, run):
    c = connect(connections, far_ahead)
    application = c.record.application
    assert application is not None
    assert application.secret_issued_at is not None
    assert abs(application.secret_issued_at - c.clock.now()) < timedelta(hours=1)
    (status,) = connections.applications.status()
    assert status.secret is not None
    assert (status.secret.days_old, status.secret.level) == (0, SecretLevel.OK)
    assert c.test().steps[-1].name == "Client secret age"
    assert c.test().steps[-1].outcome == "pass"
    listed = json.loads(run("connections", "list", "--json").stdout)
    assert listed[0]["client_secret_warning"] is None
    assert abs(datetime.fromisoformat(listed[0]["last_test_at"]) - datetime.now(UTC)) < timedelta(minutes=5)
    run("secrets", "status")  # exit code 0: more than 90 days left
