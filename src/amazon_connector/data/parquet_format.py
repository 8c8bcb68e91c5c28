"""Parquet (pyarrow, the ``[parquet]`` extra): every type native, JSON as text; the record set in the metadata.

Rows are gathered into row groups of ROW_GROUP_ROWS before they are written, so that many small batches
still make a file that reads fast; memory holds at most one row group.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import suppress
from typing import IO, Any

from amazon_connector.data.arrow import (
    arrow_schema,
    batch_to_records,
    pyarrow,
    records_to_batch,
    streaming_pool,
)
from amazon_connector.data.formats import READ_BATCH_ROWS, FileFormat, Sink
from amazon_connector.data.records import Record, RecordError, RecordSet
from amazon_connector.data.targets import DestinationError

ROW_GROUP_ROWS = 65_536
DICTIONARY_PAGE = 1 << 16
"""A column's dictionary grows to this many bytes, then the column is written plain: columns of few values
keep their dictionary, columns of many stop hashing early (a third less CPU, smaller files, bench/)."""


class ParquetSink(Sink):
    def __init__(self, out: IO[bytes], record_set: RecordSet) -> None:
        super().__init__(out, record_set)
        self._pa = pyarrow()
        self._schema = arrow_schema(record_set)
        self._writer = self._pa.parquet.ParquetWriter(
            out,
            self._schema,
            compression="zstd",
            dictionary_pagesize_limit=DICTIONARY_PAGE,
            memory_pool=streaming_pool(),
        )
        self._pending: list[Any] = []
        self._pending_rows = 0

    def write_records(self, records: Sequence[Record]) -> None:
        if records:
            self.write_batch(records_to_batch(self.record_set, records))

    def write_batch(self, batch: Any) -> None:
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending_rows:
            table = self._pa.Table.from_batches(self._pending, schema=self._schema)
            self._writer.write_table(table, row_group_size=max(self._pending_rows, 1))
        self._pending, self._pending_rows = [], 0

    def finish(self) -> None:
        self._flush()
        self._writer.close()

    def abandon(self) -> None:
        self._pending = []
        with suppress(Exception):  # whatever the file's state, it is deleted next
            self._writer.close()


class ParquetFormat(FileFormat):
    def sink(self, out: IO[bytes], record_set: RecordSet, path_name: str) -> Sink:
        return ParquetSink(out, record_set)

    def _file(self, f: IO[bytes], shown: str) -> Any:
        pa = pyarrow()
        try:
            return pa.parquet.ParquetFile(f)
        except (pa.ArrowInvalid, OSError) as exc:
            raise DestinationError(f"{shown} is not a Parquet file: {exc}", destination=shown) from None

    def columns(self, f: IO[bytes], shown: str) -> list[str] | None:
        return list(self._file(f, shown).schema_arrow.names)

    def read(self, f: IO[bytes], record_set: RecordSet, shown: str) -> Iterator[list[Record]]:
        pa = pyarrow()
        parquet = self._file(f, shown)
        schema = arrow_schema(record_set)
        for batch in parquet.iter_batches(batch_size=READ_BATCH_ROWS):
            try:
                conformed = pa.RecordBatch.from_arrays(
                    [batch.column(n).cast(schema.field(n).type) for n in schema.names], schema=schema
                )
                yield [record_set.coerce(r) for r in batch_to_records(record_set, conformed)]
            except (pa.ArrowInvalid, KeyError, RecordError) as exc:
                raise DestinationError(f"{shown} cannot be read: {exc}", destination=shown) from None
