"""A report document's rows, read as they arrive: never the whole document in memory.

Flat files (TSV, CSV) go through pyarrow's streaming CSV reader as Arrow batches of text columns named
after the header (Amazon's localised names mapped to the English ones where the type is known, each
made a stable name: ``item-name`` -> ``item_name``; the header as Amazon wrote it is the column's doc).
JSON reports give a record set per list of records, with the columns of Amazon's schema (nested objects
flattened, ``salesByDate_unitsOrdered``); XML reports a record per element under the root that repeats
(``Message``), its columns the paths of the first records' values (later, new ones go to ``extra``).
The input is a binary file object of UTF-8 text (``charsets.Transcoder``'s output).
"""

from __future__ import annotations

import csv
import json
import queue
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from typing import IO, TYPE_CHECKING, Any, Literal, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from amazon_connector.api.report_types import RecordList, ReportType, stable_name
from amazon_connector.data.arrow import pyarrow, streaming_pool
from amazon_connector.data.records import Column, RecordSet
from amazon_connector.errors import DocumentFormatError
from amazon_connector.extras import require

if TYPE_CHECKING:
    import pyarrow as pa

BLOCK = 1 << 18
"""Bytes pyarrow parses at a time (a batch is about this much text). Its reader reads up to 32 blocks
ahead while the document downloads faster than it parses: 8 MB held at 256 KiB, 16 MB at 512 KiB."""
PIECE_BYTES = 1 << 20
"""Arrow bytes of parsed blocks joined into one batch before it is written: the Parquet writer's work
per batch is as for large blocks, while the read-ahead stays that of small ones."""
RECORDS_PER_PIECE = 1_000
READ = 1 << 20
SAMPLE = 1_000
"""XML records read to learn the columns before any is written."""
EXTRA = "extra"
_NOT_A_NAME = re.compile(r"[^0-9A-Za-z_]+")

Piece = tuple[RecordSet, "pa.RecordBatch | list[dict[str, Any]]"]


@dataclass
class DocumentRows:
    """The record sets a document holds (known before any row is read) and its rows, in pieces: Arrow
    batches (flat files) or lists of records, each with its record set."""

    record_sets: list[RecordSet]
    pieces: Iterator[Piece]


_END = object()


def read_ahead(pieces: Iterator[Piece], depth: int = 1) -> Iterator[Piece]:
    """``pieces``, read on a thread of their own up to ``depth`` ahead: the document downloads and
    parses while the destination writes (pyarrow lets go of the GIL for both). Stopping early, or an
    error on either side, ends the reading thread before this returns."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def read() -> None:
        try:
            for piece in pieces:
                if not hand(piece):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            hand(exc)
        else:
            hand(_END)

    reader = threading.Thread(target=read, name="report reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def check_readable(report_type: ReportType) -> None:
    """A MissingExtraError now (naming the ``pip install``) if this type's rows need pyarrow and it is
    not installed: flat files are read by its CSV reader."""
    if report_type.format in ("TSV", "CSV"):
        require("parquet", "Reading flat-file reports into rows (pyarrow's CSV reader)")


def document_rows(
    stream: IO[bytes], report_type: ReportType, *, name: str = "The report document"
) -> DocumentRows:
    """The rows of a document of ``report_type``, read from ``stream`` (UTF-8)."""
    if report_type.format in ("TSV", "CSV"):
        return flat_file_rows(stream, report_type, name=name)
    if report_type.format == "JSON":
        return json_rows(stream, report_type, name=name)
    if report_type.format == "XML":
        return xml_rows(stream, report_type, name=name)
    raise DocumentFormatError(
        f"{report_type.name} documents are {report_type.format} files, not rows.",
        hint="Download them as they are: `amazon-connector reports download --raw`.",
    )


def set_name(report_type: ReportType, part: str | None = None) -> str:
    base = report_type.name.lower()
    return f"{base}_{_NOT_A_NAME.sub('_', part)}" if part else base


# --- flat files ------------------------------------------------------------------------------------


def header_columns(report_type: ReportType, headers: list[str]) -> list[Column]:
    """The stable columns of a flat file's header (a name seen twice gets ``_2``, ``_3``)."""
    columns: list[Column] = []
    taken: set[str] = set()
    for index, header in enumerate(headers):
        english = report_type.english_header(header)
        base = stable_name(english, index)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        doc = header if english == header else f"{header} ({english})"
        columns.append(Column(name, "string", doc=doc))
    return columns


def flat_file_rows(stream: IO[bytes], report_type: ReportType, *, name: str) -> DocumentRows:
    check_readable(report_type)
    tsv = report_type.format == "TSV"
    first = stream.readline()
    if not first.strip():
        raise DocumentFormatError(f"{name} is empty: it has no header line.")
    line = first.decode("utf-8").rstrip("\r\n")
    headers = line.split("\t") if tsv else next(csv.reader([line]))
    record_set = RecordSet(set_name(report_type), header_columns(report_type, headers), doc=report_type.title)
    return DocumentRows([record_set], _batches(stream, record_set, tsv=tsv, name=name))


