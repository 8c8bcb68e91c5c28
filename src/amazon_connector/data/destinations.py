"""Open a destination from a target string; read back what a file or SQL destination holds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from amazon_connector.data.records import Record, RecordSet
from amazon_connector.data.targets import DestinationError, Format, Target, parse_target
from amazon_connector.data.writer import Destination, WriteMode

if TYPE_CHECKING:
    from rich.console import Console


def open_destination(
    target: str | Target,
    record_sets: RecordSet | Sequence[RecordSet],
    *,
    mode: WriteMode | str = WriteMode.REPLACE,
    table_prefix: str | None = None,
    console: Console | None = None,
) -> Destination:
    """A destination ready to write ``record_sets`` to ``target`` (see ``targets`` for the syntax).

    Everything that can be checked before writing is checked here (the directory, permissions, the
    database connection, existing columns, another writer at work): a DestinationError means nothing was
    written. ``console`` is where the terminal table prints (default: stdout)."""
    from amazon_connector.data.files import FileDestination
    from amazon_connector.data.sql import SqlDestination
    from amazon_connector.data.table import TableDestination

    parsed = parse_target(target, table_prefix=table_prefix) if isinstance(target, str) else target
    sets = [record_sets] if isinstance(record_sets, RecordSet) else list(record_sets)
    write_mode = _mode(mode, parsed)
    if parsed.format is Format.TABLE:
        return TableDestination(parsed, sets, write_mode, console)
    if parsed.format is Format.SQL:
        return SqlDestination(parsed, sets, write_mode)
    return FileDestination(parsed, sets, write_mode)


def read_records(
    target: str | Target,
    record_sets: RecordSet | Sequence[RecordSet],
    name: str | None = None,
    *,
    table_prefix: str | None = None,
) -> Iterator[Record]:
    """The records a file or SQL destination holds for one record set (``name``, default the first).

    ``record_sets`` are those the destination was written with (they decide the file names)."""
    from amazon_connector.data.files import read_file
    from amazon_connector.data.sql import read_table

    parsed = parse_target(target, table_prefix=table_prefix) if isinstance(target, str) else target
    sets = [record_sets] if isinstance(record_sets, RecordSet) else list(record_sets)
    chosen = name or sets[0].name
    record_set = next((s for s in sets if s.name == chosen), None)
    if record_set is None:
        raise ValueError(f"record set {chosen!r} is not among those given")
    if parsed.format is Format.TABLE:
        raise DestinationError("The terminal table cannot be read back.", destination=parsed.shown)
    batches = (
        read_table(parsed, record_set) if parsed.format is Format.SQL else read_file(parsed, sets, chosen)
    )
    for batch in batches:
        yield from batch


def _mode(mode: WriteMode | str, target: Target) -> WriteMode:
    try:
        return WriteMode(mode)
    except ValueError:
        raise DestinationError(
            f"Unknown write mode {mode!r}.",
            destination=target.shown,
            hint=f"Use one of: {', '.join(m.value for m in WriteMode)}.",
        ) from None
