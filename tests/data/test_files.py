"""File destinations: every format round-trips every type, modes, several record sets, crash safety rules."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from lxml import etree

from amazon_connector.data import (
    Column,
    DestinationBusyError,
    DestinationError,
    MissingExtraError,
    RecordError,
    RecordSet,
    SchemaMismatchError,
    open_destination,
    read_records,
)
from amazon_connector.data.arrow import arrow_schema, records_to_batch
from amazon_connector.data.staging import Staging
from tests.data.sets import EDGE_ORDERS, ITEMS, ORDERS, item, order

SUFFIXES = [".csv", ".jsonl", ".parquet", ".xml"]


def coerced(records, record_set=ORDERS):
    return [record_set.coerce(r) for r in records]


def written(path, record_sets=(ORDERS,), name=None):
    return list(read_records(str(path), list(record_sets), name))


def directory_listing(directory: Path) -> list[str]:
    """The files a reader would see (not the lock files)."""
    return sorted(p.name for p in directory.iterdir() if not p.name.endswith(".lock"))


def write(path, records, mode="replace", record_set=ORDERS):
    with open_destination(str(path), record_set, mode=mode) as destination:
        destination.write(record_set, records)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_type_round_trips_exactly(tmp_path, suffix):
    path = tmp_path / f"orders{suffix}"
    write(path, EDGE_ORDERS)
    back = written(path)
    assert back == coerced(EDGE_ORDERS)
    assert back[2]["purchased_at"].tzinfo is not None
    assert back[2]["purchased_at"].utcoffset().total_seconds() == 0
    assert [type(v) for v in back[0].values()] == [type(v) for v in coerced(EDGE_ORDERS)[0].values()]
    assert directory_listing(tmp_path) == sorted([path.name, *(["orders.xsd"] if suffix == ".xml" else [])])


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_upsert_replaces_records_with_the_same_key_and_keeps_the_others(tmp_path, suffix):
    path = tmp_path / f"orders{suffix}"
    write(path, [order(n) for n in range(1, 6)])
    write(path, [order(2, note="changed"), order(9), order(4, total=None)], mode="upsert")
    back = {r["order_id"]: r for r in written(path)}
    expected = {r["order_id"]: r for r in coerced([order(n) for n in (1, 3, 5)])}
    expected |= {
        r["order_id"]: r for r in coerced([order(2, note="changed"), order(9), order(4, total=None)])
    }
    assert back == expected
    assert len(written(path)) == 6


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_replace_holds_exactly_this_commit_and_a_key_seen_again_wins(tmp_path, suffix):
    path = tmp_path / f"orders{suffix}"
    write(path, [order(n) for n in range(1, 6)])
    with open_destination(str(path), ORDERS) as destination:
        destination.write(ORDERS, [order(7), order(8)])
        destination.write(ORDERS, [order(7, note="again")])
    assert written(path) == coerced([order(8), order(7, note="again")])


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_append_adds_after_the_old_records(tmp_path, suffix):
    log = RecordSet("results", [Column("line", "integer"), Column("message", "string")])
    path = tmp_path / f"results{suffix}"
    write(path, [{"line": 1, "message": "a"}], record_set=log)
    write(path, [{"line": 2, "message": "b"}, {"line": 2, "message": "b"}], mode="append", record_set=log)
    assert written(path, [log]) == [
        {"line": 1, "message": "a"},
        {"line": 2, "message": "b"},
        {"line": 2, "message": "b"},
    ]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_several_record_sets_go_to_files_named_after_the_first(tmp_path, suffix):
    path = tmp_path / f"export{suffix}"
    with open_destination(str(path), [ORDERS, ITEMS]) as destination:
        destination.write("orders", [order(1)])
        destination.write("order_items", [item(1, 1), item(1, 2)])
    assert written(path, [ORDERS, ITEMS]) == coerced([order(1)])
    assert written(path, [ORDERS, ITEMS], "order_items") == coerced([item(1, 1), item(1, 2)], ITEMS)
    assert (tmp_path / f"export.order_items{suffix}").exists()


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_file_of_other_columns_is_refused_untouched_in_upsert(tmp_path, suffix):
    path = tmp_path / f"orders{suffix}"
    other = RecordSet(
        "orders", [Column("order_id", "string"), Column("status", "string")], primary_key=["order_id"]
    )
    write(path, [{"order_id": "1", "status": "Shipped"}], record_set=other)
    before = path.read_bytes()
    with pytest.raises(SchemaMismatchError) as caught:
        open_destination(str(path), ORDERS, mode="upsert")
    message = str(caught.value)
    assert "missing column(s) items, total" in message
    assert "column(s) status not in record set orders" in message
    assert "--mode replace" in message
    assert path.read_bytes() == before
    assert directory_listing(tmp_path) == sorted([path.name, *(["orders.xsd"] if suffix == ".xml" else [])])


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_abort_and_errors_leave_the_old_content(tmp_path, suffix):
    path = tmp_path / f"orders{suffix}"
    write(path, [order(1)])
    before = path.read_bytes()
    destination = open_destination(str(path), ORDERS)
    destination.write(ORDERS, [order(n) for n in range(2, 50)])
    destination.abort()
    with pytest.raises(RecordError, match=r"orders\.total"), open_destination(str(path), ORDERS) as failing:
        failing.write(ORDERS, [order(5), order(6, total="x")])

    def caller_fails() -> None:
        with open_destination(str(path), ORDERS) as failing:
            failing.write(ORDERS, [order(5)])
            raise RuntimeError("the caller failed")

    with pytest.raises(RuntimeError):
        caller_fails()
    assert path.read_bytes() == before
    assert directory_listing(tmp_path) == sorted([path.name, *(["orders.xsd"] if suffix == ".xml" else [])])


def test_a_committed_destination_cannot_be_written_again(tmp_path):
    destination = open_destination(str(tmp_path / "o.csv"), ORDERS)
    destination.commit()
    with pytest.raises(ValueError, match="already committed"):
        destination.write(ORDERS, [order(1)])
    with pytest.raises(ValueError, match="was not given"):
        open_destination(str(tmp_path / "p.csv"), ORDERS).write("order_items", [])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_arrow_batches_are_written_without_records(tmp_path, suffix):
    path = tmp_path / f"orders{suffix}"
    batch = records_to_batch(ORDERS, coerced(EDGE_ORDERS))
    as_text = pa.table(
        {
            "order_id": ["x-1"],
            "total": ["1.5"],
            "purchased_at": ["2026-05-01T10:00:00Z"],
            "buyer": ['{"a": 1}'],
        }
    )
    with open_destination(str(path), ORDERS) as destination:
        assert destination.write_arrow(ORDERS, batch) == 3
        destination.write_arrow("orders", [as_text])
    back = written(path)
    assert back[:3] == coerced(EDGE_ORDERS)
    assert back[3] == ORDERS.coerce(
        {"order_id": "x-1", "total": "1.5", "purchased_at": "2026-05-01T10:00:00Z", "buyer": {"a": 1}}
    )


def test_arrow_batches_that_do_not_fit_are_refused(tmp_path):
    path = tmp_path / "orders.parquet"
    with pytest.raises(RecordError, match="has no column 'colour'"), open_destination(str(path), ORDERS) as d:
        d.write_arrow(ORDERS, pa.table({"order_id": ["1"], "colour": ["red"]}))
    with (
        pytest.raises(RecordError, match=r"orders.items \(integer\) cannot take"),
        open_destination(str(path), ORDERS) as d,
    ):
        d.write_arrow(ORDERS, pa.table({"order_id": ["1"], "items": ["many"]}))
    with pytest.raises(RecordError, match="lacks the column"), open_destination(str(path), ORDERS) as d:
        d.write_arrow(ORDERS, pa.table({"items": [1]}))
    batch = records_to_batch(ORDERS, coerced([order(1)]))  # the set's own schema: no cast needed
    keyless = batch.set_column(0, batch.schema.field(0), pa.nulls(1, pa.string()))
    with (
        pytest.raises(RecordError, match="order_id must have a value"),
        open_destination(str(path), ORDERS) as d,
    ):
        d.write_arrow(ORDERS, keyless)
    assert not path.exists()


def test_upsert_of_arrow_batches_replaces_by_key(tmp_path):
    path = tmp_path / "orders.parquet"
    write(path, [order(1), order(2)])
    with open_destination(str(path), ORDERS, mode="upsert") as destination:
        destination.write_arrow(ORDERS, records_to_batch(ORDERS, coerced([order(2, note="new"), order(3)])))
    assert written(path) == coerced([order(2, note="new"), order(3), order(1)])


def test_parquet_carries_the_record_set_in_its_schema(tmp_path):
    path = tmp_path / "orders.parquet"
    write(path, [order(1)])
    schema = pa.parquet.read_schema(path)
    assert schema.equals(arrow_schema(ORDERS), check_metadata=True)
    assert schema.field("total").type == pa.decimal128(38, 2)
    assert schema.field("purchased_at").type == pa.timestamp("us", tz="UTC")
    assert schema.metadata[b"record_set"] == b"orders"


def test_xml_is_valid_against_its_xsd_which_declares_the_key(tmp_path):
    path = tmp_path / "orders.xml"
    write(path, EDGE_ORDERS)
    schema = etree.XMLSchema(etree.parse(str(tmp_path / "orders.xsd")))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log
    assert document.getroot().tag == "orders"
    assert document.getroot()[0][0].tag == "order_id"
    duplicated = etree.fromstring(etree.tostring(document).replace(b"202-0000002", b"202-0000001"))
    assert not schema.validate(duplicated)  # the primary key is an xs:key


def test_xml_refuses_text_that_xml_cannot_carry(tmp_path):
    with (
        pytest.raises(RecordError, match="control character"),
        open_destination(str(tmp_path / "o.xml"), ORDERS) as destination,
    ):
        destination.write(ORDERS, [order(1, note="bell\x07")])
    assert directory_listing(tmp_path) == []


def test_error_data_in_the_original_products_shape(tmp_path):
    errors = RecordSet(
        "ErrorData",
        [
            Column("Object", "string"),
            Column("CODE", "string"),
            Column("MESSAGE", "string"),
            Column("EXTENDEDINFO", "json"),
            Column("INPUTDATA", "json"),
        ],
        xml_row="Error",
    )
    path = tmp_path / "errors.xml"
    with open_destination(str(path), errors, mode="append") as destination:
        destination.write(
            errors,
            [
                {
                    "Object": "confirmShipment",
                    "CODE": "InvalidInput",
                    "MESSAGE": "bad",
                    "INPUTDATA": {"ref": 1},
                }
            ],
        )
    root = etree.parse(str(path)).getroot()
    assert (root.tag, root[0].tag, root[0][1].text) == ("ErrorData", "Error", "InvalidInput")
    assert etree.XMLSchema(etree.parse(str(tmp_path / "errors.xsd"))).validate(etree.parse(str(path)))


# --- bad destinations ---------------------------------------------------------------------------


def test_a_missing_directory_is_named_with_the_fix(tmp_path):
    with pytest.raises(DestinationError, match="does not exist") as caught:
        open_destination(str(tmp_path / "nope" / "o.csv"), ORDERS)
    assert "mkdir -p" in str(caught.value)
    assert not (tmp_path / "nope").exists()


def test_a_read_only_file_or_directory_is_refused_untouched(tmp_path):
    path = tmp_path / "orders.csv"
    write(path, [order(1)])
    before = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(DestinationError, match="read-only") as caught:
        open_destination(str(path), ORDERS)
    assert "chmod" in str(caught.value)
    path.chmod(0o644)
    directory = tmp_path / "locked"
    directory.mkdir()
    directory.chmod(0o555)
    try:
        with pytest.raises(DestinationError, match=f"{directory} is read-only"):
            open_destination(str(directory / "o.parquet"), ORDERS)
        assert list(directory.iterdir()) == []
    finally:
        directory.chmod(0o755)
    assert path.read_bytes() == before


def test_a_second_writer_of_the_same_target_is_told_it_is_busy(tmp_path):
    path = tmp_path / "orders.jsonl"
    with open_destination(str(path), [ORDERS, ITEMS]) as first:
        first.write(ORDERS, [order(1)])
        with pytest.raises(DestinationBusyError, match="Another process is writing"):
            open_destination(str(path), ORDERS)
    assert written(path) == coerced([order(1)])


class FullDisk:
    """A file that takes ``room`` bytes, then fails as a full disk does."""

    def __init__(self, real, room: int) -> None:
        self.real, self.room = real, room

    def write(self, data) -> int:
        self.room -= len(data)
        if self.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_full_disk_is_a_clear_error_and_the_old_content_stays(tmp_path, suffix, monkeypatch):
    path = tmp_path / f"orders{suffix}"
    write(path, [order(1)])
    before = path.read_bytes()
    create = Staging.create

    def on_a_full_disk(self, final):
        staged, file = create(self, final)
        return staged, FullDisk(file, room=3000)

    monkeypatch.setattr(Staging, "create", on_a_full_disk)

    def fill() -> None:
        with open_destination(str(path), ORDERS, mode="upsert") as destination:
            for n in range(2, 200, 20):
                destination.write(ORDERS, [order(m) for m in range(n, n + 20)])

    with pytest.raises(DestinationError, match="No space left on device") as caught:
        fill()
    assert "Free some space" in str(caught.value)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before
    assert directory_listing(tmp_path) == sorted([path.name, *(["orders.xsd"] if suffix == ".xml" else [])])


def test_a_commit_cut_between_two_renames_is_completed_by_the_next_writer(tmp_path, monkeypatch):
    path = tmp_path / "orders.csv"
    with open_destination(str(path), [ORDERS, ITEMS]) as destination:
        destination.write(ORDERS, [order(1)])
        destination.write(ITEMS, [item(1, 1)])
    replace = os.replace
    renamed: list[str] = []

    def interrupted(source, final):
        if str(source).endswith(".tmp") and not str(source).endswith("journal.tmp") and renamed:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        replace(source, final)
        if not str(source).endswith("journal.tmp"):
            renamed.append(final)

    monkeypatch.setattr(os, "replace", interrupted)
    destination = open_destination(str(path), [ORDERS, ITEMS])
    destination.write(ORDERS, [order(2)])
    destination.write(ITEMS, [item(2, 1)])
    with pytest.raises(DestinationError, match="The next write to it completes it"):
        destination.commit()
    monkeypatch.setattr(os, "replace", replace)
    assert written(path, [ORDERS, ITEMS]) == coerced([order(2)])  # the first file was renamed …
    assert written(path, [ORDERS, ITEMS], "order_items") == coerced([item(1, 1)], ITEMS)  # … the second not
    open_destination(str(path), [ORDERS, ITEMS]).abort()  # the next writer completes the commit first
    assert written(path, [ORDERS, ITEMS], "order_items") == coerced([item(2, 1)], ITEMS)
    assert directory_listing(tmp_path) == ["orders.csv", "orders.order_items.csv"]


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(MissingExtraError, match="pip install 'amazon-connector\\[parquet\\]'"):
        open_destination(str(tmp_path / "o.parquet"), ORDERS)
    assert directory_listing(tmp_path) == []
    write(tmp_path / "o.csv", [order(1)])  # the other formats need no pyarrow
    assert written(tmp_path / "o.csv") == coerced([order(1)])


def test_new_files_are_private_and_a_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "orders.csv"
    write(path, [order(1)])
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o640)
    write(path, [order(2)])
    assert path.stat().st_mode & 0o777 == 0o640


def test_unknown_mode_and_upsert_without_a_key(tmp_path):
    with pytest.raises(DestinationError, match="Unknown write mode 'merge'"):
        open_destination(str(tmp_path / "o.csv"), ORDERS, mode="merge")
    keyless = RecordSet("rows", [Column("a", "string")])
    with pytest.raises(DestinationError, match="Upsert needs a primary key"):
        open_destination(str(tmp_path / "o.csv"), keyless, mode="upsert")


def test_an_unreadable_existing_file_names_its_line(tmp_path):
    path = tmp_path / "orders.csv"
    write(path, [order(1)])
    path.write_text(path.read_text() + "x,notanumber\n")
    with pytest.raises(DestinationError, match="line 4"):
        write(path, [order(2)], mode="upsert")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_an_empty_string_stays_empty_except_in_csv_where_it_is_null(tmp_path, suffix):
    path = tmp_path / f"orders{suffix}"
    write(path, [order(1, note="")])
    assert written(path)[0]["note"] == (None if suffix == ".csv" else "")
    write(path, [{"order_id": ""}])  # a column that cannot be null reads back as ""
    assert written(path)[0]["order_id"] == ""


def test_xml_holds_json_as_elements_and_reads_back_the_same_json(tmp_path):
    buyer = {
        "name": "Bü",
        "not a name": {},
        "xmlns": "x",
        "empty": [],
        "blank": "",
        "grid": [[1, 2.5], [None, True], []],
        "deep": {"price": {"amount": "12.50", "currency": "EUR"}},
    }
    path = tmp_path / "orders.xml"
    write(path, [order(1, buyer=buyer)])
    document = etree.parse(str(path))
    schema = etree.XMLSchema(etree.parse(str(tmp_path / "orders.xsd")))
    assert schema.validate(document), schema.error_log
    assert document.findtext("record/buyer/deep/price/currency") == "EUR"
    assert document.find("record/buyer/grid/item[1]/item[2]").get("type") == "number"
    assert document.find("record/buyer/entry[@key='not a name']").get("type") == "object"
    assert written(path)[0]["buyer"] == buyer


def test_xml_reads_json_columns_written_as_json_text(tmp_path):
    path = tmp_path / "orders.xml"
    write(path, [order(1)])
    old = etree.parse(str(path))
    buyer = old.find("record/buyer")
    for child in list(buyer):
        buyer.remove(child)
    buyer.attrib.clear()
    buyer.text = '{"name": "Bü 1", "tags": [1]}'
    old.write(str(path), encoding="utf-8", xml_declaration=True)
    assert written(path)[0]["buyer"] == {"name": "Bü 1", "tags": [1]}
