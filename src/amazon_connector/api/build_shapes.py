"""Turn Amazon's models into the shapes the emulator and the tests read (``models/`` beside the catalog).

For each model file, one JSON file at the same relative path: its definitions and each operation's
parameters and responses as JSON Schema reduced to what checking and generating values need (types,
required fields, enums, formats, patterns, limits, nesting; no descriptions or other prose), and the
static sandbox examples (``x-amzn-api-sandbox``) as request parameters and answers. ``index.json`` says
which file holds each operation; Amazon's LICENSE and NOTICE are copied beside them.

Run by ``python -m amazon_connector.api.build_catalog MODELS [--check]`` (see ``update``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amazon_connector.api import swagger
from amazon_connector.api.swagger import Json

INDEX = "index.json"
REPORT_EXAMPLES = "report-examples.json"
LICENCE_FILES = ("LICENSE", "NOTICE")
"""Amazon's licence notice, copied from the root of the models' clone."""
SANDBOX = "x-amzn-api-sandbox"
GREEDY = "x-amazon-spds-greedy-path-parameter"

SCHEMA_KEYS = frozenset(
    {
        "type",
        "format",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "required",
        "$ref",
    }
)
"""What a reduced schema keeps besides its nested schemas (properties, items, additionalProperties, allOf)."""


def reduced(schema: Json) -> Json:
    """``schema`` with only validation keywords and nested schemas (a ``$ref`` stands alone)."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return {"$ref": schema["$ref"]}
    out: dict[str, Any] = {key: value for key, value in schema.items() if key in SCHEMA_KEYS}
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {name: reduced(prop) for name, prop in schema["properties"].items()}
    for key in ("items", "additionalProperties"):
        if key in schema:
            out[key] = reduced(schema[key])
    if isinstance(schema.get("allOf"), list):
        out["allOf"] = [reduced(part) for part in schema["allOf"]]
    return out


def parameter_shape(param: Json) -> dict[str, Any]:
    """A parameter's name, place, whether required, its schema, and how a list is written."""
    if param["in"] == "body":
        schema = reduced(param.get("schema") or {})
    else:
        # a parameter's own ``required`` is a flag, not a schema's list of properties
        kept = (SCHEMA_KEYS - {"required"}) | {"items"}
        schema = reduced({key: value for key, value in param.items() if key in kept})
    shape: dict[str, Any] = {
        "name": param["name"],
        "in": param["in"],
        "required": param.get("required") is True,
        "schema": schema,
    }
    if param.get("type") == "array":
        shape["collectionFormat"] = param.get("collectionFormat", "csv")
    if param.get(GREEDY) is True:
        shape["greedy"] = True
    return shape


def example_parameters(raw: Json, params: list[Json]) -> tuple[dict[str, Any], list[str]]:
    """An example's parameter values by the operation's parameter names, and those it names without a
    value (any value matches). A ``body`` entry means the body parameter, whatever its name; an entry
    without ``value`` is the value itself (some models write the body so)."""
    names = {p["name"] for p in params}
    body = next((p["name"] for p in params if p["in"] == "body"), None)
    values: dict[str, Any] = {}
    wildcards: list[str] = []
    for name, entry in (raw or {}).items():
        target = name if name in names else (body if name == "body" else None)
        if target is None:
            continue
        if isinstance(entry, dict) and "value" in entry:
            values[target] = entry["value"]
        elif entry == {}:
            wildcards.append(target)
        else:
            values[target] = entry
    return values, wildcards


def examples(code: str, answer: Json, params: list[Json]) -> Iterator[dict[str, Any]]:
    """The static sandbox examples of one response; an example without a request cannot be matched."""
    for example in (answer.get(SANDBOX) or {}).get("static") or ():
        if "request" not in example:
            continue
        values, wildcards = example_parameters(example["request"].get("parameters"), params)
        record: dict[str, Any] = {"status": int(code), "parameters": values}
        if wildcards:
            record["any"] = wildcards
        if "response" in example:
            record["response"] = example["response"]
        headers = {
            name: entry["value"] if isinstance(entry, dict) and "value" in entry else entry
            for name, entry in (example.get("responseHeaders") or {}).items()
        }
        if headers:
            record["headers"] = headers
        yield record


def operation_shape(model: Json, path_item: Json, operation: Json) -> dict[str, Any]:
    params = swagger.parameters(model, path_item, operation)
    responses: dict[str, Any] = {}
    found: list[dict[str, Any]] = []
    for code, raw in operation.get("responses", {}).items():
        answer = swagger.resolve(model, raw)
        responses[str(code)] = reduced(answer["schema"]) if "schema" in answer else None
        found += examples(str(code), answer, params)
    return {
        "parameters": [parameter_shape(p) for p in params],
        "responses": responses,
        "examples": found,
    }


