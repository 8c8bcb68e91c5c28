"""The demo world: deterministic from its seed, in Amazon's formats, as `sandbox credentials` prints it."""

import re

from amazon_connector.sandbox.world import DEFAULT_REDIRECT_URIS, demo_world
from tests.sandbox.conftest import SELLER_COUNTRIES

FORMATS = {
    "app_id": r"amzn1\.sp\.solution\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
    "client_id": r"amzn1\.application-oa2-client\.[0-9a-f]{32}",
    "client_secret": r"amzn1\.oa2-cs\.v1\.[0-9a-f]{64}",
}
REFRESH_TOKEN = r"Atzr\|[A-Za-z0-9_\-]{100,}"
NAMES = [
    "Demo Public App",
    "Demo Draft App",
    "Demo Log-in URI App",
    "Demo Private App (restricted)",
    "Demo Private App",
    "Demo Expired-Secret App",
]


def test_same_seed_same_credentials_other_seed_others():
    assert demo_world(seed=7).credentials() == demo_world(seed=7).credentials()
    first, other = demo_world().credentials(), demo_world(seed=1).credentials()
    for key in ("app_id", "client_id", "client_secret"):
        assert {a[key] for a in first}.isdisjoint({a[key] for a in other})


def test_apps_and_their_formats():
    apps = {a["name"]: a for a in demo_world().credentials()}
    assert list(apps) == NAMES
    for app in apps.values():
        for key, pattern in FORMATS.items():
            assert re.fullmatch(pattern, app[key]), (key, app[key])
        assert app["redirect_uris"] == list(DEFAULT_REDIRECT_URIS)
    flags = {name: (a["draft"], a["private"], a["secret_expired"]) for name, a in apps.items()}
    assert flags == {
        "Demo Public App": (False, False, False),
        "Demo Draft App": (True, False, False),
        "Demo Log-in URI App": (False, False, False),
        "Demo Private App (restricted)": (False, True, False),
        "Demo Private App": (False, True, False),
        "Demo Expired-Secret App": (False, True, True),
    }
    assert apps["Demo Private App (restricted)"]["restricted_roles"] == [
        "Direct-to-Consumer Shipping (Restricted)"
    ]
    assert [a["name"] for a in apps.values() if a["restricted_roles"]] == ["Demo Private App (restricted)"]
    assert apps["Demo Log-in URI App"]["login_uri"] == "https://localhost:8721/amazon-connector/login"
    assert [a["name"] for a in apps.values() if a["login_uri"]] == ["Demo Log-in URI App"]


def test_sellers_and_refresh_tokens():
    apps = {a["name"]: a for a in demo_world().credentials()}
    public = apps["Demo Public App"]
    assert [s["countries"] for s in public["sellers"]] == [*SELLER_COUNTRIES.values(), ["US"]]
    assert public["sellers"][-1]["store_name"] == "Another Company's Store"
    for seller in public["sellers"]:
        assert re.fullmatch(r"A[0-9A-Z]{13}", seller["selling_partner_id"])
        assert seller["store_name"]
        assert "refresh_token" not in seller
    tokens = set()
    for app in (a for a in apps.values() if a["private"]):
        assert len(app["sellers"]) == 3  # the developer's own: private apps are self-authorised
        assert app["owners"] == [s["selling_partner_id"] for s in app["sellers"]]
        for seller in app["sellers"]:
            assert re.fullmatch(REFRESH_TOKEN, seller["refresh_token"])
            tokens.add(seller["refresh_token"])
    assert len(tokens) == 9
    revoked = [
        (app["name"], s["countries"][0])
        for app in apps.values()
        for s in app["sellers"]
        if "revoked_refresh_token" in s
    ]
    assert revoked == [("Demo Private App (restricted)", "UK")]


def test_given_redirect_uris_come_first_and_set_the_login_uri():
    world = demo_world(redirect_uris=["http://127.0.0.1:5555/cb", "https://localhost:5556/cb"])
    for app in world.apps:
        assert app.redirect_uris == [
            "http://127.0.0.1:5555/cb",
            "https://localhost:5556/cb",
            *DEFAULT_REDIRECT_URIS,
        ]
    login = next(a for a in world.apps if a.login_uri)
    assert login.login_uri == "http://127.0.0.1:5555/amazon-connector/login"
    assert world.credentials()[0]["app_id"] == demo_world().credentials()[0]["app_id"]
