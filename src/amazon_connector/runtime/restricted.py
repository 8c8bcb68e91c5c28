"""Restricted operations: which Restricted Data Token a call needs, and which role a refusal points to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from amazon_connector.api.catalog import Operation

DEFAULT_DATA_ELEMENTS = ("buyerInfo", "shippingAddress")
"""Data elements asked for when a call does not say (for the Orders operations that take them)."""

RDT_OPERATION = "tokens/2021-03-01/createRestrictedDataToken"

CONCRETE_PATH_ONLY = frozenset({"reports/2021-06-30/getReportDocument"})
"""Operations whose RDT must name the concrete resource (Amazon refuses a generic path for them)."""

RDT_ON_REFUSAL = frozenset({"reports/2021-06-30/getReportDocument"})
"""Restricted only for some resources (restricted report types): the plain token is tried first,
unless an RDT for the resource is already held."""

_ROLE_OF_ELEMENT = {
    "buyerInfo": "Direct-to-Consumer Shipping (Restricted) or Tax Invoicing (Restricted)",
    "shippingAddress": "Direct-to-Consumer Shipping (Restricted)",
    "buyerTaxInformation": "Tax Invoicing (Restricted) or Tax Remittance (Restricted)",
}

_ROLES_OF_API = {
    "orders": ("Inventory and Order Tracking",),
    "fba-inventory": ("Amazon Fulfillment",),
    "fulfillment-inbound": ("Amazon Fulfillment",),
    "fulfillment-outbound": ("Amazon Fulfillment",),
    "finances": ("Finance and Accounting",),
    "catalog-items": ("Product Listing",),
    "listings-items": ("Product Listing",),
    "listings-restrictions": ("Product Listing",),
    "product-type-definitions": ("Product Listing",),
    "product-pricing": ("Pricing",),
    "product-fees": ("Pricing",),
    "messaging": ("Buyer Communication",),
    "solicitations": ("Buyer Solicitation",),
    "merchant-fulfillment": ("Direct-to-Consumer Shipping (Restricted)",),
    "reports": ("the role that the report type needs (see Amazon's report type list)",),
    "feeds": ("the role that the feed type needs (see Amazon's feed type list)",),
}


_RESTRICTED_ROLES_OF_API = {
    "orders": ("Direct-to-Consumer Shipping (Restricted)",),
    "merchant-fulfillment": ("Direct-to-Consumer Shipping (Restricted)",),
    "easy-ship": ("Direct-to-Consumer Shipping (Restricted)",),
    "shipping": ("Direct-to-Consumer Shipping (Restricted)",),
    "shipment-invoicing": ("Tax Invoicing (Restricted)",),
    "reports": (
        "Direct-to-Consumer Shipping (Restricted), Tax Invoicing (Restricted) or Tax Remittance (Restricted)",
    ),
}


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
    """The data elements an operation accepts, from the catalog's note (``dataElements: a, b``)."""
    note = operation.restricted_note
    if not note.startswith("dataElements:"):
        return ()
    return tuple(e.strip() for e in note.removeprefix("dataElements:").split(",") if e.strip())


def resource_for(
    operation: Operation, path_params: Mapping[str, str], data_elements: Iterable[str] | None
) -> RestrictedResource | None:
    """The resource an RDT must cover for this call, or None when the call needs no RDT.

    Operations that take data elements return PII only with an RDT but work without one, so they get
    one only when elements are asked for. Others need an RDT for the generic path (any ID), except
    those Amazon only accepts for the concrete resource.
    """
    if not operation.restricted:
        return None
    allowed = allowed_elements(operation)
    if allowed:
        wanted = DEFAULT_DATA_ELEMENTS if data_elements is None else tuple(data_elements)
        elements = tuple(e for e in wanted if e in allowed)
        if not elements:
            return None
    else:
        elements = ()
    path = operation.path
    if operation.qualified_name in CONCRETE_PATH_ONLY:
        for name, value in path_params.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return RestrictedResource(operation.method, path, elements)


def roles_needed(operation: Operation, resource: RestrictedResource | None = None) -> list[str]:
    """The roles to request when Amazon refuses ``operation`` (best knowledge; Amazon does not say)."""
    if resource is not None and resource.data_elements:
        return sorted({_ROLE_OF_ELEMENT[e] for e in resource.data_elements if e in _ROLE_OF_ELEMENT})
    if resource is not None:
        return list(_RESTRICTED_ROLES_OF_API.get(operation.api, ("the restricted role of this operation",)))
    return list(_ROLES_OF_API.get(operation.api, ()))
