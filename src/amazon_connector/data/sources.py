"""Input records for sending data to Amazon, read from a CSV or tab-separated file, a JSON Lines file or
an SQL query, each with its line number so that every result and error names the record it is about.

A record that cannot be read (bytes that are not text in the file's encoding, a CSV row with another
number of fields than the header, a JSON Lines line that is not a JSON object) is still a record: it
carries the ``problem`` and its line, and the records around it are read as usual. Only a source that
cannot be read at all (a missing file, no header, a failing query) is a ``SourceError``.

* CSV (``.csv``) and tab-separated (``.tsv``, ``.txt``) files: the first row names the columns;
  ``line`` is the line a record starts on (the header is line 1). Encoding: UTF-8 unless ``encoding``
  says otherwise; a UTF-8 or UTF-16 byte order mark is recognised.
* JSON Lines (``.jsonl``, ``.ndjson``): one object per line; empty lines are skipped.
* Standard input (``open_stdin``): CSV, tab-separated or JSON Lines as its format says, kept in a
  temporary file while it is read (so that it can be read again, as a file can).
* SQL (``sqlite:///PATH``, ``.db``/``.sqlite`` files, ``postgresql+psycopg://…``) with ``query``: each
  row a record, ``line`` its row number (from 1). The query runs once: the rows of its first complete read
  are kept in a private temporary file, so that every later read (a digest pass, then the sending pass)
  gives exactly the same records even when the table changes meanwhile.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import pickle
import shutil
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from amazon_connector.errors import ConfigurationError

CSV_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
JSONL_SUFFIXES = (".jsonl", ".ndjson")
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
SOURCE_HELP = (
    "Give a CSV file (.csv), a tab-separated file (.tsv, .txt), a JSON Lines file (.jsonl) or an SQL "
    "database (sqlite:///PATH, a .db file, postgresql+psycopg://…) with --query."
)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class SourceError(ConfigurationError):
    """An input source that cannot be read at all; nothing was sent."""

    def __init__(self, message: str, *, source: str, hint: str | None = None) -> None:
        super().__init__(message, field="source", hint=hint)
        self.source = source


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One input record: its line (or row) number, its values by column, and why it could not be read."""

    line: int
    values: dict[str, Any]
    problem: str | None = None


@dataclass(frozen=True)
class Source:
    """An input that can be read (again) record by record; ``columns`` as its header or query names
    them (None for JSON Lines, whose records name their own)."""

    shown: str
    columns: tuple[str, ...] | None
    _read: Callable[[], Iterator[InputRecord]]

    def __iter__(self) -> Iterator[InputRecord]:
        return self._read()

    def require(self, *names: str, any_of: tuple[str, ...] = ()) -> None:
        """Refuse a source whose header lacks a column every record needs (or all of ``any_of``)."""
        if self.columns is None:
            return
        missing = [n for n in names if n not in self.columns]
        if any_of and not set(any_of) & set(self.columns):
            missing.append(" or ".join(any_of))
        if missing:
            raise SourceError(
                f"{self.shown} has no column {', '.join(missing)} (its columns: {', '.join(self.columns)}). "
                "Nothing was sent.",
                source=self.shown,
                hint="Name the columns in the first row, e.g. sku,price,quantity.",
            )


def open_source(text: str, *, query: str | None = None, encoding: str | None = None) -> Source:
    """The source ``text`` names (a file path or an SQL URL), checked so far as it can be before reading:
    the file exists and its header can be read, the query runs."""
    text = text.strip()
    if "://" in text:
        return _sql_source(text, query)
    path = Path(text).expanduser()
    suffix = path.suffix.lower()
    if suffix in SQLITE_SUFFIXES:
        return _sql_source(f"sqlite:///{path.absolute()}", query)
    if query is not None:
        raise SourceError(f"--query is for SQL sources, and {text} is a file.", source=text, hint=SOURCE_HELP)
    if suffix in CSV_SUFFIXES:
        return _csv_source(path, CSV_SUFFIXES[suffix], encoding)
    if suffix in JSONL_SUFFIXES:
        return _jsonl_source(path, encoding)
    raise SourceError(f"Cannot tell how to read {text} from its name.", source=text, hint=SOURCE_HELP)


STDIN_FORMATS = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl"}


def open_stdin(fmt: str, *, encoding: str | None = None, stream: IO[bytes] | None = None) -> Source:
    """Standard input (or ``stream``) read as ``fmt`` (csv, tsv or jsonl)."""
    suffix = STDIN_FORMATS.get(fmt)
    if suffix is None:
        raise SourceError(
            f"Unknown format {fmt!r} for standard input.", source="-", hint="Use csv, tsv or jsonl."
        )
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as copy:
        shutil.copyfileobj(stream or sys.stdin.buffer, copy)
    path = Path(copy.name)
    source = (
        _jsonl_source(path, encoding, shown="standard input")
        if fmt == "jsonl"
        else _csv_source(path, CSV_SUFFIXES[suffix], encoding, shown="standard input")
    )
    weakref.finalize(source, path.unlink, missing_ok=True)
    return source


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise SourceError(
            f"Cannot read {path}: {exc.strerror or exc}.",
            source=str(path),
            hint="Check the file's name and permissions.",
        ) from None


def _encoding(f: IO[bytes], given: str | None) -> str:
    """The encoding to read with: the one given, else UTF-16 or UTF-8 by the byte order mark, else UTF-8."""
    if given:
        try:
            return codecs.lookup(given).name
        except LookupError:
            raise SourceError(
                f"Unknown encoding {given!r}.", source="--encoding", hint="E.g. utf-8, latin-1, cp1252."
            ) from None
    start = f.read(4)
    f.seek(0)
    return next((name for bom, name in _BOMS if start.startswith(bom)), "utf-8")


