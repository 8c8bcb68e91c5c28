"""Connections: settings as JSON, credentials encrypted, bookkeeping beside them.

A connection's settings that this version does not know (a newer version or a hand wrote them) are
kept and written back unchanged; a connection that cannot be read at all is reported on its own, the
others read fine, and it can still be removed.
"""

from __future__ import annotations

import builtins
import json
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection as DbConnection

from amazon_connector.auth.token_cache import subject_of
from amazon_connector.connections.model import (
    ENCRYPTED_FIELDS,
    ApplicationRecord,
    ConnectionRecord,
    ConnectionSettings,
    split_unknown,
    unknown_paths,
    validation_message,
    with_unknown,
)
from amazon_connector.connections.store.access import Database
from amazon_connector.connections.store.application_rows import AppKey, ApplicationRows, application_key
from amazon_connector.connections.store.schema import connections_table as table
from amazon_connector.connections.store.schema import states_table
from amazon_connector.connections.store.times import utc
from amazon_connector.connections.store.tokens import AccessTokens
from amazon_connector.errors import (
    AmazonConnectorError,
    ConcurrentUpdateError,
    ConfigurationError,
    ConnectionNotFoundError,
    DuplicateConnectionError,
    StoreConflictError,
    StoreWarning,
    UnreadableConnectionError,
)
from amazon_connector.marketplaces import lwa_token_url

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UnreadableConnection:
    """A stored connection this version cannot read, and why."""

    id: int
    name: str
    reason: str
    location: str
    """The store it is in."""

    def error(self) -> UnreadableConnectionError:
        return UnreadableConnectionError(
            f"Connection {self.name!r} in {self.location} cannot be read: {self.reason}.",
            hint=f"Remove it with `amazon-connector connections remove {self.name}` and add it again, or "
            "use the amazon-connector version that wrote it.",
        )


