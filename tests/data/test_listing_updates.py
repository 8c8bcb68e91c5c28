"""Listing updates read from records (pure logic): what each record asks for and why a record is
refused; the patches and feed messages one update makes; feeds split within Amazon's limits; patches
or a feed, chosen by the usage plans."""

import json
from decimal import Decimal

import pytest

from amazon_connector.data.listings import What, choose
from amazon_connector.data.listings.feed import MAX_BYTES, MAX_MESSAGES, document, message, split
from amazon_connector.data.listings.updates import ListingUpdate, parse, patches
from amazon_connector.data.results import Outcome
from amazon_connector.data.sources import InputRecord
from amazon_connector.marketplaces import get_marketplace

UK = get_marketplace("UK")
JP = get_marketplace("JP")


def records(*rows, problem_at=None):
    return [
        InputRecord(
            line, {} if line == problem_at else values, "it is not utf-8 text" if line == problem_at else None
        )
        for line, values in enumerate(rows, start=2)
    ]


def refusals(found):
    return {r.record.line: (r.key, r.issues[0].code) for r in found}


def test_prices_and_stock_are_read_and_checked():
    updates, refused = parse(
        records(
            {"sku": "A", "price": "12.99", "quantity": "5"},
            {"sku": " B ", "price": "7", "quantity": ""},
            {"sku": "C", "price": "abc", "quantity": "1"},
            {"sku": "D", "price": "-1", "quantity": "1"},
            {"sku": "E", "price": "1.999", "quantity": "1"},
            {"sku": "F", "price": "2", "quantity": "-3"},
            {"sku": "G", "price": "2", "quantity": "1.5"},
            {"sku": "", "price": "2", "quantity": "1"},
            {"sku": "I", "price": "", "quantity": ""},
            problem_at=10,
        ),
        What.LISTINGS,
        UK,
    )
    assert [(u.sku, u.price, u.quantity) for u in updates] == [
        ("A", Decimal("12.99"), 5),
        ("B", Decimal(7), None),
    ]
    assert refusals(refused) == {
        4: ("C", "INVALID_PRICE"),
        5: ("D", "INVALID_PRICE"),
        6: ("E", "INVALID_PRICE"),
        7: ("F", "INVALID_QUANTITY"),
        8: ("G", "INVALID_QUANTITY"),
        9: (None, "MISSING_SKU"),
        10: (None, "UNREADABLE"),
    }
    messages = {r.record.line: r.issues[0].message for r in refused}
    assert messages[4] == "Line 4 (SKU C): the price 'abc' is not a number."
    assert messages[6] == "Line 6 (SKU E): the price 1.999 has more than 2 decimal places for GBP."
    assert messages[7] == "Line 7 (SKU F): the quantity -3 is negative."
    assert messages[10] == "Line 10 cannot be read: it is not utf-8 text."
    assert all(r.outcome is Outcome.ERROR for r in refused)


def test_each_kind_of_update_needs_its_value():
    rows = records({"sku": "A", "price": "", "quantity": "4"}, {"sku": "B", "price": "3", "quantity": ""})
    prices, refused_prices = parse(rows, What.PRICES, UK)
    assert [(u.sku, u.price, u.quantity) for u in prices] == [("B", Decimal(3), None)]
    assert refusals(refused_prices) == {2: ("A", "MISSING_PRICE")}
    stock, refused_stock = parse(rows, What.STOCK, UK)
    assert [(u.sku, u.price, u.quantity) for u in stock] == [("A", None, 4)]
    assert refusals(refused_stock) == {3: ("B", "MISSING_QUANTITY")}
    nothing, refused_nothing = parse(records({"sku": "C"}), What.LISTINGS, UK)
    assert nothing == []
    assert refusals(refused_nothing) == {2: ("C", "NOTHING_TO_CHANGE")}
    yen, refused_yen = parse(
        records({"sku": "Y", "price": "1500"}, {"sku": "Z", "price": "15.5"}), What.PRICES, JP
    )
    assert [u.price for u in yen] == [Decimal(1500)]
    assert refusals(refused_yen) == {3: ("Z", "INVALID_PRICE")}


