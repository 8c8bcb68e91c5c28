"""A step file (TOML or YAML) as a validated model, each mistake named with its place in the file.

The same ``Step`` is made in Python (``Step(name=…, operation=…, …)``) or read with ``load_step``; paths
in it (the source, the outputs) are relative to the step file's folder.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from amazon_connector.errors import ConfigurationError

PlacePath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: where (``file:line`` when known, else the dotted key or the input's line) and what."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class StepFileError(ConfigurationError):
    """A step file that cannot be used; ``problems`` names each mistake with its place."""

    def __init__(self, problems: list[Problem], *, hint: str | None = None) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"The step has {len(problems)} problem(s):\n{lines}", field="step", hint=hint)
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DateTransform(_Strict):
    date: str = Field(description="The input's date format (strftime codes, e.g. %d/%m/%Y); ISO 8601 out.")


class DecimalTransform(_Strict):
    decimal: int = Field(ge=0, le=12, description="A decimal number with at most this many places.")


class DefaultTransform(_Strict):
    default: Any = Field(description="The value used when the input is empty.")


class LookupTransform(_Strict):
    lookup: dict[str, Any] = Field(description="Input value → value sent; a value not listed is refused.")


Transform = (
    Literal["trim", "upper", "lower", "number", "decimal"]
    | DateTransform
    | DecimalTransform
    | DefaultTransform
    | LookupTransform
)


class FieldSpec(_Strict):
    """Where one field's value comes from: a column, a variable, a fixed value, or (``each``) a child list
    of the record, each child mapped with ``fields`` onto an item of the field's array."""

    column: str | None = None
    variable: str | None = None
    value: Any = None
    each: str | None = None
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    transform: list[Transform] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _one_transform(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("transform"), str | dict):
            return {**data, "transform": [data["transform"]]}
        return data

    @model_validator(mode="after")
    def _one_origin(self) -> FieldSpec:
        given = [k for k in ("column", "variable", "value", "each") if k in self.model_fields_set]
        if len(given) != 1:
            raise ValueError("give exactly one of column, variable, value or each")
        if self.fields and self.each is None:
            raise ValueError("fields belong with each (a child list mapped onto an array)")
        return self


FieldValue = FieldSpec | str | int | float | bool | list[Any]
"""A table is a FieldSpec; anything else is a fixed value (``${name}`` in a string is a variable, else
the record's column, else the environment's variable)."""


class Shape(_Strict):
    """Flat rows folded into nested records: consecutive rows with equal ``key`` values are one record;
    ``children`` take their ``columns`` from each row into a list (with their own key and children)."""

    key: list[str] = Field(default_factory=list)
    """The columns whose values tell records apart (a child without a key: each row one child)."""
    columns: list[str] | None = None
    """A child's columns (the top level has every column no child takes)."""
    children: dict[str, Shape] = Field(default_factory=dict)
    hide: list[str] = Field(default_factory=list)
    """Columns left out of the records (and so not mapped)."""


class SourceSpec(_Strict):
    """Where the records come from: ``path`` (a CSV, TSV or JSON Lines file, ``-`` for standard input
    with ``format``, or an SQL URL with ``query``), or ``step``: another step file, whose OutputData its
    last run wrote is read."""

    path: str | None = None
    query: str | None = None
    format: Literal["csv", "tsv", "jsonl"] | None = None
    encoding: str | None = None
    step: str | None = None
    shape: Shape | None = None

    @model_validator(mode="after")
    def _one_input(self) -> SourceSpec:
        if (self.path is None) == (self.step is None):
            raise ValueError("give either path (a file, - or an SQL URL) or step (another step file)")
        if self.shape is not None and not self.shape.key:
            raise ValueError("shape needs a key: the columns whose values tell records apart")
        if self.path == "-" and self.format is None:
            raise ValueError("standard input (path = '-') needs format = 'csv', 'tsv' or 'jsonl'")
        return self


class Mapping(_Strict):
    """How a record becomes the operation's fields: ``fields`` by parameter name or body path
    (``body.patches[0].value``), then (``auto``) parameters named like a column; ``references`` travel
    into both outputs and are never sent."""

    auto: bool = True
    references: list[str] = Field(default_factory=list)
    fields: dict[str, FieldValue] = Field(default_factory=dict)


class Options(_Strict):
    on_error: Literal["continue", "stop"] = "continue"
    concurrency: Annotated[int, Field(ge=1, le=64)] = 16
    """Records in flight at once (the runtime still paces calls to the usage plan)."""
    paginate: bool | None = None
    """Merge every page of an answer into one output record (default: the connection's Advanced node)."""
    output: str | None = None
    """OutputData's target (default: STEP.output.jsonl beside the step file)."""
    errors: str | None = None
    """ErrorData's target (default: STEP.errors.jsonl beside the step file)."""


class Step(_Strict):
    """A task step: the operation run once per record of ``source`` (once when there is none)."""

    name: str = Field(min_length=1)
    description: str = ""
    source: SourceSpec | None = None
    connection: str = Field(min_length=1)
    """A connection's name, or ``${name}``: a variable or a column, per record."""
    operation: str = Field(min_length=1)
    mapping: Mapping = Field(default_factory=Mapping)
    options: Options = Field(default_factory=Options)

    _file: Path | None = PrivateAttr(default=None)
    _places: dict[PlacePath, int] = PrivateAttr(default_factory=dict)

    @property
    def file(self) -> Path | None:
        """The step file it was read from."""
        return self._file

    @property
    def folder(self) -> Path:
        """Where relative paths in the step start from."""
        return self._file.parent if self._file else Path.cwd()

    def place(self, *path: str | int) -> str:
        """``file:line`` of a key (or of the nearest enclosing one), with its dotted path."""
        return place_in(self._file, self._places, path)


