"""Work the page runs in the background (Test Connection, a step's Run), so that its page can show it as it
goes: each run is followed by polling its page without JavaScript, or through ``run_events`` (server-sent
events) with it."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from amazon_connector.connections import CheckStep, TestReport
from amazon_connector.errors import AmazonConnectorError

KEPT_RUNS = 50
"""Finished runs remembered for their pages; older ones are forgotten."""
STREAM_POLL = 0.05
"""Seconds between two looks at a running run while streaming it."""

logger = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any]]
"""A server-sent event: its kind and its data."""


@dataclass
class BackgroundRun:
    """One piece of work the page started on a thread; ``owner`` is what it belongs to (a connection, a
    step file). Subclasses say which events a follower gets as it goes, and the ``done`` event's data."""

    id: str = field(default_factory=lambda: secrets.token_urlsafe(12), init=False)
    error: str | None = field(default=None, init=False)
    done: threading.Event = field(default_factory=threading.Event, init=False)

    @property
    def owner(self) -> str:
        raise NotImplementedError

    @property
    def finished(self) -> bool:
        return self.done.is_set()

    def events_after(self, position: int) -> tuple[int, list[Event]]:
        """The events a follower at ``position`` has not had yet, and its position after them."""
        raise NotImplementedError

    def outcome(self) -> dict[str, Any]:
        """The data of the last event, ``done``."""
        raise NotImplementedError


R = TypeVar("R", bound=BackgroundRun)


class StillRunning(Exception):
    """A run that must not run twice at once was started while ``run`` was still running."""

    def __init__(self, run: BackgroundRun) -> None:
        super().__init__(f"{run.owner} is still running")
        self.run = run


class Runs:
    """The runs this page started, by id."""

    def __init__(self) -> None:
        self._runs: dict[str, BackgroundRun] = {}
        self._lock = threading.Lock()

    def start(self, run: R, work: Callable[[], None], *, alone: bool = False) -> R:
        """Do ``work`` for ``run`` on a thread. ``alone``: StillRunning while another run of the same
        kind and owner has not finished."""
        with self._lock:
            running = self._running(type(run), run.owner) if alone else None
            if running is not None:
                raise StillRunning(running)
            finished = [key for key, old in self._runs.items() if old.finished]
            for key in finished[: max(0, len(self._runs) - KEPT_RUNS + 1)]:
                del self._runs[key]
            self._runs[run.id] = run

        def on_thread() -> None:
            try:
                work()
            except AmazonConnectorError as exc:
                run.error = str(exc)
            except Exception:
                logger.exception("%s %s stopped at an unexpected error", type(run).__name__, run.owner)
                run.error = (
                    "It stopped at an unexpected error; the page's log (amazon-connector -v ui) has it."
                )
            finally:
                run.done.set()

        threading.Thread(target=on_thread, name=f"{type(run).__name__}-{run.owner}", daemon=True).start()
        return run

    def running(self, kind: type[R], owner: str) -> R | None:
        """The run of ``kind`` for ``owner`` that has not finished, if any."""
        with self._lock:
            return self._running(kind, owner)

    def _running(self, kind: type[R], owner: str) -> R | None:
        for run in self._runs.values():
            if isinstance(run, kind) and run.owner == owner and not run.finished:
                return run
        return None

    def get(self, kind: type[R], owner: str, run_id: str) -> R | None:
        with self._lock:
            run = self._runs.get(run_id)
        return run if isinstance(run, kind) and run.owner == owner else None

    def test_connection(
        self, name: str, test: Callable[[Callable[[CheckStep], None]], TestReport]
    ) -> TestRun:
        """Run ``test(on_step)``; the run collects the steps as they come."""
        run = TestRun(name)

        def work() -> None:
            run.report = test(run.steps.append)

        return self.start(run, work)


async def run_events(run: BackgroundRun, start: int) -> AsyncIterator[str]:
    """Server-sent events: what ``run`` does from ``start`` on (see ``events_after``), then ``done``.
    Whether it finished is read before its events, so the events before the end are never missed."""
    position = max(0, start)
    while True:
        finished = run.finished
        position, events = run.events_after(position)
        for kind, data in events:
            yield _event(kind, data)
        if finished:
            yield _event("done", run.outcome())
            return
        await asyncio.sleep(STREAM_POLL)


def _event(kind: str, data: Mapping[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n"


# --- Test Connection -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunView:
    """A Test Connection as it stood at one moment: whether it had finished, and every step by then."""

    id: str
    finished: bool
    steps: tuple[CheckStep, ...]
    ok: bool
    summary: str

    __test__ = False  # not a pytest test class


@dataclass
class TestRun(BackgroundRun):
    """One Test Connection: the steps so far, then the report (or the error that stopped it)."""

    connection: str
    steps: list[CheckStep] = field(default_factory=list)
    report: TestReport | None = None

    __test__ = False  # not a pytest test class

    @property
    def owner(self) -> str:
        return self.connection

    @property
    def ok(self) -> bool:
        return self.report is not None and self.report.ok

    @property
    def summary(self) -> str:
        if self.error is not None:
            return self.error
        return self.report.summary if self.report is not None else "running…"

    def view(self) -> RunView:
        """The run now, consistent: ``finished`` is read before the steps are copied, so a run that
        finishes meanwhile shows as still running (its last steps come next time), never as finished
        with steps missing."""
        finished = self.done.is_set()
        return RunView(self.id, finished, tuple(self.steps), self.ok, self.summary)

    def events_after(self, position: int) -> tuple[int, list[Event]]:
        new = self.steps[position:]
        return position + len(new), [("step", _step(step)) for step in new]

    def outcome(self) -> dict[str, Any]:
        return {"ok": self.ok, "summary": self.summary}


def _step(step: CheckStep) -> dict[str, Any]:
    return {
        "name": step.name,
        "outcome": str(step.outcome),
        "detail": step.detail,
        "request_id": step.request_id,
    }
