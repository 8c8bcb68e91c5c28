"""Seller Central's consent flow over real HTTP, driven by the consent robot as a browser would."""

import dataclasses
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from amazon_connector.errors import AuthorisationError
from amazon_connector.sandbox.robot import ConsentPage, ConsentPageError, approve, cancel
from amazon_connector.sandbox.sellercentral.consent import with_query
from amazon_connector.sandbox.server import running_emulator
from amazon_connector.sandbox.world import World
from amazon_connector.serving import ServerThread
from tests.sandbox.conftest import consent_url, lwa, query, seller_in


@pytest.fixture
def client_site(redirect_uri):
    """The app's own site on the redirect URI's port: the Log-in URI hop and the redirect URI."""
    seen: list[tuple[str, dict[str, str]]] = []

    async def login(request: Request) -> Response:
        params = dict(request.query_params)
        seen.append(("login", params))
        back = {"amazon_state": params["amazon_state"], "state": "client-state", "redirect_uri": redirect_uri}
        if "version" in params:
            back["version"] = params["version"]
        return RedirectResponse(with_query(params["amazon_callback_uri"], back), status_code=302)

    async def callback(request: Request) -> Response:
        seen.append(("callback", dict(request.query_params)))
        return PlainTextResponse("authorised")

    site = Starlette(
        routes=[Route("/amazon-connector/login", login), Route("/amazon-connector/callback", callback)]
    )
    with ServerThread(site, port=urlsplit(redirect_uri).port or 0):
        yield seen


def test_the_consent_page(http, emulator, apps, world):
    app = apps["Demo Public App"]
    response = http.get(consent_url(emulator, app, state="abc"))
    assert response.status_code == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-amzn-RequestId"]
    page = ConsentPage(response.text)
    assert page.action == "/apps/authorize/confirm"
    assert page.sellers == [s.selling_partner_id for s in world.sellers]
    assert page.buttons == ["confirm", "cancel"]
    assert set(page.hidden) == {"consent_session"}
    assert app["name"] in response.text
    assert '<label for="seller">' in response.text
    assert '<form method="post" action="/apps/authorize/confirm">' in response.text


