"""The catalog generator: shipped data against the reference, and the generator on synthetic models."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from amazon_connector.api.build_catalog import (
    OPERATIONS_FILE,
    OVERLAY_FILE,
    OverlayRecord,
    build,
    load_overlay,
    main,
    overlay_of,
    render,
)
from amazon_connector.api.catalog import Operation, catalog
from tests.test_catalog import REFERENCE

KEY_FIELDS = ("api", "version", "operationId", "method")


def differences(actual: Sequence[Mapping[str, Any]], expected: Sequence[Mapping[str, Any]]) -> list[str]:
    """Readable lines, one per differing operation field (or missing/extra operation)."""
    lines = [f"count: {len(actual)} != {len(expected)}"] if len(actual) != len(expected) else []
    for index, (got, want) in enumerate(zip(actual, expected, strict=False)):
        name = "/".join(str(want.get(f)) for f in KEY_FIELDS)
        for field in sorted(got.keys() | want.keys()):
            if got.get(field) != want.get(field):
                lines.append(f"#{index} {name} {field}: {got.get(field)!r} != {want.get(field)!r}")
    return lines


def record_of(op: Operation) -> dict[str, Any]:
    """The operations.json record an Operation was loaded from."""
    return {
        "api": op.api,
        "version": op.version,
        "operationId": op.operation_id,
        "method": op.method,
        "path": op.path,
        "rate": op.rate,
        "burst": op.burst,
        "deprecated": op.deprecated,
        "restricted": op.restricted,
        "restricted_note": op.restricted_note,
        "grantless_scope": op.grantless_scope,
        "pagination": {"request": list(op.pagination_request), "response": list(op.pagination_response)},
        "parameters": [{"name": p.name, "in": p.location, "required": p.required} for p in op.parameters],
        "sandbox_only": op.sandbox_only,
    }


# --- the shipped catalog ------------------------------------------------------------------------


def test_shipped_catalog_equals_the_reference_in_every_field():
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    shipped = json.loads(OPERATIONS_FILE.read_text(encoding="utf-8"))
    assert differences(shipped, reference) == []
    assert differences([record_of(op) for op in catalog().operations], reference) == []


def test_shipped_catalog_is_in_the_generators_format():
    assert OPERATIONS_FILE.read_text(encoding="utf-8") == render(json.loads(REFERENCE.read_text()))


def test_overlay_holds_exactly_the_facts_the_models_lack():
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert load_overlay() == overlay_of(reference)
    assert OVERLAY_FILE.read_text(encoding="utf-8") == render(overlay_of(reference))


# --- the generator on synthetic models ----------------------------------------------------------

TABLE = "| Rate (requests per second) | Burst |\n| ---- | ---- |\n| {rate} | {burst} |\n\nRate limits apply."
PAGE_OF = {
    "type": "object",
    "properties": {"nextToken": {"type": "string"}, "previousToken": {"type": "string"}},
}


def described(text: str) -> str:
    return f"Does a thing.\n\n**Usage Plan:**\n\n{text}"


def widgets_model() -> dict[str, Any]:
    """Swagger 2.0 covering each usage-plan form, path-level parameters and the paging styles."""
    return {
        "swagger": "2.0",
        "info": {"title": "Widgets", "version": "2024-01-01"},
        "parameters": {"widgetId": {"name": "widgetId", "in": "path", "required": True, "type": "string"}},
        "paths": {
            "/widgets/2024-01-01/widgets": {
                "get": {
                    "operationId": "listWidgets",
                    "description": described(TABLE.format(rate=0.5, burst=10)),
                    "parameters": [
                        {"name": "pageToken", "in": "query", "type": "string"},
                        {"name": "x-amzn-idempotency-token", "in": "header", "type": "string"},
                    ],
                    "responses": {
                        "200": {"schema": {"$ref": "#/definitions/WidgetList"}},
                        "400": {"schema": {"$ref": "#/definitions/Errors"}},
                    },
                },
                "post": {
                    "operationId": "createWidget",
                    # Escaped: literal backslash-n instead of line breaks; and ".0167", no leading zero.
                    "description": described(TABLE.format(rate=".0167", burst=2)).replace("\n", "\\n"),
                    "parameters": [
                        {
                            "name": "body",
                            "in": "body",
                            "required": True,
                            "schema": {"$ref": "#/definitions/Spec"},
                        }
                    ],
                    "responses": {"202": {"schema": {"type": "object", "properties": {"requestToken": {}}}}},
                },
            },
            "/widgets/2024-01-01/widgets/{widgetId}": {
                "parameters": [
                    {"$ref": "#/parameters/widgetId"},
                    {"name": "locale", "in": "query", "type": "string"},
                ],
                "x-amzn-api-sandbox-only": True,
                "x-amzn-api-sandbox": {"dynamic": {}},
                "get": {
                    "operationId": "getWidget",
                    "description": "Does a thing.\n\n**Usage Plans:**\n\n| Plan type | Rate (requests per second) | Burst |\n"
                    "| ---- | ---- | ---- |\n|Default| 5 | 20 |\n|Selling partner specific| Variable | Variable |\n",
                    "parameters": [{"name": "locale", "in": "query", "required": True, "type": "string"}],
                    "responses": {"200": {"schema": {"$ref": "#/definitions/Tree"}}},
                },
                "delete": {
                    "operationId": "deleteWidget",
                    "deprecated": True,
                    "description": described(TABLE.format(rate="n", burst="n")),
                    "responses": {"204": {"description": "Gone."}},
                },
            },
            "/widgets/2024-01-01/events": {
                "get": {
                    "operationId": "listEvents",
                    "description": "No usage plan is stated here.",
                    "x-amzn-api-sandbox-only": True,
                    "parameters": [{"name": "NextToken", "in": "query", "type": "string"}],
                    "responses": {
                        "200": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "payload": {
                                        "allOf": [
                                            {
                                                "type": "object",
                                                "properties": {"NextToken": {"type": "string"}},
                                            }
                                        ]
                                    }
                                },
                            }
                        }
                    },
                },
            },
        },
        "definitions": {
            "WidgetList": {
                "type": "object",
                "properties": {
                    "widgets": {"type": "array", "items": {"$ref": "#/definitions/Tree"}},
                    "pagination": {"$ref": "#/definitions/Page"},
                },
            },
            "Page": PAGE_OF,
            "Spec": {"type": "object", "properties": {"paginationToken": {"type": "string"}}},
            # Recursive, with a token inside an array only: no paging fields, and no endless walk.
            "Tree": {
                "type": "object",
                "properties": {
                    "child": {"$ref": "#/definitions/Tree"},
                    "pages": {"type": "array", "items": PAGE_OF},
                },
            },
            "Errors": {"type": "object", "properties": {"errors": {"type": "array"}}},
        },
    }


def gadgets_model(version: str, token_at: str) -> dict[str, Any]:
    """One paged operation whose next-page token sits at ``token_at`` (a dotted path) in the response."""
    *parents, leaf = token_at.split(".")
    schema: dict[str, Any] = {"type": "object", "properties": {leaf: {"type": "string"}}}
    for parent in reversed(parents):
        schema = {"type": "object", "properties": {parent: schema}}
    return {
        "swagger": "2.0",
        "info": {"version": version},
        "paths": {
            f"/gadgets/{version}/gadgets": {
                "get": {
                    "operationId": "getGadgets",
                    "description": described(TABLE.format(rate=10, burst=10)),
                    "parameters": [{"name": "nextToken", "in": "query", "type": "string"}],
                    "responses": {"200": {"schema": schema}},
                }
            }
        },
    }


def write_models(root: Path) -> Path:
    models = {
        "widgets-api-model/widgets_2024-01-01.json": widgets_model(),
        "gadget-tools-model/gadgets_2021-12-28.json": gadgets_model("2021-12-28", "pagination.nextToken"),
        "gadget-tools-model/gadgetsV1.json": gadgets_model("v1", "payload.pagination.nextToken"),
        "plain/plainV0.json": gadgets_model("v0", "nextPageToken"),
    }
    for name, model in models.items():
        (root / "models" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "models" / name).write_text(json.dumps(model), encoding="utf-8")
    (root / "README.md").write_text("not a model")
    return root


OVERLAY: list[OverlayRecord] = [
    {
        "api": "widgets",
        "version": "2024-01-01",
        "operationId": "getWidget",
        "method": "GET",
        "restricted": True,
        "restricted_note": "dataElements: buyerInfo",
        "grantless_scope": None,
    },
    {
        "api": "gadget-tools",
        "version": "v1",
        "operationId": "getGadgets",
        "method": "GET",
        "restricted": False,
        "restricted_note": "",
        "grantless_scope": "sellingpartnerapi::notifications",
    },
]


def expected(
    api: str, version: str, operation_id: str, method: str, path: str, **fields: Any
) -> dict[str, Any]:
    return {
        "api": api,
        "version": version,
        "operationId": operation_id,
        "method": method,
        "path": path,
        "rate": fields.get("rate"),
        "burst": fields.get("burst"),
        "deprecated": fields.get("deprecated", False),
        "restricted": fields.get("restricted", False),
        "restricted_note": fields.get("restricted_note", ""),
        "grantless_scope": fields.get("grantless_scope"),
        "pagination": {"request": fields.get("request", []), "response": fields.get("response", [])},
        "parameters": [{"name": n, "in": i, "required": r} for n, i, r in fields.get("parameters", [])],
        "sandbox_only": fields.get("sandbox_only", False),
    }


def gadgets(version: str, token_at: str, api: str = "gadget-tools", **fields: Any) -> dict[str, Any]:
    return expected(
        api,
        version,
        "getGadgets",
        "GET",
        f"/gadgets/{version}/gadgets",
        rate=10.0,
        burst=10,
        request=["nextToken"],
        response=[token_at],
        parameters=[("nextToken", "query", False)],
        **fields,
    )


WIDGET = "/widgets/2024-01-01/widgets/{widgetId}"
EXPECTED = [
    # Folders in name order, files in name order within a folder ("V" sorts before "_").
    gadgets("v1", "payload.pagination.nextToken", grantless_scope="sellingpartnerapi::notifications"),
    gadgets("2021-12-28", "pagination.nextToken"),
    gadgets("v0", "nextPageToken", api="plain"),
    expected(
        "widgets",
        "2024-01-01",
        "listWidgets",
        "GET",
        "/widgets/2024-01-01/widgets",
        rate=0.5,
        burst=10,
        request=["pageToken"],
        response=["pagination.nextToken", "pagination.previousToken"],
        parameters=[("pageToken", "query", False), ("x-amzn-idempotency-token", "header", False)],
    ),
    expected(
        "widgets",
        "2024-01-01",
        "createWidget",
        "POST",
        "/widgets/2024-01-01/widgets",
        rate=0.0167,
        burst=2,
        request=["body:paginationToken"],
        parameters=[("body", "body", True)],
    ),
    expected(
        "widgets",
        "2024-01-01",
        "getWidget",
        "GET",
        WIDGET,
        rate=5.0,
        burst=20,
        restricted=True,
        restricted_note="dataElements: buyerInfo",
        parameters=[("widgetId", "path", True), ("locale", "query", True)],
        sandbox_only=True,
    ),
    expected(
        "widgets",
        "2024-01-01",
        "deleteWidget",
        "DELETE",
        WIDGET,
        deprecated=True,
        parameters=[("widgetId", "path", True), ("locale", "query", False)],
        sandbox_only=True,
    ),
    expected(
        "widgets",
        "2024-01-01",
        "listEvents",
        "GET",
        "/widgets/2024-01-01/events",
        request=["NextToken"],
        response=["payload.NextToken"],
        parameters=[("NextToken", "query", False)],
        sandbox_only=True,
    ),
]


def test_generator_turns_models_into_catalog_records(tmp_path: Path):
    records = build(write_models(tmp_path), OVERLAY)
    assert differences(records, EXPECTED) == []
    # The models/ folder itself works too, and gives the same.
    assert build(tmp_path / "models", OVERLAY) == records


def test_overlay_entry_without_an_operation_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    stale = tmp_path / "overlay.json"
    stale.write_text(json.dumps([{**OVERLAY[0], "operationId": "getGizmo"}]))
    out = tmp_path / "operations.json"
    assert main([str(write_models(tmp_path)), "--overlay", str(stale), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "widgets/2024-01-01/getGizmo/GET" in err
    assert "overlay.json" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_check_fails_when_the_output_would_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    root = write_models(tmp_path / "clone")
    overlay = tmp_path / "overlay.json"
    overlay.write_text(render(OVERLAY))
    out = tmp_path / "operations.json"
    args = [str(root), "--overlay", str(overlay), "--out", str(out)]

    assert main([*args, "--check"]) == 1  # nothing written yet
    assert not out.exists()
    assert main(args) == 0
    assert out.read_text() == render(EXPECTED)
    assert main([*args, "--check"]) == 0
    assert "up to date (8 operations)" in capsys.readouterr().out

    stale = json.loads(out.read_text())
    stale[0]["rate"] = 1.0
    out.write_text(render(stale))
    assert main([*args, "--check"]) == 1
    assert "~ gadget-tools/v1/getGadgets/GET: rate" in capsys.readouterr().out
    assert json.loads(out.read_text()) == stale  # --check writes nothing


def test_module_runs_from_the_command_line(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "amazon_connector.api.build_catalog", str(tmp_path / "missing"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "is not a folder" in done.stderr
    assert "Traceback" not in done.stderr
