"""The operation catalog: every SP-API operation as data (method, path, usage plan, auth needs, paging)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

from amazon_connector.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str  # path, query, body, header
    required: bool


@dataclass(frozen=True)
class Operation:
    """One SP-API operation."""

    api: str
    version: str
    operation_id: str
    method: str
    path: str
    rate: float | None
    burst: int | None
    deprecated: bool
    restricted: bool
    restricted_note: str
    grantless_scope: str | None
    pagination_request: tuple[str, ...]
    pagination_response: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    sandbox_only: bool

    @property
    def qualified_name(self) -> str:
        """``api/version/operationId``: unique across the catalog (but for one pair told apart by method)."""
        return f"{self.api}/{self.version}/{self.operation_id}"

    @cached_property
    def path_pattern(self) -> re.Pattern[str]:
        """Matches concrete paths of this operation; each ``{param}`` matches one path segment."""
        parts = re.split(r"(\{[^}]+\})", self.path)
        regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts if p)
        return re.compile(f"^{regex}$")

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.method and bool(self.path_pattern.match(path))


def _load() -> tuple[Operation, ...]:
    raw = json.loads(resources.files(__package__).joinpath("operations.json").read_text(encoding="utf-8"))
    return tuple(
        Operation(
            api=o["api"],
            version=o["version"],
            operation_id=o["operationId"],
            method=o["method"].upper(),
            path=o["path"],
            rate=o["rate"],
            burst=o["burst"],
            deprecated=o["deprecated"],
            restricted=o["restricted"],
            restricted_note=o["restricted_note"],
            grantless_scope=o["grantless_scope"],
            pagination_request=tuple(o["pagination"]["request"]),
            pagination_response=tuple(o["pagination"]["response"]),
            parameters=tuple(Parameter(p["name"], p["in"], p["required"]) for p in o["parameters"]),
            sandbox_only=o["sandbox_only"],
        )
        for o in raw
    )


class Catalog:
    """Look operations up by name or by request."""

    def __init__(self, operations: tuple[Operation, ...]) -> None:
        self.operations = operations
        self._by_id: dict[str, list[Operation]] = {}
        for op in operations:
            for key in {op.operation_id, f"{op.api}.{op.operation_id}", op.qualified_name}:
                self._by_id.setdefault(key.casefold(), []).append(op)

    def __len__(self) -> int:
        return len(self.operations)

    def get(self, name: str) -> Operation:
        """Find an operation by ``operationId``, ``api.operationId`` or ``api/version/operationId``.

        A name several APIs share means the seller API's operation (``getOrders`` is the Orders API's,
        not Vendor Direct Fulfillment's); among versions of one API the newest current one wins.
        When that still leaves a choice, the error lists the qualified names.
        """
        found = self._by_id.get(name.strip().casefold(), [])
        if not found:
            raise ConfigurationError(
                f"Unknown SP-API operation {name!r}.",
                field="operation",
                hint="Use an operationId from Amazon's API reference, e.g. getOrders or sellers.getMarketplaceParticipations.",
            )
        candidates = [op for op in found if not op.api.startswith("vendor-")] or found
        if len({op.api for op in candidates}) == 1:
            current = [op for op in candidates if not op.deprecated] or candidates
            newest = max((op.version for op in current), key=_version_order)
            chosen = [op for op in current if op.version == newest]
            if len(chosen) == 1:
                return chosen[0]
        choices = ", ".join(sorted(op.qualified_name for op in found))
        raise ConfigurationError(
            f"Operation name {name!r} is ambiguous.", field="operation", hint=f"Use one of: {choices}."
        )

    def match(self, method: str, path: str) -> Operation | None:
        """The operation that serves a concrete request, if any (literal segments win over parameters)."""
        candidates = [op for op in self.operations if op.matches(method, path)]
        if not candidates:
            return None
        return max(candidates, key=lambda op: op.path.count("/") - op.path.count("{"))


def _version_order(version: str) -> tuple[bool, str]:
    """Dated versions (2024-03-20) are newer than the early ``v0``/``v1`` ones."""
    return version[:1].isdigit(), version


@cache
def catalog() -> Catalog:
    """The catalog shipped with the package."""
    return Catalog(_load())
