"""The one writer interface of every destination: write records or Arrow batches, then commit or abort.

A destination is opened for one commit: ``commit()`` makes everything written visible at once (files
renamed into place, the SQL transaction committed); ``abort()``, or any error raised by ``write``,
``write_arrow`` or ``commit``, leaves the destination as it was. Used as a context manager it commits when
the block ends normally and aborts when it raises. Writing is blocking I/O: async callers run it in a
thread (``asyncio.to_thread``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from itertools import islice
from types import TracebackType
from typing import Any, Self

from amazon_connector.data.arrow import batch_to_records, conform_batch, pyarrow
from amazon_connector.data.records import Record, RecordSet
from amazon_connector.data.targets import DestinationError, Target

BATCH_RECORDS = 1_000


class WriteMode(StrEnum):
    """``replace``: the destination ends holding exactly this commit's records; ``upsert``: they are merged
    in by primary key, replacing records with the same key; ``append``: they are added (logs)."""

    REPLACE = "replace"
    UPSERT = "upsert"
    APPEND = "append"


class Destination(ABC):
    """Records written to one target in one commit. Within a commit a record seen again replaces the
    earlier one with the same primary key (except in ``append`` mode)."""

    def __init__(self, target: Target, record_sets: Sequence[RecordSet], mode: WriteMode) -> None:
        names = [s.name for s in record_sets]
        if not record_sets or len(set(names)) != len(names):
            raise ValueError("give one or more record sets, each name once")
        self.target = target
        self.record_sets = {s.name: s for s in record_sets}
        self.mode = mode
        self.counts = dict.fromkeys(names, 0)
        self._open = True
        if mode is WriteMode.UPSERT and (keyless := [s.name for s in record_sets if not s.primary_key]):
            raise DestinationError(
                f"Upsert needs a primary key, and record set {', '.join(keyless)} has none.",
                destination=target.shown,
                hint="Use --mode replace or append.",
            )

    # --- the interface -------------------------------------------------------------------

    def write(self, record_set: str | RecordSet, records: Iterable[Mapping[str, Any]]) -> int:
        """Coerce and write records (consumed lazily, BATCH_RECORDS at a time); the number written."""
        target_set = self._set(record_set)
        written = 0
        with self._aborting_on_error():
            for chunk in _chunks(records, BATCH_RECORDS):
                coerced = [target_set.coerce(r) for r in chunk]
                self._write_records(target_set, coerced)
                written += len(coerced)
        self.counts[target_set.name] += written
        return written

    def write_arrow(self, record_set: str | RecordSet, batches: Any) -> int:
        """Write pyarrow record batches (one, a Table, or an iterable of them); the number of rows written.

        Columns are matched by name and cast to the set's types; JSON columns hold JSON text."""
        target_set = self._set(record_set)
        pa = pyarrow()
        if isinstance(batches, pa.RecordBatch | pa.Table):
            batches = [batches]
        written = 0
        with self._aborting_on_error():
            for batch in batches:
                for piece in batch.to_batches() if isinstance(batch, pa.Table) else [batch]:
                    self._write_batch(target_set, conform_batch(target_set, piece))
                    written += piece.num_rows
        self.counts[target_set.name] += written
        return written

    def commit(self) -> None:
        """Make every record written visible at once; the destination is closed afterwards."""
        self._check_open()
        with self._aborting_on_error():
            self._commit()
        self._open = False

    def abort(self) -> None:
        """Forget everything written; the destination keeps its previous content. Safe to call twice."""
        if self._open:
            self._open = False
            self._abort()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None and self._open:
            self.commit()
        else:
            self.abort()

    # --- what each destination does ----------------------------------------------------------

    @abstractmethod
    def _write_records(self, record_set: RecordSet, records: list[Record]) -> None: ...

    def _write_batch(self, record_set: RecordSet, batch: Any) -> None:
        """Write a conforming Arrow batch; destinations without a native path write its records."""
        for chunk in _chunks(batch_to_records(record_set, batch), BATCH_RECORDS):
            self._write_records(record_set, chunk)

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _abort(self) -> None: ...

    # --- helpers ---------------------------------------------------------------------------

    def _set(self, record_set: str | RecordSet) -> RecordSet:
        self._check_open()
        name = record_set if isinstance(record_set, str) else record_set.name
        try:
            return self.record_sets[name]
        except KeyError:
            raise ValueError(
                f"record set {name!r} was not given when {self.target.shown} was opened"
            ) from None

    def _check_open(self) -> None:
        if not self._open:
            raise ValueError(f"{self.target.shown} was already committed or aborted; open it again")

    @contextmanager
    def _aborting_on_error(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self.abort()
            raise


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
