"""`amazon-connector step run|check|new`: the task step of the original product from a step file (TOML or
YAML): an operation run once per input record, with OutputData and ErrorData.

Exit codes: 0 every record answered (``check``: no problem); 1 the step cannot be run (``check``: it has
problems, each listed with its place) or the run failed (a rerun continues it); 2 a usage error; 3 some
records failed or were not sent (ErrorData names them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from amazon_connector.cli.bulk import Again
from amazon_connector.cli.context import Quiet, console, err_console, state
from amazon_connector.cli.progress import progress as reporter
from amazon_connector.data.step import check_step, load_step, new_step_text, read_step, run_step

app = typer.Typer(
    help="Run an SP-API operation once per input record, from a step file (TOML or YAML).",
    no_args_is_help=True,
)

StepFile = Annotated[Path, typer.Argument(help="The step file (.toml, .yaml or .yml).", show_default=False)]
Variables = Annotated[
    list[str] | None,
    typer.Option("--var", help="A variable, NAME=VALUE (repeat it); ${NAME} in the step file reads it."),
]


def _variables(given: list[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in given or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{item!r}: give NAME=VALUE.", param_hint="--var")
        found[name.strip()] = value
    return found


@app.command()
def run(
    ctx: typer.Context,
    file: StepFile,
    variables: Variables = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Where OutputData goes: .jsonl, .csv, .parquet, .xml, a database (default: the step's).",
        ),
    ] = None,
    errors: Annotated[str | None, typer.Option(help="Where ErrorData goes (default: the step's).")] = None,
    quiet: Quiet = False,
    again: Again = False,
) -> None:
    """Run the step: its operation once per input record; a rerun sends nothing twice (a step of an
    operation that only reads runs again)."""
    step = load_step(file)
    connections = state(ctx).connections()
    shown = reporter(quiet)
    started = False

    def advance(done: int, total: int | None, answered: int, failed: int) -> None:
        nonlocal started
        if not started:
            shown.start(f"{step.name}: records", total or 0)
            started = True
        shown.advance(1)

    try:
        result = run_step(
            step,
            connections,
            variables=_variables(variables),
            progress=advance,
            output=output,
            errors=errors,
            again=again,
        )
    finally:
        shown.finish()
    for note in result.notes:
        shown.note(note)
    if not quiet:
        console.print(
            f"{escape(str(result))}. OutputData: {escape(result.output)}. ErrorData: {escape(result.errors)}.",
            soft_wrap=True,
        )
    if result.exit_status:
        raise typer.Exit(result.exit_status)


@app.command()
def check(ctx: typer.Context, file: StepFile, variables: Variables = None) -> None:
    """Check the step without calling Amazon: the operation, the mapping, the source and every record."""
    step, problems = read_step(file)
    if step is not None:
        problems += check_step(step, connections=state(ctx).connections(), variables=_variables(variables))
    for problem in problems:
        err_console.print(escape(str(problem)), soft_wrap=True)
    if problems:
        err_console.print(f"{len(problems)} problem(s).", soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"{escape(str(file))}: no problems.", soft_wrap=True)


@app.command()
def new(
    operation: Annotated[
        str, typer.Argument(help="The operation, e.g. patchListingsItem.", show_default=False)
    ],
    fmt: Annotated[str, typer.Option("--format", help="toml or yaml.")] = "toml",
    to: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it to this file (default: print it).")
    ] = None,
) -> None:
    """Write a starting step file for OPERATION: its fields, the required ones marked."""
    if fmt not in ("toml", "yaml"):
        raise typer.BadParameter(f"{fmt!r}: toml or yaml.", param_hint="--format")
    text = new_step_text(operation, fmt)
    if to is None:
        typer.echo(text, nl=False)
        return
    if to.exists():
        raise typer.BadParameter(f"{to} exists; give another file.", param_hint="--output")
    to.write_text(text, encoding="utf-8")
    console.print(f"Wrote {escape(str(to))}.", soft_wrap=True)
