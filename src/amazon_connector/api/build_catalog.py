"""Regenerate operations.json from a local checkout of Amazon's SP-API models.

``python -m amazon_connector.api.build_catalog PATH [--out FILE] [--check]`` reads every
``models/**/*.json`` (Swagger 2.0) under PATH, a clone of amzn/selling-partner-api-models. Facts the
models lack (restricted data elements, grantless scopes) come from overlay.json next to this module.
The same run (and check) covers the emulator's shapes in ``models/`` beside the output (build_shapes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias, TypedDict

from amazon_connector.errors import AmazonConnectorError

PACKAGE_DIR = Path(__file__).resolve().parent
OPERATIONS_FILE = PACKAGE_DIR / "operations.json"
OVERLAY_FILE = PACKAGE_DIR / "overlay.json"

METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})
SANDBOX_ONLY = "x-amzn-api-sandbox-only"
MODEL_FOLDER_SUFFIXES = ("-api-model", "-model")
# nextToken, NextToken, pageToken, paginationToken, nextPageToken, previousToken, nextTokenForLineItems ...
PAGING_TOKEN = re.compile(r"^(?:next|previous|page|pagination)\w*token", re.IGNORECASE)
USAGE_PLAN = re.compile(r"usage plans?:", re.IGNORECASE)

Json: TypeAlias = Any  # a value parsed from a model file
OperationKey: TypeAlias = tuple[str, str, str, str]

ParameterRecord = TypedDict("ParameterRecord", {"name": str, "in": str, "required": bool})


class Pagination(TypedDict):
    request: list[str]
    response: list[str]


class OverlayRecord(TypedDict):
    """What the models do not say about one operation."""

    api: str
    version: str
    operationId: str
    method: str
    restricted: bool
    restricted_note: str
    grantless_scope: str | None


class OperationRecord(TypedDict):
    """One entry of operations.json."""

    api: str
    version: str
    operationId: str
    method: str
    path: str
    rate: float | None
    burst: int | None
    deprecated: bool
    restricted: bool
    restricted_note: str
    grantless_scope: str | None
    pagination: Pagination
    parameters: list[ParameterRecord]
    sandbox_only: bool


class CatalogBuildError(AmazonConnectorError):
    """The models or the overlay cannot be turned into a catalog."""


def key_of(record: Mapping[str, Any]) -> OperationKey:
    return (record["api"], record["version"], record["operationId"], record["method"])


# --- reading the models ------------------------------------------------------------------------


def model_files(models_root: Path) -> list[tuple[str, Path]]:
    """(folder name, file) of each model of a checkout (or of its ``models`` folder), in catalog order."""
    folder = models_root / "models" if (models_root / "models").is_dir() else models_root
    if not folder.is_dir():
        raise CatalogBuildError(
            f"{models_root} is not a folder.",
            hint="Pass the path of a clone of github.com/amzn/selling-partner-api-models.",
        )
    relative = sorted(f.relative_to(folder).as_posix() for f in folder.glob("*/**/*.json"))
    files = [(name.split("/", 1)[0], folder / name) for name in relative]
    if not files:
        raise CatalogBuildError(
            f"No model files (models/<api>/*.json) under {models_root}.",
            hint="Pass the path of a clone of github.com/amzn/selling-partner-api-models.",
        )
    return files


def api_name(folder: str) -> str:
    """``orders-api-model`` -> ``orders``; ``easy-ship-model`` -> ``easy-ship``."""
    for suffix in MODEL_FOLDER_SUFFIXES:
        if folder.endswith(suffix):
            return folder.removesuffix(suffix)
    return folder


def load_model(path: Path) -> Json:
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogBuildError(f"Cannot read the model {path}: {exc}.") from exc
    if not isinstance(model, dict) or not isinstance(model.get("paths"), dict) or "info" not in model:
        raise CatalogBuildError(f"{path} is not a Swagger model (no info or paths).")
    return model


def resolve(model: Json, node: Json) -> Json:
    """Follow local ``$ref`` pointers (``#/definitions/X``, ``#/parameters/Y``)."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        if pointer in seen or not pointer.startswith("#/"):
            raise CatalogBuildError(f"Cannot resolve the reference {pointer!r}.")
        seen.add(pointer)
        node = model
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def token_fields(
    model: Json, schema: Json, prefix: str = "", stack: frozenset[str] = frozenset()
) -> Iterator[str]:
    """Dotted paths of paging-token properties in an object schema (not inside arrays)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if ref in stack:
        return
    inner = stack | {ref} if ref else stack
    schema = resolve(model, schema)
    if not isinstance(schema, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        if PAGING_TOKEN.match(name):
            yield prefix + name
        yield from token_fields(model, prop, f"{prefix}{name}.", inner)
    for part in schema.get("allOf") or ():
        yield from token_fields(model, part, prefix, inner)


def usage_plan(description: str) -> tuple[float | None, int | None]:
    """Rate and burst from the description's usage-plan table (its first row: the default plan)."""
    found = USAGE_PLAN.search(description)
    if not found:
        return None, None
    text = description[found.end() :].replace("\\n", "\n")
    rows = [line.strip().strip("|") for line in text.splitlines() if line.strip().startswith("|")]
    table = [[cell.strip() for cell in row.split("|")] for row in rows if not re.fullmatch(r"[\s|:-]*", row)]
    if len(table) < 2:
        return None, None
    header, first = [cell.casefold() for cell in table[0]], table[1]
    rate_at = next((i for i, cell in enumerate(header) if cell.startswith("rate")), None)
    burst_at = next((i for i, cell in enumerate(header) if cell.startswith("burst")), None)
    if rate_at is None or burst_at is None or max(rate_at, burst_at) >= len(first):
        return None, None
    rate, burst = number(first[rate_at]), number(first[burst_at])
    if rate is None or burst is None:
        return None, None
    return rate, int(burst)


def number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def parameters(model: Json, path_item: Json, operation: Json) -> list[Json]:
    """Path-level parameters followed by the operation's; the operation's override same name and place."""
    merged: dict[tuple[str, str], Json] = {}
    for raw in [*(path_item.get("parameters") or ()), *(operation.get("parameters") or ())]:
        param = resolve(model, raw)
        merged[(param["name"], param["in"])] = param
    return list(merged.values())


def operation_record(
    model: Json, api: str, *, path: str, path_item: Json, method: str, operation: Json
) -> OperationRecord:
    params = parameters(model, path_item, operation)
    request = [p["name"] for p in params if p["in"] == "query" and PAGING_TOKEN.match(p["name"])]
    for body in (p for p in params if p["in"] == "body"):
        request += [f"body:{field}" for field in token_fields(model, body.get("schema") or {})]
    response: list[str] = []
    for code, answer in operation.get("responses", {}).items():
        if str(code).startswith("2"):
            response += token_fields(model, resolve(model, answer).get("schema") or {})
    rate, burst = usage_plan(operation.get("description") or "")
    return {
        "api": api,
        "version": str(model["info"]["version"]),
        "operationId": operation["operationId"],
        "method": method.upper(),
        "path": path,
        "rate": rate,
        "burst": burst,
        "deprecated": operation.get("deprecated") is True,
        "restricted": False,
        "restricted_note": "",
        "grantless_scope": None,
        "pagination": {"request": list(dict.fromkeys(request)), "response": list(dict.fromkeys(response))},
        "parameters": [
            {"name": p["name"], "in": p["in"], "required": p.get("required") is True} for p in params
        ],
        "sandbox_only": path_item.get(SANDBOX_ONLY) is True or operation.get(SANDBOX_ONLY) is True,
    }


def model_operations(path: Path, api: str) -> Iterator[OperationRecord]:
    model = load_model(path)
    try:
        for url, path_item in model["paths"].items():
            for method, operation in path_item.items():
                if method in METHODS:
                    yield operation_record(
                        model, api, path=url, path_item=path_item, method=method, operation=operation
                    )
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogBuildError(f"Unexpected structure in the model {path}: {exc!r}.") from exc


# --- overlay and output --------------------------------------------------------------------------


def load_overlay(path: Path = OVERLAY_FILE) -> list[OverlayRecord]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogBuildError(f"Cannot read the overlay {path}: {exc}.") from exc
    fields = OverlayRecord.__required_keys__
    if not isinstance(records, list) or any(not isinstance(r, dict) or r.keys() != fields for r in records):
        raise CatalogBuildError(
            f"The overlay {path} is not a list of records with exactly these fields: {', '.join(sorted(fields))}."
        )
    return records


def apply_overlay(records: list[OperationRecord], overlay: Sequence[OverlayRecord]) -> None:
    by_key = {key_of(record): record for record in records}
    for extra in overlay:
        record = by_key.get(key_of(extra))
        if record is None:
            raise CatalogBuildError(
                f"The overlay names {'/'.join(key_of(extra))}, which the models do not have.",
                hint="Amazon removed or renamed it: update or delete that entry in overlay.json.",
            )
        record["restricted"] = extra["restricted"]
        record["restricted_note"] = extra["restricted_note"]
        record["grantless_scope"] = extra["grantless_scope"]


def build(models_root: Path, overlay: Sequence[OverlayRecord]) -> list[OperationRecord]:
    """Every operation of the models, in model-folder, file and path order, with the overlay applied."""
    records: list[OperationRecord] = []
    for folder, path in model_files(models_root):
        records += model_operations(path, api_name(folder))
    seen: set[OperationKey] = set()
    for record in records:
        if key_of(record) in seen:
            raise CatalogBuildError(f"The models define {'/'.join(key_of(record))} twice.")
        seen.add(key_of(record))
    apply_overlay(records, overlay)
    return records


def overlay_of(records: Sequence[Mapping[str, Any]]) -> list[OverlayRecord]:
    """The overlay entries that reproduce the non-default model-less facts of a catalog."""
    return [
        {
            "api": r["api"],
            "version": r["version"],
            "operationId": r["operationId"],
            "method": r["method"],
            "restricted": r["restricted"],
            "restricted_note": r["restricted_note"],
            "grantless_scope": r["grantless_scope"],
        }
        for r in records
        if r["restricted"] or r["restricted_note"] or r["grantless_scope"] is not None
    ]


def render(records: Sequence[Mapping[str, Any]]) -> str:
    """One operation per line, so that a regeneration shows as a small diff."""
    return "[\n" + ",\n".join(json.dumps(r, separators=(",", ":")) for r in records) + "\n]\n"


# --- command line -------------------------------------------------------------------------------


def changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per added, removed or changed operation."""
    before = {key_of(r): r for r in old}
    after = {key_of(r): r for r in new}
    lines = [f"+ {'/'.join(k)}" for k in after if k not in before]
    lines += [f"- {'/'.join(k)}" for k in before if k not in after]
    for k in after.keys() & before.keys():
        fields = [f for f in after[k] if after[k][f] != before[k].get(f)]
        if fields:
            lines.append(f"~ {'/'.join(k)}: {', '.join(fields)}")
    return sorted(lines, key=lambda line: line[2:])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m amazon_connector.api.build_catalog",
        description="Regenerate the operation catalog from a clone of amzn/selling-partner-api-models.",
    )
    parser.add_argument("models", type=Path, help="the clone (or its models/ folder)")
    parser.add_argument(
        "--out", type=Path, default=OPERATIONS_FILE, help="where to write (default: the package's)"
    )
    parser.add_argument("--overlay", type=Path, default=OVERLAY_FILE, help="facts the models lack")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the output would change"
    )
    args = parser.parse_args(argv)
    try:
        code = _update_catalog(args)
        code = max(code, _update_shapes(args.models, args.out.parent / "models", check=args.check))
    except AmazonConnectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code


def _update_catalog(args: argparse.Namespace) -> int:
    records = build(args.models, load_overlay(args.overlay))
    current = read_current(args.out)
    text = render(records)
    if current == text:
        print(f"{args.out}: up to date ({len(records)} operations).")
        return 0
    diff = changes(parse_current(current), records)
    if args.check:
        print(f"{args.out} would change ({len(diff)} operations):", *diff, sep="\n")
        return 1
    write_atomically(args.out, text)
    print(f"{args.out}: wrote {len(records)} operations ({len(diff)} changed).")
    return 0


def _update_shapes(models: Path, out_dir: Path, *, check: bool) -> int:
    """The emulator's shapes beside the catalog (see build_shapes)."""
    from amazon_connector.api import build_shapes

    diff = build_shapes.update(models, out_dir, check=check)
    if not diff:
        print(f"{out_dir}: up to date.")
        return 0
    print(f"{out_dir} {'would change' if check else 'changed'} ({len(diff)} files):", *diff, sep="\n")
    return 1 if check else 0


def read_current(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogBuildError(f"Cannot read {path}: {exc}.", hint="Pass a file path to --out.") from exc


def parse_current(text: str | None) -> list[Mapping[str, Any]]:
    """The records of the current catalog; none when it is missing or not a catalog."""
    try:
        records = json.loads(text) if text else []
    except json.JSONDecodeError:
        return []
    if not isinstance(records, list):
        return []
    return [
        r for r in records if isinstance(r, dict) and {"api", "version", "operationId", "method"} <= r.keys()
    ]


def write_atomically(path: Path, text: str) -> None:
    """Replace the file in one step, so that a failure leaves the old catalog intact."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise CatalogBuildError(
            f"Cannot write {path}: {exc}.", hint="Pass a writable file path to --out."
        ) from exc


if __name__ == "__main__":
    sys.exit(main())
