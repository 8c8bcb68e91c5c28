"""Authorise (the website authorisation workflow) and its Restricted Data Access Mode counterpart."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from amazon_connector.auth.consent import (
    STATE_LIFETIME,
    check_callback,
    consent_url,
    is_amazon_callback,
    login_hop_url,
    new_state,
    parse_callback,
)
from amazon_connector.auth.lwa import LwaClient, code_grant
from amazon_connector.clock import Clock
from amazon_connector.connections.model import ConnectionRecord, ConnectionSettings
from amazon_connector.connections.store import Store
from amazon_connector.errors import AmazonConnectorError, AuthorisationError, StateError
from amazon_connector.http.drivers import run
from amazon_connector.marketplaces import Endpoints

if TYPE_CHECKING:
    from amazon_connector.serving import ServerThread


class Authorised(Protocol):
    """What an authorisation needs of its connection (see Connection)."""

    @property
    def record(self) -> ConnectionRecord: ...
    @property
    def settings(self) -> ConnectionSettings: ...
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def home(self) -> Path: ...
    @property
    def endpoints(self) -> Endpoints: ...
    @property
    def lwa(self) -> LwaClient: ...
    def reload(self) -> ConnectionRecord: ...
    def store_authorisation(self, refresh_token: str, selling_partner_id: str | None) -> ConnectionRecord: ...


def _unknown_state() -> StateError:
    return StateError(
        "The state in that address is unknown or was already used.",
        hint="Each authorisation can be completed once; run authorise again.",
    )


def complete_authorisation(connection: Authorised, landed_url: str) -> ConnectionRecord:
    """Check the state in the address the browser landed on, exchange the code at once, store the
    refresh token and selling partner ID. Works in another process than the one that started.

    The state is used up only once it proved to be this connection's and still valid, so that an
    address pasted into the wrong connection leaves the right one's authorisation intact."""
    callback = parse_callback(landed_url)
    pending = connection.store.states.find(callback.state)
    if pending is None:
        raise _unknown_state()
    if pending.connection_id != connection.record.id:
        raise StateError(
            "That address belongs to the authorisation of another connection.",
            hint="Paste it into the connection you clicked Authorise for; its authorisation is still waiting.",
        )
    if pending.expires_at <= connection.store.clock.now():
        raise StateError(
            "The authorisation expired: more than 5 minutes passed since it started.",
            hint="Run authorise again and confirm on the consent page within 5 minutes.",
        )
    if connection.store.states.consume(callback.state) is None:
        raise _unknown_state()  # completed meanwhile by another process or thread
    code = check_callback(callback)
    connection.reload()
    if connection.settings.authorisation_fingerprint() != pending.fingerprint:
        raise AuthorisationError(
            "The connection's app, client ID, environment or region changed while it was being authorised.",
            hint="Run authorise again with the new settings.",
        )
    token = run(connection.lwa.exchange(code_grant(code, pending.redirect_uri)))
    if not token.refresh_token:
        raise AuthorisationError("Login with Amazon returned no refresh token for the authorisation code.")
    return connection.store_authorisation(token.refresh_token, callback.selling_partner_id)


class AuthorisationFlow:
    """One authorisation in progress: the consent URL to open, and how the answer comes back.

    The answer arrives at the loopback listener (when the redirect URI is a loopback address), or is
    given to complete() as the address the browser landed on. It waits for a person, so its state lives
    on the store's clock (real time), even against an emulator that runs faster.
    """

    def __init__(self, connection: Authorised, *, listen: bool = True) -> None:
        self.connection = connection
        settings = connection.settings
        self.redirect_uri = settings.effective_redirect_uri
        self.state = new_state()
        self.expires_at: datetime = connection.store.clock.now() + timedelta(seconds=STATE_LIFETIME)
        connection.store.states.save(
            self.state,
            connection.record.id,
            self.redirect_uri,
            settings.authorisation_fingerprint(),
            self.expires_at,
        )
        assert settings.app_id is not None
        self.url = consent_url(
            connection.endpoints.consent_url,
            app_id=settings.app_id,
            state=self.state,
            redirect_uri=self.redirect_uri,
            draft=settings.draft_app,
        )
        self.result: ConnectionRecord | None = None
        self.error: AmazonConnectorError | None = None
        self._done = threading.Event()
        self._server: ServerThread | None = None
        if listen:
            self._listen(connection.home / "tls")

    def _listen(self, tls_dir: Path) -> None:
        """Receive the redirect ourselves when the redirect URI is a loopback address with a port (the
        listener, a local web server, loads only then)."""
        from amazon_connector.auth.listener import listens_locally, start_listener

        if listens_locally(self.redirect_uri):
            self._server = start_listener(
                self.redirect_uri, self._on_callback, self.login_hop, tls_dir=tls_dir
            )

    @property
    def listening(self) -> bool:
        return self._server is not None

    # --- what comes back -----------------------------------------------------------------------

    def complete(self, landed_url: str) -> ConnectionRecord:
        """Finish with the address the browser landed on (see complete_authorisation)."""
        record = complete_authorisation(self.connection, landed_url)
        self.result = record
        self._done.set()
        return record

    def _on_callback(self, url: str) -> str:
        try:
            record = self.complete(url)
        except AmazonConnectorError as exc:
            if isinstance(exc, StateError):
                raise  # a stray or replayed redirect: keep waiting for the real one
            self.error = exc
            self._done.set()
            raise
        spid = record.settings.selling_partner_id or "the seller"
        return f"Connection {record.name!r} is authorised for {spid}. You can close this window."

    def login_hop(self, params: Mapping[str, str]) -> str:
        """The app's Log-in URI was called with these query parameters: where the browser goes next."""
        callback_uri = params.get("amazon_callback_uri", "")
        amazon_state = params.get("amazon_state", "")
        if not amazon_state or not is_amazon_callback(
            callback_uri, self.connection.endpoints.seller_central_url
        ):
            raise AuthorisationError(
                "The Log-in URI was called without a valid amazon_callback_uri and amazon_state."
            )
        if self._done.is_set() or self.connection.store.clock.now() >= self.expires_at:
            raise StateError("This authorisation is over; run authorise again.")
        return login_hop_url(
            callback_uri,
            amazon_state=amazon_state,
            state=self.state,
            redirect_uri=self.redirect_uri,
            draft=self.connection.settings.draft_app,
        )

    def wait(self, timeout: float | None = None) -> ConnectionRecord:
        """Block until the listener received Amazon's redirect, or the state expired."""
        if self._server is None:
            raise AuthorisationError(
                f"Nothing listens on {self.redirect_uri}: it is not a loopback address with a port.",
                hint="Paste the address the browser landed on instead (complete()).",
            )
        limit = max(0.0, (self.expires_at - self.connection.store.clock.now()).total_seconds())
        if not self._done.wait(limit if timeout is None else min(timeout, limit)):
            raise AuthorisationError(
                "No answer came back from the consent page in time.",
                hint="If you clicked Cancel nothing is sent back; run authorise again and click Confirm.",
            )
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> AuthorisationFlow:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
