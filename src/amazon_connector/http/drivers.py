"""The two drivers: one runs a plan in this thread, the other on the running event loop.

A plan is a generator of effects (effects.py). The driver performs each effect and sends its result
back, or throws its exception in (any exception, cancellation included, so that the plan can release
what it holds with further effects before it re-raises). Every decision lives in the plan, once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from amazon_connector.http.effects import Effect

R = TypeVar("R")
T = TypeVar("T")

Plan = Generator[Effect[Any], Any, R]


@dataclass(frozen=True, slots=True)
class Emit(Generic[T]):
    """What a streaming plan hands to its consumer: the drivers ``stream`` and ``astream`` yield it."""

    value: T


StreamPlan = Generator[Effect[Any] | Emit[T], Any, None]
"""A plan that yields effects to perform and values to hand on, a piece at a time."""


class Abandoned(Exception):
    """Thrown into a streaming plan whose consumer stopped early: it releases what it holds (with
    effects) and ends."""


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


def _settle(effect: Any) -> tuple[Any, BaseException | None]:
    try:
        return effect.perform(), None
    except BaseException as exc:
        return None, exc


async def _asettle(effect: Any) -> tuple[Any, BaseException | None]:
    try:
        return await effect.aperform(), None
    except BaseException as exc:
        return None, exc


def stream(plan: StreamPlan[T]) -> Iterator[T]:
    """Carry a streaming plan out in this thread, yielding what it emits as it emits it. A consumer
    that stops early (closes the iterator) has the plan release what it holds first."""
    value: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                item = plan.send(value) if error is None else plan.throw(error)
            except StopIteration:
                return
            if isinstance(item, Emit):
                value, error = None, None
                try:
                    yield item.value
                except GeneratorExit:
                    _unwind(plan)
                    raise
                continue
            value, error = _settle(item)
    finally:
        plan.close()


def _unwind(plan: StreamPlan[Any]) -> None:
    """Throw Abandoned in and perform the effects the plan yields to release what it holds."""
    error: BaseException | None = Abandoned()
    value: Any = None
    while True:
        try:
            item = plan.send(value) if error is None else plan.throw(error)
        except (StopIteration, Abandoned):
            return
        if isinstance(item, Emit):
            return
        value, error = _settle(item)


async def astream(plan: StreamPlan[T]) -> AsyncIterator[T]:
    """The async twin of stream: effects performed on the running event loop."""
    value: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                item = plan.send(value) if error is None else plan.throw(error)
            except StopIteration:
                return
            if isinstance(item, Emit):
                value, error = None, None
                try:
                    yield item.value
                except GeneratorExit:
                    await _aunwind(plan)
                    raise
                continue
            value, error = await _asettle(item)
    finally:
        plan.close()


async def _aunwind(plan: StreamPlan[Any]) -> None:
    error: BaseException | None = Abandoned()
    value: Any = None
    while True:
        try:
            item = plan.send(value) if error is None else plan.throw(error)
        except (StopIteration, Abandoned):
            return
        if isinstance(item, Emit):
            return
        value, error = await _asettle(item)
