"""Test Connection runs in the background, so that the page can show each step as it finishes."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from amazon_connector.connections import CheckStep, TestReport
from amazon_connector.errors import AmazonConnectorError

KEPT_RUNS = 50
"""Finished runs remembered for their pages; older ones are forgotten."""


@dataclass(frozen=True, slots=True)
class RunView:
    """A run as it stood at one moment: whether it had finished, and every step it had by then."""

    id: str
    finished: bool
    steps: tuple[CheckStep, ...]
    ok: bool
    summary: str

    __test__ = False  # not a pytest test class


@dataclass
class TestRun:
    """One Test Connection: the steps so far, then the report (or the error that stopped it)."""

    connection: str
    id: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    steps: list[CheckStep] = field(default_factory=list)
    report: TestReport | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    __test__ = False  # not a pytest test class

    @property
    def finished(self) -> bool:
        return self.done.is_set()

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


class TestRuns:
    """The runs this page started, by id."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._runs: dict[str, TestRun] = {}
        self._lock = threading.Lock()

    def start(self, name: str, test: Callable[[Callable[[CheckStep], None]], TestReport]) -> TestRun:
        """Run ``test(on_step)`` on a thread; the run collects the steps as they come."""
        run = TestRun(name)
        with self._lock:
            finished = [key for key, old in self._runs.items() if old.finished]
            for key in finished[: max(0, len(self._runs) - KEPT_RUNS + 1)]:
                del self._runs[key]
            self._runs[run.id] = run

        def work() -> None:
            try:
                run.report = test(run.steps.append)
            except AmazonConnectorError as exc:
                run.error = str(exc)
            finally:
                run.done.set()

        threading.Thread(target=work, name=f"test-connection-{name}", daemon=True).start()
        return run

    def get(self, name: str, run_id: str) -> TestRun | None:
        with self._lock:
            run = self._runs.get(run_id)
        return run if run is not None and run.connection == name else None