def test_every_line_of_a_sku_given_twice_is_refused():
    updates, refused = parse(
        records({"sku": "A", "price": "1"}, {"sku": "B", "price": "2"}, {"sku": "A", "price": "3"}),
        What.PRICES,
        UK,
    )
    assert [u.sku for u in updates] == ["B"]
    assert refusals(refused) == {2: ("A", "DUPLICATE_SKU"), 4: ("A", "DUPLICATE_SKU")}
    assert refused[0].issues[0].message.startswith("SKU A is on lines 2, 4: none of them was sent")


def test_other_columns_and_json_attributes_become_attributes():
    bullet = [{"value": "Light", "language_tag": "en_GB", "marketplace_id": UK.marketplace_id}]
    updates, refused = parse(
        records(
            {"sku": "A", "item_name": "Blue bag", "attributes": json.dumps({"bullet_point": bullet})},
            {"sku": "B", "attributes": "{not json"},
            {"sku": "C", "attributes": json.dumps({"color": "red"})},
        ),
        What.LISTINGS,
        UK,
    )
    assert dict(updates[0].attributes) == {
        "bullet_point": bullet,
        "item_name": [{"value": "Blue bag", "language_tag": "en_GB", "marketplace_id": UK.marketplace_id}],
    }
    assert refusals(refused) == {3: ("B", "INVALID_ATTRIBUTES"), 4: ("C", "INVALID_ATTRIBUTES")}


def test_an_update_patches_by_merge_and_replace():
    update = ListingUpdate(
        InputRecord(2, {}), "A", Decimal("12.99"), 0, None, {"item_name": [{"value": "X"}]}
    )
    assert patches(update, UK) == [
        {
            "op": "merge",
            "path": "/attributes/purchasable_offer",
            "value": [
                {
                    "marketplace_id": UK.marketplace_id,
                    "currency": "GBP",
                    "audience": "ALL",
                    "our_price": [{"schedule": [{"value_with_tax": 12.99}]}],
                }
            ],
        },
        {
            "op": "merge",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}],
        },
        {"op": "replace", "path": "/attributes/item_name", "value": [{"value": "X"}]},
    ]
    content = json.loads(document("A1SELLER", [message(1, update, "LUGGAGE", UK)]))
    assert content["header"] == {"sellerId": "A1SELLER", "version": "2.0"}
    assert content["messages"][0]["operationType"] == "PATCH"
    assert content["messages"][0]["productType"] == "LUGGAGE"


def test_large_inputs_are_split_within_amazons_limits():
    def update(n, name="", price=None):
        attributes = {"item_name": [{"value": name}]} if name else {}
        return ListingUpdate(InputRecord(n, {}), f"SKU-{n}", price, 1, None, attributes)

    stock = [update(n) for n in range(MAX_MESSAGES + 10)]
    assert [len(p) for p in split(stock, UK)] == [MAX_MESSAGES, 10]  # small messages: 25,000 a feed
    prices = [update(n, price=Decimal("19.99")) for n in range(MAX_MESSAGES)]
    long_name = "x" * 20_000
    big = [update(n, long_name) for n in range(1000)]
    for parts in (split(prices, UK), split(big, UK)):  # larger messages: 10 MiB a feed
        assert len(parts) == 2
        assert len(parts[0]) < MAX_MESSAGES
    parts = split(big, UK)
    for part in [*parts, *split(prices, UK)]:
        messages = [message(i, u, "A_VERY_LONG_PRODUCT_TYPE_NAME", UK) for i, u in enumerate(part, 1)]
        assert len(document("A" * 14, messages)) <= MAX_BYTES
    assert [u.sku for p in parts for u in p] == [u.sku for u in big]


@pytest.mark.parametrize(
    ("count", "via"),
    [(1, "patches"), (100, "patches"), (1505, "patches"), (1506, "feed"), (5000, "feed")],
)
def test_patches_or_a_feed_by_the_usage_plan(count, via):
    chosen, reason = choose(count)
    assert chosen == via
    assert "patchListingsItem's usage plan (5 a second, burst 5)" in reason
    assert choose(count, "feed")[0] == "feed"
    assert choose(count, "patches") == ("patches", f"{count} SKU(s) by patches, as asked.")


def test_the_reason_says_how_long_each_way_takes():
    assert choose(5000)[1] == (
        "5000 SKU(s) by feed (1 JSON_LISTINGS_FEED): one patch each would take at least 16 min 39 s at "
        "patchListingsItem's usage plan (5 a second, burst 5); a feed's processing takes about 5 min 0 s."
    )
