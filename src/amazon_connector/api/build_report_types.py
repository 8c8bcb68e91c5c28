"""Regenerate report_types.json: the hand-kept facts (report_facts.json, each entry with its source)
merged with what Amazon's JSON schemas of report documents say (``schemas/reports`` in a clone of
amzn/selling-partner-api-models): each JSON report's options (values, required) and record lists.

Run by ``python -m amazon_connector.api.build_catalog PATH [--check]`` with the catalog.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amazon_connector.api.swagger import CatalogBuildError, write_atomically

PACKAGE_DIR = Path(__file__).resolve().parent
FACTS_FILE = PACKAGE_DIR / "report_facts.json"
REPORT_TYPES_FILE = PACKAGE_DIR / "report_types.json"
SCHEMAS = Path("schemas") / "reports"
FORMATS = frozenset({"TSV", "CSV", "XML", "JSON", "ZIP"})
DATES = frozenset({"none", "optional", "required"})
DEFAULT_RETENTION_DAYS = 90


def schemas_folder(models_root: Path) -> Path:
    """``schemas/reports`` of the clone (also when given its ``models`` folder)."""
    root = models_root if (models_root / "models").is_dir() else models_root.parent
    return root / SCHEMAS


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogBuildError(f"Cannot read {path}: {exc}.") from exc


MAX_DEPTH = 6


def _resolved(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _column_type(node: Mapping[str, Any]) -> str:
    kind, shape = node.get("type"), node.get("format")
    if kind == "string":
        return {"date-time": "timestamp", "date": "date"}.get(shape or "", "string")
    return {"integer": "integer", "number": "decimal", "boolean": "boolean"}.get(str(kind), "json")


def _columns(schema: Mapping[str, Any], node: Mapping[str, Any], path: list[str]) -> list[dict[str, Any]]:
    """A record's columns: nested objects flattened (keys joined by ``_``), lists kept as JSON."""
    node = _resolved(schema, node)
    properties = node.get("properties")
    if node.get("type", "object") != "object" or not properties or len(path) >= MAX_DEPTH:
        name = re.sub(r"[^0-9A-Za-z_]+", "_", "_".join(path)) or "value"
        return [{"name": name, "type": _column_type(node), "path": path}]
    return [column for key, child in properties.items() for column in _columns(schema, child, [*path, key])]


def _schema_facts(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Options and record lists (with their records' columns) of one report document schema."""
    properties = schema.get("properties", {})
    spec = properties.get("reportSpecification", {}).get("properties", {})
    raw_options = spec.get("reportOptions", {})
    required = set(raw_options.get("required", []))
    options = [
        {
            "name": name,
            "values": list(option.get("enum", [])),
            "required": name in required,
            "doc": f"one of {', '.join(option['enum'])}" if option.get("enum") else "",
        }
        for name, option in raw_options.get("properties", {}).items()
    ]
    records = [
        {"name": name, "columns": _columns(schema, value.get("items", {}), [])}
        for name, value in properties.items()
        if value.get("type") == "array"
    ]
    return {"options": options, "records": records}


def _options(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "values": list(option.get("values", [])),
            "required": bool(option.get("required", False)),
            "doc": option.get("doc", ""),
        }
        for name, option in raw.items()
    ]


def _check(entry: Mapping[str, Any]) -> None:
    name = entry.get("name", "?")
    if entry.get("format") not in FORMATS or entry.get("dates") not in DATES or not entry.get("source"):
        raise CatalogBuildError(
            f"report_facts.json: {name} needs a format ({', '.join(sorted(FORMATS))}), dates "
            f"({', '.join(sorted(DATES))}) and a source."
        )


def build(models_root: Path, facts_file: Path = FACTS_FILE) -> list[dict[str, Any]]:
    """Every report type as report_types.json holds it, sorted by name."""
    facts = _read_json(facts_file)
    translations = facts.get("header_translations", {})
    folder = schemas_folder(models_root)
    records = []
    for entry in facts["report_types"]:
        _check(entry)
        merged = {"options": _options(entry.get("options", {})), "records": []}
        if schema_name := entry.get("schema"):
            merged = _schema_facts(_read_json(folder / schema_name))
        headers = entry.get("headers")
        if headers is not None and headers not in translations:
            raise CatalogBuildError(f"report_facts.json: {entry['name']} names unknown headers {headers!r}.")
        records.append(
            {
                "name": entry["name"],
                "title": entry["title"],
                "category": entry["category"],
                "format": entry["format"],
                "dates": entry["dates"],
                "max_days": entry.get("max_days"),
                "max_age_days": entry.get("max_age_days"),
                "restricted": entry["restricted"],
                "requestable": entry["requestable"],
                "schedulable": entry["schedulable"],
                "automatic": entry.get("automatic", False),
                "availability": entry.get("availability", "seller"),
                "retention_days": entry.get("retention_days", DEFAULT_RETENTION_DAYS),
                "options": merged["options"],
                "records": merged["records"],
                "headers": {
                    locale: names for locale, names in translations[headers].items() if locale != "source"
                }
                if headers
                else {},
                "source": entry["source"]
                + (
                    f"; amzn/selling-partner-api-models {SCHEMAS.as_posix()}/{schema_name}"
                    if schema_name
                    else ""
                )
                + (f"; headers: {translations[headers]['source']}" if headers else ""),
            }
        )
    return sorted(records, key=lambda r: r["name"])


def report_examples(models_root: Path, facts_file: Path = FACTS_FILE) -> dict[str, Any]:
    """The first example document of each JSON report type's schema, by report type."""
    folder = schemas_folder(models_root)
    if not folder.is_dir():
        return {}
    examples = {}
    for entry in _read_json(facts_file)["report_types"]:
        if schema_name := entry.get("schema"):
            found = _read_json(folder / schema_name).get("examples") or []
            if found:
                examples[entry["name"]] = found[0]
    return dict(sorted(examples.items()))


def render(records: list[dict[str, Any]]) -> str:
    lines = ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
    return f"[\n{lines}\n]\n"


def update(models_root: Path, out: Path = REPORT_TYPES_FILE, *, check: bool) -> int:
    """Write (or with ``check`` compare) report_types.json; 1 when it differs and ``check``."""
    if not schemas_folder(models_root).is_dir():
        print(f"{out}: not checked ({SCHEMAS.as_posix()} is not in {models_root}).")
        return 0
    records = build(models_root)
    text = render(records)
    if out.exists() and _read_json(out) == json.loads(text):
        print(f"{out}: up to date ({len(records)} report types).")
        return 0
    if check:
        print(f"{out} would change.")
        return 1
    write_atomically(out, text)
    print(f"{out}: wrote {len(records)} report types.")
    return 0