def _undecodable(text: str, encoding: str) -> str | None:
    """Why decoded text holds bytes that were not text in ``encoding`` (kept as surrogates), or None."""
    bad = next((ch for ch in text if "\udc80" <= ch <= "\udcff"), None)
    if bad is None:
        return None
    return (
        f"it is not {encoding} text (byte 0x{ord(bad) - 0xDC00:02X}); save the file as UTF-8, or give "
        "its encoding (--encoding latin-1, cp1252, …)"
    )


def _csv_source(path: Path, delimiter: str, encoding: str | None, *, shown: str | None = None) -> Source:
    with _open(path) as f:
        chosen = _encoding(f, encoding)
    shown = shown or str(path)

    def rows() -> Iterator[tuple[int, list[str]]]:
        with (
            _open(path) as raw,
            io.TextIOWrapper(raw, encoding=chosen, errors="surrogateescape", newline="") as f,
        ):
            reader = csv.reader(f, delimiter=delimiter)
            last = 0
            try:
                for row in reader:
                    yield last + 1, row
                    last = reader.line_num
            except csv.Error as exc:
                raise SourceError(
                    f"{shown} line {reader.line_num} cannot be read as CSV: {exc}.", source=shown
                ) from None

    first = next(rows(), None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise SourceError(f"{shown} is empty: its first row must name the columns.", source=shown)
    header = [cell.strip() for cell in first[1]]
    if problem := _undecodable("".join(header), chosen):
        raise SourceError(f"{shown}: the header (line 1) cannot be read: {problem}.", source=shown)
    if len(set(header)) != len(header) or "" in header:
        raise SourceError(
            f"{shown}: the header (line 1) names a column twice or leaves one unnamed.", source=shown
        )

    def records() -> Iterator[InputRecord]:
        for line, row in rows():
            if line == 1 or not row:
                continue
            values = dict(zip(header, row, strict=False))
            problem = _undecodable("".join(row), chosen)
            if problem is None and len(row) != len(header):
                problem = f"it has {len(row)} field(s) and the header {len(header)}"
            yield InputRecord(line, {} if problem else values, problem)

    return Source(shown, tuple(header), records)


def _jsonl_source(path: Path, encoding: str | None, *, shown: str | None = None) -> Source:
    with _open(path) as f:
        chosen = _encoding(f, encoding)
    shown = shown or str(path)

    def records() -> Iterator[InputRecord]:
        with _open(path) as f:
            for line, raw in enumerate(f, start=1):
                text = raw.decode(chosen, errors="surrogateescape")
                if line == 1:
                    text = text.removeprefix("\ufeff")
                if not text.strip():
                    continue
                problem = _undecodable(text, chosen)
                value: Any = None
                if problem is None:
                    try:
                        value = json.loads(text)
                    except ValueError as exc:
                        problem = f"it is not JSON: {exc}"
                if problem is None and not isinstance(value, dict):
                    problem = "it is not a JSON object"
                yield InputRecord(line, value if problem is None else {}, problem)

    return Source(shown, None, records)


def _sql_source(url_text: str, query: str | None) -> Source:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        url = make_url(url_text)
    except ArgumentError:
        raise SourceError(
            "The source URL is not valid.",
            source=url_text.split("://", maxsplit=1)[0] + "://…",
            hint=SOURCE_HELP,
        ) from None
    shown = url.render_as_string(hide_password=True)
    if not query:
        raise SourceError(
            f"An SQL source needs a query: which rows of {shown} to send.",
            source=shown,
            hint='Give --query "SELECT sku, price, quantity FROM …".',
        )
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError) as exc:
        raise SourceError(
            f"Cannot use the database {shown}: {exc}",
            source=shown,
            hint="For PostgreSQL: pip install 'amazon-connector[postgres]'.",
        ) from None

    def failure(exc: SQLAlchemyError) -> SourceError:
        return SourceError(f"The query on {shown} failed: {getattr(exc, 'orig', None) or exc}", source=shown)

    try:
        with engine.connect() as conn:
            columns = tuple(conn.execute(text(query)).keys())
    except SQLAlchemyError as exc:
        engine.dispose()
        raise failure(exc) from None

    snapshot: list[Path] = []
    """The rows of the first complete read: every later read gives exactly these."""

    def queried() -> Iterator[InputRecord]:
        complete = False
        with tempfile.NamedTemporaryFile(prefix="amazon-connector-rows-", delete=False) as copy:
            written = Path(copy.name)
            try:
                with engine.connect() as conn:
                    result = conn.execution_options(yield_per=1000).execute(text(query))
                    for number, row in enumerate(result, start=1):
                        values = dict(zip(columns, row, strict=True))
                        pickle.dump(values, copy, protocol=pickle.HIGHEST_PROTOCOL)
                        yield InputRecord(number, values)
                complete = True
            except SQLAlchemyError as exc:
                raise failure(exc) from None
            finally:
                if not complete:  # an abandoned or failed read leaves no snapshot
                    written.unlink(missing_ok=True)
        snapshot.append(written)

    def records() -> Iterator[InputRecord]:
        if not snapshot:
            return queried()
        return _snapshot_rows(snapshot[0])

    source = Source(shown, columns, records)
    weakref.finalize(source, _remove, snapshot)
    return source


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _snapshot_rows(path: Path) -> Iterator[InputRecord]:
    """The rows a query gave on its first read, from this process's own private temporary file."""
    with path.open("rb") as f:
        number = 0
        while True:
            try:
                values = pickle.load(f)  # noqa: S301  (written by this process, 0600)
            except EOFError:
                return
            number += 1
            yield InputRecord(number, values)
