"""`amazon-connector reports …`: report types, and reports requested or reused, waited for, streamed
into rows (any destination) or downloaded.

Exit codes a scheduler can alert on: 0 done; 1 an error (bad input, Amazon's refusal, a destination
that cannot be written); 3 CANCELLED (no data, or asked too often); 4 FATAL (Amazon's reason shown);
5 not finished within --timeout (the report is kept: run the same command again to go on waiting);
130 interrupted (the report is kept too).
"""

from __future__ import annotations

import re
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from amazon_connector import exit_codes
from amazon_connector.cli.context import Quiet, console, err_console, state
from amazon_connector.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from amazon_connector.data.reports import ReportJob, Reports

app = typer.Typer(no_args_is_help=True)

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)\Z")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}

Connection = Annotated[str, typer.Option("--connection", "-c", help="The connection to use.")]
ReportId = Annotated[str, typer.Argument(help="The report's ID (reportId).")]
Encoding = Annotated[
    str | None,
    typer.Option(help="Read the document as this charset (e.g. cp1252, cp932) instead of the one it names."),
]
Mode = Annotated[str, typer.Option(help="replace (default), or append to what the destination holds.")]


def seconds(text: str, name: str) -> float:
    """``90``, ``90s``, ``30m``, ``2h``, ``1d``."""
    found = _DURATION.match(text.strip().lower())
    if found is None:
        raise ConfigurationError(
            f"{name} {text!r} is not a duration.", field=name, hint="Write e.g. 90s, 30m or 2h."
        )
    return float(found.group(1)) * _UNITS[found.group(2)]


def _options(pairs: list[str] | None) -> dict[str, str]:
    options = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigurationError(f"--option {pair!r} is not NAME=VALUE.", field="options")
        options[key.strip()] = value.strip()
    return options


def _reports(ctx: typer.Context, connection: str, *, quiet: bool) -> Reports:
    from amazon_connector.data.reports import Reports

    watcher = _Watcher(quiet)
    return Reports(state(ctx).connections().get(connection), on_progress=watcher)


def _age(age: timedelta) -> str:
    if age >= timedelta(days=2):
        return f"{age.days} days"
    if age >= timedelta(hours=2):
        return f"{age // timedelta(hours=1)} hours"
    return f"{max(1, age // timedelta(minutes=1))} minutes"


def _described(job: ReportJob) -> str:
    return f"Report {job.report_id} ({job.report_type}, {', '.join(job.marketplace_ids)})"


