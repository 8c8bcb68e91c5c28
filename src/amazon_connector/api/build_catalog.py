"""Regenerate operations.json from a local checkout of Amazon's SP-API models.

``python -m amazon_connector.api.build_catalog PATH [--out FILE] [--check]`` reads every
``models/**/*.json`` (Swagger 2.0) under PATH, a clone of amzn/selling-partner-api-models. Facts the
models lack (restricted operations and their data elements, grantless scopes, read-only POSTs, roles)
come from overlay.json next to this module, each with its source. The same run (and check) covers the
emulator's shapes in ``models/`` beside the output (build_shapes) and the report types (build_report_types).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from amazon_connector.api import build_shapes
from amazon_connector.api.catalog import operations_of, record_of
from amazon_connector.api.swagger import (
    METHODS,
    CatalogBuildError,
    Json,
    api_name,
    load_model,
    model_files,
    parameters,
    resolve,
    write_atomically,
)
from amazon_connector.errors import AmazonConnectorError

PACKAGE_DIR = Path(__file__).resolve().parent
OPERATIONS_FILE = PACKAGE_DIR / "operations.json"
OVERLAY_FILE = PACKAGE_DIR / "overlay.json"

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
"""Methods that HTTP defines as idempotent (RFC 9110, section 9.2.2)."""
SANDBOX_ONLY = "x-amzn-api-sandbox-only"
# nextToken, NextToken, pageToken, paginationToken, nextPageToken, previousToken, nextTokenForLineItems ...
PAGING_TOKEN = re.compile(r"^(?:next|previous|page|pagination)\w*token", re.IGNORECASE)
PREVIOUS_TOKEN = re.compile(r"^previous", re.IGNORECASE)
ONLY_PARAMETER = re.compile(r"\bas the only parameter\b", re.IGNORECASE)
"""A token parameter's description saying that later pages send nothing else (Reports, Feeds)."""
CONTINUATION_VALUE = "NEXT_TOKEN"
"""An enum value of a required parameter that tells the API to continue from the token (QueryType)."""
IDEMPOTENCY_HEADER = re.compile(r"idempotency", re.IGNORECASE)
USAGE_PLAN = re.compile(r"usage plans?:", re.IGNORECASE)
ERROR_DEFINITION = "#/definitions/Error"
"""Arrays of Amazon's ``Error`` definition (``errors``, ``warnings``) hold no records."""

OperationKey: TypeAlias = tuple[str, str, str, str]

OperationRecord: TypeAlias = dict[str, Any]
"""An operation as operations.json holds it (its fields: catalog.record_of)."""


def key_of(record: Mapping[str, Any]) -> OperationKey:
    return (record["api"], record["version"], record["operationId"], record["method"])


def name_of(key: OperationKey) -> str:
    return "/".join(key)


# --- reading the models ------------------------------------------------------------------------


def properties(model: Json, schema: Json) -> dict[str, Json]:
    """The properties of an object schema, those of its ``allOf`` parts included."""
    schema = resolve(model, schema)
    if not isinstance(schema, dict):
        return {}
    found: dict[str, Json] = {}
    for part in schema.get("allOf") or ():
        found.update(properties(model, part))
    found.update(schema.get("properties") or {})
    return found


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


def success_schemas(model: Json, operation: Json) -> list[Json]:
    """The body schemas of the operation's 2xx answers."""
    answers = (
        resolve(model, a) for code, a in operation.get("responses", {}).items() if str(code)[:1] == "2"
    )
    return [a["schema"] for a in answers if isinstance(a, dict) and a.get("schema")]


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


# --- one concern each: what the models say about an operation ------------------------------------


def parameter_record(param: Json) -> dict[str, Any]:
    """Name, place and need; for an array outside the body, how its items are sent (Swagger's default:
    csv)."""
    record: dict[str, Any] = {
        "name": param["name"],
        "in": param["in"],
        "required": param.get("required") is True,
    }
    if param.get("type") == "array" and param["in"] != "body":
        record["collectionFormat"] = param.get("collectionFormat") or "csv"
    return record


