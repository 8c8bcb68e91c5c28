"""The operations whose answers depend on what happened before, each with its own handler: every other
operation is answered from the models' data."""

from __future__ import annotations

from amazon_connector.sandbox.spapi import (
    applications,
    catalog_items,
    feeds,
    inventory,
    listings,
    notifications,
    orders,
    orders_v2026,
    reports,
    sellers,
    shipments,
    tokens,
)
from amazon_connector.sandbox.spapi.call import Handler

HANDLERS: dict[str, Handler] = {
    **sellers.HANDLERS,
    **tokens.HANDLERS,
    **orders.HANDLERS,
    **orders_v2026.HANDLERS,
    **reports.HANDLERS,
    **feeds.HANDLERS,
    **listings.HANDLERS,
    **inventory.HANDLERS,
    **shipments.HANDLERS,
    **notifications.HANDLERS,
    **applications.HANDLERS,
    **catalog_items.HANDLERS,
}
"""Handlers by the operation's qualified name (``api/version/operationId``)."""
