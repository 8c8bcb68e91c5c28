"""A throwaway PostgreSQL server on 127.0.0.1, and new databases on it, for the PostgreSQL tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

URL_ENV = "AMAZON_CONNECTOR_TEST_POSTGRES_URL"


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((str(v / name) for v in versions if (v / name).exists()), None)


@contextmanager
def postgres_server(port: int) -> Iterator[str | None]:
    """Yield a database URL: $AMAZON_CONNECTOR_TEST_POSTGRES_URL, else a new cluster; None if impossible."""
    if url := os.environ.get(URL_ENV):
        yield url
        return
    initdb, postgres = _bin("initdb"), _bin("postgres")
    if not initdb or not postgres:
        yield None
        return
    as_user: dict[str, Any] = {}
    base = Path(tempfile.mkdtemp(prefix="ac-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_user = {"user": "postgres", "group": "postgres", "extra_groups": []}
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    subprocess.run(
        [initdb, "-D", str(data), "-A", "trust", "-U", "postgres"], check=True, capture_output=True, **as_user
    )
    server = subprocess.Popen(
        [postgres, "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(base)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **as_user,
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=2).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # fast shutdown: the sessions still open are ended, not waited for
        server.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def new_database(url: str, name: str) -> Iterator[str]:
    """The URL of a new, empty database ``name`` on the server of ``url``; dropped afterwards (its
    sessions ended)."""
    import psycopg

    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
