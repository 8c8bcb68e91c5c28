"""Restricted operations: which Restricted Data Token a call needs, and which role a refusal points to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from amazon_connector.api.catalog import Operation

DEFAULT_DATA_ELEMENTS = ("buyerInfo", "shippingAddress")
"""Data elements asked for when a call does not say (for the Orders operations that take them)."""

RDT_OPERATION = "tokens/2021-03-01/createRestrictedDataToken"


@dataclass(frozen=True, slots=True)
class RestrictedResource:
    """One entry of createRestrictedDataToken's ``restrictedResources``."""

    method: str
    path: str
    data_elements: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        """What the RDT for this resource is cached under."""
        return f"rdt {self.method} {self.path} {','.join(self.data_elements)}"

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"method": self.method, "path": self.path}
        if self.data_elements:
            body["dataElements"] = list(self.data_elements)
        return body


def allowed_elements(operation: Operation) -> tuple[str, ...]:
    """The data elements an operation accepts (none for most)."""
    return tuple(operation.restricted.data_elements) if operation.restricted else ()


def resource_for(
    operation: Operation, path_params: Mapping[str, str], data_elements: Iterable[str] | None
) -> RestrictedResource | None:
    """The resource an RDT must cover for this call, or None when the call needs no RDT.

    Operations that take data elements return PII only with an RDT but work without one, so they get
    one only when elements are asked for. Others need an RDT for the generic path (any ID), except
    those Amazon only accepts for the concrete resource.
    """
    restriction = operation.restricted
    if restriction is None:
        return None
    elements: tuple[str, ...] = ()
    if restriction.data_elements:
        wanted = DEFAULT_DATA_ELEMENTS if data_elements is None else tuple(data_elements)
        elements = tuple(e for e in wanted if e in restriction.data_elements)
        if not elements:
            return None
    path = operation.path
    if restriction.concrete_path:
        for name, value in path_params.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return RestrictedResource(operation.method, path, elements)


def plain_first(operation: Operation) -> bool:
    """Whether the call tries the plain access token before an RDT (restricted for some resources only)."""
    return operation.restricted is not None and operation.restricted.plain_first


def roles_needed(operation: Operation, resource: RestrictedResource | None = None) -> list[str]:
    """The roles to request when Amazon refuses ``operation``, each as "A, B or C" (any one grants it).
    A choice that a role needed anyway already satisfies is left out."""
    restriction = operation.restricted
    if resource is not None and restriction is not None and resource.data_elements:
        choices = [restriction.data_elements[e] for e in resource.data_elements]
        needed = [c for c in choices if not any(set(other) < set(c) for other in choices)]
        return sorted({any_of(c) for c in needed})
    if resource is not None:
        roles = restriction.roles if restriction is not None else ()
        return [any_of(roles) if roles else "the restricted role of this operation"]
    return [any_of(operation.roles)] if operation.roles else []


def any_of(roles: Iterable[str]) -> str:
    """``A``, ``A or B``, ``A, B or C``."""
    names = list(roles)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
