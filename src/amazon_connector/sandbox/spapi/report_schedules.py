"""Report schedules: each makes a report of its type every period, on the clock.

Sellers' own schedules come from createReportSchedule; every seller also has Amazon's automatic
settlement reports (every 14 days, the first made 13 days before the emulator started). Reports a
schedule was due to make are made when the seller's reports are next looked at, with the time they were
due as their creation time (at most ``CATCH_UP`` of them per schedule: the most recent).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from amazon_connector.api.report_types import report_types
from amazon_connector.clock import Clock
from amazon_connector.sandbox.spapi.jobs import Jobs
from amazon_connector.sandbox.world import World

PERIODS = {
    "PT5M": timedelta(minutes=5),
    "PT15M": timedelta(minutes=15),
    "PT30M": timedelta(minutes=30),
    "PT1H": timedelta(hours=1),
    "PT2H": timedelta(hours=2),
    "PT4H": timedelta(hours=4),
    "PT8H": timedelta(hours=8),
    "PT12H": timedelta(hours=12),
    "P1D": timedelta(days=1),
    "P2D": timedelta(days=2),
    "P3D": timedelta(days=3),
    "PT84H": timedelta(hours=84),
    "P7D": timedelta(days=7),
    "P14D": timedelta(days=14),
    "P15D": timedelta(days=15),
    "P18D": timedelta(days=18),
    "P30D": timedelta(days=30),
    "P1M": timedelta(days=30),
}
"""The periods createReportSchedule accepts (P1M taken as 30 days)."""
SETTLEMENT_PERIOD = "P14D"
FIRST_SETTLEMENT = timedelta(days=13)
"""The first automatic settlement report is made this long before the emulator started."""
CATCH_UP = 10


@dataclass(slots=True)
class Schedule:
    schedule_id: str
    selling_partner_id: str
    report_type: str
    marketplace_ids: list[str]
    options: dict[str, str]
    period: str
    next_time: datetime
    automatic: bool = False
    cancelled: bool = field(default=False)


class Schedules:
    """Every seller's report schedules, making reports into ``reports``."""

    def __init__(self, world: World, clock: Clock, reports: Jobs) -> None:
        self.world = world
        self.clock = clock
        self.reports = reports
        self._ids = itertools.count(1)
        self._schedules: dict[str, Schedule] = {}
        self._lock = threading.Lock()
        start = clock.now() - FIRST_SETTLEMENT
        automatic = [t.name for t in report_types() if t.automatic]
        for seller in world.sellers:
            for report_type in automatic:
                self._add(
                    seller.selling_partner_id,
                    report_type,
                    marketplace_ids=[seller.marketplaces()[0].marketplace_id],
                    options={},
                    period=SETTLEMENT_PERIOD,
                    first=start,
                    automatic=True,
                )

    def _add(
        self,
        seller_id: str,
        report_type: str,
        *,
        marketplace_ids: list[str],
        options: dict[str, str],
        period: str,
        first: datetime,
        automatic: bool = False,
    ) -> Schedule:
        schedule_id = str(50_000 + next(self._ids))
        schedule = Schedule(
            schedule_id, seller_id, report_type, marketplace_ids, options, period, first, automatic
        )
        self._schedules[schedule.schedule_id] = schedule
        return schedule

    def create(
        self,
        seller_id: str,
        report_type: str,
        *,
        marketplace_ids: list[str],
        options: dict[str, str],
        period: str,
        first: datetime | None,
    ) -> Schedule:
        """A seller's schedule (one per report type, marketplaces and options: a new one replaces the old)."""
        with self._lock:
            for old in self._schedules.values():
                if (old.selling_partner_id, old.report_type, old.marketplace_ids, old.options) == (
                    seller_id, report_type, marketplace_ids, options,
                ) and not old.automatic:  # fmt: skip
                    old.cancelled = True
            return self._add(
                seller_id,
                report_type,
                marketplace_ids=marketplace_ids,
                options=options,
                period=period,
                first=first or self.clock.now() + PERIODS[period],
            )

    def of(self, seller_id: str) -> list[Schedule]:
        """The seller's own schedules (not Amazon's automatic ones), oldest first."""
        with self._lock:
            return [
                s
                for s in self._schedules.values()
                if s.selling_partner_id == seller_id and not s.automatic and not s.cancelled
            ]

    def get(self, seller_id: str, schedule_id: str) -> Schedule | None:
        with self._lock:
            found = self._schedules.get(schedule_id)
        if found is None or found.selling_partner_id != seller_id or found.automatic or found.cancelled:
            return None
        return found

    def cancel(self, schedule: Schedule) -> None:
        with self._lock:
            schedule.cancelled = True

    def catch_up(self, seller_id: str) -> None:
        """Make the reports the seller's schedules were due to make until now."""
        now = self.clock.now()
        due: list[tuple[Schedule, datetime]] = []
        with self._lock:
            for schedule in self._schedules.values():
                if schedule.selling_partner_id != seller_id or schedule.cancelled:
                    continue
                period = PERIODS[schedule.period]
                times = []
                while schedule.next_time <= now:
                    times.append(schedule.next_time)
                    schedule.next_time += period
                due += [(schedule, at) for at in times[-CATCH_UP:]]
        for schedule, at in sorted(due, key=lambda d: d[1]):
            self.reports.create(
                schedule.report_type,
                seller_id,
                schedule.marketplace_ids,
                schedule.options,
                data_start=at - PERIODS[schedule.period],
                data_end=at,
                created=at,
                schedule_id=schedule.schedule_id,
            )
