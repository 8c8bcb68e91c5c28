"""Request counts for tests and benchmarks: per SP-API operation and outcome (an HTTP status or a fault)."""

from __future__ import annotations

import threading
from collections import Counter

RESET = "reset"
"""The outcome of a request whose connection was dropped without an answer."""


class Stats:
    """Counts SP-API requests by operation qualified name and outcome; thread-safe."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def record(self, operation: str, outcome: int | str) -> None:
        with self._lock:
            self._counts[(operation, str(outcome))] += 1

    def count(self, operation: str | None = None, outcome: int | str | None = None) -> int:
        """Requests of ``operation`` (a qualified name, e.g. ``orders/v0/getOrders``) with ``outcome``;
        None matches any."""
        with self._lock:
            return sum(
                n
                for (op, out), n in self._counts.items()
                if (operation is None or op == operation) and (outcome is None or out == str(outcome))
            )

    @property
    def throttled(self) -> int:
        """How many requests were answered 429 QuotaExceeded."""
        return self.count(outcome=429)

    def snapshot(self) -> dict[str, dict[str, int]]:
        """``{operation: {outcome: count}}``, as ``GET /_sandbox/stats`` shows it."""
        with self._lock:
            table: dict[str, dict[str, int]] = {}
            for (op, out), n in sorted(self._counts.items()):
                table.setdefault(op, {})[out] = n
            return table

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
