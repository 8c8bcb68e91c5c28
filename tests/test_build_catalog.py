"""The catalog generator: the shipped data and overlay agree, and the generator on synthetic models."""

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
    Overlay,
    build,
    key_of,
    load_overlay,
    main,
    render,
)
from amazon_connector.api.catalog import catalog, record_of

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


# --- the shipped catalog and overlay -------------------------------------------------------------


def test_shipped_catalog_is_loaded_field_for_field_in_the_generators_format():
    shipped = json.loads(OPERATIONS_FILE.read_text(encoding="utf-8"))
    assert OPERATIONS_FILE.read_text(encoding="utf-8") == render(shipped)
    assert differences([record_of(op) for op in catalog().operations], shipped) == []


def test_every_model_less_fact_of_the_shipped_catalog_comes_from_the_overlay_with_a_source():
    overlay = load_overlay()
    by_key = {key_of(op): op for op in map(record_of, catalog().operations)}
    named: dict[str, set[tuple[str, ...]]] = {
        "restricted": set(),
        "grantless_scope": set(),
        "idempotent": set(),
    }
    for entry in overlay.operations:
        assert entry.source.strip()
        record = by_key[(entry.api, entry.version, entry.operationId, entry.method)]
        for field, keys in named.items():
            if getattr(entry, field) is not None:
                keys.add(key_of(record))
    assert named["restricted"] == {k for k, r in by_key.items() if r["restricted"]}
    assert named["grantless_scope"] == {k for k, r in by_key.items() if r["grantless_scope"]}
    read_only_posts = {k for k, r in by_key.items() if r["idempotent"] and r["method"] == "POST"}
    assert named["idempotent"] == read_only_posts
    assert all(entry.source.strip() for entry in [*overlay.apis, *overlay.data_elements])
    orders = catalog().get("getOrders")
    assert orders.roles == ("Inventory and Order Tracking",)
    assert orders.restricted is not None
    assert orders.restricted.data_elements["shippingAddress"] == ("Direct-to-Consumer Shipping (Restricted)",)


# --- the generator on synthetic models ----------------------------------------------------------

TABLE = "| Rate (requests per second) | Burst |\n| ---- | ---- |\n| {rate} | {burst} |\n\nRate limits apply."
PAGE_OF = {
    "type": "object",
    "properties": {"nextToken": {"type": "string"}, "previousToken": {"type": "string"}},
}
ONLY_TOKEN = "To get the next page, call this operation with this token as the only parameter."


def described(text: str) -> str:
    return f"Does a thing.\n\n**Usage Plan:**\n\n{text}"


def answers_payload(payload: dict[str, Any], **more: Any) -> dict[str, Any]:
    """A 200 answer whose body wraps ``payload`` (an older API's envelope)."""
    return {"200": {"schema": {"type": "object", "properties": {"payload": payload, **more}}}}


def widgets_model() -> dict[str, Any]:
    """Swagger 2.0 covering each usage-plan form, path-level parameters, list formats, idempotency
    headers, one operationId under two methods, and paging and record-list styles."""
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
                        {"name": "colors", "in": "query", "type": "array", "items": {"type": "string"}},
                        {
                            "name": "sizes",
                            "in": "query",
                            "type": "array",
                            "collectionFormat": "multi",
                            "items": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": {"schema": {"$ref": "#/definitions/WidgetList"}},
                        "400": {"schema": {"$ref": "#/definitions/ErrorList"}},
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
                        },
                        {"name": "x-amzn-IdempotencyKey", "in": "header", "type": "string"},
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
            "/widgets/2024-01-01/quotes": {
                "post": {
                    "operationId": "quoteWidgets",
                    "parameters": [{"name": "body", "in": "body", "schema": {"type": "object"}}],
                    "responses": {"200": {"schema": {"type": "array", "items": {"type": "object"}}}},
                }
            },
            "/widgets/2024-01-01/links": {
                "put": {"operationId": "linkWidget", "responses": {"204": {"description": "Linked."}}},
                "post": {"operationId": "linkWidget", "responses": {"204": {"description": "Linked."}}},
            },
            "/widgets/2024-01-01/events": {
                "get": {
                    "operationId": "listEvents",
                    "description": "No usage plan is stated here.",
                    "x-amzn-api-sandbox-only": True,
                    "parameters": [{"name": "NextToken", "in": "query", "type": "string"}],
                    "responses": answers_payload(
                        {
                            "allOf": [
                                {"type": "object", "properties": {"NextToken": {"type": "string"}}},
                                {"type": "object", "properties": {"events": {"type": "array", "items": {}}}},
                            ]
                        },
                        errors={"$ref": "#/definitions/ErrorList"},
                    ),
                },
            },
        },
        "definitions": {
            "WidgetList": {
                "type": "object",
                "properties": {
                    "widgets": {"type": "array", "items": {"$ref": "#/definitions/Tree"}},
                    "warnings": {"$ref": "#/definitions/ErrorList"},
                    "pagination": {"$ref": "#/definitions/Page"},
                },
            },
            "Page": PAGE_OF,
            "Spec": {"type": "object", "properties": {"paginationToken": {"type": "string"}}},
            # Recursive, with a token inside an array only: no paging fields, and no endless walk.
            # Two lists: no single list of records.
            "Tree": {
                "type": "object",
                "properties": {
                    "child": {"$ref": "#/definitions/Tree"},
                    "pages": {"type": "array", "items": PAGE_OF},
                    "leaves": {"type": "array", "items": {}},
                },
            },
            "Error": {"type": "object", "properties": {"code": {}, "message": {}}},
            "ErrorList": {"type": "array", "items": {"$ref": "#/definitions/Error"}},
        },
    }


