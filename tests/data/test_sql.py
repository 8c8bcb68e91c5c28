"""SQL destinations over a real SQLite file and a real PostgreSQL server on 127.0.0.1."""

from __future__ import annotations

import itertools
import re
import sqlite3

import pytest
import sqlalchemy

from amazon_connector.data import (
    Column,
    DestinationError,
    RecordSet,
    SchemaMismatchError,
    open_destination,
    parse_target,
    read_records,
)
from tests.data.sets import EDGE_ORDERS, ITEMS, ORDERS, item, order

_prefixes = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A target URL, with a table prefix of its own on the shared PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    url = request.getfixturevalue("postgres_url")
    return f"{url}?table_prefix=t{next(_prefixes)}_"


def coerced(records, record_set=ORDERS):
    return [record_set.coerce(r) for r in records]


def by_key(records, record_set=ORDERS):
    return sorted(records, key=record_set.key_of)


def stored(target, record_set=ORDERS):
    return list(read_records(target, record_set))


def write(target, record_set, records, mode="replace"):
    with open_destination(target, record_set, mode=mode) as destination:
        destination.write(record_set, records)


def test_every_type_round_trips_exactly(database):
    write(database, ORDERS, EDGE_ORDERS)
    back = stored(database)
    assert back == by_key(coerced(EDGE_ORDERS))
    assert all(r["purchased_at"] is None or r["purchased_at"].utcoffset().total_seconds() == 0 for r in back)


def test_upsert_replaces_and_replace_holds_exactly_this_run(database):
    write(database, ORDERS, [order(n) for n in range(1, 6)])
    write(database, ORDERS, [order(2, note="changed"), order(9), order(9, total=None)], mode="upsert")
    expected = coerced(
        [order(1), order(2, note="changed"), order(3), order(4), order(5), order(9, total=None)]
    )
    assert stored(database) == by_key(expected)
    write(database, ORDERS, [order(7), order(8)])
    assert stored(database) == coerced([order(7), order(8)])


def test_several_record_sets_one_table_each_and_a_big_upsert_in_batches(database):
    with open_destination(database, [ORDERS, ITEMS], mode="upsert") as destination:
        destination.write(ORDERS, (order(n) for n in range(2500)))
        destination.write(ITEMS, (item(n, line) for n in range(1200) for line in (1, 2)))
        destination.write(ITEMS, [item(5, 1, sku="NEW"), item(5, 1, sku="NEWER")])  # last wins
    assert len(stored(database)) == 2500
    items = stored(database, ITEMS)
    assert len(items) == 2400
    assert next(r for r in items if r["order_id"] == "202-0000005" and r["line"] == 1)["sku"] == "NEWER"


def test_append_inserts_and_a_key_already_there_is_a_clear_error(database):
    write(database, ITEMS, [item(1, 1)], mode="append")
    write(database, ITEMS, [item(1, 2)], mode="append")
    assert stored(database, ITEMS) == coerced([item(1, 1), item(1, 2)], ITEMS)
    with pytest.raises(DestinationError, match="--mode upsert"):
        write(database, ITEMS, [item(1, 3), item(1, 1)], mode="append")
    assert stored(database, ITEMS) == coerced([item(1, 1), item(1, 2)], ITEMS)


def test_a_table_of_other_columns_is_refused_before_anything_is_written(database):
    target = parse_target(database)
    other = RecordSet(
        "orders", [Column("order_id", "string"), Column("items", "string")], primary_key=["order_id"]
    )
    write(database, other, [{"order_id": "1", "items": "many"}])
    with pytest.raises(SchemaMismatchError) as caught:
        write(database, ORDERS, [order(1)], mode="upsert")
    message = str(caught.value)
    assert f"The table {target.table_name(ORDERS)}" in message
    assert "missing column(s) total, rate" in message
    assert "table_prefix" in message
    assert "DROP TABLE" in message
    assert stored(database, other) == [{"order_id": "1", "items": "many"}]
    retyped = RecordSet(
        "orders", [Column("order_id", "string"), Column("items", "integer")], primary_key=["order_id"]
    )
    with pytest.raises(SchemaMismatchError, match="column items is text, the record set's is integer"):
        write(database, retyped, [])
    rekeyed = RecordSet(
        "orders", [Column("order_id", "string"), Column("items", "string")], primary_key=["items"]
    )
    with pytest.raises(SchemaMismatchError, match=r"its primary key is \(order_id\)"):
        write(database, rekeyed, [])