def _batches(stream: IO[bytes], record_set: RecordSet, *, tsv: bool, name: str) -> Iterator[Piece]:
    pa = pyarrow()
    names = record_set.column_names
    bad: list[str] = []

    def invalid(row: Any) -> str:
        bad.append(
            f"a row has {row.actual_columns} fields where the header has {row.expected_columns}: "
            f"{row.text[:200]!r}"
        )
        return "error"

    def failure(exc: Exception) -> DocumentFormatError:
        return DocumentFormatError(
            f"{name} cannot be read as {'tab' if tsv else 'comma'}-separated values: {bad[0] if bad else exc}.",
            hint="Download Amazon's bytes (--raw) to look at it.",
        )

    try:
        reader = pa.csv.open_csv(
            stream,
            read_options=pa.csv.ReadOptions(column_names=names, block_size=BLOCK, use_threads=False),
            parse_options=pa.csv.ParseOptions(
                delimiter="\t" if tsv else ",",
                quote_char=False if tsv else '"',
                newlines_in_values=not tsv,
                invalid_row_handler=invalid,
            ),
            convert_options=pa.csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=False,
                check_utf8=False,  # the Transcoder made it UTF-8
            ),
            memory_pool=streaming_pool(),
        )
        parsed: list[Any] = []
        size = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            parsed.append(batch)
            size += batch.nbytes
            if size >= PIECE_BYTES:
                yield record_set, _joined(pa, parsed)
                parsed, size = [], 0
        if parsed:
            yield record_set, _joined(pa, parsed)
    except pa.ArrowInvalid as exc:
        if str(exc).startswith("Empty CSV file"):
            return  # a header and no rows
        raise failure(exc) from None


def _joined(pa: Any, batches: list[Any]) -> Any:
    return batches[0] if len(batches) == 1 else pa.concat_batches(batches, memory_pool=streaming_pool())


# --- JSON ------------------------------------------------------------------------------------------


JsonEvent = tuple[Literal["record", "value"], str, Any]


