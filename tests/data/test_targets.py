"""Target strings: pure logic."""

import pytest

from amazon_connector.data import DestinationError, Format, parse_target
from tests.data.sets import ITEMS, ORDERS


@pytest.mark.parametrize(
    ("text", "format"),
    [
        ("-", Format.TABLE),
        ("table", Format.TABLE),
        ("out.csv", Format.CSV),
        ("OUT.JSONL", Format.JSONL),
        ("out.ndjson", Format.JSONL),
        ("out.parquet", Format.PARQUET),
        ("out.xml", Format.XML),
        ("csv:out.txt", Format.CSV),
        ("shop.db", Format.SQL),
        ("shop.sqlite3", Format.SQL),
        ("sqlite:///shop.db", Format.SQL),
        ("postgresql+psycopg://u:secret@127.0.0.1/db", Format.SQL),
    ],
)
def test_formats(text, format):
    assert parse_target(text).format is format


def test_paths_are_absolute_and_several_sets_get_their_own_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = parse_target("orders.csv")
    assert target.path == tmp_path / "orders.csv"
    assert target.file_paths([ORDERS, ITEMS]) == {
        "orders": tmp_path / "orders.csv",
        "order_items": tmp_path / "orders.order_items.csv",
    }
    assert parse_target("shop.db").url == f"sqlite:///{tmp_path / 'shop.db'}"


def test_sql_table_prefix_from_url_or_argument_and_password_hidden():
    target = parse_target("postgresql+psycopg://u:secret@127.0.0.1/db?table_prefix=shop_")
    assert target.table_name(ORDERS) == "shop_orders"
    assert "table_prefix" not in (target.url or "")
    assert "secret" not in target.shown
    assert "secret" in (target.url or "")
    assert parse_target("x.db", table_prefix="v2_").table_name(ITEMS) == "v2_order_items"
    with pytest.raises(DestinationError, match="table prefix"):
        parse_target("x.db", table_prefix="bad-prefix")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("out.txt", "Cannot tell the format"),
        ("", "No destination was given"),
        ("mysql://u@h/db", "scheme 'mysql' is not supported"),
        ("sqlite://", "needs a file"),
    ],
)
def test_bad_targets(text, words):
    with pytest.raises(DestinationError, match=words) as caught:
        parse_target(text)
    assert caught.value.hint  # says what to give instead


def test_the_key_identifies_a_destination_without_its_password(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert parse_target("orders.csv").key == f"csv:{tmp_path / 'orders.csv'}"
    assert parse_target("orders.csv").key == parse_target(str(tmp_path / "orders.csv")).key
    url = "postgresql+psycopg://u:secret@127.0.0.1/db"
    assert parse_target(f"{url}?table_prefix=a_").key == "sql:postgresql+psycopg://u:***@127.0.0.1/db#a_"
    assert parse_target(f"{url}?table_prefix=a_").key != parse_target(url).key
