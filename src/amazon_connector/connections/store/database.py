"""The connection store: SQLite by default, any SQLAlchemy URL (e.g. PostgreSQL) by configuration.

Opening a store brings its schema to this version's: a new store is made whole (an SQLite file
appears complete or not at all), an older one is upgraded once by whichever process gets the lock
first, a newer one is refused untouched. A store already up to date costs one query for its version
and one for the key check; Alembic is loaded only to upgrade.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.engine import Connection as DbConnection
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from amazon_connector.clock import SYSTEM_CLOCK, Clock
from amazon_connector.connections.secretbox import SecretBox, load_key, warn_if_exposed
from amazon_connector.connections.store.access import InsertFor
from amazon_connector.connections.store.application_rows import ApplicationRows
from amazon_connector.connections.store.connection_rows import ConnectionRows
from amazon_connector.connections.store.failures import (
    damage_hint,
    damaged,
    describe,
    sqlite_path,
    store_failure,
)
from amazon_connector.connections.store.meta import check_key, write_key_check
from amazon_connector.connections.store.schema import metadata
from amazon_connector.connections.store.states import AuthorisationStates
from amazon_connector.connections.store.tokens import AccessTokens
from amazon_connector.connections.store.version import (
    Found,
    head,
    known_revisions,
    read_version,
    survey,
    version_table,
)
from amazon_connector.errors import NewerStoreError, StoreError
from amazon_connector.extras import install_command
from amazon_connector.locations import DATABASE_ENV, default_home
from amazon_connector.private_files import write_private_file

SQLITE_HEADER = b"SQLite format 3\x00"
_UPGRADE_LOCK = 0x616D_617A_6F6E_0001
"""PostgreSQL advisory lock held while a store's schema is created or upgraded."""


def store_url(database_url: str | None, home: Path) -> tuple[URL, bool]:
    """The store's URL (``database_url``, $AMAZON_CONNECTOR_DATABASE_URL, or ``home``/connections.db)
    and whether it was configured (rather than the data directory's)."""
    configured = database_url or os.environ.get(DATABASE_ENV)
    try:
        return make_url(configured or f"sqlite:///{home / 'connections.db'}"), bool(configured)
    except ArgumentError:
        raise StoreError(
            "The store's database URL is not valid.",
            hint="Use e.g. sqlite:////path/connections.db or postgresql+psycopg://user@host/db.",
        ) from None


def check_file(url: URL) -> None:
    """Raise unless the SQLite file of ``url`` is missing (a new store) or looks like a database."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return
    if not path.is_file():
        raise StoreError(f"The store {path} is not a file.", hint="Point --database at the store's file.")
    if path.stat().st_size == 0:
        raise StoreError(
            f"The store {path} is empty (0 bytes): it was cut short, or is not a store.",
            hint=f"{damage_hint(url)} If it never held connections, delete it: the next start makes a new store.",
        )
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise damaged(url, "is not an SQLite database: it is damaged, or another kind of file")


def make_engine(url: URL) -> Engine:
    """An engine for ``url``; on SQLite every transaction takes the write lock at once (BEGIN
    IMMEDIATE), waits up to 30 s for it, and enforces foreign keys."""
    if url.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise StoreError(
                f"Cannot use the {url.get_backend_name()} database {describe(url)}: {exc}",
                hint=f"Install its driver; for PostgreSQL: {install_command('postgres')}.",
            ) from None
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN IMMEDIATE ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: DbConnection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _outside_transaction(conn: DbConnection, sql: str) -> None:
    """Run an SQLite PRAGMA that has no effect inside a transaction."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def create_schema(conn: DbConnection, box: SecretBox) -> None:
    """Make a new store's tables, stamped with the newest revision, and its key check."""
    metadata.create_all(conn)
    version_table.create(conn)
    conn.execute(insert(version_table).values(version_num=head()))
    write_key_check(conn, box)


