"""The operation catalog: every SP-API operation as data (method, path, usage plan, auth needs, paging).

Every rule about one operation lives here, generated from Amazon's models by ``build_catalog`` (with
``overlay.json`` for what the models do not say); the runtime reads these fields and keeps no tables.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from amazon_connector.errors import ConfigurationError

HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str  # path, query, body, header
    required: bool
    collection_format: str | None = None
    """How an array value is sent (Swagger 2.0): csv, ssv, tsv, pipes, or multi (the name repeated)."""


@dataclass(frozen=True, slots=True)
class Restriction:
    """What a restricted operation needs: a Restricted Data Token, and for which resource."""

    concrete_path: bool
    """The RDT must name the concrete resource (Amazon refuses the generic ``{id}`` path)."""
    data_elements: Mapping[str, tuple[str, ...]]
    """The data elements the operation accepts, each with the roles (any one) that grant it. An operation
    with data elements works without an RDT, only without that data."""
    plain_first: bool
    """Restricted only for some resources: the plain access token is tried first."""
    roles: tuple[str, ...]
    """The restricted roles (any one) an RDT for it needs."""


@dataclass(frozen=True, slots=True)
class Pagination:
    """How the next page is asked for."""

    token: str | None
    """The request parameter that takes the token (``body:field`` for a body field)."""
    next: str | None
    """Dotted path of the next-page token in the response body."""
    previous: str | None
    """Dotted path of the previous-page token in the response body."""
    keep: tuple[str, ...] | None
    """The parameters sent again with the token (None: all of them)."""
    set: Mapping[str, str]
    """Parameters given a fixed value on later pages."""


@dataclass(frozen=True)
class Operation:
    """One SP-API operation."""

    api: str
    version: str
    operation_id: str
    method: str
    path: str
    qualified_name: str
    """``api/version/operationId``, with ``:METHOD`` when the API version has the operationId twice:
    unique across the catalog, and accepted by ``Catalog.get``."""
    rate: float | None
    burst: int | None
    deprecated: bool
    idempotent: bool
    """Sending it twice does no harm (GET, PUT, DELETE and the POSTs that only read)."""
    idempotency_key: str | None
    """The header that carries an idempotency key, when the operation takes one."""
    grantless_scope: str | None
    roles: tuple[str, ...]
    """The roles (any one) to request when Amazon refuses the call."""
    restricted: Restriction | None
    pagination: Pagination | None
    records: str | None
    """Dotted path of the list that holds an answer's records, when it has one."""
    parameters: tuple[Parameter, ...]
    sandbox_only: bool


def _restriction(raw: Mapping[str, Any] | None) -> Restriction | None:
    if raw is None:
        return None
    return Restriction(
        concrete_path=raw["concrete_path"],
        data_elements={element: tuple(roles) for element, roles in raw["data_elements"].items()},
        plain_first=raw["plain_first"],
        roles=tuple(raw["roles"]),
    )


def _pagination(raw: Mapping[str, Any] | None) -> Pagination | None:
    if raw is None:
        return None
    keep = raw["keep"]
    return Pagination(
        token=raw["token"],
        next=raw["next"],
        previous=raw["previous"],
        keep=None if keep is None else tuple(keep),
        set=dict(raw["set"]),
    )


def _load() -> tuple[Operation, ...]:
    raw = json.loads(resources.files(__package__).joinpath("operations.json").read_text(encoding="utf-8"))
    shared = Counter((o["api"], o["version"], o["operationId"]) for o in raw)
    return tuple(
        Operation(
            api=o["api"],
            version=o["version"],
            operation_id=o["operationId"],
            method=o["method"],
            path=o["path"],
            qualified_name=f"{o['api']}/{o['version']}/{o['operationId']}"
            + (f":{o['method']}" if shared[(o["api"], o["version"], o["operationId"])] > 1 else ""),
            rate=o["rate"],
            burst=o["burst"],
            deprecated=o["deprecated"],
            idempotent=o["idempotent"],
            idempotency_key=o["idempotency_key"],
            grantless_scope=o["grantless_scope"],
            roles=tuple(o["roles"]),
            restricted=_restriction(o["restricted"]),
            pagination=_pagination(o["pagination"]),
            records=o["records"],
            parameters=tuple(
                Parameter(p["name"], p["in"], p["required"], p.get("collectionFormat"))
                for p in o["parameters"]
            ),
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
            plain = f"{op.api}/{op.version}/{op.operation_id}"
            for key in {op.operation_id, f"{op.api}.{op.operation_id}", plain}:
                self._by_id.setdefault(key.casefold(), []).append(op)

    def __len__(self) -> int:
        return len(self.operations)

    def get(self, name: str) -> Operation:
        """Find an operation by ``operationId``, ``api.operationId`` or ``api/version/operationId``, each
        optionally followed by ``:METHOD`` (``shipping/v2/linkCarrierAccount:PUT``).

        A name several APIs share means the seller API's operation (``getOrders`` is the Orders API's,
        not Vendor Direct Fulfillment's); among versions of one API the newest current one wins.
        When that still leaves a choice, the error lists the qualified names to use instead.
        """
        key, method = _split_method(name.strip())
        found = [op for op in self._by_id.get(key.casefold(), []) if method in (None, op.method)]
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
        choices = ", ".join(sorted({op.qualified_name for op in found}))
        raise ConfigurationError(
            f"Operation name {name!r} is ambiguous.", field="operation", hint=f"Use one of: {choices}."
        )


def _split_method(name: str) -> tuple[str, str | None]:
    """``name:PUT`` -> (``name``, ``PUT``); a name without a method suffix -> (name, None)."""
    head, sep, tail = name.rpartition(":")
    if sep and tail.strip().upper() in HTTP_METHODS:
        return head.strip(), tail.strip().upper()
    return name, None


def _version_order(version: str) -> tuple[bool, str]:
    """Dated versions (2024-03-20) are newer than the early ``v0``/``v1`` ones."""
    return version[:1].isdigit(), version


@cache
def catalog() -> Catalog:
    """The catalog shipped with the package."""
    return Catalog(_load())
