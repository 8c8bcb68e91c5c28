"""The Connections list: add, edit, remove, list, export and import, over one store."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx
from pydantic import ValidationError

from amazon_connector.auth.token_cache import TokenCache
from amazon_connector.clock import SYSTEM_CLOCK, Clock, FollowedClock
from amazon_connector.connections.applications import Applications
from amazon_connector.connections.connection import Connection
from amazon_connector.connections.model import (
    CREDENTIAL_FIELDS,
    SECRET_FIELDS,
    ConnectionSettings,
    to_configuration_error,
)
from amazon_connector.connections.store import (
    AppKey,
    Store,
    StoreRateBackend,
    UnreadableConnection,
    application_key,
)
from amazon_connector.connections.timeline import Timeline
from amazon_connector.errors import ConfigurationError, DuplicateConnectionError, IncompleteConfigurationError
from amazon_connector.http.clients import DEFAULT_TIMEOUT, HttpClients, HttpEngine
from amazon_connector.http.emulator_clock import EmulatorClock, FollowingClients
from amazon_connector.locations import default_home
from amazon_connector.marketplaces import is_emulator
from amazon_connector.runtime.limiter import MemoryBackend, RateBackend, RateLimiter

EXPORT_FORMAT = "amazon-connector/connections"
EXPORT_VERSION = 1


def _settings(data: Mapping[str, Any]) -> ConnectionSettings:
    try:
        return ConnectionSettings.model_validate(dict(data))
    except ValidationError as exc:
        raise to_configuration_error(exc) from None


RateLimits = Literal["memory", "store"] | RateBackend


def _max_wait(seconds: float | None) -> float | None:
    if seconds is not None and not seconds >= 0:
        raise ConfigurationError(
            f"max_wait must be a number of seconds, 0 or more, not {seconds!r}.", field="max_wait"
        )
    return seconds


class Connections:
    """Every configured connection, backed by a Store.

    ``rate_limits`` says where rate-limit buckets live: ``"store"`` (default) shares them with every
    process using the same store, ``"memory"`` keeps them in this process, or pass any RateBackend.
    ``timeout`` bounds every HTTP request (seconds, or an httpx.Timeout); ``http_engine`` says what
    carries the requests (see HttpEngine). ``max_wait`` bounds the seconds a call waits for its
    rate-limit slot (None: as long as the call's deadline, 15 minutes); past it the call raises
    ThrottledError without sending. ``clock`` (default: real time) is every connection's clock;
    without one, the connections to an emulator follow the emulator's clock (see timeline.py).
    """

    def __init__(
        self,
        store: Store,
        *,
        home: Path | None = None,
        clock: Clock | None = None,
        rate_limits: RateLimits = "store",
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_engine: HttpEngine = "urllib3+aiohttp",
        max_wait: float | None = None,
    ) -> None:
        self.store = store
        self.http_engine = http_engine
        self.max_wait = _max_wait(max_wait)
        self.home = home or default_home()
        self.clock: Clock = clock or SYSTEM_CLOCK
        """The clock given, else real time: Amazon's time, and every connection's when given."""
        self.follows_emulators = clock is None
        """Whether connections to an emulator run on the emulator's clock."""
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        backend: RateBackend
        if rate_limits == "store":
            backend = StoreRateBackend(store)
        elif rate_limits == "memory":
            backend = MemoryBackend()
        elif isinstance(rate_limits, str):
            raise ConfigurationError(
                f"rate_limits must be 'store', 'memory' or a RateBackend, not {rate_limits!r}.",
                field="rate_limits",
            )
        else:
            backend = rate_limits
        self._rate_backend = backend
        self._amazon = Timeline(
            self.clock,
            RateLimiter(backend, self.clock),
            TokenCache(store.tokens, clock=self.clock),
            lambda logging: HttpClients(
                timeout=self.timeout, extended_logging=logging, engine=self.http_engine
            ),
        )
        self._emulators: dict[str, Timeline] = {}
        self._lock = threading.Lock()
        store.clock_of = self.clock_of
        self.applications = Applications(
            store,
            http=lambda: self.http(extended_logging=False),
            connection_for=self._connection_for,
        )
        """The applications (client IDs) and their client secrets: status, rotation, notifications."""

    def _connection_for(self, application: AppKey) -> Connection:
        """A complete connection of the application, to call Amazon with."""
        for connection in self.list():
            if application_key(connection.settings) == application and not connection.settings.missing():
                return connection
        raise IncompleteConfigurationError(
            f"No complete connection uses client ID {application[0]}; one is needed to call Amazon.",
            hint="Complete a connection with this client ID (`amazon-connector connections edit`).",
        )

    @property
    def limiter(self) -> RateLimiter:
        """The rate limits of connections on ``clock`` (those to Amazon)."""
        return self._amazon.limiter

    @property
    def token_cache(self) -> TokenCache:
        """The access tokens of connections on ``clock`` (those to Amazon)."""
        return self._amazon.token_cache

    def http(self, *, extended_logging: bool) -> HttpClients:
        """The pooled HTTP clients shared by every connection on ``clock`` with this logging setting."""
        return self._amazon.http(extended_logging)

    def timeline(self, environment: str) -> Timeline:
        """What connections to ``environment`` run on: an emulator's own clock, unless a clock was given."""
        if not self.follows_emulators or not is_emulator(environment):
            return self._amazon
        with self._lock:
            if (found := self._emulators.get(environment)) is None:
                found = self._emulators[environment] = self._following(environment)
            return found

    def _following(self, environment: str) -> Timeline:
        clock = FollowedClock()
        follower = EmulatorClock(environment, clock)
        return Timeline(
            clock,
            RateLimiter(self._rate_backend, clock),
            TokenCache(self.store.tokens, clock=clock),
            lambda logging: FollowingClients(
                follower, timeout=self.timeout, extended_logging=logging, engine=self.http_engine
            ),
            follower,
        )

    def clock_of(self, environment: str) -> Clock:
        """The clock of connections to ``environment`` (an emulator's is read from it the first time)."""
        return self.timeline(environment).started()

    @classmethod
    def open(
        cls,
        database_url: str | None = None,
        *,
        home: Path | str | None = None,
        key: bytes | None = None,
        key_file: Path | str | None = None,
        clock: Clock | None = None,
        rate_limits: RateLimits = "store",
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_engine: HttpEngine = "urllib3+aiohttp",
        max_wait: float | None = None,
    ) -> Connections:
        """Open the store (default: SQLite in the user's data directory; see Store.open)."""
        home_path = Path(home) if home else default_home()
        return cls(
            Store.open(database_url, home=home_path, key=key, key_file=key_file, clock=clock or SYSTEM_CLOCK),
            home=home_path,
            clock=clock,
            rate_limits=rate_limits,
            timeout=timeout,
            http_engine=http_engine,
            max_wait=max_wait,
        )

    def close(self) -> None:
        with self._lock:
            timelines, self._emulators = [self._amazon, *self._emulators.values()], {}
        for timeline in timelines:
            timeline.close()
        self.store.close()

    def __enter__(self) -> Connections:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- the list ----------------------------------------------------------------------------

    def add(self, name: str, **settings: Any) -> Connection:
        """Save a new connection; any setting may be left out (it is then Configuration Incomplete)."""
        return Connection(self, self.store.connections.add(_settings({"name": name, **settings})))

    def get(self, name: str) -> Connection:
        return Connection(self, self.store.connections.get(name))

    def __getitem__(self, name: str) -> Connection:
        return self.get(name)

    def list(self) -> builtins.list[Connection]:
        """The connections that can be read (see ``unreadable`` for any that cannot)."""
        return [Connection(self, record) for record in self.store.connections.list()]

    def unreadable(self) -> builtins.list[UnreadableConnection]:
        """Stored connections this version cannot read (each can still be removed), and why."""
        return self.store.connections.unreadable()

    def names(self) -> builtins.list[str]:
        return self.store.connections.names()

    def edit(self, connection_name: str, /, **changes: Any) -> Connection:
        """Change settings (``name=`` renames); ``None`` clears a setting, ``advanced`` takes a partial mapping."""
        record = self.store.connections.get(connection_name)
        data = record.settings.model_dump()
        for field in SECRET_FIELDS:
            data[field] = record.settings.secret(field)
        advanced = changes.pop("advanced", None)
        if advanced:
            data["advanced"] = {**data["advanced"], **dict(advanced)}
        unknown = set(changes) - set(ConnectionSettings.model_fields)
        if unknown:
            raise ConfigurationError(
                f"Unknown setting(s): {', '.join(sorted(unknown))}.", field=sorted(unknown)[0]
            )
        data.update(changes)
        settings = _settings(data)
        extra: dict[str, Any] = {}
        old, new = record.settings, settings
        if old.authorisation_fingerprint() != new.authorisation_fingerprint() or old.secret(
            "refresh_token"
        ) != new.secret("refresh_token"):
            extra["authorised_at"] = None
        return Connection(self, self.store.connections.save(record, settings, **extra))

    def remove(self, name: str) -> None:
        """Remove the connection (even one that cannot be read) and everything stored for it."""
        self.store.connections.remove(name)

    # --- the list's own setting ---------------------------------------------------------------

    def extended_logging(self) -> bool | None:
        """The list's "Use Extended Logging": True when every connection logs extended, False when
        none does (or there are none), None when they differ."""
        values = {c.settings.advanced.extended_logging for c in self.list()}
        return values.pop() if len(values) == 1 else (None if values else False)

    def set_extended_logging(self, on: bool) -> builtins.list[Connection]:
        """Turn extended logging on or off for every connection; returns the connections changed."""
        return [
            self.edit(c.name, advanced={"extended_logging": on})
            for c in self.list()
            if c.settings.advanced.extended_logging != on
        ]

    # --- export / import -------------------------------------------------------------------

    def export(self, names: Iterable[str] | None = None) -> dict[str, Any]:
        """Connections without their credentials (client secret, refresh token, AWS keys)."""
        wanted = list(names) if names else self.names()
        items = [
            self.store.connections.get(n).settings.model_dump(mode="json", exclude=set(CREDENTIAL_FIELDS))
            for n in wanted
        ]
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "connections": items}

    def import_(
        self, document: Mapping[str, Any], *, skip_existing: bool = False
    ) -> builtins.list[Connection]:
        """Add the exported connections; they arrive Configuration Incomplete (no credentials)."""
        if document.get("format") != EXPORT_FORMAT or not isinstance(document.get("connections"), list):
            raise ConfigurationError(
                "This is not an amazon-connector export.",
                hint="Import a file written by `amazon-connector connections export`.",
            )
        if document.get("version") != EXPORT_VERSION:
            raise ConfigurationError(f"Export version {document.get('version')!r} is not supported.")
        incoming: builtins.list[ConnectionSettings] = []
        for index, item in enumerate(document["connections"]):
            if not isinstance(item, dict):
                raise ConfigurationError(f"Entry {index + 1} of the export is not an object.")
            try:
                incoming.append(_settings({k: v for k, v in item.items() if k not in CREDENTIAL_FIELDS}))
            except ConfigurationError as exc:
                raise ConfigurationError(f"Entry {index + 1} ({item.get('name')!r}): {exc}") from None
        names = [s.name for s in incoming]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise DuplicateConnectionError(
                f"The export names {', '.join(repeated)} more than once; nothing was imported."
            )
        existing: set[str] = set(self.names())
        clashes = [s.name for s in incoming if s.name in existing]
        if clashes and not skip_existing:
            raise DuplicateConnectionError(
                f"Connections named {', '.join(clashes)} exist already; nothing was imported.",
                hint="Remove or rename them first, or import with --skip-existing.",
            )
        return [Connection(self, self.store.connections.add(s)) for s in incoming if s.name not in existing]
