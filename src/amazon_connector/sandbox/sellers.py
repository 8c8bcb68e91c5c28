"""Sellers API v1: the marketplaces the authorising seller participates in."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from amazon_connector.api.schemas import (
    GetMarketplaceParticipationsResponse,
    Marketplace,
    MarketplaceParticipation,
    Participation,
)
from amazon_connector.marketplaces import Marketplace as MarketplaceInfo
from amazon_connector.sandbox.access import CallerDep
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.world import Seller

router = APIRouter(prefix="/sellers/v1", tags=["sellers"])


def participation(seller: Seller, marketplace: MarketplaceInfo) -> MarketplaceParticipation:
    """The seller's participation in one marketplace, as the Sellers API describes it."""
    return MarketplaceParticipation(
        marketplace=Marketplace(
            id=marketplace.marketplace_id,
            name=marketplace.name,
            countryCode=marketplace.iso_country,
            defaultCurrencyCode=marketplace.currency,
            defaultLanguageCode=marketplace.language,
            domainName=marketplace.domain,
        ),
        participation=Participation(isParticipating=True, hasSuspendedListings=False),
        storeName=seller.store_name,
    )


@router.get("/marketplaceParticipations")
async def get_marketplace_participations(caller: CallerDep) -> JSONResponse:
    seller = caller.authorising_seller
    payload = [participation(seller, m) for m in seller.marketplaces()]
    return answer(GetMarketplaceParticipationsResponse(payload=payload))