class Store:
    """The store's database, with one repository per group of tables: ``connections``,
    ``applications`` (client secrets), ``states`` (consent flows), ``tokens`` (access tokens).
    Rate-limit buckets: StoreRateBackend(store)."""

    def __init__(self, engine: Engine, box: SecretBox, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine = engine
        self.box = box
        self.clock = clock
        """The store's own times (created, updated, authorised, logged out): real time unless told."""
        self.clock_of: Callable[[str], Clock] = lambda environment: clock
        """The clock of an environment, which times about Amazon's world there are on (a client secret's
        issue date): the store's clock, until Connections sets its own (an emulator's clock for an emulator)."""
        self.location = describe(engine.url)
        """The store as the user knows it: its file, or its URL without the password."""
        self.insert: InsertFor = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        """INSERT with ON CONFLICT, in this database's dialect."""
        self.applications = ApplicationRows(self)
        self.tokens = AccessTokens(self)
        self.connections = ConnectionRows(self, self.applications, self.tokens)
        self.states = AuthorisationStates(self)
        self.upgraded_from = self._prepare()
        """The revision this process upgraded the store from (None: it was new or up to date)."""

    @classmethod
    def open(
        cls,
        database_url: str | None = None,
        *,
        home: Path | str | None = None,
        key: bytes | None = None,
        key_file: Path | str | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> Store:
        """Open (creating if needed) the store at ``database_url``, $AMAZON_CONNECTOR_DATABASE_URL, or
        ``home``/connections.db. The key: ``key``, else $AMAZON_CONNECTOR_KEY, else ``key_file`` or
        $AMAZON_CONNECTOR_KEY_FILE, else ``home``/secret.key (made only for a new store)."""
        home_path = Path(home) if home else default_home()
        url, configured = store_url(database_url, home_path)
        path = sqlite_path(url)
        if path is not None and configured and not path.parent.is_dir():
            raise StoreError(
                f"The directory of the store {path} does not exist.",
                hint="Check --database / $AMAZON_CONNECTOR_DATABASE_URL, or create the directory first.",
            )
        if path is not None and not configured:
            home_path.mkdir(parents=True, exist_ok=True, mode=0o700)
        check_file(url)
        engine = make_engine(url)
        try:
            if key is None:
                key = load_key(
                    home_path,
                    key_file=Path(key_file) if key_file else None,
                    store_is_new=lambda: _is_new(engine),
                )
            store = cls(engine, SecretBox(key), clock=clock)
        except BaseException:
            engine.dispose()
            raise
        for place, what in ((home_path, "data directory"), (path, "store")):
            if place is not None:
                warn_if_exposed(place, what)
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[DbConnection]:
        """One transaction (BEGIN IMMEDIATE on SQLite), for modules that keep their own tables here;
        a database error becomes a StoreError that names the store and what to do."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise store_failure(exc, self.engine.url) from None

    # --- the schema ------------------------------------------------------------------------------

    def _prepare(self) -> str | None:
        path = sqlite_path(self.engine.url)
        if path is not None and not path.exists() and self._create_file(path):
            return None
        try:
            with self.engine.begin() as conn:
                version = read_version(conn)
        except SQLAlchemyError:
            version = None  # no version table (an older store, a new database, or worse): see _settle
        if version is not None and version not in known_revisions():
            raise self._newer(version)
        if version == head():
            with self.transaction() as conn:
                check_key(conn, self.box)
            upgraded = None
        else:
            upgraded = self._settle()
        if path is not None:
            with self.engine.connect() as conn:
                _outside_transaction(conn, "PRAGMA journal_mode = WAL")
        return upgraded

    def _newer(self, revision: str) -> NewerStoreError:
        return NewerStoreError(
            f"The store {self.location} was written by a newer version of amazon-connector (schema "
            f"{revision}; this version knows schemas up to {head()}). It was left untouched.",
            hint="Upgrade amazon-connector (pip install --upgrade amazon-connector) to use this store.",
        )

    def _create_file(self, path: Path) -> bool:
        """Make a new SQLite store beside ``path`` and move it into place whole; False if another
        process made one there first."""
        staging = path.with_name(f".{path.name}.{secrets.token_hex(6)}.new")
        try:
            write_private_file(staging, b"", parents=False)
            engine = make_engine(make_url(f"sqlite:///{staging}"))
            try:
                with engine.connect() as conn:
                    _outside_transaction(conn, "PRAGMA journal_mode = WAL")
                    with conn.begin():
                        create_schema(conn, self.box)
            finally:
                engine.dispose()
            os.link(staging, path)
        except FileExistsError:
            return False
        except OSError as exc:
            raise StoreError(f"Cannot create the store {path}: {exc.strerror}.") from None
        except SQLAlchemyError as exc:
            raise store_failure(exc, self.engine.url) from None
        finally:
            for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
                leftover.unlink(missing_ok=True)
        return True

    def _settle(self) -> str | None:
        """Under the lock: create, upgrade or refuse, whatever the database holds once this process
        has the lock (another one may have upgraded it meanwhile). Returns the revision upgraded from."""
        on_sqlite = self.engine.dialect.name == "sqlite"
        try:
            with self.engine.connect() as conn:
                if on_sqlite:  # a migration may rebuild a table that others refer to
                    _outside_transaction(conn, "PRAGMA foreign_keys = OFF")
                try:
                    with conn.begin():
                        if not on_sqlite:
                            conn.execute(select(func.pg_advisory_xact_lock(_UPGRADE_LOCK)))
                        return self._settle_locked(conn, survey(conn))
                finally:
                    if on_sqlite:
                        _outside_transaction(conn, "PRAGMA foreign_keys = ON")
        except SQLAlchemyError as exc:
            raise store_failure(exc, self.engine.url) from None

    def _settle_locked(self, conn: DbConnection, found: Found) -> str | None:
        if found.kind == "empty":
            create_schema(conn, self.box)
            return None
        if found.kind == "foreign":
            raise _foreign(self.location, found)
        assert found.revision is not None
        if found.revision not in known_revisions():
            raise self._newer(found.revision)
        check_key(conn, self.box)
        if found.kind == "versioned" and found.revision == head():
            return None
        from amazon_connector.connections.store.upgrade import upgrade

        upgrade(conn, self.box, found, sqlite_path(self.engine.url))
        return found.revision


def _foreign(location: str, found: Found) -> StoreError:
    shown = ", ".join(found.tables[:6]) + (", …" if len(found.tables) > 6 else "")
    return StoreError(
        f"{location} is not an amazon-connector store: it holds another program's tables ({shown}).",
        hint="Point --database / $AMAZON_CONNECTOR_DATABASE_URL at the store, or at a database of its "
        "own (an empty one becomes a new store).",
    )


def _is_new(engine: Engine) -> bool:
    """Whether the store at ``engine`` does not exist yet (so a new key may be made for it)."""
    path = sqlite_path(engine.url)
    if path is not None and not path.exists():
        return True
    try:
        with engine.begin() as conn:
            found = survey(conn)
    except SQLAlchemyError as exc:
        raise store_failure(exc, engine.url) from None
    if found.kind == "foreign":
        raise _foreign(describe(engine.url), found)
    return found.kind == "empty"