def gadgets_model(
    version: str, token_at: str, records_at: str, token_description: str = ""
) -> dict[str, Any]:
    """One paged operation whose next-page token and record list sit at the dotted paths given."""
    schema: dict[str, Any] = {"type": "object", "properties": {}}
    for dotted, leaf in ((token_at, {"type": "string"}), (records_at, {"type": "array", "items": {}})):
        *parents, name = dotted.split(".")
        node = schema
        for parent in parents:
            node = node["properties"].setdefault(parent, {"type": "object", "properties": {}})
        node["properties"][name] = leaf
    return {
        "swagger": "2.0",
        "info": {"version": version},
        "paths": {
            f"/gadgets/{version}/gadgets": {
                "get": {
                    "operationId": "getGadgets",
                    "description": described(TABLE.format(rate=10, burst=10)),
                    "parameters": [
                        {
                            "name": "nextToken",
                            "in": "query",
                            "type": "string",
                            "description": token_description,
                        }
                    ],
                    "responses": {"200": {"schema": schema}},
                }
            }
        },
    }


def shipments_model() -> dict[str, Any]:
    """A page continued by setting QueryType to NEXT_TOKEN, which drops the other selection criteria."""
    return {
        "swagger": "2.0",
        "info": {"version": "v0"},
        "paths": {
            "/boxes/v0/shipments": {
                "get": {
                    "operationId": "getShipments",
                    "parameters": [
                        {"name": "StatusList", "in": "query", "type": "array", "collectionFormat": "csv"},
                        {
                            "name": "QueryType",
                            "in": "query",
                            "required": True,
                            "enum": ["SHIPMENT", "NEXT_TOKEN"],
                        },
                        {"name": "NextToken", "in": "query", "type": "string"},
                        {"name": "MarketplaceId", "in": "query", "required": True, "type": "string"},
                    ],
                    "responses": answers_payload(
                        {
                            "type": "object",
                            "properties": {
                                "ShipmentData": {"type": "array", "items": {}},
                                "NextToken": {"type": "string"},
                            },
                        }
                    ),
                }
            }
        },
    }


def write_models(root: Path) -> Path:
    models = {
        "widgets-api-model/widgets_2024-01-01.json": widgets_model(),
        "gadget-tools-model/gadgets_2021-12-28.json": gadgets_model(
            "2021-12-28", "pagination.nextToken", "payload.gadgets"
        ),
        "gadget-tools-model/gadgetsV1.json": gadgets_model(
            "v1", "payload.pagination.nextToken", "payload.gadgets"
        ),
        "plain/plainV0.json": gadgets_model("v0", "nextPageToken", "gadgets", ONLY_TOKEN),
        "boxes-api-model/boxesV0.json": shipments_model(),
    }
    for name, model in models.items():
        (root / "models" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "models" / name).write_text(json.dumps(model), encoding="utf-8")
    (root / "README.md").write_text("not a model")
    (root / "LICENSE").write_text("Apache License, Version 2.0 (synthetic)\n")  # kept beside the shapes
    (root / "NOTICE").write_text("Copyright (synthetic)\n")
    return root


def widgets(operation_id: str, method: str, **facts: Any) -> dict[str, Any]:
    return {"api": "widgets", "version": "2024-01-01", "operationId": operation_id, "method": method, **facts}


