"""Authorise over real HTTP: the consent page driven end to end, the listener, the paste fallback, errors."""

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from amazon_connector import AuthorisationFlow, Connections, Status
from amazon_connector.clock import ManualClock
from amazon_connector.errors import AuthorisationError, InvalidGrantError, StateError
from amazon_connector.sandbox.robot import approve, cancel
from tests.conftest import app_settings, seller_in


def _flow(connection) -> AuthorisationFlow:
    return connection.start_authorisation()


def test_consent_flow_end_to_end_through_the_listener(connections, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    seller = seller_in(app, "UK")
    uk = connections.add("uk", country="UK", redirect_uri=redirect_uri, **app_settings(app, emulator))
    assert uk.status is Status.NOT_AUTHORISED
    with _flow(uk) as flow:
        query = parse_qs(urlsplit(flow.url).query)
        assert flow.url.startswith(f"{emulator.url}/apps/authorize/consent?")
        assert query["application_id"] == [app["app_id"]]
        assert query["redirect_uri"] == [redirect_uri]
        assert len(query["state"][0]) >= 32
        assert "version" not in query
        assert flow.listening
        landed = approve(flow.url, selling_partner_id=seller["selling_partner_id"])
        assert landed.startswith(redirect_uri)
        record = flow.wait(10)
    assert record.status is Status.READY
    assert record.settings.selling_partner_id == seller["selling_partner_id"]
    assert (record.settings.secret("refresh_token") or "").startswith("Atzr|")
    report = connections.get("uk").test()
    assert report.ok, report.steps


def test_draft_app_adds_version_beta(connections, emulator, apps, redirect_uri):
    app = apps["Demo Draft App"]
    c = connections.add("draft", country="US", redirect_uri=redirect_uri, **app_settings(app, emulator))
    with _flow(c) as flow:
        assert parse_qs(urlsplit(flow.url).query)["version"] == ["beta"]
        approve(flow.url, selling_partner_id=seller_in(app, "US")["selling_partner_id"])
        assert flow.wait(10).status is Status.READY


def test_log_in_uri_hop(connections, emulator, apps, redirect_uri):
    app = apps["Demo Log-in URI App"]
    assert app["login_uri"]
    c = connections.add("hop", country="JP", redirect_uri=redirect_uri, **app_settings(app, emulator))
    with _flow(c) as flow:
        approve(flow.url, selling_partner_id=seller_in(app, "JP")["selling_partner_id"])
        assert flow.wait(10).status is Status.READY


def test_https_listener_with_a_local_certificate(connections, emulator, apps, https_redirect_uri, home):
    app = apps["Demo Public App"]
    c = connections.add("tls", country="DE", redirect_uri=https_redirect_uri, **app_settings(app, emulator))
    with _flow(c) as flow:
        approve(flow.url, selling_partner_id=seller_in(app, "DE")["selling_partner_id"], verify=False)
        assert flow.wait(10).status is Status.READY
    assert (home / "tls" / "localhost-key.pem").stat().st_mode & 0o777 == 0o600


def _landed_without_listener(connections, emulator, apps, redirect_uri, name="paste"):
    """Start an authorisation with nobody listening and return where the browser would land."""
    app = apps["Demo Public App"]
    c = connections.add(name, country="UK", redirect_uri=redirect_uri, **app_settings(app, emulator))
    flow = c.start_authorisation(listen=False)
    assert not flow.listening
    return (
        c,
        flow,
        approve(flow.url, selling_partner_id=seller_in(app, "UK")["selling_partner_id"], follow=False),
    )


def test_paste_fallback_and_replay_is_refused(connections, emulator, apps, redirect_uri):
    c, flow, landed = _landed_without_listener(connections, emulator, apps, redirect_uri)
    record = flow.complete(landed)
    assert record.status is Status.READY
    with pytest.raises(StateError, match="already used"):
        c.complete_authorisation(landed)


def test_an_address_pasted_into_another_connection_leaves_its_own_authorisation_intact(
    connections, emulator, apps, redirect_uri
):
    uk, _, landed = _landed_without_listener(connections, emulator, apps, redirect_uri, name="uk")
    de, _, _ = _landed_without_listener(connections, emulator, apps, redirect_uri, name="de")
    with pytest.raises(StateError, match="belongs to the authorisation of another connection") as info:
        de.complete_authorisation(landed)
    assert "still waiting" in str(info.value.hint)
    assert uk.complete_authorisation(landed).status is Status.READY
    assert connections.get("de").status is Status.NOT_AUTHORISED


def test_completion_from_another_process_view(connections, emulator, apps, redirect_uri, home):
    _, _, landed = _landed_without_listener(connections, emulator, apps, redirect_uri)
    with Connections.open(home=home) as other:
        assert other.get("paste").complete_authorisation(landed).status is Status.READY


def test_wrong_state_is_refused(connections, emulator, apps, redirect_uri):
    c, _, landed = _landed_without_listener(connections, emulator, apps, redirect_uri)
    tampered = landed.replace("state=", "state=x")
    with pytest.raises(StateError, match="unknown"):
        c.complete_authorisation(tampered)
    with pytest.raises(StateError, match="no state"):
        c.complete_authorisation("http://127.0.0.1/amazon-connector/callback?foo=1")


def test_expired_state_is_refused(home, emulator, apps, redirect_uri, emulator_clock):
    clock = ManualClock(emulator_clock.now())
    with Connections.open(home=home, clock=clock) as connections:
        c, _, landed = _landed_without_listener(connections, emulator, apps, redirect_uri)
        clock.advance(301)
        with pytest.raises(StateError, match="expired"):
            c.complete_authorisation(landed)


def test_expired_code_says_codes_live_five_minutes(connections, emulator, apps, redirect_uri, emulator_clock):
    c, _, landed = _landed_without_listener(connections, emulator, apps, redirect_uri)
    emulator_clock.advance(301)
    with pytest.raises(InvalidGrantError) as info:
        c.complete_authorisation(landed)
    assert info.value.error == "invalid_grant"
    assert "5 minutes" in str(info.value.hint)


def test_cancel_sends_nothing_back(connections, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    c = connections.add("cancel", country="UK", redirect_uri=redirect_uri, **app_settings(app, emulator))
    with _flow(c) as flow:
        cancel(flow.url)
        with pytest.raises(AuthorisationError, match="No answer came back"):
            flow.wait(0.5)
    assert connections.get("cancel").status is Status.NOT_AUTHORISED


def test_log_out_then_authorise_again(connections, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    c = connections.add("again", country="UK", redirect_uri=redirect_uri, **app_settings(app, emulator))
    for _ in range(2):
        with _flow(c) as flow:
            approve(flow.url, selling_partner_id=seller_in(app, "UK")["selling_partner_id"])
            flow.wait(10)
        c = connections.get("again")
        assert c.test().ok
        c.logout()
        c = connections.get("again")
        assert c.status is Status.INCOMPLETE
        assert c.record.status_detail.endswith("logged out; authorise again")
        assert c.settings.refresh_token is None
        assert c.settings.client_id == app["client_id"]
        assert c.settings.selling_partner_id is not None
        assert not c.test().ok


def test_bad_selling_partner_id_is_refused_before_the_code_is_used(connections, emulator, apps, redirect_uri):
    c, _, landed = _landed_without_listener(connections, emulator, apps, redirect_uri)
    with pytest.raises(AuthorisationError, match="malformed selling_partner_id"):
        c.complete_authorisation(re.sub(r"selling_partner_id=[^&]+", "selling_partner_id=bad-id", landed))
    assert connections.get("paste").status is Status.NOT_AUTHORISED


def test_settings_changed_during_authorisation_are_refused(connections, emulator, apps, redirect_uri):
    c, _, landed = _landed_without_listener(connections, emulator, apps, redirect_uri)
    other = apps["Demo Draft App"]
    connections.edit("paste", client_id=other["client_id"], client_secret=other["client_secret"])
    with pytest.raises(AuthorisationError, match="changed while it was being authorised"):
        c.complete_authorisation(landed)
    assert connections.get("paste").settings.refresh_token is None


def test_an_error_without_the_state_does_not_end_the_flow(connections, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    c = connections.add("noise", country="UK", redirect_uri=redirect_uri, **app_settings(app, emulator))
    with _flow(c) as flow:
        stray = httpx.get(f"{redirect_uri}?error=access_denied", timeout=5)
        assert stray.status_code == 400
        assert not flow.done
        approve(flow.url, selling_partner_id=seller_in(app, "UK")["selling_partner_id"])
        assert flow.wait(10).status is Status.READY


def test_the_listener_answers_only_loopback_host_names(connections, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    c = connections.add("rebind", country="UK", redirect_uri=redirect_uri, **app_settings(app, emulator))
    origin = redirect_uri.rsplit("/amazon-connector", 1)[0]
    port = urlsplit(redirect_uri).port
    with _flow(c) as flow:
        hop = {"amazon_callback_uri": "https://sellercentral-europe.amazon.com/x", "amazon_state": "s"}
        for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.attacker.example", "["):
            for url, params in ((redirect_uri, {"state": flow.state}), (f"{origin}/login", hop)):
                answer = httpx.get(url, params=params, headers={"host": host}, timeout=5)
                assert answer.status_code == 421, (host, url)
                assert "location" not in answer.headers
        assert not flow.done
        for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
            assert (
                httpx.get(f"{origin}/login", params=hop, headers={"host": host}, timeout=5).status_code == 302
            )
        approve(flow.url, selling_partner_id=seller_in(app, "UK")["selling_partner_id"])
        assert flow.wait(10).status is Status.READY


def test_log_in_hop_only_goes_to_amazon(connections, emulator, apps, redirect_uri):
    app = apps["Demo Public App"]
    c = connections.add("hop-guard", country="UK", redirect_uri=redirect_uri, **app_settings(app, emulator))
    origin = redirect_uri.rsplit("/amazon-connector", 1)[0]
    with _flow(c):
        for target in ("https://sellercentral.amazon.xyz/steal", "https://sellercentral.amazon.co.evil/x"):
            hop = httpx.get(
                f"{origin}/login", params={"amazon_callback_uri": target, "amazon_state": "s"}, timeout=5
            )
            assert hop.status_code == 400
            assert "location" not in hop.headers
        ok = httpx.get(
            f"{origin}/login",
            params={
                "amazon_callback_uri": "https://sellercentral-europe.amazon.com/apps/authorize/confirm",
                "amazon_state": "s",
            },
            timeout=5,
        )
        assert ok.status_code == 302
        assert ok.headers["location"].startswith("https://sellercentral-europe.amazon.com/")
