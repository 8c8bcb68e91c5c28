"""Fault injection: some SP-API requests fail the way networks and Amazon do, chosen by a seeded draw.

Syntax (``--faults``): comma-separated ``kind=probability``, with ``@seconds`` for ``slow``, e.g.
``500=0.05,503=0.05,reset=0.02,slow=0.02@2.0``. Kinds:

* ``500`` / ``503``: InternalFailure / ServiceUnavailable, the request is **not** processed;
* ``500-after``: processed, then answered 500 (Amazon did it, but the answer was lost);
* ``reset``: the connection is closed without an answer, the request is **not** processed;
* ``reset-after``: processed, then the connection is closed without an answer;
* ``slow``: processed, then the answer waits ``@seconds`` of real time (default 5) so a client's
  timeout fires.

One draw per SP-API request, in the order requests arrive: the same seed and request order give the
same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from amazon_connector.errors import ConfigurationError

KINDS = ("500", "503", "500-after", "reset", "reset-after", "slow")
DEFAULT_SLOW_SECONDS = 5.0
SYNTAX_HINT = (
    "Write kind=probability pairs separated by commas, e.g. 500=0.05,503=0.05,reset=0.02,slow=0.02@2.0; kinds: "
    + ", ".join(KINDS)
    + "."
)


@dataclass(frozen=True, slots=True)
class Fault:
    """One kind of fault and how often it strikes; ``delay`` is the real-time wait of ``slow``."""

    kind: str
    probability: float
    delay: float = 0.0


def _fault(item: str) -> Fault:
    kind, sep, value = item.partition("=")
    kind = kind.strip()
    if not sep or kind not in KINDS:
        raise ConfigurationError(f"Fault {item.strip()!r} is not valid.", field="faults", hint=SYNTAX_HINT)
    probability_text, at, delay_text = value.partition("@")
    if at and kind != "slow":
        raise ConfigurationError(f"Only slow takes @seconds, not {kind}.", field="faults", hint=SYNTAX_HINT)
    try:
        probability = float(probability_text)
        delay = float(delay_text) if at else (DEFAULT_SLOW_SECONDS if kind == "slow" else 0.0)
    except ValueError:
        raise ConfigurationError(
            f"Fault {item.strip()!r} is not valid.", field="faults", hint=SYNTAX_HINT
        ) from None
    if not 0.0 <= probability <= 1.0 or delay < 0:
        raise ConfigurationError(
            f"Fault {item.strip()!r}: the probability must be between 0 and 1 and the delay not negative.",
            field="faults",
        )
    return Fault(kind, probability, delay)


def parse_faults(spec: str) -> tuple[Fault, ...]:
    """The faults of a ``--faults`` value; an empty value means none."""
    faults = tuple(_fault(item) for item in spec.split(",") if item.strip())
    kinds = [f.kind for f in faults]
    if len(set(kinds)) != len(kinds):
        raise ConfigurationError("Each fault kind may be given once.", field="faults", hint=SYNTAX_HINT)
    if sum(f.probability for f in faults) > 1.0:
        raise ConfigurationError("The fault probabilities add up to more than 1.", field="faults")
    return faults


class Faults:
    """Draws the fault (or none) for each SP-API request from a generator seeded with ``seed``."""

    def __init__(self, faults: tuple[Fault, ...] | str = (), seed: int = 0) -> None:
        self.faults = parse_faults(faults) if isinstance(faults, str) else faults
        self._random = random.Random(seed)  # noqa: S311 (reproducible faults, not security)
        self._lock = threading.Lock()

    def draw(self) -> Fault | None:
        if not self.faults:
            return None
        with self._lock:
            value = self._random.random()
        for fault in self.faults:
            if value < fault.probability:
                return fault
            value -= fault.probability
        return None
