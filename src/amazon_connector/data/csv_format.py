"""CSV (RFC 4180, UTF-8, a header row): values as text, an empty field is null.

CSV cannot tell an empty string from null: an empty field reads back as null, or as "" in a column that is
not nullable. Arrow batches are turned into text columns and written by Arrow's CSV writer.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from typing import IO, Any

from amazon_connector.data.arrow import pyarrow
from amazon_connector.data.formats import FileFormat, Sink, coerced_batches, unreadable
from amazon_connector.data.records import ColumnType, Record, RecordSet, text_of

EOL = "\r\n"


class CsvSink(Sink):
    def __init__(self, out: IO[bytes], record_set: RecordSet) -> None:
        super().__init__(out, record_set)
        self._write_text([record_set.column_names])

    def _write_text(self, rows: Sequence[Sequence[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=EOL).writerows(rows)
        self.out.write(buffer.getvalue().encode("utf-8"))

    def write_records(self, records: Sequence[Record]) -> None:
        columns = self.record_set.columns
        self._write_text(
            [["" if r[c.name] is None else text_of(c, r[c.name]) for c in columns] for r in records]
        )

    def write_batch(self, batch: Any) -> None:
        pa = pyarrow()
        texts = [
            _arrow_text(pa, self.record_set.by_name[f.name].type, batch.column(f.name)) for f in batch.schema
        ]
        table = pa.Table.from_arrays(texts, names=batch.schema.names)
        pa.csv.write_csv(table, self.out, pa.csv.WriteOptions(include_header=False, eol=EOL))


def _arrow_text(pa: Any, column_type: ColumnType, array: Any) -> Any:
    """An Arrow column as the text ``text_of`` gives (the same value; Arrow pads decimals to their scale)."""
    if column_type is not ColumnType.TIMESTAMP:
        return array.cast(pa.string())
    # The UTC instant as naive text, "2026-01-02 03:04:05.000000", made ISO 8601 with T and Z (casting the
    # zoned timestamp or strftime would look the zone up for every value, 20 times slower).
    from pyarrow import compute

    naive = array.cast(pa.timestamp("us")).cast(pa.string())
    return compute.binary_join_element_wise(
        compute.replace_substring(naive, " ", "T", max_replacements=1), "Z", ""
    )


class CsvFormat(FileFormat):
    def sink(self, out: IO[bytes], record_set: RecordSet, path_name: str) -> Sink:
        return CsvSink(out, record_set)

    def _rows(self, f: IO[bytes]) -> Any:
        return csv.reader(codecs.getreader("utf-8-sig")(f))

    def columns(self, f: IO[bytes], shown: str) -> list[str] | None:
        try:
            return next(self._rows(f), None)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise unreadable(shown, "line 1", exc) from None

    def read(self, f: IO[bytes], record_set: RecordSet, shown: str) -> Iterator[list[Record]]:
        return coerced_batches(self._records(f, record_set, shown), record_set, shown)

    def _records(
        self, f: IO[bytes], record_set: RecordSet, shown: str
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        rows = self._rows(f)
        try:
            header: list[str] = next(rows, [])
            for row in rows:
                values = row or [""]  # a row of one empty field is an empty line
                if len(values) != len(header):
                    raise ValueError(f"it has {len(values)} fields, the header {len(header)}")
                yield f"line {rows.line_num}", _nulls(record_set, dict(zip(header, values, strict=True)))
        except (UnicodeDecodeError, csv.Error, ValueError) as exc:
            raise unreadable(shown, f"line {rows.line_num}", exc) from None


def _nulls(record_set: RecordSet, row: dict[str, str]) -> dict[str, str | None]:
    """Empty fields as None, except in columns that cannot be null (an empty string there)."""
    by_name = record_set.by_name
    return {k: None if v == "" and (k not in by_name or by_name[k].nullable) else v for k, v in row.items()}
