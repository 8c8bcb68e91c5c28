"""What a database error means for the user: one clear message naming the store and what to do.

Messages carry the driver's own first line, never SQLAlchemy's text (which repeats the statement and
its parameters).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from amazon_connector.errors import StoreConflictError, StoreError

_DAMAGED = ("malformed", "not a database", "no such table", "no such column", "does not exist", "corrupt")
_UNAVAILABLE_HINT = "Check that the database server is running and the URL is right."


def sqlite_path(url: URL) -> Path | None:
    """The file of an SQLite store; None for a server or an in-memory database."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def describe(url: URL) -> str:
    """The store as the user knows it: the SQLite file, else the URL without its password."""
    path = sqlite_path(url)
    return str(path) if path is not None else url.render_as_string(hide_password=True)


def damage_hint(url: URL) -> str:
    """What to do about a damaged store."""
    path = sqlite_path(url)
    if path is None:
        return "Restore the database from your backup (pg_dump) and run the command again."
    return (
        f"Restore {path} from your latest backup (`amazon-connector store backup` makes one). To save "
        f"what can still be read: copy the file, run `amazon-connector --database sqlite:///COPY "
        "connections export -o connections.json` on the copy, then import that into a new store."
    )


def damaged(url: URL, what: str) -> StoreError:
    """The store at ``url`` cannot be used as it is (``what`` says why)."""
    return StoreError(f"The store {describe(url)} {what}.", hint=damage_hint(url))


def _reason(exc: SQLAlchemyError) -> str:
    original = exc.orig if isinstance(exc, DBAPIError) else None
    text = str(original or exc.__class__.__name__).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def store_failure(exc: SQLAlchemyError, url: URL) -> StoreError:
    """The StoreError that explains ``exc`` (raised while using the store at ``url``)."""
    reason = _reason(exc)
    where = describe(url)
    if isinstance(exc, IntegrityError):
        return StoreConflictError(f"The store {where} refused the change: {reason}.")
    original = exc.orig if isinstance(exc, DBAPIError) else None
    is_sqlite_damage = isinstance(original, sqlite3.DatabaseError) and not isinstance(
        original, sqlite3.OperationalError
    )
    if is_sqlite_damage or any(marker in reason.lower() for marker in _DAMAGED):
        return damaged(url, f"is damaged or was changed by another program ({reason})")
    if sqlite_path(url) is None:
        return StoreError(f"The store {where} is unavailable: {reason}.", hint=_UNAVAILABLE_HINT)
    if "locked" in reason:
        return StoreError(
            f"The store {where} is busy: another process has kept it locked for 30 seconds.",
            hint="Run the command again; if it keeps happening, look for a stuck amazon-connector process.",
        )
    return StoreError(
        f"Cannot use the store {where}: {reason}.",
        hint="Check that the file and its directory are yours and writable, and that the disk is not full.",
    )
