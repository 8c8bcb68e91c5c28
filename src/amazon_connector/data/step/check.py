"""``check_step``: everything that can be known about a step without calling Amazon — the operation
exists, every mapped field is one of its fields, fixed values convert, every required field is mapped,
the connection exists and is complete, the source can be read and has the columns the step names, and
every record maps (each problem placed at the record's line in the source)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Literal

from amazon_connector.api.shapes import Schema
from amazon_connector.data.sources import Source, SourceError
from amazon_connector.data.step.fields import ANY_INDEX, BODY, generic
from amazon_connector.data.step.inputs import open_step_source, shaped_columns, step_records
from amazon_connector.data.step.mapping import (
    TEMPLATE,
    CompiledMapping,
    MappedRecord,
    compile_mapping,
    flattened,
    map_record,
    variable_value,
)
from amazon_connector.data.step.model import FieldSpec, Problem, Step, dotted_path
from amazon_connector.data.step.shaping import shape_columns
from amazon_connector.errors import ConfigurationError

if TYPE_CHECKING:
    from amazon_connector.api.catalog import Catalog
    from amazon_connector.connections import Connections

MAX_RECORD_PROBLEMS = 50
"""Records' problems listed at most (the rest counted)."""


def check_step(
    step: Step,
    catalog: Catalog | None = None,
    *,
    connections: Connections | None = None,
    variables: Mapping[str, str] | None = None,
    stdin: IO[bytes] | None = None,
) -> list[Problem]:
    """Every problem of ``step``, each with its place; nothing is sent. ``catalog`` defaults to the
    package's; with ``connections`` a fixed connection is looked up."""
    given = dict(variables or {})
    mapping, problems = compile_mapping(step, catalog)
    source, more = static_problems(step, mapping, connections, given, stdin)
    problems += more
    if mapping is not None and source is not False and not problems:
        problems += record_problems(step, mapping, source, given)
    return problems


def static_problems(
    step: Step,
    mapping: CompiledMapping | None,
    connections: Connections | None,
    variables: Mapping[str, str],
    stdin: IO[bytes] | None,
) -> tuple[Source | Literal[False] | None, list[Problem]]:
    """The step's source (False: it cannot be read) and the problems found without reading records."""
    problems = connection_problems(step, connections, variables)
    try:
        source = open_step_source(step, stdin=stdin)
    except SourceError as exc:
        return False, [*problems, Problem(step.place("source"), str(exc))]
    columns = shaped_columns(step, source)
    problems += column_problems(step, source, columns, variables)
    if mapping is not None:
        problems += required_problems(step, mapping, columns)
    return source, problems


def connection_problems(
    step: Step, connections: Connections | None, variables: Mapping[str, str]
) -> list[Problem]:
    """A fixed connection that does not exist or is Configuration Incomplete (one named per record is
    checked as each record is sent)."""
    if connections is None or TEMPLATE.search(step.connection):
        return []
    try:
        missing = connections.get(step.connection).settings.missing()
    except ConfigurationError as exc:
        return [Problem(step.place("connection"), str(exc))]
    if missing:
        return [
            Problem(
                step.place("connection"),
                f"Connection {step.connection!r} is Configuration Incomplete: missing {', '.join(missing)}.",
            )
        ]
    return []


