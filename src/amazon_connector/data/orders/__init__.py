"""Orders into your own systems: list, get, export and sync, from Orders v2026-01-01 (default), Orders
v0 or the order tracking report, into any destination of ``amazon_connector.data``.

Every function has an async twin (``a`` prefixed; ``sync_orders``' is ``async_orders``), and both run
the same implementation. Records: ``ORDERS`` and ``ORDER_ITEMS`` (see the README for their columns).
"""

from amazon_connector.data.orders.query import V0_REMOVAL, Api, DateField, OrderQuery, Path
from amazon_connector.data.orders.records import ORDER_ITEMS, ORDERS, STATUSES, BuyerData
from amazon_connector.data.orders.run import (
    DEFAULT_OVERLAP,
    OrdersResult,
    Progress,
    aexport_orders,
    aget_orders,
    alist_orders,
    async_orders,
    export_orders,
    get_orders,
    list_orders,
    sync_orders,
)

__all__ = [
    "DEFAULT_OVERLAP",
    "ORDERS",
    "ORDER_ITEMS",
    "STATUSES",
    "V0_REMOVAL",
    "Api",
    "BuyerData",
    "DateField",
    "OrderQuery",
    "OrdersResult",
    "Path",
    "Progress",
    "aexport_orders",
    "aget_orders",
    "alist_orders",
    "async_orders",
    "export_orders",
    "get_orders",
    "list_orders",
    "sync_orders",
]
