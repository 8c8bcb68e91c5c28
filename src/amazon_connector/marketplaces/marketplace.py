"""The SP-API marketplaces: country, codes, marketplace ID, region and the URLs that serve them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from amazon_connector.errors import UnknownMarketplaceError


class Region(StrEnum):
    NA = "NA"
    EU = "EU"
    FE = "FE"


@dataclass(frozen=True, slots=True)
class Marketplace:
    """One Amazon marketplace (one country's store)."""

    country: str
    code: str
    alt_code: str | None
    marketplace_id: str
    region: Region
    endpoint: str
    sandbox_endpoint: str
    aws_region: str
    seller_central_url: str
    vendor_central_url: str
    lwa_endpoint: str
    name: str
    currency: str
    language: str
    domain: str
    iso_country: str
    document_charset: str
    """The charset of the flat-file reports Amazon makes for this marketplace, when a document's
    Content-Type does not name one (Windows-1252 in western Europe, Windows-31J in Japan, else UTF-8)."""

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code, self.alt_code) if self.alt_code else (self.code,)

    def __str__(self) -> str:
        return f"{self.country} ({self.code}, {self.marketplace_id})"


@cache
def all_marketplaces() -> tuple[Marketplace, ...]:
    """Every marketplace, in Amazon's order (NA, EU, FE)."""
    text = resources.files(__package__).joinpath("marketplaces.csv").read_text(encoding="utf-8")
    return tuple(
        Marketplace(
            country=row["country"],
            code=row["code"],
            alt_code=row["alt_code"] or None,
            marketplace_id=row["marketplace_id"],
            region=Region(row["region"]),
            endpoint=row["endpoint"],
            sandbox_endpoint=row["sandbox_endpoint"],
            aws_region=row["aws_region"],
            seller_central_url=row["seller_central_url"],
            vendor_central_url=row["vendor_central_url"],
            lwa_endpoint=row["lwa_endpoint"],
            name=row["marketplace_name"],
            currency=row["currency"],
            language=row["language"],
            domain=row["domain"],
            iso_country=row["iso_country"],
            document_charset=row["document_charset"],
        )
        for row in csv.DictReader(text.splitlines())
    )


@cache
def _index() -> dict[str, Marketplace]:
    index: dict[str, Marketplace] = {}
    for m in all_marketplaces():
        for key in (*m.codes, m.marketplace_id, m.country, m.name, m.iso_country):
            index.setdefault(key.casefold(), m)
    return index


def valid_values() -> str:
    """A one-line list of the accepted country codes, for error messages."""
    return ", ".join(f"{m.code} ({m.country})" for m in all_marketplaces())


def get_marketplace(value: str) -> Marketplace:
    """Look a marketplace up by country code (UK and GB both work), country name, or marketplace ID."""
    found = _index().get(value.strip().casefold())
    if found is None:
        raise UnknownMarketplaceError(
            f"{value!r} is not an Amazon marketplace.",
            field="country",
            hint=f"Use a country code, country name or marketplace ID; valid codes: {valid_values()}.",
        )
    return found
