"""The connection store: SQLite by default, any SQLAlchemy URL (e.g. PostgreSQL) by configuration.

Secrets are encrypted with a SecretBox before they reach the database; the SQLite file is 0600.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection as DbConnection
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from amazon_connector.auth.token_cache import subject_of
from amazon_connector.clock import SYSTEM_CLOCK, Clock
from amazon_connector.connections.model import ENCRYPTED_FIELDS, ConnectionRecord, ConnectionSettings
from amazon_connector.connections.secretbox import SecretBox, load_key, write_private_file
from amazon_connector.errors import (
    ConcurrentUpdateError,
    ConnectionNotFoundError,
    DuplicateConnectionError,
    SecretKeyError,
    StoreError,
)

HOME_ENV = "AMAZON_CONNECTOR_HOME"
DATABASE_ENV = "AMAZON_CONNECTOR_DATABASE_URL"
_KEY_CHECK = "amazon-connector key check"

metadata = MetaData()

connections_table = Table(
    "connections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("settings", Text, nullable=False),
    Column("client_secret", Text),
    Column("refresh_token", Text),
    Column("aws_secret_access_key", Text),
    Column("aws_access_key_id", Text),
    Column("aws_role_arn", Text),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("client_secret_set_at", DateTime(timezone=True)),
    Column("authorised_at", DateTime(timezone=True)),
    Column("logged_out_at", DateTime(timezone=True)),
    Column("last_test_ok", Boolean),
    Column("last_test_at", DateTime(timezone=True)),
    Column("last_test_summary", Text),
)

states_table = Table(
    "authorisation_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

tokens_table = Table(
    "access_tokens",
    metadata,
    Column("cache_key", String(64), primary_key=True),
    Column("subject", String(64), nullable=False, index=True),
    Column("token", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

meta_table = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def default_home() -> Path:
    """$AMAZON_CONNECTOR_HOME, else the user's data directory."""
    return Path(os.environ.get(HOME_ENV) or platformdirs.user_data_dir("amazon-connector"))


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class PendingState:
    connection_id: int
    redirect_uri: str
    fingerprint: str
    expires_at: datetime


