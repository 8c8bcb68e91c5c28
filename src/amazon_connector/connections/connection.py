"""A live connection: its settings plus the actions Authorise, Test Connection and Log Out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from amazon_connector.auth.authenticator import Authenticator
from amazon_connector.auth.lwa import LwaClient, LwaCredentials
from amazon_connector.auth.token_cache import subject_of
from amazon_connector.clock import Clock
from amazon_connector.connections.applications import Applications
from amazon_connector.connections.authorisation import AuthorisationFlow, complete_authorisation
from amazon_connector.connections.model import ConnectionRecord, ConnectionSettings, Mode, Status
from amazon_connector.connections.store import Store
from amazon_connector.connections.test_connection import CheckStep, TestReport, collect
from amazon_connector.connections.timeline import Timeline
from amazon_connector.errors import ConfigurationError, IncompleteConfigurationError
from amazon_connector.http.clients import HttpClients
from amazon_connector.http.drivers import arun, astream, run, stream
from amazon_connector.marketplaces import Endpoints, Marketplace, endpoints_for
from amazon_connector.runtime.caller import Caller
from amazon_connector.runtime.decisions import CallPolicy
from amazon_connector.runtime.documents import (
    AsyncDocumentReader,
    DocumentKind,
    DocumentReader,
    document_plan,
    upload_plan,
)
from amazon_connector.runtime.sigv4 import IamUser, Signer
from amazon_connector.runtime.spapi import ApiResponse


class Shared(Protocol):
    """What the connections of one store share (Connections): the store, the data directory, the
    applications, and per environment a timeline (its clock, token cache, rate limiter, HTTP clients)."""

    store: Store
    home: Path
    max_wait: float | None
    applications: Applications

    def timeline(self, environment: str) -> Timeline: ...


class Connection:
    """One seller account in one country, bound to the store it lives in."""

    def __init__(self, owner: Shared, record: ConnectionRecord) -> None:
        self._owner = owner
        self.record = record
        self.store: Store = owner.store
        self.home: Path = owner.home

    def __repr__(self) -> str:
        return f"<Connection {self.name!r} {self.record.settings.country or '?'} {self.status}>"

    # --- state -------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def settings(self) -> ConnectionSettings:
        return self.record.settings

    @property
    def status(self) -> Status:
        return self.record.status

    def _require(self) -> None:
        missing = self.settings.missing()
        if missing:
            raise IncompleteConfigurationError(
                f"Connection {self.name!r} is Configuration Incomplete: missing {', '.join(missing)}.",
                missing=missing,
                hint=f"Set them with `amazon-connector connections edit {self.name}`.",
            )

    @property
    def marketplace(self) -> Marketplace:
        self._require()
        market = self.settings.marketplace
        assert market is not None
        return market

    @property
    def endpoints(self) -> Endpoints:
        return endpoints_for(self.marketplace, self.settings.environment)

    @property
    def timeline(self) -> Timeline:
        """What the connection runs on: its environment's clock, rate limits, tokens and HTTP clients."""
        return self._owner.timeline(self.settings.environment)

    @property
    def clock(self) -> Clock:
        """The clock of the connection's environment: an emulator's own (read from it at first use)
        unless Connections.open was given a clock; else the clock given, or real time."""
        return self.timeline.started(self.http)

    @property
    def http(self) -> HttpClients:
        return self.timeline.http(self.settings.advanced.extended_logging)

    @cached_property
    def lwa(self) -> LwaClient:
        self._require()
        s = self.settings
        assert s.client_id is not None
        secrets = self._owner.applications.secret_source((s.client_id, self.endpoints.lwa_token_url))
        return LwaClient(
            LwaCredentials(self.endpoints.lwa_token_url, s.client_id, secrets.current()),
            self.http,
            clock=self.clock,
            secrets=secrets,
        )

    @cached_property
    def authenticator(self) -> Authenticator:
        return Authenticator(self.lwa, self.timeline.token_cache, self.settings.secret("refresh_token"))

    @cached_property
    def caller(self) -> Caller:
        """Calls SP-API operations with this connection's credentials and Advanced settings."""
        self._require()
        s = self.settings
        assert s.client_id is not None
        refresh_token = s.secret("refresh_token")
        return Caller(
            base_url=self.endpoints.sp_api,
            region=self.endpoints.aws_region,
            http=self.http,
            limiter=self.timeline.limiter,
            authenticator=self.authenticator,
            client_id=s.client_id,
            selling_partner=s.selling_partner_id or (subject_of(refresh_token) if refresh_token else ""),
            marketplace_id=self.marketplace.marketplace_id,
            policy=CallPolicy(
                retries=s.advanced.retries, retry_wait=s.advanced.retry_wait, max_wait=self._owner.max_wait
            ),
            clock=self.clock,
            environment=s.environment,
            signer=self._signer(),
        )

    def _signer(self) -> Signer | None:
        s = self.settings
        if not s.advanced.sign_requests:
            return None
        key_id, secret = s.aws_access_key_id, s.secret("aws_secret_access_key")
        if not key_id or not secret:
            raise IncompleteConfigurationError(
                f"Connection {self.name!r} signs requests but has no AWS IAM keys.",
                missing=[
                    label for label, v in (("AWS Access Key", key_id), ("AWS Secret Key", secret)) if not v
                ],
                hint=f"Enter them with `amazon-connector connections edit {self.name}`, or turn signing off "
                "(--no-sign-requests): Amazon no longer requires it.",
            )
        return Signer(
            IamUser(key_id, secret, s.aws_role_arn),
            region=self.endpoints.aws_region,
            sts_url=self.endpoints.sts_url,
            clock=self.clock,
        )

    def reload(self) -> ConnectionRecord:
        """Read the connection again from the store (another process may have changed it)."""
        return self._reload(self.store.connections.get_by_id(self.record.id))

    def _reload(self, record: ConnectionRecord) -> ConnectionRecord:
        self.record = record
        for name in ("lwa", "authenticator", "caller"):
            self.__dict__.pop(name, None)
        return record

    # --- SP-API --------------------------------------------------------------------------------

    def call(
        self,
        operation: str,
        /,
        *,
        data_elements: Iterable[str] | None = None,
        paginate: bool = True,
        max_wait: float | None = None,
        **params: Any,
    ) -> ApiResponse:
        """Call any SP-API operation, e.g. ``call("getOrders", CreatedAfter=...)``: parameters are named
        as in Amazon's reference (``body=`` for a request body); required marketplace IDs default to
        the connection's. Tokens, Restricted Data Tokens, rate limits and retries are handled. With
        ``paginate`` (the default) the answer follows the later pages: iterate it for every record;
        ``paginate=False`` gives one page and its ``next_token``. ``max_wait`` bounds the wait for the
        call's rate-limit slot in seconds (default: Connections.open's ``max_wait``)."""
        return self.caller.call(
            operation, data_elements=data_elements, paginate=paginate, max_wait=max_wait, **params
        )

    async def acall(
        self,
        operation: str,
        /,
        *,
        data_elements: Iterable[str] | None = None,
        paginate: bool = True,
        max_wait: float | None = None,
        **params: Any,
    ) -> ApiResponse:
        """The async twin of call."""
        return await self.caller.acall(
            operation, data_elements=data_elements, paginate=paginate, max_wait=max_wait, **params
        )

    def open_document(
        self,
        document_id: str,
        *,
        kind: DocumentKind = "report",
        raw: bool = False,
        restricted: bool = False,
    ) -> DocumentReader:
        """A report (or feed result) document as a stream: ``.head``, then its bytes (iterate) or its
        text in UTF-8 (``.text()``, a file object); gunzipped unless ``raw``, a dropped transfer
        resumed. Use it with ``with``. A restricted report type's document needs an RDT: fetched when
        Amazon refuses the plain call, or at once if ``restricted`` says so (one call fewer)."""
        plan = document_plan(self.caller, document_id, kind=kind, raw=raw, restricted=restricted)
        return DocumentReader(stream(plan))

    def aopen_document(
        self,
        document_id: str,
        *,
        kind: DocumentKind = "report",
        raw: bool = False,
        restricted: bool = False,
    ) -> AsyncDocumentReader:
        """The async twin of open_document: ``async with connection.aopen_document(...) as document``."""
        plan = document_plan(self.caller, document_id, kind=kind, raw=raw, restricted=restricted)
        return AsyncDocumentReader(astream(plan))

    def download_document(self, report_document_id: str, *, kind: DocumentKind = "report") -> bytes:
        """A (small) document's content in memory, decompressed; large ones: open_document."""
        with self.open_document(report_document_id, kind=kind) as document:
            return b"".join(document)

    async def adownload_document(self, report_document_id: str, *, kind: DocumentKind = "report") -> bytes:
        async with self.aopen_document(report_document_id, kind=kind) as document:
            return b"".join([piece async for piece in document])

    def upload_document(self, content: bytes, content_type: str) -> str:
        """Upload a feed's content; returns the feedDocumentId for createFeed's inputFeedDocumentId."""
        return run(upload_plan(self.caller, content, content_type))

    async def aupload_document(self, content: bytes, content_type: str) -> str:
        return await arun(upload_plan(self.caller, content, content_type))

    # --- actions -----------------------------------------------------------------------------

    def start_authorisation(self, *, listen: bool = True) -> AuthorisationFlow:
        """Authorise in standard mode: start the consent flow in Seller Central (its ``url`` to open;
        with ``listen`` a loopback redirect URI is listened on). Restricted Data Access Mode has no
        consent flow: see verify_refresh_token."""
        self._require()
        if self.settings.mode is Mode.RESTRICTED:
            raise ConfigurationError(
                f"Connection {self.name!r} is in Restricted Data Access Mode, which authorises without "
                "the consent page.",
                field="mode",
                hint="Verify its refresh token instead (verify_refresh_token).",
            )
        return AuthorisationFlow(self, listen=listen)

    start_authorization = start_authorisation

    def verify_refresh_token(self) -> ConnectionRecord:
        """Authorise in Restricted Data Access Mode: Login with Amazon checks the client credentials and
        the self-authorised refresh token; returns the record, now authorised."""
        self._require()
        if self.settings.mode is not Mode.RESTRICTED:
            raise ConfigurationError(
                f"Connection {self.name!r} authorises through the consent page (standard mode).",
                field="mode",
                hint="Start the consent flow instead (start_authorisation).",
            )
        self.authenticator.access_token()
        return self._reload(
            self.store.connections.save(
                self.record, self.settings, authorised_at=self.store.clock.now(), logged_out_at=None
            )
        )

    def complete_authorisation(self, landed_url: str) -> ConnectionRecord:
        """Finish an authorisation with the address the browser landed on (any process may do it)."""
        return complete_authorisation(self, landed_url)

    def store_authorisation(self, refresh_token: str, selling_partner_id: str | None) -> ConnectionRecord:
        """Keep what a completed consent flow produced."""
        current = self.store.connections.get_by_id(self.record.id)
        settings = current.settings.model_copy()
        settings.refresh_token = refresh_token  # type: ignore[assignment]  # validated into SecretStr
        if selling_partner_id:
            settings.selling_partner_id = selling_partner_id
        return self._reload(
            self.store.connections.save(
                current, settings, authorised_at=self.store.clock.now(), logged_out_at=None
            )
        )

    def test(self, on_step: Callable[[CheckStep], None] | None = None) -> TestReport:
        """Run Test Connection; ``on_step`` sees each step as it finishes. The result is recorded."""
        report = collect(self, on_step)
        current = self.store.connections.get_by_id(self.record.id)
        self._reload(
            self.store.connections.save(
                current,
                current.settings,
                last_test_ok=report.ok,
                last_test_at=report.started_at,
                last_test_summary=report.summary,
            )
        )
        return report

    def logout(self) -> ConnectionRecord:
        """Forget the refresh token and cached tokens; keep every other setting."""
        current = self.store.connections.get_by_id(self.record.id)
        if token := current.settings.secret("refresh_token"):
            self.timeline.token_cache.forget(subject_of(token))
        settings = current.settings.model_copy()
        settings.refresh_token = None
        return self._reload(
            self.store.connections.save(
                current,
                settings,
                authorised_at=None,
                logged_out_at=self.store.clock.now(),
                last_test_ok=None,
                last_test_at=None,
                last_test_summary=None,
            )
        )

    log_out = logout
