"""The shapes of each operation's requests and answers, from Amazon's models (made by build_shapes).

Loaded on first use, one model file at a time: only the emulator and the tests read them. Schemas are
JSON Schema (draft 4, as Swagger 2.0 writes them) whose ``$ref`` point into the model's ``definitions``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from amazon_connector.api.catalog import Operation

Schema = dict[str, Any]
NO_CONTENT = 204
"""An answer with this status has no body, whatever its model says."""


@dataclass(frozen=True, slots=True)
class ParameterShape:
    """One parameter: where it goes, whether it is required, its schema and how a list is written
    (``csv``: comma-separated, ``multi``: the parameter repeated)."""

    name: str
    location: str
    required: bool
    schema: Schema
    collection_format: str | None
    greedy: bool
    """A path parameter that takes the rest of the path, slashes included."""


@dataclass(frozen=True, slots=True)
class Example:
    """A static sandbox example: the request's parameter values, those given with any value, and the
    answer (no body when ``body`` is None)."""

    status: int
    parameters: dict[str, Any]
    wildcards: frozenset[str]
    body: Any
    headers: dict[str, str]


@dataclass(frozen=True)
class OperationShape:
    """An operation's parameters, answers by status (None: no body) and sandbox examples."""

    parameters: tuple[ParameterShape, ...]
    responses: dict[int, Schema | None]
    examples: tuple[Example, ...]
    definitions: dict[str, Schema]

    @property
    def success_status(self) -> int:
        """The status of a successful answer (the lowest 2xx the model declares)."""
        return min((s for s in self.responses if 200 <= s < 300), default=200)

    def schema(self, status: int) -> Schema | None:
        """The JSON Schema of the answer with ``status``, with the definitions it refers to; None when
        that answer has no body."""
        schema = self.responses.get(status) if status != NO_CONTENT else None
        return None if schema is None else {**schema, "definitions": self.definitions}

    def error_schema(self, status: int) -> Schema | None:
        """The schema of an error answer: the model's for ``status``, else the one of its 400 answer."""
        return self.schema(status) if self.responses.get(status) is not None else self.schema(400)


def _read(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("models", name).read_text(encoding="utf-8"))


@cache
def _index() -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = _read("index.json")
    return index


@cache
def _model(name: str) -> dict[str, Any]:
    model: dict[str, Any] = _read(name)
    return model


def _key(operation: Operation) -> str:
    return f"{operation.api}/{operation.version}/{operation.operation_id}/{operation.method}"


def greedy_parameter(operation: Operation) -> str | None:
    """The path parameter that takes the rest of the path (uploads' ``resource``), if any."""
    return _index()["greedy"].get(_key(operation))


def shape(operation: Operation) -> OperationShape:
    """The shapes of ``operation``, from its model file."""
    return _shape(_key(operation), f"{operation.operation_id} {operation.method}")


@cache
def _shape(key: str, name: str) -> OperationShape:
    model = _model(_index()["files"][key])
    raw = model["operations"][name]
    return OperationShape(
        parameters=tuple(
            ParameterShape(
                p["name"],
                p["in"],
                p["required"],
                p["schema"],
                p.get("collectionFormat"),
                p.get("greedy", False),
            )
            for p in raw["parameters"]
        ),
        responses={int(code): schema for code, schema in raw["responses"].items()},
        examples=tuple(
            Example(
                e["status"],
                e["parameters"],
                frozenset(e.get("any", ())),
                e.get("response"),
                e.get("headers", {}),
            )
            for e in raw["examples"]
        ),
        definitions=model["definitions"],
    )
