"""What every file format provides: a sink that writes records or Arrow batches, and a reader of its files.

A sink writes to an open binary file and never closes it; ``finish`` writes what ends the document.
A reader yields the file's records in bounded batches, each record coerced to its record set.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from amazon_connector.data.arrow import batch_to_records
from amazon_connector.data.records import Record, RecordError, RecordSet
from amazon_connector.data.targets import DestinationError

READ_BATCH_ROWS = 10_000


class Sink(ABC):
    def __init__(self, out: IO[bytes], record_set: RecordSet) -> None:
        self.out = out
        self.record_set = record_set

    @abstractmethod
    def write_records(self, records: Sequence[Record]) -> None:
        """Write coerced records."""

    def write_batch(self, batch: Any) -> None:
        """Write a conforming Arrow record batch (formats with a faster path override this)."""
        self.write_records(list(batch_to_records(self.record_set, batch)))

    def finish(self) -> None:  # noqa: B027  (most formats have nothing to end with)
        """Write whatever ends the document."""

    def abandon(self) -> None:  # noqa: B027  (most formats hold nothing beyond the file)
        """Let go of the file without finishing it (it is about to be deleted)."""


class FileFormat(ABC):
    """A file format: ``sink`` writes a new file, ``read`` reads one back, ``columns`` names its columns."""

    @abstractmethod
    def sink(self, out: IO[bytes], record_set: RecordSet, path_name: str) -> Sink: ...

    @abstractmethod
    def read(self, f: IO[bytes], record_set: RecordSet, shown: str) -> Iterator[list[Record]]:
        """The file's records in batches; a row that does not fit is a DestinationError naming its place."""

    @abstractmethod
    def columns(self, f: IO[bytes], shown: str) -> list[str] | None:
        """The column names the file holds (None for a file that does not say, e.g. one with no records)."""

    def companions(self, record_set: RecordSet, path_name: str) -> dict[str, bytes]:
        """Files published beside the data file (suffix → content), e.g. an XML file's XSD."""
        return {}


def unreadable(shown: str, where: str, exc: Exception) -> DestinationError:
    """A row of an existing file that cannot be read, named by its place (``line 12``, ``record 3``)."""
    return DestinationError(f"{shown} {where} cannot be read: {exc}", destination=shown)


def coerced_batches(
    rows: Iterable[tuple[str, Mapping[str, Any]]], record_set: RecordSet, shown: str
) -> Iterator[list[Record]]:
    """Rows (each with its place in the file) coerced to the record set, READ_BATCH_ROWS at a time."""
    batch: list[Record] = []
    for where, values in rows:
        try:
            batch.append(record_set.coerce(values))
        except RecordError as exc:
            raise unreadable(shown, where, exc) from None
        if len(batch) >= READ_BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch
