"""Applications and their client secrets: kept once for every connection with the same client ID and
Login with Amazon endpoint, with the rules of a rotation (the replaced secret stays usable a while)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection as DbConnection

from amazon_connector.connections.model import OLD_SECRET_LIFETIME, ApplicationRecord, ConnectionSettings
from amazon_connector.connections.store.access import Database
from amazon_connector.connections.store.schema import applications_table as table
from amazon_connector.connections.store.times import utc
from amazon_connector.errors import ConcurrentUpdateError
from amazon_connector.marketplaces import lwa_token_url, token_url_environment

AppKey = tuple[str, str]
"""An application: its client ID and Login with Amazon's token URL."""

_SECRETS = ("client_secret", "previous_secret")


def application_key(settings: ConnectionSettings) -> AppKey | None:
    """The application whose client secret a connection uses; None without a client ID."""
    return (settings.client_id, lwa_token_url(settings.environment)) if settings.client_id else None


def _where(key: AppKey) -> tuple[Any, ...]:
    return table.c.client_id == key[0], table.c.token_url == key[1]


class ApplicationRows:
    """The ``applications`` table."""

    def __init__(self, store: Database) -> None:
        self.store = store

    def _record(self, row: Any) -> ApplicationRecord:
        box = self.store.box
        secrets = {
            f: box.decrypt(token, f"application.{f}") if (token := getattr(row, f)) else None
            for f in _SECRETS
        }
        return ApplicationRecord(
            id=row.id,
            client_id=row.client_id,
            token_url=row.token_url,
            client_secret=secrets["client_secret"],
            secret_issued_at=utc(row.secret_issued_at),
            secret_expires_at=utc(row.secret_expires_at),
            previous_secret=secrets["previous_secret"],
            previous_expires_at=utc(row.previous_expires_at),
            rotation_requested_at=utc(row.rotation_requested_at),
            queue_url=row.queue_url,
            aws_region=row.aws_region,
            aws_profile=row.aws_profile,
            version=row.version,
            updated_at=utc(row.updated_at),
        )

    def by_key(self, conn: DbConnection) -> dict[AppKey, ApplicationRecord]:
        rows = conn.execute(select(table).order_by(table.c.client_id)).all()
        return {(r.client_id, r.token_url): self._record(r) for r in rows}

    def _encrypted(self, values: dict[str, Any]) -> dict[str, Any]:
        box = self.store.box
        return {
            k: box.encrypt(v, f"application.{k}") if k in _SECRETS and v is not None else v
            for k, v in values.items()
        }

    def secret_time(self, environment: str) -> datetime:
        """Now, for a client secret of ``environment``: on that environment's clock (an emulator's own),
        which Amazon's times about the secret (expiry, rotation) are on too."""
        return self.store.clock_of(environment).now()

    @staticmethod
    def _secret_change(
        application: ApplicationRecord | None,
        secret: str | None,
        now: datetime | None,
        *,
        old_expires_at: datetime | None = None,
        new_expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Column values that make ``secret`` current from ``now``; the replaced one stays usable until
        ``old_expires_at`` (default: 7 days after its rotation was requested, or from now)."""
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
        assert now is not None, "a new secret comes with the time on its clock"
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

    def bind(
        self, conn: DbConnection, settings: ConnectionSettings, *, changed: bool, now: datetime | None
    ) -> None:
        """Give a client-ID connection's secret to its application (created if new) when the caller
        ``changed`` it or the application has none; otherwise the application's secret stands. ``now``
        is the time on the secret's clock (see secret_time; None without a secret)."""
        key = application_key(settings)
        if key is None:
            return
        secret = settings.secret("client_secret")
        row = conn.execute(select(table).where(*_where(key))).first()
        if row is None:
            values = self._secret_change(None, secret, now) if secret else {}
            conn.execute(
                insert(table).values(
                    client_id=key[0],
                    token_url=key[1],
                    version=1,
                    updated_at=self.store.clock.now(),
                    **self._encrypted(values),
                )
            )
            return
        current = self._record(row)
        if (changed or current.client_secret is None) and secret != current.secret():
            conn.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(
                    **self._encrypted(self._secret_change(current, secret, now)),
                    version=row.version + 1,
                    updated_at=self.store.clock.now(),
                )
            )

    def keys(self, conn: DbConnection) -> builtins.list[AppKey]:
        return [
            (r.client_id, r.token_url) for r in conn.execute(select(table.c.client_id, table.c.token_url))
        ]

    def forget(self, conn: DbConnection, key: AppKey) -> None:
        """Delete the application and its secrets (no connection uses it any more)."""
        conn.execute(delete(table).where(*_where(key)))

    def get(self, client_id: str, token_url: str) -> ApplicationRecord | None:
        with self.store.transaction() as conn:
            row = conn.execute(select(table).where(*_where((client_id, token_url)))).first()
        return self._record(row) if row is not None else None

    def all(self) -> builtins.list[ApplicationRecord]:
        with self.store.transaction() as conn:
            return list(self.by_key(conn).values())

    def update(self, application: ApplicationRecord, **changes: Any) -> ApplicationRecord:
        """Write ``changes`` (column values; secrets in plain text) if nobody changed the application
        since ``application`` was read."""
        with self.store.transaction() as conn:
            result = conn.execute(
                update(table)
                .where(table.c.id == application.id)
                .where(table.c.version == application.version)
                .values(
                    **self._encrypted(changes),
                    version=application.version + 1,
                    updated_at=self.store.clock.now(),
                )
            )
            if result.rowcount != 1:
                raise ConcurrentUpdateError(
                    f"The application {application.client_id} was changed by another process meanwhile.",
                    hint="Nothing was written; run the command again.",
                )
        updated = self.get(application.client_id, application.token_url)
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
        now = self.secret_time(token_url_environment(application.token_url))
        return self.update(
            application,
            **self._secret_change(
                application, secret, now, old_expires_at=old_expires_at, new_expires_at=new_expires_at
            ),
        )
