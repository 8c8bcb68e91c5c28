"""Report documents into rows, directly: flat files through pyarrow's streaming reader (localised headers
mapped to stable names), JSON records streamed with the columns of Amazon's schemas, XML records by the
element that repeats; broken documents are clear errors."""

import io
import json
from decimal import Decimal

import pytest

from amazon_connector.api.report_types import custom_report_type, report_type, report_types, stable_name
from amazon_connector.data.reports.rows import (
    BLOCK,
    PIECE_BYTES,
    document_rows,
    json_events,
    set_name,
)
from amazon_connector.errors import DocumentFormatError


class Trickle(io.RawIOBase):
    """A file that gives at most ``size`` bytes per read, as a network does."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size, self.at = data, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        piece = self.data[self.at : self.at + min(self.size, len(buffer))]
        buffer[: len(piece)] = piece
        self.at += len(piece)
        return len(piece)


def rows_of(type_name: str, data: bytes, size: int = 1 << 20, **kind):
    kind_of = custom_report_type(type_name, **kind) if kind else report_type(type_name)
    found = document_rows(io.BufferedReader(Trickle(data, size)), kind_of)
    pieces = [(s.name, p if isinstance(p, list) else p.to_pylist()) for s, p in found.pieces]
    return found.record_sets, pieces


def test_a_japanese_listings_header_maps_to_the_english_columns_and_keeps_amazons_names_as_docs():
    data = "商品名\t出品者SKU\t価格\t数量\titem-name\tweird col\n水筒\tSKU-1\t1200\t3\tdup\t\n".encode()
    sets, pieces = rows_of("GET_MERCHANT_LISTINGS_ALL_DATA", data)
    (listing,) = sets
    assert listing.name == "get_merchant_listings_all_data"
    assert listing.column_names == [
        "item_name",
        "seller_sku",
        "price",
        "quantity",
        "item_name_2",
        "weird_col",
    ]
    assert [c.doc for c in listing.columns][:2] == ["商品名 (item-name)", "出品者SKU (seller-sku)"]
    assert pieces == [
        (
            "get_merchant_listings_all_data",
            [
                {
                    "item_name": "水筒",
                    "seller_sku": "SKU-1",
                    "price": "1200",
                    "quantity": "3",
                    "item_name_2": "dup",
                    "weird_col": None,
                }
            ],
        )
    ]


def test_tsv_keeps_quotes_and_na_as_they_are_and_csv_unquotes():
    _, pieces = rows_of(
        "GET_FLAT_FILE_OPEN_LISTINGS_DATA", b'sku\tprice\n"quoted\tNA\nplain\tnull\r\n\n', size=3
    )
    assert pieces[0][1] == [{"sku": '"quoted', "price": "NA"}, {"sku": "plain", "price": "null"}]
    _sets, pieces = rows_of("GET_VAT_TRANSACTION_DATA", b'id,text\n1,"a, ""b""\nc"\n2,\n', size=5)
    assert pieces[0][1] == [{"id": "1", "text": 'a, "b"\nc'}, {"id": "2", "text": None}]


def test_a_flat_file_of_many_blocks_comes_in_several_batches_with_every_row():
    line = "SKU-{n}\t" + "x" * 200 + "\n"
    data = ("sku\tnote\n" + "".join(line.format(n=n) for n in range(30_000))).encode()
    assert len(data) > 2 * PIECE_BYTES > 2 * BLOCK
    _sets, pieces = rows_of("GET_FLAT_FILE_OPEN_LISTINGS_DATA", data, size=65536)
    assert 2 < len(pieces) < len(data) // BLOCK  # the blocks parsed are joined into larger batches
    rows = [r for _, batch in pieces for r in batch]
    assert [r["sku"] for r in rows] == [f"SKU-{n}" for n in range(30_000)]


def test_a_header_without_rows_is_no_rows():
    for data in (b"sku\tprice\n", b"sku\tprice", b"sku\tprice\r\n\n"):
        sets, pieces = rows_of("GET_FLAT_FILE_OPEN_LISTINGS_DATA", data)
        assert sets[0].column_names == ["sku", "price"]
        assert pieces == []
    assert rows_of("GET_SALES_AND_TRAFFIC_REPORT", b"{}")[1] == []


def test_a_row_of_the_wrong_width_or_an_empty_document_is_a_clear_error():
    with pytest.raises(DocumentFormatError, match=r"a row has 3 fields where the header has 2: '1\\t2\\t3'"):
        rows_of("GET_FLAT_FILE_OPEN_LISTINGS_DATA", b"a\tb\n1\t2\t3\n")
    with pytest.raises(DocumentFormatError, match="is empty: it has no header line"):
        rows_of("GET_FLAT_FILE_OPEN_LISTINGS_DATA", b"")


def test_stable_names():
    assert stable_name("item-name", 0) == "item_name"
    assert stable_name("Quantity Available", 3) == "quantity_available"
    assert stable_name("1st-col", 0) == "_1st_col"
    assert stable_name("商品名", 4) == "column_5"


def test_json_reports_stream_their_records_with_the_columns_of_amazons_schema():
    document = {
        "reportSpecification": {"reportType": "GET_SALES_AND_TRAFFIC_REPORT"},
        "salesAndTrafficByDate": [
            {
                "date": f"2026-01-{d:02d}",
                "salesByDate": {
                    "unitsOrdered": d,
                    "orderedProductSales": {"amount": 1.5, "currencyCode": "EUR"},
                },
            }
            for d in range(1, 4)
        ],
        "salesAndTrafficByAsin": [{"parentAsin": "B0PARENT", "salesByAsin": {"unitsOrdered": 7}}],
    }
    sets, pieces = rows_of("GET_SALES_AND_TRAFFIC_REPORT", json.dumps(document, indent=2).encode(), size=17)
    assert [s.name for s in sets] == [
        "get_sales_and_traffic_report_salesAndTrafficByDate",
        "get_sales_and_traffic_report_salesAndTrafficByAsin",
    ]
    by_date = sets[0].by_name
    assert by_date["date"].type == "date"
    assert by_date["salesByDate_orderedProductSales_amount"].type == "decimal"
    assert by_date["salesByDate_unitsOrdered"].doc == "salesByDate.unitsOrdered"
    (dates_name, dates), (asins_name, asins) = pieces
    assert dates_name == sets[0].name
    assert asins_name == sets[1].name
    assert [
        (r["date"], r["salesByDate_unitsOrdered"], r["salesByDate_orderedProductSales_amount"]) for r in dates
    ] == [
        ("2026-01-01", 1, Decimal("1.5")),
        ("2026-01-02", 2, Decimal("1.5")),
        ("2026-01-03", 3, Decimal("1.5")),
    ]
    assert asins[0]["parentAsin"] == "B0PARENT"
    assert asins[0]["salesByAsin_unitsOrdered"] == 7


def test_json_events_read_any_split_and_refuse_broken_documents():
    text = b'{ "a" : 1 , "list": [ {"x": "\\u00e9"} , 2, [3] ], "empty": [], "b": {"c": null} }'
    for size in (1, 2, 5, 1000):
        events = list(json_events(io.BufferedReader(Trickle(text, size)), name="d"))
        assert events == [
            ("value", "a", 1),
            ("record", "list", {"x": "é"}),
            ("record", "list", 2),
            ("record", "list", [3]),
            ("value", "b", {"c": None}),
        ]
    for broken, message in [
        (b'{"a": [1, 2', "not valid JSON"),
        (b"[1, 2]", "expected '{'"),
        (b'{"a": 1 "b": 2}', "expected ',}'"),
    ]:
        with pytest.raises(DocumentFormatError, match=message):
            list(json_events(io.BytesIO(broken), name="d"))


def test_a_json_type_without_a_schema_gives_each_record_whole():
    sets, pieces = rows_of("GET_SOMETHING_NEW", b'{"items": [{"a": 1}, {"b": [2]}]}', format="JSON")
    assert sets[0].column_names == ["list", "record"]
    assert pieces == [
        (
            "get_something_new",
            [{"list": "items", "record": {"a": 1}}, {"list": "items", "record": {"b": [2]}}],
        )
    ]


XML = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<Header><DocumentVersion>1.00</DocumentVersion></Header>
<Message><MessageID>1</MessageID><Order><AmazonOrderID>A</AmazonOrderID><BuyerName>M\xfcller</BuyerName>
<OrderItem><SKU>s1</SKU></OrderItem><OrderItem><SKU>s2</SKU></OrderItem></Order></Message>
<Message><MessageID>2</MessageID><Order><AmazonOrderID>B</AmazonOrderID>
<OrderItem><SKU>s3</SKU><ItemPrice><Component><Amount currency="EUR">3.00</Amount></Component></ItemPrice></OrderItem>
<GiftNote>late</GiftNote></Order></Message>
</AmazonEnvelope>"""


