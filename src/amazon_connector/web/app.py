"""The connection dialog as a local web page: the Connections list, the General and Advanced nodes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from amazon_connector.auth.consent import STATE_LIFETIME
from amazon_connector.connections import (
    Connection,
    ConnectionRecord,
    Connections,
    Mode,
    SecretLevel,
    Status,
)
from amazon_connector.connections.secret_status import ROTATION_DOCS
from amazon_connector.errors import (
    AmazonConnectorError,
    ConfigurationError,
    ConnectionNotFoundError,
    UnreadableConnectionError,
)
from amazon_connector.version import __version__
from amazon_connector.web.authorising import (
    CALLBACK_PATH,
    LOGIN_HOP_PATH,
    PendingAuthorisations,
    callback_url,
    comes_back_here,
)
from amazon_connector.web.flashes import Flashes
from amazon_connector.web.forms import (
    DETAIL_FIELDS,
    SECRET_PLACEHOLDER,
    advanced_changes,
    advanced_fields,
    errors_by_field,
    general_changes,
    general_fields,
    missing_fields,
)
from amazon_connector.web.runs import Runs, TestRun, run_events
from amazon_connector.web.security import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Guard,
    GuardMiddleware,
    LoginThrottle,
    same_origin,
)
from amazon_connector.web.steps import StepFileNotFound, StepFolder, StepPages, default_steps_folder

HERE = Path(__file__).parent
AUTHORISING_COOKIE = "ac_authorising"
MESSAGES = {
    "saved": "Saved {name}.",
    "authorised": "{name} is authorised.",
    "verified": "Login with Amazon accepted the credentials and refresh token of {name}.",
    "logged-out": "Logged out {name}. Authorise again to reconnect.",
    "removed": "Removed {name}.",
    "secret-rotated": "Amazon made a new client secret; {name} and every connection with its client ID use it.",
    "secret-requested": "Amazon is making a new client secret; it has not arrived yet (see Client secret below).",
    "logging-on": "Extended logging is on for every connection.",
    "logging-off": "Extended logging is off for every connection.",
}
"""Confirmations shown once after an action (see Flashes), by what happened."""

T = TypeVar("T")


class CsrfRefused(Exception):
    """A POST without this page's token for the browser's session (or from another origin)."""


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    templates.env.globals.update(
        version=__version__,
        csrf_field=CSRF_FIELD,
        secret_placeholder=SECRET_PLACEHOLDER,
        detail_fields=DETAIL_FIELDS,
        rotation_docs=ROTATION_DOCS,
        Status=Status,
        SecretLevel=SecretLevel,
    )
    return templates


class WebApp:
    """The page's routes over one Connections list."""

    def __init__(self, connections: Connections, guard: Guard) -> None:
        self.connections = connections
        self.guard = guard
        self.templates = _templates()
        self.runs = Runs()
        self.pending = PendingAuthorisations(connections.store.clock)  # the clock flows expire on
        self.flashes = Flashes()
        self.logins = LoginThrottle(connections.clock)

    # --- plumbing ----------------------------------------------------------------------------

    def render(
        self, request: Request, template: str, status: int = 200, *, forms: bool = True, **context: Any
    ) -> Response:
        """A page, with the confirmation waiting for the browser's session. With ``forms`` it carries
        the CSRF token of that session (starting one if the browser sent none); pages reached from
        Amazon's redirects have no forms and leave the session alone, since the browser withholds its
        cookie on such navigations."""
        session = request.cookies.get(SESSION_COOKIE)
        context["message"] = self.flashes.take(session)
        new_session = forms and session is None
        if new_session:
            session = self.guard.new_session()
        context["csrf"] = self.guard.csrf_token(session) if forms and session else None
        response = self.templates.TemplateResponse(request, template, context, status_code=status)
        if new_session and session:
            self.set_cookie(request, response, SESSION_COOKIE, session, samesite="strict")
        return response

    @staticmethod
    def set_cookie(request: Request, response: Response, name: str, value: str, **options: Any) -> None:
        """An HttpOnly cookie, Secure whenever the page is served over HTTPS."""
        response.set_cookie(name, value, httponly=True, secure=request.url.scheme == "https", **options)

    async def form(self, request: Request) -> dict[str, str]:
        """The submitted form, once its CSRF token and origin are checked."""
        data = await request.form()
        token = data.get(CSRF_FIELD)
        if not same_origin(request) or not self.guard.csrf_ok(
            request.cookies.get(SESSION_COOKIE), token if isinstance(token, str) else None
        ):
            raise CsrfRefused
        return {k: v for k, v in data.items() if isinstance(v, str)}

    @staticmethod
    async def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A library call (blocking: store, HTTP) off the event loop."""
        return await run_in_threadpool(function, *args, **kwargs)

    def problem(
        self, request: Request, title: str, message: str, *, status: int, hint: str | None = None
    ) -> Response:
        return self.render(request, "problem.html", status, forms=False, title=title, text=message, hint=hint)

    @staticmethod
    def see(url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def confirm(self, session: str | None, what: str, name: str = "") -> None:
        """Show the confirmation of ``what`` happened (to connection ``name``) on the session's next page."""
        self.flashes.put(session, MESSAGES[what].format(name=name))

    def done(self, request: Request, url: str, what: str, name: str = "") -> RedirectResponse:
        """On to ``url`` after an action of this browser's, which the page there confirms."""
        self.confirm(request.cookies.get(SESSION_COOKIE), what, name)
        return self.see(url)

    @staticmethod
    def stream_start(request: Request) -> int | None:
        """An event stream's ``from``: how many of its events the page shows already (None: not a
        count)."""
        try:
            start = int(request.query_params.get("from") or 0)
        except ValueError:
            return None
        return start if start >= 0 else None

    async def connection(self, request: Request) -> Connection:
        return await self.call(self.connections.get, request.path_params["name"])

    # --- the Connections list --------------------------------------------------------------

    async def list_page(self, request: Request) -> Response:
        items = await self.call(self.connections.list)
        ages = await self.call(
            lambda: [self.connections.applications.connection_status(c.record) for c in items]
        )
        rows = [
            {
                "record": c.record,
                "country": c.settings.marketplace.country if c.settings.marketplace else None,
                "age": age,
            }
            for c, age in zip(items, ages, strict=True)
        ]
        extended = await self.call(self.connections.extended_logging)
        return self.render(
            request,
            "list.html",
            rows=rows,
            unreadable=await self.call(self.connections.unreadable),
            extended=extended,
            on_count=sum(c.settings.advanced.extended_logging for c in items),
        )

    async def set_extended_logging(self, request: Request) -> Response:
        on = bool((await self.form(request)).get("extended_logging"))
        await self.call(self.connections.set_extended_logging, on)
        return self.done(request, "/", f"logging-{'on' if on else 'off'}")

    # --- the General node ------------------------------------------------------------------

    async def general(
        self,
        request: Request,
        record: ConnectionRecord | None,
        *,
        submitted: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        problem: AmazonConnectorError | None = None,
        status: int = 200,
    ) -> Response:
        fields = general_fields(
            record, submitted, errors or {}, default_redirect_uri=callback_url(request.url)
        )
        age = await self.call(self.connections.applications.connection_status, record) if record else None
        return self.render(
            request,
            "general.html",
            status,
            record=record,
            fields=fields,
            errors=errors or {},
            problem=problem,
            age=age,
            callback=callback_url(request.url),
            login_hop=f"{request.url.scheme}://{request.url.netloc}{LOGIN_HOP_PATH}",
        )

    async def new_page(self, request: Request) -> Response:
        return await self.general(request, None)

    async def create(self, request: Request) -> Response:
        form = await self.form(request)
        changes = general_changes(form)
        if await self.call(self.connections.extended_logging):
            changes["advanced"]["extended_logging"] = True  # the list's setting covers new ones too
        try:
            connection = await self.call(self.connections.add, changes.pop("name"), **changes)
        except ConfigurationError as exc:
            return await self.general(
                request, None, submitted=form, errors=errors_by_field(exc), problem=exc, status=400
            )
        return await self.act(request, connection, form.get("action", "save"))

    async def general_page(self, request: Request) -> Response:
        connection = await self.connection(request)
        return await self.general(request, connection.record)

    async def save_general(self, request: Request) -> Response:
        saved = await self.save(request, self.general, general_changes)
        if isinstance(saved, Response):
            return saved
        connection, form = saved
        return await self.act(request, connection, form.get("action", "save"))

    async def save(
        self,
        request: Request,
        page: Callable[..., Awaitable[Response]],
        changes: Callable[[Mapping[str, str]], dict[str, Any]],
    ) -> tuple[Connection, dict[str, str]] | Response:
        """Save a node's form (General or Advanced): the connection as saved and the form, or the
        node's ``page`` (self.general, self.advanced) again with the library's messages beside the
        fields at fault."""
        connection = await self.connection(request)
        form = await self.form(request)
        try:
            return await self.call(self.connections.edit, connection.name, **changes(form)), form
        except ConfigurationError as exc:
            return await page(
                request,
                connection.record,
                submitted=form,
                errors=errors_by_field(exc),
                problem=exc,
                status=400,
            )

    async def act(self, request: Request, connection: Connection, action: str) -> Response:
        """The button that submitted the General form, once its settings are saved."""
        name = connection.name
        if action == "authorise":
            return await self.authorise(request, connection)
        if action == "test":
            run = self.runs.test_connection(name, connection.test)
            return self.see(f"/connections/{name}/test/{run.id}")
        if action == "logout":
            await self.call(connection.logout)
            return self.done(request, f"/connections/{name}", "logged-out", name)
        return self.done(request, f"/connections/{name}", "saved", name)

    # --- Authorise ---------------------------------------------------------------------------

    async def authorise(self, request: Request, connection: Connection) -> Response:
        """Restricted mode: verify with Login with Amazon. Standard: on to the consent page, whose answer
        comes back to this page (or is pasted here when the redirect URI points elsewhere)."""
        missing = connection.settings.missing()
        if missing:
            problem = ConfigurationError(f"Authorise needs {', '.join(missing)} first.")
            return await self.general(
                request, connection.record, errors=missing_fields(missing), problem=problem, status=400
            )
        try:
            if connection.settings.mode is Mode.RESTRICTED:
                await self.call(connection.verify_refresh_token)
                return self.done(request, f"/connections/{connection.name}", "verified", connection.name)
            result = await self.call(connection.start_authorisation, listen=False)
        except AmazonConnectorError as exc:
            return await self.general(request, connection.record, problem=exc, status=400)
        key = self.pending.add(result, request.cookies.get(SESSION_COOKIE))
        if comes_back_here(result.redirect_uri, request.url):
            response: Response = self.see(result.url)
        else:
            response = self.render(
                request,
                "authorise.html",
                record=connection.record,
                flow=result,
                callback=callback_url(request.url),
            )
        self.set_cookie(
            request,
            response,
            AUTHORISING_COOKIE,
            key,
            max_age=int(STATE_LIFETIME),
            path=LOGIN_HOP_PATH,
            samesite="lax",  # sent on Amazon's redirect to the Log-in URI, a cross-site navigation
        )
        return response

    async def complete(self, request: Request) -> Response:
        """The address the browser landed on, pasted (when the redirect URI is not this page)."""
        connection = await self.connection(request)
        form = await self.form(request)
        try:
            await self.call(connection.complete_authorisation, form.get("landed", ""))
        except AmazonConnectorError as exc:
            return self.render(request, "authorise.html", 400, record=connection.record, flow=None, error=exc)
        return self.done(request, f"/connections/{connection.name}", "authorised", connection.name)

    async def callback(self, request: Request) -> Response:
        """Amazon's redirect after Confirm: exchange the code, keep the refresh token."""
        pending = self.pending.take(request.query_params.get("state", ""))
        if pending is None:
            return self.problem(
                request,
                "Authorisation not recognised",
                "This answer belongs to no authorisation started on this page: it expired, was used "
                "already, or the page was restarted meanwhile.",
                hint="Open the connection and click Authorise again.",
                status=400,
            )
        name = pending.flow.connection.record.name
        try:
            record = await self.call(pending.flow.complete, str(request.url))
        except AmazonConnectorError as exc:
            return self.render(
                request, "authorised.html", 400, forms=False, name=name, record=None, error=exc
            )
        page = self.render(request, "authorised.html", forms=False, name=name, record=record, error=None)
        self.confirm(pending.session, "authorised", name)  # for the page this one leads back to
        return page

    async def login_hop(self, request: Request) -> Response:
        """The app's Log-in URI: send the browser back to Amazon with this authorisation's state."""
        flow = self.pending.by_key(request.cookies.get(AUTHORISING_COOKIE, ""))
        if flow is None:
            return self.problem(
                request,
                "Authorisation not recognised",
                "Amazon sent this browser to the Log-in URI, but no authorisation started here is waiting.",
                hint="Open the connection and click Authorise again (within 5 minutes of confirming).",
                status=400,
            )
        try:
            target = await self.call(flow.login_hop, dict(request.query_params))
        except AmazonConnectorError as exc:
            return self.problem(request, "Authorisation failed", exc.message, hint=exc.hint, status=400)
        return RedirectResponse(target, status_code=302)

    # --- Test Connection ---------------------------------------------------------------------

    def _run(self, request: Request) -> TestRun | None:
        return self.runs.get(TestRun, request.path_params["name"], request.path_params["run"])

    async def test_page(self, request: Request) -> Response:
        run = self._run(request)
        if run is None:
            return self.problem(
                request, "Not found", "That Test Connection is not known (any more).", status=404
            )
        connection = await self.connection(request)
        return self.render(request, "test.html", run=run.view(), record=connection.record)

    async def test_events(self, request: Request) -> Response:
        """Server-sent events: each step as it finishes (from the ``from``-th on), then ``done``."""
        run = self._run(request)
        if run is None:
            return Response(status_code=404)
        start = self.stream_start(request)
        if start is None:
            return PlainTextResponse(
                "The from parameter is the number of steps already shown: 0 or more.", status_code=400
            )
        return StreamingResponse(run_events(run, start), media_type="text/event-stream")

    # --- the Advanced node -------------------------------------------------------------------

    async def advanced(
        self,
        request: Request,
        record: ConnectionRecord,
        *,
        submitted: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        problem: AmazonConnectorError | None = None,
        status: int = 200,
    ) -> Response:
        return self.render(
            request,
            "advanced.html",
            status,
            record=record,
            fields=advanced_fields(record, submitted, errors or {}),
            errors=errors or {},
            problem=problem,
        )

    async def advanced_page(self, request: Request) -> Response:
        return await self.advanced(request, (await self.connection(request)).record)

    async def save_advanced(self, request: Request) -> Response:
        saved = await self.save(request, self.advanced, lambda form: {"advanced": advanced_changes(form)})
        if isinstance(saved, Response):
            return saved
        return self.done(request, "/", "saved", saved[0].name)

    # --- Remove ------------------------------------------------------------------------------

    async def rotate_secret(self, request: Request) -> Response:
        """Rotate the client secret of the connection's application (shared by its other connections)."""
        connection = await self.connection(request)
        await self.form(request)
        client_id = connection.settings.client_id
        if client_id is None:
            problem = ConfigurationError("Rotating the client secret needs the Client Identifier first.")
            return await self.general(request, connection.record, problem=problem, status=400)
        try:
            rotation = await self.call(
                self.connections.applications.rotate,
                client_id,
                environment=connection.settings.environment,
                wait_seconds=5,
            )
        except AmazonConnectorError as exc:
            return await self.general(request, connection.record, problem=exc, status=400)
        what = "secret-rotated" if rotation.switched else "secret-requested"
        return self.done(request, f"/connections/{connection.name}", what, connection.name)

    async def remove_page(self, request: Request) -> Response:
        try:
            record = (await self.connection(request)).record
        except UnreadableConnectionError:  # it can still be removed
            record = None
        return self.render(request, "remove.html", name=request.path_params["name"], record=record)

    async def remove(self, request: Request) -> Response:
        name = request.path_params["name"]
        await self.form(request)
        await self.call(self.connections.remove, name)
        return self.done(request, "/", "removed", name)

    # --- logging in (binds other than loopback) ---------------------------------------------

    async def login_page(self, request: Request) -> Response:
        if not self.guard.login_required:
            return self.see("/")
        return self.render(request, "login.html", error=None)

    async def login(self, request: Request) -> Response:
        form = await self.form(request)
        address = request.client.host if request.client else ""
        wait = self.logins.wait(address)
        if wait:
            refused = self.render(
                request,
                "login.html",
                429,
                error=f"Too many wrong tokens from your address: try again in {wait} s.",
            )
            refused.headers["Retry-After"] = str(wait)
            return refused
        if not self.guard.token_ok(form.get("token", "")):
            self.logins.failed(address)
            return self.render(
                request,
                "login.html",
                401,
                error="That is not the login token. Copy it from the terminal that started the page.",
            )
        self.logins.succeeded(address)
        response = self.see("/")
        self.set_cookie(request, response, LOGIN_COOKIE, self.guard.login_cookie(), samesite="strict")
        return response

    # --- errors ------------------------------------------------------------------------------

    async def csrf_refused(self, request: Request, exc: Exception) -> Response:
        return self.problem(
            request,
            "Form refused",
            "This form was not sent from this page's current session (it may be old, or come from "
            "another site), so nothing was changed.",
            hint="Go back, reload the page and try again.",
            status=403,
        )

    async def not_found(self, request: Request, exc: Exception) -> Response:
        message = exc.message if isinstance(exc, AmazonConnectorError) else "There is no such page."
        return self.problem(request, "Not found", message, status=404)

    async def library_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AmazonConnectorError)
        return self.problem(request, "Something went wrong", exc.message, hint=exc.hint, status=400)


