"""The emulator's shapes: generated from the models by the catalog's command, and the shipped ones."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from amazon_connector.api.build_catalog import main
from amazon_connector.api.build_shapes import update
from amazon_connector.api.catalog import catalog
from amazon_connector.api.shapes import shape

PROJECT = Path(__file__).resolve().parents[1]
SHIPPED = PROJECT / "src" / "amazon_connector" / "api" / "models"
EMPTY_OVERLAY: dict[str, list[Any]] = {"apis": [], "data_elements": [], "operations": []}
ERROR_LIST = {
    "type": "object",
    "properties": {"errors": {"type": "array", "items": {"$ref": "#/definitions/Error"}}},
}


def model() -> dict[str, Any]:
    """A small model with what the shapes keep and what they drop."""
    return {
        "swagger": "2.0",
        "info": {"version": "2024-01-01", "title": "Widgets", "description": "Prose that is not kept."},
        "paths": {
            "/widgets/2024-01-01/widgets/{widgetId}": {
                "parameters": [
                    {"name": "widgetId", "in": "path", "required": True, "type": "string", "maxLength": 20}
                ],
                "get": {
                    "operationId": "getWidget",
                    "description": "Usage Plan: ...",
                    "parameters": [
                        {
                            "name": "colours",
                            "in": "query",
                            "description": "Prose.",
                            "type": "array",
                            "items": {
                                "type": "string",
                                "enum": ["RED", "BLUE"],
                                "x-docgen-enum-table-extension": [],
                            },
                            "collectionFormat": "multi",
                            "maxItems": 2,
                        },
                        {"name": "count", "in": "query", "required": True, "type": "integer", "minimum": 1},
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "schema": {"$ref": "#/definitions/Widget"},
                            "x-amzn-api-sandbox": {
                                "static": [
                                    {
                                        "request": {
                                            "parameters": {"widgetId": {"value": "W1"}, "count": {"value": 1}}
                                        },
                                        "response": {"widgetId": "W1"},
                                        "responseHeaders": {"x-trace": {"value": "t1"}},
                                    },
                                    {"response": {"widgetId": "never matched: no request"}},
                                ]
                            },
                        },
                        "400": {"$ref": "#/responses/BadRequest"},
                    },
                },
                "post": {
                    "operationId": "updateWidget",
                    "parameters": [
                        {
                            "name": "payload",
                            "in": "body",
                            "required": True,
                            "schema": {"$ref": "#/definitions/Widget"},
                        }
                    ],
                    "responses": {
                        "204": {
                            "description": "Done",
                            "x-amzn-api-sandbox": {
                                "static": [
                                    {
                                        "request": {
                                            "parameters": {
                                                "widgetId": {"value": "W1"},
                                                "body": {"value": {"widgetId": "W1"}},
                                            }
                                        }
                                    },
                                    {"request": {"parameters": {"widgetId": {"value": "W2"}, "body": {}}}},
                                ]
                            },
                        }
                    },
                },
            },
            "/uploads/{resource}": {
                "put": {
                    "operationId": "upload",
                    "parameters": [
                        {
                            "name": "resource",
                            "in": "path",
                            "required": True,
                            "type": "string",
                            "x-amazon-spds-greedy-path-parameter": True,
                        }
                    ],
                    "responses": {"204": {"description": "Done"}},
                }
            },
        },
        "responses": {"BadRequest": {"description": "Bad", "schema": {"$ref": "#/definitions/ErrorList"}}},
        "definitions": {
            "Widget": {
                "type": "object",
                "description": "Prose.",
                "required": ["widgetId"],
                "properties": {
                    "widgetId": {"type": "string", "pattern": "^W[0-9]+$", "example": "W1"},
                    "made": {"type": "string", "format": "date-time"},
                },
            },
            "ErrorList": ERROR_LIST,
            "Error": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}},
        },
    }


def write_clone(root: Path) -> Path:
    (root / "models" / "widgets-api-model").mkdir(parents=True)
    (root / "models" / "widgets-api-model" / "widgets_2024-01-01.json").write_text(json.dumps(model()))
    (root / "LICENSE").write_text("Apache License\n")
    (root / "NOTICE").write_text("Copyright Amazon\n")
    return root


def test_models_become_shapes_without_prose(tmp_path: Path):
    out = tmp_path / "models"
    assert update(write_clone(tmp_path / "clone"), out, check=False) == [
        "+ LICENSE",
        "+ NOTICE",
        "+ index.json",
        "+ widgets-api-model/widgets_2024-01-01.json",
    ]
    assert (out / "LICENSE").read_text() == "Apache License\n"
    written = json.loads((out / "widgets-api-model" / "widgets_2024-01-01.json").read_text())
    assert written["definitions"]["Widget"] == {
        "type": "object",
        "required": ["widgetId"],
        "properties": {
            "widgetId": {"type": "string", "pattern": "^W[0-9]+$"},
            "made": {"type": "string", "format": "date-time"},
        },
    }
    get = written["operations"]["getWidget GET"]
    assert get["parameters"] == [
        {"name": "widgetId", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 20}},
        {
            "name": "colours",
            "in": "query",
            "required": False,
            "schema": {"type": "array", "maxItems": 2, "items": {"type": "string", "enum": ["RED", "BLUE"]}},
            "collectionFormat": "multi",
        },
        {"name": "count", "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1}},
    ]
    assert get["responses"] == {
        "200": {"$ref": "#/definitions/Widget"},
        "400": {"$ref": "#/definitions/ErrorList"},
    }
    assert get["examples"] == [
        {
            "status": 200,
            "parameters": {"widgetId": "W1", "count": 1},
            "response": {"widgetId": "W1"},
            "headers": {"x-trace": "t1"},
        }
    ]
    post = written["operations"]["updateWidget POST"]
    assert post["responses"] == {"204": None}
    assert post["examples"] == [  # "body" names the body parameter; {} matches any value
        {"status": 204, "parameters": {"widgetId": "W1", "payload": {"widgetId": "W1"}}},
        {"status": 204, "parameters": {"widgetId": "W2"}, "any": ["payload"]},
    ]
    index = json.loads((out / "index.json").read_text())
    assert index["files"]["widgets/2024-01-01/getWidget/GET"] == "widgets-api-model/widgets_2024-01-01.json"
    assert index["greedy"] == {"widgets/2024-01-01/upload/PUT": "resource"}
    assert "Prose" not in (out / "widgets-api-model" / "widgets_2024-01-01.json").read_text()


def test_the_catalogs_command_regenerates_and_checks_the_shapes(tmp_path: Path, capsys):
    clone = write_clone(tmp_path / "clone")
    out = tmp_path / "data" / "operations.json"
    out.parent.mkdir()
    (tmp_path / "overlay.json").write_text(json.dumps(EMPTY_OVERLAY))
    args = [str(clone), "--out", str(out), "--overlay", str(tmp_path / "overlay.json")]
    assert main([*args, "--check"]) == 1
    assert not (tmp_path / "data" / "models").exists()
    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    assert "models: up to date." in capsys.readouterr().out
    shapes = tmp_path / "data" / "models"
    (shapes / "stale.json").write_text("{}")
    (shapes / "NOTICE").write_text("changed by hand\n")
    assert main([*args, "--check"]) == 1
    printed = capsys.readouterr().out
    assert "~ NOTICE" in printed
    assert "- stale.json" in printed
    assert main(args) == 0
    assert not (shapes / "stale.json").exists()
    assert (shapes / "NOTICE").read_text() == "Copyright Amazon\n"


def test_without_amazons_licence_nothing_is_written(tmp_path: Path, capsys):
    clone = write_clone(tmp_path / "clone")
    (clone / "NOTICE").unlink()
    out = tmp_path / "operations.json"
    (tmp_path / "overlay.json").write_text(json.dumps(EMPTY_OVERLAY))
    assert main([str(clone), "--out", str(out), "--overlay", str(tmp_path / "overlay.json")]) == 2
    err = capsys.readouterr().err
    assert "Cannot read Amazon's NOTICE" in err
    assert "Traceback" not in err
    assert not (tmp_path / "models").exists()


def test_shipped_shapes_cover_the_catalog_with_amazons_licence():
    index = json.loads((SHIPPED / "index.json").read_text())
    keys = {f"{op.api}/{op.version}/{op.operation_id}/{op.method}" for op in catalog().operations}
    assert set(index["files"]) == keys
    for operation in catalog().operations:
        assert shape(operation).success_status in range(200, 300)
    assert "Apache License" in (SHIPPED / "LICENSE").read_text()
    assert "Amazon.com" in (SHIPPED / "NOTICE").read_text()
    metadata = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    assert {"src/amazon_connector/api/models/LICENSE", "src/amazon_connector/api/models/NOTICE"} <= set(
        metadata["license-files"]
    )


def test_importing_the_package_loads_no_shapes():
    code = "import sys, amazon_connector; print(sorted(m for m in ('jsonschema', 'amazon_connector.api.shapes', 'amazon_connector.sandbox') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
