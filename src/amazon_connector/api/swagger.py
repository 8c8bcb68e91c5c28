"""Reading Amazon's models (Swagger 2.0 files in a clone of amzn/selling-partner-api-models), shared by
the two generators: the catalog (build_catalog) and the emulator's shapes (build_shapes)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, TypeAlias

from amazon_connector.errors import AmazonConnectorError

METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})
MODEL_FOLDER_SUFFIXES = ("-api-model", "-model")

Json: TypeAlias = Any  # a value parsed from a model file


class CatalogBuildError(AmazonConnectorError):
    """The models or the overlay cannot be turned into a catalog."""


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


def parameters(model: Json, path_item: Json, operation: Json) -> list[Json]:
    """Path-level parameters followed by the operation's; the operation's override same name and place."""
    merged: dict[tuple[str, str], Json] = {}
    for raw in [*(path_item.get("parameters") or ()), *(operation.get("parameters") or ())]:
        param = resolve(model, raw)
        merged[(param["name"], param["in"])] = param
    return list(merged.values())


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
