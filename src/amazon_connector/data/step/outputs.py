"""A step's two outputs, as the original product's OutputData and ErrorData: one record per answered input
record (Amazon's answer, pages merged; the key fields it was mapped from; its references), and one per
failed record in the shared ErrorData shape of ``data.results`` (object: the operation; code; message;
details: Amazon's other details; request ID; input: the mapped input and the references).

Both go through the shared destinations: JSON Lines by default (STEP.output.jsonl and STEP.errors.jsonl
beside the step file), CSV, Parquet, XML with its XSD, or a database table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amazon_connector.data.records import Column, RecordSet
from amazon_connector.data.results import ERRORS, Issue, PairedDestinations, RecordResult, error_row
from amazon_connector.data.sources import InputRecord
from amazon_connector.data.step.model import Step

OUTPUT = RecordSet(
    "output",
    [
        Column(
            "line",
            "integer",
            doc="The record's line in the input (its row number for SQL; 1 without a source).",
        ),
        Column("connection", "string", doc="The connection it was sent on."),
        Column("status", "integer", doc="The HTTP status of Amazon's answer."),
        Column("request_id", "string", doc="The x-amzn-RequestId of Amazon's answer."),
        Column("keys", "json", doc="The key fields: those mapped from the record, with their values."),
        Column("references", "json", doc="The SupplementaryReference columns: never sent to Amazon."),
        Column("answer", "json", doc="Amazon's answer (every page merged into one when pagination is on)."),
    ],
    primary_key=["line"],
    xml_row="Output",
    doc="OutputData: one row per answered input record.",
)


@dataclass(frozen=True, slots=True)
class Answered:
    """An answered record, as OutputData shows it."""

    line: int
    connection: str
    status: int
    request_id: str | None
    keys: dict[str, Any]
    references: dict[str, Any]
    answer: Any

    def row(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "connection": self.connection,
            "status": self.status,
            "request_id": self.request_id,
            "keys": self.keys or None,
            "references": self.references or None,
            "answer": self.answer,
        }


@dataclass(frozen=True, slots=True)
class Failed:
    """A failed record, as ErrorData shows it (``input``: the mapped input and the references)."""

    line: int
    issues: tuple[Issue, ...]
    input: dict[str, Any]
    key: str | None = None
    request_id: str | None = None

    def row(self, operation: str) -> dict[str, Any]:
        result = RecordResult(
            InputRecord(self.line, self.input), self.key, self.issues, request_id=self.request_id
        )
        return error_row(result, operation)


def _stem(step: Step) -> Path:
    if step.file is not None:
        return step.file.with_name(step.file.stem.removesuffix(".step"))
    return Path.cwd() / (re.sub(r"[^A-Za-z0-9_.-]+", "-", step.name).strip("-") or "step")


def output_targets(step: Step, output: str | None = None, errors: str | None = None) -> tuple[str, str]:
    """OutputData's and ErrorData's targets: as given, else the step's options, else beside the step
    file (relative paths from the step file's folder)."""

    def resolved(given: str | None, option: str | None, suffix: str) -> str:
        if given:
            return given
        if option:
            return option if "://" in option or option == "-" else str(step.folder / option)
        return f"{_stem(step)}.{suffix}.jsonl"

    return resolved(output, step.options.output, "output"), resolved(errors, step.options.errors, "errors")


class StepOutputs(PairedDestinations):
    """OutputData and ErrorData of one run, opened (so checked) before anything is sent; records are
    written in input order as soon as those before them are done (only the few that finish early are
    held), and both are left as they were unless ``commit`` is called."""

    FLUSH = 1000
    """Rows handed to a destination at once."""

    def __init__(self, output: str, errors: str, operation: str) -> None:
        super().__init__(output, OUTPUT, errors, ERRORS)
        self._operation = operation
        self._done: dict[int, Answered | Failed | None] = {}
        self._next = 0
        self._ready: dict[str, list[dict[str, Any]]] = {OUTPUT.name: [], ERRORS.name: []}

    def done(self, index: int, result: Answered | Failed | None) -> None:
        """The record at ``index`` (0, 1, … in input order) is done (None: it was not sent)."""
        self._done[index] = result
        while self._next in self._done:
            found = self._done.pop(self._next)
            self._next += 1
            if isinstance(found, Answered):
                self._ready[OUTPUT.name].append(found.row())
            elif isinstance(found, Failed):
                self._ready[ERRORS.name].append(found.row(self._operation))
        if any(len(rows) >= self.FLUSH for rows in self._ready.values()):
            self._flush()

    def _flush(self) -> None:
        for record_set in (OUTPUT, ERRORS):
            rows, self._ready[record_set.name] = self._ready[record_set.name], []
            if rows:
                self.write_rows(record_set, rows)

    def commit(self) -> None:
        self._flush()
        super().commit()
