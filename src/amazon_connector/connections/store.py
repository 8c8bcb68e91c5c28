"""The connection store: SQLite by default, any SQLAlchemy URL (e.g. PostgreSQL) by configuration.

Secrets are encrypted with a SecretBox before they reach the database; the SQLite file is 0600.
A client secret belongs to its application (client ID and LWA endpoint), kept once for every connection
that uses it; only a connection without a client ID keeps the secret it was given itself.
"""

from __future__ import annotations

import builtins
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
    UniqueConstraint,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection as DbConnection
from sqlalchemy.engine import Engine, Row, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from amazon_connector.auth.token_cache import subject_of
from amazon_connector.clock import SYSTEM_CLOCK, Clock
from amazon_connector.connections.model import (
    ENCRYPTED_FIELDS,
    OLD_SECRET_LIFETIME,
    ApplicationRecord,
    ConnectionRecord,
    ConnectionSettings,
)
from amazon_connector.connections.secretbox import SecretBox, load_key, write_private_file
from amazon_connector.errors import (
    ConcurrentUpdateError,
    ConnectionNotFoundError,
    DuplicateConnectionError,
    SecretKeyError,
    StoreError,
)
from amazon_connector.marketplaces import lwa_token_url

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

applications_table = Table(
    "applications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(128), nullable=False),
    Column("token_url", String(512), nullable=False),
    Column("client_secret", Text),
    Column("secret_issued_at", DateTime(timezone=True)),
    Column("secret_expires_at", DateTime(timezone=True)),
    Column("previous_secret", Text),
    Column("previous_expires_at", DateTime(timezone=True)),
    Column("rotation_requested_at", DateTime(timezone=True)),
    Column("queue_url", Text),
    Column("aws_region", String(32)),
    Column("aws_profile", String(128)),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("client_id", "token_url"),
)
_APPLICATION_SECRETS = ("client_secret", "previous_secret")

meta_table = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def default_home() -> Path:
    """$AMAZON_CONNECTOR_HOME, else the user's data directory."""
    return Path(os.environ.get(HOME_ENV) or platformdirs.user_data_dir("amazon-connector"))


AppKey = tuple[str, str]
"""An application: its client ID and Login with Amazon's token URL."""


def application_key(settings: ConnectionSettings) -> AppKey | None:
    """The application whose client secret a connection uses; None without a client ID."""
    return (settings.client_id, lwa_token_url(settings.environment)) if settings.client_id else None


def _key_of(settings_json: str) -> AppKey | None:
    data = json.loads(settings_json)
    client_id = data.get("client_id")
    return (client_id, lwa_token_url(data.get("environment") or "production")) if client_id else None