def _settings_of(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("the settings are not a JSON object")
    return data


def _key_of(text: str) -> AppKey | None:
    """The application a stored connection uses (read from its JSON alone)."""
    data = _settings_of(text)
    client_id = data.get("client_id")
    return (client_id, lwa_token_url(data.get("environment") or "production")) if client_id else None


class ConnectionRows:
    """The ``connections`` table (and the applications its rows use)."""

    def __init__(self, store: Database, applications: ApplicationRows, tokens: AccessTokens) -> None:
        self.store = store
        self.applications = applications
        self.tokens = tokens

    # --- reading -----------------------------------------------------------------------------

    def _record(self, row: Any, applications: dict[AppKey, ApplicationRecord]) -> ConnectionRecord:
        data, unknown = split_unknown(ConnectionSettings, _settings_of(row.settings))
        for field in ENCRYPTED_FIELDS:
            token = getattr(row, field)
            data[field] = self.store.box.decrypt(token, field) if token else None
        settings = ConnectionSettings.model_validate(data)
        secret_set_at = utc(row.client_secret_set_at)
        application = None
        if (key := application_key(settings)) is not None:
            application = applications.get(key)
            secret = application.client_secret if application else None
            settings = settings.model_copy(update={"client_secret": secret})
            secret_set_at = application.secret_issued_at if application else None
        if unknown:
            warnings.warn(
                f"Connection {row.name!r} in {self.store.location} has settings this version does not "
                f"know ({', '.join(sorted(unknown_paths(ConnectionSettings, unknown)))}); they are kept unchanged "
                "and ignored.",
                StoreWarning,
                stacklevel=2,
            )
        return ConnectionRecord(
            id=row.id,
            settings=settings,
            application=application,
            version=row.version,
            created_at=utc(row.created_at),
            updated_at=utc(row.updated_at),
            client_secret_set_at=secret_set_at,
            authorised_at=utc(row.authorised_at),
            logged_out_at=utc(row.logged_out_at),
            last_test_ok=row.last_test_ok,
            last_test_at=utc(row.last_test_at),
            last_test_summary=row.last_test_summary,
            unknown_settings=unknown,
        )

    def _read(
        self, where: Any = None
    ) -> tuple[builtins.list[ConnectionRecord], builtins.list[UnreadableConnection]]:
        query = select(table).order_by(table.c.name)
        with self.store.transaction() as conn:
            rows = conn.execute(query if where is None else query.where(where)).all()
            applications = self.applications.by_key(conn) if rows else {}
        records: builtins.list[ConnectionRecord] = []
        unreadable: builtins.list[UnreadableConnection] = []
        for row in rows:
            try:
                records.append(self._record(row, applications))
                continue
            except ValidationError as exc:
                reason = validation_message(exc)
            except ValueError:
                reason = "its settings are not valid JSON"
            except AmazonConnectorError as exc:  # a secret that does not decrypt
                reason = exc.message.rstrip(".")
            unreadable.append(UnreadableConnection(row.id, row.name, reason, self.store.location))
        return records, unreadable

    def _one(self, where: Any) -> ConnectionRecord | None:
        records, unreadable = self._read(where)
        if unreadable:
            raise unreadable[0].error()
        return records[0] if records else None

    @staticmethod
    def _not_found(name: str, names: builtins.list[str]) -> ConnectionNotFoundError:
        return ConnectionNotFoundError(
            f"No connection is named {name!r}.",
            field="name",
            hint=f"Known connections: {', '.join(names) or 'none yet'}.",
        )

    def get(self, name: str) -> ConnectionRecord:
        found = self._one(table.c.name == name)
        if found is None:
            raise self._not_found(name, self.names())
        return found

    def get_by_id(self, connection_id: int) -> ConnectionRecord:
        found = self._one(table.c.id == connection_id)
        if found is None:
            raise ConnectionNotFoundError(f"Connection #{connection_id} no longer exists.")
        return found

    def names(self) -> builtins.list[str]:
        """Every connection's name, readable or not."""
        with self.store.transaction() as conn:
            return list(conn.scalars(select(table.c.name).order_by(table.c.name)))

    def list(self) -> builtins.list[ConnectionRecord]:
        """The connections that can be read (each one that cannot is logged; see ``unreadable``)."""
        records, unreadable = self._read()
        for problem in unreadable:
            log.warning("%s", problem.error())
        return records

    def unreadable(self) -> builtins.list[UnreadableConnection]:
        """The connections this version cannot read."""
        return self._read()[1]

    # --- writing -----------------------------------------------------------------------------

    def _row_values(self, settings: ConnectionSettings, unknown: dict[str, Any]) -> dict[str, Any]:
        plain = with_unknown(settings.model_dump(mode="json", exclude=set(ENCRYPTED_FIELDS)), unknown)
        values: dict[str, Any] = {"name": settings.name, "settings": json.dumps(plain, sort_keys=True)}
        for field in ENCRYPTED_FIELDS:
            secret = settings.secret(field)
            values[field] = self.store.box.encrypt(secret, field) if secret is not None else None
        if application_key(settings) is not None:
            values.update(client_secret=None, client_secret_set_at=None)  # the application keeps it
        return values

    def _duplicate(
        self, name: str, conn: DbConnection | None = None, *, other_than: int | None = None
    ) -> bool:
        query = select(table.c.id).where(table.c.name == name)
        if other_than is not None:
            query = query.where(table.c.id != other_than)
        if conn is not None:
            return conn.execute(query).first() is not None
        with self.store.transaction() as fresh:
            return fresh.execute(query).first() is not None

    @staticmethod
    def _duplicate_error(name: str) -> DuplicateConnectionError:
        return DuplicateConnectionError(
            f"A connection named {name!r} exists already.",
            field="name",
            hint="Choose another name, or edit the existing connection.",
        )

    def _secret_time(self, settings: ConnectionSettings) -> datetime | None:
        """Now on the clock of the settings' client secret (see ApplicationRows.secret_time); None
        without a secret. Read before a transaction: an emulator's clock may have to be asked."""
        return self.applications.secret_time(settings.environment) if settings.client_secret else None

    def add(self, settings: ConnectionSettings) -> ConnectionRecord:
        secret_time = self._secret_time(settings)
        now = self.store.clock.now()
        values = self._row_values(settings, {})
        values.setdefault("client_secret_set_at", secret_time)
        values.update(version=1, created_at=now, updated_at=now)
        try:
            with self.store.transaction() as conn:
                if self._duplicate(settings.name, conn):
                    raise self._duplicate_error(settings.name)
                conn.execute(insert(table).values(**values))
                self.applications.bind(
                    conn, settings, changed=settings.client_secret is not None, now=secret_time
                )
        except StoreConflictError:
            if self._duplicate(settings.name):  # another process took the name meanwhile
                raise self._duplicate_error(settings.name) from None
            raise
        return self.get(settings.name)

    def save(self, record: ConnectionRecord, settings: ConnectionSettings, **fields: Any) -> ConnectionRecord:
        """Write new settings (and bookkeeping ``fields``) if nobody changed the row since ``record``.

        A client secret that differs from ``record``'s becomes its application's, for every connection."""
        secret_time = self._secret_time(settings)
        values = self._row_values(settings, record.unknown_settings)
        changed = settings.secret("client_secret") != record.settings.secret("client_secret")
        if changed and "client_secret_set_at" not in values:
            values["client_secret_set_at"] = secret_time
        values.update(fields, version=record.version + 1, updated_at=self.store.clock.now())
        try:
            with self.store.transaction() as conn:
                if self._duplicate(settings.name, conn, other_than=record.id):
                    raise self._duplicate_error(settings.name)
                result = conn.execute(
                    update(table)
                    .where(table.c.id == record.id)
                    .where(table.c.version == record.version)
                    .values(**values)
                )
                if result.rowcount != 1:
                    raise ConcurrentUpdateError(
                        f"Connection {record.name!r} was changed or removed by another process meanwhile.",
                        hint="Nothing was written; run the command again.",
                    )
                self.applications.bind(conn, settings, changed=changed, now=secret_time)
                if application_key(record.settings) != application_key(settings):
                    self._forget_unused(conn)
        except StoreConflictError:
            if self._duplicate(settings.name, other_than=record.id):
                raise self._duplicate_error(settings.name) from None
            raise
        return self.get_by_id(record.id)

    def remove(self, name: str) -> None:
        """Remove the connection (readable or not), and its application when no other connection uses it."""
        with self.store.transaction() as conn:
            row = conn.execute(
                select(table.c.id, table.c.settings, table.c.refresh_token).where(table.c.name == name)
            ).first()
            if row is None:
                raise self._not_found(name, list(conn.scalars(select(table.c.name).order_by(table.c.name))))
            conn.execute(delete(states_table).where(states_table.c.connection_id == row.id))
            conn.execute(delete(table).where(table.c.id == row.id))
            self._forget_unused(conn)
        try:
            token = self.store.box.decrypt(row.refresh_token, "refresh_token") if row.refresh_token else None
        except AmazonConnectorError:
            token = None
        if token:
            self.tokens.forget_tokens(subject_of(token))

    def _forget_unused(self, conn: DbConnection) -> None:
        """Forget the applications (and their secrets) no connection uses any more; while a connection
        cannot be read, it might use any of them: all are kept."""
        used: set[AppKey | None] = set()
        for text in conn.scalars(select(table.c.settings)):
            try:
                used.add(_key_of(text))
            except (ValueError, ConfigurationError):
                return
        for key in set(self.applications.keys(conn)) - used:
            self.applications.forget(conn, key)
