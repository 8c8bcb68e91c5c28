"""JSON Lines (UTF-8): one object per record with every column; decimals, times and dates as JSON strings.

Decimals travel as strings so that no reader turns them into binary floating point.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import IO

from amazon_connector.data.formats import FileFormat, Sink, coerced_batches, unreadable
from amazon_connector.data.records import Record, RecordSet, json_value


class JsonLinesSink(Sink):
    def write_records(self, records: Sequence[Record]) -> None:
        columns = self.record_set.columns
        lines = [
            json.dumps({c.name: json_value(c, r[c.name]) for c in columns}, ensure_ascii=False) + "\n"
            for r in records
        ]
        self.out.write("".join(lines).encode("utf-8"))


class JsonLinesFormat(FileFormat):
    def sink(self, out: IO[bytes], record_set: RecordSet, path_name: str) -> Sink:
        return JsonLinesSink(out, record_set)

    def _objects(self, f: IO[bytes], shown: str) -> Iterator[tuple[str, dict[str, object]]]:
        for line, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                value = json.loads(raw.decode("utf-8-sig" if line == 1 else "utf-8"))
            except ValueError as exc:
                raise unreadable(shown, f"line {line}", exc) from None
            if not isinstance(value, dict):
                raise unreadable(shown, f"line {line}", ValueError("not a JSON object"))
            yield f"line {line}", value

    def columns(self, f: IO[bytes], shown: str) -> list[str] | None:
        first = next(self._objects(f, shown), None)
        return list(first[1]) if first else None

    def read(self, f: IO[bytes], record_set: RecordSet, shown: str) -> Iterator[list[Record]]:
        return coerced_batches(self._objects(f, shown), record_set, shown)
