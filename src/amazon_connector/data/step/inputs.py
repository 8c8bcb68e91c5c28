"""A step's records: none (one empty record: fixed values and variables only), a file, standard input, an
SQL query, or the OutputData another step's last run wrote, shaped into nested records when the step
says so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from amazon_connector.data.destinations import read_records
from amazon_connector.data.sources import InputRecord, Source, SourceError, open_source, open_stdin
from amazon_connector.data.step.model import Step, StepFileError
from amazon_connector.data.step.outputs import OUTPUT, output_targets
from amazon_connector.data.step.shaping import shape_records, taken_columns
from amazon_connector.data.targets import DestinationError


def open_step_source(step: Step, *, stdin: IO[bytes] | None = None) -> Source | None:
    """The step's source, checked so far as it can be before reading (None: the step has none)."""
    spec = step.source
    if spec is None:
        return None
    if spec.step is not None:
        return _earlier_step(step, spec.step)
    assert spec.path is not None
    if spec.path == "-":
        assert spec.format is not None
        return open_stdin(spec.format, encoding=spec.encoding, stream=stdin)
    text = spec.path if "://" in spec.path else str(step.folder / spec.path)
    return open_source(text, query=spec.query, encoding=spec.encoding)


def _earlier_step(step: Step, path: str) -> Source:
    from amazon_connector.data.step.model import load_step

    file = step.folder / path
    try:
        earlier = load_step(file)
    except StepFileError as exc:
        raise SourceError(
            f"The earlier step {file} cannot be read: {exc.message}", source=str(file)
        ) from None
    target = output_targets(earlier)[0]

    def records() -> Iterator[InputRecord]:
        try:
            for number, row in enumerate(read_records(target, OUTPUT), start=1):
                yield InputRecord(number, dict(row))
        except DestinationError as exc:
            raise SourceError(
                f"The OutputData of step {file} ({target}) cannot be read: {exc.message}",
                source=target,
                hint=f"Run that step first: amazon-connector step run {file}",
            ) from None

    return Source(target, tuple(c.name for c in OUTPUT.columns), records)


def step_records(step: Step, source: Source | None) -> Iterator[InputRecord]:
    """The step's records: one empty record without a source; shaped when the step shapes them."""
    if source is None:
        yield InputRecord(1, {})
        return
    shape = step.source.shape if step.source else None
    yield from shape_records(source, shape) if shape else source


def shaped_columns(step: Step, source: Source | None) -> tuple[str, ...] | None:
    """The names a record's values have (None when the source does not say, as JSON Lines)."""
    if source is None:
        return ()
    if source.columns is None:
        return None
    shape = step.source.shape if step.source else None
    if shape is None:
        return source.columns
    taken = taken_columns(shape)
    own = [c for c in source.columns if c not in taken and c not in shape.hide]
    return (*own, *shape.children)
