"""The two drivers: one runs a plan in this thread, the other on the running event loop.

A plan is a generator of effects (effects.py). The driver performs each effect and sends its result
back, or throws its exception in (any exception, cancellation included, so that the plan can release
what it holds with further effects before it re-raises). Every decision lives in the plan, once.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

from amazon_connector.http.effects import Effect

R = TypeVar("R")

Plan = Generator[Effect[Any], Any, R]


def run(plan: Plan[R]) -> R:
    """Carry ``plan`` out in this thread."""
    value: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                effect = plan.send(value) if error is None else plan.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                value, error = effect.perform(), None
            except BaseException as exc:  # handed to the plan, which re-raises what it does not handle
                value, error = None, exc
    finally:
        plan.close()


async def arun(plan: Plan[R]) -> R:
    """Carry ``plan`` out on the running event loop."""
    value: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                effect = plan.send(value) if error is None else plan.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                value, error = await effect.aperform(), None
            except BaseException as exc:
                value, error = None, exc
    finally:
        plan.close()