LINK_REFUSAL = {"status": "result.status", "refused": ["REJECTED"], "issues": "result.problems"}
OVERLAY_DATA: dict[str, Any] = {
    "apis": [
        {
            "api": "widgets",
            "roles": ["Widget Maker"],
            "restricted_roles": ["Widget Keeper (Restricted)"],
            "source": "https://example.com/widget-roles",
        }
    ],
    "data_elements": [
        {"data_element": "ownerInfo", "roles": ["Widget Keeper (Restricted)", "Tax"], "source": "doc 1"}
    ],
    "operations": [
        widgets("getWidget", "GET", restricted={"data_elements": ["ownerInfo"]}, source="doc 2"),
        widgets(
            "deleteWidget", "DELETE", restricted={"concrete_path": True, "plain_first": True}, source="doc 3"
        ),
        widgets("quoteWidgets", "POST", idempotent=True, source="the model: a quote creates nothing"),
        widgets("linkWidget", "PUT", refusal=LINK_REFUSAL, source="doc 5"),
        {
            "api": "gadget-tools",
            "version": "v1",
            "operationId": "getGadgets",
            "method": "GET",
            "grantless_scope": "sellingpartnerapi::notifications",
            "source": "doc 4",
        },
    ],
}
OVERLAY = Overlay.model_validate(OVERLAY_DATA)


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
        "idempotent": fields.get("idempotent", method != "POST"),
        "idempotency_key": fields.get("idempotency_key"),
        "grantless_scope": fields.get("grantless_scope"),
        "roles": fields.get("roles", []),
        "restricted": fields.get("restricted"),
        "pagination": fields.get("pagination"),
        "records": fields.get("records"),
        "parameters": fields.get("parameters", []),
        "sandbox_only": fields.get("sandbox_only", False),
        "refusal": fields.get("refusal"),
    }


def param(name: str, place: str, required: bool = False, collection: str | None = None) -> dict[str, Any]:
    return {"name": name, "in": place, "required": required} | (
        {"collectionFormat": collection} if collection else {}
    )


def paged(
    token: str | None, following: str | None, previous: str | None = None, **rest: Any
) -> dict[str, Any]:
    return {"token": token, "next": following, "previous": previous, "keep": None, "set": {}} | rest


def gadgets(
    version: str, token_at: str, records: str, api: str = "gadget-tools", **fields: Any
) -> dict[str, Any]:
    keep = fields.pop("keep", None)
    return expected(
        api,
        version,
        "getGadgets",
        "GET",
        f"/gadgets/{version}/gadgets",
        rate=10.0,
        burst=10,
        pagination=paged("nextToken", token_at, keep=keep),
        records=records,
        parameters=[param("nextToken", "query")],
        **fields,
    )


def restricted(roles: list[str], **fields: Any) -> dict[str, Any]:
    return {"concrete_path": False, "data_elements": {}, "plain_first": False, "roles": roles} | fields


WIDGET = "/widgets/2024-01-01/widgets/{widgetId}"
KEEPER = ["Widget Keeper (Restricted)"]
EXPECTED = [
    # Folders in name order, files in name order within a folder ("V" sorts before "_").
    expected(
        "boxes",
        "v0",
        "getShipments",
        "GET",
        "/boxes/v0/shipments",
        pagination=paged(
            "NextToken", "payload.NextToken", keep=["MarketplaceId"], set={"QueryType": "NEXT_TOKEN"}
        ),
        records="payload.ShipmentData",
        parameters=[
            param("StatusList", "query", collection="csv"),
            param("QueryType", "query", required=True),
            param("NextToken", "query"),
            param("MarketplaceId", "query", required=True),
        ],
    ),
    gadgets(
        "v1",
        "payload.pagination.nextToken",
        "payload.gadgets",
        grantless_scope="sellingpartnerapi::notifications",
    ),
    # The token's wrapper holds no list: the records are in the payload beside it.
    gadgets("2021-12-28", "pagination.nextToken", "payload.gadgets"),
    # "as the only parameter": a later page sends the token alone.
    gadgets("v0", "nextPageToken", "gadgets", api="plain", keep=[]),
    expected(
        "widgets",
        "2024-01-01",
        "listWidgets",
        "GET",
        "/widgets/2024-01-01/widgets",
        rate=0.5,
        burst=10,
        roles=["Widget Maker"],
        pagination=paged("pageToken", "pagination.nextToken", "pagination.previousToken"),
        records="widgets",  # warnings (a list of Error) hold no records
        parameters=[
            param("pageToken", "query"),
            param("colors", "query", collection="csv"),
            param("sizes", "query", collection="multi"),
        ],
    ),
    expected(
        "widgets",
        "2024-01-01",
        "createWidget",
        "POST",
        "/widgets/2024-01-01/widgets",
        rate=0.0167,
        burst=2,
        idempotency_key="x-amzn-IdempotencyKey",
        roles=["Widget Maker"],
        pagination=paged("body:paginationToken", None),
        parameters=[param("body", "body", required=True), param("x-amzn-IdempotencyKey", "header")],
    ),
    expected(
        "widgets",
        "2024-01-01",
        "getWidget",
        "GET",
        WIDGET,
        rate=5.0,
        burst=20,
        roles=["Widget Maker"],
        restricted=restricted(KEEPER, data_elements={"ownerInfo": ["Widget Keeper (Restricted)", "Tax"]}),
        parameters=[param("widgetId", "path", required=True), param("locale", "query", required=True)],
        sandbox_only=True,
    ),
    expected(
        "widgets",
        "2024-01-01",
        "deleteWidget",
        "DELETE",
        WIDGET,
        deprecated=True,
        roles=["Widget Maker"],
        restricted=restricted(KEEPER, concrete_path=True, plain_first=True),
        parameters=[param("widgetId", "path", required=True), param("locale", "query")],
        sandbox_only=True,
    ),
    expected(
        "widgets",
        "2024-01-01",
        "quoteWidgets",
        "POST",
        "/widgets/2024-01-01/quotes",
        idempotent=True,
        roles=["Widget Maker"],
        parameters=[param("body", "body")],
    ),
    expected(
        "widgets",
        "2024-01-01",
        "linkWidget",
        "PUT",
        "/widgets/2024-01-01/links",
        roles=["Widget Maker"],
        refusal=LINK_REFUSAL,
    ),
    expected(
        "widgets", "2024-01-01", "linkWidget", "POST", "/widgets/2024-01-01/links", roles=["Widget Maker"]
    ),
    expected(
        "widgets",
        "2024-01-01",
        "listEvents",
        "GET",
        "/widgets/2024-01-01/events",
        roles=["Widget Maker"],
        pagination=paged("NextToken", "payload.NextToken"),
        records="payload.events",
        parameters=[param("NextToken", "query")],
        sandbox_only=True,
    ),
]