def idempotency_key(params: Sequence[Json]) -> str | None:
    """The header parameter that takes an idempotency key (``x-amzn-IdempotencyKey`` ...)."""
    return next(
        (p["name"] for p in params if p["in"] == "header" and IDEMPOTENCY_HEADER.search(p["name"])), None
    )


def pagination(model: Json, operation: Json, params: Sequence[Json]) -> dict[str, Any] | None:
    """Where the next-page token goes and comes from, and what a later page sends besides it."""
    requested = [
        p
        for p in params
        if p["in"] == "query" and PAGING_TOKEN.match(p["name"]) and not PREVIOUS_TOKEN.match(p["name"])
    ]
    body_fields = [
        f"body:{field}"
        for body in params
        if body["in"] == "body"
        for field in token_fields(model, body.get("schema") or {})
    ]
    token = requested[0]["name"] if requested else next(iter(body_fields), None)
    answered = list(
        dict.fromkeys(t for s in success_schemas(model, operation) for t in token_fields(model, s))
    )
    following = next((t for t in answered if not PREVIOUS_TOKEN.match(t.rsplit(".", 1)[-1])), None)
    previous = next((t for t in answered if PREVIOUS_TOKEN.match(t.rsplit(".", 1)[-1])), None)
    if token is None and following is None:
        return None
    keep, fixed = continuation(params, requested[0] if requested else None)
    return {"token": token, "next": following, "previous": previous, "keep": keep, "set": fixed}


def continuation(params: Sequence[Json], token: Json | None) -> tuple[list[str] | None, dict[str, str]]:
    """The parameters a later page sends again (None: all) and those it sets, as the models describe:
    the token "as the only parameter" (path parameters still fill the path), or a required parameter
    that offers ``NEXT_TOKEN`` (QueryType) set to it, with only the other required parameters kept."""
    if token is None:
        return None, {}
    if ONLY_PARAMETER.search(token.get("description") or ""):
        return [p["name"] for p in params if p["in"] == "path"], {}
    for selector in params:
        if selector.get("required") is True and CONTINUATION_VALUE in (selector.get("enum") or ()):
            kept = [p["name"] for p in params if p.get("required") is True and p is not selector]
            return kept, {selector["name"]: CONTINUATION_VALUE}
    return None, {}


def record_lists(model: Json, schema: Json) -> list[str]:
    """The array properties of an object schema that can hold records (not error lists)."""
    found = []
    for name, prop in properties(model, schema).items():
        target = resolve(model, prop)
        if not isinstance(target, dict) or target.get("type") != "array":
            continue
        items = target.get("items") or {}
        if items.get("$ref") != ERROR_DEFINITION:
            found.append(name)
    return found


def result_key(model: Json, operation: Json, next_token: str | None) -> str | None:
    """Dotted path of the list that holds an answer's records: the one record list beside the next-page
    token (a ``pagination`` wrapper skipped, then inside ``payload`` when only that holds it), or for an
    unpaged answer at its top."""
    schemas = success_schemas(model, operation)
    if not schemas:
        return None
    path = next_token.split(".")[:-1] if next_token else []
    if path and path[-1].casefold() == "pagination":
        path.pop()
    node: Json = schemas[0]
    for part in path:
        node = properties(model, node).get(part)
        if node is None:
            return None
    lists = record_lists(model, node)
    payload = properties(model, node).get("payload")
    if next_token and not lists and payload is not None:
        path.append("payload")
        lists = record_lists(model, payload)
    return ".".join([*path, lists[0]]) if len(lists) == 1 else None


def operation_record(
    model: Json, api: str, *, path: str, path_item: Json, method: str, operation: Json
) -> OperationRecord:
    params = parameters(model, path_item, operation)
    paging = pagination(model, operation, params)
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
        "idempotent": method.upper() in IDEMPOTENT_METHODS,
        "idempotency_key": idempotency_key(params),
        "grantless_scope": None,
        "roles": [],
        "restricted": None,
        "pagination": paging,
        "records": result_key(model, operation, paging["next"] if paging else None),
        "parameters": [parameter_record(p) for p in params],
        "sandbox_only": path_item.get(SANDBOX_ONLY) is True or operation.get(SANDBOX_ONLY) is True,
        "refusal": None,
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


