import csv
from pathlib import Path

import pytest

from amazon_connector.errors import UnknownMarketplaceError
from amazon_connector.marketplaces import Region, all_marketplaces, endpoints_for, get_marketplace

REFERENCE = Path(__file__).resolve().parent / "reference" / "marketplaces.csv"
"""The project's reference list of marketplaces, kept apart from the package's own data."""


def test_all_23_marketplaces_match_the_reference():
    rows = list(csv.DictReader(REFERENCE.open(encoding="utf-8")))
    ours = {m.code: m for m in all_marketplaces()}
    assert len(ours) == len(rows) == 23
    for row in rows:
        m = ours[row["code"]]
        assert (m.country, m.marketplace_id, m.region, m.endpoint, m.sandbox_endpoint) == (
            row["country"],
            row["marketplace_id"],
            row["region"],
            row["endpoint"],
            row["sandbox_endpoint"],
        )
        assert (m.aws_region, m.seller_central_url, m.vendor_central_url, m.lwa_endpoint) == (
            row["aws_region"],
            row["seller_central_url"],
            row["vendor_central_url"],
            row["lwa_endpoint"],
        )


@pytest.mark.parametrize(
    "value", ["UK", "uk", "GB", "gb", "United Kingdom", "A1F83G8C2ARO7P", " Amazon.co.uk "]
)
def test_uk_by_any_name(value):
    assert get_marketplace(value).marketplace_id == "A1F83G8C2ARO7P"


def test_india_is_in_the_eu_region():
    assert get_marketplace("IN").region is Region.EU


def test_wrong_value_lists_the_valid_ones():
    with pytest.raises(UnknownMarketplaceError) as info:
        get_marketplace("Atlantis")
    assert "Atlantis" in str(info.value)
    assert "UK (United Kingdom)" in str(info.value.hint)
    assert "JP (Japan)" in str(info.value.hint)


def test_endpoints_per_environment():
    jp = get_marketplace("JP")
    prod = endpoints_for(jp, "production")
    assert prod.sp_api == "https://sellingpartnerapi-fe.amazon.com"
    assert prod.consent_url == "https://sellercentral.amazon.co.jp/apps/authorize/consent"
    assert prod.lwa_token_url == "https://api.amazon.com/auth/o2/token"
    assert endpoints_for(jp, "sandbox").sp_api == "https://sandbox.sellingpartnerapi-fe.amazon.com"
    emu = endpoints_for(jp, "http://127.0.0.1:8765/")
    assert (emu.sp_api, emu.lwa_token_url, emu.consent_url) == (
        "http://127.0.0.1:8765",
        "http://127.0.0.1:8765/auth/o2/token",
        "http://127.0.0.1:8765/apps/authorize/consent",
    )
