"""`amazon-connector store …`: check the store, back it up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from amazon_connector.cli.context import console, state

app = typer.Typer(no_args_is_help=True)

MARK = {True: "[green]✓[/]", False: "[red]✗[/]", None: "[dim]–[/]"}


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Check the store without changing it: integrity, schema version, key, and that every connection,
    client secret and cached token can be read. Exit 0 only when nothing is wrong."""
    from amazon_connector.connections.store.maintenance import check_store

    options = state(ctx)
    where, findings = check_store(options.database, home=options.home, key_file=options.key_file)
    console.print(f"Store: {escape(where)}", soft_wrap=True)
    for finding in findings:
        console.print(f"{MARK[finding.ok]} {finding.subject}: {escape(finding.detail)}", soft_wrap=True)
    raise typer.Exit(1 if any(f.ok is False for f in findings) else 0)


@app.command("backup")
def backup(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help="The new file to write (0600).")],
) -> None:
    """Copy the store to a new file while others may be using it (SQLite's online backup; for
    PostgreSQL use pg_dump). Keep the key apart from the copy: the copy is useless without it."""
    from amazon_connector.connections.store.maintenance import backup_store

    options = state(ctx)
    path = backup_store(target, options.database, home=options.home)
    console.print(
        f"Wrote {escape(str(target))}. To restore it: stop everything that uses the store, delete "
        f"{escape(str(path))}-wal and -shm if they are there, and copy it over {escape(str(path))}.",
        soft_wrap=True,
    )
