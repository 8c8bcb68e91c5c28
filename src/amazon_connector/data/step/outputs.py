"""A step's two outputs, as the original product's OutputData and ErrorData: one record per answered input
record (Amazon's answer, pages merged; the key fields it was mapped from; its references), and one per
failed record in the shared ErrorData shape of ``data.results`` (object: the operation; code; message;
details: Amazon's other details; request ID; input: the mapped input and the references).

Both go through the shared destinations: JSON Lines by default (STEP.output.jsonl and STEP.errors.jsonl
beside the step file), CSV, Parquet, XML with its XSD, or a database table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amazon_connector.data.destinations import open_destination
from amazon_connector.data.records import Column, RecordSet
from amazon_connector.data.results import ERRORS, Issue, RecordResult, check_targets, error_row
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


class StepOutputs:
    """OutputData and ErrorData of one run, opened (so checked) before anything is sent, written at the
    end and left as they were unless ``write`` is called."""

    def __init__(self, output: str, errors: str) -> None:
        first, second = check_targets(output, errors)
        self._output = open_destination(first, OUTPUT)
        try:
            self._errors = open_destination(second, ERRORS)
        except BaseException:
            self._output.abort()
            raise

    def write(self, answered: Sequence[Answered], failed: Sequence[Failed], operation: str) -> None:
        self._output.write(OUTPUT, (a.row() for a in sorted(answered, key=lambda a: a.line)))
        self._errors.write(ERRORS, (f.row(operation) for f in sorted(failed, key=lambda f: f.line)))
        self._output.commit()
        self._errors.commit()

    def abort(self) -> None:
        self._output.abort()
        self._errors.abort()