# --- the overlay: what the models do not say, each fact with its source ----------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    """Where the fact is stated: a URL of Amazon's documentation, a model file, or a reference section."""


class ApiFacts(_Entry):
    """Roles for every operation of one API."""

    api: str
    roles: list[str] = []
    """Roles (any one) to request when Amazon refuses one of its operations."""
    restricted_roles: list[str] = []
    """Restricted roles (any one) an RDT for its restricted operations needs."""


class DataElementFacts(_Entry):
    """The roles (any one) that grant one restricted data element."""

    data_element: str
    roles: list[str] = Field(min_length=1)


class RestrictionFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_elements: list[str] = []
    concrete_path: bool = False
    plain_first: bool = False


class RefusalFacts(BaseModel):
    """How a 2xx answer of the operation says Amazon refused what was sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: str = Field(min_length=1)
    """Dotted path of the status in the answer."""
    refused: list[str] = Field(min_length=1)
    """The status values that mean refused."""
    issues: str = Field(min_length=1)
    """Dotted path of Amazon's issues (a list, or one object)."""


class OperationFacts(_Entry):
    """Facts about one operation, matched by API, version, operationId and method."""

    api: str
    version: str
    operationId: str
    method: Literal["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    restricted: RestrictionFacts | None = None
    grantless_scope: str | None = None
    idempotent: Literal[True] | None = None
    """Only a POST that reads can be marked: the method tells for the others."""
    refusal: RefusalFacts | None = None


class Overlay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    apis: list[ApiFacts]
    data_elements: list[DataElementFacts]
    operations: list[OperationFacts]


def load_overlay(path: Path = OVERLAY_FILE) -> Overlay:
    try:
        return Overlay.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise CatalogBuildError(f"Cannot read the overlay {path}: {exc}.") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'the file'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        raise CatalogBuildError(
            f"The overlay {path} is not valid: {problems}.",
            hint="Each entry names its fact's source; see the README section on updating the catalog.",
        ) from None


def apply_overlay(records: list[OperationRecord], overlay: Overlay) -> None:
    """Add the overlay's facts to the records. An entry that matches nothing, repeats a fact or states
    what the models say already is an error, so the overlay holds exactly what the models lack."""
    by_key = {key_of(record): record for record in records}
    element_roles = {entry.data_element: entry.roles for entry in overlay.data_elements}
    restricted_roles = {entry.api: entry.restricted_roles for entry in overlay.apis}
    for facts in overlay.operations:
        key = (facts.api, facts.version, facts.operationId, facts.method)
        record = by_key.get(key)
        if record is None:
            raise CatalogBuildError(
                f"The overlay names {name_of(key)}, which the models do not have.",
                hint="Amazon removed or renamed it: update or delete that entry in overlay.json.",
            )
        if facts.grantless_scope is not None:
            unset(record["grantless_scope"], "grantless_scope", key)
            record["grantless_scope"] = facts.grantless_scope
        if facts.idempotent:
            unset(record["idempotent"], "idempotent", key)
            record["idempotent"] = True
        if facts.refusal is not None:
            unset(record["refusal"], "refusal", key)
            record["refusal"] = facts.refusal.model_dump()
        if facts.restricted is not None:
            unset(record["restricted"], "restricted", key)
            record["restricted"] = {
                "concrete_path": facts.restricted.concrete_path,
                "data_elements": {
                    element: roles_of_element(element_roles, element, key)
                    for element in facts.restricted.data_elements
                },
                "plain_first": facts.restricted.plain_first,
                "roles": list(restricted_roles.get(facts.api, ())),
            }
    apply_api_facts(records, overlay)
    used = {element for r in records if r["restricted"] for element in r["restricted"]["data_elements"]}
    unused = sorted(element_roles.keys() - used)
    if unused:
        raise CatalogBuildError(
            f"The overlay gives roles for the data elements {', '.join(unused)}, which no restricted "
            "operation takes.",
            hint="Delete them from data_elements in overlay.json, or name them in an operation's entry.",
        )


def unset(value: object, field: str, key: OperationKey) -> None:
    """Stop when the overlay would set a field that is set already (twice, or by the models)."""
    if value not in (None, False):
        raise CatalogBuildError(
            f"The overlay sets {field} of {name_of(key)} twice, or the models say it already.",
            hint="Delete the redundant entry in overlay.json.",
        )


def roles_of_element(element_roles: Mapping[str, list[str]], element: str, key: OperationKey) -> list[str]:
    if element not in element_roles:
        raise CatalogBuildError(
            f"The overlay gives {name_of(key)} the data element {element} without saying which roles grant it.",
            hint="Add it to data_elements in overlay.json, with its source.",
        )
    return list(element_roles[element])


def apply_api_facts(records: list[OperationRecord], overlay: Overlay) -> None:
    for facts in overlay.apis:
        ours = [r for r in records if r["api"] == facts.api]
        if not ours:
            raise CatalogBuildError(
                f"The overlay gives roles for the API {facts.api}, which the models do not have.",
                hint="Amazon removed or renamed it: update or delete that entry in overlay.json.",
            )
        if facts.restricted_roles and not any(r["restricted"] for r in ours):
            raise CatalogBuildError(
                f"The overlay gives restricted roles for the API {facts.api}, which has no restricted operation.",
                hint="Delete restricted_roles from that entry in overlay.json.",
            )
        for record in ours:
            record["roles"] = list(facts.roles)


def build(models_root: Path, overlay: Overlay) -> list[OperationRecord]:
    """Every operation of the models, in model-folder, file and path order, with the overlay applied."""
    records: list[OperationRecord] = []
    for folder, path in model_files(models_root):
        records += model_operations(path, api_name(folder))
    seen: set[OperationKey] = set()
    for record in records:
        if key_of(record) in seen:
            raise CatalogBuildError(f"The models define {name_of(key_of(record))} twice.")
        seen.add(key_of(record))
    apply_overlay(records, overlay)
    return records


def render(records: Sequence[Mapping[str, Any]]) -> str:
    """One operation per line, so that a regeneration shows as a small diff. Each record is read as the
    catalog reads it and written back from the Operation, so the file holds what the catalog reads."""
    lines = (json.dumps(record_of(op), separators=(",", ":")) for op in operations_of(records))
    return "[\n" + ",\n".join(lines) + "\n]\n"


# --- command line -------------------------------------------------------------------------------


def changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per added, removed or changed operation."""
    before = {key_of(r): r for r in old}
    after = {key_of(r): r for r in new}
    lines = [f"+ {name_of(k)}" for k in after if k not in before]
    lines += [f"- {name_of(k)}" for k in before if k not in after]
    for k in after.keys() & before.keys():
        fields = [f for f in after[k] if after[k][f] != before[k].get(f)]
        if fields:
            lines.append(f"~ {name_of(k)}: {', '.join(fields)}")
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
        code = max(code, _update_report_types(args.models, args.out.parent, check=args.check))
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
    diff = build_shapes.update(models, out_dir, check=check)
    if not diff:
        print(f"{out_dir}: up to date.")
        return 0
    print(f"{out_dir} {'would change' if check else 'changed'} ({len(diff)} files):", *diff, sep="\n")
    return 1 if check else 0


def _update_report_types(models: Path, out_dir: Path, *, check: bool) -> int:
    """The report types beside the catalog (see build_report_types)."""
    from amazon_connector.api import build_report_types

    return build_report_types.update(models, out_dir / build_report_types.REPORT_TYPES_FILE.name, check=check)


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


if __name__ == "__main__":
    sys.exit(main())