def json_events(stream: IO[bytes], *, name: str) -> Iterator[JsonEvent]:
    """A JSON document's top-level members, each list's records one at a time (``record``, list name,
    record) and any other member whole (``value``, name, value)."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    text, at, ended = "", 0, False

    def more() -> bool:
        nonlocal text, at, ended
        if ended:
            return False
        chunk = stream.read(READ)
        if not chunk:
            ended = True
            return False
        text = text[at:] + chunk.decode("utf-8")
        at = 0
        return True

    def skip_space() -> str:
        nonlocal at
        while True:
            while at < len(text) and text[at] in " \t\r\n":
                at += 1
            if at < len(text):
                return text[at]
            if not more():
                return ""

    def value() -> Any:
        nonlocal at
        skip_space()
        while True:
            try:
                found, end = decoder.raw_decode(text, at)
            except json.JSONDecodeError as exc:
                if more():
                    continue
                raise DocumentFormatError(f"{name} is not valid JSON: {exc.msg}.") from None
            at = end
            return found

    def expect(characters: str) -> str:
        nonlocal at
        found = skip_space()
        if not found or found not in characters:
            raise DocumentFormatError(
                f"{name} is not valid JSON: expected {characters!r}, found {found or 'the end'!r}."
            )
        at += 1
        return found

    expect("{")
    if skip_space() == "}":
        return
    while True:
        key = value()
        expect(":")
        if skip_space() == "[":
            at += 1
            if skip_space() == "]":
                at += 1
            else:
                while True:
                    yield "record", key, value()
                    if expect(",]") == "]":
                        break
        else:
            yield "value", key, value()
        if expect(",}") == "}":
            return


def _record_set(report_type: ReportType, records: RecordList) -> RecordSet:
    return RecordSet(
        set_name(report_type, records.name),
        [Column(c.name, c.type, doc=".".join(c.path)) for c in records.columns],
        doc=f"{report_type.title}: {records.name}",
    )


def _at(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def json_rows(stream: IO[bytes], report_type: ReportType, *, name: str) -> DocumentRows:
    if report_type.records:
        lists = {r.name: (_record_set(report_type, r), r) for r in report_type.records}
        sets = [s for s, _ in lists.values()]
    else:  # a type without a schema: each record whole, as JSON
        generic = RecordSet(
            set_name(report_type),
            [Column("list", "string", doc="the document's list"), Column("record", "json")],
            doc=report_type.title,
        )
        lists, sets = {}, [generic]

    def pieces() -> Iterator[Piece]:
        current: RecordSet | None = None
        batch: list[dict[str, Any]] = []
        for kind, key, found in json_events(stream, name=name):
            if kind != "record":
                continue
            if key in lists:
                record_set, shape = lists[key]
                row = {c.name: _json_cell(_at(found, c.path), c.type) for c in shape.columns}
            elif lists:
                continue  # a list Amazon's schema does not describe
            else:
                record_set, row = sets[0], {"list": key, "record": found}
            if batch and record_set is not current:
                assert current is not None
                yield current, batch
                batch = []
            current = record_set
            batch.append(row)
            if len(batch) >= RECORDS_PER_PIECE:
                yield current, batch
                batch = []
        if batch and current is not None:
            yield current, batch

    return DocumentRows(sets, pieces())


def _json_cell(value: Any, column_type: str) -> Any:
    if column_type == "json" or value is None:
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return value


# --- XML -------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _repeating(element: Element, into: set[str]) -> None:
    """The tags that occur more than once under one parent, anywhere in ``element``."""
    seen: set[str] = set()
    for child in element:
        tag = _local(child.tag)
        if tag in seen:
            into.add(tag)
        seen.add(tag)
        _repeating(child, into)


def _flatten(element: Element, prefix: str, lists: set[str], into: dict[str, Any]) -> None:
    """Leaf texts and attributes by path (``Order_AmazonOrderID``); children of a tag in ``lists`` are
    gathered into a JSON list, each flattened."""
    for attribute, value in element.attrib.items():
        into[_NOT_A_NAME.sub("_", f"{prefix}_{_local(attribute)}" if prefix else _local(attribute))] = value
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        if prefix and (text or prefix not in into):
            into[prefix] = text or None
        return
    for child in children:
        tag = _local(child.tag)
        path = _NOT_A_NAME.sub("_", f"{prefix}_{tag}" if prefix else tag)
        if tag in lists:
            item: Any = (child.text or "").strip()
            if len(child) or child.attrib:
                item = {}
                _flatten(child, "", lists, item)
            into.setdefault(path, []).append(item)
        else:
            _flatten(child, path, lists, into)


def xml_records(stream: IO[bytes], *, name: str) -> Iterator[Element]:
    """The record elements of an XML report: the root's ``Message`` children, or else those of the first
    of its children's tags that repeats (without one, every child with content but ``Header``). Each is
    detached from the tree once read."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    depth = 0
    root: Element | None = None
    record_tag: str | None = None
    counts: dict[str, int] = {}
    held: list[Element] = []
    while True:
        chunk = stream.read(READ)
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except ParseError as exc:
            raise DocumentFormatError(f"{name} is not valid XML: {exc}.") from None
        for item in parser.read_events():
            event, element = cast(tuple[str, Element], item)  # only start and end events were asked for
            depth += 1 if event == "start" else -1
            if event == "start":
                root = element if root is None else root
                continue
            if depth != 1 or root is None:
                continue
            root.remove(element)
            tag = _local(element.tag)
            if record_tag is None:
                counts[tag] = counts.get(tag, 0) + 1
                if tag != "Message" and counts[tag] < 2:
                    held.append(element)
                    continue
                record_tag = tag
                held, earlier = [], [e for e in held if _local(e.tag) == tag]
                yield from earlier
            if tag == record_tag:
                yield element
        if not chunk:
            break
    if record_tag is None:
        yield from (e for e in held if len(e) and _local(e.tag) != "Header")


def xml_rows(stream: IO[bytes], report_type: ReportType, *, name: str) -> DocumentRows:
    elements = xml_records(stream, name=name)
    sample = list(islice(elements, SAMPLE))
    lists: set[str] = set()
    for element in sample:
        _repeating(element, lists)
    columns: dict[str, str] = {}
    for element in sample:
        flat: dict[str, Any] = {}
        _flatten(element, "", lists, flat)
        for key, value in flat.items():
            columns.setdefault(key, "json" if isinstance(value, list) else "string")
    names = [k for k in columns if k != EXTRA] or ["value"]
    record_set = RecordSet(
        set_name(report_type),
        [
            *(Column(n, columns.get(n, "string")) for n in names),
            Column(EXTRA, "json", doc="values at paths the first records did not have"),
        ],
        doc=report_type.title,
    )

    def pieces() -> Iterator[Piece]:
        batch: list[dict[str, Any]] = []
        for element in chain(sample, elements):
            flat: dict[str, Any] = {}
            _flatten(element, "", lists, flat)
            row: dict[str, Any] = {n: _xml_cell(flat.get(n), columns.get(n, "string")) for n in names}
            row[EXTRA] = {k: v for k, v in flat.items() if k not in columns} or None
            batch.append(row)
            if len(batch) >= RECORDS_PER_PIECE:
                yield record_set, batch
                batch = []
        if batch:
            yield record_set, batch

    return DocumentRows([record_set], pieces())


def _xml_cell(value: Any, column_type: str) -> Any:
    if column_type == "string" and isinstance(value, list):
        return json.dumps(value)
    if column_type == "json" and value is not None and not isinstance(value, list):
        return [value]
    return value