def _where(key: AppKey) -> tuple[Any, ...]:
    return applications_table.c.client_id == key[0], applications_table.c.token_url == key[1]


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
        try:
            self._move_secrets_to_applications()
        except IntegrityError:  # another process upgraded the store at the same moment
            self._move_secrets_to_applications()

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
        if application_key(settings) is not None:
            values.update(client_secret=None, client_secret_set_at=None)  # the application keeps it
        return values

    def _record(self, row: Any, applications: dict[AppKey, ApplicationRecord]) -> ConnectionRecord:
        data = json.loads(row.settings)
        for field in ENCRYPTED_FIELDS:
            token = getattr(row, field)
            data[field] = self.box.decrypt(token, field) if token else None
        settings = ConnectionSettings.model_validate(data)
        secret_set_at = _utc(row.client_secret_set_at)
        application = None
        if (key := application_key(settings)) is not None:
            application = applications.get(key)
            secret = application.client_secret if application else None
            settings = settings.model_copy(update={"client_secret": secret})
            secret_set_at = application.secret_issued_at if application else None
        return ConnectionRecord(
            id=row.id,
            settings=settings,
            application=application,
            version=row.version,
            created_at=_utc(row.created_at),
            updated_at=_utc(row.updated_at),
            client_secret_set_at=secret_set_at,
            authorised_at=_utc(row.authorised_at),
            logged_out_at=_utc(row.logged_out_at),
            last_test_ok=row.last_test_ok,
            last_test_at=_utc(row.last_test_at),
            last_test_summary=row.last_test_summary,
        )

    def _read(self, where: Any = None) -> builtins.list[ConnectionRecord]:
        query = select(connections_table).order_by(connections_table.c.name)
        with self._tx() as conn:
            rows = conn.execute(query if where is None else query.where(where)).all()
            applications = self._applications(conn) if rows else {}
        return [self._record(r, applications) for r in rows]

    def add(self, settings: ConnectionSettings) -> ConnectionRecord:
        now = self.clock.now()
        values = self._row_values(settings)
        values.setdefault("client_secret_set_at", now if settings.client_secret else None)
        values.update(version=1, created_at=now, updated_at=now)
        try:
            with self._tx() as conn:
                conn.execute(insert(connections_table).values(**values))
                self._bind_secret(conn, settings, changed=settings.client_secret is not None)
        except IntegrityError:
            raise DuplicateConnectionError(
                f"A connection named {settings.name!r} exists already.",
                field="name",
                hint="Choose another name, or edit the existing connection.",
            ) from None
        return self.get(settings.name)

    def get(self, name: str) -> ConnectionRecord:
        found = self._read(connections_table.c.name == name)
        if not found:
            raise ConnectionNotFoundError(
                f"No connection is named {name!r}.",
                field="name",
                hint=f"Known connections: {', '.join(self.names()) or 'none yet'}.",
            )
        return found[0]

    def get_by_id(self, connection_id: int) -> ConnectionRecord:
        found = self._read(connections_table.c.id == connection_id)
        if not found:
            raise ConnectionNotFoundError(f"Connection #{connection_id} no longer exists.")
        return found[0]

    def names(self) -> builtins.list[str]:
        with self._tx() as conn:
            return list(conn.scalars(select(connections_table.c.name).order_by(connections_table.c.name)))

    def list(self) -> builtins.list[ConnectionRecord]:
        return self._read()

    def save(self, record: ConnectionRecord, settings: ConnectionSettings, **fields: Any) -> ConnectionRecord:
        """Write new settings (and bookkeeping ``fields``) if nobody changed the row since ``record``.

        A client secret that differs from ``record``'s becomes its application's, for every connection."""
        values = self._row_values(settings)
        changed = settings.secret("client_secret") != record.settings.secret("client_secret")
        if changed and "client_secret_set_at" not in values:
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
                self._bind_secret(conn, settings, changed=changed)
                if (old_key := application_key(record.settings)) != application_key(settings):
                    self._drop_if_unused(conn, old_key)
        except IntegrityError:
            raise DuplicateConnectionError(
                f"A connection named {settings.name!r} exists already.", field="name"
            ) from None
        return self.get_by_id(record.id)

    def remove(self, name: str) -> None:
        """Remove the connection, and its application when no other connection uses it."""
        record = self.get(name)
        key = application_key(record.settings)
        with self._tx() as conn:
            conn.execute(delete(states_table).where(states_table.c.connection_id == record.id))
            conn.execute(delete(connections_table).where(connections_table.c.id == record.id))
            self._drop_if_unused(conn, key)
        if token := record.settings.secret("refresh_token"):
            self.forget_tokens(subject_of(token))

    # --- applications ------------------------------------------------------------------------

    def _application(self, row: Any) -> ApplicationRecord:
        secrets = {
            f: self.box.decrypt(token, f"application.{f}") if (token := getattr(row, f)) else None
            for f in _APPLICATION_SECRETS
        }
        return ApplicationRecord(
            id=row.id,
            client_id=row.client_id,
            token_url=row.token_url,
            client_secret=secrets["client_secret"],
            secret_issued_at=_utc(row.secret_issued_at),
            secret_expires_at=_utc(row.secret_expires_at),
            previous_secret=secrets["previous_secret"],
            previous_expires_at=_utc(row.previous_expires_at),
            rotation_requested_at=_utc(row.rotation_requested_at),
            queue_url=row.queue_url,
            aws_region=row.aws_region,
            aws_profile=row.aws_profile,
            version=row.version,
            updated_at=_utc(row.updated_at),
        )

    def _applications(self, conn: DbConnection) -> dict[AppKey, ApplicationRecord]:
        rows = conn.execute(select(applications_table).order_by(applications_table.c.client_id)).all()
        return {(r.client_id, r.token_url): self._application(r) for r in rows}

    def _encrypted(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            k: self.box.encrypt(v, f"application.{k}") if k in _APPLICATION_SECRETS and v is not None else v
            for k, v in values.items()
        }

    def _secret_change(
        self,
        application: ApplicationRecord | None,
        secret: str | None,
        *,
        old_expires_at: datetime | None = None,
        new_expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Column values that make ``secret`` current; the replaced one stays usable until
        ``old_expires_at`` (default: 7 days after its rotation was requested, or from now)."""
        now = self.clock.now()
        if secret is None:
            return dict.fromkeys(
                (
                    "client_secret",
                    "secret_issued_at",
                    "secret_expires_at",
                    "previous_secret",
                    "previous_expires_at",
                    "rotation_requested_at",
                )
            )
        old = application.secret() if application else None
        generated = application.rotation_requested_at if application else None
        return {
            "client_secret": secret,
            "secret_issued_at": now,
            "secret_expires_at": new_expires_at,
            "previous_secret": old,
            "previous_expires_at": (old_expires_at or (generated or now) + OLD_SECRET_LIFETIME)
            if old
            else None,
            "rotation_requested_at": None,
        }

    def _bind_secret(self, conn: DbConnection, settings: ConnectionSettings, *, changed: bool) -> None:
        """Give a client-ID connection's secret to its application (created if new) when the caller
        ``changed`` it or the application has none; otherwise the application's secret stands."""
        key = application_key(settings)
        if key is None:
            return
        secret = settings.secret("client_secret")
        row = conn.execute(select(applications_table).where(*_where(key))).first()
        if row is None:
            values = self._secret_change(None, secret) if secret else {}
            conn.execute(
                insert(applications_table).values(
                    client_id=key[0],
                    token_url=key[1],
                    version=1,
                    updated_at=self.clock.now(),
                    **self._encrypted(values),
                )
            )
            return
        current = self._application(row)
        if (changed or current.client_secret is None) and secret != current.secret():
            conn.execute(
                update(applications_table)
                .where(applications_table.c.id == row.id)
                .values(
                    **self._encrypted(self._secret_change(current, secret)),
                    version=row.version + 1,
                    updated_at=self.clock.now(),
                )
            )

    def _drop_if_unused(self, conn: DbConnection, key: AppKey | None) -> None:
        """Forget an application (and its secrets) once no connection uses it."""
        others = conn.scalars(select(connections_table.c.settings))
        if key is not None and all(_key_of(text) != key for text in others):
            conn.execute(delete(applications_table).where(*_where(key)))

    def application(self, client_id: str, token_url: str) -> ApplicationRecord | None:
        with self._tx() as conn:
            row = conn.execute(select(applications_table).where(*_where((client_id, token_url)))).first()
        return self._application(row) if row is not None else None

    def applications(self) -> builtins.list[ApplicationRecord]:
        with self._tx() as conn:
            return list(self._applications(conn).values())

    def update_application(self, application: ApplicationRecord, **changes: Any) -> ApplicationRecord:
        """Write ``changes`` (column values; secrets in plain text) if nobody changed the application
        since ``application`` was read."""
        with self._tx() as conn:
            result = conn.execute(
                update(applications_table)
                .where(applications_table.c.id == application.id)
                .where(applications_table.c.version == application.version)
                .values(
                    **self._encrypted(changes), version=application.version + 1, updated_at=self.clock.now()
                )
            )
            if result.rowcount != 1:
                raise ConcurrentUpdateError(
                    f"The application {application.client_id} was changed by another process meanwhile.",
                    hint="Nothing was written; run the command again.",
                )
        updated = self.application(application.client_id, application.token_url)
        assert updated is not None
        return updated

    def replace_secret(
        self,
        application: ApplicationRecord,
        secret: str,
        *,
        old_expires_at: datetime | None = None,
        new_expires_at: datetime | None = None,
    ) -> ApplicationRecord:
        """Make ``secret`` the application's current secret (for every connection using it); the
        replaced one stays usable until ``old_expires_at`` (default: 7 days after the rotation)."""
        return self.update_application(
            application,
            **self._secret_change(
                application, secret, old_expires_at=old_expires_at, new_expires_at=new_expires_at
            ),
        )

    def _move_secrets_to_applications(self) -> None:
        """Upgrade a store whose connections kept their own client secrets: each client ID's newest
        secret becomes its application's, issued when it was first entered."""
        with self._tx() as conn:
            rows = conn.execute(
                select(connections_table).where(connections_table.c.client_secret.is_not(None))
            ).all()
            moved: dict[AppKey, builtins.list[tuple[datetime, str]]] = {}
            for row in rows:
                key = _key_of(row.settings)
                if key is None:
                    continue
                set_at = _utc(row.client_secret_set_at) or _utc(row.created_at)
                assert set_at is not None
                moved.setdefault(key, []).append(
                    (set_at, self.box.decrypt(row.client_secret, "client_secret"))
                )
                conn.execute(
                    update(connections_table)
                    .where(connections_table.c.id == row.id)
                    .values(client_secret=None, client_secret_set_at=None)
                )
            existing = self._applications(conn)
            for key, entries in moved.items():
                newest_at, secret = max(entries)
                app = existing.get(key)
                if app is not None and app.client_secret is not None:
                    if app.secret() == secret or (app.secret_issued_at or newest_at) >= newest_at:
                        continue
                    values = self._secret_change(app, secret)
                else:
                    values = {
                        **self._secret_change(None, secret),
                        "secret_issued_at": min(at for at, s in entries if s == secret),
                    }
                if app is not None:
                    conn.execute(
                        update(applications_table)
                        .where(*_where(key))
                        .values(**self._encrypted(values), version=app.version + 1)
                    )
                else:
                    conn.execute(
                        insert(applications_table).values(
                            client_id=key[0],
                            token_url=key[1],
                            version=1,
                            updated_at=self.clock.now(),
                            **self._encrypted(values),
                        )
                    )

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

    def find_state(self, state: str) -> PendingState | None:
        """The pending state, left in place (to check whom it belongs to before consuming it)."""
        with self._tx() as conn:
            row = conn.execute(
                select(states_table).where(states_table.c.state_hash == subject_of(state))
            ).first()
        return None if row is None else self._pending(row)

    def consume_state(self, state: str) -> PendingState | None:
        """Remove and return the pending state, once (atomically); None if unknown or already used."""
        with self._tx() as conn:
            row = conn.execute(
                delete(states_table)
                .where(states_table.c.state_hash == subject_of(state))
                .returning(states_table)
            ).first()
        return None if row is None else self._pending(row)

    def _pending(self, row: Row[Any]) -> PendingState:
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
