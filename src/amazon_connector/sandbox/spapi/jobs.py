"""Reports and feeds being processed: IN_QUEUE, then IN_PROGRESS, then DONE (or FATAL), on the clock.

Every createReport and createFeed call makes exactly one record; tests read them through ``all()``.
A job's outcome and document are settled once, the first time it is looked at after processing ended.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from amazon_connector.clock import Clock

QUEUED = timedelta(seconds=10)
"""How long a job waits IN_QUEUE."""
PROCESSING = timedelta(seconds=20)
"""How long a job is IN_PROGRESS."""


@dataclass(slots=True)
class Job:
    """A report or a feed: its type, seller, marketplaces, options and, once settled, its document."""

    job_id: str
    job_type: str
    selling_partner_id: str
    marketplace_ids: list[str]
    created: datetime
    options: dict[str, str] = field(default_factory=dict)
    data_start: datetime | None = None
    data_end: datetime | None = None
    input_document_id: str | None = None
    cancelled: datetime | None = None
    outcome: str | None = None
    document_id: str | None = None
    document_ready: threading.Event | None = field(default=None, repr=False)
    """Set once the document is written (a large one takes a while: the job stays IN_PROGRESS)."""
    schedule_id: str | None = None

    @property
    def started(self) -> datetime:
        return self.created + QUEUED

    @property
    def finished(self) -> datetime:
        return self.started + PROCESSING

    def status(self, now: datetime) -> str:
        if self.cancelled is not None:
            return "CANCELLED"
        if now < self.started:
            return "IN_QUEUE"
        if now < self.finished or self.outcome is None:
            return "IN_PROGRESS"
        if self.document_ready is not None and not self.document_ready.is_set():
            return "IN_PROGRESS"
        return self.outcome


Settle = Callable[[Job], tuple[str, str | None]]
"""Decides a finished job's outcome (DONE or FATAL) and makes its document; returns both."""


class Jobs:
    """The reports (or the feeds) created since the emulator started."""

    def __init__(self, clock: Clock, first_id: int, settle: Settle) -> None:
        self.clock = clock
        self._ids = itertools.count(first_id)
        self._settle = settle
        self.due: Callable[[str], None] | None = None
        """Called with a seller's ID before its jobs are read: makes the jobs schedules were due to make."""
        self._jobs: dict[str, Job] = {}
        self._lock = threading.RLock()

    def create(
        self,
        job_type: str,
        selling_partner_id: str,
        marketplace_ids: list[str],
        options: dict[str, str] | None = None,
        *,
        data_start: datetime | None = None,
        data_end: datetime | None = None,
        input_document_id: str | None = None,
        created: datetime | None = None,
        schedule_id: str | None = None,
    ) -> Job:
        """A new job, created now (or at ``created``: one a schedule made while nobody looked)."""
        with self._lock:
            job = Job(
                str(next(self._ids)),
                job_type,
                selling_partner_id,
                marketplace_ids,
                created or self.clock.now(),
                dict(options or {}),
                data_start,
                data_end,
                input_document_id,
                schedule_id=schedule_id,
            )
            self._jobs[job.job_id] = job
        return job

    def _settled(self, job: Job) -> Job:
        if job.cancelled is None and job.outcome is None and self.clock.now() >= job.finished:
            job.outcome, job.document_id = self._settle(job)
        return job

    def settle_due(self) -> None:
        """Settle every job whose processing has ended, oldest first (finished feeds change listings)."""
        with self._lock:
            for job in self._jobs.values():
                self._settled(job)

    def get(self, job_id: str, selling_partner_id: str) -> Job | None:
        """The seller's job with that ID, settled if its processing has ended."""
        if self.due is not None:
            self.due(selling_partner_id)
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.selling_partner_id != selling_partner_id:
                return None
            return self._settled(job)

    def of(self, selling_partner_id: str) -> list[Job]:
        """The seller's jobs, newest first."""
        if self.due is not None:
            self.due(selling_partner_id)
        with self._lock:
            jobs = [
                self._settled(j) for j in self._jobs.values() if j.selling_partner_id == selling_partner_id
            ]
        return sorted(jobs, key=lambda j: (j.created, int(j.job_id)), reverse=True)

    def cancel(self, job: Job) -> bool:
        """Cancel a job still IN_QUEUE; False if it is past that."""
        with self._lock:
            if job.status(self.clock.now()) != "IN_QUEUE":
                return False
            job.cancelled = self.clock.now()
            return True

    def all(self) -> list[Job]:
        """Every job created, oldest first."""
        with self._lock:
            return list(self._jobs.values())
