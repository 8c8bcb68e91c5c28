"""File destinations (CSV, JSON Lines, Parquet, XML): staged beside the target, published at commit.

``replace`` writes this commit's records; ``upsert`` writes them, then the old file's records whose keys
were not written; ``append`` writes the old file's records, then this commit's. Each is one pass over the
old file in bounded batches; memory holds the primary keys written in this commit (to let a key seen again
replace the earlier record, and for upsert). When a key was written twice, the staged file is rewritten
once at commit keeping each key's last record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

from amazon_connector.data.arrow import keys_of_batch
from amazon_connector.data.csv_format import CsvFormat
from amazon_connector.data.formats import FileFormat, Sink
from amazon_connector.data.jsonl_format import JsonLinesFormat
from amazon_connector.data.parquet_format import ParquetFormat
from amazon_connector.data.records import Record, RecordSet, column_differences
from amazon_connector.data.staging import Staging, os_failure, reading
from amazon_connector.data.targets import Format, SchemaMismatchError, Target
from amazon_connector.data.writer import Destination, WriteMode
from amazon_connector.data.xml_format import XmlFormat

FORMATS: dict[Format, FileFormat] = {
    Format.CSV: CsvFormat(),
    Format.JSONL: JsonLinesFormat(),
    Format.PARQUET: ParquetFormat(),
    Format.XML: XmlFormat(),
}


class _Part:
    """One record set's staged file."""

    def __init__(self, record_set: RecordSet, final: Path, staged: Path, file: IO[bytes], sink: Sink) -> None:
        self.record_set, self.final, self.staged, self.file, self.sink = record_set, final, staged, file, sink
        self.written = 0
        self.last_index: dict[tuple[Any, ...], int] = {}  # key → index of its last record in this commit
        self.repeated = False


class FileDestination(Destination):
    def __init__(self, target: Target, record_sets: Sequence[RecordSet], mode: WriteMode) -> None:
        super().__init__(target, record_sets, mode)
        assert target.path is not None
        self.format = FORMATS[target.format]
        self.paths = target.file_paths(record_sets)
        companions = {
            final.with_suffix(suffix): content
            for s in record_sets
            for final in [self.paths[s.name]]
            for suffix, content in self.format.companions(s, final.name).items()
        }
        self.staging = Staging(target.path, [*self.paths.values(), *companions])
        self.staging.open()
        self.parts: dict[str, _Part] = {}
        try:
            if mode is not WriteMode.REPLACE:
                self._check_existing()
            for final, content in companions.items():
                with self.staging.create(final)[1] as f:
                    f.write(content)
            for s in record_sets:
                self.parts[s.name] = self._start(s, self.paths[s.name])
            if mode is WriteMode.APPEND:
                for part in self.parts.values():
                    for batch in self._old_records(part):
                        part.sink.write_records(batch)
        except OSError as exc:
            self._abort()
            raise os_failure(exc, "write to", target.shown) from None
        except BaseException:
            self._abort()
            raise

    @property
    def _keyed(self) -> bool:
        return self.mode is not WriteMode.APPEND

    def _check_existing(self) -> None:
        for s in self.record_sets.values():
            path = self.paths[s.name]
            if not path.exists():
                continue
            with reading(path, str(path)) as f:
                found = self.format.columns(f, str(path))
            if found is not None and (differences := column_differences(s, found)):
                raise SchemaMismatchError(
                    f"{path} holds other columns than record set {s.name}: {'; '.join(differences)}. "
                    "Nothing was written.",
                    destination=str(path),
                    differences=differences,
                    hint=f"Write to another file, or use --mode replace to overwrite it with {s.name}'s columns.",
                )

    def _start(self, record_set: RecordSet, final: Path) -> _Part:
        staged, f = self.staging.create(final)
        return _Part(record_set, final, staged, f, self.format.sink(f, record_set, final.name))

    def _old_records(self, part: _Part) -> Iterator[list[Record]]:
        if part.final.exists():
            with reading(part.final, str(part.final)) as f:
                yield from self.format.read(f, part.record_set, str(part.final))

    def _note_keys(self, part: _Part, keys: Iterator[tuple[Any, ...]]) -> None:
        last_index = part.last_index
        for i, key in enumerate(keys, start=part.written):
            if key in last_index:
                part.repeated = True
            last_index[key] = i

    def _write_records(self, record_set: RecordSet, records: list[Record]) -> None:
        part = self.parts[record_set.name]
        if self._keyed and record_set.primary_key:
            self._note_keys(part, (record_set.key_of(r) for r in records))
        try:
            part.sink.write_records(records)
        except OSError as exc:
            raise os_failure(exc, "write to", self.target.shown) from None
        part.written += len(records)

    def _write_batch(self, record_set: RecordSet, batch: Any) -> None:
        part = self.parts[record_set.name]
        if self._keyed and record_set.primary_key:
            self._note_keys(part, keys_of_batch(record_set, batch))
        try:
            part.sink.write_batch(batch)
        except OSError as exc:
            raise os_failure(exc, "write to", self.target.shown) from None
        part.written += batch.num_rows

    def _commit(self) -> None:
        try:
            for part in self.parts.values():
                self._finish(part)
        except OSError as exc:
            raise os_failure(exc, "write to", self.target.shown) from None
        self.staging.publish()
        self.staging.release()

    def _finish(self, part: _Part) -> None:
        if part.repeated:
            part = self._keep_last(part)
        if self.mode is WriteMode.UPSERT:
            key_of, written = part.record_set.key_of, part.last_index
            for batch in self._old_records(part):
                part.sink.write_records([r for r in batch if key_of(r) not in written])
        part.sink.finish()
        part.file.close()

    def _keep_last(self, part: _Part) -> _Part:
        """A new staged file with only the last record of each key written twice or more."""
        part.sink.finish()
        part.file.close()
        kept = self._start(part.record_set, part.final)
        kept.last_index = part.last_index
        self.parts[part.record_set.name] = kept
        key_of, index = part.record_set.key_of, 0
        with reading(part.staged, self.target.shown) as f:
            for batch in self.format.read(f, part.record_set, self.target.shown):
                kept.sink.write_records(
                    [r for i, r in enumerate(batch, start=index) if part.last_index[key_of(r)] == i]
                )
                index += len(batch)
        self.staging.drop(part.staged)
        return kept

    def _abort(self) -> None:
        for part in self.parts.values():
            part.sink.abandon()
            with suppress(OSError):  # a full disk may refuse the last flush; the file is deleted anyway
                part.file.close()
        self.staging.discard()
        self.staging.release()


def read_file(target: Target, record_sets: Sequence[RecordSet], name: str) -> Iterator[list[Record]]:
    """The records of one record set of a file target, in batches."""
    record_set = next(s for s in record_sets if s.name == name)
    path = target.file_paths(record_sets)[name]
    with reading(path, str(path)) as f:
        yield from FORMATS[target.format].read(f, record_set, str(path))
