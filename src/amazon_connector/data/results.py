"""One result per input record of anything sent to Amazon, and the two record sets they are written as:
``results`` (every record: accepted, accepted with warnings, or refused) and ``errors`` (the refused
ones, in the shape of the original product's ErrorData: object, code, message, extended information,
the input record), each record named by its line in the input.

Both go through the shared destinations (``open_destination``): a file, a database table or the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Self

from amazon_connector.data.destinations import open_destination
from amazon_connector.data.records import Column, RecordSet
from amazon_connector.data.sources import InputRecord
from amazon_connector.data.targets import DestinationError, Target, parse_target


class Outcome(StrEnum):
    ACCEPTED = "ACCEPTED"
    WARNING = "WARNING"
    """Accepted, with warnings to look at."""
    ERROR = "ERROR"
    """Refused: nothing of it was applied."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with a record: Amazon's (its code and message) or found before sending (our code)."""

    code: str
    message: str
    severity: str = "ERROR"
    attribute: str | None = None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.attribute:
            found["attribute"] = self.attribute
        return found

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Issue:
        return cls(str(value["code"]), str(value["message"]), str(value["severity"]), value.get("attribute"))


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What became of one input record: ``via`` how it was sent (None: it was not), ``reference`` Amazon's
    name for it (``feed 60000000001 message 12``, a submission ID), ``request_id`` the answer's."""

    record: InputRecord
    key: str | None
    issues: tuple[Issue, ...] = ()
    via: str | None = None
    reference: str | None = None
    request_id: str | None = None
    sent: Mapping[str, Any] = field(default_factory=dict)
    """What was sent for it (e.g. the price and quantity), shown in the results."""

    @property
    def outcome(self) -> Outcome:
        severities = {i.severity for i in self.issues}
        if "ERROR" in severities:
            return Outcome.ERROR
        return Outcome.WARNING if "WARNING" in severities else Outcome.ACCEPTED

    @property
    def first_error(self) -> Issue | None:
        return next((i for i in self.issues if i.severity == "ERROR"), None)


def answer_of(result: RecordResult) -> dict[str, Any]:
    """What a run keeps of a settled record's result (see ``submissions``)."""
    return {
        "issues": [i.as_json() for i in result.issues],
        "via": result.via,
        "reference": result.reference,
        "request_id": result.request_id,
        "sent": _json_safe(dict(result.sent)),
    }


def from_answer(
    record: InputRecord, key: str | None, answer: Mapping[str, Any], sent: Mapping[str, Any]
) -> RecordResult:
    """A settled record's result as a run kept it (with what was sent as kept; else ``sent``, shown only
    for records that were sent)."""
    return RecordResult(
        record,
        key,
        tuple(Issue.from_json(i) for i in answer["issues"]),
        via=answer.get("via"),
        reference=answer.get("reference"),
        request_id=answer.get("request_id"),
        sent=answer["sent"] if "sent" in answer else sent if answer.get("via") else {},
    )


def refused(
    record: InputRecord, key: str | None, code: str, message: str, attribute: str | None = None
) -> RecordResult:
    """A record refused before anything was sent."""
    return RecordResult(record, key, (Issue(code, message, attribute=attribute),))


RESULTS = RecordSet(
    "results",
    [
        Column("line", "integer", doc="The record's line in the input (its row number for SQL)."),
        Column("key", "string", doc="What the record is about: the SKU, the order ID."),
        Column(
            "outcome", "string", nullable=False, doc="ACCEPTED, WARNING (accepted with warnings) or ERROR."
        ),
        Column("via", "string", doc="How it was sent (patch, feed, confirmShipment); empty when it was not."),
        Column("reference", "string", doc="Amazon's name for it: feed and message ID, submission ID."),
        Column("request_id", "string", doc="The x-amzn-RequestId of Amazon's answer."),
        Column("code", "string", doc="The first error's code."),
        Column("message", "string", doc="The first error's message."),
        Column("sent", "json", doc="What was sent for the record."),
        Column("issues", "json", doc="Every error and warning: code, severity, message, attribute."),
        Column("input", "json", doc="The input record as it was read."),
    ],
    primary_key=["line"],
    doc="One row per input record.",
)
ERRORS = RecordSet(
    "errors",
    [
        Column("line", "integer", doc="The record's line in the input (its row number for SQL)."),
        Column("key", "string", doc="What the record is about: the SKU, the order ID."),
        Column("object", "string", nullable=False, doc="What was being sent: listings, shipments, …"),
        Column(
            "code",
            "string",
            nullable=False,
            doc="Amazon's error code, or ours for a record refused before sending.",
        ),
        Column("message", "string", nullable=False, doc="What is wrong."),
        Column("details", "string", doc="More: the reference, the attribute, the record's other errors."),
        Column("request_id", "string", doc="The x-amzn-RequestId of Amazon's answer."),
        Column("input", "json", doc="The input record as it was read."),
    ],
    primary_key=["line"],
    xml_row="Error",
    doc="One row per refused input record.",
)