class _Watcher:
    """Shows a report's status as it changes: a line each on stderr (a live line on a terminal)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last: tuple[str, str] | None = None
        self.started = time.monotonic()
        self.live = err_console.is_terminal and not quiet
        self._status: Any = None

    def __call__(self, job: ReportJob) -> None:
        if self.quiet:
            return
        seen = (job.report_id, job.status)
        elapsed = timedelta(seconds=int(time.monotonic() - self.started))
        if self.live:
            text = f"{escape(_described(job))}: [bold]{job.status}[/] ({elapsed})"
            if self._status is None:
                self._status = err_console.status(text)
                self._status.start()
            else:
                self._status.update(text)
            if job.status in ("DONE", "CANCELLED", "FATAL"):
                self.stop()
        if seen != self.last:
            if not self.live or job.status in ("DONE", "CANCELLED", "FATAL"):
                err_console.print(f"{escape(_described(job))}: {job.status}", soft_wrap=True)
            self.last = seen

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


@contextmanager
def _report_errors(reports: Reports) -> Iterator[None]:
    """A report that gives no rows exits with its own code, explained; an interrupted wait says the
    report is kept."""
    from amazon_connector.data.reports import ReportCancelledError, ReportFatalError, ReportNotReadyError

    watcher = reports.on_progress
    try:
        yield
    except (ReportCancelledError, ReportFatalError, ReportNotReadyError) as exc:
        if isinstance(watcher, _Watcher):
            watcher.stop()
        code = {ReportCancelledError: exit_codes.CANCELLED, ReportFatalError: exit_codes.FATAL}.get(
            type(exc), exit_codes.UNFINISHED
        )
        label = {
            exit_codes.CANCELLED: "Cancelled:",
            exit_codes.FATAL: "Failed:",
            exit_codes.UNFINISHED: "Not ready:",
        }[code]
        err_console.print(f"[bold red]{label}[/] {escape(exc.message)}", soft_wrap=True)
        if exc.hint:
            err_console.print(f"[yellow]What to do:[/] {escape(exc.hint)}", soft_wrap=True)
        raise typer.Exit(code) from None
    except KeyboardInterrupt:
        if isinstance(watcher, _Watcher):
            watcher.stop()
        err_console.print("Interrupted. The report is kept: run the same command again to go on.")
        raise typer.Exit(exit_codes.INTERRUPTED) from None
    finally:
        if isinstance(watcher, _Watcher):
            watcher.stop()


def _export(
    reports: Reports, job: ReportJob, output: str, mode: str, encoding: str | None, quiet: bool
) -> None:
    from amazon_connector.data import parse_target

    target = parse_target(output)
    live = err_console.is_terminal and not quiet and target.format.value != "table"
    started = time.monotonic()
    if live:
        with err_console.status("Reading the report…") as status:

            def shown(rows: int) -> None:
                status.update(f"{rows:,} rows ({time.monotonic() - started:.0f} s)")

            exported = reports.export(job, target, mode=mode, encoding=encoding, on_rows=shown)
    else:
        exported = reports.export(job, target, mode=mode, encoding=encoding)
    if not quiet and target.format.value != "table":
        rows = sum(exported.counts.values())
        err_console.print(
            f"Wrote {rows:,} rows of report {job.report_id} to {escape(target.shown)} "
            f"in {time.monotonic() - started:.1f} s.",
            soft_wrap=True,
        )


@app.command("types")
def types(
    category: Annotated[
        str | None, typer.Option(help="Only this category (orders, inventory, fba, …).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The report types: format, dates (none, optional, required), restricted (needs a Restricted Data
    Token), and options."""
    from amazon_connector.api.report_types import report_types
    from amazon_connector.cli.output import print_json

    categories = sorted({t.category for t in report_types()})
    if category is not None and category not in categories:
        raise ConfigurationError(
            f"There is no report category {category!r}.",
            field="category",
            hint=f"Use one of: {', '.join(categories)}.",
        )
    found = [t for t in report_types() if category is None or t.category == category]
    if as_json:
        print_json(
            [
                {
                    "name": t.name,
                    "title": t.title,
                    "category": t.category,
                    "format": t.format,
                    "dates": t.dates,
                    "max_days": t.max_days,
                    "restricted": t.restricted,
                    "requestable": t.requestable,
                    "schedulable": t.schedulable,
                    "options": {
                        o.name: {"values": list(o.values), "required": o.required} for o in t.options
                    },
                    "source": t.source,
                }
                for t in found
            ]
        )
        return
    from rich.table import Column, Table

    rows = [
        [
            t.name,
            t.format,
            t.dates + (f" (≤ {t.max_days} d)" if t.max_days else ""),
            "yes" if t.restricted else "",
            ", ".join(o.name + ("*" if o.required else "") for o in t.options),
            t.title + ("" if t.requestable else " (made by Amazon: --schedule)"),
        ]
        for t in sorted(found, key=lambda t: (t.category, t.name))
    ]
    if not console.is_terminal:  # lines for scripts: tab-separated, as a table would not fit a pipe
        for row in rows:
            sys.stdout.write("\t".join(row) + "\n")
        return
    shown = Table(
        Column("Report type", no_wrap=True), "Format", "Dates", "Restricted", "Options", "What it holds"
    )
    for row in rows:
        shown.add_row(*row)
    console.print(shown)
    console.print("Options marked * are required.", style="dim")


