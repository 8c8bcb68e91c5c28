"""One implementation for sync and async: logic written as a generator of Steps, run by either driver.

A plan yields a Step for anything that blocks (sending, sleeping, fetching a token); the sync driver
calls ``step.sync()``, the async driver awaits ``step.async_()``, and the result (or the exception)
goes back into the plan. Everything else, every decision, exists once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Step(Generic[T]):
    """Something that blocks, in its two forms."""

    sync: Callable[[], T]
    async_: Callable[[], Awaitable[T]]


Plan = Generator[Step[Any], Any, R]


def run(plan: Plan[R]) -> R:
    """Drive ``plan`` in this thread."""
    try:
        value: Any = None
        error: Exception | None = None
        while True:
            try:
                step = plan.throw(error) if error is not None else plan.send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                value, error = step.sync(), None
            except Exception as exc:  # handed to the plan, which decides
                value, error = None, exc
    finally:
        plan.close()


async def arun(plan: Plan[R]) -> R:
    """Drive ``plan`` on the running event loop."""
    try:
        value: Any = None
        error: Exception | None = None
        while True:
            try:
                step = plan.throw(error) if error is not None else plan.send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                value, error = await step.async_(), None
            except Exception as exc:
                value, error = None, exc
    finally:
        plan.close()