def _json_safe(value: Any) -> Any:
    """An input value as JSON (decimals, times and other database values as text)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def result_row(result: RecordResult) -> dict[str, Any]:
    first = result.first_error
    return {
        "line": result.record.line,
        "key": result.key,
        "outcome": str(result.outcome),
        "via": result.via,
        "reference": result.reference,
        "request_id": result.request_id,
        "code": first.code if first else None,
        "message": first.message if first else None,
        "sent": _json_safe(dict(result.sent)) if result.sent else None,
        "issues": [i.as_json() for i in result.issues] if result.issues else None,
        "input": _json_safe(result.record.values) if result.record.values else None,
    }


def error_row(result: RecordResult, object_name: str) -> dict[str, Any]:
    first = result.first_error
    assert first is not None
    others = [i for i in result.issues if i is not first]
    details = [result.reference]
    details += [f"attribute {first.attribute}" if first.attribute else None]
    details += [f"{i.severity.lower()} {i.code}: {i.message}" for i in others]
    return {
        "line": result.record.line,
        "key": result.key,
        "object": object_name,
        "code": first.code,
        "message": first.message,
        "details": "; ".join(d for d in details if d) or None,
        "request_id": result.request_id,
        "input": _json_safe(result.record.values) if result.record.values else None,
    }


@dataclass(frozen=True, slots=True)
class Tally:
    """How many records were accepted, accepted with warnings, refused."""

    accepted: int = 0
    warnings: int = 0
    errors: int = 0

    @property
    def records(self) -> int:
        return self.accepted + self.warnings + self.errors

    def __str__(self) -> str:
        return f"{self.records} records: {self.accepted} accepted, {self.warnings} with warnings, {self.errors} refused"


def tally(results: Iterable[RecordResult]) -> Tally:
    counts = dict.fromkeys(Outcome, 0)
    for result in results:
        counts[result.outcome] += 1
    return Tally(counts[Outcome.ACCEPTED], counts[Outcome.WARNING], counts[Outcome.ERROR])


def check_targets(results: str | Target, errors: str | Target) -> tuple[Target, Target]:
    """The two targets, refused before anything is sent when they are one and the same."""
    first = parse_target(results) if isinstance(results, str) else results
    second = parse_target(errors) if isinstance(errors, str) else errors
    if first.key == second.key and first.format.value != "table":
        raise DestinationError(
            "The results and the errors must go to different places.",
            destination=first.shown,
            hint="Give --errors another file or table prefix.",
        )
    return first, second


class PairedDestinations:
    """Two destinations of one run (the records, and the errors), opened (so checked) before anything is
    sent; left as they were unless ``commit`` is called."""

    def __init__(
        self, to: str | Target, records: RecordSet, errors_to: str | Target, errors: RecordSet
    ) -> None:
        target, errors_target = check_targets(to, errors_to)
        self._sets = {records.name: records, errors.name: errors}
        self._first = open_destination(target, records)
        try:
            self._second = open_destination(errors_target, errors)
        except BaseException:
            self._first.abort()
            raise
        self._by_set = {records.name: self._first, errors.name: self._second}

    def write_rows(self, record_set: RecordSet, rows: Iterable[Mapping[str, Any]]) -> int:
        return self._by_set[record_set.name].write(record_set, rows)

    def commit(self) -> None:
        self._first.commit()
        self._second.commit()

    def abort(self) -> None:
        """Leave both destinations as they were (nothing happens after ``commit``)."""
        self._first.abort()
        self._second.abort()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()


class ResultFiles(PairedDestinations):
    """The results and the errors destinations of one run, written once at the end."""

    def __init__(self, to: str | Target, errors_to: str | Target) -> None:
        super().__init__(to, RESULTS, errors_to, ERRORS)

    def write(self, results: Iterable[RecordResult], object_name: str) -> Tally:
        """Every result, and the refused ones as errors, in line order; both committed."""
        ordered = sorted(results, key=lambda r: r.record.line)
        self.write_rows(RESULTS, (result_row(r) for r in ordered))
        self.write_rows(ERRORS, (error_row(r, object_name) for r in ordered if r.outcome is Outcome.ERROR))
        self.commit()
        return tally(ordered)


def write_results(
    results: Iterable[RecordResult], *, to: str | Target, errors_to: str | Target, object_name: str
) -> Tally:
    """Write every result to ``to`` and the refused ones to ``errors_to`` (both replaced), in line order."""
    with ResultFiles(to, errors_to) as files:
        return files.write(results, object_name)