def test_a_failed_or_aborted_write_leaves_the_table_as_it_was(database):
    write(database, ORDERS, [order(1)])
    destination = open_destination(database, ORDERS)
    destination.write(ORDERS, [order(2)])
    destination.abort()
    with pytest.raises(DestinationError), open_destination(database, ORDERS, mode="append") as appending:
        appending.write(ORDERS, [order(3), order(1)])  # order 1 is there already
    assert stored(database) == coerced([order(1)])


def test_a_new_table_has_its_primary_key(tmp_path):
    path = tmp_path / "shop.db"
    write(str(path), ORDERS, [order(1)])
    with sqlite3.connect(path) as connection:
        columns = connection.execute("PRAGMA table_info(orders)").fetchall()
    assert [(c[1], c[5]) for c in columns if c[5]] == [("order_id", 1)]


def test_postgresql_types_are_native(postgres_url):
    target = f"{postgres_url}?table_prefix=native_"
    write(target, ORDERS, [order(1)])
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            types: dict[str, str] = dict(
                connection.execute(
                    sqlalchemy.text(
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 'native_orders'"
                    )
                ).all()
            )
            comment = connection.execute(
                sqlalchemy.text("SELECT obj_description('native_orders'::regclass)")
            ).scalar()
    finally:
        engine.dispose()
    assert types["total"] == "numeric"
    assert types["purchased_at"] == "timestamp with time zone"
    assert types["buyer"] == "jsonb"
    assert comment == "One order"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (
            "postgresql+psycopg://nobody@127.0.0.1:1/db",
            "Cannot write to postgresql+psycopg://nobody@127.0.0.1:1/db",
        ),
        ("postgresql+pg8000://u@127.0.0.1/db", "pip install 'amazon-connector[postgres]'"),
        ("postgresql+nodriver://u@127.0.0.1/db", "Cannot use the database"),
    ],
)
def test_unreachable_databases_and_missing_drivers(url, words):
    with pytest.raises(DestinationError, match=re.escape(words)):
        open_destination(url, ORDERS)


def test_a_password_never_appears_in_messages():
    with pytest.raises(DestinationError) as caught:
        open_destination("postgresql+psycopg://user:hunter2@127.0.0.1:1/db", ORDERS)
    assert "hunter2" not in str(caught.value)
    assert "***" in str(caught.value)


def test_a_read_only_sqlite_file_or_missing_directory(tmp_path):
    path = tmp_path / "shop.db"
    write(str(path), ORDERS, [order(1)])
    path.chmod(0o444)
    with pytest.raises(DestinationError, match="read-only"):
        open_destination(str(path), ORDERS)
    path.chmod(0o644)
    with pytest.raises(DestinationError, match="does not exist"):
        open_destination(f"sqlite:///{tmp_path / 'nope' / 'shop.db'}", ORDERS)
    assert stored(str(path)) == coerced([order(1)])


def test_an_aborted_first_write_leaves_no_table(database):
    destination = open_destination(database, [ORDERS, ITEMS])
    destination.write(ORDERS, [order(1)])
    destination.abort()
    target = parse_target(database)
    engine = sqlalchemy.create_engine(target.url or "")
    try:
        assert not sqlalchemy.inspect(engine).has_table(target.table_name(ORDERS))
    finally:
        engine.dispose()
