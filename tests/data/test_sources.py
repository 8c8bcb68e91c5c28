"""Input sources: CSV, tab-separated, JSON Lines and SQL records, each with its line; a record that cannot
be read is a record with a problem, a source that cannot be read at all is one clear error."""

import sqlite3
from collections.abc import Generator
from decimal import Decimal

import pytest

from amazon_connector.data.sources import SourceError, open_source


def records(path, **options):
    return [(r.line, r.values, r.problem) for r in open_source(str(path), **options)]


def test_csv_records_carry_the_line_they_start_on(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_bytes(b'sku,quantity,note\r\nA,1,\r\n\r\nB,2,"two\nlines"\r\nC,3,x\r\n')
    assert records(path) == [
        (2, {"sku": "A", "quantity": "1", "note": ""}, None),
        (4, {"sku": "B", "quantity": "2", "note": "two\nlines"}, None),
        (6, {"sku": "C", "quantity": "3", "note": "x"}, None),
    ]
    assert open_source(str(path)).columns == ("sku", "quantity", "note")


def test_a_row_with_other_fields_than_the_header_is_a_record_with_a_problem(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("sku,price\nA,1.00\nB\nC,3.00,extra\nD,4.00\n")
    found = records(path)
    assert found[0] == (2, {"sku": "A", "price": "1.00"}, None)
    assert found[1] == (3, {}, "it has 1 field(s) and the header 2")
    assert found[2] == (4, {}, "it has 3 field(s) and the header 2")
    assert found[3] == (5, {"sku": "D", "price": "4.00"}, None)


def test_bytes_that_are_not_utf8_spoil_only_their_record(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("sku,title\nA,plain\nB,caf\xe9\nC,ok\n".encode("latin-1"))
    found = records(path)
    assert [f[0] for f in found] == [2, 3, 4]
    assert found[1][2].startswith("it is not utf-8 text (byte 0xE9); save the file as UTF-8")
    assert found[2] == (4, {"sku": "C", "title": "ok"}, None)
    assert records(path, encoding="latin-1")[1] == (3, {"sku": "B", "title": "café"}, None)


def test_byte_order_marks_choose_the_encoding(tmp_path):
    utf16 = tmp_path / "excel.txt"
    utf16.write_bytes("sku\tquantity\nÄ-1\t5\n".encode("utf-16"))
    assert records(utf16) == [(2, {"sku": "Ä-1", "quantity": "5"}, None)]
    utf8 = tmp_path / "bom.csv"
    utf8.write_bytes(b"\xef\xbb\xbfsku,quantity\nA,1\n")
    assert open_source(str(utf8)).columns == ("sku", "quantity")


def test_json_lines_records(tmp_path):
    path = tmp_path / "updates.jsonl"
    path.write_bytes(b'{"sku": "A", "price": 1.5}\n\n[1, 2]\n{"sku": "B"\n{"sku": "C", "quantity": 0}\n')
    found = records(path)
    assert found[0] == (1, {"sku": "A", "price": 1.5}, None)
    assert found[1] == (3, {}, "it is not a JSON object")
    assert found[2][0] == 4
    assert found[2][2].startswith("it is not JSON")
    assert found[3] == (5, {"sku": "C", "quantity": 0}, None)


def test_sql_rows_are_numbered_from_one(tmp_path):
    path = tmp_path / "erp.db"
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE stock (sku TEXT, quantity INTEGER, price NUMERIC)")
        db.executemany("INSERT INTO stock VALUES (?, ?, ?)", [("A", 1, "9.99"), ("B", 0, "10")])
    db.close()
    source = open_source(str(path), query="SELECT sku, quantity, price FROM stock ORDER BY sku")
    assert source.columns == ("sku", "quantity", "price")
    assert [(r.line, r.values["sku"], r.values["quantity"]) for r in source] == [(1, "A", 1), (2, "B", 0)]
    assert Decimal(str(next(iter(source)).values["price"])) == Decimal("9.99")
    again = open_source(f"sqlite:///{path}", query="SELECT sku FROM stock")
    assert [r.values for r in again] == [{"sku": "A"}, {"sku": "B"}]


def test_every_read_of_an_sql_source_gives_the_rows_of_its_first_complete_read(tmp_path):
    path = tmp_path / "erp.db"
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE stock (sku TEXT, quantity INTEGER, price NUMERIC, at TIMESTAMP)")
        db.executemany(
            "INSERT INTO stock VALUES (?, ?, ?, ?)",
            [("A", 1, "9.99", "2026-11-28 10:00:00"), ("B", 0, "10", None)],
        )
    source = open_source(str(path), query="SELECT sku, quantity, price, at FROM stock ORDER BY sku")
    partial = iter(source)
    assert next(partial).values["sku"] == "A"
    assert isinstance(partial, Generator)
    partial.close()  # an abandoned read leaves no snapshot: the next read queries again
    with db:
        db.execute("INSERT INTO stock VALUES ('C', 5, '1.5', NULL)")
    first = [(r.line, r.values) for r in source]
    assert [values["sku"] for _, values in first] == ["A", "B", "C"]
    with db:  # the table changes between a step's digest pass and its sending pass
        db.execute("DELETE FROM stock WHERE sku = 'A'")
        db.execute("UPDATE stock SET quantity = 99")
    db.close()
    assert [(r.line, r.values) for r in source] == first
    assert [(r.line, r.values) for r in source] == first


@pytest.mark.parametrize(
    ("name", "content", "options", "expected"),
    [
        ("missing.csv", None, {}, "Cannot read"),
        ("empty.csv", b"", {}, "is empty"),
        ("twice.csv", b"sku,sku\nA,B\n", {}, "names a column twice"),
        ("orders.xlsx", b"PK", {}, "Cannot tell how to read"),
        ("stock.csv", b"sku\nA\n", {"query": "SELECT 1"}, "--query is for SQL sources"),
        ("stock.db", None, {}, "needs a query"),
        ("stock.csv", b"sku\nA\n", {"encoding": "klingon"}, "Unknown encoding"),
    ],
)
def test_a_source_that_cannot_be_read_is_one_clear_error(tmp_path, name, content, options, expected):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError) as info:
        open_source(str(path), **options)
    assert expected in info.value.message


def test_a_failing_query_names_the_database(tmp_path):
    with pytest.raises(SourceError) as info:
        open_source(f"sqlite:///{tmp_path / 'new.db'}", query="SELECT * FROM nowhere")
    assert "The query on sqlite:///" in info.value.message
    assert "no such table: nowhere" in info.value.message


def test_a_header_without_a_needed_column_is_refused_before_anything_is_sent(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("sku,cost\nA,1\n")
    source = open_source(str(path))
    with pytest.raises(SourceError) as info:
        source.require("sku", "price")
    assert info.value.message == f"{path} has no column price (its columns: sku, cost). Nothing was sent."
    source.require("sku", any_of=("price", "cost"))
