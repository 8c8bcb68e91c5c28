"""Seller Central's consent flow: the consent page, Confirm or Cancel, the Log-in URI hop, the redirect."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from amazon_connector.sandbox.authorisations import CodeGrant, ConsentRequest, Hop
from amazon_connector.sandbox.context import Sandbox, SandboxDep
from amazon_connector.sandbox.pages import error_page, page, redirect
from amazon_connector.sandbox.world import App

router = APIRouter(prefix="/apps/authorize", include_in_schema=False)

CALLBACK_PATH = "/apps/authorize/callback"


class ConsentError(Exception):
    """A consent request Seller Central refuses with an error page."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def page(self) -> HTMLResponse:
        return error_page(self.code, self.message)


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` added to its query."""
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _app(sandbox: Sandbox, application_id: str | None) -> App:
    app = sandbox.world.app(application_id or "")
    if app is None:
        raise ConsentError("UnknownApplication", f"There is no application with the ID {application_id!r}.")
    return app


def _check_version(app: App, version: str | None) -> None:
    if app.draft and version != "beta":
        raise ConsentError(
            "MD1000",
            "This application is in Draft state. Add version=beta to the authorisation URI to authorise it "
            "for testing.",
        )


def _redirect_uri(app: App, given: str | None) -> str:
    """The redirect URI asked for (MD5110 with a fragment, MD5101 if not registered), else the first one."""
    if not given:
        return app.redirect_uris[0]
    if "#" in given:
        raise ConsentError("MD5110", "The redirect URI must not contain a fragment (#).")
    if given not in app.redirect_uris:
        raise ConsentError(
            "MD5101", "The redirect URI is not one of the application's registered redirect URIs."
        )
    return given


def _to_client(
    sandbox: Sandbox, app: App, redirect_uri: str, state: str | None, selling_partner_id: str
) -> Response:
    """Redirect the browser to the app's redirect URI with a fresh authorisation code."""
    code = sandbox.authorisations.codes.issue(CodeGrant(app.client_id, selling_partner_id, redirect_uri))
    params = {"state": state} if state is not None else {}
    params |= {"selling_partner_id": selling_partner_id, "spapi_oauth_code": code}
    return redirect(with_query(redirect_uri, params))


@router.get("/consent")
async def consent(
    sandbox: SandboxDep,
    application_id: str | None = None,
    state: str | None = None,
    redirect_uri: str | None = None,
    version: str | None = None,
) -> Response:
    """The page where the seller signs in and sees which app asks for access."""
    try:
        app = _app(sandbox, application_id)
        _check_version(app, version)
        target = _redirect_uri(app, redirect_uri)
    except ConsentError as refusal:
        return refusal.page()
    session = sandbox.authorisations.pages.issue(ConsentRequest(app.app_id, target, state, version == "beta"))
    destination = urlsplit(app.login_uri or target).netloc
    return page(
        "consent.html", app=app, sellers=sandbox.world.sellers, session=session, destination=destination
    )


@router.post("/confirm")
async def confirm(
    request: Request,
    sandbox: SandboxDep,
    consent_session: Annotated[str, Form()] = "",
    selling_partner_id: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    """Confirm: on to the Log-in URI or the redirect URI. Cancel: nothing is sent to the app."""
    consent = sandbox.authorisations.pages.take(consent_session)
    if consent is None:
        return error_page("ConsentExpired", "This consent page expired or was already used; start again.")
    app = _app(sandbox, consent.app_id)
    if action == "cancel":
        return page("cancelled.html", app=app)
    if sandbox.world.seller(selling_partner_id) is None:
        return error_page("UnknownSeller", "Choose one of the listed seller accounts to sign in.")
    if app.login_uri is None:
        return _to_client(sandbox, app, consent.redirect_uri, consent.state, selling_partner_id)
    amazon_state = sandbox.authorisations.hops.issue(Hop(consent, selling_partner_id))
    params = {
        "amazon_callback_uri": str(request.base_url).rstrip("/") + CALLBACK_PATH,
        "amazon_state": amazon_state,
        "selling_partner_id": selling_partner_id,
    }
    if app.draft:
        params["version"] = "beta"
    return redirect(with_query(app.login_uri, params))


@router.get("/callback")
async def callback(
    sandbox: SandboxDep,
    amazon_state: str | None = None,
    state: str | None = None,
    redirect_uri: str | None = None,
    version: str | None = None,
) -> Response:
    """Where the app's Log-in URI sends the browser back; then on to the redirect URI."""
    hop = sandbox.authorisations.hops.take(amazon_state or "")
    if hop is None:
        return error_page("InvalidAmazonState", "The amazon_state is unknown, expired or was already used.")
    try:
        app = _app(sandbox, hop.consent.app_id)
        _check_version(app, version)
        target = _redirect_uri(app, redirect_uri) if redirect_uri else hop.consent.redirect_uri
    except ConsentError as refusal:
        return refusal.page()
    return _to_client(
        sandbox, app, target, hop.consent.state if state is None else state, hop.selling_partner_id
    )
