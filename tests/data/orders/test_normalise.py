"""Pure logic: Amazon's words made one, the three shapes of an order made the same records, the query's
checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from amazon_connector.data.orders import ORDER_ITEMS, ORDERS, OrderQuery
from amazon_connector.data.orders.normalise import from_report, from_v0, from_v2026
from amazon_connector.data.orders.query import Resolved, resolve
from amazon_connector.data.orders.records import status_of, upper_words
from amazon_connector.errors import ConfigurationError
from amazon_connector.marketplaces import get_marketplace

NOW = datetime(2026, 6, 1, tzinfo=UTC)
UK = get_marketplace("UK")


@pytest.mark.parametrize(
    ("given", "status"),
    [
        ("Shipped", "SHIPPED"),
        ("PartiallyShipped", "PARTIALLY_SHIPPED"),
        ("PARTIALLY_SHIPPED", "PARTIALLY_SHIPPED"),
        ("Canceled", "CANCELLED"),
        ("Cancelled", "CANCELLED"),
        ("Shipping", "PARTIALLY_SHIPPED"),
        ("InvoiceUnconfirmed", "INVOICE_UNCONFIRMED"),
        ("partially shipped", "PARTIALLY_SHIPPED"),
    ],
)
def test_statuses_in_one_vocabulary(given, status):
    assert status_of(given) == status


def test_levels_in_upper_words():
    assert [upper_words(w) for w in ("NextDay", "Standard", "SECOND_DAY")] == [
        "NEXT_DAY",
        "STANDARD",
        "SECOND_DAY",
    ]


V2026 = {
    "orderId": "202-1234567-1234567",
    "createdTime": "2026-05-01T10:00:00Z",
    "lastUpdatedTime": "2026-05-02T10:00:00Z",
    "programs": ["AMAZON_BUSINESS"],
    "salesChannel": {"channelName": "AMAZON", "marketplaceId": UK.marketplace_id, "marketplaceName": "Amazon.co.uk"},
    "buyer": {"buyerName": "Ana Silva", "buyerPurchaseOrderNumber": "PO-1"},
    "recipient": {"deliveryAddress": {"city": "Kingston", "countryCode": "GB", "postalCode": "12345", "name": "Ana Silva"}},
    "proceeds": {"grandTotal": {"amount": "25.97", "currencyCode": "GBP"}},
    "fulfillment": {"fulfillmentStatus": "SHIPPED", "fulfilledBy": "AMAZON", "fulfillmentServiceLevel": "STANDARD"},
    "orderItems": [
        {
            "orderItemId": "11111111111111",
            "quantityOrdered": 3,
            "product": {"asin": "B000000001", "sellerSku": "SKU-1", "title": "Mug", "price": {"unitPrice": {"amount": "7.49", "currencyCode": "GBP"}}},
            "proceeds": {
                "breakdowns": [
                    {"type": "ITEM", "subtotal": {"amount": "22.47", "currencyCode": "GBP"}},
                    {"type": "TAX", "subtotal": {"amount": "4.50", "currencyCode": "GBP"}},
                    {"type": "DISCOUNT", "subtotal": {"amount": "-1.00", "currencyCode": "GBP"}},
                ]
            },
            "fulfillment": {"quantityFulfilled": 3},
        }
    ],
}  # fmt: skip
V0_ORDER = {
    "AmazonOrderId": "202-1234567-1234567",
    "PurchaseDate": "2026-05-01T10:00:00Z",
    "LastUpdateDate": "2026-05-02T10:00:00Z",
    "OrderStatus": "Shipped",
    "FulfillmentChannel": "AFN",
    "SalesChannel": "Amazon.co.uk",
    "MarketplaceId": UK.marketplace_id,
    "ShipmentServiceLevelCategory": "Standard",
    "OrderTotal": {"CurrencyCode": "GBP", "Amount": "25.97"},
    "IsBusinessOrder": True,
    "BuyerInfo": {"BuyerName": "Ana Silva", "PurchaseOrderNumber": "PO-1"},
    "ShippingAddress": {"Name": "Ana Silva", "City": "Kingston", "PostalCode": "12345", "CountryCode": "GB"},
}
V0_ITEMS = [
    {
        "OrderItemId": "11111111111111",
        "ASIN": "B000000001",
        "SellerSKU": "SKU-1",
        "Title": "Mug",
        "QuantityOrdered": 3,
        "QuantityShipped": 3,
        "ItemPrice": {"CurrencyCode": "GBP", "Amount": "22.47"},
        "ItemTax": {"CurrencyCode": "GBP", "Amount": "4.50"},
        "PromotionDiscount": {"CurrencyCode": "GBP", "Amount": "1.00"},
    }
]
REPORT_ROW = {
    "amazon_order_id": "202-1234567-1234567",
    "order_item_id": "11111111111111",
    "purchase_date": "2026-05-01T10:00:00+00:00",
    "last_updated_date": "2026-05-02T10:00:00+00:00",
    "order_status": "Shipped",
    "fulfillment_channel": "Amazon",
    "sales_channel": "Amazon.co.uk",
    "ship_service_level": "Standard",
    "product_name": "Mug",
    "sku": "SKU-1",
    "asin": "B000000001",
    "item_status": "Shipped",
    "quantity": "3",
    "currency": "GBP",
    "item_price": "22.47",
    "item_tax": "4.50",
    "shipping_price": "",
    "item_promotion_discount": "1.00",
    "ship_city": "Kingston",
    "ship_postal_code": "12345",
    "ship_country": "GB",
    "is_business_order": "true",
    "purchase_order_number": "PO-1",
}


def records(made):
    return ORDERS.coerce(made.order), [ORDER_ITEMS.coerce(i) for i in made.items]


def test_the_three_shapes_make_the_same_records():
    new, old = (
        records(from_v2026(V2026, buyer_data=True)),
        records(from_v0(V0_ORDER, V0_ITEMS, buyer_data=True)),
    )
    assert new == old
    order, [item] = new
    assert (order["status"], order["fulfillment_channel"], order["service_level"]) == (
        "SHIPPED",
        "AFN",
        "STANDARD",
    )
    assert (order["order_total"], order["currency"], order["buyer_data"]) == (
        Decimal("25.97"),
        "GBP",
        "included",
    )
    assert (item["item_price"], item["promotion_discount"], item["quantity_shipped"]) == (
        Decimal("22.47"),
        Decimal("1.00"),
        3,
    )
    reported, [reported_item] = records(from_report([REPORT_ROW], UK.marketplace_id))
    assert reported_item == item | {"shipping_price": None}
    assert reported == order | dict.fromkeys(("buyer_name", "ship_name", "ship_postal_code")) | {
        "buyer_data": "not_in_report"
    }


def test_pii_is_kept_only_when_asked_for_and_given():
    asked_not, _ = records(from_v2026(V2026, buyer_data=False))
    assert asked_not["buyer_data"] == "not_requested"
    assert (asked_not["buyer_name"], asked_not["ship_postal_code"], asked_not["ship_city"]) == (
        None,
        None,
        "Kingston",
    )
    bare = {
        **V0_ORDER,
        "BuyerInfo": {"PurchaseOrderNumber": "PO-1"},
        "ShippingAddress": {"City": "Kingston", "PostalCode": "12345"},
    }
    withheld, _ = records(from_v0(bare, V0_ITEMS, buyer_data=True))
    assert withheld["buyer_data"] == "withheld"
    assert (withheld["ship_postal_code"], withheld["purchase_order_number"]) == (None, "PO-1")


def test_a_pending_order_has_no_amounts_but_its_marketplace_currency():
    pending = {
        **V2026,
        "proceeds": None,
        "fulfillment": {"fulfillmentStatus": "PENDING", "fulfilledBy": "MERCHANT"},
    }
    pending["orderItems"] = [{**V2026["orderItems"][0], "product": {"asin": "B000000001"}, "proceeds": None}]  # type: ignore[index]
    order, [item] = records(from_v2026(pending, buyer_data=True))
    assert (order["order_total"], order["currency"], item["item_price"], item["currency"]) == (
        None,
        "GBP",
        None,
        "GBP",
    )


def check(**given):
    return resolve(OrderQuery(**given), marketplace=UK, restricted_mode=False, now=NOW)


def test_queries_are_checked_and_kept():
    query = check(
        since=NOW - timedelta(days=3),
        statuses=("shipped", "Canceled"),
        channels=("amazon",),
        marketplaces=("DE", "UK"),
    )
    assert (query.statuses, query.channels, query.marketplaces) == (
        ("SHIPPED", "CANCELLED"),
        ("AFN",),
        (get_marketplace("DE").marketplace_id, UK.marketplace_id),
    )
    assert query.buyer_data is False
    assert Resolved.from_params(query.params()) == query
    assert query.identity("a") != query.identity("b")
    for given, message in (
        ({}, "Give the start of the window"),
        ({"since": datetime(2026, 1, 1)}, "has no time zone"),
        ({"since": NOW}, "starts in the future"),
        ({"since": NOW - timedelta(days=1), "until": NOW - timedelta(days=2)}, "before it starts"),
        ({"since": NOW - timedelta(days=1), "until": NOW}, "two minutes before now"),
        ({"order_ids": ("12345",)}, "is not an Amazon order ID"),
        (
            {"since": NOW - timedelta(days=1), "statuses": ("InvoiceUnconfirmed",)},
            "has no status INVOICE_UNCONFIRMED",
        ),
        ({"order_ids": ("202-1234567-1234567",), "path": "report"}, "come from the API"),
        ({"since": NOW - timedelta(days=1), "marketplaces": ("JP",)}, "not in the connection's region"),
        ({"since": NOW - timedelta(days=1), "marketplaces": ("Narnia",)}, "is not an Amazon marketplace"),
    ):
        with pytest.raises(ConfigurationError, match=message):
            check(**given)


def test_a_window_relative_to_now_is_taken_from_the_clock_and_named_by_its_span():
    relative = OrderQuery(since=timedelta(days=3), until=timedelta(hours=1))
    now, later = (
        resolve(relative, marketplace=UK, restricted_mode=False, now=moment)
        for moment in (NOW, NOW + timedelta(hours=5))
    )
    assert (now.since, now.until) == (NOW - timedelta(days=3), NOW - timedelta(hours=1))
    assert later.since == NOW + timedelta(hours=5) - timedelta(days=3)
    assert now.identity("a") == later.identity("a")  # the same command: the same job, resumed
    assert now.identity("a") != check(since=NOW - timedelta(days=3), until=NOW - timedelta(hours=1)).identity(
        "a"
    )
    assert Resolved.from_params(now.params()).since == now.since
    with pytest.raises(ConfigurationError, match="starts in the future"):
        check(since=timedelta(0))