class Store:
    """Reads and writes connections, pending authorisation states and cached access tokens."""

    def __init__(self, engine: Engine, box: SecretBox, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine = engine
        self.box = box
        self.clock = clock
        try:
            metadata.create_all(engine)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot open the connection store {engine.url.render_as_string(hide_password=True)}: "
                f"{getattr(exc, 'orig', None) or exc.__class__.__name__}",
                hint="Check that the database server is running and the URL is right.",
            ) from None
        self._check_key()

    @classmethod
    def open(
        cls,
        database_url: str | None = None,
        *,
        home: Path | str | None = None,
        key: bytes | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> Store:
        """Open (creating if needed) the store at ``database_url``, $AMAZON_CONNECTOR_DATABASE_URL,
        or ``home``/connections.db."""
        home_path = Path(home) if home else default_home()
        url = database_url or os.environ.get(DATABASE_ENV) or f"sqlite:///{home_path / 'connections.db'}"
        return cls(_make_engine(url), SecretBox(key or load_key(home_path)), clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[DbConnection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except OperationalError as exc:
            raise StoreError(f"The connection store is unavailable: {exc.orig}") from None

    transaction = _tx
    """One transaction (BEGIN IMMEDIATE on SQLite), for modules that keep their own tables here."""

    def _check_key(self) -> None:
        with self._tx() as conn:
            row = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "key_check")).first()
            if row is None:
                conn.execute(
                    insert(meta_table).values(
                        key="key_check", value=self.box.encrypt(_KEY_CHECK, "key_check")
                    )
                )
                return
        try:
            ok = self.box.decrypt(row.value, "key_check") == _KEY_CHECK
        except SecretKeyError:
            ok = False
        if not ok:
            raise SecretKeyError(
                "This store was created with a different encryption key.",
                hint="Set $AMAZON_CONNECTOR_KEY or the key file to the key used when the store was created.",
            )

    # --- connections -------------------------------------------------------------------------

    def _row_values(self, settings: ConnectionSettings) -> dict[str, Any]:
        plain = settings.model_dump(mode="json", exclude=set(ENCRYPTED_FIELDS))
        values: dict[str, Any] = {"name": settings.name, "settings": json.dumps(plain, sort_keys=True)}
        for field in ENCRYPTED_FIELDS:
            secret = settings.secret(field)
            values[field] = self.box.encrypt(secret, field) if secret is not None else None
        return values

    def _record(self, row: Any) -> ConnectionRecord:
        data = json.loads(row.settings)
        for field in ENCRYPTED_FIELDS:
            token = getattr(row, field)
            data[field] = self.box.decrypt(token, field) if token else None
        return ConnectionRecord(
            id=row.id,
            settings=ConnectionSettings.model_validate(data),
            version=row.version,
            created_at=_utc(row.created_at),
            updated_at=_utc(row.updated_at),
            client_secret_set_at=_utc(row.client_secret_set_at),
            authorised_at=_utc(row.authorised_at),
            logged_out_at=_utc(row.logged_out_at),
            last_test_ok=row.last_test_ok,
            last_test_at=_utc(row.last_test_at),
            last_test_summary=row.last_test_summary,
        )

    def add(self, settings: ConnectionSettings) -> ConnectionRecord:
        now = self.clock.now()
        values = self._row_values(settings)
        values.update(
            version=1,
            created_at=now,
            updated_at=now,
            client_secret_set_at=now if settings.client_secret else None,
        )
        try:
            with self._tx() as conn:
                conn.execute(insert(connections_table).values(**values))
        except IntegrityError:
            raise DuplicateConnectionError(
                f"A connection named {settings.name!r} exists already.",
                field="name",
                hint="Choose another name, or edit the existing connection.",
            ) from None
        return self.get(settings.name)

    def get(self, name: str) -> ConnectionRecord:
        with self._tx() as conn:
            row = conn.execute(select(connections_table).where(connections_table.c.name == name)).first()
        if row is None:
            raise ConnectionNotFoundError(
                f"No connection is named {name!r}.",
                field="name",
                hint=f"Known connections: {', '.join(self.names()) or 'none yet'}.",
            )
        return self._record(row)

    def get_by_id(self, connection_id: int) -> ConnectionRecord:
        with self._tx() as conn:
            row = conn.execute(
                select(connections_table).where(connections_table.c.id == connection_id)
            ).first()
        if row is None:
            raise ConnectionNotFoundError(f"Connection #{connection_id} no longer exists.")
        return self._record(row)

    def names(self) -> list[str]:
        with self._tx() as conn:
            return list(conn.scalars(select(connections_table.c.name).order_by(connections_table.c.name)))

    def list(self) -> list[ConnectionRecord]:
        with self._tx() as conn:
            rows = conn.execute(select(connections_table).order_by(connections_table.c.name)).all()
        return [self._record(r) for r in rows]

    def save(self, record: ConnectionRecord, settings: ConnectionSettings, **fields: Any) -> ConnectionRecord:
        """Write new settings (and bookkeeping ``fields``) if nobody changed the row since ``record``."""
        values = self._row_values(settings)
        old_secret = record.settings.secret("client_secret")
        if settings.secret("client_secret") != old_secret and "client_secret_set_at" not in fields:
            values["client_secret_set_at"] = self.clock.now() if settings.client_secret else None
        values.update(fields, version=record.version + 1, updated_at=self.clock.now())
        try:
            with self._tx() as conn:
                result = conn.execute(
                    update(connections_table)
                    .where(connections_table.c.id == record.id)
                    .where(connections_table.c.version == record.version)
                    .values(**values)
                )
                if result.rowcount != 1:
                    raise ConcurrentUpdateError(
                        f"Connection {record.name!r} was changed or removed by another process meanwhile.",
                        hint="Nothing was written; run the command again.",
                    )
        except IntegrityError:
            raise DuplicateConnectionError(
                f"A connection named {settings.name!r} exists already.", field="name"
            ) from None
        return self.get_by_id(record.id)

    def remove(self, name: str) -> None:
        record = self.get(name)
        with self._tx() as conn:
            conn.execute(delete(states_table).where(states_table.c.connection_id == record.id))
            conn.execute(delete(connections_table).where(connections_table.c.id == record.id))
        if token := record.settings.secret("refresh_token"):
            self.forget_tokens(subject_of(token))

    # --- authorisation states ----------------------------------------------------------------

    def save_state(
        self, state: str, connection_id: int, redirect_uri: str, fingerprint: str, expires_at: datetime
    ) -> None:
        with self._tx() as conn:
            conn.execute(delete(states_table).where(states_table.c.expires_at < self.clock.now()))
            conn.execute(
                insert(states_table).values(
                    state_hash=subject_of(state),
                    connection_id=connection_id,
                    redirect_uri=redirect_uri,
                    fingerprint=fingerprint,
                    expires_at=expires_at,
                )
            )

    def consume_state(self, state: str) -> PendingState | None:
        """Remove and return the pending state, once (atomically); None if unknown or already used."""
        with self._tx() as conn:
            row = conn.execute(
                delete(states_table)
                .where(states_table.c.state_hash == subject_of(state))
                .returning(states_table)
            ).first()
        if row is None:
            return None
        return PendingState(
            row.connection_id, row.redirect_uri, row.fingerprint, _utc(row.expires_at) or self.clock.now()
        )

    # --- access-token cache ------------------------------------------------------------------

    def load_token(self, cache_key: str) -> tuple[str, datetime] | None:
        with self._tx() as conn:
            row = conn.execute(select(tokens_table).where(tokens_table.c.cache_key == cache_key)).first()
        if row is None:
            return None
        expires_at = _utc(row.expires_at)
        assert expires_at is not None
        return self.box.decrypt(row.token, "access_token"), expires_at

    def save_token(self, cache_key: str, subject: str, token: str, expires_at: datetime) -> None:
        with self._tx() as conn:
            conn.execute(delete(tokens_table).where(tokens_table.c.cache_key == cache_key))
            conn.execute(
                insert(tokens_table).values(
                    cache_key=cache_key,
                    subject=subject,
                    token=self.box.encrypt(token, "access_token"),
                    expires_at=expires_at,
                )
            )

    def forget_tokens(self, subject: str) -> None:
        with self._tx() as conn:
            conn.execute(delete(tokens_table).where(tokens_table.c.subject == subject))


def _make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            "The store's database URL is not valid.",
            hint="Use e.g. sqlite:////path/connections.db or postgresql+psycopg://user@host/db.",
        ) from None
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(parsed, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise StoreError(
                f"Cannot use the {parsed.get_backend_name()} database "
                f"{parsed.render_as_string(hide_password=True)}: {exc}",
                hint="Install its driver; for PostgreSQL: pip install 'amazon-connector[postgres]'.",
            ) from None
    if parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        try:
            write_private_file(path, b"")
        except FileExistsError:
            pass
        except OSError as exc:
            raise StoreError(f"Cannot create the store {path}: {exc.strerror}.") from None
    engine = create_engine(parsed, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN IMMEDIATE ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: DbConnection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