def test_xml_records_are_the_repeating_element_flattened_with_repeating_children_as_lists():
    sets, pieces = rows_of("GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", XML, size=7)
    (orders,) = sets
    assert orders.column_names == [
        "MessageID",
        "Order_AmazonOrderID",
        "Order_BuyerName",
        "Order_OrderItem",
        "Order_GiftNote",
        "extra",
    ]
    assert orders.by_name["Order_OrderItem"].type == "json"
    first, second = pieces[0][1]
    assert first["Order_BuyerName"] == "Müller"  # the document's own declaration (ISO-8859-1) decides
    assert first["Order_OrderItem"] == [{"SKU": "s1"}, {"SKU": "s2"}]
    assert second["Order_OrderItem"] == [
        {"SKU": "s3", "ItemPrice_Component_Amount_currency": "EUR", "ItemPrice_Component_Amount": "3.00"}
    ]
    assert second["Order_GiftNote"] == "late"
    with pytest.raises(DocumentFormatError, match="not valid XML"):
        rows_of("GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", b"<AmazonEnvelope><Message>")


def test_zip_documents_are_not_rows():
    with pytest.raises(DocumentFormatError, match="ZIP files, not rows"):
        rows_of("GET_EASYSHIP_DOCUMENTS", b"PK")


def test_every_report_type_has_valid_record_set_names():
    for kind in report_types():
        assert set_name(kind).islower()
        for records in kind.records:
            assert set_name(kind, records.name)