def place_in(file: Path | None, places: dict[PlacePath, int], path: PlacePath) -> str:
    dotted = dotted_path(path)
    if file is None:
        return dotted or "step"
    for end in range(len(path), -1, -1):
        line = places.get(tuple(path[:end]))
        if line is not None:
            return f"{file}:{line} ({dotted})" if dotted else f"{file}:{line}"
    return f"{file} ({dotted})" if dotted else str(file)


def dotted_path(path: PlacePath) -> str:
    text = ""
    for part in path:
        name = f'"{part}"' if isinstance(part, str) and any(c in part for c in ".[]") else part
        text += f"[{part}]" if isinstance(part, int) else (f".{name}" if text else str(name))
    return text


# --- reading a file ------------------------------------------------------------------------------

YAML_SUFFIXES = (".yaml", ".yml")
_TOML_TABLE = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(#.*)?$")
_TOML_KEY = re.compile(r"""^\s*(?P<key>(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-.\s"']+?))\s*=""")


def _toml_keys(text: str) -> list[str]:
    """A dotted TOML key split into its parts (quoted parts kept whole)."""
    return [p.strip().strip("\"'") for p in re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^.]+', text)]


def toml_places(text: str) -> dict[PlacePath, int]:
    """The line of each table and key of a TOML document (inline tables: their key's line)."""
    places: dict[PlacePath, int] = {}
    table: PlacePath = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TOML_TABLE.match(line):
            table = tuple(_toml_keys(header["name"]))
            places.setdefault(table, number)
        elif key := _TOML_KEY.match(line):
            places.setdefault((*table, *_toml_keys(key["key"])), number)
    return places


def _yaml_places(node: Any, path: PlacePath, places: dict[PlacePath, int]) -> None:
    import yaml

    places.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            places[child] = key.start_mark.line + 1
            _yaml_places(value, child, places)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _yaml_places(value, (*path, index), places)


def _parse(path: Path, text: str) -> tuple[Any, dict[PlacePath, int]]:
    if path.suffix.lower() in YAML_SUFFIXES:
        import yaml

        try:
            data = yaml.safe_load(text)
            places: dict[PlacePath, int] = {}
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
            problem = getattr(exc, "problem", None) or str(exc)
            raise StepFileError([Problem(where, f"not valid YAML: {problem}")]) from None
        if node is not None:
            _yaml_places(node, (), places)
        return data, places
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{path}:{found[1]}" if found else str(path)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise StepFileError([Problem(where, f"not valid TOML: {message}")]) from None
    return data, toml_places(text)


def _data_path(data: Any, loc: tuple[Any, ...]) -> PlacePath:
    """The part of a validation error's location that names keys of the data (pydantic adds the names
    of union members it tried)."""
    found: list[str | int] = []
    for part in loc:
        if (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        ):
            data = data[part]
            found.append(part)
    return tuple(found)


def validation_problems(exc: ValidationError, data: Any, place: Any) -> list[Problem]:
    """A pydantic error as one problem per mistake, placed by ``place(*path)``; the same mistake reported
    once (a union tries several members)."""
    problems: dict[str, Problem] = {}
    for error in exc.errors():
        path = _data_path(data, error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            missing = error["loc"][len(path)] if len(error["loc"]) > len(path) else None
            message = f"{missing} is missing" if isinstance(missing, str) else "a value is missing"
        elif error["type"] == "extra_forbidden":
            message = f"unknown setting {error['loc'][-1]!r}"
        where = place(*path)
        problems.setdefault(f"{where}|{message}", Problem(where, message))
    return list(problems.values())


SET_ASIDE = frozenset({"description", "options"})
"""Groups a check may leave at their defaults when they are wrong, to check the rest of the step."""


def read_step(path: str | Path) -> tuple[Step | None, list[Problem]]:
    """The step in a file and the mistakes of its settings. With mistakes only in groups the rest does
    not depend on (options, unknown settings), the step without them comes back too, so that its
    mapping and source can still be checked; else None. A file that cannot be read or parsed raises
    StepFileError."""
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise StepFileError([Problem(str(file), f"cannot be read: {reason}")]) from None
    data, places = _parse(file, text)
    if not isinstance(data, dict):
        raise StepFileError([Problem(str(file), "a step file is a table of settings (name, operation, …)")])

    def place(*at: str | int) -> str:
        return place_in(file, places, at)

    problems: list[Problem] = []
    try:
        step = Step.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, data, place)
        wrong = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        if not all(k in SET_ASIDE or k not in Step.model_fields for k in wrong):
            return None, problems
        try:
            step = Step.model_validate({k: v for k, v in data.items() if k not in wrong})
        except ValidationError:
            return None, problems
    step._file, step._places = file.absolute(), places
    return step, problems


def load_step(path: str | Path) -> Step:
    """The step in a TOML (``.toml``) or YAML (``.yaml``, ``.yml``) file; StepFileError names each
    mistake with its line."""
    step, problems = read_step(path)
    if step is None or problems:
        raise StepFileError(problems)
    return step
