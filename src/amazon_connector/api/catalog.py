"""The operation catalog: every SP-API operation as data (method, path, usage plan, auth needs, paging).

Every rule about one operation lives here, generated from Amazon's models by ``build_catalog`` (with
``overlay.json`` for what the models do not say); the runtime reads these fields and keeps no tables.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
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


def dig(data: Any, dotted: str) -> Any:
    """The value at a dotted path of an answer (None where it has none)."""
    for part in dotted.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


@dataclass(frozen=True, slots=True)
class Refusal:
    """How a 2xx answer says Amazon refused what was sent (a listing submission INVALID, a fee
    estimate ClientError): the status field, the values that mean refused, and where the issues are."""

    status: str
    """Dotted path of the status in the answer."""
    refused: tuple[str, ...]
    """The status values that mean refused."""
    issues: str
    """Dotted path of Amazon's issues (a list of them, or one) in the answer."""

    def is_refused(self, answer: Any) -> bool:
        return dig(answer, self.status) in self.refused

    def issues_of(self, answer: Any) -> list[Mapping[str, Any]]:
        """The issues the answer carries (refused or not: an accepted one may carry warnings)."""
        found = dig(answer, self.issues)
        found = [found] if isinstance(found, Mapping) else found
        return [i for i in found or () if isinstance(i, Mapping)]


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
    refusal: Refusal | None = None
    """How its 2xx answer can refuse what was sent (None: a 2xx answer is never a refusal)."""

    @property
    def reads_only(self) -> bool:
        """It changes nothing: a GET, or a POST that only reads (the overlay marks it idempotent)."""
        return self.method in ("GET", "HEAD") or (self.method == "POST" and self.idempotent)


def operation_of(record: Mapping[str, Any], qualified_name: str) -> Operation:
    """The Operation an ``operations.json`` record describes."""
    restriction, paging = record["restricted"], record["pagination"]
    return Operation(
        api=record["api"],
        version=record["version"],
        operation_id=record["operationId"],
        method=record["method"],
        path=record["path"],
        qualified_name=qualified_name,
        rate=record["rate"],
        burst=record["burst"],
        deprecated=record["deprecated"],
        idempotent=record["idempotent"],
        idempotency_key=record["idempotency_key"],
        grantless_scope=record["grantless_scope"],
        roles=tuple(record["roles"]),
        restricted=None
        if restriction is None
        else Restriction(
            concrete_path=restriction["concrete_path"],
            data_elements={element: tuple(roles) for element, roles in restriction["data_elements"].items()},
            plain_first=restriction["plain_first"],
            roles=tuple(restriction["roles"]),
        ),
        pagination=None
        if paging is None
        else Pagination(
            token=paging["token"],
            next=paging["next"],
            previous=paging["previous"],
            keep=None if paging["keep"] is None else tuple(paging["keep"]),
            set=dict(paging["set"]),
        ),
        records=record["records"],
        parameters=tuple(
            Parameter(p["name"], p["in"], p["required"], p.get("collectionFormat"))
            for p in record["parameters"]
        ),
        sandbox_only=record["sandbox_only"],
        refusal=None
        if record["refusal"] is None
        else Refusal(
            record["refusal"]["status"], tuple(record["refusal"]["refused"]), record["refusal"]["issues"]
        ),
    )


def record_of(op: Operation) -> dict[str, Any]:
    """The ``operations.json`` record of an Operation (the inverse of operation_of)."""
    restriction, paging = op.restricted, op.pagination
    return {
        "api": op.api,
        "version": op.version,
        "operationId": op.operation_id,
        "method": op.method,
        "path": op.path,
        "rate": op.rate,
        "burst": op.burst,
        "deprecated": op.deprecated,
        "idempotent": op.idempotent,
        "idempotency_key": op.idempotency_key,
        "grantless_scope": op.grantless_scope,
        "roles": list(op.roles),
        "restricted": None
        if restriction is None
        else {
            "concrete_path": restriction.concrete_path,
            "data_elements": {e: list(roles) for e, roles in restriction.data_elements.items()},
            "plain_first": restriction.plain_first,
            "roles": list(restriction.roles),
        },
        "pagination": None
        if paging is None
        else {
            "token": paging.token,
            "next": paging.next,
            "previous": paging.previous,
            "keep": None if paging.keep is None else list(paging.keep),
            "set": dict(paging.set),
        },
        "records": op.records,
        "parameters": [
            {"name": p.name, "in": p.location, "required": p.required}
            | ({"collectionFormat": p.collection_format} if p.collection_format else {})
            for p in op.parameters
        ],
        "sandbox_only": op.sandbox_only,
        "refusal": None
        if op.refusal is None
        else {"status": op.refusal.status, "refused": list(op.refusal.refused), "issues": op.refusal.issues},
    }


def operations_of(records: Sequence[Mapping[str, Any]]) -> tuple[Operation, ...]:
    """The Operations of a catalog's records, each with its qualified name: ``api/version/operationId``,
    and ``:METHOD`` where the API version has the operationId under two methods."""
    shared = Counter((r["api"], r["version"], r["operationId"]) for r in records)
    return tuple(
        operation_of(
            r,
            f"{r['api']}/{r['version']}/{r['operationId']}"
            + (f":{r['method']}" if shared[(r["api"], r["version"], r["operationId"])] > 1 else ""),
        )
        for r in records
    )


def _load() -> tuple[Operation, ...]:
    return operations_of(
        json.loads(resources.files(__package__).joinpath("operations.json").read_text(encoding="utf-8"))
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

    def near(self, name: str) -> list[str]:
        """Names of the catalog close to ``name``, best first (for "did you mean …?")."""
        return _near_names(self.operations, name)

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
            near = self.near(key)
            raise ConfigurationError(
                f"Unknown SP-API operation {name!r}"
                + (f"; did you mean {' or '.join(near)}?" if near else "."),
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


def _near_names(operations: Sequence[Operation], key: str) -> list[str]:
    """Up to three names of the catalog close to ``key`` (a mistyped or misremembered operationId)."""
    names = {op.operation_id.casefold(): op.operation_id for op in operations}
    names |= {f"{op.api}/{op.version}/{op.operation_id}".casefold(): op.qualified_name for op in operations}
    found = difflib.get_close_matches(key.casefold(), names, n=3, cutoff=0.8)
    return [names[f] for f in found]


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
