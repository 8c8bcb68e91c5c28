"""The terminal table destination: for looking at a few records, not for keeping them.

On a terminal each record set is a rich table; otherwise plain tab-separated lines with a header. Nothing
is shown before ``commit`` (an aborted write shows nothing); at most TABLE_ROWS records per set are kept and
shown, followed by how many more there were.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from amazon_connector.data.records import Record, RecordSet, text_of
from amazon_connector.data.targets import DestinationError, Target
from amazon_connector.data.writer import Destination, WriteMode

TABLE_ROWS = 1_000


class TableDestination(Destination):
    def __init__(
        self,
        target: Target,
        record_sets: Sequence[RecordSet],
        mode: WriteMode,
        console: Console | None = None,
    ) -> None:
        super().__init__(target, record_sets, mode)
        if mode is not WriteMode.REPLACE:
            raise DestinationError(
                f"The terminal table only shows records; it cannot {mode} them.",
                destination=target.shown,
                hint="Write to a file or a database to keep them.",
            )
        self.console = console or Console()
        self.rows: dict[str, list[list[str]]] = {s.name: [] for s in record_sets}

    def _write_records(self, record_set: RecordSet, records: list[Record]) -> None:
        rows = self.rows[record_set.name]
        room = TABLE_ROWS - len(rows)
        rows.extend(
            ["" if r[c.name] is None else text_of(c, r[c.name]) for c in record_set.columns]
            for r in records[:room]
        )

    def _commit(self) -> None:
        for name, rows in self.rows.items():
            record_set = self.record_sets[name]
            more = self.counts[name] - len(rows)
            if self.console.is_terminal:
                table = Table(*record_set.column_names, title=name if len(self.rows) > 1 else None)
                for row in rows:
                    table.add_row(*row)
                self.console.print(table)
                if more:
                    self.console.print(f"… and {more} more {name} records (write to a file to see them all)")
            else:
                lines = ["\t".join(record_set.column_names), *("\t".join(row) for row in rows)]
                if len(self.rows) > 1:
                    lines.insert(0, f"# {name}")
                if more:
                    lines.append(f"# … and {more} more {name} records")
                self.console.file.write("\n".join(lines) + "\n")  # as they are: no wrapping, tabs kept

    def _abort(self) -> None:
        self.rows.clear()