def test_confirm_redirects_with_state_seller_and_code(emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    seller = seller_in(app, "UK")["selling_partner_id"]
    landed = approve(
        consent_url(emulator, app, state="st-1", redirect_uri=redirect_uri),
        selling_partner_id=seller,
        follow=False,
    )
    assert landed.startswith(redirect_uri + "?")
    params = query(landed)
    assert list(params) == ["state", "selling_partner_id", "spapi_oauth_code"]
    assert (params["state"], params["selling_partner_id"]) == ("st-1", seller)
    first = query(approve(consent_url(emulator, app, state="st-2"), follow=False))
    assert first["selling_partner_id"] == app["sellers"][0]["selling_partner_id"]
    assert first["state"] == "st-2"


def test_confirm_is_a_302_without_referrer(http, emulator, apps):
    page = ConsentPage(http.get(consent_url(emulator, apps["Demo Public App"], state="s")).text)
    response = http.post(
        page.action or "", data={**page.hidden, "selling_partner_id": page.sellers[1], "action": "confirm"}
    )
    assert response.status_code == 302
    assert response.headers["referrer-policy"] == "no-referrer"
    assert query(response.headers["location"])["selling_partner_id"] == page.sellers[1]


def test_missing_redirect_uri_means_the_first_registered(emulator, apps):
    app = apps["Demo Public App"]
    assert approve(consent_url(emulator, app), follow=False).startswith(app["redirect_uris"][0] + "?")


def test_draft_app_needs_version_beta(http, emulator, apps):
    app = apps["Demo Draft App"]
    response = http.get(consent_url(emulator, app, state="s"))
    assert response.status_code == 400
    assert '<strong id="error-code">MD1000</strong>' in response.text
    with pytest.raises(ConsentPageError) as info:
        approve(consent_url(emulator, app, state="s"))
    assert info.value.code == "MD1000"
    assert "version=beta" in str(info.value)
    assert "spapi_oauth_code" in query(approve(consent_url(emulator, app, version="beta"), follow=False))


@pytest.mark.parametrize(
    ("redirect", "code"),
    [
        ("https://example.com/amazon-connector/callback", "MD5101"),
        ("https://localhost:8721/amazon-connector/callback/", "MD5101"),
        ("https://localhost:8721/amazon-connector/callback#top", "MD5110"),
    ],
)
def test_redirect_uri_errors(emulator, apps, redirect, code):
    with pytest.raises(ConsentPageError) as info:
        approve(consent_url(emulator, apps["Demo Public App"], redirect_uri=redirect))
    assert info.value.code == code


def test_unknown_application(emulator):
    with pytest.raises(ConsentPageError) as info:
        approve(consent_url(emulator, {"app_id": "amzn1.sp.solution.nope"}))
    assert info.value.code == "UnknownApplication"


def test_cancel_sends_nothing_to_the_app(emulator, apps, client_site, redirect_uri):
    landed = cancel(consent_url(emulator, apps["Demo Public App"], state="s", redirect_uri=redirect_uri))
    assert landed == f"{emulator.url}/apps/authorize/confirm"
    assert client_site == []


def test_an_unreadable_form_is_refused(http):
    response = http.post(
        "/apps/authorize/confirm", content=b"--x", headers={"content-type": "multipart/form-data"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"


def test_a_consent_page_can_be_confirmed_once_within_five_minutes(http, emulator, apps, clock):
    def submitted_twice(advance: float) -> list[httpx.Response]:
        page = ConsentPage(http.get(consent_url(emulator, apps["Demo Public App"])).text)
        clock.advance(advance)
        form = {**page.hidden, "selling_partner_id": page.sellers[0], "action": "confirm"}
        return [http.post("/apps/authorize/confirm", data=form) for _ in range(2)]

    first, second = submitted_twice(0)
    assert first.status_code == 302
    assert second.status_code == 400
    assert "ConsentExpired" in second.text
    late, _ = submitted_twice(301)
    assert late.status_code == 400


def test_log_in_uri_hop(http, emulator, apps, client_site, redirect_uri):
    app = apps["Demo Log-in URI App"]
    seller = seller_in(app, "JP")["selling_partner_id"]
    landed = approve(
        consent_url(emulator, app, state="first-state", redirect_uri=redirect_uri), selling_partner_id=seller
    )
    assert [where for where, _ in client_site] == ["login", "callback"]
    login = client_site[0][1]
    assert login["amazon_callback_uri"] == f"{emulator.url}/apps/authorize/callback"
    assert login["selling_partner_id"] == seller
    assert "version" not in login
    assert landed.startswith(redirect_uri + "?")
    params = query(landed)
    assert (params["state"], params["selling_partner_id"]) == ("client-state", seller)
    exchange = lwa(
        http, app, grant_type="authorization_code", code=params["spapi_oauth_code"], redirect_uri=redirect_uri
    )
    assert exchange.status_code == 200


def _hop(http, emulator, app) -> dict[str, str]:
    page = ConsentPage(http.get(consent_url(emulator, app, state="s")).text)
    response = http.post(
        "/apps/authorize/confirm",
        data={**page.hidden, "selling_partner_id": page.sellers[0], "action": "confirm"},
    )
    assert response.status_code == 302
    return query(response.headers["location"])


def test_amazon_state_is_single_use_and_expires(http, emulator, apps, clock):
    app = apps["Demo Log-in URI App"]
    state = _hop(http, emulator, app)["amazon_state"]
    used = http.get("/apps/authorize/callback", params={"amazon_state": state, "state": "x"})
    assert used.status_code == 302
    assert query(used.headers["location"])["state"] == "x"
    assert "InvalidAmazonState" in http.get("/apps/authorize/callback", params={"amazon_state": state}).text
    late = _hop(http, emulator, app)["amazon_state"]
    clock.advance(301)
    assert http.get("/apps/authorize/callback", params={"amazon_state": late}).status_code == 400


def test_callback_checks_the_redirect_uri_and_defaults_to_the_consents(http, emulator, apps, redirect_uri):
    app = apps["Demo Log-in URI App"]
    wrong = {
        "amazon_state": _hop(http, emulator, app)["amazon_state"],
        "redirect_uri": "https://example.com/cb",
    }
    assert "MD5101" in http.get("/apps/authorize/callback", params=wrong).text
    default = http.get(
        "/apps/authorize/callback", params={"amazon_state": _hop(http, emulator, app)["amazon_state"]}
    )
    assert default.headers["location"].startswith(redirect_uri + "?state=s&")


def test_draft_app_with_log_in_uri_hops_with_version_beta(world, clock, redirect_uri):
    login_app = next(a for a in world.apps if a.login_uri)
    draft = dataclasses.replace(login_app, draft=True)
    draft_world = World(world.seed, [draft], world.sellers, [])
    with running_emulator(draft_world, clock=clock) as emulator, httpx.Client(base_url=emulator.url) as http:
        page = ConsentPage(http.get(consent_url(emulator, {"app_id": draft.app_id}, version="beta")).text)
        confirmed = http.post(
            "/apps/authorize/confirm",
            data={**page.hidden, "selling_partner_id": page.sellers[0], "action": "confirm"},
        )
        hop = query(confirmed.headers["location"])
        assert hop["version"] == "beta"
        refused = http.get("/apps/authorize/callback", params={"amazon_state": hop["amazon_state"]})
        assert "MD1000" in refused.text


def test_robot_refuses_a_seller_not_on_the_page(emulator, apps):
    with pytest.raises(AuthorisationError, match="not among the sellers"):
        approve(consent_url(emulator, apps["Demo Public App"]), selling_partner_id="A0000000000000")


def test_a_private_app_is_authorised_only_by_its_developers_own_sellers(emulator, apps, world):
    private = apps["Demo Private App"]
    outsider = next(s for s in world.sellers if s.selling_partner_id not in private["owners"])
    with pytest.raises(ConsentPageError) as info:
        approve(consent_url(emulator, private), selling_partner_id=outsider.selling_partner_id)
    assert info.value.code == "PrivateApplication"
    own = private["owners"][1]
    assert (
        query(approve(consent_url(emulator, private), selling_partner_id=own, follow=False))[
            "selling_partner_id"
        ]
        == own
    )
    public = approve(
        consent_url(emulator, apps["Demo Public App"]),
        selling_partner_id=outsider.selling_partner_id,
        follow=False,
    )
    assert query(public)["selling_partner_id"] == outsider.selling_partner_id
