"""Make the store fixtures: each old commit's own code writes a store, as an SQLite file and as a
plain SQL dump of a PostgreSQL database (contents.py says what goes in).

Usage, from the repository root: .venv/bin/python -m tests.stores.make COMMIT [COMMIT ...]
Writes tests/stores/<commit>.db, <commit>.sql and <commit>.json (what that version's code had).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import free_port
from tests.postgres import postgres_server

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def _populate(checkout: Path, url: str, manifest: Path) -> None:
    subprocess.run(
        [sys.executable, str(HERE / "populate.py"), str(checkout / "src"), url, str(manifest)],
        check=True,
        cwd=checkout,
    )


def _dump(url: str, target: Path) -> None:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    dump = subprocess.run(
        ["pg_dump", "--inserts", "--no-owner", "--no-privileges", "--no-comments", f"--dbname={plain}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    target.write_text("".join(line for line in dump.splitlines(keepends=True) if not line.startswith("\\")))


def make(commits: list[str]) -> None:
    with tempfile.TemporaryDirectory() as scratch, postgres_server(free_port()) as server:
        assert server is not None, "PostgreSQL is needed to make the fixtures"
        for commit in commits:
            checkout = Path(scratch) / commit
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(checkout), commit], check=True, cwd=ROOT
            )
            try:
                database = HERE / f"{commit}.db"
                database.unlink(missing_ok=True)
                _populate(checkout, f"sqlite:///{database}", HERE / f"{commit}.json")
                import psycopg

                admin = server.replace("postgresql+psycopg://", "postgresql://")
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "fixture_{commit}"')
                    conn.execute(f'CREATE DATABASE "fixture_{commit}"')
                url = server.rsplit("/", 1)[0] + f"/fixture_{commit}"
                _populate(checkout, url, Path(scratch) / "manifest.json")
                _dump(url, HERE / f"{commit}.sql")
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], check=True, cwd=ROOT)


if __name__ == "__main__":
    make(sys.argv[1:])