@dataclass(frozen=True, slots=True)
class ModelShapes:
    """The shapes of one model file, and the catalog keys of its operations."""

    relative: str
    definitions: dict[str, Any]
    operations: dict[str, dict[str, Any]]
    keys: dict[str, str]
    """``api/version/operationId/METHOD`` -> the operation's key in ``operations``."""


def model_shapes(relative: str, path: Path, folder: str) -> ModelShapes:
    model = swagger.load_model(path)
    api, version = swagger.api_name(folder), str(model["info"]["version"])
    operations: dict[str, dict[str, Any]] = {}
    keys: dict[str, str] = {}
    try:
        for path_item in model["paths"].values():
            for method, operation in path_item.items():
                if method not in swagger.METHODS:
                    continue
                key = f"{operation['operationId']} {method.upper()}"
                operations[key] = operation_shape(model, path_item, operation)
                keys[f"{api}/{version}/{operation['operationId']}/{method.upper()}"] = key
        definitions = {name: reduced(schema) for name, schema in (model.get("definitions") or {}).items()}
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise swagger.CatalogBuildError(f"Unexpected structure in the model {path}: {exc!r}.") from exc
    return ModelShapes(relative, definitions, operations, keys)


def build_shapes(models_root: Path) -> list[ModelShapes]:
    """The shapes of every model of a clone, in catalog order."""
    folder = models_root / "models" if (models_root / "models").is_dir() else models_root
    return [
        model_shapes(path.relative_to(folder).as_posix(), path, name)
        for name, path in swagger.model_files(models_root)
    ]


def _entries(mapping: Mapping[str, Any]) -> str:
    """A JSON object with one entry per line, so that a regeneration shows as a small diff."""
    lines = [f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in mapping.items()]
    return "{\n" + ",\n".join(lines) + "\n}"


def render_model(shapes: ModelShapes) -> str:
    return f'{{"definitions":{_entries(shapes.definitions)},\n"operations":{_entries(shapes.operations)}}}\n'


def render_index(all_shapes: list[ModelShapes]) -> str:
    files = {key: s.relative for s in all_shapes for key in s.keys}
    greedy = {
        key: param["name"]
        for s in all_shapes
        for key, op in s.keys.items()
        for param in s.operations[op]["parameters"]
        if param.get("greedy")
    }
    return f'{{"files":{_entries(files)},\n"greedy":{_entries(greedy)}}}\n'


def _licence_root(models_root: Path) -> Path:
    """The clone's root (where LICENSE and NOTICE are), also when given its ``models`` folder."""
    return models_root if (models_root / "models").is_dir() else models_root.parent


def outputs(models_root: Path) -> dict[str, str]:
    """Every file of the shapes folder, by relative path, as it should be (with the example document of
    each JSON report type, from the clone's report schemas)."""
    from amazon_connector.api.build_report_types import report_examples

    all_shapes = build_shapes(models_root)
    files = {s.relative: render_model(s) for s in all_shapes}
    files[INDEX] = render_index(all_shapes)
    if examples := report_examples(models_root):
        files[REPORT_EXAMPLES] = _entries(examples) + "\n"
    root = _licence_root(models_root)
    for name in LICENCE_FILES:
        try:
            files[name] = (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise swagger.CatalogBuildError(
                f"Cannot read Amazon's {name} at {root / name}: {exc}.",
                hint="Pass the root of a clone of amzn/selling-partner-api-models: its licence must be kept "
                "beside the data made from it.",
            ) from exc
    return files


def _current(out_dir: Path) -> dict[str, str]:
    if not out_dir.is_dir():
        return {}
    return {
        p.relative_to(out_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out_dir.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def update(models_root: Path, out_dir: Path, *, check: bool) -> list[str]:
    """Bring ``out_dir`` in line with the models; one line per added (+), removed (-) or changed (~)
    file. With ``check`` nothing is written."""
    wanted = outputs(models_root)
    current = _current(out_dir)
    lines = [f"+ {name}" for name in wanted if name not in current]
    lines += [f"- {name}" for name in current if name not in wanted]
    lines += [f"~ {name}" for name in wanted if name in current and current[name] != wanted[name]]
    if check or not lines:
        return sorted(lines, key=lambda line: line[2:])
    for name, text in wanted.items():
        if current.get(name) != text:
            target = out_dir / name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise swagger.CatalogBuildError(f"Cannot create {target.parent}: {exc}.") from exc
            swagger.write_atomically(target, text)
    for name in current.keys() - wanted.keys():
        (out_dir / name).unlink()
    return sorted(lines, key=lambda line: line[2:])