def _named(step: Step) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(place, kind, name) of every column and variable the step names."""
    found: list[tuple[tuple[str | int, ...], str, str]] = []

    def templates(place: tuple[str | int, ...], text: object) -> None:
        if isinstance(text, str):
            found.extend((place, "template", m[1]) for m in TEMPLATE.finditer(text))

    def field(place: tuple[str | int, ...], value: object, *, child: bool) -> None:
        if not isinstance(value, FieldSpec):
            templates(place, value)
            return
        if value.column is not None and not child:
            found.append((place, "column", value.column))
        if value.each is not None and not child:
            found.append((place, "column", value.each))
        if value.variable is not None:
            found.append((place, "variable", value.variable))
        templates(place, value.value)
        for name, sub in value.fields.items():
            field((*place, "fields", name), sub, child=True)

    templates(("connection",), step.connection)
    for name, value in step.mapping.fields.items():
        field(("mapping", "fields", name), value, child=False)
    for index, name in enumerate(step.mapping.references):
        found.append((("mapping", "references", index), "column", name))
    return found


def column_problems(
    step: Step, source: Source | None, columns: Sequence[str] | None, variables: Mapping[str, str]
) -> list[Problem]:
    problems: list[Problem] = []
    if source is not None and source.columns is not None and step.source and step.source.shape:
        for name in shape_columns(step.source.shape, source.columns):
            problems.append(Problem(step.place("source", "shape"), f"{source.shown} has no column {name}"))
    for place, kind, name in _named(step):
        if kind == "variable" and not variable_value(name, variables)[0]:
            problems.append(Problem(step.place(*place), f"the variable {name} is not given (--var {name}=…)"))
        elif kind == "template" and not variable_value(name, variables)[0]:
            if columns is not None and not _has_column(columns, name):
                problems.append(
                    Problem(
                        step.place(*place),
                        f"${{{name}}} is neither a variable (--var {name}=…), a column nor set in the environment",
                    )
                )
        elif kind == "column" and columns is not None and not _has_column(columns, name):
            where = source.shown if source is not None else "a step without a source"
            shown = ", ".join(columns) or "none"
            problems.append(
                Problem(step.place(*place), f"{where} has no column {name} (its columns: {shown})")
            )
    return problems


def _has_column(columns: Sequence[str], name: str) -> bool:
    return name in columns or name.split(".", 1)[0] in columns


def required_problems(step: Step, mapping: CompiledMapping, columns: Sequence[str] | None) -> list[Problem]:
    """Required fields left unmapped: parameters, and the body's required fields below every object the
    mapping fills (the body's own always)."""
    mapped = {generic(parts) for parts, _ in flattened(mapping.targets)}
    if columns is not None:
        names = {c.casefold() for c in columns if c not in mapping.references}
        mapped |= {generic(parts) for column, parts, _ in mapping.auto if column.casefold() in names}
    elif mapping.auto:
        return []  # the records name their own fields: required ones are checked when each is mapped
    where = step.place("mapping", "fields") if step.mapping.fields else step.place("mapping")
    problems = [
        Problem(where, f"the required field {name} is not mapped")
        for name in mapping.fields.required_parameters()
        if (name,) not in mapped
    ]
    body = mapping.fields.body_parameter()
    if body is not None and (body.required or any(m[:1] == (BODY,) for m in mapped)):
        for missing in _missing(mapping, mapping.fields.resolve(body.schema), (BODY,), mapped):
            problems.append(Problem(where, f"the required field {missing} is not mapped"))
    return problems


def _missing(
    mapping: CompiledMapping, schema: Schema, at: tuple[str, ...], mapped: set[tuple[str, ...]]
) -> list[str]:
    if at in mapped:
        return []  # given whole
    if schema.get("type") == "array":
        items = mapping.fields.resolve(schema.get("items"))
        inner = (*at, ANY_INDEX)
        return (
            _missing(mapping, items, inner, mapped) if any(m[: len(inner)] == inner for m in mapped) else []
        )
    missing: list[str] = []
    for name, sub in (schema.get("properties") or {}).items():
        here = (*at, name)
        below = any(m[: len(here)] == here for m in mapped)
        if name in schema.get("required", ()) and not below:
            missing.append(dotted_path(tuple(p if p != ANY_INDEX else 0 for p in here)))
        elif below:
            missing += _missing(mapping, mapping.fields.resolve(sub), here, mapped)
    return missing


def record_problems(
    step: Step, mapping: CompiledMapping, source: Source | None, variables: Mapping[str, str]
) -> list[Problem]:
    """Each record mapped as a run would map it (a record that would be refused is a problem)."""
    problems: list[Problem] = []
    shown = source.shown if source is not None else "the step"
    refused = 0
    try:
        for record in step_records(step, source):
            mapped = map_record(mapping, record, step.connection, variables)
            if isinstance(mapped, MappedRecord):
                continue
            refused += 1
            if refused <= MAX_RECORD_PROBLEMS:
                problems.append(Problem(f"{shown}:{mapped.line}", mapped.message))
    except SourceError as exc:
        problems.append(Problem(step.place("source"), str(exc)))
    if refused > MAX_RECORD_PROBLEMS:
        problems.append(
            Problem(shown, f"and {refused - MAX_RECORD_PROBLEMS} more record(s) that cannot be sent")
        )
    return problems