@app.command("get")
def get(
    ctx: typer.Context,
    report_type: Annotated[str, typer.Argument(help="The report type (see `reports types`).")],
    connection: Connection = ...,  # type: ignore[assignment]
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="Where the rows go: a file (.csv, .jsonl, .parquet, .xml), a database URL, or - (the terminal).",
        ),
    ] = "-",
    start: Annotated[
        str | None, typer.Option(help="Start of the data window (2026-01-31 or ISO 8601 time, UTC).")
    ] = None,
    end: Annotated[str | None, typer.Option(help="End of the data window.")] = None,
    option: Annotated[
        list[str] | None, typer.Option("--option", help="A report option NAME=VALUE (repeatable).")
    ] = None,
    marketplace: Annotated[
        list[str] | None,
        typer.Option(
            "--marketplace", "-m", help="A marketplace (code or ID; repeatable). Default: the connection's."
        ),
    ] = None,
    schedule: Annotated[
        bool,
        typer.Option(
            "--schedule",
            help="Take the newest scheduled (or Amazon-made) report not yet delivered, or wait for the next.",
        ),
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Ask for a new report even if a recent one would do (one an interrupted run waited for is resumed).",
        ),
    ] = False,
    reuse_age: Annotated[str, typer.Option(help="A finished report this recent is reused.")] = "1h",
    timeout: Annotated[str, typer.Option(help="How long to wait for the report (exit code 5 after).")] = "2h",
    mode: Mode = "replace",
    format: Annotated[
        str | None,
        typer.Option(
            help="The document's format (TSV, CSV, XML, JSON) of a type missing from `reports types`."
        ),
    ] = None,
    encoding: Encoding = None,
    quiet: Quiet = False,
) -> None:
    """Request a report (or reuse one in progress or recent, or resume the one an interrupted run left),
    wait for it, and write its rows to --output, streamed in flat memory at any size."""
    from amazon_connector.data.reports.rows import check_readable

    reports = _reports(ctx, connection, quiet=quiet)
    request = reports.request_for(
        report_type,
        marketplaces=marketplace,
        start=start,
        end=end,
        options=_options(option),
        format=format.upper() if format else None,  # type: ignore[arg-type]
        schedule=schedule,
    )
    documents_only = request.report_type.format == "ZIP"  # not rows: Amazon's file itself
    if documents_only and output == "-":
        raise ConfigurationError(
            f"{request.report_type.name} documents are ZIP files, not rows.",
            hint="Give the file to write: -o FILE.zip.",
        )
    # what would fail at the end is refused before anything is asked of Amazon
    if documents_only:
        reports.check_file(Path(output))
    else:
        check_readable(request.report_type)
        reports.check_target(output)
    recent = timedelta(seconds=seconds(reuse_age, "reuse_age"))
    started = reports.connection.clock.now()
    with _report_errors(reports):
        job = reports.get(
            request, schedule=schedule, reuse=not fresh, reuse_age=recent, timeout=seconds(timeout, "timeout")
        )
        age = reports.connection.clock.now() - job.created_at
        if not quiet and not schedule and started - job.created_at > recent:  # an earlier run's: of then
            err_console.print(
                f"Report {job.report_id} was asked for {_age(age)} ago ({job.created_at:%Y-%m-%d %H:%M} UTC) "
                "by a run that did not deliver it; its rows are of then (--fresh asks for a new one).",
                soft_wrap=True,
            )
        if documents_only:
            written = reports.download(job, Path(output), raw=True)
            reports.delivered(job)
            if not quiet:
                err_console.print(f"Wrote {written:,} bytes of report {job.report_id} to {escape(output)}.")
            return
        _export(reports, job, output, mode, encoding, quiet)


