"""Listings: read them, and update prices, stock and attributes in bulk by patches or by
JSON_LISTINGS_FEED, with one result per input record."""

from amazon_connector.data.listings.update import UpdateReport, Via, aupdate_listings, choose, update_listings
from amazon_connector.data.listings.updates import ListingUpdate, What

__all__ = ["ListingUpdate", "UpdateReport", "Via", "What", "aupdate_listings", "choose", "update_listings"]
