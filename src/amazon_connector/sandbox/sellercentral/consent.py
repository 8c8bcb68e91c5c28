"""Seller Central's consent flow: the consent page, Confirm or Cancel, the Log-in URI hop, the redirect."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from amazon_connector.sandbox.context import Sandbox, own_url, sandbox_of
from amazon_connector.sandbox.sellercentral.authorisations import CodeGrant, ConsentRequest, Hop
from amazon_connector.sandbox.sellercentral.html import error_page, page, redirect
from amazon_connector.sandbox.world import App

PREFIX = "/apps/authorize"
CALLBACK_PATH = PREFIX + "/callback"


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


async def consent(request: Request) -> Response:
    """The page where the seller signs in and sees which app asks for access."""
    sandbox, params = sandbox_of(request), request.query_params
    state, version = params.get("state"), params.get("version")
    try:
        app = _app(sandbox, params.get("application_id"))
        _check_version(app, version)
        target = _redirect_uri(app, params.get("redirect_uri"))
    except ConsentError as refusal:
        return refusal.page()
    session = sandbox.authorisations.pages.issue(ConsentRequest(app.app_id, target, state, version == "beta"))
    destination = urlsplit(app.login_uri or target).netloc
    return page(
        "consent.html", app=app, sellers=sandbox.world.sellers, session=session, destination=destination
    )


async def confirm(request: Request) -> Response:
    """Confirm: on to the Log-in URI or the redirect URI. Cancel: nothing is sent to the app."""
    sandbox = sandbox_of(request)
    form = await request.form()
    consent_session, selling_partner_id, action = (
        str(form.get(name) or "") for name in ("consent_session", "selling_partner_id", "action")
    )
    consent = sandbox.authorisations.pages.take(consent_session)
    if consent is None:
        return error_page("ConsentExpired", "This consent page expired or was already used; start again.")
    app = _app(sandbox, consent.app_id)
    if action == "cancel":
        return page("cancelled.html", app=app)
    if sandbox.world.seller(selling_partner_id) is None:
        return error_page("UnknownSeller", "Choose one of the listed seller accounts to sign in.")
    if app.private and selling_partner_id not in app.owners:
        return error_page(
            "PrivateApplication",
            "This application is private: only its developer's own selling accounts can authorise it.",
        )
    if app.login_uri is None:
        return _to_client(sandbox, app, consent.redirect_uri, consent.state, selling_partner_id)
    amazon_state = sandbox.authorisations.hops.issue(Hop(consent, selling_partner_id))
    params = {
        "amazon_callback_uri": own_url(request.scope) + CALLBACK_PATH,
        "amazon_state": amazon_state,
        "selling_partner_id": selling_partner_id,
    }
    if app.draft:
        params["version"] = "beta"
    return redirect(with_query(app.login_uri, params))


async def callback(request: Request) -> Response:
    """Where the app's Log-in URI sends the browser back; then on to the redirect URI."""
    sandbox, params = sandbox_of(request), request.query_params
    state, redirect_uri = params.get("state"), params.get("redirect_uri")
    hop = sandbox.authorisations.hops.take(params.get("amazon_state") or "")
    if hop is None:
        return error_page("InvalidAmazonState", "The amazon_state is unknown, expired or was already used.")
    try:
        app = _app(sandbox, hop.consent.app_id)
        _check_version(app, params.get("version"))
        target = _redirect_uri(app, redirect_uri) if redirect_uri else hop.consent.redirect_uri
    except ConsentError as refusal:
        return refusal.page()
    return _to_client(
        sandbox, app, target, hop.consent.state if state is None else state, hop.selling_partner_id
    )


ROUTES = [
    Route(PREFIX + "/consent", consent, methods=["GET"]),
    Route(PREFIX + "/confirm", confirm, methods=["POST"]),
    Route(CALLBACK_PATH, callback, methods=["GET"]),
]
