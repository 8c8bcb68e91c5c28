"""pyarrow, the optional ``[parquet]`` extra, imported only when needed; record sets as Arrow schemas.

Arrow carries every column type natively except JSON, which travels as its compact JSON text.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from amazon_connector.data.records import (
    DECIMAL_PRECISION,
    ColumnType,
    Record,
    RecordError,
    RecordSet,
    json_text,
)
from amazon_connector.extras import require

if TYPE_CHECKING:
    import pyarrow as pa


POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def pyarrow() -> ModuleType:
    """The pyarrow module with its ``csv`` and ``parquet`` modules, or a MissingExtraError that says how
    to install it. ``pyarrow.compute`` (some 12 MB resident) is imported where it is used."""
    require("parquet", "Parquet files and Arrow record batches")
    if "pyarrow" not in sys.modules and POOL_VARIABLE not in os.environ and sys.platform != "win32":
        _import_with_jemalloc()
    import pyarrow as pa
    import pyarrow.csv
    import pyarrow.parquet

    return pa  # type: ignore[no-any-return]


def _import_with_jemalloc() -> None:
    """Import pyarrow with jemalloc as its default pool, which it picks as it is imported. Its own choice,
    mimalloc, holds some 20 MB once anything is taken from it (pyarrow's C++ takes a little for itself
    whatever pool it is given); jemalloc, in pyarrow's Linux and macOS wheels, gives memory back. A pool
    chosen in the environment stands, and so does pyarrow imported by someone else first."""
    os.environ[POOL_VARIABLE] = "jemalloc"
    try:
        importlib.import_module("pyarrow")
    finally:
        del os.environ[POOL_VARIABLE]  # not handed on to child processes


DECAY_MS = 100
"""jemalloc gives freed pages back after this long: at 0 every free is a system call (some 4 CPU seconds
per GB of report), while the default allocator keeps them for good (tens of MB more at the peak)."""


@lru_cache(maxsize=1)
def streaming_pool() -> pa.MemoryPool:
    """The memory pool of streamed rows (the CSV reader's batches, the Parquet writer's row groups):
    jemalloc, made to give freed memory back soon (DECAY_MS), where pyarrow has it; else the default."""
    pa = pyarrow()
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(DECAY_MS)
    except NotImplementedError:
        return pa.default_memory_pool()
    return pool


def arrow_type(column_type: ColumnType, scale: int) -> pa.DataType:
    pa = pyarrow()
    return {
        ColumnType.STRING: pa.string(),
        ColumnType.INTEGER: pa.int64(),
        ColumnType.DECIMAL: pa.decimal128(DECIMAL_PRECISION, scale),
        ColumnType.BOOLEAN: pa.bool_(),
        ColumnType.TIMESTAMP: pa.timestamp("us", tz="UTC"),
        ColumnType.DATE: pa.date32(),
        ColumnType.JSON: pa.string(),
    }[column_type]


@lru_cache(maxsize=64)
def arrow_schema(record_set: RecordSet) -> pa.Schema:
    """The Arrow schema of a record set, with its name, docs and primary key in the metadata (made once
    per record set: batches of a large document ask for it hundreds of times)."""
    pa = pyarrow()
    fields = [
        pa.field(
            c.name,
            arrow_type(c.type, c.scale),
            nullable=c.nullable,
            metadata={"type": str(c.type), "doc": c.doc},
        )
        for c in record_set.columns
    ]
    metadata = {
        "record_set": record_set.name,
        "doc": record_set.doc,
        "primary_key": json.dumps(list(record_set.primary_key)),
    }
    return pa.schema(fields, metadata=metadata)


def records_to_batch(record_set: RecordSet, records: Sequence[Record]) -> pa.RecordBatch:
    """Coerced records as one Arrow record batch of the set's schema."""
    pa = pyarrow()
    json_columns = [c.name for c in record_set.columns if c.type is ColumnType.JSON]
    if json_columns:
        records = [
            {**r, **{n: None if r[n] is None else json_text(r[n]) for n in json_columns}} for r in records
        ]
    return pa.RecordBatch.from_pylist(list(records), schema=arrow_schema(record_set))


def batch_to_records(record_set: RecordSet, batch: pa.RecordBatch) -> Iterator[Record]:
    """The records of a conforming batch, JSON text parsed back into objects."""
    json_columns = [c.name for c in record_set.columns if c.type is ColumnType.JSON]
    for row in batch.to_pylist():
        for name in json_columns:
            if row[name] is not None:
                row[name] = json.loads(row[name])
        yield row


def conform_batch(record_set: RecordSet, batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with the set's columns, in order, cast to the set's types, or a RecordError saying why not.

    Strings are parsed where Arrow can (numbers, ISO dates and times); JSON columns must hold JSON text."""
    pa = pyarrow()
    schema = arrow_schema(record_set)
    if batch.schema.equals(schema):  # the same columns and types (a streamed report's batches): no casts
        if missing := [f.name for f in schema if not f.nullable and batch.column(f.name).null_count]:
            raise _lacks_value(record_set, missing[0])
        return pa.RecordBatch.from_arrays(batch.columns, schema=schema)
    names = batch.schema.names
    if not_nullable := [
        n for n in record_set.column_names if n not in names and not record_set.by_name[n].nullable
    ]:
        raise RecordError(f"The batch for {record_set.name} lacks the column(s) {', '.join(not_nullable)}.")
    if unknown := [n for n in names if n not in record_set.by_name]:
        raise RecordError(
            f"Record set {record_set.name} has no column {', '.join(map(repr, unknown))}.",
            hint=f"Its columns are: {', '.join(record_set.column_names)}.",
        )
    arrays = []
    for f in schema:
        if f.name not in names:
            arrays.append(pa.nulls(batch.num_rows, f.type))
            continue
        array = batch.column(f.name)
        try:
            arrays.append(array if array.type == f.type else array.cast(f.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise RecordError(
                f"{record_set.name}.{f.name} ({record_set.by_name[f.name].type}) cannot take the batch's "
                f"{array.type} values: {exc}"
            ) from None
        if not f.nullable and array.null_count:
            raise _lacks_value(record_set, f.name)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _lacks_value(record_set: RecordSet, name: str) -> RecordError:
    return RecordError(f"{record_set.name}.{name} must have a value (it is not nullable).")


def keys_of_batch(record_set: RecordSet, batch: Any) -> Iterator[tuple[Any, ...]]:
    """The primary-key tuples of a conforming batch, without building a dict per row."""
    columns = [batch.column(k).to_pylist() for k in record_set.primary_key]
    return zip(*columns, strict=True)