def create_app(
    connections: Connections,
    *,
    steps: Path | None = None,
    login_token: str | None = None,
    loopback_only: bool = True,
) -> Starlette:
    """The page as an ASGI app. ``steps`` is the folder of the Steps section (default: ``steps`` in the
    data directory); ``login_token`` makes every page ask for it once per browser; ``loopback_only``
    answers only requests addressed to a loopback host name."""
    guard = Guard(login_token)
    web = WebApp(connections, guard)
    step_pages = StepPages(web, StepFolder(steps if steps is not None else default_steps_folder(connections)))
    name = "/connections/{name}"
    step = "/steps/{file}"
    routes = [
        Route("/", web.list_page),
        Route("/extended-logging", web.set_extended_logging, methods=["POST"]),
        Route("/add", web.new_page),
        Route("/add", web.create, methods=["POST"]),
        Route(name, web.general_page),
        Route(name, web.save_general, methods=["POST"]),
        Route(f"{name}/authorise", web.complete, methods=["POST"]),
        Route(f"{name}/test/{{run}}", web.test_page),
        Route(f"{name}/test/{{run}}/events", web.test_events),
        Route(f"{name}/advanced", web.advanced_page),
        Route(f"{name}/advanced", web.save_advanced, methods=["POST"]),
        Route(f"{name}/rotate-secret", web.rotate_secret, methods=["POST"]),
        Route(f"{name}/remove", web.remove_page),
        Route(f"{name}/remove", web.remove, methods=["POST"]),
        Route("/steps", step_pages.list_page),
        Route(step, step_pages.step),
        Route(f"{step}/run", step_pages.run, methods=["POST"]),
        Route(f"{step}/again", step_pages.send_again, methods=["POST"]),
        Route(f"{step}/runs/{{run}}", step_pages.run_page),
        Route(f"{step}/runs/{{run}}/events", step_pages.run_events),
        Route(CALLBACK_PATH, web.callback),
        Route(LOGIN_HOP_PATH, web.login_hop),
        Route("/login", web.login_page),
        Route("/login", web.login, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            CsrfRefused: web.csrf_refused,
            ConnectionNotFoundError: web.not_found,
            StepFileNotFound: web.not_found,
            404: web.not_found,
            AmazonConnectorError: web.library_error,
        },
    )
    app.add_middleware(GuardMiddleware, guard=guard, loopback_only=loopback_only)
    return app