def test_generator_turns_models_into_catalog_records(tmp_path: Path):
    records = build(write_models(tmp_path), OVERLAY)
    assert differences(records, EXPECTED) == []
    # The models/ folder itself works too, and gives the same.
    assert build(tmp_path / "models", OVERLAY) == records


def run_with_overlay(tmp_path: Path, overlay: Any, capsys: pytest.CaptureFixture[str]) -> str:
    """Build the synthetic models with ``overlay``; it must fail with a clear message (returned)."""
    path = tmp_path / "overlay.json"
    path.write_text(json.dumps(overlay))
    out = tmp_path / "operations.json"
    assert main([str(write_models(tmp_path)), "--overlay", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not out.exists()
    return err


def with_operation(entry: dict[str, Any]) -> dict[str, Any]:
    return OVERLAY_DATA | {"operations": [*OVERLAY_DATA["operations"], entry]}


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        (
            with_operation(widgets("getGizmo", "GET", idempotent=True, source="x")),
            "widgets/2024-01-01/getGizmo/GET",
        ),
        # A GET is idempotent by its method: the overlay must not say it again.
        (
            with_operation(widgets("listWidgets", "GET", idempotent=True, source="x")),
            "the models say it already",
        ),
        (with_operation(widgets("quoteWidgets", "POST", idempotent=True, source="x")), "sets idempotent of"),
        (
            with_operation(
                widgets("listEvents", "GET", restricted={"data_elements": ["petName"]}, source="x")
            ),
            "the data element petName without saying which roles",
        ),
        (
            OVERLAY_DATA
            | {
                "data_elements": [
                    *OVERLAY_DATA["data_elements"],
                    {"data_element": "x", "roles": ["R"], "source": "s"},
                ]
            },
            "the data elements x, which no restricted operation takes",
        ),
        (OVERLAY_DATA | {"apis": [{"api": "gizmos", "roles": ["R"], "source": "s"}]}, "the API gizmos"),
        (
            with_operation(widgets("listEvents", "GET", idempotent=True)),
            "operations.5.source: Field required",
        ),
        ([], "is not valid"),
    ],
)
def test_overlay_mistakes_stop_the_run_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], overlay: Any, message: str
):
    err = run_with_overlay(tmp_path, overlay, capsys)
    assert message in err
    assert "overlay" in err


def test_check_fails_when_the_output_would_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    root = write_models(tmp_path / "clone")
    overlay = tmp_path / "overlay.json"
    overlay.write_text(json.dumps(OVERLAY_DATA))
    out = tmp_path / "operations.json"
    args = [str(root), "--overlay", str(overlay), "--out", str(out)]

    assert main([*args, "--check"]) == 1  # nothing written yet
    assert not out.exists()
    assert main(args) == 0
    assert out.read_text() == render(EXPECTED)
    assert main([*args, "--check"]) == 0
    assert f"up to date ({len(EXPECTED)} operations)" in capsys.readouterr().out

    stale = json.loads(out.read_text())
    stale[1]["rate"] = 1.0
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
