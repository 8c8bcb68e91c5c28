"""Looking after a store: check it (without changing it) and copy it while others use it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from amazon_connector.connections.secretbox import SecretBox, load_key
from amazon_connector.connections.store.backup import backup_file, integrity_problems
from amazon_connector.connections.store.database import (
    Store,
    check_file,
    make_engine,
    store_url,
)
from amazon_connector.connections.store.failures import describe, sqlite_path, store_failure
from amazon_connector.connections.store.meta import key_matches
from amazon_connector.connections.store.schema import tokens_table
from amazon_connector.connections.store.version import Found, head, known_revisions, survey
from amazon_connector.errors import AmazonConnectorError, ConfigurationError, StoreError
from amazon_connector.locations import default_home


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing ``check_store`` looked at: fine (True), wrong (False) or not checked (None)."""

    ok: bool | None
    subject: str
    detail: str


def _locate(database_url: str | None, home: Path | str | None) -> tuple[URL, Path]:
    home_path = Path(home) if home else default_home()
    return store_url(database_url, home_path)[0], home_path


def _schema(found: Found) -> Finding:
    newest = head()
    if found.kind == "empty":
        return Finding(False, "Schema", "the database is empty: there is no store here yet")
    if found.kind == "foreign":
        return Finding(False, "Schema", f"not an amazon-connector store (tables: {', '.join(found.tables)})")
    if found.revision not in known_revisions():
        return Finding(
            False, "Schema", f"{found.revision}, written by a newer version (this one knows up to {newest})"
        )
    if found.kind == "unversioned":
        return Finding(
            True,
            "Schema",
            f"made before versioned schemas (like {found.revision}); upgraded to {newest} when next opened",
        )
    if found.revision != newest:
        return Finding(True, "Schema", f"{found.revision}; upgraded to {newest} when next opened")
    return Finding(True, "Schema", f"{newest}, this version's")


def _contents(store: Store) -> list[Finding]:
    """Read every connection, client secret and cached token with the store's key."""
    readable = store.connections.list()
    unreadable = store.connections.unreadable()
    detail = f"{len(readable)} readable"
    if unreadable:
        detail += "; cannot read " + "; ".join(f"{p.name!r} ({p.reason})" for p in unreadable)
    findings = [Finding(not unreadable, "Connections", detail)]
    try:
        applications = len(store.applications.all())
        findings.append(
            Finding(True, "Client secrets", f"{applications} application(s), every secret decrypts")
        )
    except AmazonConnectorError as exc:
        findings.append(Finding(False, "Client secrets", exc.message))
    with store.transaction() as conn:
        keys = list(conn.scalars(select(tokens_table.c.cache_key)))
    failed = 0
    for key in keys:
        try:
            store.tokens.load_token(key)
        except AmazonConnectorError:
            failed += 1
    findings.append(
        Finding(not failed, "Access tokens", f"{len(keys) - failed} of {len(keys)} cached tokens decrypt")
    )
    return findings


def check_store(
    database_url: str | None = None,
    *,
    home: Path | str | None = None,
    key: bytes | None = None,
    key_file: Path | str | None = None,
) -> tuple[str, list[Finding]]:
    """The store's integrity, schema version, key, and everything stored in it; the store is not
    upgraded. Returns where the store is and what was found."""
    url, home_path = _locate(database_url, home)
    where = describe(url)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return where, [Finding(False, "File", "there is no store here")]
    try:
        check_file(url)
    except StoreError as exc:
        return where, [Finding(False, "File", exc.message)]
    findings: list[Finding] = []
    if path is None:
        findings.append(
            Finding(
                None, "Integrity", "not checked here: PostgreSQL checks its own pages (pg_amcheck checks all)"
            )
        )
    else:
        try:
            problems = integrity_problems(path)
        except sqlite3.DatabaseError as exc:
            problems = [str(exc)]
        findings.append(
            Finding(not problems, "Integrity", "; ".join(problems) or "SQLite finds nothing wrong")
        )
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            found = survey(conn)
        findings.append(_schema(found))
        if not findings[-1].ok:
            return where, findings
        box = SecretBox(
            key
            or load_key(home_path, key_file=Path(key_file) if key_file else None, store_is_new=lambda: False)
        )
        with engine.begin() as conn:
            matches = key_matches(conn, box)
        findings.append(
            Finding(
                matches is not False, "Key", "matches the store" if matches else "does not match the store"
            )
        )
        if matches and found.kind == "versioned" and found.revision == head():
            findings += _contents(Store(engine, box))
    except SQLAlchemyError as exc:
        findings.append(Finding(False, "Database", store_failure(exc, url).message))
    except AmazonConnectorError as exc:
        findings.append(Finding(False, "Key" if "key" in exc.message.lower() else "Store", exc.message))
    finally:
        engine.dispose()
    return where, findings


def backup_store(target: Path, database_url: str | None = None, *, home: Path | str | None = None) -> Path:
    """Copy the SQLite store to the new file ``target`` (0600) while others may be using it; the copy
    is checked. Returns the store's file. A PostgreSQL store is backed up with pg_dump."""
    url, _ = _locate(database_url, home)
    path = sqlite_path(url)
    if path is None:
        libpq = URL.create(
            url.get_backend_name(), url.username, None, url.host, url.port, url.database, url.query
        ).render_as_string(hide_password=False)
        raise ConfigurationError(
            f"The store {describe(url)} is on a database server: back it up with the server's own tool.",
            hint=f"For PostgreSQL: pg_dump --format=custom --file={target} --dbname={libpq}",
        )
    if not path.exists():
        raise StoreError(f"There is no store at {path} to back up.")
    check_file(url)
    if not target.parent.is_dir():
        raise ConfigurationError(f"Cannot write {target}: the directory {target.parent} does not exist.")
    try:
        backup_file(path, target)
    except FileExistsError:
        raise ConfigurationError(
            f"{target} exists already; it is not replaced.", hint="Choose a new file name."
        ) from None
    except OSError as exc:
        raise ConfigurationError(f"Cannot write {target}: {exc.strerror}.") from None
    except sqlite3.DatabaseError as exc:
        target.unlink(missing_ok=True)
        raise StoreError(
            f"Cannot copy the store {path}: {exc}.", hint="Run `amazon-connector store check`."
        ) from None
    problems = integrity_problems(target)
    if problems:
        raise StoreError(
            f"The copy {target} was written, but the store {path} is damaged: {'; '.join(problems)}.",
            hint="Keep your older backups; `amazon-connector store check` says more.",
        )
    return path
