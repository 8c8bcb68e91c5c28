"""The optional parts of amazon-connector (pip extras), and the one message for a missing one.

Each extra's modules are imported only where they are used; ``require`` checks first, without importing,
so that a missing one is a MissingExtraError naming the ``pip install`` to run, never an ImportError."""

from __future__ import annotations

from importlib.util import find_spec

from amazon_connector.errors import MissingExtraError

EXTRAS: dict[str, tuple[str, ...]] = {
    "ui": ("jinja2", "python_multipart"),
    "sandbox": ("jsonschema",),
    "aws": ("boto3", "botocore"),
    "postgres": ("psycopg",),
    "parquet": ("pyarrow",),
}
"""Each extra and the modules of it the package imports (pyproject.toml lists the distributions)."""


def install_command(extra: str) -> str:
    return f"pip install 'amazon-connector[{extra}]'"


def require(extra: str, what: str) -> None:
    """Raise MissingExtraError unless every module of ``extra`` is installed; ``what`` names the
    feature that needs it ("Parquet files")."""
    missing = [module for module in EXTRAS[extra] if find_spec(module) is None]
    if missing:
        raise MissingExtraError(
            f"{what}: the [{extra}] extra of amazon-connector is not installed (no {', '.join(missing)}).",
            extra=extra,
            hint=f"Run: {install_command(extra)}",
        )
