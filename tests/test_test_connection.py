"""Restricted Data Access Mode and Test Connection over real HTTP, with each error Amazon gives."""

from datetime import timedelta

import pytest

from amazon_connector import Connections, Outcome, Status
from amazon_connector.clock import ManualClock
from amazon_connector.errors import (
    ConfigurationError,
    IncompleteConfigurationError,
    InvalidClientError,
    InvalidGrantError,
)
from tests.conftest import app_settings, seller_in


def restricted(connections, emulator, app, country, **more):
    seller = seller_in(app, country)
    return connections.add(
        f"{country.lower()}-restricted",
        country=country,
        mode="restricted",
        refresh_token=seller["refresh_token"],
        **app_settings(app, emulator),
        **more,
    )


def steps(report):
    return {s.name: s for s in report.steps}


def test_each_mode_authorises_its_own_way(connections, emulator, apps, redirect_uri):
    """A restricted connection has no consent flow, a standard one no refresh token to verify: each
    wrong call is a clear ConfigurationError and changes nothing."""
    de = restricted(connections, emulator, apps["Demo Private App (restricted)"], "DE")
    with pytest.raises(ConfigurationError, match="Restricted Data Access Mode") as refused:
        de.start_authorisation()
    assert refused.value.field == "mode"
    public = apps["Demo Public App"]
    uk = connections.add("uk", country="UK", redirect_uri=redirect_uri, **app_settings(public, emulator))
    with pytest.raises(ConfigurationError, match="consent page"):
        uk.verify_refresh_token()
    assert connections.get("uk").status is Status.NOT_AUTHORISED
    assert connections.get(de.name).status is Status.NOT_AUTHORISED


def test_restricted_mode_authorise_and_test_with_rdt(connections, emulator, apps):
    c = restricted(connections, emulator, apps["Demo Private App (restricted)"], "DE")
    assert c.status is Status.NOT_AUTHORISED
    record = c.verify_refresh_token()
    assert record.status is Status.READY
    report = connections.get("de-restricted").test()
    assert report.ok
    by_name = steps(report)
    assert list(by_name) == [
        "Token exchange",
        "getMarketplaceParticipations",
        "Country",
        "Restricted Data Token",
        "Client secret age",
    ]
    assert "restricted access works" in by_name["Restricted Data Token"].detail
    saved = connections.get("de-restricted").record
    assert saved.last_test_ok is True
    assert saved.last_test_at is not None


def test_missing_restricted_role_is_said_plainly(connections, emulator, apps):
    c = restricted(connections, emulator, apps["Demo Private App"], "UK")
    c.verify_refresh_token()
    report = connections.get("uk-restricted").test()
    assert not report.ok
    rdt = steps(report)["Restricted Data Token"]
    assert rdt.outcome is Outcome.FAIL
    assert (
        "getOrders (buyerInfo, shippingAddress): the app lacks the Direct-to-Consumer Shipping (Restricted) role."
        in rdt.detail
    )
    assert rdt.request_id
    assert connections.get("uk-restricted").record.last_test_ok is False


def test_revoked_refresh_token(connections, emulator, apps):
    app = apps["Demo Private App (restricted)"]
    seller = next(s for s in app["sellers"] if s.get("revoked_refresh_token"))
    c = connections.add(
        "revoked",
        country=seller["countries"][0],
        mode="restricted",
        refresh_token=seller["revoked_refresh_token"],
        **app_settings(app, emulator),
    )
    with pytest.raises(InvalidGrantError) as info:
        c.verify_refresh_token()
    assert "revoked" in str(info.value.hint)
    assert "Authorise the connection again" in str(info.value.hint)
    report = connections.get("revoked").test()
    assert steps(report)["Token exchange"].outcome is Outcome.FAIL


def test_expired_client_secret(connections, emulator, apps):
    c = restricted(
        connections,
        emulator,
        apps["Demo Expired-Secret App"],
        apps["Demo Expired-Secret App"]["sellers"][0]["countries"][0],
    )
    with pytest.raises(InvalidClientError) as info:
        c.verify_refresh_token()
    assert info.value.status == 401
    assert "rotate" in str(info.value.hint)


def test_wrong_client_secret(connections, emulator, apps):
    app = dict(apps["Demo Private App"], client_secret="amzn1.oa2-cs.v1." + "0" * 64)
    c = restricted(connections, emulator, app, "UK")
    with pytest.raises(InvalidClientError):
        c.verify_refresh_token()


def test_country_not_among_the_sellers_marketplaces(connections, emulator, apps):
    app = apps["Demo Private App"]
    seller = seller_in(app, "UK")
    c = connections.add(
        "jp-but-eu-seller",
        country="JP",
        mode="restricted",
        refresh_token=seller["refresh_token"],
        **app_settings(app, emulator),
    )
    c.verify_refresh_token()
    report = connections.get("jp-but-eu-seller").test()
    country = steps(report)["Country"]
    assert country.outcome is Outcome.FAIL
    assert "Japan" in country.detail
    assert not report.ok


def test_incomplete_connection_cannot_be_authorised_or_tested(connections):
    c = connections.add("partial", country="UK")
    with pytest.raises(IncompleteConfigurationError, match="App ID, Client Identifier, Client Secret"):
        c.verify_refresh_token()
    report = c.test()
    assert not report.ok
    assert "Configuration Incomplete" in report.steps[0].detail


def test_secret_age_warning_in_the_test(home, emulator, apps, emulator_clock):
    clock = ManualClock(emulator_clock.now() - timedelta(days=176))
    with Connections.open(home=home, clock=clock) as connections:
        restricted(connections, emulator, apps["Demo Private App (restricted)"], "DE")
    with Connections.open(home=home) as connections:
        c = connections.get("de-restricted")
        c.verify_refresh_token()
        report = c.test()
    age = steps(report)["Client secret age"]
    assert age.outcome is Outcome.WARN
    assert "ROTATE NOW" in age.detail
    assert report.ok


def test_token_step_asks_amazon_not_the_cache(connections, emulator, apps):
    c = restricted(connections, emulator, apps["Demo Private App (restricted)"], "DE")
    c.verify_refresh_token()
    before = c.timeline.token_cache.fetches
    assert connections.get("de-restricted").test().ok
    assert c.timeline.token_cache.fetches == before + 1


def test_secret_age_is_reported_even_when_the_token_fails(home, emulator, apps, emulator_clock):
    app = apps["Demo Expired-Secret App"]
    clock = ManualClock(emulator_clock.now() - timedelta(days=181))
    with Connections.open(home=home, clock=clock) as connections:
        restricted(connections, emulator, app, app["sellers"][0]["countries"][0])
    with Connections.open(home=home) as connections:
        report = connections.list()[0].test()
    by_name = steps(report)
    assert by_name["Token exchange"].outcome is Outcome.FAIL
    assert by_name["Client secret age"].outcome is Outcome.FAIL
    assert "passed Amazon's 180-day limit" in by_name["Client secret age"].detail


def test_log_out_works_on_an_incomplete_connection(connections, emulator, apps):
    c = restricted(connections, emulator, apps["Demo Private App (restricted)"], "DE")
    c.verify_refresh_token()
    connections.edit("de-restricted", client_secret=None)
    record = connections.get("de-restricted").logout()
    assert record.settings.refresh_token is None
    assert record.status is Status.INCOMPLETE