@app.command("status")
def status(
    ctx: typer.Context,
    report_id: ReportId,
    connection: Connection = ...,  # type: ignore[assignment]
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A report as Amazon shows it now."""
    from amazon_connector.cli.output import print_json, shown

    job = _reports(ctx, connection, quiet=True).job(report_id)
    fields = {
        "reportId": job.report_id,
        "reportType": job.report_type,
        "processingStatus": job.status,
        "marketplaceIds": list(job.marketplace_ids),
        "dataStartTime": job.start,
        "dataEndTime": job.end,
        "reportDocumentId": job.document_id,
        "createdTime": job.created_at,
        "delivered": job.delivered_at,
    }
    if as_json:
        print_json(fields)
        return
    for key, value in fields.items():
        if value is not None:
            console.print(f"{key}: {escape(shown(value))}", soft_wrap=True)


@app.command("download")
def download(
    ctx: typer.Context,
    report_id: ReportId,
    connection: Connection = ...,  # type: ignore[assignment]
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default, or -: stdout).")
    ] = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="Amazon's bytes as stored (gzip and all), not decoded.")
    ] = False,
    encoding: Encoding = None,
    quiet: Quiet = False,
) -> None:
    """A DONE report's document: its text in UTF-8, or Amazon's bytes (--raw)."""
    reports = _reports(ctx, connection, quiet=quiet)
    with _report_errors(reports):
        job = reports.ready(report_id)
        if output is None or str(output) == "-":
            if raw and sys.stdout.isatty():
                raise ConfigurationError(
                    "Raw documents are binary.", hint="Write them to a file with -o FILE."
                )
            reports.write_document(job, sys.stdout.buffer, raw=raw, encoding=encoding)
            sys.stdout.buffer.flush()
            return
        written = reports.download(job, output, raw=raw, encoding=encoding)
    if not quiet:
        err_console.print(
            f"Wrote {written:,} bytes of report {job.report_id} to {escape(str(output))}.", soft_wrap=True
        )


@app.command("export")
def export(
    ctx: typer.Context,
    report_id: ReportId,
    connection: Connection = ...,  # type: ignore[assignment]
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where the rows go (as for `reports get`).")
    ] = "-",
    mode: Mode = "replace",
    encoding: Encoding = None,
    quiet: Quiet = False,
) -> None:
    """Write the rows of a DONE report (any, e.g. a scheduled one) to --output."""
    from amazon_connector.data.reports import Reports

    Reports.check_target(output)
    reports = _reports(ctx, connection, quiet=quiet)
    with _report_errors(reports):
        _export(reports, reports.ready(report_id), output, mode, encoding, quiet)


@app.command("list")
def list_reports(
    ctx: typer.Context,
    connection: Connection = ...,  # type: ignore[assignment]
    report_type: Annotated[
        list[str] | None,
        typer.Option(
            "--type", "-t", help="A report type (repeatable; default: those this connection asked for)."
        ),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="IN_QUEUE, IN_PROGRESS, DONE, CANCELLED or FATAL (repeatable)."),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Made since (date or time; default: 90 days ago).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The reports Amazon has of these types, newest first."""
    from amazon_connector.cli.output import print_json, table
    from amazon_connector.data.reports.requests import as_utc

    found = _reports(ctx, connection, quiet=True).list(
        [t.upper() for t in report_type or []],
        statuses=[s.upper() for s in status or []],
        since=as_utc(since, "since"),
    )
    if as_json:
        print_json(found)
        return
    table(
        ["Report ID", "Type", "Status", "Created", "Window", "Schedule", "Document"],
        [
            [
                r.get("reportId"),
                r.get("reportType"),
                r.get("processingStatus"),
                r.get("createdTime"),
                f"{r.get('dataStartTime', '')} – {r.get('dataEndTime', '')}"
                if r.get("dataStartTime")
                else "",
                r.get("reportScheduleId"),
                r.get("reportDocumentId"),
            ]
            for r in found
        ],
    )


@app.command("cancel")
def cancel(ctx: typer.Context, report_id: ReportId, connection: Connection = ...) -> None:  # type: ignore[assignment]
    """Cancel a report that is still IN_QUEUE."""
    _reports(ctx, connection, quiet=True).cancel(report_id)
    console.print(f"Cancelled report {escape(report_id)}.")
