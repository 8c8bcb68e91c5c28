"""What sending records to Amazon one by one shares: many calls in flight (the runtime paces them to the
usage plan), and Amazon's refusal of a call as issues of the record it carried."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from amazon_connector.api.catalog import Operation, dig
from amazon_connector.data.results import Issue
from amazon_connector.errors import ApiError, TransportError

IN_FLIGHT = 16
"""Calls kept open at once."""
SETTLED_STATUSES = frozenset({400, 404, 409, 413, 415, 422})
"""Refusals that are the record's own (its SKU, its values): another send would get the same. Any other
failure leaves the record unsettled, to be sent again by a rerun; 401 and 403 stop the run (the
credentials, not the records, are at fault)."""
T = TypeVar("T")
R = TypeVar("R")


async def gather_limited(
    items: Iterable[T], work: Callable[[T], Awaitable[R]], limit: int = IN_FLIGHT
) -> list[R]:
    """``work`` on every item, at most ``limit`` at once, results in the items' order."""
    gate = asyncio.Semaphore(limit)

    async def one(item: T) -> R:
        async with gate:
            return await work(item)

    return await asyncio.gather(*(one(item) for item in items))


async def for_each_limited(
    items: Iterable[T], work: Callable[[T], Awaitable[object]], limit: int = IN_FLIGHT
) -> None:
    """``work`` on every item, at most ``limit`` at once, items taken from ``items`` only as a place
    frees (a long input is never held); the first exception stops taking more and is raised once the
    calls in flight are done."""
    gate = asyncio.Semaphore(limit)
    running: set[asyncio.Future[object]] = set()
    errors: list[BaseException] = []

    def finished(task: asyncio.Future[object]) -> None:
        running.discard(task)
        gate.release()
        error = None if task.cancelled() else task.exception()
        if error is not None:
            errors.append(error)

    try:
        for item in items:
            await gate.acquire()
            if errors:
                break
            started = asyncio.ensure_future(work(item))
            running.add(started)
            started.add_done_callback(finished)
        await asyncio.gather(*running, return_exceptions=True)
    finally:
        for left in list(running):
            left.cancel()
    if errors:
        raise errors[0]


def refusal_issues(error: ApiError) -> tuple[Issue, ...]:
    """Amazon's errors of a refused call as issues (the message itself when it names none)."""
    found = tuple(
        Issue(
            str(e.get("code", error.status)),
            str(e.get("message", "")) + (f" ({e['details']})" if e.get("details") else ""),
        )
        for e in error.errors
    )
    return found or (Issue(f"HTTP{error.status}", error.message),)


def _field(issue: Mapping[str, Any], name: str) -> Any:
    """An issue's field, whatever its case (``code`` in one API, ``Code`` in another)."""
    return next((v for k, v in issue.items() if k.casefold() == name), None)


def answer_issues(operation: Operation, answer: Any) -> tuple[Issue, ...]:
    """The issues Amazon's 2xx answer carries, by the catalog's rule for the operation (its
    ``refusal``): when the answer refuses what was sent, with an ERROR among them (the status itself
    when Amazon names none); else its warnings, if any."""
    rule = operation.refusal
    if rule is None:
        return ()
    refused = rule.is_refused(answer)
    issues = tuple(
        Issue(
            str(_field(i, "code") or _field(i, "type") or "ISSUE"),
            str(_field(i, "message") or ""),
            str(_field(i, "severity") or ("ERROR" if refused else "WARNING")),
            ", ".join(_field(i, "attributenames") or []) or None,
        )
        for i in rule.issues_of(answer)
    )
    if refused and not any(i.severity == "ERROR" for i in issues):
        status = dig(answer, rule.status)
        issues += (Issue(str(status), f"Amazon answered {status} without naming an issue."),)
    return issues


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A call that got no answer to use: Amazon's refusal (``settled`` when it is the record's own) or no
    answer at all (never settled: Amazon may or may not have done it)."""

    issues: tuple[Issue, ...]
    request_id: str | None
    settled: bool


async def answered(call: Awaitable[R]) -> R | Unanswered:
    """The call's answer, or why there is none; a 401 or 403 is raised (it stops the run)."""
    try:
        return await call
    except ApiError as exc:
        if exc.status in (401, 403):
            raise
        return Unanswered(refusal_issues(exc), exc.request_id, exc.status in SETTLED_STATUSES)
    except TransportError as exc:
        issue = Issue(
            "NO_ANSWER",
            f"{exc.message} Amazon may or may not have done it; run the command again to send it again.",
        )
        return Unanswered((issue,), None, settled=False)
