"""What the commands that send records to Amazon share: their options, the source and the results and
errors files, the summary, and the exit codes a scheduler can alert on.

Exit codes (``exit_codes``): 0 every record accepted (warnings allowed); 1 the command failed (a message
says why; a rerun continues where it stopped); 2 a usage error; 3 some records were refused (the errors
file names them); 5 feeds are still being processed (run the same command again to collect the results).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from amazon_connector import exit_codes
from amazon_connector.cli.context import console
from amazon_connector.data.results import RecordResult, ResultFiles
from amazon_connector.data.sources import Source, open_source

Connection = Annotated[str, typer.Option("--connection", "-c", help="The connection to use.")]
SourceArgument = Annotated[
    str | None,
    typer.Argument(
        help="The records: a .csv, .tsv or .jsonl file, or an SQL database (sqlite:///PATH, .db, "
        "postgresql+psycopg://…) with --query.",
        show_default=False,
    ),
]
Query = Annotated[str | None, typer.Option(help="For an SQL source: the query whose rows are the records.")]
Encoding = Annotated[
    str | None,
    typer.Option(help="The file's encoding (default UTF-8; a UTF-16 byte order mark is recognised)."),
]
Results = Annotated[
    str | None,
    typer.Option(
        help="Where every record's result goes: a file (.csv, .jsonl, .parquet, .xml), a database, or - "
        "(default: SOURCE.results.csv beside the source)."
    ),
]
Errors = Annotated[
    str | None,
    typer.Option(help="Where the refused records go (default: SOURCE.errors.csv beside the source)."),
]
Again = Annotated[
    bool,
    typer.Option(
        "--again",
        help="Send an input that was sent already again, as a fresh run (by default a rerun of the same "
        "input sends nothing again and reports its results from the first run).",
    ),
]


def targets(source: str, kind: str, results: str | None, errors: str | None) -> tuple[str, str]:
    """The results and errors targets: as given, else beside a file source (in the current directory
    for a database source)."""
    if "://" in source or Path(source).suffix.lower() in (".db", ".sqlite", ".sqlite3"):
        base = Path(kind)
    else:
        path = Path(source).expanduser()
        base = path.with_name(path.stem)
    return results or f"{base}.results.csv", errors or f"{base}.errors.csv"


def read_source(source: str | None, query: str | None, encoding: str | None) -> Source:
    if source is None:
        raise typer.BadParameter("give the SOURCE of the records (a file or a database).")
    return open_source(source, query=query, encoding=encoding)


def exit_if_pending(feed_ids: Sequence[str]) -> None:
    """Exit 5 (unfinished) when feeds are still being processed (their results come with the next run)."""
    if feed_ids:
        console.print(
            f"Feed(s) {', '.join(feed_ids)} still being processed: run the same command again to collect "
            "the results (nothing will be sent twice).",
            soft_wrap=True,
        )
        raise typer.Exit(exit_codes.UNFINISHED)


def finish(
    files: ResultFiles,
    results: Sequence[RecordResult],
    *,
    shown: tuple[str, str],
    object_name: str,
    quiet: bool,
) -> None:
    """Write the results and the errors, say how it went, and exit 3 when any record was refused."""
    tally = files.write(results, object_name)
    if not quiet:
        console.print(f"{tally}. Results: {escape(shown[0])}. Errors: {escape(shown[1])}.", soft_wrap=True)
    if tally.errors:
        raise typer.Exit(exit_codes.SOME_FAILED)
