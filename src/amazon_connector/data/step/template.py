"""A step's fields as its mapping fills them (``step_fields``: for ``step new`` and the web page's mapping
view), and a starting step file for an operation (``new_step_text``): every field as a comment, the
required ones marked, so that ``step check`` lists what is left to map."""

from __future__ import annotations

import json
from dataclasses import dataclass

from amazon_connector.api.catalog import catalog
from amazon_connector.data.sources import SourceError
from amazon_connector.data.step.fields import OperationFields, generic, split_target, walk
from amazon_connector.data.step.inputs import open_step_source, shaped_columns
from amazon_connector.data.step.mapping import compile_mapping, flattened
from amazon_connector.data.step.model import FieldSpec, FieldValue, Step, dotted_path

REQUIRED = "REQUIRED"
OPEN = "open"
"""The type of a field the step maps inside a part Amazon's model leaves open (any value goes)."""
OPEN_DESCRIPTION = "Inside a field Amazon's model leaves open: the step file sets it."


@dataclass(frozen=True, slots=True)
class StepField:
    """One field of the step's operation: ``target`` (``sku``, ``body.patches[0].op``), where it goes
    (path, query, header, body), whether it is required (within its parent, for a body field), its
    type, and what fills it: ``mapped_from`` is ``column``, ``fixed``, ``variable``, ``each`` (a child
    list), ``auto`` (a parameter named like a column) or None, ``mapped`` says which."""

    target: str
    location: str
    required: bool
    type: str
    description: str
    mapped_from: str | None
    mapped: str | None


def _origin(source: FieldValue) -> tuple[str, str]:
    if isinstance(source, FieldSpec):
        if source.column is not None:
            return "column", source.column
        if source.variable is not None:
            return "variable", source.variable
        if source.each is not None:
            return "each", source.each
        return "fixed", json.dumps(source.value, default=str)
    return "fixed", json.dumps(source, default=str)


def step_fields(step: Step) -> list[StepField]:
    """The operation's fields with what the step maps to each (auto mapping shown where the step has a
    source whose columns are known only when run: the field's own name); a field the step maps inside a
    part the model leaves open (``body.patches[0].value[0].quantity``) follows the field it is in, of
    type ``open``, not required."""
    mapping, _ = compile_mapping(step)
    if mapping is None:
        return []
    by_target = {generic(parts): (parts, t) for parts, t in flattened(mapping.targets)}
    columns = _columns(step)
    names = {c.casefold() for c in columns or ()}
    auto = {generic(parts): column for column, parts, _ in mapping.auto if column.casefold() in names}
    found: list[StepField] = []
    listed: list[tuple[str, ...]] = []
    for info in walk(mapping.fields):
        parts = generic(split_target(info.target))
        origin: tuple[str | None, str | None] = (None, None)
        if parts in by_target:
            origin = _origin(by_target[parts][1].source)
        elif parts in auto:
            origin = ("auto", auto[parts])
        found.append(
            StepField(info.target, info.location, info.required, info.type, info.description, *origin)
        )
        listed.append(parts)
    known = set(listed)
    inside: dict[int, list[StepField]] = {}
    for key, (whole, target) in by_target.items():
        if key not in known:
            field = StepField(
                dotted_path(whole), "body", False, OPEN, OPEN_DESCRIPTION, *_origin(target.source)
            )
            inside.setdefault(_enclosing(listed, key), []).append(field)
    return [
        *inside.get(-1, []),
        *(f for i, listed_field in enumerate(found) for f in (listed_field, *inside.get(i, []))),
    ]


def _enclosing(listed: list[tuple[str, ...]], key: tuple[str, ...]) -> int:
    """The position of the deepest listed field ``key`` lies in (-1: none)."""
    within = [i for i, parts in enumerate(listed) if key[: len(parts)] == parts]
    return max(within, key=lambda i: len(listed[i]), default=-1)


def _columns(step: Step) -> tuple[str, ...] | None:
    """The columns of the step's records when its source names them (standard input is not read)."""
    if step.source is not None and step.source.path == "-":
        return None
    try:
        return shaped_columns(step, open_step_source(step))
    except SourceError:
        return None


def new_step_text(operation: str, fmt: str = "toml") -> str:
    """A starting step file for ``operation`` (TOML or YAML): its fields as comments, required ones
    marked; ConfigurationError for an unknown operation."""
    op = catalog().get(operation)
    fields = list(walk(OperationFields(op)))
    lines = [f"{f.target} ({f.location}, {f.type}){' ' + REQUIRED if f.required else ''}" for f in fields]
    if fmt == "yaml":
        return _yaml(op.operation_id, op.qualified_name, lines)
    if fmt != "toml":
        raise ValueError(f"unknown format {fmt!r}: toml or yaml")
    commented = "\n".join(f"# {line}" for line in lines)
    return f'''# A step: {op.qualified_name} run once per input record. `amazon-connector step check FILE` lists
# what is left to do; `amazon-connector step run FILE` runs it.
name = "{op.operation_id}"
description = ""
connection = "${{CONNECTION}}"   # a connection's name; ${{name}}: a variable (--var) or a column
operation = "{op.qualified_name}"

# [source]
# path = "records.csv"           # .csv, .tsv, .jsonl, - (standard input, with format), sqlite:///FILE
# query = "SELECT …"             # for an SQL source
# step = "earlier.toml"          # instead of path: the OutputData of another step

[mapping]
auto = true                      # parameters named like a column are mapped to it
references = []                  # columns carried into both outputs, never sent

[mapping.fields]
# Each field: a fixed value, "${{name}}", or {{ column = "…", transform = ["trim", …] }},
# {{ variable = "…" }}, {{ each = "child list", fields = {{ … }} }}. The operation's fields:
{commented}

[options]
on_error = "continue"            # or "stop"
concurrency = 16
'''


def _yaml(operation_id: str, qualified: str, lines: list[str]) -> str:
    commented = "\n".join(f"  # {line}" for line in lines)
    return f"""# A step: {qualified} run once per input record. `amazon-connector step check FILE` lists
# what is left to do; `amazon-connector step run FILE` runs it.
name: {operation_id}
description: ""
connection: "${{CONNECTION}}"   # a connection's name; ${{name}}: a variable (--var) or a column
operation: {qualified}
# source:
#   path: records.csv            # .csv, .tsv, .jsonl, - (standard input, with format), sqlite:///FILE
mapping:
  auto: true
  references: []
  fields:
  # Each field: a fixed value, "${{name}}", or {{column: …, transform: [trim, …]}}, {{variable: …}},
  # {{each: child list, fields: {{…}}}}. The operation's fields:
{commented}
    {{}}
options:
  on_error: continue
  concurrency: 16
"""
